// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gvfs-metadata/compat/resolve"
)

// options are the daemon's command line: the reference's (-r/--replace,
// --version, -h/--help) plus --idle-exit and --close-trees.
type options struct {
	replace    bool
	version    bool
	help       bool
	idleExit   time.Duration
	closeTrees time.Duration
	follow     bool // move metadata with files renamed without GIO (--no-follow: not)
	// forgetMissingAfter removes the metadata of files missing that long
	// (0: never, the reference's way).
	forgetMissingAfter time.Duration
	udevDir            string
	// forceNFS runs the NFS ways on any disk (journals in the runtime
	// directory): GVFSD_METADATA_FORCE_NFS=1, for tests.
	forceNFS bool
}

const helpText = `Usage:
  %[1]s [OPTION…]

Metadata daemon for GVFS

Help Options:
  -h, --help                Show help options

Application Options:
  -r, --replace             Replace old daemon.
  --version                 Show program version.
  --idle-exit=DURATION      Exit after DURATION without calls, once every tree is written out (e.g. 10m; default: never).
  --close-trees=DURATION    Close a tree after DURATION without writes to it, once it is written out (default: 2m; 0: never).
  --no-follow               Do not move metadata with files renamed or moved without GIO (mv, scripts).
  --forget-missing-after=DURATION  Remove the metadata of files missing for DURATION (e.g. 720h; default: never).

`

// parseArgs reads the command line with GLib's conventions, so that
// scripts written for the reference keep working.
func parseArgs(args []string) (options, error) {
	o := options{udevDir: resolve.DefaultUdevData, closeTrees: defaultCloseTrees, follow: true}
	if dir := os.Getenv("GVFSD_METADATA_UDEV_DATA"); dir != "" {
		o.udevDir = dir
	}
	o.forceNFS = os.Getenv("GVFSD_METADATA_FORCE_NFS") == "1"
	var err error
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return o, nil // GOption: the rest are not options
		case !strings.HasPrefix(a, "-") || a == "-":
			// Not an option: GOption leaves these to the program, and the
			// reference ignores them (a service file's Exec= line that
			// ends in a space passes an empty one).
		case len(a) > 2 && a[1] != '-':
			// Short options grouped, as in -rh.
			for _, c := range a[1:] {
				switch c {
				case 'r':
					o.replace = true
				case 'h', '?':
					o.help = true
				default:
					return o, optionError("Unknown option " + a)
				}
			}
		case a == "-r" || a == "--replace":
			o.replace = true
		case a == "--version":
			o.version = true
		case a == "--no-follow":
			o.follow = false
		case a == "-h" || a == "--help" || a == "-?" || a == "--help-all":
			o.help = true
		case a == "--idle-exit" || strings.HasPrefix(a, "--idle-exit="):
			if i, err = durationOption(args, i, &o.idleExit); err != nil {
				return o, err
			}
		case a == "--forget-missing-after" || strings.HasPrefix(a, "--forget-missing-after="):
			if i, err = durationOption(args, i, &o.forgetMissingAfter); err != nil {
				return o, err
			}
		case a == "--close-trees" || strings.HasPrefix(a, "--close-trees="):
			if i, err = durationOption(args, i, &o.closeTrees); err != nil {
				return o, err
			}
		default:
			return o, optionError("Unknown option " + a)
		}
	}
	return o, nil
}

// durationOption reads the duration of the long option at args[i], given
// as --name=VALUE or --name VALUE, into d, and returns the index of the
// last argument it used.
func durationOption(args []string, i int, d *time.Duration) (int, error) {
	name, value, joined := strings.Cut(args[i], "=")
	if !joined {
		if i+1 >= len(args) {
			return i, optionError("Missing argument for " + name)
		}
		i++
		value = args[i]
	}
	v, err := time.ParseDuration(value)
	if err != nil || v < 0 {
		return i, optionError(fmt.Sprintf("Cannot parse duration value “%s” for %s", value, name))
	}
	*d = v
	return i, nil
}

// optionError is a command-line error, worded (and capitalised) as GLib
// words them, since it is printed after the program's name.
type optionError string

func (e optionError) Error() string { return string(e) }

func printHelp(w io.Writer) {
	fmt.Fprintf(w, helpText, filepath.Base(os.Args[0]))
}
