// SPDX-License-Identifier: LGPL-2.0-or-later

// Command bench runs the same workloads against the reference gvfsd-metadata
// (Debian's gvfs 1.50.3) and this project's daemon, each in its own private
// session bus with its own fresh data directory, and prints one table of
// ours / reference ratios with the targets of issue 6. It also writes the
// table as Markdown, a throughput chart as SVG and the raw numbers as JSON
// (see -out; -from renders a saved results.json again).
//
//	go build -o /tmp/gvfsd-metadata ./gvfsd-metadata
//	go run ./bench -ours /tmp/gvfsd-metadata -out docs/bench   # trees up to 1M entries, about ten minutes
//	go run ./bench -ours /tmp/gvfsd-metadata -quick            # trees of 0 and 10k entries, under a minute
//
// scripts/bench does both steps. To see whether a change moves the Set/Ping
// ratio, compare builds interleaved on the same bus setup:
//
//	go run ./bench -sizes 0 -compare old=/tmp/old-daemon,ours,floor
//
// Nothing here asserts a timing: the targets are reported, pass or fail,
// for people to read.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gvfs-metadata/internal/session"
)

func main() {
	cfg := DefaultConfig()
	quick := flag.Bool("quick", false, "quick run: trees of 0 and 10k entries, 5,000 calls per point, 3 cold starts")
	sizes := flag.String("sizes", "", "comma-separated tree sizes (entries pre-populated in the tree); default 0,10000,100000,1000000")
	flag.StringVar(&cfg.Ours, "ours", "", "our gvfsd-metadata binary; built into the work directory when empty")
	flag.StringVar(&cfg.Floor, "floor", "", "the floor daemon binary (bench/floord); built into the work directory when empty")
	flag.StringVar(&cfg.Reference, "reference", session.ReferenceDaemon, "the reference gvfsd-metadata binary")
	sets := flag.Int("sets", 0, "Set calls per size point (and as many Pings); default 20000")
	flag.IntVar(&cfg.Clients, "clients", cfg.Clients, "clients of the concurrent Set workload")
	budget := flag.Duration("budget", 0, "time budget of one workload at one size; what was done by then is reported, marked *; default 60s")
	reps := flag.Int("reps", 0, "cold starts per size and daemon (median); default 5")
	reads := flag.Int("reads", 0, "gio list runs per reader measurement (median); default 15")
	ratioWorlds := flag.Int("ratio-worlds", 0, "worlds measuring our daemon's and the floor's Set/Ping at each size (median); default 5")
	flag.StringVar(&cfg.CPUProfile, "cpuprofile", "", "directory for CPU profiles of our daemon's 1-client world at each size (ours-SIZE.pprof)")
	flag.IntVar(&cfg.Files, "files", cfg.Files, "files in the directory gio lists")
	flag.DurationVar(&cfg.Settle, "settle", cfg.Settle, "quiet time before reading idle RSS")
	out := flag.String("out", "", "directory to write results.md and throughput.svg to (e.g. docs/bench); none when empty")
	work := flag.String("workdir", "", "directory for the generated trees and worlds; a temporary one when empty")
	from := flag.String("from", "", "render the report from this results.json of an earlier run instead of running")
	compare := flag.String("compare", "", "instead of the full run, compare the Set/Ping ratio of these daemons, interleaved: a comma-separated list of name=path, ours, floor, reference")
	rounds := flag.Int("rounds", 4, "rounds of -compare (each daemon gets a fresh world per round and size)")
	flag.Parse()

	if *from != "" {
		res, err := LoadResults(*from)
		if err != nil {
			fail(err)
		}
		report(res, *out)
		return
	}

	if *quick {
		cfg = cfg.Quick()
	}
	if *sizes != "" {
		cfg.Sizes = nil
		for _, f := range strings.Split(*sizes, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 0 {
				fail(fmt.Errorf("-sizes: %q is not a tree size", f))
			}
			cfg.Sizes = append(cfg.Sizes, n)
		}
	}
	setIf(&cfg.Sets, *sets)
	setIf(&cfg.ColdReps, *reps)
	setIf(&cfg.Reads, *reads)
	setIf(&cfg.RatioWorlds, *ratioWorlds)
	if *budget > 0 {
		cfg.Budget = *budget
	}
	if missing := session.Missing(); len(missing) > 0 {
		fail(fmt.Errorf("missing %v; run scripts/setup", missing))
	}

	dir := *work
	if dir == "" {
		d, err := os.MkdirTemp("", "gvfs-bench")
		if err != nil {
			fail(err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	cfg.WorkDir = dir
	if cfg.CPUProfile != "" {
		abs, err := filepath.Abs(cfg.CPUProfile)
		if err == nil {
			err = os.MkdirAll(abs, 0o755)
		}
		if err != nil {
			fail(err)
		}
		cfg.CPUProfile = abs
	}
	var ds []Daemon
	if *compare != "" {
		var err error
		if ds, err = parseDaemons(*compare); err != nil {
			fail(err)
		}
	}
	// -compare builds only what its list names bare.
	needs := func(name string) bool { return *compare == "" || named(ds, name) }
	if cfg.Ours == "" && needs("ours") {
		bin, err := BuildOurs(filepath.Join(dir, "bin"))
		if err != nil {
			fail(err)
		}
		cfg.Ours = bin
	}
	if cfg.Floor == "" && needs("floor") {
		bin, err := BuildFloor(filepath.Join(dir, "bin"))
		if err != nil {
			fail(err)
		}
		cfg.Floor = bin
	}
	cfg.Log = os.Stderr

	if *compare != "" {
		ds, err := withPaths(ds, cfg)
		if err != nil {
			fail(err)
		}
		var all []Comparison
		for _, size := range cfg.Sizes {
			cs, err := Compare(cfg, ds, size, max(*rounds, 1))
			if err != nil {
				fail(err)
			}
			all = append(all, cs...)
		}
		printComparisons(os.Stdout, all)
		return
	}

	res, err := Run(cfg)
	if err != nil {
		os.RemoveAll(dir)
		fail(err)
	}
	report(res, *out)
}

// report prints the table and, with out, writes the files.
func report(res *Results, out string) {
	rep := NewReport(res)
	fmt.Print(rep.Text())
	if out != "" {
		if err := rep.Write(out); err != nil {
			fail(err)
		}
		fmt.Fprintf(os.Stderr, "bench: wrote results.md, throughput.svg and results.json to %s\n", out)
	}
}

func setIf(dst *int, v int) {
	if v > 0 {
		*dst = v
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

// Elapsed is a duration rounded for progress lines.
func Elapsed(since time.Time) time.Duration { return time.Since(since).Round(time.Millisecond) }
