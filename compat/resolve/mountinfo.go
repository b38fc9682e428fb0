// SPDX-License-Identifier: LGPL-2.0-or-later

package resolve

import (
	"fmt"
	"os"
	"strings"
)

// mountRoots reads a mountinfo file (see proc(5)) into mount point → the
// root of the mounted file system that is visible there, for mounts whose
// root is not "/" (bind mounts of a subdirectory): a file's path inside
// its volume's tree then starts from that root, as the C client computes.
func mountRoots(path string) map[string]string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	roots := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[3] == "/" {
			continue
		}
		mount := UnescapeOctal(f[4])
		if _, dup := roots[mount]; !dup {
			roots[mount] = UnescapeOctal(f[3])
		}
	}
	return roots
}

// UnescapeOctal undoes mountinfo's \NNN escapes (of space, tab, newline
// and backslash).
func UnescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s)+0 && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// MountOfTree finds where the volume whose tree is named tree (TreeOfDevice
// with udev's database in udevDir) is mounted now, whole (its root at the
// mount point), as listed in a mountinfo file (/proc/self/mountinfo when
// empty). ok is false when no such volume is mounted.
func MountOfTree(udevDir, mountinfo, tree string) (mountPoint string, ok bool) {
	if mountinfo == "" {
		mountinfo = "/proc/self/mountinfo"
	}
	b, err := os.ReadFile(mountinfo)
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[3] != "/" {
			continue
		}
		var major, minor uint32
		if _, err := fmt.Sscanf(f[2], "%d:%d", &major, &minor); err != nil {
			continue
		}
		if TreeOfDevice(udevDir, major, minor) == tree {
			return UnescapeOctal(f[4]), true
		}
	}
	return "", false
}
