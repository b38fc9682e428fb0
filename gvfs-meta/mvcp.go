// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"gvfs-metadata/compat/client"
	"gvfs-metadata/compat/resolve"
)

func init() {
	register("mv", "move a file or directory and its metadata together", func(args []string, stdout, stderr io.Writer) int {
		return runCarry("mv", args, stdout, stderr)
	})
	register("cp", "copy a file or directory and its metadata together", func(args []string, stdout, stderr io.Writer) int {
		return runCarry("cp", args, stdout, stderr)
	})
}

// runCarry is mv and cp: the file operation as a file manager does it,
// and the metadata carried along through the daemon, as GIO carries it.
func runCarry(cmd string, args []string, stdout, stderr io.Writer) int {
	move := cmd == "mv"
	verb, done := "Copy", "copied"
	if move {
		verb, done = "Move", "moved"
	}
	flags := newFlags(cmd, "[--metadata-only] SRC DST",
		verb+" SRC (a file, or a directory with everything in it) to DST, and its\n"+
			"metadata with it, as a file manager does: applications find the keys\n"+
			"under the new name. A DST that is a directory receives SRC inside it; an\n"+
			"existing file is never overwritten. Across file systems a move is a copy\n"+
			"and a delete.\n\n"+
			"For files already "+done+" outside a file manager (mv, cp, rsync), which\n"+
			"leaves their metadata behind, --metadata-only carries only the metadata\n"+
			"from the old name SRC to the new name DST, which must exist.",
		"gvfs-meta "+cmd+" ~/Pictures/holiday.jpg ~/Archive/\n"+
			"gvfs-meta "+cmd+" --metadata-only ~/Pictures/holiday.jpg ~/Archive/holiday.jpg", stderr)
	metadataOnly := flags.Bool("metadata-only", false, "carry only the metadata; the files are in place already")
	if stop, status := parseCommand(flags, args, stdout, operands{2, 2, "SRC DST"}); stop {
		return status
	}
	src, _ := filepath.Abs(flags.Arg(0))
	dst, _ := filepath.Abs(flags.Arg(1))
	if !*metadataOnly {
		if _, err := os.Lstat(src); err != nil {
			return fail(stderr, cmd, err)
		}
		if st, err := os.Stat(dst); err == nil && st.IsDir() {
			dst = filepath.Join(dst, filepath.Base(src))
		}
		if _, err := os.Lstat(dst); err == nil {
			return fail(stderr, cmd, fmt.Errorf("%s: %w", dst, fs.ErrExist))
		}
		if dst == src || strings.HasPrefix(dst, src+"/") {
			return fail(stderr, cmd, fmt.Errorf("cannot %s %s into itself", cmd, src))
		}
	} else if _, err := os.Lstat(dst); err != nil {
		return fail(stderr, cmd, fmt.Errorf("%w (with --metadata-only, DST is the file's new name, already there)", err))
	}

	var daemon lazyClient
	defer daemon.close()
	r, err := newResolver(&daemon)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	from := r.Resolve(src)
	entries, err := metadataUnder(from)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	var c *client.Client
	if len(entries) > 0 {
		// Reach the daemon before touching any file, so that a file is
		// not moved away from metadata that then cannot follow it.
		if c, err = daemon.get(); err != nil {
			return fail(stderr, cmd, err)
		}
	} else if *metadataOnly {
		return fail(stderr, cmd, fmt.Errorf("%s has no metadata to carry (in %s)", src, from.TreeFile))
	}

	if !*metadataOnly {
		if move {
			err = moveFiles(src, dst)
		} else {
			err = copyFiles(src, dst)
		}
		if err != nil {
			return fail(stderr, cmd, err)
		}
	}
	if len(entries) == 0 {
		return exitOK
	}
	to := r.Resolve(dst)
	if err := carryMetadata(c, move, from, to, entries); err != nil {
		if !*metadataOnly {
			fmt.Fprintf(stderr, "gvfs-meta %s: the files were %s; 'gvfs-meta %s --metadata-only %s %s' carries the metadata once the daemon answers\n",
				cmd, done, cmd, quotePath(src), quotePath(dst))
		}
		return fail(stderr, cmd, err)
	}
	fmt.Fprintf(stdout, "%s %d entries with metadata from %s to %s\n", done, len(entries), quotePath(src), quotePath(dst))
	return exitOK
}

