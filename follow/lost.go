// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Entries whose file is missing are "lost": their metadata stays at their
// path (nothing is removed on its own), and each is indexed by its file's
// inode so that the file can be found again when it shows up elsewhere.

// markLost marks an entry's file missing.
func (f *Follower) markLost(t *tracked, e *node) {
	if e.lost {
		return
	}
	e.lost = true
	if e.since == 0 {
		e.since = f.now().Unix()
		f.dirty = true
	}
	if e.id.Known() {
		if t.lost == nil {
			t.lost = map[uint64][]*node{}
		}
		t.lost[e.id.Ino] = append(t.lost[e.id.Ino], e)
	}
}

// lostWith returns the lost entries whose file had inode ino, dropping
// from the index those found or removed since.
func (t *tracked) lostWith(ino uint64) []*node {
	kept := t.lost[ino][:0]
	for _, e := range t.lost[ino] {
		if e.lost && (e.meta || e.id.Dir) && e.id.Ino == ino && t.holds(e) {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		delete(t.lost, ino)
		return nil
	}
	t.lost[ino] = kept
	return kept
}

// anyLost reports whether some entry may be waiting to be found.
func (t *tracked) anyLost() bool { return len(t.lost) > 0 }

// holds reports whether e is still in the tree's entries.
func (t *tracked) holds(e *node) bool {
	for e.parent != nil {
		e = e.parent
	}
	return e == t.entries
}

// lookIn looks through directories on disk, and with recursive through
// what is below them on the same file system, for the files of lost
// entries, up to limit directory entries. It returns how many it found.
func (f *Follower) lookIn(t *tracked, dirs []string, recursive bool, limit int) int {
	found := 0
	seen := 0
	var look func(dir string, dev uint64, recursive bool)
	look = func(dir string, dev uint64, recursive bool) {
		ents, err := readDirInodes(dir)
		if err != nil {
			return
		}
		for _, de := range ents {
			if seen++; seen > limit || !t.anyLost() {
				return
			}
			full := filepath.Join(dir, de.name)
			p, ok := t.treePath(full)
			if !ok {
				continue
			}
			if len(t.lost[de.ino]) > 0 {
				if id, err := identify(full); err == nil && f.foundAt(t, p, id) {
					found++
					continue
				}
			}
			if recursive && de.dir {
				if id, err := identify(full); err == nil && id.Dev == dev {
					look(full, dev, true)
				}
			}
		}
	}
	for _, d := range dirs {
		id, err := identify(d)
		if err != nil || !id.Dir {
			continue
		}
		look(d, id.Dev, recursive)
	}
	return found
}

// searchBudget bounds the directory entries one search near a move out
// of view reads.
const searchBudget = 50000

// searchNear looks for lost entries' files where a file that left the
// watched directories most likely went: below the directories it left
// from, then below each of their parents in turn up to the tree's top,
// nearest first, each level before the next (a rename cannot leave its
// file system, and most go to a sibling or a new subdirectory). It reads
// at most budget directory entries.
func (f *Follower) searchNear(t *tracked, from []string, budget int) {
	visited := map[string]bool{}
	for _, dir := range from {
		for p := dir; ; p = parentPath(p) {
			if !t.anyLost() || budget <= 0 {
				return
			}
			budget = f.breadthFirst(t, t.disk(p), visited, budget)
			if p == "/" {
				break
			}
		}
	}
}

// breadthFirst looks through the directories below start (on its file
// system, level by level, skipping those visited) for lost entries'
// files, and returns what is left of the budget.
func (f *Follower) breadthFirst(t *tracked, start string, visited map[string]bool, budget int) int {
	top, err := identify(start)
	if err != nil || !top.Dir {
		return budget
	}
	level := []string{start}
	for len(level) > 0 && budget > 0 && t.anyLost() {
		var next []string
		for _, dir := range level {
			if visited[dir] {
				continue
			}
			visited[dir] = true
			ents, err := readDirInodes(dir)
			if err != nil {
				continue
			}
			for _, de := range ents {
				if budget--; budget <= 0 {
					return 0
				}
				full := filepath.Join(dir, de.name)
				if len(t.lost[de.ino]) > 0 {
					if p, ok := t.treePath(full); ok {
						if id, err := identify(full); err == nil && f.foundAt(t, p, id) {
							continue
						}
					}
				}
				if de.dir && !visited[full] {
					next = append(next, full)
				}
			}
		}
		// Stay on the file system: a mount below is another tree's.
		kept := next[:0]
		for _, d := range next {
			if id, err := identify(d); err == nil && id.Dir && id.Dev == top.Dev {
				kept = append(kept, d)
			}
		}
		level = kept
	}
	return budget
}

// treePath is the tree path of a file on disk under the tree's top.
func (t *tracked) treePath(full string) (string, bool) {
	if full == t.top {
		return "/", true
	}
	top := strings.TrimSuffix(t.top, "/")
	if !strings.HasPrefix(full, top+"/") {
		return "", false
	}
	return full[len(top):], true
}

type dirent struct {
	name string
	ino  uint64
	dir  bool
}

// readDirInodes lists a directory with each entry's inode, without a
// stat per entry.
func readDirInodes(dir string) ([]dirent, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	var out []dirent
	buf := make([]byte, 32<<10)
	for {
		n, err := unix.Getdents(fd, buf)
		if err != nil {
			return out, &os.PathError{Op: "getdents", Path: dir, Err: err}
		}
		if n <= 0 {
			return out, nil
		}
		b := buf[:n]
		for len(b) >= 19 {
			ino := binary.NativeEndian.Uint64(b[0:])
			reclen := int(binary.NativeEndian.Uint16(b[16:]))
			if reclen < 19 || reclen > len(b) {
				break
			}
			typ := b[18]
			name := b[19:reclen]
			if i := indexNul(name); i >= 0 {
				name = name[:i]
			}
			if s := string(name); s != "." && s != ".." {
				out = append(out, dirent{name: s, ino: ino, dir: typ == unix.DT_DIR || typ == unix.DT_UNKNOWN})
			}
			b = b[reclen:]
		}
	}
}

func indexNul(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}
