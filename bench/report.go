// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// Row is one line of the table: one metric at one tree size.
type Row struct {
	Metric, Size        string
	Ref, Ours, Ratio    string
	Target, Verdict     string
	Checked, Passed     bool
	refValue, oursValue float64
}

// Report turns results into the table, the Markdown page and the chart.
type Report struct {
	Res     *Results
	Rows    []Row
	Metrics []metric
}

// NewReport computes every row and applies the targets.
func NewReport(res *Results) *Report {
	r := &Report{Res: res, Metrics: metrics(res.Cfg.Clients, res.Cfg.RatioWorlds)}
	for _, m := range r.Metrics {
		for _, sp := range res.Sizes {
			r.Rows = append(r.Rows, row(m, sp))
		}
	}
	return r
}

func row(m metric, sp SizePoint) Row {
	ref, refLim := m.value(&sp.P[Ref])
	ours, oursLim := m.value(&sp.P[Ours])
	r := Row{Metric: m.name, Size: sizeLabel(sp.Size), Ref: formatValue(m.kind, ref, refLim), Ours: formatValue(m.kind, ours, oursLim),
		refValue: ref, oursValue: ours}
	if ref != 0 {
		r.Ratio = fmt.Sprintf("%.2f", ours/ref)
	}
	if m.target != nil {
		if c, ok := m.target(sp.Size, ref, ours, &sp.P[Ours]); ok {
			r.Target, r.Checked, r.Passed = c.desc, true, c.pass
			r.Verdict = "pass"
			if !c.pass {
				r.Verdict = "FAIL"
			}
		}
	}
	return r
}

func sizeLabel(n int) string {
	switch {
	case n >= m1 && n%m1 == 0:
		return fmt.Sprintf("%dM", n/m1)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// formatValue prints a value; a * marks a workload cut short by the time budget.
func formatValue(k valueKind, v float64, limited bool) string {
	var s string
	switch k {
	case rate:
		s = thousands(int64(v+0.5)) + "/s"
	case millis:
		switch {
		case v < 10:
			s = fmt.Sprintf("%.2f ms", v)
		case v < 100:
			s = fmt.Sprintf("%.1f ms", v)
		default:
			s = thousands(int64(v+0.5)) + " ms"
		}
	case mebibytes:
		s = fmt.Sprintf("%.1f MiB", v)
	case kibibytes:
		s = fmt.Sprintf("%.0f KiB", v)
	case fraction:
		s = fmt.Sprintf("%.2f", v)
	case count:
		s = fmt.Sprintf("%.0f", v)
	}
	if limited {
		s += "*"
	}
	return s
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Failed returns the rows whose target was missed.
func (r *Report) Failed() []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Checked && !row.Passed {
			out = append(out, row)
		}
	}
	return out
}

func (r *Report) checked() int {
	n := 0
	for _, row := range r.Rows {
		if row.Checked {
			n++
		}
	}
	return n
}

func (r *Report) mode() string {
	c := r.Res.Cfg
	mode := "full run"
	if c.QuickMode {
		mode = "quick run (-quick)"
	}
	return fmt.Sprintf("%s: %d Sets and %d Pings per size point and workload, %d clients for the concurrent one, %v budget per workload, %s for our Set/Ping, %d cold starts, %d gio list runs per reading, %d files listed",
		mode, c.Sets, c.Sets, c.Clients, c.Budget, plural(max(c.RatioWorlds, 1), "world"), c.ColdReps, c.Reads, c.Files)
}

// Text is the table for a terminal.
func (r *Report) Text() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tsize\treference\tours\tours/ref\ttarget\t")
	last := ""
	for _, row := range r.Rows {
		if row.Metric != last && last != "" {
			fmt.Fprintln(tw, "\t\t\t\t\t\t")
		}
		last = row.Metric
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", row.Metric, row.Size, row.Ref, row.Ours, row.Ratio, row.Target, row.Verdict)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\ncold start, first Ping (activation alone): reference %s, ours %s\n",
		formatValue(millis, dur(r.Res.ColdPing[Ref]), false), formatValue(millis, dur(r.Res.ColdPing[Ours]), false))
	if f := r.Res.Floor; f != nil {
		fmt.Fprintf(&b, "floor (a daemon that stores nothing): Set/s ÷ Ping/s %.2f (%s; in the first, Set %s, Ping %s)\n",
			f.Ratio(), f.worlds(), formatValue(rate, f.Set1.Rate(), false), formatValue(rate, f.Ping.Rate(), false))
	}
	fmt.Fprintf(&b, "targets: %d of %d pass", r.checked()-len(r.Failed()), r.checked())
	fmt.Fprintf(&b, "; * = stopped by the %v time budget\n%s; took %v\n", r.Res.Cfg.Budget, r.mode(), r.Res.Took.Round(time.Second))
	return b.String()
}

