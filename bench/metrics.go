// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"time"
)

// A metric is one row kind of the table: how to read its value from a
// daemon's Point, how to print it, and the target of issue 6 if one applies.
type metric struct {
	name   string
	kind   valueKind
	value  func(p *Point) (v float64, limited bool)
	target func(size int, ref, ours float64, op *Point) (check, bool)
	what   string // what exactly is measured, for the report
}

// check is a target applied to one row.
type check struct {
	desc string
	pass bool
}

type valueKind int

const (
	rate valueKind = iota
	millis
	mebibytes
	fraction
	count
	kibibytes
)

const (
	k100 = 100_000
	m1   = 1_000_000
)

func dur(d time.Duration) float64 { return float64(d) / 1e6 }
func mib(kib int) float64         { return float64(kib) / 1024 }

// Targets.
func atLeastTimesRef(f float64, from int) func(int, float64, float64, *Point) (check, bool) {
	return func(size int, ref, ours float64, _ *Point) (check, bool) {
		if size < from {
			return check{}, false
		}
		return check{fmt.Sprintf("≥ %g× ref", f), ours >= f*ref}, true
	}
}

func atMostTimesRef(f float64) func(int, float64, float64, *Point) (check, bool) {
	return func(_ int, ref, ours float64, _ *Point) (check, bool) {
		desc := fmt.Sprintf("≤ %g× ref", f)
		if f == 1 {
			desc = "≤ ref"
		}
		return check{desc, ours <= f*ref}, true
	}
}

func peakTarget(size int, ref, ours float64, op *Point) (check, bool) {
	if size < m1 {
		return check{}, false
	}
	return atMostTimesRef(1)(size, ref, ours, op)
}

func below(limit float64, from int) func(int, float64, float64, *Point) (check, bool) {
	return func(size int, _, ours float64, _ *Point) (check, bool) {
		if size < from {
			return check{}, false
		}
		return check{fmt.Sprintf("< %g ms", limit), ours < limit}, true
	}
}

func withinOwnIdle(f float64) func(int, float64, float64, *Point) (check, bool) {
	return func(_ int, _, ours float64, op *Point) (check, bool) {
		idle := dur(op.ReadIdle)
		if idle <= 0 {
			return check{}, false
		}
		return check{fmt.Sprintf("≤ %g× own idle (%.2f×)", f, ours/idle), ours <= f*idle}, true
	}
}

