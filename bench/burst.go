// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"sync"
	"time"

	"gvfs-metadata/bus"
)

// Burst is one workload of back-to-back calls.
type Burst struct {
	Want      int // calls asked for
	Calls     int // calls answered
	Elapsed   time.Duration
	Limited   bool // stopped by the time budget before Want calls
	Lat       Latency
	Rotations int             // tree files renamed into place meanwhile
	Journal   int             // the largest journal one of them named, in bytes
	Worst     []time.Duration // the slowest calls, slowest first
	all       []time.Duration
}

// Merge combines two bursts of the same calls taken at different times.
func (b Burst) Merge(o Burst) Burst {
	m := Burst{Want: b.Want + o.Want, Calls: b.Calls + o.Calls, Elapsed: b.Elapsed + o.Elapsed,
		Limited: b.Limited || o.Limited, Rotations: b.Rotations + o.Rotations, Journal: max(b.Journal, o.Journal)}
	m.all = append(append([]time.Duration(nil), b.all...), o.all...)
	m.Lat = summarise(m.all)
	m.Worst = worst(m.all, 5)
	return m
}

// setPerPing is Set/s ÷ Ping/s: how close a Set comes to a bare bus round
// trip (0 when no Ping was answered).
func setPerPing(set, ping Burst) float64 {
	if ping.Rate() == 0 {
		return 0
	}
	return set.Rate() / ping.Rate()
}

// Rate is answered calls per second.
func (b Burst) Rate() float64 {
	if b.Elapsed <= 0 {
		return 0
	}
	return float64(b.Calls) / b.Elapsed.Seconds()
}

// SetBurst writes total Sets to distinct new paths from clients
// connections at once (clients == 1: the world's own connection), each
// client one call at a time, until done or budget (0: none) ran out.
func SetBurst(w *World, clients, total int, budget time.Duration) (Burst, error) {
	conns := []*bus.Conn{w.conn}
	for len(conns) < clients {
		c, err := w.Connect()
		if err != nil {
			return Burst{}, err
		}
		defer c.Close()
		conns = append(conns, c)
	}
	paths := make([][]string, clients)
	for i := range total {
		paths[i%clients] = append(paths[i%clients], w.NewPath(fmt.Sprintf("c%d-", i%clients)))
	}
	return burst(w, conns, paths, budget, w.Set)
}

// PingBurst makes total Peer.Ping calls to the daemon from the world's
// connection, one at a time.
func PingBurst(w *World, total int, budget time.Duration) (Burst, error) {
	return burst(w, []*bus.Conn{w.conn}, [][]string{make([]string, total)}, budget, func(c *bus.Conn, _ string) error { return w.Ping(c) })
}

func burst(w *World, conns []*bus.Conn, work [][]string, budget time.Duration, call func(*bus.Conn, string) error) (Burst, error) {
	var b Burst
	lat := make([][]time.Duration, len(conns))
	errs := make([]error, len(conns))
	for _, paths := range work {
		b.Want += len(paths)
	}
	rotations := w.watch.Count()
	start := time.Now()
	deadline := start.Add(budget)
	var wg sync.WaitGroup
	for i, c := range conns {
		lat[i] = make([]time.Duration, 0, len(work[i]))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range work[i] {
				if budget > 0 && time.Now().After(deadline) {
					return
				}
				t := time.Now()
				if err := call(c, p); err != nil {
					errs[i] = fmt.Errorf("%s: call %d of client %d: %w", w.D.Name, len(lat[i])+1, i, err)
					return
				}
				lat[i] = append(lat[i], time.Since(t))
			}
		}()
	}
	wg.Wait()
	b.Elapsed = time.Since(start)
	b.Rotations = w.watch.Count() - rotations
	b.Journal = w.watch.LargestJournal(rotations)
	var all []time.Duration
	for i := range conns {
		if errs[i] != nil {
			return b, errs[i]
		}
		all = append(all, lat[i]...)
	}
	b.Calls = len(all)
	b.Limited = b.Calls < b.Want
	b.Lat = summarise(all)
	b.Worst = worst(all, 5)
	b.all = all
	return b, nil
}

func worst(d []time.Duration, n int) []time.Duration {
	var top []time.Duration
	for _, v := range d {
		top = append(top, v)
		for j := len(top) - 1; j > 0 && top[j] > top[j-1]; j-- {
			top[j], top[j-1] = top[j-1], top[j]
		}
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}
