// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"bytes"
	"slices"
	"strings"

	"gvfs-metadata/format"
)

// How a journal entry changes the tree readers see. Three rules, each
// written once below and used everywhere:
//   - a key entry (set, set-list, unset) decides that key of its path; the
//     newest one wins;
//   - a remove hides its path and everything below it;
//   - a copy makes its path (and everything below) what its source was
//     just before the copy, replacing what was there.
//
// Rotations read the entries oldest first and change a tree (replayChange,
// on the decoded nodes of a full rebuild or the overlay of a copying one);
// lookups read them newest first from the path they look up, as the C
// reader does (view.walk), and ask what decides a key, a path's keys or
// its children (decide, decideKeys, decideChildren); read.go only merges
// those decisions with the tree. The model test holds both directions to the
// same meaning, and the rebuild tests hold the two trees byte-identical.

// replayTree is a tree a rotation replays entries on. N names a node in
// place; S is a detached copy of a subtree, made by clone and attached by
// graft.
type replayTree[N, S any] interface {
	// node returns the node at a path (its components), making the
	// missing ones when create is set; ok is false when it is missing.
	node(path []string, create bool) (n N, ok bool, err error)
	setKey(n N, kv format.KeyValue) error
	unsetKey(n N, key string) error
	setTime(n N, t int64)
	// clear drops a node's keys and children.
	clear(n N)
	// removeChild drops the child called name, if there is one.
	removeChild(parent N, name string) (removed bool, err error)
	// clone copies the subtree at n; a copy time other than 0 becomes
	// the time of every copied entry, as the C builder gives them.
	clone(n N, copyTime int64) S
	// graft makes n hold the cloned subtree's keys, children and time.
	graft(n N, s S)
}

// replayChange applies one journal entry to a tree, oldest entries first.
// Where the C writer and the C reader disagree, it follows what readers
// saw, so that a rotation never changes it: a copy takes its source as it
// was before the destination is cleared (copying a directory onto its own
// ancestor keeps what readers saw), and removing "/" also clears the
// root's own keys (readers already saw them gone).
func replayChange[N, S any](t replayTree[N, S], c *format.Change) error {
	mtime := int64(c.Mtime)
	path := components(c.Path)
	switch c.Op {
	case format.OpSet, format.OpSetList:
		n, _, err := t.node(path, true)
		if err != nil {
			return err
		}
		kv := format.KeyValue{Key: c.Key, Value: c.Value}
		if c.Op == format.OpSetList {
			kv = format.KeyValue{Key: c.Key, List: slices.Clone(c.List), IsList: true}
		}
		if err := t.setKey(n, kv); err != nil {
			return err
		}
		t.setTime(n, mtime)
	case format.OpUnset:
		n, ok, err := t.node(path, false)
		if err != nil || !ok {
			return err
		}
		if err := t.unsetKey(n, c.Key); err != nil {
			return err
		}
		t.setTime(n, mtime)
	case format.OpCopy:
		src, found, err := t.node(components(c.Source), false)
		if err != nil {
			return err
		}
		var copied S
		if found {
			copied = t.clone(src, mtime)
		}
		if err := removePath(t, path, mtime); err != nil || !found {
			return err
		}
		dst, _, err := t.node(path, true)
		if err != nil {
			return err
		}
		t.graft(dst, copied)
	case format.OpRemove:
		return removePath(t, path, mtime)
	}
	return nil
}

// removePath hides a path and everything below it. The directory that
// lost an entry takes the removal's time (when it has one).
func removePath[N, S any](t replayTree[N, S], path []string, mtime int64) error {
	if len(path) == 0 {
		root, _, err := t.node(nil, false)
		if err != nil {
			return err
		}
		t.clear(root)
		if mtime != 0 {
			t.setTime(root, mtime)
		}
		return nil
	}
	parent, ok, err := t.node(path[:len(path)-1], false)
	if err != nil || !ok {
		return err
	}
	removed, err := t.removeChild(parent, path[len(path)-1])
	if err != nil || !removed {
		return err
	}
	if mtime != 0 {
		t.setTime(parent, mtime)
	}
	return nil
}

