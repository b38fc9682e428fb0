// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"strings"
	"testing"

	"gvfs-metadata/internal/testenv"
)

func TestCompareListNamesKnownDaemonsOrPaths(t *testing.T) {
	cfg := Config{Ours: "/bin/ours", Floor: "/bin/floor", Reference: "/bin/ref"}
	parsed, err := parseDaemons("old=/tmp/old, ours ,floor")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := withPaths(parsed, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []Daemon{{"old", "/tmp/old"}, {"ours", "/bin/ours"}, {"floor", "/bin/floor"}}
	if len(ds) != len(want) {
		t.Fatalf("got %v, want %v", ds, want)
	}
	for i := range want {
		if ds[i] != want[i] {
			t.Errorf("item %d: got %v, want %v", i, ds[i], want[i])
		}
	}
	for _, bad := range []string{"mine", "=/tmp/x", "old=", "ours,,floor"} {
		if _, err := parseDaemons(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := withPaths(parsed, Config{}); err == nil {
		t.Error("bare names given paths by a run that has none")
	}
}

// TestCompareBuildsOnlyTheDaemonsItNames: a list names a built-in daemon
// only by its bare name; one given a path is not built.
func TestCompareBuildsOnlyTheDaemonsItNames(t *testing.T) {
	for list, want := range map[string][2]bool{
		"ours,floor":              {true, true},
		"old=/tmp/old, ours ":     {true, false},
		"ours=/tmp/x,reference":   {false, false},
		"floor,new=/tmp/floorish": {false, true},
	} {
		ds, err := parseDaemons(list)
		if err != nil {
			t.Fatalf("%q: %v", list, err)
		}
		if got := [2]bool{named(ds, "ours"), named(ds, "floor")}; got != want {
			t.Errorf("%q: ours, floor named %v, want %v", list, got, want)
		}
	}
}

// Every round gives each daemon its own world with all its calls
// answered, and the ratio is taken over all of them.
func TestCompareInterleavesRoundsOverEveryDaemon(t *testing.T) {
	testenv.RequireSession(t)
	dir := t.TempDir()
	bin, err := BuildFloor(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.WorkDir, cfg.Sets, cfg.Files = dir, 50, 0
	ds := []Daemon{{"a", bin}, {"b", bin}}
	cs, err := Compare(cfg, ds, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("%d comparisons, want 2", len(cs))
	}
	for i, c := range cs {
		if c.D != ds[i] {
			t.Errorf("comparison %d is of %v, want %v", i, c.D, ds[i])
		}
		// 2 rounds x 5 segments x 10 Sets and 5 Pings.
		if c.Set.Calls != 100 || c.Ping.Calls != 50 {
			t.Errorf("%s: %d Sets and %d Pings answered, want 100 and 50", c.D.Name, c.Set.Calls, c.Ping.Calls)
		}
		if r := c.Ratio(); r <= 0 {
			t.Errorf("%s: ratio %v", c.D.Name, r)
		}
	}
	var out strings.Builder
	printComparisons(&out, cs)
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[1], "a ") || !strings.HasPrefix(lines[2], "b ") {
		t.Errorf("printed:\n%s", out.String())
	}
}
