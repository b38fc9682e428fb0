// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"slices"
	"sort"
)

// Node is one path of an in-memory tree handed to Build.
type Node struct {
	Name        string // a single path component; ignored for the root
	LastChanged int64  // seconds since the epoch, 0 = unknown
	Keys        []KeyValue
	Children    []*Node
}

// KeyValue is one key of a Node: a string, or a string list when IsList.
type KeyValue struct {
	Key    string
	Value  string
	List   []string
	IsList bool
}

// SameValue reports whether kv and o hold the same value, whatever their
// keys: a string equals only a string, a list only a list with the same
// items in the same order (a nil list and an empty one are the same).
func (kv KeyValue) SameValue(o KeyValue) bool {
	if kv.IsList != o.IsList {
		return false
	}
	if !kv.IsList {
		return kv.Value == o.Value
	}
	return slices.Equal(kv.List, o.List)
}

// Sort puts keys and children in the order the file requires (bytewise),
// recursively. Build expects sorted input.
func (n *Node) Sort() {
	sort.Slice(n.Keys, func(i, j int) bool { return n.Keys[i].Key < n.Keys[j].Key })
	sort.Slice(n.Children, func(i, j int) bool { return n.Children[i].Name < n.Children[j].Name })
	for _, c := range n.Children {
		c.Sort()
	}
}

// Build lays out a tree file for root in the C builder's block order (see
// Writer). Keys and children must be sorted (see Node.Sort). Unlike the C
// builder, the root's last_changed is stored relative to the time base
// like every other entry.
func Build(root *Node, tag uint32) []byte {
	order := breadthFirst(root)
	var lo, hi int64
	for _, n := range order {
		if t := n.LastChanged; t != 0 {
			if lo == 0 || t < lo {
				lo = t
			}
			hi = max(hi, t)
		}
	}
	w, rootOff := NewWriter(tag, TimeBase(lo, hi), collectKeys(order), root.LastChanged, 0)
	dirents := make([]uint32, len(order))
	dirents[0] = rootOff
	next := 1
	for i, n := range order {
		w.BeginChildren(dirents[i])
		for _, c := range n.Children {
			dirents[next] = w.Child(c.Name, c.LastChanged)
			next++
		}
		w.EndChildren()
	}
	w.Metadata(rootOff, root.Keys)
	w.EndMetadataRun()
	next = 1
	for _, n := range order {
		for _, c := range n.Children {
			w.Metadata(dirents[next], c.Keys)
			next++
		}
		w.EndMetadataRun()
	}
	return w.Bytes()
}

// breadthFirst lists the nodes in the order their entries are written.
func breadthFirst(root *Node) []*Node {
	order := []*Node{root}
	for i := 0; i < len(order); i++ {
		order = append(order, order[i].Children...)
	}
	return order
}

// collectKeys lists every key name used, once.
func collectKeys(order []*Node) []string {
	seen := map[string]bool{}
	var names []string
	for _, n := range order {
		for _, kv := range n.Keys {
			if !seen[kv.Key] {
				seen[kv.Key] = true
				names = append(names, kv.Key)
			}
		}
	}
	return names
}

// stringBlock collects the strings referenced since the last flush; each
// distinct string is stored once and every slot that named it is patched.
type stringBlock struct {
	index map[string]int32 // string -> position in strs
	strs  []string
	first []int32  // per string: its first slot in slots, -1 none
	last  []int32  // per string: its last slot
	slots []uint32 // offsets to patch
	next  []int32  // per slot: the next slot of the same string, -1 none
}

// The slots of one string form a linked list in flat slices, and
// everything is reused across blocks: a tree has a string block per
// directory, and allocating per block (or per string) dominated the cost
// of writing large trees.
func (b *stringBlock) ref(out []byte, s string) []byte {
	i, ok := b.index[s]
	if !ok {
		i = b.add(s)
	}
	return b.use(out, i)
}

// refBytes is ref for a string still in bytes (of an old tree): it only
// allocates for the first occurrence in a block.
func (b *stringBlock) refBytes(out []byte, s []byte) []byte {
	i, ok := b.index[string(s)]
	if !ok {
		i = b.add(string(s))
	}
	return b.use(out, i)
}

// add registers a string not yet in the block and returns its position.
func (b *stringBlock) add(s string) int32 {
	if b.index == nil {
		b.index = map[string]int32{}
	}
	i := int32(len(b.strs))
	b.index[s] = i
	b.strs = append(b.strs, s)
	b.first = append(b.first, -1)
	b.last = append(b.last, -1)
	return i
}

// use appends a slot naming string i, to be patched at flush.
func (b *stringBlock) use(out []byte, i int32) []byte {
	slot := int32(len(b.slots))
	b.slots = append(b.slots, uint32(len(out)))
	b.next = append(b.next, -1)
	if b.first[i] < 0 {
		b.first[i] = slot
	} else {
		b.next[b.last[i]] = slot
	}
	b.last[i] = slot
	return be.AppendUint32(out, 0)
}

func (b *stringBlock) flush(out []byte) []byte {
	for i, s := range b.strs {
		at := uint32(len(out))
		out = append(out, s...)
		out = append(out, 0)
		for slot := b.first[i]; slot >= 0; slot = b.next[slot] {
			be.PutUint32(out[b.slots[slot]:], at)
		}
	}
	clear(b.index)
	b.strs, b.first, b.last = b.strs[:0], b.first[:0], b.last[:0]
	b.slots, b.next = b.slots[:0], b.next[:0]
	return padTo4(out)
}

type pendingList struct {
	slot  uint32
	items []string
	// or, for a list copied from an old tree, its table there
	old      *Tree
	oldTable uint32
}

// listBlock holds the string-list tables of one run of metadata blocks.
type listBlock struct{ pending []pendingList }

// flush writes the tables newest first, as the C builder does, with their
// items going into the shared string block.
func (b *listBlock) flush(out []byte, strs *stringBlock) []byte {
	for i := len(b.pending) - 1; i >= 0; i-- {
		p := b.pending[i]
		be.PutUint32(out[p.slot:], uint32(len(out)))
		if p.old != nil {
			n := be.Uint32(p.old.data[p.oldTable:])
			out = be.AppendUint32(out, n)
			for k := range n {
				item, _ := cString(p.old.data, uint64(be.Uint32(p.old.data[p.oldTable+4+4*k:])))
				out = strs.refBytes(out, item)
			}
			continue
		}
		out = be.AppendUint32(out, uint32(len(p.items)))
		for _, s := range p.items {
			out = strs.ref(out, s)
		}
	}
	b.pending = b.pending[:0]
	return out
}

func padTo4(out []byte) []byte {
	for len(out)%4 != 0 {
		out = append(out, 0)
	}
	return out
}
