// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import "time"

// settle decides what a rename ends in once its grace period is over.
// Items are settled in the order their events came, so a chain of renames
// (a to b, then b to c) carries metadata along the chain. The steps:
//
//  1. A move out of the watched directories: the entries under src are
//     missing now; they wait to be found again (step 2 or a rescan).
//  2. A move in from elsewhere: if it is the file of a missing entry,
//     certainly the same (Same), the metadata follows it.
//  3. A rename whose old name was taken again within the grace by a new
//     file (vim's backup rename, GLib's save with a backup): the metadata
//     stays with the name, which is the file the user edits.
//  4. Otherwise the metadata moves with the file, if it has any (Tree.Follow
//     never sends a Move whose source has none: that would clear dst's,
//     the atomic save of a temporary file over dst).
//  5. The identity of what now has dst's name is read again: after an
//     atomic save it is the new file.
func (f *Follower) settle(it *item) {
	t := it.tree
	if it.cookie != 0 && f.byCook[it.cookie] == it {
		delete(f.byCook, it.cookie)
	}
	switch {
	case it.dst == "":
		f.leftView(t, it) // step 1
	case it.src == "":
		f.arrived(t, it.dst) // step 2
	case exists(t.disk(it.src)) && !f.movedInto(it):
		f.counts.KeptAtName++ // step 3
	default:
		f.follow(t, it.src, it.dst) // step 4
	}
	if it.dst != "" { // step 5
		if e := t.entries.lookup(it.dst); e != nil && e.meta {
			f.identifyEntry(t, e, it.dst)
		}
	}
}

// leftView marks the entries under a path that left the watched
// directories as missing, unless the name was taken again, and has the
// places nearby searched for it (searchNear) once the items due now are
// settled.
func (f *Follower) leftView(t *tracked, it *item) {
	f.unwatch(it.watched)
	if exists(t.disk(it.src)) {
		return
	}
	e := t.entries.lookup(it.src)
	if e == nil {
		return
	}
	lost := false
	e.walk(func(k *node) {
		if k.meta {
			f.markLost(t, k)
			lost = true
		}
	})
	if lost {
		if f.search == nil {
			f.search = map[*tracked][]string{}
		}
		f.search[t] = append(f.search[t], parentPath(it.src))
	}
}

// movedInto reports whether a later rename of a file that has metadata,
// or will have it once the renames before it are settled, takes it.src's
// name: then the name was not taken by a new file, and the renames are a
// swap or a shuffle of names.
func (f *Follower) movedInto(it *item) bool {
	for i, later := range f.queue {
		if later.tree == it.tree && later.dst == it.src && later.src != "" && f.carries(later.src, it.tree, i) {
			return true
		}
	}
	return false
}

// carries reports whether path has metadata now, or gets some from a
// rename queued before position before (which carries it in turn).
func (f *Follower) carries(path string, t *tracked, before int) bool {
	if has, err := t.tree.HasMetadata(path); err == nil && has {
		return true
	}
	for i := before - 1; i >= 0; i-- {
		if it := f.queue[i]; it.tree == t && it.dst == path && it.src != "" && f.carries(it.src, t, i) {
			return true
		}
	}
	return false
}

// follow moves src's metadata to dst when it has any.
func (f *Follower) follow(t *tracked, src, dst string) bool {
	moved, err := t.tree.Follow(src, dst)
	if err != nil {
		f.cfg.Logf("following %s to %s: %v", src, dst, err)
		return false
	}
	if !moved {
		return false
	}
	f.counts.Followed++
	f.remember(moveKey{t.file, src, dst})
	f.moveEntries(t, src, dst)
	return true
}

// remember keeps a followed rename for FollowedAlready. What is older than
// recentFor goes once the map has doubled since it was last cleared, so
// remembering costs the same whatever the burst.
func (f *Follower) remember(k moveKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	if len(f.recent) >= 2*f.recentKept+64 {
		for k, at := range f.recent {
			if now.Sub(at) > recentFor {
				delete(f.recent, k)
			}
		}
		f.recentKept = len(f.recent)
	}
	f.recent[k] = now
}

// arrived follows a file that came into a watched directory from
// elsewhere, when it is a missing entry's file.
func (f *Follower) arrived(t *tracked, dst string) {
	if !t.anyLost() {
		return
	}
	id, err := identify(t.disk(dst))
	if err != nil {
		return
	}
	if f.foundAt(t, dst, id) {
		return
	}
	if id.Dir {
		f.lookIn(t, []string{t.disk(dst)}, true, arrivalLookLimit)
	}
}

// arrivalLookLimit bounds how many entries of a directory that came in
// from elsewhere are looked at for missing files.
const arrivalLookLimit = 10000

// foundAt moves the metadata of the missing entry whose file is the one
// with identity id at path p, if exactly one is.
func (f *Follower) foundAt(t *tracked, p string, id Identity) bool {
	var match *node
	for _, e := range t.lostWith(id.Ino) {
		if !Same(e.id, id) {
			continue
		}
		if match != nil {
			return false // two entries claim it: move neither
		}
		match = e
	}
	if match == nil {
		return false
	}
	src := match.path()
	if src == p || isUnder(p, src) || isUnder(src, p) {
		return false
	}
	if f.follow(t, src, p) {
		f.counts.Followed--
		f.counts.FoundAgain++
		return true
	}
	return false
}

func isUnder(p, dir string) bool {
	return dir == "/" && p != "/" || len(p) > len(dir) && p[:len(dir)] == dir && p[len(dir)] == '/'
}
