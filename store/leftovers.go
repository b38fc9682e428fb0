// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"path/filepath"
	"strings"
	"time"
)

// DefaultStaleAge is how old a rotation's leftover must be before a
// writable open removes it; younger files may belong to a rotation that
// another daemon is running right now (during a hand-over).
const DefaultStaleAge = time.Minute

// removeLeftovers deletes what interrupted rotations leave beside a tree:
// temporary trees ("<tree>.XXXXXX") and journals of tags no tree names
// ("<tree>-xxxxxxxx.log"). Nothing reads them; left alone they pile up
// with every crash. Called for writable stores only.
func (s *Store) removeLeftovers() {
	tree := filepath.Base(s.path)
	dirs := []string{filepath.Dir(s.path)}
	if s.nfs && s.opts.RuntimeDir != "" {
		dirs = append(dirs, filepath.Join(s.opts.RuntimeDir, "gvfs-metadata"))
	}
	current := ""
	if s.journal != nil {
		current = filepath.Base(s.journal.path)
	}
	for _, dir := range dirs {
		names, err := s.fs.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, name := range names {
			if name == current || !isLeftover(tree, name) {
				continue
			}
			p := filepath.Join(dir, name)
			st, err := s.fs.Lstat(p)
			if err != nil || s.opts.Now().Sub(st.ModTime) < s.opts.StaleAge {
				continue
			}
			if s.fs.Remove(p) == nil {
				s.opts.Logf("%s: removed %s, left over by an interrupted rotation", s.path, p)
			}
		}
	}
}

func isLeftover(tree, name string) bool {
	if rest, ok := strings.CutPrefix(name, tree+"."); ok {
		return len(rest) == 6 && strings.Trim(rest, suffixChars) == ""
	}
	if rest, ok := strings.CutPrefix(name, tree+"-"); ok {
		hex, ok := strings.CutSuffix(rest, ".log")
		return ok && len(hex) == 8 && strings.Trim(hex, "0123456789abcdef") == ""
	}
	return false
}
