// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gvfs-metadata/compat/protocol"
	"gvfs-metadata/internal/gioinfo"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
)

// TestRefindCarriesMetadataToFilesMovedOutOfSight: a file renamed, while
// no daemon ran, into a directory no daemon watches is left unfound by
// the next daemon (status says so); refind of that directory finds it by
// its identity and its metadata follows; a look-alike elsewhere (same
// name, same content) is never taken for it.
func TestRefindCarriesMetadataToFilesMovedOutOfSight(t *testing.T) {
	s := ourSession(t)
	seen := filepath.Join(s.Home, "seen")
	touch(t, filepath.Join(seen, "a.txt"), filepath.Join(seen, "kept.txt"))
	for _, f := range []string{"a.txt", "kept.txt"} {
		if _, _, err := s.Gio("set", filepath.Join(seen, f), "metadata::note", f); err != nil {
			t.Fatal(err)
		}
	}
	st := waitStatus(t, s, func(st daemonStatus) bool { return followed(st, 2, 0) })
	// Stopped: it writes what it knows of the files out.
	pid := int(st.PID)
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := session.WaitExit(pid, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(s.Home, "archive", "2026")
	lookalike := filepath.Join(s.Home, "elsewhere", "a.txt")
	touch(t, filepath.Join(archive, "x"), lookalike)
	if err := os.Rename(filepath.Join(seen, "a.txt"), filepath.Join(archive, "a.txt")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Gio("set", filepath.Join(seen, "kept.txt"), "metadata::other", "y"); err != nil {
		t.Fatal(err) // starts the next daemon
	}
	waitStatus(t, s, func(st daemonStatus) bool { return followed(st, 2, 1) })

	code, out, errOut := inSession(t, s, "refind", filepath.Join(s.Home, "elsewhere"))
	if code != exitOK || !strings.HasPrefix(out, "0 found again") {
		t.Fatalf("refind of the look-alike's directory: exit %d, %q %q", code, out, errOut)
	}
	code, out, errOut = inSession(t, s, "refind", filepath.Join(s.Home, "archive"))
	if code != exitOK || !strings.HasPrefix(out, "1 found again") {
		t.Fatalf("refind: exit %d, %q %q", code, out, errOut)
	}
	md, err := gioinfo.Query(s, filepath.Join(archive, "a.txt"), lookalike)
	if err != nil {
		t.Fatal(err)
	}
	if md[0]["note"] != "a.txt" || md[1]["note"] != "" {
		t.Errorf("after refind, gio info shows %v on the moved file and %v on the look-alike", md[0], md[1])
	}
	waitStatus(t, s, func(st daemonStatus) bool { return followed(st, 2, 0) })
}

// TestRefindNeedsAFollowingDaemon: the reference daemon does not follow
// files; refind says so and fails.
func TestRefindNeedsAFollowingDaemon(t *testing.T) {
	testenv.RequireSession(t)
	s, err := session.Start(session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if _, _, err := s.Gio("set", s.Home, "metadata::x", "y"); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := inSession(t, s, "refind")
	if code != exitProblems || !strings.Contains(errOut, "does not follow files") {
		t.Errorf("refind with the reference daemon: exit %d, %q", code, errOut)
	}
}

// followed reports whether status shows the home tree followed, ready,
// with entries entries of which unfound are unfound.
func followed(st daemonStatus, entries, unfound int) bool {
	if st.Follow == nil || st.Follow.Pending > 0 || st.Follow.Busy {
		return false
	}
	for _, tr := range st.Follow.Trees {
		if filepath.Base(tr.TreeFile) == "home" && tr.Ready && tr.Entries == entries && tr.Unfound == unfound {
			return true
		}
	}
	return false
}

func waitStatus(t *testing.T, s *session.Session, ok func(daemonStatus) bool) daemonStatus {
	t.Helper()
	var st daemonStatus
	var out string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var code int
		code, out, _ = inSession(t, s, "status", "--json")
		st = daemonStatus{}
		if code == exitOK && json.Unmarshal([]byte(out), &st) == nil && ok(st) {
			return st
		}
	}
	t.Fatalf("status never showed what was waited for: %s", out)
	return st
}

// TestStatusShowsFollowing prints what following does, and says when it
// is off.
func TestStatusShowsFollowing(t *testing.T) {
	st := &daemonStatus{Running: true, PID: 42, Implementation: "gvfs-metadata", Version: "1.0", Follow: &protocol.FollowStatus{
		Watches: 12, Followed: 5, FoundAgain: 2, KeptAtName: 1, Pending: 0,
		Trees: []protocol.FollowedTree{{TreeFile: "/home/u/.local/share/gvfs-metadata/home", Top: "/home/u", Entries: 40, Unfound: 3, Ready: true}},
	}}
	var out bytes.Buffer
	printStatus(&out, st)
	for _, want := range []string{
		"following:   12 directories watched\n",
		"  renames followed: 5, files found again: 2, saves that kept their name: 1, waiting: 0\n",
		"  /home/u/.local/share/gvfs-metadata/home: 40 entries under /home/u, 3 left unfound\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}
	st.Follow = &protocol.FollowStatus{Watches: 8191, WatchLimited: true}
	out.Reset()
	printStatus(&out, st)
	if !strings.Contains(out.String(), "the limit of inotify watches is reached") {
		t.Errorf("status does not say the watch limit is reached:\n%s", out.String())
	}
	st.Follow = nil
	out.Reset()
	printStatus(&out, st)
	if !strings.Contains(out.String(), "following:   off (--no-follow)") {
		t.Errorf("status does not say following is off:\n%s", out.String())
	}
}
