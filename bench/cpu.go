// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Where the CPU of a burst goes. A daemon's Set/Ping ratio says how much
// slower its Sets are than a bare round trip, not why: the daemon's own
// work, or work it leaves to the kernel (writeback of its files, page
// faults) that other processes pay for. Compare therefore also reads the
// CPU time of the daemon, its bus daemon and the client (this process),
// and the whole machine's busy time, around each burst.

// clockTick is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// processCPU is the user and system CPU time a process has used,
// including that of its threads that have ended.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	return parseProcessStat(b)
}

// parseProcessStat reads utime and stime from a /proc/<pid>/stat line.
func parseProcessStat(b []byte) (time.Duration, error) {
	// The command name, in parentheses, may hold spaces; the fields after
	// it are numbered from 3 (state), so utime and stime are the 12th and
	// 13th after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("unreadable /proc/<pid>/stat: %q", b)
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/<pid>/stat: %q", b)
	}
	return ticks(f[11], f[12])
}

// machineBusy is the time all CPUs together have spent on anything but
// idling or waiting for I/O since boot.
func machineBusy() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	return parseMachineStat(b)
}

// parseMachineStat reads the busy time from /proc/stat's first line.
func parseMachineStat(b []byte) (time.Duration, error) {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[0]) != "cpu" {
		return 0, fmt.Errorf("unreadable /proc/stat: %q", line)
	}
	// user nice system idle iowait irq softirq steal
	return ticks(f[1], f[2], f[3], f[6], f[7], f[8])
}

func ticks(fields ...[]byte) (time.Duration, error) {
	var sum time.Duration
	for _, v := range fields {
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return 0, err
		}
		sum += time.Duration(n) * clockTick
	}
	return sum, nil
}

// cpuUse is the CPU spent over a span by the daemon, its bus, the
// benchmark's client (this process) and the whole machine.
type cpuUse struct {
	Daemon, Bus, Client, Machine time.Duration
}

func (u cpuUse) add(o cpuUse) cpuUse {
	return cpuUse{u.Daemon + o.Daemon, u.Bus + o.Bus, u.Client + o.Client, u.Machine + o.Machine}
}

func (u cpuUse) sub(o cpuUse) cpuUse {
	return cpuUse{u.Daemon - o.Daemon, u.Bus - o.Bus, u.Client - o.Client, u.Machine - o.Machine}
}

// readCPU reads the CPU used so far by the world's daemon and bus, this
// process and the machine.
func (w *World) readCPU() (cpuUse, error) {
	var u cpuUse
	var err error
	if u.Daemon, err = processCPU(w.PID); err != nil {
		return u, err
	}
	if u.Bus, err = processCPU(w.S.BusPID()); err != nil {
		return u, err
	}
	if u.Client, err = processCPU(os.Getpid()); err != nil {
		return u, err
	}
	u.Machine, err = machineBusy()
	return u, err
}

// measureCPU runs f and returns the CPU used meanwhile.
func (w *World) measureCPU(f func() error) (cpuUse, error) {
	before, err := w.readCPU()
	if err != nil {
		return cpuUse{}, err
	}
	if err := f(); err != nil {
		return cpuUse{}, err
	}
	after, err := w.readCPU()
	return after.sub(before), err
}

// perCall is a CPU time divided over calls, in microseconds.
func perCall(d time.Duration, calls int) float64 {
	if calls == 0 {
		return 0
	}
	return float64(d.Microseconds()) / float64(calls)
}

// perCall describes u spread over calls, in µs per call.
func (u cpuUse) perCall(calls int) string {
	return fmt.Sprintf("daemon %.0f µs, bus %.0f µs, client %.0f µs, machine %.0f µs",
		perCall(u.Daemon, calls), perCall(u.Bus, calls), perCall(u.Client, calls), perCall(u.Machine, calls))
}