// components splits a path the way readers do: empty components (repeated
// or trailing slashes) do not count.
func components(path string) []string {
	parts := strings.Split(path, "/")
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// The same rules, asked of one entry and one path. Lookups, rotations
// and the co-writer seam ask these; none restates them.

// isKeyOp reports whether op sets or unsets one key of its path.
func isKeyOp(op format.Op) bool {
	return op == format.OpSet || op == format.OpSetList || op == format.OpUnset
}

// keyEntryOf reports whether e is a key entry of path: it decides its
// key there.
func keyEntryOf(e *format.Entry, path []byte) bool {
	return isKeyOp(e.Op) && bytes.Equal(e.Path, path)
}

// replaces reports whether e, a remove or a copy, replaces path and
// everything below it: e's path is path or one of its ancestors.
func replaces(e *format.Entry, path []byte) bool {
	if e.Op != format.OpRemove && e.Op != format.OpCopy {
		return false
	}
	_, under := prefixRemainder(path, e.Path)
	return under
}

// hides reports whether e removes path (it or an ancestor).
func hides(e *format.Entry, path []byte) bool {
	return e.Op == format.OpRemove && replaces(e, path)
}

// covers reports whether e decides key of path: a key entry of that key,
// or a remove or copy that replaces the path.
func covers(e *format.Entry, path []byte, key string) bool {
	if isKeyOp(e.Op) {
		return bytes.Equal(e.Path, path) && string(e.Key) == key
	}
	return replaces(e, path)
}

// reaches reports whether e changes or reads anything at or below path:
// its path, or a copy's source, is path or lies below it.
func reaches(e *format.Entry, path []byte) bool {
	if _, under := prefixRemainder(e.Path, path); under {
		return true
	}
	_, under := prefixRemainder(e.Source, path)
	return under && e.Op == format.OpCopy
}

// walk visits the entries newest first, following the C reader: fn sees
// each entry with the path as rewritten by the copies met so far, and
// returns false to stop. walk returns the final path (to look up in the
// tree) and whether it got there without being stopped: a remove of the
// path or an ancestor hides it, a copy onto it sends the lookup on to the
// copy's source.
func (v view) walk(path []byte, fn func(e *format.Entry, path []byte) bool) ([]byte, bool) {
	for _, b := range v.entries {
		e, err := format.DecodeEntry(b, 0)
		if err != nil || !e.Op.Known() {
			continue
		}
		if !fn(&e, path) {
			return nil, false
		}
		if replaces(&e, path) {
			if e.Op == format.OpRemove {
				return nil, false
			}
			rest, _ := prefixRemainder(path, e.Path)
			path = joinPath(e.Source, rest)
		}
	}
	return path, true
}

// decide follows the C reader's walk for path to the entry that decides
// it: the newest key entry of the path (as copies rewrote it) that match
// accepts, or a remove that hides the path. When none does, final is the
// path to read in the tree. The entry's bytes are the journal's.
func (v view) decide(path []byte, match func(e *format.Entry) bool) (by format.Entry, decided bool, final []byte) {
	final, _ = v.walk(path, func(e *format.Entry, p []byte) bool {
		if (keyEntryOf(e, p) && match(e)) || hides(e, p) {
			by, decided = *e, true
			return false
		}
		return true
	})
	return by, decided, final
}

// decideKey is decide for one key.
func (v view) decideKey(path []byte, key string) (by format.Entry, decided bool, final []byte) {
	return v.decide(path, func(e *format.Entry) bool { return string(e.Key) == key })
}

// prefixRemainder reports whether prefix is path or one of its ancestors,
// and returns the rest of path below it without leading slashes. Trailing
// slashes of prefix do not count, so "/" is an ancestor of everything.
func prefixRemainder(path, prefix []byte) ([]byte, bool) {
	n := len(prefix)
	for n > 0 && prefix[n-1] == '/' {
		n--
	}
	if !bytes.HasPrefix(path, prefix[:n]) {
		return nil, false
	}
	rest := path[n:]
	if len(rest) > 0 && rest[0] != '/' {
		return nil, false
	}
	return bytes.TrimLeft(rest, "/"), true
}

// joinPath appends a relative remainder to a directory path with exactly
// one slash between them.
func joinPath(dir, rest []byte) []byte {
	if len(rest) == 0 {
		return dir
	}
	d := bytes.TrimRight(dir, "/")
	out := make([]byte, 0, len(d)+1+len(rest))
	out = append(out, d...)
	out = append(out, '/')
	return append(out, rest...)
}

// decideKeys is decide for every key of path: the newest key entry of
// each decides it (kv nil: unset), order lists the keys so decided, newest
// first. Unless a remove hid the path (reached false), final is the path
// to read the other keys of in the tree.
func (v view) decideKeys(path []byte) (decided map[string]*format.KeyValue, order []string, final []byte, reached bool) {
	decided = map[string]*format.KeyValue{}
	final, reached = v.walk(path, func(e *format.Entry, p []byte) bool {
		if keyEntryOf(e, p) {
			k := string(e.Key)
			if _, dup := decided[k]; !dup {
				kv, found := entryValue(e)
				if found {
					decided[k] = &kv
				} else {
					decided[k] = nil
				}
				order = append(order, k)
			}
		}
		return true
	})
	return decided, order, final, reached
}

// childInfo is what the journal says of one child of a listed path.
type childInfo struct {
	Child
	exists, deleted, reported bool
}

// decideChildren is what the entries say, the C reader's way, of the
// children of path: a key entry or a copy below it makes its first
// component exist (unless a newer remove of that child deleted it), with
// the newest such entry's time. Unless a remove hid the path (reached
// false), final is the path to list in the tree.
func (v view) decideChildren(path []byte) (infos map[string]*childInfo, final []byte, reached bool) {
	infos = map[string]*childInfo{}
	info := func(rest []byte) (*childInfo, bool) {
		name, _, nested := bytes.Cut(rest, []byte("/"))
		ci := infos[string(name)]
		if ci == nil {
			ci = &childInfo{Child: Child{Name: string(name)}}
			infos[ci.Name] = ci
		}
		return ci, !nested
	}
	final, reached = v.walk(path, func(e *format.Entry, p []byte) bool {
		rest, under := prefixRemainder(e.Path, p)
		if !under || len(rest) == 0 {
			return true
		}
		ci, direct := info(rest)
		switch {
		case isKeyOp(e.Op):
			if !ci.deleted {
				ci.exists = true
				if ci.LastChanged == 0 {
					ci.LastChanged = int64(e.Mtime)
				}
				ci.HasChildren = ci.HasChildren || !direct
				ci.HasData = ci.HasData || (direct && e.Op != format.OpUnset)
			}
		case e.Op == format.OpCopy:
			if !ci.deleted {
				ci.exists = true
				if ci.LastChanged == 0 {
					ci.LastChanged = int64(e.Mtime)
				}
				ci.HasChildren, ci.HasData = true, true
			}
		case e.Op == format.OpRemove && direct:
			ci.deleted = true
		}
		return true
	})
	return infos, final, reached
}
