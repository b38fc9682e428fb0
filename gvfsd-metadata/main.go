// SPDX-License-Identifier: LGPL-2.0-or-later

// Command gvfsd-metadata is the metadata daemon of GNOME's GVFS: it owns
// org.gtk.vfs.Metadata on the session bus and is the only writer of the
// metadata trees under ~/.local/share/gvfs-metadata, which every GIO
// application reads directly.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"gvfs-metadata/internal/version"
)

func main() {
	opts, err := parseArgs(os.Args[1:])
	prog := filepath.Base(os.Args[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "GVFS Metadata Daemon: %v\n", err)
		fmt.Fprintf(os.Stderr, "Try “%s --help” for more information.\n", prog)
		os.Exit(1)
	}
	if opts.help {
		printHelp(os.Stdout)
		return
	}
	if opts.version {
		fmt.Println("gvfs-metadata", version.String())
		return
	}
	os.Exit(run(opts))
}
