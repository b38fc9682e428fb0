// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"os"
	"testing"

	"gvfs-metadata/internal/testenv"
)

// ourDaemon is this project's gvfsd-metadata, built once for the tests
// with the race detector; ourDaemonPlain without it, for measuring memory.
var ourDaemon, ourDaemonPlain string

func TestMain(m *testing.M) {
	for _, b := range []struct {
		bin   *string
		build testenv.Build
	}{{&ourDaemon, testenv.Race}, {&ourDaemonPlain, testenv.Plain}} {
		bin, err := testenv.BuildDaemon(b.build)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		*b.bin = bin
	}
	os.Exit(testenv.Run(m))
}
