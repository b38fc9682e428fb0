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

const stateHeader = "gvfs-metadata follow 2"

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
	saved, err := loadState(file)
	if err != nil {
		return nil, err
	}
	ids := map[string]Identity{}
	for p, e := range saved {
		if e.id.Known() {
			ids[p] = e.id
		}
	}
	return ids, nil
}

// savedEntry is what the state file keeps of one path: its file's
// identity (zero when never read), and since when (seconds since the
// epoch) its file has been missing, 0 when it is not.
type savedEntry struct {
	id    Identity
	since int64
}

func loadState(file string) (map[string]savedEntry, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	saved, ok := parseState(b)
	if !ok {
		return nil, fmt.Errorf("%s: not a gvfs-metadata follow file", file)
	}
	return saved, nil
}

// parseState reads a state file's bytes; ok is false when the header is
// not there.
func parseState(b []byte) (saved map[string]savedEntry, ok bool) {
	first, rest, _ := bytes.Cut(b, []byte("\n"))
	if string(first) != stateHeader {
		return nil, false
	}
	saved = map[string]savedEntry{}
	sc := bufio.NewScanner(bytes.NewReader(rest))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if p, e, ok := parseStateLine(sc.Text()); ok {
			saved[p] = e
		}
	}
	return saved, true
}

// parseStateLine reads "dev ino birth mtime size links kind since path".
func parseStateLine(line string) (string, savedEntry, bool) {
	f := strings.SplitN(line, " ", 9)
	if len(f) != 9 {
		return "", savedEntry{}, false
	}
	var nums [7]int64
	for i, field := range append(f[:6:6], f[7]) {
		v, err := strconv.ParseInt(field, 10, 64)
		if i < 2 { // device and inode numbers are unsigned
			var u uint64
			u, err = strconv.ParseUint(field, 10, 64)
			v = int64(u)
		}
		if err != nil {
			return "", savedEntry{}, false
		}
		nums[i] = v
	}
	p, err := strconv.Unquote(f[8])
	if err != nil || !strings.HasPrefix(p, "/") || (f[6] != "d" && f[6] != "f") {
		return "", savedEntry{}, false
	}
	id := Identity{Dev: uint64(nums[0]), Ino: uint64(nums[1]), Birth: nums[2], Mtime: nums[3], Size: nums[4], Links: uint32(nums[5]), Dir: f[6] == "d"}
	e := savedEntry{id: id, since: max(nums[6], 0)}
	return p, e, id.Known() || e.since > 0
}

// saveState writes a state file whole, under a new name renamed over the
// old one, so a reader sees one or the other.
func saveState(file string, entries func(yield func(string, savedEntry))) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	tmp := file + ".new"
	if err := os.WriteFile(tmp, formatState(entries), 0o600); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, file)
}

// formatState is a state file's bytes.
func formatState(entries func(yield func(string, savedEntry))) []byte {
	var b bytes.Buffer
	b.WriteString(stateHeader + "\n")
	entries(func(p string, e savedEntry) {
		kind := "f"
		if e.id.Dir {
			kind = "d"
		}
		id := e.id
		fmt.Fprintf(&b, "%d %d %d %d %d %d %s %d %s\n", id.Dev, id.Ino, id.Birth, id.Mtime, id.Size, id.Links, kind, e.since, strconv.Quote(p))
	})
	return b.Bytes()
}
