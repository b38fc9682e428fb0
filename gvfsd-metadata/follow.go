// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gvfs-metadata/compat/resolve"
	"gvfs-metadata/follow"
	"gvfs-metadata/format"
	"gvfs-metadata/store"
)

// following is the daemon's side of following renames made without GIO
// (package follow): which trees are followed, and the hooks the methods
// call after each change a client makes. A nil *following (--no-follow)
// does nothing.
//
// The trees followed are the local ones in the daemon's own data
// directory: "home", whose paths are relative to the home directory,
// "root", whose paths are absolute, and a volume's ("uuid-...",
// "label-...") while the volume is mounted whole, whose paths are relative
// to its mount point. Each is followed from the first time it exists: at
// start when its file is there, or from the first write to it; a volume's
// again from each time it is mounted.
type following struct {
	f       *follow.Follower
	d       *daemon
	dir     string            // the daemon's own gvfs-metadata directory
	tops    map[string]string // tree file -> the directory its paths start at
	udevDir string

	mounts *mountWatch // nil when the mount table cannot be watched

	mu        sync.Mutex
	started   map[string]bool
	unmounted map[string]time.Time // volume trees found not mounted, when
}

// mountRecheck is how often a write to the tree of a volume that was not
// mounted looks again whether it is.
const mountRecheck = 10 * time.Second

// startFollowing starts the follower and, in its background, the trees
// that exist; it logs and returns nil when inotify is not to be had.
func startFollowing(d *daemon, forgetMissingAfter time.Duration) *following {
	r, err := resolve.FromEnvironment(nil)
	if err != nil {
		d.logf("not following renames: %v", err)
		return nil
	}
	fl := &following{d: d, dir: filepath.Dir(r.TreeFile("home")), udevDir: d.udevDir, started: map[string]bool{}, unmounted: map[string]time.Time{}, tops: map[string]string{
		r.TreeFile("home"): r.HomeExpanded(),
		r.TreeFile("root"): "/",
	}}
	f, err := follow.Start(follow.Config{StateDir: follow.StateDir(r.Home), Logf: d.logf, Forgot: fl.forgot, ForgetMissingAfter: forgetMissingAfter})
	if err != nil {
		d.logf("not following renames: %v", err)
		return nil
	}
	fl.f = f
	fl.startExisting()
	if fl.mounts, err = watchMounts("/proc/self/mountinfo", fl.mountsChanged); err != nil {
		d.logf("volumes mounted again are followed from their next write: %v", err)
	}
	return fl
}

// startExisting follows every tree of the directory that can be followed
// now.
func (fl *following) startExisting() {
	trees, _ := os.ReadDir(fl.dir)
	for _, e := range trees {
		if e.Type().IsRegular() {
			fl.start(filepath.Join(fl.dir, e.Name()))
		}
	}
}

// mountsChanged hears that something was mounted or unmounted: a volume
// plugged in again is followed from then on, not from the next write to
// its tree.
func (fl *following) mountsChanged() {
	fl.mu.Lock()
	clear(fl.unmounted)
	fl.mu.Unlock()
	fl.startExisting()
}

// start follows tree from now on, if it is one of ours and its files can
// be found: a volume's only while it is mounted.
func (fl *following) start(tree string) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if fl.started[tree] {
		return
	}
	top, ok := fl.tops[tree]
	if !ok {
		name := filepath.Base(tree)
		volume := strings.HasPrefix(name, "uuid-") || strings.HasPrefix(name, "label-")
		if filepath.Dir(tree) != fl.dir || !volume || time.Since(fl.unmounted[tree]) < mountRecheck {
			return
		}
		if top, ok = resolve.MountOfTree(fl.udevDir, "", name); !ok {
			fl.unmounted[tree] = time.Now()
			return
		}
	}
	fl.started[tree] = true
	fl.f.Follow(tree, top, followedTree{fl.d, tree})
}

// forgot hears that the follower stopped following tree (its volume was
// unmounted): a later write follows it again if it is mounted then.
func (fl *following) forgot(tree string) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	delete(fl.started, tree)
}

