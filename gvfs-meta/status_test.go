// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"gvfs-metadata/compat/protocol"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
)

// TestStatusTellsWhichDaemonRuns runs status with no daemon, with ours
// and with the reference: each is named with its process, and the tree
// that was written shows as open with its journal.
func TestStatusTellsWhichDaemonRuns(t *testing.T) {
	for _, ref := range []bool{false, true} {
		name := map[bool]string{false: "ours", true: "reference"}[ref]
		t.Run(name, func(t *testing.T) {
			testenv.RequireSession(t)
			opts := session.Options{Daemon: ourDaemon(t)}
			if ref {
				opts.Daemon = session.ReferenceDaemon
			}
			s, err := session.Start(opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			code, out, errOut := inSession(t, s, "status")
			if code != exitProblems || !strings.Contains(out, "no metadata daemon runs; the bus starts one") {
				t.Fatalf("before any call: exit %d, %q %q", code, out, errOut)
			}
			f := filepath.Join(s.Home, "noted.txt")
			touch(t, f)
			if _, _, err := s.Gio("set", f, "metadata::note", "x"); err != nil {
				t.Fatal(err)
			}
			pid, err := s.NameOwnerPID("org.gtk.vfs.Metadata")
			if err != nil {
				t.Fatal(err)
			}
			code, out, errOut = inSession(t, s, "status", "--json")
			var st daemonStatus
			if code != exitOK || json.Unmarshal([]byte(out), &st) != nil {
				t.Fatalf("status --json: exit %d, %s %s", code, out, errOut)
			}
			wantImpl := map[bool]string{false: "gvfs-metadata", true: "gvfs"}[ref]
			if !st.Running || int(st.PID) != pid || st.Implementation != wantImpl || st.Executable != opts.Daemon {
				t.Errorf("status: %+v; want pid %d, %s, %s", st, pid, wantImpl, opts.Daemon)
			}
			home := filepath.Join(s.DataHome, "gvfs-metadata", "home")
			if len(st.Trees) != 1 || st.Trees[0].TreeFile != home || st.Trees[0].JournalEntries != 1 || !strings.HasPrefix(st.Trees[0].Journal, home+"-") {
				t.Errorf("open trees: %+v; want %s with one journal entry", st.Trees, home)
			}
			if !ref && (st.Version == "" || st.Trees[0].LastWrite == "" || st.Started == "") {
				t.Errorf("ours reports no version, start or last write: %+v", st)
			}
			code, out, _ = inSession(t, s, "status")
			want := map[bool]string{false: "daemon:      gvfs-metadata ", true: "daemon:      the C daemon of gvfs"}[ref]
			if code != exitOK || !strings.HasPrefix(out, want) || !strings.Contains(out, "1 entries") {
				t.Errorf("status: exit %d\n%s", code, out)
			}
		})
	}
}

// TestStatusTellsOfAnotherWriter: a tree another process writes too gets
// a line with what the daemon did about it; one it writes alone does not.
func TestStatusTellsOfAnotherWriter(t *testing.T) {
	st := &daemonStatus{Running: true, PID: 42, Implementation: "gvfs-metadata", Version: "1.0", Trees: []protocol.TreeStatus{
		{TreeFile: "/home/u/.local/share/gvfs-metadata/home", OtherWriter: &protocol.OtherWriterStatus{WrittenAgain: 3, Carried: 2, Superseded: 1, Shown: 4, Dropped: 0}},
		{TreeFile: "/home/u/.local/share/gvfs-metadata/root"},
	}}
	var out bytes.Buffer
	printStatus(&out, st)
	want := "    shared:      another process writes this tree too; 3 own changes it lost written again, 2 of its entries carried over, 5 own changes forgotten (1 replaced by its newer ones, 4 in its tree, 0 for lack of room)\n"
	if strings.Count(out.String(), "shared:") != 1 || !strings.Contains(out.String(), want) {
		t.Fatalf("status:\n%s\nwant one line\n%s", out.String(), want)
	}
	if i := strings.Index(out.String(), "gvfs-metadata/root"); i < 0 || strings.Contains(out.String()[i:], "shared:") {
		t.Fatalf("the tree written alone has a shared line:\n%s", out.String())
	}
}
