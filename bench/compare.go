// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Comparing builds. The full run measures each daemon's Set/Ping ratio in
// one world, Pings around one long Set burst; on a shared machine that
// ratio moves by several hundredths from run to run, more than most
// changes to the daemon move it. Compare interleaves instead: in each
// round every daemon, in turn, gets a fresh world on the same tree and
// alternates Ping and Set bursts in it, so that the machine's drift falls
// on all of them and on both kinds of call alike.

// compareSegments is how many Ping and Set bursts alternate in one world.
const compareSegments = 5

// Comparison is what one daemon measured over all rounds.
type Comparison struct {
	D    Daemon
	Size int
	Set  Burst
	Ping Burst
	// CPU used during the Set bursts and during the Ping bursts.
	SetCPU, PingCPU cpuUse
}

// Ratio is Set/s ÷ Ping/s over all rounds.
func (c Comparison) Ratio() float64 { return setPerPing(c.Set, c.Ping) }

// merge adds what another world of the same daemon measured.
func (c Comparison) merge(o Comparison) Comparison {
	c.Set, c.Ping = c.Set.Merge(o.Set), c.Ping.Merge(o.Ping)
	c.SetCPU, c.PingCPU = c.SetCPU.add(o.SetCPU), c.PingCPU.add(o.PingCPU)
	return c
}

// Compare measures each daemon's Set/Ping ratio on a tree of size entries,
// rounds times, interleaved. Each world gets cfg.Sets Sets and half as
// many Pings.
func Compare(cfg Config, ds []Daemon, size, rounds int) ([]Comparison, error) {
	t, err := NewTemplate(cfg.WorkDir, size, cfg.Files)
	if err != nil {
		return nil, err
	}
	out := make([]Comparison, len(ds))
	for i, d := range ds {
		out[i] = Comparison{D: d, Size: size}
	}
	sets := max(cfg.Sets/compareSegments, 1)
	for round := range rounds {
		for i, d := range ds {
			c, err := alternate(cfg, d, t, sets)
			if err != nil {
				return nil, fmt.Errorf("%s, round %d: %w", d.Name, round+1, err)
			}
			cfg.logf("size %s, round %d, %s: Set %.0f/s, Ping %.0f/s, Set/Ping %.3f",
				sizeLabel(size), round+1, d.Name, c.Set.Rate(), c.Ping.Rate(), c.Ratio())
			out[i] = out[i].merge(c)
		}
	}
	return out, nil
}

// alternate runs compareSegments pairs of a Ping burst and a 1-client Set
// burst in a fresh world of d, and returns them with the CPU each kind
// used.
func alternate(cfg Config, d Daemon, t *Template, sets int) (Comparison, error) {
	c := Comparison{D: d, Size: t.Size}
	w, err := NewWorld(d, t, false)
	if err != nil {
		return c, err
	}
	defer w.Close()
	if _, err := w.Activate(); err != nil {
		return c, err
	}
	for range compareSegments {
		var seg Comparison
		if seg.PingCPU, err = w.measureCPU(func() (err error) {
			seg.Ping, err = PingBurst(w, max(sets/2, 1), cfg.Budget)
			return err
		}); err != nil {
			return c, err
		}
		if seg.SetCPU, err = w.measureCPU(func() (err error) {
			seg.Set, err = SetBurst(w, 1, sets, cfg.Budget)
			return err
		}); err != nil {
			return c, err
		}
		c = c.merge(seg)
	}
	return c, nil
}

// parseDaemons reads -compare's list: each item is name=path, or one of
// the names ours, floor and reference for the daemons the run knows,
// without a path until withPaths gives it theirs (the bare names of ours
// and floor are what -compare builds when no binary is given).
func parseDaemons(list string) ([]Daemon, error) {
	var ds []Daemon
	for _, item := range strings.Split(list, ",") {
		name, path, hasPath := strings.Cut(strings.TrimSpace(item), "=")
		known := name == "ours" || name == "floor" || name == "reference"
		if name == "" || (hasPath && path == "") || (!hasPath && !known) {
			return nil, fmt.Errorf("-compare: %q is neither name=path nor one of ours, floor, reference", item)
		}
		ds = append(ds, Daemon{Name: name, Path: path})
	}
	return ds, nil
}

// withPaths gives the daemons named bare the run's paths of them.
func withPaths(ds []Daemon, cfg Config) ([]Daemon, error) {
	known := map[string]string{"ours": cfg.Ours, "floor": cfg.Floor, "reference": cfg.Reference}
	out := slices.Clone(ds)
	for i := range out {
		if out[i].Path == "" {
			if out[i].Path = known[out[i].Name]; out[i].Path == "" {
				return nil, fmt.Errorf("-compare: no binary for %s", out[i].Name)
			}
		}
	}
	return out, nil
}

// named reports whether ds names the run's daemon name bare.
func named(ds []Daemon, name string) bool { return slices.Contains(ds, Daemon{Name: name}) }

// printComparisons writes one line per daemon and size: rates, latencies,
// and the CPU per call, in µs, during Sets and during Pings (Set/Ping) of
// the daemon, its bus, the client and the whole machine.
func printComparisons(w io.Writer, cs []Comparison) {
	fmt.Fprintf(w, "%-12s %6s %8s %8s %8s %8s %8s %8s  %-11s %-11s %-11s %-11s\n", "daemon", "tree", "Set/s", "Ping/s", "Set/Ping", "Set p50", "Set p99", "Set max",
		"daemon µs", "bus µs", "client µs", "machine µs")
	for _, c := range cs {
		pair := func(set, ping time.Duration) string {
			return fmt.Sprintf("%.0f/%.0f", perCall(set, c.Set.Calls), perCall(ping, c.Ping.Calls))
		}
		fmt.Fprintf(w, "%-12s %6s %8.0f %8.0f %8.3f %8s %8s %8s  %-11s %-11s %-11s %-11s\n", c.D.Name, sizeLabel(c.Size),
			c.Set.Rate(), c.Ping.Rate(), c.Ratio(), ms(c.Set.Lat.P50), ms(c.Set.Lat.P99), ms(c.Set.Lat.Max),
			pair(c.SetCPU.Daemon, c.PingCPU.Daemon), pair(c.SetCPU.Bus, c.PingCPU.Bus),
			pair(c.SetCPU.Client, c.PingCPU.Client), pair(c.SetCPU.Machine, c.PingCPU.Machine))
	}
}
