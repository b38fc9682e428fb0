// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// Problem is one violation of the file format, at a file offset.
type Problem struct {
	Offset int64
	Msg    string
}

func (p Problem) String() string { return fmt.Sprintf("offset %d: %s", p.Offset, p.Msg) }

// maxProblems bounds a report; a file that is garbage throughout would
// otherwise yield one problem per byte.
const maxProblems = 1000

type checker struct{ problems []Problem }

func (c *checker) add(off int64, format string, args ...any) {
	if len(c.problems) < maxProblems {
		c.problems = append(c.problems, Problem{off, fmt.Sprintf(format, args...)})
	}
}

func (c *checker) addErr(err error) {
	if fe, ok := err.(*FormatError); ok {
		c.add(fe.Offset, "%s", fe.Msg)
		return
	}
	c.add(0, "%v", err)
}

// CheckTree checks every structural rule of a tree file, more than readers
// need to stay safe: the header, the key table (offsets, termination,
// strict bytewise order), and for every entry reachable from the root its
// name, its children (in bounds, aligned, strictly sorted by name, each
// block reached once) and its metadata (in bounds, key ids inside the key
// table and strictly increasing, values terminated). It returns nothing
// for a well-formed file.
func CheckTree(data []byte) []Problem {
	var c checker
	t, err := ParseTree(data)
	if err != nil {
		c.addErr(err)
		return c.problems
	}
	if v := be.Uint32(data[RotatedOffset:]); v != 0 {
		c.add(RotatedOffset, "tree is marked rotated (%#x): a newer tree replaced it", v)
	}
	for i := 1; i < len(t.keys); i++ {
		if bytes.Compare(t.keys[i-1], t.keys[i]) >= 0 {
			c.add(int64(be.Uint32(data[treeKeysOffset:]))+4+4*int64(i), "key table not in strict bytewise order: %q after %q", t.keys[i], t.keys[i-1])
		}
	}
	for i, k := range t.keys {
		if !utf8.Valid(k) {
			c.add(int64(be.Uint32(data[treeKeysOffset:]))+4+4*int64(i), "key %q is not UTF-8", k)
		}
	}
	root := t.Root()
	if name, err := root.Name(); err != nil {
		c.addErr(err)
	} else if string(name) != "/" {
		c.add(int64(root.off), "root entry is named %q, not \"/\"", name)
	}
	seen := map[uint32]bool{}
	queue := []Dirent{root}
	for len(queue) > 0 && len(c.problems) < maxProblems {
		d := queue[0]
		queue = queue[1:]
		c.checkData(d)
		dir, err := d.Children()
		if err != nil {
			c.addErr(err)
			continue
		}
		if dir.off == 0 {
			continue
		}
		if seen[dir.off] {
			c.add(int64(d.off)+4, "children block at %d is reached a second time", dir.off)
			continue
		}
		seen[dir.off] = true
		var prev []byte
		for i := 0; i < dir.Len(); i++ {
			child := dir.Child(i)
			name, err := child.Name()
			if err != nil {
				c.addErr(err)
				continue
			}
			switch {
			case len(name) == 0:
				c.add(int64(child.off), "entry has an empty name")
			case bytes.IndexByte(name, '/') >= 0:
				c.add(int64(child.off), "entry name %q contains a slash", name)
			}
			if i > 0 && prev != nil && bytes.Compare(prev, name) >= 0 {
				c.add(int64(child.off), "children not in strict bytewise order: %q after %q", name, prev)
			}
			prev = name
			queue = append(queue, child)
		}
	}
	return c.problems
}

func (c *checker) checkData(d Dirent) {
	data, err := d.Data()
	if err != nil {
		c.addErr(err)
		return
	}
	for i := 0; i < data.Len(); i++ {
		it := data.Item(i)
		if _, err := it.Key(); err != nil {
			c.addErr(err)
		}
		if i > 0 && data.Item(i-1).KeyID >= it.KeyID {
			c.add(int64(it.Offset), "metadata keys not in strictly increasing id order (%d after %d)", it.KeyID, data.Item(i-1).KeyID)
		}
		if it.IsList {
			if _, err := it.Values(); err != nil {
				c.addErr(err)
			}
		} else if _, err := it.Value(); err != nil {
			c.addErr(err)
		}
	}
}

// CheckJournal checks a journal against the tag of its tree: the header
// (magic, version, tag, size) and every published entry. An invalid entry
// hides itself and everything after it from readers; it is reported once,
// with the number of published entries lost.
func CheckJournal(data []byte, tag uint32) []Problem {
	var c checker
	j, err := ParseJournal(data, tag)
	if err != nil {
		c.addErr(err)
		return c.problems
	}
	if err := j.Broken(); err != nil {
		c.addErr(err)
		c.add(JournalNumEntriesOffset, "header publishes %d entries, only the first %d are valid", j.Published(), j.Len())
	}
	return c.problems
}
