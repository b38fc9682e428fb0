// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import (
	"time"

	"golang.org/x/sys/unix"
)

// item is one rename waiting for its grace period: a move within the
// watched directories (src and dst), a move out of them (src alone: the
// other half never came), or a move into them from elsewhere (dst alone).
type item struct {
	at      time.Time
	tree    *tracked
	src     string
	dst     string
	cookie  uint32
	watched *node // watched directories that moved with it, until placed
}

// rescanDelay is how long a rescan waits after what asked for it, so a
// storm of removals or an overflowing queue costs one rescan.
const rescanDelay = 2 * time.Second

// handle turns one read's events into items and keeps the watches' paths
// true to the disk at once: later events name directories by where they
// are now.
func (f *Follower) handle(evs []event) {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	now := time.Now()
	for _, e := range evs {
		if e.mask&unix.IN_Q_OVERFLOW != 0 {
			f.counts.Overflows++
			f.cfg.Logf("following renames: the kernel's event queue overflowed; looking again")
			for _, t := range f.trees {
				f.askRescan(t, now)
			}
			continue
		}
		d := f.wds[e.wd]
		if d == nil {
			continue
		}
		t := f.treeOf(d)
		switch {
		case e.mask&unix.IN_IGNORED != 0:
			delete(f.wds, e.wd)
			d.wd = 0
			d.prune()
			if t != nil {
				f.askRescan(t, now) // a watched directory is gone
			}
		case t == nil:
		case e.mask&unix.IN_MOVE_SELF != 0 && d == t.dirs:
			f.cfg.Logf("following renames: %s was moved; metadata under it stays where it is", t.top)
			f.askRescan(t, now)
		case e.mask&unix.IN_MOVED_FROM != 0:
			p := join(d.path(), e.name)
			it := &item{at: now, tree: t, src: p, cookie: e.cookie, watched: t.dirs.detach(p)}
			f.queue = append(f.queue, it)
			f.byCook[e.cookie] = it
		case e.mask&unix.IN_MOVED_TO != 0:
			p := join(d.path(), e.name)
			if it := f.byCook[e.cookie]; it != nil {
				delete(f.byCook, e.cookie)
				if it.tree == t {
					it.dst = p
					if it.watched != nil {
						f.unwatchLocked(t.dirs.attach(p, it.watched))
						it.watched = nil
					}
					continue
				}
			}
			f.queue = append(f.queue, &item{at: now, tree: t, dst: p})
		}
	}
}

// treeOf is the tree a watched directory's node belongs to; wmu held.
func (f *Follower) treeOf(d *node) *tracked {
	root := d
	for root.parent != nil {
		root = root.parent
	}
	for _, t := range f.trees {
		if t.dirs == root {
			return t
		}
	}
	return nil
}

func (f *Follower) askRescan(t *tracked, now time.Time) {
	if _, ok := f.rescan[t]; !ok {
		f.rescan[t] = now.Add(rescanDelay)
	}
}

// unwatch removes the watches of a directory node and everything below.
func (f *Follower) unwatch(n *node) {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	f.unwatchLocked(n)
}

func (f *Follower) unwatchLocked(n *node) {
	if n == nil {
		return
	}
	n.walk(func(k *node) {
		if k.wd != 0 {
			f.in.remove(k.wd)
			delete(f.wds, k.wd)
			k.wd = 0
		}
	})
}

// watchParentsLocked watches the directory that holds p and each of its
// parents up to the tree's top.
func (f *Follower) watchParentsLocked(t *tracked, p string) {
	dir := parentPath(p)
	n := t.dirs
	f.watchLocked(t, n, "/")
	for _, c := range split(dir) {
		n = n.ensure(c)
		if !f.watchLocked(t, n, n.path()) {
			return
		}
	}
}

// absentFor is how long a directory found missing is not looked for.
const absentFor = time.Second

var clockStart = time.Now()

// nanotime is a monotonic clock reading.
func nanotime() int64 { return int64(time.Since(clockStart)) }

// watchLocked makes sure the directory node n (at tree path p) has a
// watch, and reports whether it has one.
func (f *Follower) watchLocked(t *tracked, n *node, p string) bool {
	if n.wd != 0 {
		return true
	}
	if f.limited || n.absentUntil > nanotime() {
		return false
	}
	wd, err := f.in.add(t.disk(p))
	switch {
	case err == unix.ENOENT || err == unix.ENOTDIR:
		// Not there (metadata set on a path that does not exist): not
		// tried again for a while, so a burst of Sets under it costs
		// no failing system call each.
		n.absentUntil = nanotime() + int64(absentFor)
		return false
	case err == unix.ENOSPC:
		f.limited = true
		f.cfg.Logf("following renames: the limit of inotify watches (fs.inotify.max_user_watches) is reached at %d; renames in directories past it are not followed", len(f.wds))
		return false
	case err != nil:
		return false
	}
	if other := f.wds[wd]; other != nil && other != n {
		return true // the same directory under another name (a bind mount)
	}
	n.wd = wd
	f.wds[wd] = n
	return true
}
