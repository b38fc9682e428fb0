// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gvfs-metadata/internal/gioinfo"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
	"gvfs-metadata/store"
)

// expectation is what gio must print for each file, by tree path.
type expectation map[string]gioinfo.Metadata

func (e expectation) set(path, key, value string) {
	if e[path] == nil {
		e[path] = gioinfo.Metadata{}
	}
	e[path][key] = value
}

// checkClientSees runs gio info on every expected file and compares.
func checkClientSees(t *testing.T, s *session.Session, stage string, want expectation) {
	t.Helper()
	var paths []string
	for p := range want {
		paths = append(paths, p)
	}
	files := make([]string, len(paths))
	for i, p := range paths {
		files[i] = filepath.Join(s.Home, p)
	}
	got, err := gioinfo.Query(s, files...)
	if err != nil {
		t.Fatalf("%s: %v", stage, err)
	}
	for i, p := range paths {
		if !maps.Equal(got[i], want[p]) {
			t.Errorf("%s: gio info %q shows %v, want %v", stage, p, got[i], want[p])
		}
	}
}

func TestClientReadsFilesTheStoreWrote(t *testing.T) {
	testenv.RequireSession(t)
	s, err := session.Start(session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	names := []string{"a.txt", "dir/b.txt", "dir/sub/c.txt", "spaced name.txt", "caf\xe9 \xff.txt", "moved-from/x", "gone/y", "big.txt"}
	for _, n := range names {
		p := filepath.Join(s.Home, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Journals four times the usual size: the C reader must accept any size
	// its header states (this store makes larger ones during write bursts).
	st, err := store.Open(filepath.Join(s.DataHome, "gvfs-metadata", "home"), store.Options{JournalSize: 4 * store.SteadyJournalSize})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	want := expectation{}
	must(st.Set("/", "home-key", "home value"))
	want.set("/", "home-key", "home value")
	must(st.Set("/a.txt", "annotation", "note é ü"))
	want.set("/a.txt", "annotation", "note é ü")
	must(st.SetList("/a.txt", "emblems", []string{"important", "new", "x y"}))
	want.set("/a.txt", "emblems", "[important, new, x y]")
	must(st.SetList("/dir/b.txt", "empty", []string{}))
	want.set("/dir/b.txt", "empty", "[]")
	many := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}
	must(st.SetList("/dir/sub/c.txt", "many", many))
	want.set("/dir/sub/c.txt", "many", gioinfo.FormatList(many))
	must(st.Set("/spaced name.txt", "k", "v"))
	want.set("/spaced name.txt", "k", "v")
	must(st.Set("/caf\xe9 \xff.txt", "k", "non-utf8 name"))
	want.set("/caf\xe9 \xff.txt", "k", "non-utf8 name")
	must(st.Set("/dir/b.txt", "gone-soon", "x"))
	must(st.Unset("/dir/b.txt", "gone-soon"))
	must(st.Set("/moved-from/x", "k", "moved"))
	must(st.Move("/moved-from", "/moved-to"))
	want["/moved-from/x"] = gioinfo.Metadata{}
	must(st.Set("/gone/y", "k", "v"))
	must(st.Remove("/gone"))
	want["/gone/y"] = gioinfo.Metadata{}
	checkClientSees(t, s, "journal entries", want)

	stats, _ := st.Stats()
	if stats.JournalBytes != 4*store.SteadyJournalSize || stats.JournalEntries == 0 {
		t.Fatalf("journal: %+v", stats)
	}
	must(st.Flush())
	checkClientSees(t, s, "after rotation", want)

	// A value bigger than any journal goes straight into the tree.
	big := strings.Repeat("0123456789", 20_000)
	must(st.Set("/big.txt", "big", big))
	want.set("/big.txt", "big", big)
	checkClientSees(t, s, "large value", want)
	must(st.Flush())
	checkClientSees(t, s, "large value in the tree", want)
}
