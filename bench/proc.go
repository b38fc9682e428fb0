// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// status reads one "kB" field of /proc/<pid>/status (VmRSS, VmHWM...).
func status(pid int, field string) (int, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte(field+":")); ok {
			rest = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte("kB")))
			return strconv.Atoi(string(rest))
		}
	}
	return 0, fmt.Errorf("pid %d: no %s in /proc status (exited?)", pid, field)
}

// IdleRSS waits for settle and returns the daemon's resident set, in KiB.
func (w *World) IdleRSS(settle time.Duration) (int, error) {
	time.Sleep(settle)
	return status(w.PID, "VmRSS")
}

// PeakRSS is the daemon's high-water resident set so far, in KiB.
func (w *World) PeakRSS() (int, error) { return status(w.PID, "VmHWM") }

// hwmSampler reads a process's VmHWM every few milliseconds until it
// exits, for processes that are about to exit: the last sample taken
// after the peak is the peak.
type hwmSampler struct {
	stop chan struct{}
	done chan int
}

func sampleHWM(pid int, every time.Duration) *hwmSampler {
	h := &hwmSampler{stop: make(chan struct{}), done: make(chan int, 1)}
	go func() {
		peak := 0
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if kb, err := status(pid, "VmHWM"); err == nil {
				peak = max(peak, kb)
			}
			select {
			case <-h.stop:
				h.done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// Peak stops sampling and returns the largest VmHWM seen, in KiB.
func (h *hwmSampler) Peak() int {
	close(h.stop)
	return <-h.done
}