func metrics(clients, ratioWorlds int) []metric {
	n := fmt.Sprintf("%d clients", clients)
	return []metric{
		{name: "Ping/s, 1 client", kind: rate,
			value: func(p *Point) (float64, bool) { return p.Ping.Rate(), p.Ping.Limited },
			what:  "org.freedesktop.DBus.Peer.Ping calls per second to org.gtk.vfs.Metadata, one call at a time, on the connection the Sets use: the floor set by the bus and the client. Half of the calls run just before the 1-client Set burst, half after it (and after the readers that follow and 1 s of quiet); the rate is all calls over the time of both halves."},
		{name: "Set/s, 1 client", kind: rate,
			value:  func(p *Point) (float64, bool) { return p.Set1.Rate(), p.Set1.Limited },
			target: atLeastTimesRef(5, k100),
			what:   "Set calls per second (one key, a 7-byte value, each to a new path in an existing /bench directory: a new journal entry every time), one call at a time on one connection, rotations included as they come."},
		{name: "Set/s ÷ own Ping/s", kind: fraction,
			value:  func(p *Point) (float64, bool) { return p.Ratio(), p.Set1.Limited },
			target: func(_ int, _, ours float64, _ *Point) (check, bool) { return check{"ours ≥ 0.9", ours >= 0.9}, true },
			what:   "Set/s ÷ Ping/s per daemon: how close a Set comes to a bare bus round trip. The reference's is the two rows above divided; ours is the median of that and of the same Ping, Set and Ping bursts in further fresh worlds (" + plural(max(ratioWorlds, 1), "world") + " in all), since on a shared machine one world's ratio moves by a tenth."},
		{name: "Set p50, 1 client", kind: millis,
			value: func(p *Point) (float64, bool) { return dur(p.Set1.Lat.P50), p.Set1.Limited },
			what:  "Median wall time of one Set call in the 1-client burst, from sending it to its reply, measured in the client."},
		{name: "Set p99, 1 client", kind: millis,
			value:  func(p *Point) (float64, bool) { return dur(p.Set1.Lat.P99), p.Set1.Limited },
			target: below(5, m1),
			what:   "99th percentile of the same calls."},
		{name: "Set max, 1 client", kind: millis,
			value:  func(p *Point) (float64, bool) { return dur(p.Set1.Lat.Max), p.Set1.Limited },
			target: below(50, 0),
			what:   "Slowest of the same calls: a rotation inside a call (the reference rotates in the call that finds its journal full) shows here."},
		{name: "tree rotations, 1-client burst", kind: count,
			value: func(p *Point) (float64, bool) { return float64(p.Set1.Rotations), p.Set1.Limited },
			what:  "New tree files renamed over the tree during the 1-client burst (inotify IN_MOVED_TO), i.e. journal-full rotations."},
		{name: "largest journal, 1-client burst", kind: kibibytes,
			value: func(p *Point) (float64, bool) { return float64(p.Set1.Journal) / 1024, p.Set1.Limited },
			what:  "The largest journal named by a tree renamed into place during the 1-client burst: what a reader may have to walk (the reference's is always 32 KiB). Journals are sized from the tree's own rotations: room for twice what was written while the last one ran, up to 256 KiB."},
		{name: "Set/s, " + n, kind: rate,
			value: func(p *Point) (float64, bool) { return p.SetN.Rate(), p.SetN.Limited },
			what:  fmt.Sprintf("Set calls per second with %d connections writing at once, each one call at a time (the same number of calls in all, split evenly), in a world of its own.", clients)},
		{name: "Set p99, " + n, kind: millis,
			value: func(p *Point) (float64, bool) { return dur(p.SetN.Lat.P99), p.SetN.Limited },
			what:  "99th percentile of one call's time in that burst (queueing behind the other clients included)."},
		{name: "Set max, " + n, kind: millis,
			value:  func(p *Point) (float64, bool) { return dur(p.SetN.Lat.Max), p.SetN.Limited },
			target: below(50, 0),
			what:   "Slowest call of that burst."},
		{name: "largest journal, " + n, kind: kibibytes,
			value: func(p *Point) (float64, bool) { return float64(p.SetN.Journal) / 1024, p.SetN.Limited },
			what:  "The same for the burst of " + n + "."},
		{name: "peak RSS, 1-client burst", kind: mebibytes,
			value:  func(p *Point) (float64, bool) { return mib(p.PeakSet1), p.Set1.Limited },
			target: peakTarget,
			what:   "VmHWM of the daemon read from /proc right after the 1-client burst (the process is still running, so this is exact): the peak over activation, the Ping and Set bursts and every journal-full rotation in them."},
		{name: "flush at name loss", kind: millis,
			value: func(p *Point) (float64, bool) { return dur(p.Flush.Replaced), false },
			what:  "In a fresh world: activation, 100 Sets (under half a journal, so neither daemon has rotated), 1 s quiet, then the bench's connection takes org.gtk.vfs.Metadata (RequestName, replace existing; both daemons allow it, as for --replace). Time from that request to the new tree file being renamed over the tree (inotify): the whole merge + write + fsync + rename of the tree. Afterwards the bench checks that the new tree's journal holds no entries."},
		{name: "peak RSS, flush", kind: mebibytes,
			value:  func(p *Point) (float64, bool) { return mib(p.Flush.Peak), false },
			target: peakTarget,
			what:   "The largest VmHWM of that daemon sampled every 2 ms from the name request until it exited (a high-water mark: any sample after the peak holds it): its peak over activation, 100 Sets and the flush."},
		{name: "idle RSS after start", kind: mebibytes,
			value:  func(p *Point) (float64, bool) { return mib(p.RSSStart), false },
			target: atMostTimesRef(1.5),
			what:   "VmRSS 1 s after the first Set (which activated the daemon and had it open the tree) and one gio list."},
		{name: "idle RSS after 1-client burst", kind: mebibytes,
			value:  func(p *Point) (float64, bool) { return mib(p.RSSAfterSet1), p.Set1.Limited },
			target: atMostTimesRef(1.5),
			what:   "VmRSS 1 s after the readers' runs that follow the 1-client burst."},
		{name: "idle RSS after readers' burst", kind: mebibytes,
			value:  func(p *Point) (float64, bool) { return mib(p.RSSAfterReaders), false },
			target: atMostTimesRef(1.5),
			what:   "VmRSS 1 s after the write burst that ran under the readers."},
		{name: "idle RSS after " + n, kind: mebibytes,
			value:  func(p *Point) (float64, bool) { return mib(p.RSSAfterSetN), p.SetN.Limited },
			target: atMostTimesRef(1.5),
			what:   fmt.Sprintf("VmRSS 1 s after the readers' runs that follow the %d-client burst.", clients)},
		{name: "cold start, first Set", kind: millis,
			value: func(p *Point) (float64, bool) { return dur(p.Cold), false },
			what:  "Median over fresh worlds (new bus, the tree copied in, no daemon running, client already connected) of the first Set's time from sending it to its reply: bus activation, daemon start, name request, tree open, the write."},
		{name: "gio list, right after 1-client burst", kind: millis,
			value:  func(p *Point) (float64, bool) { return dur(p.ReadAfterSet1), false },
			target: withinOwnIdle(3),
			what:   "Median wall time of `gio list -a 'metadata::*' DIR` (a new gio process each run; every run must show all files' metadata) of the 1,000-file directory whose metadata is in the tree, started as soon as the 1-client burst ended, with the journal as the burst left it. The C client walks the whole journal for every file."},
		{name: "gio list, during a burst", kind: millis,
			value:  func(p *Point) (float64, bool) { return dur(p.ReadDuring), false },
			target: withinOwnIdle(3),
			what:   "The same, while another connection writes Sets to new paths back to back (starting 200 ms before the first run)."},
		{name: "gio list, right after " + n, kind: millis,
			value:  func(p *Point) (float64, bool) { return dur(p.ReadAfterSetN), false },
			target: withinOwnIdle(3),
			what:   fmt.Sprintf("The same, right after the %d-client burst (own idle time taken from the 1-client world of the same size).", clients)},
		{name: "gio list, idle", kind: millis,
			value:  func(p *Point) (float64, bool) { return dur(p.ReadIdle), false },
			target: atMostTimesRef(1.1),
			what:   "The same once the daemon has written its journal into the tree: after the readers' burst and one more Set, the bench takes the bus name, the daemon flushes (the state its 60 s timer would reach: everything in the tree, a new empty journal) and exits; then gio lists. The two daemons' idle worlds are listed in alternation (reference, ours, reference...), so that the machine's load falls on both alike, three times as many runs as the other readings (the target is a tight ratio)."},
	}
}
