// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the whole run to the file named by
// GVFSD_METADATA_CPUPROFILE, for looking at where a workload's time goes
// (go tool pprof). It returns the function that stops it.
func startProfile() func() {
	path := os.Getenv("GVFSD_METADATA_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
