// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"gvfs-metadata/store"
)

// Flush delays of the reference: a tree's journal is merged into it this
// long after the first write that found it clean.
const (
	flushDelay    = 60 * time.Second
	flushDelayNFS = 15 * time.Second
)

// defaultCloseTrees is how long a tree goes without writes before it is
// closed. The reference never closes one, so a session that touched many
// trees (one per removable disk, per network share) keeps two files and
// two mappings open for each until it ends; an open tree costs nothing to
// reopen but a few milliseconds.
const defaultCloseTrees = 2 * time.Minute

// trees holds every tree file the daemon has opened, by the path clients
// name it with.
type trees struct {
	mu       sync.Mutex
	open     map[string]*tree
	logf     func(format string, args ...any)
	clock    clock
	delay    time.Duration // flushDelay unless a test shortens it
	delayNFS time.Duration
	// closeAfter is how long a tree may go without writes before it is
	// closed (0: never).
	closeAfter time.Duration
	// forceNFS opens every tree the NFS way (see store.OS).
	forceNFS bool
	// closed runs after a tree was closed for being idle: the garbage
	// of its last flush is the daemon's to return.
	closed func()
}

type tree struct {
	st   *store.Store
	name string // the treefile clients name it with
	// users counts the calls that got the tree and have not released it:
	// a tree in use is never closed. Raised under trees.mu, which closing
	// holds, so no call gets a tree being closed; lowered without it.
	users atomic.Int32

	mu        sync.Mutex
	timer     timer // pending flush, nil when none
	idle      timer // pending check for closing, nil when none
	lastWrite time.Time
}

func newTrees(logf func(string, ...any), closeAfter time.Duration) *trees {
	return &trees{open: map[string]*tree{}, logf: logf, clock: realClock{}, delay: flushDelay, delayNFS: flushDelayNFS, closeAfter: closeAfter, closed: func() {}}
}

// get returns the tree for treefile, opening (and if need be creating) it.
// A path outside the confinement rules, or a tree that cannot be opened,
// is "not found", as the reference answers for trees it cannot open.
func (ts *trees) get(treefile string) (*tree, *callError) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if t, ok := ts.open[treefile]; ok {
		t.users.Add(1)
		return t, nil
	}
	if !confineTreefile(treefile) {
		ts.logf("refusing metadata file %s: not a plain file directly in a %q directory", brief(treefile), treeDirName)
		return nil, notFound(treefile)
	}
	st, err := store.Open(treefile, store.Options{
		FS:         store.OS{NoFollow: true, ForceNFS: ts.forceNFS},
		Background: true,
		Logf:       ts.logf,
	})
	if err != nil {
		ts.logf("can't open metadata tree %s: %v", brief(treefile), err)
		return nil, notFound(treefile)
	}
	t := &tree{st: st, name: treefile}
	t.users.Add(1)
	ts.open[treefile] = t
	return t, nil
}

// release ends a call's use of a tree it got.
func (ts *trees) release(t *tree) { t.users.Add(-1) }

// written schedules the flush that follows a write, unless one is pending,
// and the check for closing the tree once writes stop.
func (ts *trees) written(t *tree) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lastWrite = ts.clock.Now()
	if t.idle == nil && ts.closeAfter > 0 {
		t.idle = ts.clock.AfterFunc(ts.closeAfter, func() { ts.closeIfIdle(t) })
	}
	if t.timer != nil {
		return
	}
	delay := ts.delay
	if t.st.OnNFS() {
		delay = ts.delayNFS
	}
	t.timer = ts.clock.AfterFunc(delay, func() {
		t.mu.Lock()
		t.timer = nil
		t.mu.Unlock()
		ts.flush(t)
	})
}

// closeIfIdle closes a tree that saw no write for closeAfter, once it is
// written out, unless a call is using it. A write after the check arms
// another.
func (ts *trees) closeIfIdle(t *tree) {
	t.mu.Lock()
	if t.idle == nil {
		t.mu.Unlock()
		return // flushAll stopped the check and closed the tree
	}
	if wait := ts.closeAfter - ts.clock.Now().Sub(t.lastWrite); wait > 0 {
		t.idle.Reset(wait)
		t.mu.Unlock()
		return
	}
	t.idle = nil
	t.mu.Unlock()
	// Written out before the lock every call takes: a big tree's flush
	// must not hold up calls on the others.
	if err := t.st.Flush(); err != nil {
		if !errors.Is(err, store.ErrClosed) {
			ts.logf("flushing %s: %v", t.st.Path(), err)
			ts.written(t) // kept open, to try again later
		}
		return
	}
	if ts.closeIdle(t) {
		ts.closed()
	}
}

// closeIdle closes a flushed tree unless a call is using it or wrote to it
// since; it reports whether it did.
func (ts *trees) closeIdle(t *tree) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if ts.open[t.name] != t || t.users.Load() > 0 || t.idle != nil {
		return false // closed already, or in use, or written since
	}
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	if err := t.st.Close(); err != nil {
		ts.logf("closing %s: %v", t.st.Path(), err)
	}
	delete(ts.open, t.name)
	return true
}

// flushAll merges every journal into its tree now, laying out again any
// tree that rotations patched (so that what is left on disk is what the
// reference would leave), and closes the trees.
func (ts *trees) flushAll() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, t := range ts.open {
		t.mu.Lock()
		if t.timer != nil {
			t.timer.Stop()
			t.timer = nil
		}
		if t.idle != nil {
			t.idle.Stop()
			t.idle = nil
		}
		t.mu.Unlock()
		if err := t.st.Compact(); err != nil && !errors.Is(err, store.ErrClosed) {
			ts.logf("flushing %s: %v", t.st.Path(), err)
		}
		t.st.Close()
	}
	clear(ts.open)
}

// flushDirty writes out every tree with a flush pending, now.
func (ts *trees) flushDirty() {
	ts.mu.Lock()
	var dirty []*tree
	for _, t := range ts.open {
		t.mu.Lock()
		if t.timer != nil && t.timer.Stop() {
			t.timer = nil
			dirty = append(dirty, t)
		}
		t.mu.Unlock()
	}
	ts.mu.Unlock()
	for _, t := range dirty {
		ts.flush(t)
	}
}

// flush merges a tree's journal into it, logging a failure. ErrClosed is
// no failure: flushAll flushed and closed the tree meanwhile, on the
// daemon's way out.
func (ts *trees) flush(t *tree) {
	if err := t.st.Flush(); err != nil && !errors.Is(err, store.ErrClosed) {
		ts.logf("flushing %s: %v", t.st.Path(), err)
	}
}

// clean reports whether every open tree is flushed, with no flush pending.
func (ts *trees) clean() bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, t := range ts.open {
		t.mu.Lock()
		pending := t.timer != nil
		t.mu.Unlock()
		if pending || t.st.Dirty() {
			return false
		}
	}
	return true
}
