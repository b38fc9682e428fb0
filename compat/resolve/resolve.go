// SPDX-License-Identifier: LGPL-2.0-or-later

package resolve

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Location is where a file's metadata lives.
type Location struct {
	Tree     string // tree name: "home", "root", "uuid-...", "label-..."
	TreeFile string // the tree file clients name in D-Bus calls
	Path     string // the path inside the tree
}

// Resolver computes Locations for one user.
type Resolver struct {
	// Home is the home directory ($HOME).
	Home string
	// DataDir is the user data directory ($XDG_DATA_HOME, or
	// ~/.local/share); trees live in DataDir/gvfs-metadata.
	DataDir string
	// TreeForDevice names the tree of a block device (the daemon's
	// GetTreeFromDevice); nil or "" means none, and the "root" tree is used.
	TreeForDevice func(major, minor uint32) (string, error)
	// MountInfo is the mountinfo file to read bind-mount roots from;
	// /proc/self/mountinfo when empty.
	MountInfo string

	homeExpanded string
	homeDev      uint64
}

// FromEnvironment makes a Resolver for the current user's environment,
// as GLib finds it.
func FromEnvironment(treeForDevice func(major, minor uint32) (string, error)) (*Resolver, error) {
	home := os.Getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return nil, err
		}
	}
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" || !filepath.IsAbs(data) {
		data = filepath.Join(home, ".local", "share")
	}
	return &Resolver{Home: home, DataDir: data, TreeForDevice: treeForDevice}, nil
}

func (r *Resolver) init() {
	if r.homeExpanded != "" {
		return
	}
	var st syscall.Stat_t
	if syscall.Stat(r.Home, &st) == nil {
		r.homeDev = st.Dev
	}
	r.homeExpanded, _ = expandAll(canonicalize(r.Home))
}

// TreeFile is the path of the tree file named tree.
func (r *Resolver) TreeFile(tree string) string {
	return filepath.Join(r.DataDir, "gvfs-metadata", tree)
}

// Resolve locates a file's metadata, with the device the file itself is on
// (lstat; the parent's when the file does not exist), as applications do
// when they set metadata.
func (r *Resolver) Resolve(name string) Location {
	return r.ResolveOnDevice(name, deviceOf(name))
}

// ResolveOnDevice locates a file whose device is known (0: unknown, use
// its parent's).
func (r *Resolver) ResolveOnDevice(name string, dev uint64) Location {
	r.init()
	expanded, parentDev := expandParents(name)
	if dev == 0 {
		dev = parentDev
	}
	if dev == r.homeDev && hasPathPrefix(expanded, r.homeExpanded) {
		rest := strings.TrimPrefix(expanded, r.homeExpanded)
		if rest == "" {
			rest = "/"
		}
		return r.location("home", rest)
	}
	if r.TreeForDevice != nil {
		// Like applications, fall back to the root tree when the daemon
		// cannot name the volume.
		if tree, err := r.TreeForDevice(major(dev), minor(dev)); err == nil && tree != "" {
			if mount := mountPointOf(expanded, dev); mount != "/" {
				rest := strings.TrimPrefix(expanded, mount)
				if rest == "" {
					rest = "/"
				}
				mi := r.MountInfo
				if mi == "" {
					mi = "/proc/self/mountinfo"
				}
				if root, ok := mountRoots(mi)[mount]; ok {
					rest = join(root, rest)
				}
				return r.location(tree, rest)
			}
		}
	}
	return r.location("root", expanded)
}

func (r *Resolver) location(tree, path string) Location {
	return Location{Tree: tree, TreeFile: r.TreeFile(tree), Path: path}
}

// hasPathPrefix reports whether prefix is path or one of its ancestors.
func hasPathPrefix(path, prefix string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return prefix == "" || strings.HasSuffix(prefix, "/") || len(path) == len(prefix) || path[len(prefix)] == '/'
}

// mountPointOf walks up from a file to the topmost directory still on its
// device: the mount point of its volume.
func mountPointOf(file string, dev uint64) string {
	last := file
	for dir := dirname(file); dir != "" && deviceOf(dir) == dev; dir = dirname(dir) {
		last = dir
	}
	if dirname(file) == "" {
		return "/"
	}
	return last
}

// major and minor split a Linux dev_t.
func major(dev uint64) uint32 { return uint32((dev>>8)&0xfff | (dev>>32)&^0xfff) }
func minor(dev uint64) uint32 { return uint32(dev&0xff | (dev>>12)&^0xff) }

// HomeExpanded is the home directory with every symlink resolved: home
// tree paths are relative to it.
func (r *Resolver) HomeExpanded() string {
	r.init()
	return r.homeExpanded
}
