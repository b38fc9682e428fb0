package format

import (
	"math"
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

// Sort puts keys and children in the order the file requires (bytewise),
// recursively. Build expects sorted input.
func (n *Node) Sort() {
	sort.Slice(n.Keys, func(i, j int) bool { return n.Keys[i].Key < n.Keys[j].Key })
	sort.Slice(n.Children, func(i, j int) bool { return n.Children[i].Name < n.Children[j].Name })
	for _, c := range n.Children {
		c.Sort()
	}
}

// Build lays out a tree file for root, block by block in the order the C
// builder uses: header, key table, root entry, every children block
// breadth-first, then the root's metadata and, directory by directory, the
// metadata of its children sharing one string block. Keys and children
// must be sorted (see Node.Sort). Unlike the C builder, the root's
// last_changed is stored relative to the time base like every other entry.
func Build(root *Node, tag uint32) []byte {
	order := breadthFirst(root)
	w := &treeWriter{base: timeBase(order)}

	out := make([]byte, 0, 4096)
	out = append(out, treeMagic[:]...)
	out = append(out, majorVersion, minorVersion)
	out = be.AppendUint32(out, 0) // rotated
	out = be.AppendUint32(out, tag)
	out = be.AppendUint32(out, 0) // root offset, patched below
	out = be.AppendUint32(out, 0) // key table offset, patched below
	out = be.AppendUint64(out, uint64(w.base))

	keyIDs := collectKeys(order)
	be.PutUint32(out[treeKeysOffset:], uint32(len(out)))
	names := make([]string, len(keyIDs))
	for k, id := range keyIDs {
		names[id] = k
	}
	out = be.AppendUint32(out, uint32(len(names)))
	var strs stringBlock
	for _, k := range names {
		out = strs.ref(out, k)
	}
	out = strs.flush(out)

	// Every node's dirent offset, indexed like order; the children and
	// metadata slots are patched once their blocks are placed.
	dirents := make([]uint32, len(order))
	dirents[0] = uint32(len(out))
	be.PutUint32(out[treeRootOffset:], dirents[0])
	out = be.AppendUint32(out, dirents[0]+16) // the name follows the entry
	out = be.AppendUint32(out, 0)
	out = be.AppendUint32(out, 0)
	out = be.AppendUint32(out, w.time(root.LastChanged))
	out = append(out, '/', 0)
	out = padTo4(out)

	next := 1
	for i, n := range order {
		be.PutUint32(out[dirents[i]+4:], uint32(len(out)))
		out = be.AppendUint32(out, uint32(len(n.Children)))
		for _, c := range n.Children {
			dirents[next] = uint32(len(out))
			next++
			out = strs.ref(out, c.Name)
			out = be.AppendUint32(out, 0)
			out = be.AppendUint32(out, 0)
			out = be.AppendUint32(out, w.time(c.LastChanged))
		}
		out = strs.flush(out)
	}

	var lists listBlock
	out = w.metadata(out, root, dirents[0], keyIDs, &strs, &lists)
	out = lists.flush(out, &strs)
	out = strs.flush(out)
	next = 1
	for _, n := range order {
		for _, c := range n.Children {
			out = w.metadata(out, c, dirents[next], keyIDs, &strs, &lists)
			next++
		}
		out = lists.flush(out, &strs)
		out = strs.flush(out)
	}
	return out
}

type treeWriter struct{ base int64 }

// time converts an absolute time to the stored offset from the base.
func (w *treeWriter) time(t int64) uint32 {
	switch {
	case t == 0:
		return 0
	case t <= w.base:
		return 1
	}
	return uint32(t - w.base)
}

func (w *treeWriter) metadata(out []byte, n *Node, dirent uint32, keyIDs map[string]uint32, strs *stringBlock, lists *listBlock) []byte {
	be.PutUint32(out[dirent+8:], uint32(len(out)))
	out = be.AppendUint32(out, uint32(len(n.Keys)))
	for _, kv := range n.Keys {
		id := keyIDs[kv.Key]
		if kv.IsList {
			out = be.AppendUint32(out, id|listKeyFlag)
			lists.pending = append(lists.pending, pendingList{slot: uint32(len(out)), items: kv.List})
			out = be.AppendUint32(out, 0)
		} else {
			out = be.AppendUint32(out, id)
			out = strs.ref(out, kv.Value)
		}
	}
	return out
}

// breadthFirst lists the nodes in the order their entries are written.
func breadthFirst(root *Node) []*Node {
	order := []*Node{root}
	for i := 0; i < len(order); i++ {
		order = append(order, order[i].Children...)
	}
	return order
}

// timeBase picks the base the C builder picks: one below the smallest
// non-zero time, raised when needed so that the largest time still fits.
func timeBase(order []*Node) int64 {
	var lo, hi int64
	for _, n := range order {
		t := n.LastChanged
		if t != 0 && (lo == 0 || t < lo) {
			lo = t
		}
		if t > hi {
			hi = t
		}
	}
	if lo != 0 {
		lo--
	}
	if hi-lo > math.MaxUint32 {
		lo = hi - math.MaxUint32
	}
	return lo
}

// collectKeys numbers every key name in bytewise order.
func collectKeys(order []*Node) map[string]uint32 {
	seen := map[string]uint32{}
	for _, n := range order {
		for _, kv := range n.Keys {
			seen[kv.Key] = 0
		}
	}
	names := make([]string, 0, len(seen))
	for k := range seen {
		names = append(names, k)
	}
	sort.Strings(names)
	for i, k := range names {
		seen[k] = uint32(i)
	}
	return seen
}

// stringBlock collects the strings referenced since the last flush; each
// distinct string is stored once and every slot that named it is patched.
type stringBlock struct {
	order []string
	slots map[string][]uint32
}

func (b *stringBlock) ref(out []byte, s string) []byte {
	if b.slots == nil {
		b.slots = map[string][]uint32{}
	}
	if _, ok := b.slots[s]; !ok {
		b.order = append(b.order, s)
	}
	b.slots[s] = append(b.slots[s], uint32(len(out)))
	return be.AppendUint32(out, 0)
}

func (b *stringBlock) flush(out []byte) []byte {
	for _, s := range b.order {
		at := uint32(len(out))
		out = append(out, s...)
		out = append(out, 0)
		for _, slot := range b.slots[s] {
			be.PutUint32(out[slot:], at)
		}
		delete(b.slots, s)
	}
	b.order = b.order[:0]
	return padTo4(out)
}

type pendingList struct {
	slot  uint32
	items []string
}

// listBlock holds the string-list tables of one run of metadata blocks.
type listBlock struct{ pending []pendingList }

// flush writes the tables newest first, as the C builder does, with their
// items going into the shared string block.
func (b *listBlock) flush(out []byte, strs *stringBlock) []byte {
	for i := len(b.pending) - 1; i >= 0; i-- {
		p := b.pending[i]
		be.PutUint32(out[p.slot:], uint32(len(out)))
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