// keyedEntry is one path at or under the carried file, relative to it
// ("" for the file itself), with its keys.
type keyedEntry struct {
	rel    string
	values map[string]any
}

// metadataUnder lists the keys of a file and of everything under it, as
// readers see them, looking up only that part of the tree. A tree that
// does not exist holds nothing.
func metadataUnder(loc resolve.Location) ([]keyedEntry, error) {
	if _, err := os.Stat(loc.TreeFile); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	s, err := openTree(loc.TreeFile)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var out []keyedEntry
	var walk func(rel string) error
	walk = func(rel string) error {
		p := strings.TrimSuffix(loc.Path, "/") + rel
		if rel == "" {
			p = loc.Path
		}
		kvs, err := s.Keys(p)
		if err != nil {
			return err
		}
		if len(kvs) > 0 {
			values := make(map[string]any, len(kvs))
			for _, kv := range kvs {
				values[kv.Key] = clientValue(kv)
			}
			out = append(out, keyedEntry{rel, values})
		}
		kids, err := s.Children(p)
		if err != nil {
			return err
		}
		for _, k := range kids {
			if k.HasChildren || k.HasData {
				if err := walk(rel + "/" + k.Name); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk("")
}

// carryMetadata gives the destination the source's keys. Within one tree
// a move is the daemon's Move, as GIO makes it for a rename; otherwise
// every entry is set in the destination's tree and, for a move, the
// source's removed.
func carryMetadata(c *client.Client, move bool, from, to resolve.Location, entries []keyedEntry) error {
	if move && from.TreeFile == to.TreeFile {
		return c.Move(from.TreeFile, from.Path, to.Path)
	}
	for _, e := range entries {
		p := to.Path
		if e.rel != "" {
			p = strings.TrimSuffix(p, "/") + e.rel
		}
		if err := c.Set(to.TreeFile, p, e.values); err != nil {
			return fmt.Errorf("%s %s: %w", to.TreeFile, p, err)
		}
	}
	if move {
		return c.Remove(from.TreeFile, from.Path)
	}
	return nil
}

// moveFiles renames src to dst, or across file systems copies and then
// deletes it, as a file manager's move does.
func moveFiles(src, dst string) error {
	err := os.Rename(src, dst)
	var le *os.LinkError
	if !errors.As(err, &le) || !errors.Is(le.Err, syscall.EXDEV) {
		return err
	}
	if err := copyFiles(src, dst); err != nil {
		return err
	}
	return os.RemoveAll(src)
}

// copyFiles copies a file, a symlink (as a link) or a directory with
// everything in it, keeping modes and change times; dst must not exist.
// A partial copy is removed again.
func copyFiles(src, dst string) (err error) {
	defer func() {
		if err != nil {
			os.RemoveAll(dst)
		}
	}()
	return copyEntry(src, dst)
}

func copyEntry(src, dst string) error {
	st, err := os.Lstat(src)
	if err != nil {
		return err
	}
	switch mode := st.Mode(); {
	case mode.IsDir():
		if err := os.Mkdir(dst, mode.Perm()|0o700); err != nil {
			return err
		}
		names, err := readDirNames(src)
		if err != nil {
			return err
		}
		for _, name := range names {
			if err := copyEntry(filepath.Join(src, name), filepath.Join(dst, name)); err != nil {
				return err
			}
		}
		if err := os.Chmod(dst, mode.Perm()); err != nil {
			return err
		}
	case mode&os.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	case mode.IsRegular():
		if err := copyContent(src, dst, mode.Perm()); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s: not a regular file, directory or symlink; not copied", src)
	}
	return os.Chtimes(dst, st.ModTime(), st.ModTime())
}

func readDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

func copyContent(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
