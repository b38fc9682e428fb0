// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"maps"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestParseArgsLikeGLib(t *testing.T) {
	o, err := parseArgs([]string{"-r", "--idle-exit=90s"})
	if err != nil || !o.replace || o.idleExit != 90*time.Second {
		t.Fatalf("%+v %v", o, err)
	}
	o, err = parseArgs([]string{"--replace", "--idle-exit", "2m"})
	if err != nil || !o.replace || o.idleExit != 2*time.Minute {
		t.Fatalf("%+v %v", o, err)
	}
	if o.closeTrees != defaultCloseTrees {
		t.Errorf("trees close after %v by default, want %v", o.closeTrees, defaultCloseTrees)
	}
	o, err = parseArgs([]string{"--close-trees=0", "--close-trees", "5s"})
	if err != nil || o.closeTrees != 5*time.Second {
		t.Fatalf("%+v %v", o, err)
	}
	if _, err := parseArgs([]string{"--close-trees=-1s"}); err == nil || err.Error() != "Cannot parse duration value “-1s” for --close-trees" {
		t.Errorf("--close-trees=-1s: %v", err)
	}
	if _, err := parseArgs([]string{"--close-trees"}); err == nil || err.Error() != "Missing argument for --close-trees" {
		t.Errorf("--close-trees alone: %v", err)
	}
	for _, bad := range [][]string{{"--bogus"}, {"--idle-exit"}, {"--idle-exit=soon"}, {"-x"}} {
		if _, err := parseArgs(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if _, err := parseArgs([]string{"--bogus"}); err.Error() != "Unknown option --bogus" {
		t.Errorf("message %q", err)
	}
	if _, err := parseArgs([]string{"-rx"}); err == nil || err.Error() != "Unknown option -rx" {
		t.Errorf("-rx: %v, want the reference's \"Unknown option -rx\"", err)
	}
}

// GOption leaves arguments that are not options to the program, and the
// reference ignores them: a service file whose Exec= line ends in a space
// passes an empty one. Short options may be grouped; "--" ends options.
func TestArgumentsThatAreNotOptionsAreIgnored(t *testing.T) {
	for _, args := range [][]string{{""}, {"foo"}, {"-"}, {"-r", ""}, {"--", "--bogus"}, {"-rh"}} {
		o, err := parseArgs(args)
		if err != nil {
			t.Errorf("%q: %v", args, err)
		}
		if (args[0] == "-r" || args[0] == "-rh") != o.replace || (args[0] == "-rh") != o.help {
			t.Errorf("%q: %+v", args, o)
		}
	}
}

// TestManualPageListsEveryOption holds gvfsd-metadata(8) to --help: each
// option the help shows is described in the page, and the page describes
// no other.
func TestManualPageListsEveryOption(t *testing.T) {
	page, err := os.ReadFile("../data/gvfsd-metadata.8.in")
	if err != nil {
		t.Fatal(err)
	}
	option := regexp.MustCompile(`--[a-z][a-z-]*`)
	inHelp := map[string]bool{}
	for _, o := range option.FindAllString(helpText, -1) {
		inHelp[o] = true
	}
	inPage := map[string]bool{}
	for _, o := range option.FindAllString(strings.ReplaceAll(string(page), `\-`, "-"), -1) {
		inPage[o] = true
	}
	if len(inHelp) < 5 || !maps.Equal(inHelp, inPage) {
		t.Errorf("options in --help %v, in the manual page %v", inHelp, inPage)
	}
}
