// SPDX-License-Identifier: LGPL-2.0-or-later

// Command refgen writes the reference test data in testdata/: metadata trees
// and journals produced by the reference gvfsd-metadata (Debian gvfs 1.50.3),
// each with a manifest.json saying what a reader must find in them.
//
// It drives only the reference daemon, through real gio commands on a
// private session bus (and direct D-Bus calls for what gio cannot express),
// and checks every manifest against the reference C client (gio info reading
// exactly the copied bytes) before writing it: a manifest in testdata is a
// fact about the reference, never just this program's opinion.
//
// Usage (from the repository root; testdata/generate.sh does this):
//
//	go run ./tools/refgen -out testdata [-only case,case]
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"gvfs-metadata/internal/session"
)

func main() {
	out := flag.String("out", "testdata", "directory to write the case directories into")
	only := flag.String("only", "", "comma-separated case names to run (default: all)")
	flag.Parse()

	if missing := session.Missing(); len(missing) > 0 {
		fail(fmt.Errorf("missing reference tools %v (apt-get install -y dbus libglib2.0-bin gvfs gvfs-daemons gvfs-libs)", missing))
	}
	want := map[string]bool{}
	for _, name := range strings.Split(*only, ",") {
		if name != "" {
			want[name] = true
		}
	}
	g := &generator{out: *out}
	start := time.Now()
	ran := 0
	for _, c := range cases {
		if len(want) > 0 && !want[c.name] {
			continue
		}
		ran++
		t := time.Now()
		if err := c.run(g); err != nil {
			fail(fmt.Errorf("case %s: %w", c.name, err))
		}
		fmt.Fprintf(os.Stderr, "refgen: %-24s ok (%.1fs)\n", c.name, time.Since(t).Seconds())
	}
	if ran == 0 {
		fail(fmt.Errorf("no case matches -only %q", *only))
	}
	if len(want) == 0 {
		// Only a full run knows every directory that should exist.
		if err := g.removeStale(); err != nil {
			fail(err)
		}
	}
	fmt.Fprintf(os.Stderr, "refgen: %d cases, %d directories in %s (%.1fs)\n", ran, len(g.written), *out, time.Since(start).Seconds())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "refgen:", err)
	os.Exit(1)
}
