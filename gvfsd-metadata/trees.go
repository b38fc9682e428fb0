package main

import (
	"errors"
	"sync"
	"time"

	"gvfs-metadata/store"
)

// Flush delays of the reference: a tree's journal is merged into it this
// long after the first write that found it clean.
const (
	flushDelay    = 60 * time.Second
	flushDelayNFS = 15 * time.Second
)

// trees holds every tree file the daemon has opened, by the path clients
// name it with.
type trees struct {
	mu       sync.Mutex
	open     map[string]*tree
	logf     func(format string, args ...any)
	delay    time.Duration // flushDelay unless a test shortens it
	delayNFS time.Duration
}

type tree struct {
	st    *store.Store
	mu    sync.Mutex
	timer *time.Timer // pending flush, nil when none
}

func newTrees(logf func(string, ...any)) *trees {
	return &trees{open: map[string]*tree{}, logf: logf, delay: flushDelay, delayNFS: flushDelayNFS}
}

// get returns the tree for treefile, opening (and if need be creating) it.
// A path outside the confinement rules, or a tree that cannot be opened,
// is "not found", as the reference answers for trees it cannot open.
func (ts *trees) get(treefile string) (*tree, *callError) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if t, ok := ts.open[treefile]; ok {
		return t, nil
	}
	if !confineTreefile(treefile) {
		ts.logf("refusing metadata file %s: not a plain file directly in a %q directory", brief(treefile), treeDirName)
		return nil, notFound(treefile)
	}
	st, err := store.Open(treefile, store.Options{
		FS:         store.OS{NoFollow: true},
		Background: true,
		Logf:       ts.logf,
	})
	if err != nil {
		ts.logf("can't open metadata tree %s: %v", brief(treefile), err)
		return nil, notFound(treefile)
	}
	t := &tree{st: st}
	ts.open[treefile] = t
	return t, nil
}

// written schedules the flush that follows a write, unless one is pending.
func (ts *trees) written(t *tree) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer != nil {
		return
	}
	delay := ts.delay
	if t.st.OnNFS() {
		delay = ts.delayNFS
	}
	t.timer = time.AfterFunc(delay, func() {
		t.mu.Lock()
		t.timer = nil
		t.mu.Unlock()
		ts.flush(t)
	})
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