func (fl *following) changed(tree, path string) {
	if fl == nil {
		return
	}
	fl.start(tree)
	fl.f.Changed(tree, path)
}

func (fl *following) removed(tree, path string) {
	if fl != nil {
		fl.f.Removed(tree, path)
	}
}

func (fl *following) moved(tree, src, dst string) {
	if fl != nil {
		fl.f.Moved(tree, src, dst)
	}
}

// followedAlready reports whether a client's Move repeats a rename whose
// metadata already followed; the caller holds d.writes.
func (fl *following) followedAlready(t *tree, src, dst string) bool {
	if fl == nil || !fl.f.FollowedAlready(t.name, src, dst) {
		return false
	}
	has, err := hasMetadata(t.st, src)
	return err == nil && !has
}

// save has the follower write its identities out now (they name paths
// too).
func (fl *following) save() {
	if fl != nil {
		fl.f.Save()
	}
}

func (fl *following) close() {
	if fl != nil {
		fl.mounts.stop()
		fl.f.Close()
	}
}

func (fl *following) status() *follow.Status {
	if fl == nil {
		return nil
	}
	s := fl.f.Status()
	return &s
}

// followedTree is one tree as the follower sees it.
type followedTree struct {
	d    *daemon
	file string
}

func (ft followedTree) use(fn func(t *tree) error) error {
	t, cerr := ft.d.trees.get(ft.file)
	if cerr != nil {
		return cerr
	}
	defer ft.d.trees.release(t)
	return fn(t)
}

func (ft followedTree) Paths() (paths []string, err error) {
	err = ft.use(func(t *tree) error {
		root, _, err := t.st.Merged()
		if err != nil {
			return err
		}
		var walk func(n *format.Node, p string)
		walk = func(n *format.Node, p string) {
			if len(n.Keys) > 0 {
				paths = append(paths, p)
			}
			for _, k := range n.Children {
				walk(k, joinPath(p, k.Name))
			}
		}
		walk(root, "/")
		return nil
	})
	return paths, err
}

func (ft followedTree) HasMetadata(path string) (has bool, err error) {
	err = ft.use(func(t *tree) error {
		has, err = hasMetadata(t.st, path)
		return err
	})
	return has, err
}

// Follow is a Move call of the daemon's own: the same journal entry, the
// same signals, made only when src has metadata, in one step for the
// clients' calls (d.writes).
func (ft followedTree) Follow(src, dst string) (moved bool, err error) {
	ft.d.writes.Lock()
	defer ft.d.writes.Unlock()
	err = ft.use(func(t *tree) error {
		has, err := hasMetadata(t.st, src)
		if err != nil || !has {
			return err
		}
		if err := t.st.Move(src, dst); err != nil {
			return err
		}
		moved = true
		ft.d.notify.changed(ft.file, src)
		ft.d.notify.changed(ft.file, dst)
		ft.d.trees.written(t)
		return nil
	})
	return moved, err
}

// Forget is a Remove call of the daemon's own (--forget-missing-after).
func (ft followedTree) Forget(path string) error {
	ft.d.writes.Lock()
	defer ft.d.writes.Unlock()
	return ft.use(func(t *tree) error {
		if err := t.st.Remove(path); err != nil {
			return err
		}
		ft.d.notify.changed(ft.file, path)
		ft.d.trees.written(t)
		return nil
	})
}

// hasMetadata reports whether path or anything below it has a key.
func hasMetadata(st *store.Store, path string) (bool, error) {
	keys, err := st.Keys(path)
	if err != nil || len(keys) > 0 {
		return len(keys) > 0, err
	}
	kids, err := st.Children(path)
	if err != nil {
		return false, err
	}
	for _, k := range kids {
		if k.HasData {
			return true, nil
		}
		if k.HasChildren {
			if has, err := hasMetadata(st, joinPath(path, k.Name)); err != nil || has {
				return has, err
			}
		}
	}
	return false, nil
}

func joinPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}
