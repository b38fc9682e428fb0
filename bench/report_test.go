// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	l := summarise(d)
	if l.P50 != 50*time.Millisecond || l.P99 != 99*time.Millisecond || l.Max != 100*time.Millisecond || l.Over50ms != 50 {
		t.Errorf("got %+v, want p50 50ms, p99 99ms, max 100ms, 50 over 50 ms", l)
	}
	if one := summarise([]time.Duration{7}); one.P50 != 7 || one.P99 != 7 || one.Max != 7 {
		t.Errorf("one call: got %+v", one)
	}
}

// rowOf finds the row of a metric at a size label.
func rowOf(t *testing.T, r *Report, metric, size string) Row {
	t.Helper()
	for _, row := range r.Rows {
		if row.Metric == metric && row.Size == size {
			return row
		}
	}
	t.Fatalf("no row %q at %s", metric, size)
	return Row{}
}

func TestTargetsApplyAtTheirSizesAgainstTheirBaselines(t *testing.T) {
	burst := func(calls int, want int, elapsed time.Duration, p99 time.Duration) Burst {
		return Burst{Want: want, Calls: calls, Elapsed: elapsed, Limited: calls < want, Lat: Latency{P50: p99 / 2, P99: p99, Max: p99}}
	}
	point := func(sets Burst, ping Burst, idle, during time.Duration, peak int) Point {
		return Point{Set1: sets, SetN: sets, Ping: ping, ReadIdle: idle, ReadDuring: during, ReadAfterSet1: idle, ReadAfterSetN: idle, PeakSet1: peak, Flush: Flush{Peak: peak}}
	}
	res := &Results{Cfg: DefaultConfig(), Sizes: []SizePoint{
		{Size: 10_000, P: [2]Point{
			point(burst(1000, 1000, time.Second, time.Millisecond), burst(2000, 2000, time.Second, 0), 20*time.Millisecond, 20*time.Millisecond, 100),
			point(burst(1000, 1000, time.Second, time.Millisecond), burst(1000, 1000, time.Second, 0), 20*time.Millisecond, 61*time.Millisecond, 100),
		}},
		{Size: 1_000_000, P: [2]Point{
			point(burst(100, 1000, time.Second, 40*time.Millisecond), burst(2000, 2000, time.Second, 0), 20*time.Millisecond, 20*time.Millisecond, 100),
			point(burst(490, 1000, time.Second, 6*time.Millisecond), burst(1000, 1000, time.Second, 0), 30*time.Millisecond, 20*time.Millisecond, 101),
		}},
	}}
	res.Floor = &FloorPoint{Ping: burst(2000, 2000, time.Second, 0), Set1: burst(1600, 1600, time.Second, 0)}
	r := NewReport(res)

	if md := r.Markdown(); !strings.Contains(md, "Set/s ÷ Ping/s = **0.80**") {
		t.Errorf("the floor's ratio (1,600 Sets and 2,000 Pings a second) is not reported as 0.80:\n%s", md)
	}
	if row := rowOf(t, r, "Set/s, 1 client", "10k"); row.Checked {
		t.Errorf("the 5× target applies from 100k entries on, not at 10k: %+v", row)
	}
	if row := rowOf(t, r, "Set/s, 1 client", "1M"); !row.Checked || row.Passed || row.Ratio != "4.90" || !strings.HasSuffix(row.Ref, "*") {
		t.Errorf("4.9× the reference at 1M must fail the 5× target and the budget-cut values carry a *: %+v", row)
	}
	if row := rowOf(t, r, "Set/s ÷ own Ping/s", "10k"); !row.Passed || row.Ours != "1.00" {
		t.Errorf("Set at the own Ping rate must pass whatever the reference does: %+v", row)
	}
	if row := rowOf(t, r, "Set p99, 1 client", "1M"); !row.Checked || row.Passed {
		t.Errorf("6 ms p99 at 1M must fail the 5 ms target: %+v", row)
	}
	if row := rowOf(t, r, "gio list, during a burst", "10k"); !row.Checked || row.Passed {
		t.Errorf("61 ms during a burst against an own idle time of 20 ms must fail the 3× target: %+v", row)
	}
	if row := rowOf(t, r, "gio list, idle", "1M"); !row.Checked || row.Passed {
		t.Errorf("30 ms idle against the reference's 20 ms must fail the 1.1× target: %+v", row)
	}
	if row := rowOf(t, r, "peak RSS, flush", "1M"); !row.Checked || row.Passed {
		t.Errorf("a peak above the reference's at 1M must fail: %+v", row)
	}
	if row := rowOf(t, r, "peak RSS, flush", "10k"); row.Checked {
		t.Errorf("the peak RSS target is for 1M-entry trees: %+v", row)
	}
	if !strings.Contains(Chart(res), "<polyline") {
		t.Error("the chart has no lines")
	}

	dir := t.TempDir()
	if err := r.Write(dir); err != nil {
		t.Fatal(err)
	}
	again, err := LoadResults(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := NewReport(again).Markdown(), r.Markdown(); got != want {
		t.Errorf("the report rendered from results.json differs:\n%s\nwant:\n%s", got, want)
	}
}

func TestTheSetPingRatioIsTheMedianOverTheWorlds(t *testing.T) {
	second := func(calls int) Burst { return Burst{Want: calls, Calls: calls, Elapsed: time.Second} }
	// The main world: 8,500 Sets and 10,000 Pings a second, 0.85.
	p := Point{Set1: second(8500), Ping: second(10_000)}
	if got := p.Ratio(); got != 0.85 {
		t.Fatalf("one world: %v, want 0.85", got)
	}
	p.MoreRatios = []float64{0.95, 0.92}
	if got := p.Ratio(); got != 0.92 {
		t.Fatalf("worlds of 0.85, 0.95, 0.92: %v, want the median 0.92", got)
	}
	for _, m := range metrics(8, 3) {
		if m.name == "Set/s ÷ own Ping/s" {
			if v, _ := m.value(&p); v != 0.92 {
				t.Fatalf("the ratio row reads %v, want the median 0.92", v)
			}
		}
	}

	f := FloorPoint{Set1: second(7500), Ping: second(10_000), MoreRatios: []float64{0.97, 0.96}}
	if got := f.Ratio(); got != 0.96 {
		t.Errorf("floor worlds of 0.75, 0.97, 0.96: %v, want 0.96", got)
	}
	if got, want := f.worlds(), "median of 3 worlds: 0.75, 0.97, 0.96"; got != want {
		t.Errorf("floor worlds described as %q, want %q", got, want)
	}
}
