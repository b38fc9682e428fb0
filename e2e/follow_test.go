// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/compat/client"
)

// A rename scenario: files get metadata through the C client (gio) or
// D-Bus calls as applications make them, something renames files, and
// `gio info` (the C client reading the files) shows where each file's
// metadata is. Every scenario runs against this daemon, this daemon with
// --no-follow and the reference daemon: the first must show want; the two
// others show what users get today, and must fail want, which proves the
// scenario needs following.
type renameScenario struct {
	name  string
	setup func(w *world, dir string)
	act   func(w *world, dir string)
	// want maps a file (relative to the scenario's directory) to the value
	// its metadata::tag must have; "" for none. Files that do not exist at
	// the end are not looked at (gio shows nothing of them).
	want map[string]string
}

// tagKey is the key every scenario sets.
const tagKey = "tag"

func (w *world) tag(rel, value string) {
	w.t.Helper()
	w.mustGio("set", "~/"+rel, "metadata::"+tagKey, value)
}

func (w *world) must(name string, args ...string) {
	w.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = w.s.Env()
	cmd.Dir = w.s.Home
	if out, err := cmd.CombinedOutput(); err != nil {
		w.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func (w *world) rename(from, to string) {
	w.t.Helper()
	if err := os.Rename(w.home(from), w.home(to)); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) write(rel, content string) {
	w.t.Helper()
	if err := os.WriteFile(w.home(rel), []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// tags reads metadata::tag of files (relative to HOME) with gio.
func (w *world) tags(rels []string) map[string]string {
	w.t.Helper()
	md := w.info(rels...)
	out := map[string]string{}
	for i, r := range rels {
		out[r] = md[i][tagKey]
	}
	return out
}

// barrier waits until this daemon has settled every rename made before
// it: it renames a file with metadata in a directory of its own and waits
// for the metadata to follow. Renames are settled in the order they were
// made, so every earlier one is settled then.
type barrier struct {
	w *world
	n int
}

func newBarrier(w *world) *barrier {
	b := &barrier{w: w}
	w.files(".barrier/b0")
	w.tag(".barrier/b0", "barrier")
	return b
}

func (b *barrier) wait() {
	b.w.t.Helper()
	from, to := fmt.Sprintf(".barrier/b%d", b.n), fmt.Sprintf(".barrier/b%d", b.n+1)
	b.n++
	b.w.rename(from, to)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b.w.tags([]string{to})[to] == "barrier" {
			return
		}
	}
	st, err := client.New(b.w.conn).Status()
	b.w.t.Fatalf("%s: the barrier's rename %s -> %s was not followed within 20 s; the daemon's status: %+v %+v %v", b.w.name, from, to, st, st.Follow, err)
}

// setMany gives many files metadata with D-Bus calls, as applications
// make them, faster than one gio process per file.
func (w *world) setMany(rels []string, value func(i int) string) {
	w.t.Helper()
	obj := w.conn.Object("org.gtk.vfs.Metadata", "/org/gtk/vfs/metadata")
	for i, r := range rels {
		err := obj.Call("org.gtk.vfs.Metadata.Set", 0, bs(w.treefile()), bs("/"+r), map[string]dbus.Variant{tagKey: dbus.MakeVariant(value(i))}).Err
		if err != nil {
			w.t.Fatal(err)
		}
	}
}

func renameScenarios() []renameScenario {
	const burst = 1000
	burstWant := map[string]string{}
	for i := 0; i < burst; i++ {
		burstWant[fmt.Sprintf("new/f%04d", i)] = fmt.Sprint(i)
		burstWant[fmt.Sprintf("old/f%04d", i)] = ""
	}
	return []renameScenario{{
		name: "mv of a file, then a new file at the old name",
		setup: func(w *world, d string) {
			w.files(d + "/Photos/a.jpg")
			w.tag(d+"/Photos/a.jpg", "A")
		},
		act: func(w *world, d string) {
			w.must("mv", d+"/Photos/a.jpg", d+"/Photos/b.jpg")
			w.settle()
			w.files(d + "/Photos/a.jpg")
		},
		want: map[string]string{"Photos/b.jpg": "A", "Photos/a.jpg": ""},
	}, {
		name: "mv of a directory",
		setup: func(w *world, d string) {
			w.files(d + "/Docs/report.odt")
			w.tag(d+"/Docs/report.odt", "R")
		},
		act:  func(w *world, d string) { w.must("mv", d+"/Docs", d+"/Papers") },
		want: map[string]string{"Papers/report.odt": "R", "Docs/report.odt": ""},
	}, {
		name: "os.rename into another watched directory",
		setup: func(w *world, d string) {
			w.files(d+"/src/x.txt", d+"/dst/y.txt")
			w.tag(d+"/src/x.txt", "X")
			w.tag(d+"/dst/y.txt", "Y")
		},
		act:  func(w *world, d string) { w.rename(d+"/src/x.txt", d+"/dst/x.txt") },
		want: map[string]string{"dst/x.txt": "X", "dst/y.txt": "Y", "src/x.txt": ""},
	}, {
		name: "git mv",
		setup: func(w *world, d string) {
			w.files(d + "/repo/notes.md")
			w.must("git", "-C", d+"/repo", "init", "-q")
			w.must("git", "-C", d+"/repo", "add", "notes.md")
			w.must("git", "-C", d+"/repo", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "notes")
			w.tag(d+"/repo/notes.md", "N")
		},
		act:  func(w *world, d string) { w.must("git", "-C", d+"/repo", "mv", "notes.md", "README.md") },
		want: map[string]string{"repo/README.md": "N", "repo/notes.md": ""},
	}, {
		name: "a far ancestor renamed",
		setup: func(w *world, d string) {
			w.files(d+"/a/b/c/d/deep.txt", d+"/a/b/side.txt")
			w.tag(d+"/a/b/c/d/deep.txt", "D")
			w.tag(d+"/a/b/side.txt", "S")
		},
		act:  func(w *world, d string) { w.must("mv", d+"/a", d+"/z") },
		want: map[string]string{"z/b/c/d/deep.txt": "D", "z/b/side.txt": "S", "a/b/c/d/deep.txt": ""},
	}, {
		name: fmt.Sprintf("%d renames in a burst", burst),
		setup: func(w *world, d string) {
			var rels []string
			for i := 0; i < burst; i++ {
				rels = append(rels, fmt.Sprintf("%s/old/f%04d", d, i))
			}
			w.files(append(rels, d+"/new/marked")...)
			w.setMany(append(rels, d+"/new/marked"), func(i int) string { return fmt.Sprint(i) })
		},
		act: func(w *world, d string) {
			for i := 0; i < burst; i++ {
				w.rename(fmt.Sprintf("%s/old/f%04d", d, i), fmt.Sprintf("%s/new/f%04d", d, i))
			}
		},
		want: burstWant,
	}, {
		name: "atomic save (gio save: a new file renamed over it), then mv",
		setup: func(w *world, d string) {
			w.files(d + "/doc.txt")
			w.tag(d+"/doc.txt", "S")
		},
		act: func(w *world, d string) {
			cmd := exec.Command("gio", "save", w.home(d+"/doc.txt"))
			cmd.Env = w.s.Env()
			cmd.Stdin = strings.NewReader("saved\n")
			if out, err := cmd.CombinedOutput(); err != nil {
				w.t.Fatalf("gio save: %v %s", err, out)
			}
			w.settle()
			w.must("mv", d+"/doc.txt", d+"/renamed.txt")
		},
		want: map[string]string{"renamed.txt": "S", "doc.txt": ""},
	}, {
		name: "backup-rename save (f -> f~, new f, rm f~), then mv",
		setup: func(w *world, d string) {
			w.files(d + "/f.c")
			w.tag(d+"/f.c", "V")
		},
		act: func(w *world, d string) {
			w.rename(d+"/f.c", d+"/f.c~")
			w.write(d+"/f.c", "edited\n")
			if err := os.Remove(w.home(d + "/f.c~")); err != nil {
				w.t.Fatal(err)
			}
			w.settle()
			w.must("mv", d+"/f.c", d+"/g.c")
		},
		want: map[string]string{"g.c": "V", "f.c": "", "f.c~": ""},
	}, {
		name: "trashed with gio, restored by a rename",
		setup: func(w *world, d string) {
			w.files(d + "/Documents/keep.odt")
			w.tag(d+"/Documents/keep.odt", "T")
		},
		act: func(w *world, d string) {
			w.mustGio("trash", "~/"+d+"/Documents/keep.odt")
			w.must("mv", ".local/share/Trash/files/keep.odt", d+"/Documents/keep.odt")
		},
		want: map[string]string{"Documents/keep.odt": "T"},
	}, {
		name: "40 gio moves back and forth, then mv",
		setup: func(w *world, d string) {
			w.files(d + "/ping")
			w.tag(d+"/ping", "P")
		},
		act: func(w *world, d string) {
			for i := 0; i < 20; i++ {
				w.mustGio("move", "~/"+d+"/ping", "~/"+d+"/pong")
				w.mustGio("move", "~/"+d+"/pong", "~/"+d+"/ping")
			}
			w.settle()
			w.must("mv", d+"/ping", d+"/done")
		},
		want: map[string]string{"done": "P", "ping": "", "pong": ""},
	}, {
		name: "mv over a file that has metadata",
		setup: func(w *world, d string) {
			w.files(d+"/new.txt", d+"/old.txt")
			w.tag(d+"/new.txt", "NEW")
			w.tag(d+"/old.txt", "OLD")
		},
		act:  func(w *world, d string) { w.must("mv", d+"/new.txt", d+"/old.txt") },
		want: map[string]string{"old.txt": "NEW", "new.txt": ""},
	}, {
		name: "out of sight and back (found again by inode)",
		setup: func(w *world, d string) {
			w.files(d+"/seen/a.txt", d+"/unwatched/")
			w.tag(d+"/seen/a.txt", "U")
		},
		act: func(w *world, d string) {
			w.must("mv", d+"/seen/a.txt", d+"/unwatched/a.txt")
			w.settle()
			w.must("mv", d+"/unwatched/a.txt", d+"/seen/b.txt")
		},
		want: map[string]string{"seen/b.txt": "U", "seen/a.txt": "", "unwatched/a.txt": ""},
	}}
}

// settle is, for this daemon with following on, a barrier; for the
// others a pause as long as the grace period, so that the scenario's
// steps are as far apart in time as a barrier puts them.
func (w *world) settle() {
	if w.barrier != nil {
		w.barrier.wait()
		return
	}
	time.Sleep(1500 * time.Millisecond)
}

// runScenarios runs every scenario in one world, each in a directory of
// its own, and returns whether each one's want held, with what was seen.
func runScenarios(t *testing.T, w *world, scenarios []renameScenario) (held []bool, seen []string) {
	for i, sc := range scenarios {
		dir := fmt.Sprintf("s%02d", i)
		sc.setup(w, dir)
		w.settle() // what setup gave metadata is watched
		sc.act(w, dir)
		w.settle()
		// gio shows the metadata of files that exist; a missing file's
		// want only documents the scenario.
		var rels []string
		for rel := range sc.want {
			if _, err := os.Lstat(w.home(dir + "/" + rel)); err == nil {
				rels = append(rels, dir+"/"+rel)
			}
		}
		got := w.tags(rels)
		ok := true
		var diffs []string
		for rel, want := range sc.want {
			g, exists := got[dir+"/"+rel]
			if exists && g != want {
				ok = false
				diffs = append(diffs, fmt.Sprintf("%s=%q", rel, g))
			}
		}
		held = append(held, ok)
		sort.Strings(diffs)
		if len(diffs) > 4 {
			diffs = append(diffs[:4], fmt.Sprintf("(%d files in all)", len(diffs)))
		}
		seen = append(seen, strings.Join(diffs, " "))
	}
	return held, seen
}

// TestMetadataFollowsFilesRenamedWithoutGIO runs the rename scenarios
// against this daemon, this daemon with --no-follow and the reference.
func TestMetadataFollowsFilesRenamedWithoutGIO(t *testing.T) {
	scenarios := renameScenarios()
	type run struct {
		name string
		held []bool
		seen []string
	}
	var runs []run
	for _, c := range []struct {
		name   string
		kind   daemonKind
		args   []string
		follow bool
	}{{"ours", ours, nil, true}, {"ours --no-follow", ours, []string{"--no-follow"}, false}, {"reference", reference, nil, false}} {
		w := newWorld(t, c.kind, c.args...)
		w.name = c.name
		if c.follow {
			w.barrier = newBarrier(w)
		}
		held, seen := runScenarios(t, w, scenarios)
		runs = append(runs, run{c.name, held, seen})
		w.close()
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-60s %-6s %-18s %s\n", "scenario", "ours", "ours --no-follow", "reference")
	for i, sc := range scenarios {
		mark := func(r run) string {
			if r.held[i] {
				return "yes"
			}
			return "no"
		}
		fmt.Fprintf(&table, "%-60s %-6s %-18s %s\n", sc.name, mark(runs[0]), mark(runs[1]), mark(runs[2]))
		if !runs[0].held[i] {
			t.Errorf("%s: with following, gio info shows %s", sc.name, runs[0].seen[i])
		}
		if runs[1].held[i] {
			t.Errorf("%s: holds with --no-follow too: the scenario does not need following", sc.name)
		}
		if runs[2].held[i] || runs[2].seen[i] != runs[1].seen[i] {
			t.Errorf("%s: the reference shows %s, this daemon with --no-follow %s", sc.name, runs[2].seen[i], runs[1].seen[i])
		}
	}
	t.Log(table.String())
}

// TestClientMoveOfAFollowedRenameKeepsMetadata: a file manager that
// renames a file and tells the daemon only after the daemon followed the
// rename sends a Move whose source has no metadata left; that Move must
// not clear the destination's (the journal's rule for such a Move).
func TestClientMoveOfAFollowedRenameKeepsMetadata(t *testing.T) {
	w := newWorld(t, ours)
	w.barrier = newBarrier(w)
	w.files("late/a.txt")
	w.tag("late/a.txt", "L")
	w.settle()
	w.rename("late/a.txt", "late/b.txt")
	w.settle()
	if err := w.call("Move", bs(w.treefile()), bs("/late/a.txt"), bs("/late/b.txt")); err != nil {
		t.Fatal(err)
	}
	if got := w.tags([]string{"late/b.txt"})["late/b.txt"]; got != "L" {
		t.Errorf("after the client's late Move, gio info shows %q on the new name, want L", got)
	}
	// A Move that is not the followed rename's still does what the
	// journal says: a source without metadata clears the destination.
	w.files("late/c.txt")
	if err := w.call("Move", bs(w.treefile()), bs("/late/c.txt"), bs("/late/b.txt")); err != nil {
		t.Fatal(err)
	}
	if got := w.tags([]string{"late/b.txt"})["late/b.txt"]; got != "" {
		t.Errorf("a client's Move from a path without metadata left %q on the destination", got)
	}
}