// Markdown is the results page.
func (r *Report) Markdown() string {
	res := r.Res
	var b strings.Builder
	fmt.Fprintf(&b, "# gvfsd-metadata: ours against the reference\n\n")
	fmt.Fprintf(&b, "Written by `scripts/bench` (`go run ./bench`) on %s; it took %v. This was a %s.\n\n",
		res.Start.Format("2006-01-02 15:04 MST"), res.Took.Round(time.Second), r.mode())
	fmt.Fprintf(&b, "Every workload at every size ran in a fresh private session bus and data directory per daemon, the reference's first, then ours, "+
		"both starting from a copy of the same generated tree (N entries under `/bench`, 100 per directory, one key each, plus the %d files of the listed directory). "+
		"All numbers come from this one run on this machine, which is shared: expect several percent of noise on rates and more on latency tails.\n\n", res.Cfg.Files)
	for _, h := range res.Host {
		fmt.Fprintf(&b, "- %s\n", h)
	}
	fmt.Fprintf(&b, "\n![Set and Ping throughput against tree size, both daemons](throughput.svg)\n\n")

	failed := r.Failed()
	fmt.Fprintf(&b, "## Targets\n\n%d of %d checks pass.", r.checked()-len(failed), r.checked())
	largest := 0
	for _, sp := range res.Sizes {
		largest = max(largest, sp.Size)
	}
	if largest < m1 {
		fmt.Fprintf(&b, " Some targets apply only from 100k or 1M entries on; this run's largest tree had %s.", sizeLabel(largest))
	}
	fmt.Fprintln(&b)
	if len(failed) > 0 {
		fmt.Fprintf(&b, "\nMissed:\n\n")
		for _, f := range failed {
			fmt.Fprintf(&b, "- %s at %s: ours %s, reference %s (target %s)\n", f.Metric, f.Size, f.Ours, f.Ref, f.Target)
		}
	}

	if f := res.Floor; f != nil {
		fmt.Fprintf(&b, "\nThe floor: a daemon that answers every Set at once and stores nothing (`bench/floord`, still sending the AttributeChanged signal the protocol asks for, its collector paced as ours) "+
			"measured Set/s ÷ Ping/s = **%.2f** (%s; in the first, Set %s, Ping %s; its worlds held the %s-entry tree) in this run. That is what the bus, the client, the daemon's D-Bus code (package bus, which the client uses too) and the signal cost on their own; "+
			"a daemon that does real work can only add to it. On a shared machine the floor itself moves by several hundredths from run to run.\n",
			f.Ratio(), f.worlds(), formatValue(rate, f.Set1.Rate(), false), formatValue(rate, f.Ping.Rate(), false), sizeLabel(res.Sizes[0].Size))
	}

	fmt.Fprintf(&b, "\n## Results\n\n| metric | tree size | reference | ours | ours / ref | target | |\n|---|---:|---:|---:|---:|---|---|\n")
	for _, row := range r.Rows {
		verdict := row.Verdict
		if verdict == "FAIL" {
			verdict = "**FAIL**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", row.Metric, row.Size, row.Ref, row.Ours, row.Ratio, row.Target, verdict)
	}
	fmt.Fprintf(&b, "| cold start, first Ping | – | %s | %s | %s | | |\n",
		formatValue(millis, dur(res.ColdPing[Ref]), false), formatValue(millis, dur(res.ColdPing[Ours]), false), ratio(res.ColdPing[Ours], res.ColdPing[Ref]))
	fmt.Fprintf(&b, "\n`*`: the workload hit its %v time budget before its %d calls; the value is over the calls done.\n", res.Cfg.Budget, res.Cfg.Sets)

	var left []string
	for _, sp := range res.Sizes {
		for side, d := range res.Daemons {
			for _, f := range []Flush{sp.P[side].Flush, sp.P[side].IdleFlush} {
				if f.Left > 0 {
					left = append(left, fmt.Sprintf("%s at %s: %d", d.Name, sizeLabel(sp.Size), f.Left))
				}
			}
		}
	}
	if len(left) == 0 {
		fmt.Fprintf(&b, "\nAfter every flush at name loss the journal of the new tree held 0 entries (checked).\n")
	} else {
		fmt.Fprintf(&b, "\nEntries left in the new journal after a flush at name loss: %s.\n", strings.Join(left, "; "))
	}

	fmt.Fprintf(&b, "\n## Slowest calls\n\nThe five slowest Sets of each burst, slowest first (ms), and the rotations during it.\n\n")
	fmt.Fprintf(&b, "| tree size | daemon | 1 client | rotations | %d clients | rotations |\n|---:|---|---|---:|---|---:|\n", res.Cfg.Clients)
	for _, sp := range res.Sizes {
		for side, d := range res.Daemons {
			p := sp.P[side]
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %d |\n", sizeLabel(sp.Size), d.Name, msList(p.Set1.Worst), p.Set1.Rotations, msList(p.SetN.Worst), p.SetN.Rotations)
		}
	}

	fmt.Fprintf(&b, "\n## What each row measures\n\n")
	for _, m := range r.Metrics {
		fmt.Fprintf(&b, "- **%s**: %s\n", m.name, m.what)
	}
	fmt.Fprintf(&b, "- **cold start, first Ping**: as the cold start, with a Peer.Ping as the first call (activation alone, no tree opened), in worlds of the first tree size.\n")
	fmt.Fprintf(&b, "\nRSS figures are the kernel's VmRSS / VmHWM of the daemon process, which count the pages of the memory-mapped tree it touched as well as its heap. "+
		"Latencies are measured in the Go client (package bus, the daemon's own D-Bus code) around each call. "+
		"The chart's x axis is the tree size on a log scale (0 drawn one decade left of the smallest non-zero size); its y axis is calls per second on a log scale.\n")
	return b.String()
}

func ratio(ours, ref time.Duration) string {
	if ref == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f", float64(ours)/float64(ref))
}

func msList(d []time.Duration) string {
	s := make([]string, len(d))
	for i, v := range d {
		s[i] = fmt.Sprintf("%.1f", dur(v))
	}
	return strings.Join(s, ", ")
}

// Write writes results.md, throughput.svg and the raw numbers,
// results.json, into dir.
func (r *Report) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.md"), []byte(r.Markdown()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "throughput.svg"), []byte(Chart(r.Res)), 0o644); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(r.Res, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "results.json"), append(raw, '\n'), 0o644)
}

// LoadResults reads the results.json that Write wrote, to render the
// report again without running anything.
func LoadResults(path string) (*Results, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var res Results
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &res, nil
}

// worlds says over how many worlds the floor's ratio is a median, and
// what each measured.
func (f *FloorPoint) worlds() string {
	all := ratios(f.Set1, f.Ping, f.MoreRatios)
	if len(all) == 1 {
		return "one world"
	}
	each := make([]string, len(all))
	for i, r := range all {
		each[i] = fmt.Sprintf("%.2f", r)
	}
	return fmt.Sprintf("median of %d worlds: %s", len(all), strings.Join(each, ", "))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
