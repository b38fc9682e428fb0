// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
)

// The same workloads as the driver, as go test benchmarks: each
// sub-benchmark is one daemon at one tree size, in a fresh world, b.N
// calls. Our daemon is built once (without the race detector) unless
// GVFS_BENCH_OURS names a binary. For the side-by-side table with the
// targets, run scripts/bench instead.
//
//	go test -run '^$' -bench 'Set/tree=10k' ./bench

var (
	workDir   string
	oursOnce  sync.Once
	oursBin   string
	oursErr   error
	tmplMu    sync.Mutex
	templates = map[int]*Template{}
)

var benchSizes = []int{0, 10_000, 100_000, 1_000_000}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gvfs-bench-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := testenv.Run(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// daemons returns the reference and ours, building ours on first use.
func daemons(b *testing.B) []Daemon {
	b.Helper()
	testenv.RequireSession(b)
	oursOnce.Do(func() {
		if oursBin = os.Getenv("GVFS_BENCH_OURS"); oursBin == "" {
			oursBin, oursErr = testenv.BuildDaemon(testenv.Plain)
		}
	})
	if oursErr != nil {
		b.Fatal(oursErr)
	}
	return []Daemon{{"reference", session.ReferenceDaemon}, {"ours", oursBin}}
}

func template(b *testing.B, size int) *Template {
	b.Helper()
	tmplMu.Lock()
	defer tmplMu.Unlock()
	if t, ok := templates[size]; ok {
		return t
	}
	t, err := NewTemplate(workDir, size, DefaultConfig().Files)
	if err != nil {
		b.Fatal(err)
	}
	templates[size] = t
	return t
}

// activeWorld is a world whose daemon has answered its first Set.
func activeWorld(b *testing.B, d Daemon, size int, files bool) *World {
	b.Helper()
	w, err := NewWorld(d, template(b, size), files)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Close)
	if _, err := w.Activate(); err != nil {
		b.Fatal(err)
	}
	return w
}

func reportBurst(b *testing.B, bu Burst) {
	b.ReportMetric(bu.Rate(), "calls/s")
	b.ReportMetric(dur(bu.Lat.P50), "p50-ms")
	b.ReportMetric(dur(bu.Lat.P99), "p99-ms")
	b.ReportMetric(dur(bu.Lat.Max), "max-ms")
}

// forEach runs fn as a sub-benchmark per tree size and daemon.
func forEach(b *testing.B, sizes []int, fn func(b *testing.B, d Daemon, size int)) {
	ds := daemons(b)
	for _, size := range sizes {
		for _, d := range ds {
			b.Run(fmt.Sprintf("tree=%s/%s", sizeLabel(size), d.Name), func(b *testing.B) { fn(b, d, size) })
		}
	}
}

// BenchmarkPing: Peer.Ping to each daemon, one call at a time, the floor
// under every Set.
func BenchmarkPing(b *testing.B) {
	forEach(b, []int{0}, func(b *testing.B, d Daemon, size int) {
		w := activeWorld(b, d, size, false)
		b.ResetTimer()
		bu, err := PingBurst(w, b.N, 0)
		if err != nil {
			b.Fatal(err)
		}
		reportBurst(b, bu)
	})
}

// BenchmarkSet: Sets to new paths from one client, rotations included.
func BenchmarkSet(b *testing.B) {
	forEach(b, benchSizes, func(b *testing.B, d Daemon, size int) {
		w := activeWorld(b, d, size, false)
		b.ResetTimer()
		bu, err := SetBurst(w, 1, b.N, 0)
		if err != nil {
			b.Fatal(err)
		}
		reportBurst(b, bu)
		b.ReportMetric(float64(bu.Rotations), "rotations")
	})
}

// BenchmarkSetConcurrent: the same from 8 clients at once.
func BenchmarkSetConcurrent(b *testing.B) {
	forEach(b, benchSizes, func(b *testing.B, d Daemon, size int) {
		w := activeWorld(b, d, size, false)
		b.ResetTimer()
		bu, err := SetBurst(w, DefaultConfig().Clients, b.N, 0)
		if err != nil {
			b.Fatal(err)
		}
		reportBurst(b, bu)
	})
}

// BenchmarkColdStart: a fresh bus, then the first Set, which activates
// the daemon and has it open the tree; one op is that first call.
func BenchmarkColdStart(b *testing.B) {
	forEach(b, benchSizes, func(b *testing.B, d Daemon, size int) {
		t := template(b, size)
		var total time.Duration
		b.ResetTimer()
		b.StopTimer()
		for range b.N {
			took, err := ColdStart(d, t, false)
			if err != nil {
				b.Fatal(err)
			}
			total += took
		}
		b.ReportMetric(dur(total)/float64(b.N), "ms/first-call")
		b.ReportMetric(0, "ns/op") // the world's setup is not part of it
	})
}

// BenchmarkFlush: 100 Sets, then the flush at name loss; one op is the
// time until the new tree is in place. Reports the sampled peak RSS.
func BenchmarkFlush(b *testing.B) {
	cfg := DefaultConfig()
	forEach(b, benchSizes, func(b *testing.B, d Daemon, size int) {
		var total time.Duration
		peak := 0
		b.StopTimer()
		for range b.N {
			w, err := NewWorld(d, template(b, size), false)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := w.Activate(); err != nil {
				w.Close()
				b.Fatal(err)
			}
			for range cfg.Flushed - 1 {
				if err := w.Set(w.Conn(), w.NewPath("f")); err != nil {
					w.Close()
					b.Fatal(err)
				}
			}
			f, err := w.FlushByNameLoss()
			w.Close()
			if err != nil {
				b.Fatal(err)
			}
			total += f.Replaced
			peak = max(peak, f.Peak)
		}
		b.ReportMetric(dur(total)/float64(b.N), "ms/flush")
		b.ReportMetric(mib(peak), "peak-MiB")
		b.ReportMetric(0, "ns/op")
	})
}

// BenchmarkReaders: gio list -a metadata::* of the 1,000-file directory,
// one op per run, right after a burst of 2,000 Sets ("burst") and once the
// daemon has flushed its journal ("idle").
func BenchmarkReaders(b *testing.B) {
	for _, state := range []string{"burst", "idle"} {
		b.Run(state, func(b *testing.B) {
			forEach(b, benchSizes, func(b *testing.B, d Daemon, size int) {
				w := activeWorld(b, d, size, true)
				if _, err := SetBurst(w, 1, 2000, 0); err != nil {
					b.Fatal(err)
				}
				if state == "idle" {
					if _, err := w.FlushByNameLoss(); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := w.gioList(); err != nil { // starts gvfsd on this bus
					b.Fatal(err)
				}
				b.ResetTimer()
				for range b.N {
					if _, err := w.gioList(); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
