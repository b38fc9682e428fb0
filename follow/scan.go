// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import "errors"

// scan brings a tree's watches and entries in line with the tree and the
// disk: when following starts, and after what events cannot tell (an
// overflowing queue, removed directories). The steps:
//
//  0. A tree whose top is gone, or is another file system than when
//     following started (its volume unmounted), is no longer followed.
//  1. Read every path that has metadata from the tree.
//  2. Watch every directory that holds an entry, and its parents up to the
//     top; drop the watches no entry needs. Watched before step 3 reads
//     the files: a rename between the two is an event, not missed.
//  3. Read each one's file's identity. A missing file, or another file at
//     its name (another inode), makes the entry lost; it keeps the
//     identity it had (from the last scan, or the state file an earlier
//     run wrote), so that its file can be found. A missing file never
//     seen is only counted. So are the directories above entries: a
//     directory renamed is found whole.
//  4. Look for the lost entries' files in the watched directories; a file
//     that is certainly the same (Same) takes its metadata, as renames
//     made while the daemon was not running or not told.
//  5. An entry still lost whose name another file holds takes that file's
//     identity: its metadata stays with the name, as after an atomic save.
func (f *Follower) scan(t *tracked) {
	f.counts.Rescans++
	if id, err := identify(t.top); err != nil || id.Dev != t.dev {
		f.forget(t) // step 0: a volume unmounted is left alone
		return
	}
	paths, err := t.tree.Paths() // step 1
	if err != nil {
		f.cfg.Logf("following %s: %v", t.file, err)
		return
	}
	f.rewatch(t, paths) // step 2
	old := t.entries
	t.entries, t.lost, t.unseen = newRoot(), nil, 0
	var taken []*node
	for _, p := range paths { // step 3
		e := t.entries.ensure(p)
		e.meta = true
		if o := old.lookup(p); o != nil && (o.id.Known() || o.since > 0) {
			e.id, e.since = o.id, o.since
		} else if s, ok := t.saved[p]; ok {
			e.id, e.since = s.id, s.since
		}
		f.identifyParents(t, e, func(q string) Identity {
			if o := old.lookup(q); o != nil && o.id.Known() {
				return o.id
			}
			return t.saved[q].id
		})
		var cur Identity
		err := errParentMissing // a file in a missing directory is not read
		if d := e.parent; d == nil || d.parent == nil || d.id.Known() && !d.lost {
			cur, err = identify(t.disk(p))
		}
		switch {
		case err != nil && !e.id.Known() && f.cfg.ForgetMissingAfter == 0:
			// Missing, and never seen: nothing could find it again, so
			// it is only counted, not held (a tree of a million entries
			// for files long gone costs no memory), unless missing
			// entries are to be forgotten in time.
			e.meta = false
			e.prune()
			t.unseen++
		case err != nil:
			f.markLost(t, e)
		case e.id.Known() && (cur.Ino != e.id.Ino || cur.Dev != e.id.Dev):
			f.markLost(t, e)
			taken = append(taken, e)
		default:
			if cur != e.id || e.since != 0 {
				e.id, e.since = cur, 0
				f.dirty = true
			}
		}
	}
	t.saved = nil
	if t.anyLost() { // step 4
		var dirs []string
		t.dirs.walk(func(d *node) {
			if d.wd != 0 {
				dirs = append(dirs, t.disk(d.path()))
			}
		})
		f.lookIn(t, dirs, false, scanLookLimit)
	}
	for _, e := range taken { // step 5
		if e.lost && t.holds(e) {
			p := e.path()
			if cur, err := identify(t.disk(p)); err == nil {
				e.id, e.lost = cur, false
				f.dirty = true
			}
		}
	}
	t.ready = true
	f.expire(t)
	f.dirty = true
	f.save(true)
}

// forget stops following a tree whose top is gone or is another file
// system now: its metadata stays as it is, and its files are not looked
// at until it is followed again.
func (f *Follower) forget(t *tracked) {
	f.save(true)
	f.wmu.Lock()
	f.unwatchLocked(t.dirs)
	delete(f.trees, t.file)
	f.wmu.Unlock()
	delete(f.rescan, t)
	delete(f.search, t)
	kept := f.queue[:0]
	for _, it := range f.queue {
		if it.tree != t {
			kept = append(kept, it)
		}
	}
	f.queue = kept
	for c, it := range f.byCook {
		if it.tree == t {
			delete(f.byCook, c)
		}
	}
	f.cfg.Logf("following renames: %s is not mounted at %s any more; its metadata stays as it is", t.file, t.top)
	f.cfg.Forgot(t.file)
}

var errParentMissing = errors.New("its directory is missing")

// identifyParents reads the identities of the directories above entry e
// that were not read yet; a missing one whose identity was known before
// (prev) is lost, so that its new name is found and its whole subtree
// moves in one Move.
func (f *Follower) identifyParents(t *tracked, e *node, prev func(path string) Identity) {
	for d := e.parent; d != nil && d.parent != nil && !d.checked; d = d.parent {
		d.checked = true
		p := d.path()
		cur, err := identify(t.disk(p))
		switch {
		case err == nil && cur.Dir:
			if cur != d.id {
				d.id = cur
				f.dirty = true
			}
		case err != nil:
			if d.id = prev(p); d.id.Known() {
				f.markLost(t, d)
			}
		}
	}
}

// scanLookLimit bounds the directory entries a scan looks at in the
// watched directories.
const scanLookLimit = 200000

// rewatch watches the parents of every path and drops the other watches.
func (f *Follower) rewatch(t *tracked, paths []string) {
	f.wmu.Lock()
	f.limited = false
	f.wmu.Unlock()
	needed := newRoot()
	for _, p := range paths {
		needed.ensure(parentPath(p))
		// One path at a time: a Set answered meanwhile waits for one
		// path's watches at most.
		f.wmu.Lock()
		f.watchParentsLocked(t, p)
		f.wmu.Unlock()
	}
	f.wmu.Lock()
	defer f.wmu.Unlock()
	var stale []*node
	t.dirs.walk(func(d *node) {
		if d.wd != 0 && needed.lookup(d.path()) == nil {
			stale = append(stale, d)
		}
	})
	for _, d := range stale {
		f.in.remove(d.wd)
		delete(f.wds, d.wd)
		d.wd = 0
		d.prune()
	}
}

// refind looks for lost entries' files below dirs, in every tree whose
// top holds them.
func (f *Follower) refind(dirs []string) int {
	found := 0
	for _, t := range f.followed() {
		var mine []string
		for _, d := range dirs {
			if _, ok := t.treePath(d); ok {
				mine = append(mine, d)
			}
		}
		if len(mine) > 0 && t.anyLost() {
			found += f.lookIn(t, mine, true, refindLimit)
		}
	}
	return found
}

// refindLimit bounds the directory entries one refind looks at.
const refindLimit = 2000000
