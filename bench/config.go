// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Config says what to run and how much of it.
type Config struct {
	Ours      string // our daemon's executable
	Reference string // the reference daemon's executable
	// Floor is the floor daemon's executable (bench/floord): it
	// answers Set without storing anything; empty skips its measurement.
	Floor    string
	Sizes    []int // entries pre-populated in the tree, one size point each
	Sets     int   // Set calls per size point and workload (and as many Pings)
	Clients  int   // clients of the concurrent Set workload
	Budget   time.Duration
	ColdReps int // cold starts per size and daemon
	// RatioWorlds is how many worlds measure our daemon's (and the floor's)
	// Set/s ÷ Ping/s at each size, the median of which meets the target:
	// the main world and RatioWorlds-1 fresh ones with the same Ping, Set,
	// Ping sequence. On a shared machine one world's ratio moves by a tenth
	// (the floor's, in five full runs of one day: 0.75-0.96).
	RatioWorlds int
	Reads       int           // gio list runs per reader measurement
	Files       int           // files in the directory gio lists
	Flushed     int           // Sets written before the isolated flush
	Settle      time.Duration // quiet time before reading idle RSS
	WorkDir     string
	// CPUProfile, when set, is a directory where our daemon writes a CPU
	// profile of its 1-client world at each size (ours-SIZE.pprof).
	CPUProfile string
	QuickMode  bool
	Log        io.Writer `json:"-"`
}

// DefaultConfig is the full run of issue 6.
func DefaultConfig() Config {
	return Config{
		Reference:   "/usr/libexec/gvfsd-metadata",
		Sizes:       []int{0, 10_000, 100_000, 1_000_000},
		Sets:        20_000,
		Clients:     8,
		Budget:      60 * time.Second,
		ColdReps:    5,
		RatioWorlds: 5,
		Reads:       15,
		Files:       1000,
		Flushed:     100,
		Settle:      time.Second,
		Log:         io.Discard,
	}
}

// Quick is a run of a minute or two: the small trees and fewer calls.
func (c Config) Quick() Config {
	c.QuickMode = true
	c.Sizes = []int{0, 10_000}
	c.Sets = 5000
	c.Budget = 20 * time.Second
	c.ColdReps = 3
	c.Reads = 9
	return c
}

// IdleReads is how many gio list runs of each idle world the idle
// comparison alternates. Its target is a tight ratio (1.1×) between two
// runs of about 13 ms, mostly process start-up, on a shared machine. With
// the median of Reads runs each, two full runs in a row each missed it at
// one size (1.14× at 0, then 1.15× at 1M) while their other sizes measured
// 0.92-1.07×, the size missed in one passing in the other. Three times as
// many runs cost a few seconds.
func (c Config) IdleReads() int { return 3 * c.Reads }

func (c Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, "bench: "+format+"\n", args...)
	}
}

// BuildOurs builds this project's daemon, without the race detector, into
// dir and returns its path. It must run inside the module.
func BuildOurs(dir string) (string, error) {
	return build(dir, "gvfs-metadata/gvfsd-metadata", "gvfsd-metadata")
}

// BuildFloor builds the floor daemon into dir and returns its path.
func BuildFloor(dir string) (string, error) {
	return build(dir, "gvfs-metadata/bench/floord", "floord")
}

func build(dir, pkg, name string) (string, error) {
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building %s: %w", name, err)
	}
	return bin, nil
}
