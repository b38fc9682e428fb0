// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"gvfs-metadata/format"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
	"gvfs-metadata/store"
)

// inSession runs a gvfs-meta command with the session's environment.
func inSession(t *testing.T, s *session.Session, args ...string) (int, string, string) {
	t.Helper()
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return runTool(args...)
}

// recorded finds which tree and path the daemon stored key=value under.
func recorded(t *testing.T, dataDir, key, value string) (tree, path string) {
	t.Helper()
	trees, _ := filepath.Glob(filepath.Join(dataDir, "gvfs-metadata", "*"))
	for _, tf := range trees {
		if strings.HasSuffix(tf, ".log") {
			continue
		}
		s, err := store.Open(tf, store.Options{ReadOnly: true})
		if err != nil {
			continue
		}
		root, _, _ := s.Merged()
		s.Close()
		found := ""
		visitPaths(root, "/", func(p string, n *format.Node) {
			for _, kv := range n.Keys {
				if kv.Key == key && kv.Value == value {
					found = p
				}
			}
		})
		if found != "" {
			return filepath.Base(tf), found
		}
	}
	t.Fatalf("no tree holds %s=%s", key, value)
	return "", ""
}

// TestWhereAgreesWithWhatTheReferenceRecords sets metadata with gio on the
// reference daemon for files in different places and checks that `where`
// names the tree and path the reference wrote to.
func TestWhereAgreesWithWhatTheReferenceRecords(t *testing.T) {
	testenv.RequireSession(t)
	s, err := session.Start(session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	outside := filepath.Join(s.Root, "outside")
	os.MkdirAll(filepath.Join(outside, "real"), 0o755)
	os.MkdirAll(filepath.Join(s.Home, "docs"), 0o755)
	os.Symlink(filepath.Join(outside, "real"), filepath.Join(s.Home, "linked"))
	os.Symlink(filepath.Join(s.Home, "docs"), filepath.Join(outside, "to-home"))
	files := []string{
		s.Home,
		filepath.Join(s.Home, "docs", "a file.txt"),
		filepath.Join(s.Home, "linked", "via-link.txt"),
		filepath.Join(outside, "to-home", "back-home.txt"),
		filepath.Join(outside, "real", "plain.txt"),
	}
	// A bind mount, where the machine allows one (root with mount rights).
	bind := filepath.Join(s.Root, "bind")
	os.MkdirAll(bind, 0o755)
	if err := syscall.Mount(filepath.Join(outside, "real"), bind, "", syscall.MS_BIND, ""); err == nil {
		defer syscall.Unmount(bind, 0)
		files = append(files, filepath.Join(bind, "bound.txt"))
	} else {
		t.Logf("no bind mount case: %v", err)
	}
	for i, f := range files {
		if f != s.Home {
			os.WriteFile(f, nil, 0o644)
		}
		if _, _, err := s.Gio("set", f, "metadata::where", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i, f := range files {
		tree, path := recorded(t, s.DataHome, "where", fmt.Sprint(i))
		code, out, errOut := inSession(t, s, "where", "--json", f)
		if code != exitOK {
			t.Fatalf("where %s: %d %s", f, code, errOut)
		}
		want := fmt.Sprintf(`"tree": %q`, tree)
		wantPath := fmt.Sprintf(`"path": %q`, path)
		if !strings.Contains(out, want) || !strings.Contains(out, wantPath) {
			t.Errorf("%s: reference recorded tree %s path %s; where says\n%s", f, tree, path, out)
		}
	}
}

func visitPaths(n *format.Node, p string, fn func(string, *format.Node)) {
	fn(p, n)
	for _, c := range n.Children {
		visitPaths(c, strings.TrimSuffix(p, "/")+"/"+c.Name, fn)
	}
}
