// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import (
	"os"
	"path/filepath"
	"strings"

	"gvfs-metadata/compat/resolve"
)

// Forgetting missing files (Config.ForgetMissingAfter). Off by default:
// metadata of a deleted file stays until `gvfs-meta gc` or `forget`.

// expire removes the metadata of a tree's entries whose file has been
// missing for longer than the configured time, as a client's Remove
// would, unless the file is below a mount point that is empty now (an
// unplugged disk's files are missing, not deleted). It returns how many
// it removed.
func (f *Follower) expire(t *tracked) int {
	after := f.cfg.ForgetMissingAfter
	if after <= 0 {
		return 0
	}
	cutoff := f.now().Add(-after).Unix()
	var due []*node
	t.entries.walk(func(e *node) {
		if e.meta && e.lost && e.since > 0 && e.since <= cutoff {
			due = append(due, e)
		}
	})
	mounts := readMounts(f.cfg.Fstab, f.cfg.Mountinfo)
	n := 0
	for _, e := range due {
		if !t.holds(e) {
			continue // removed with a directory above it
		}
		p := e.path()
		if exists(t.disk(p)) || mounts.absent(t.disk(p)) {
			continue
		}
		if err := t.tree.Forget(p); err != nil {
			f.cfg.Logf("forgetting %s, missing since %d: %v", p, e.since, err)
			continue
		}
		parent := e.parent
		t.entries.detach(p)
		parent.prune()
		f.counts.Expired++
		f.dirty = true
		n++
	}
	return n
}

// mountTable is what expire needs of the system's mounts: the mount points
// fstab names (and the places removable media mount at), and those
// mounted now.
type mountTable struct {
	declared []string
	mounted  map[string]bool
}

// removableRoots are where desktops mount removable media.
var removableRoots = []string{"/media", "/run/media", "/mnt"}

func readMounts(fstab, mountinfo string) mountTable {
	if fstab == "" {
		fstab = "/etc/fstab"
	}
	if mountinfo == "" {
		mountinfo = "/proc/self/mountinfo"
	}
	m := mountTable{mounted: map[string]bool{}}
	if b, err := os.ReadFile(fstab); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && !strings.HasPrefix(f[0], "#") && strings.HasPrefix(f[1], "/") && f[1] != "/" {
				m.declared = append(m.declared, resolve.UnescapeOctal(f[1]))
			}
		}
	}
	if b, err := os.ReadFile(mountinfo); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 5 {
				m.mounted[resolve.UnescapeOctal(f[4])] = true
			}
		}
	}
	return m
}

// absent reports whether the file at path would be on a volume that is
// not mounted now: below a mount point fstab declares that is not
// mounted, or below a removable-media directory (/media/u/DISK) whose
// volume is not mounted.
func (m mountTable) absent(path string) bool {
	for _, d := range m.declared {
		if isUnder(path, d) && !m.mounted[d] {
			return true
		}
	}
	for _, root := range removableRoots {
		if !isUnder(path, root) {
			continue
		}
		// Mounted at some directory between root and the file?
		for dir := filepath.Dir(path); dir != root && dir != "/" && dir != "."; dir = filepath.Dir(dir) {
			if m.mounted[dir] {
				return false
			}
		}
		return true
	}
	return false
}
