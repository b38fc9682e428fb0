// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"os"
	"testing"
	"time"
)

func TestParseProcessStatSkipsACommandNameWithSpacesAndParentheses(t *testing.T) {
	// Fields as proc(5) lists them: pid (comm) state ppid pgrp session
	// tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
	line := []byte("4242 (gvfsd (meta) x) S 1 4242 4242 0 -1 4194560 120 0 3 0 250 75 0 0 20 0 4 0\n")
	got, err := parseProcessStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if want := 325 * clockTick; got != want {
		t.Errorf("CPU %v, want %v (250 + 75 ticks)", got, want)
	}
	for _, bad := range []string{"", "4242 gvfsd S 1", "4242 (gvfsd) S 1 2 3"} {
		if _, err := parseProcessStat([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseMachineStatCountsAllButIdleAndIOWait(t *testing.T) {
	//                 user nice system idle iowait irq softirq steal guest guest_nice
	stat := []byte("cpu  100 20 30 5000 400 5 6 7 0 0\ncpu0 50 10 15 2500 200 2 3 3 0 0\n")
	got, err := parseMachineStat(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := (100 + 20 + 30 + 5 + 6 + 7) * clockTick; got != want {
		t.Errorf("busy %v, want %v", got, want)
	}
	if _, err := parseMachineStat([]byte("intr 1 2 3\n")); err == nil {
		t.Error("a file without the cpu line: no error")
	}
}

func TestProcessCPUGrowsWithWork(t *testing.T) {
	before, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Spin until the kernel has charged this process at least two ticks.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		now, err := processCPU(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if now-before >= 2*clockTick {
			return
		}
	}
	t.Fatal("10 s of spinning did not show in /proc/self/stat")
}
