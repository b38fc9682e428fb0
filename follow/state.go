// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The identities of the files that have metadata are kept in a small file
// of our own, one per tree, so that renames made while the daemon was not
// running can be found at the next start. It is a cache: a file that
// cannot be read only means fewer files are found again. It is never part
// of the tree format, which the C readers share.

const stateHeader = "gvfs-metadata follow 1"

// StateDir is where the daemon keeps those files:
// $XDG_STATE_HOME/gvfs-metadata, or ~/.local/state/gvfs-metadata.
func StateDir(home string) string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "gvfs-metadata")
}

// StateFile is the file that keeps the identities of the tree file tree.
func StateFile(dir, tree string) string {
	return filepath.Join(dir, filepath.Base(tree)+".follow")
}

// LoadIdentities reads a state file: the identity of each path that had
// metadata when it was written. Lines that do not parse are left out.
func LoadIdentities(file string) (map[string]Identity, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	ids, ok := parseIdentities(b)
	if !ok {
		return nil, fmt.Errorf("%s: not a gvfs-metadata follow file", file)
	}
	return ids, nil
}

// parseIdentities reads a state file's bytes; ok is false when the header
// is not there.
func parseIdentities(b []byte) (ids map[string]Identity, ok bool) {
	first, rest, _ := bytes.Cut(b, []byte("\n"))
	if string(first) != stateHeader {
		return nil, false
	}
	ids = map[string]Identity{}
	sc := bufio.NewScanner(bytes.NewReader(rest))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if p, id, ok := parseStateLine(sc.Text()); ok {
			ids[p] = id
		}
	}
	return ids, true
}

func parseStateLine(line string) (string, Identity, bool) {
	f := strings.SplitN(line, " ", 8)
	if len(f) != 8 {
		return "", Identity{}, false
	}
	var nums [6]int64
	for i := range nums {
		v, err := strconv.ParseInt(f[i], 10, 64)
		if i < 2 { // device and inode numbers are unsigned
			var u uint64
			u, err = strconv.ParseUint(f[i], 10, 64)
			v = int64(u)
		}
		if err != nil {
			return "", Identity{}, false
		}
		nums[i] = v
	}
	p, err := strconv.Unquote(f[7])
	if err != nil || !strings.HasPrefix(p, "/") || (f[6] != "d" && f[6] != "f") {
		return "", Identity{}, false
	}
	id := Identity{Dev: uint64(nums[0]), Ino: uint64(nums[1]), Birth: nums[2], Mtime: nums[3], Size: nums[4], Links: uint32(nums[5]), Dir: f[6] == "d"}
	return p, id, id.Known()
}

// saveIdentities writes a state file whole, under a new name renamed over
// the old one, so a reader sees one or the other.
func saveIdentities(file string, ids func(yield func(string, Identity))) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	b := formatIdentities(ids)
	tmp := file + ".new"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, file)
}

// formatIdentities is a state file's bytes.
func formatIdentities(ids func(yield func(string, Identity))) []byte {
	var b bytes.Buffer
	b.WriteString(stateHeader + "\n")
	ids(func(p string, id Identity) {
		kind := "f"
		if id.Dir {
			kind = "d"
		}
		fmt.Fprintf(&b, "%d %d %d %d %d %d %s %s\n", id.Dev, id.Ino, id.Birth, id.Mtime, id.Size, id.Links, kind, strconv.Quote(p))
	})
	return b.Bytes()
}
