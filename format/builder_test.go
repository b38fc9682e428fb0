// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"bytes"
	"testing"
)

func sampleTree() *Node {
	root := &Node{
		LastChanged: 1700000000,
		Keys:        []KeyValue{{Key: "icon", Value: "folder"}},
		Children: []*Node{
			{Name: "a.txt", LastChanged: 1700000100, Keys: []KeyValue{
				{Key: "emblems", IsList: true, List: []string{"important", "new"}},
				{Key: "note", Value: "hello"},
			}},
			{Name: "dir", LastChanged: 1700000050, Children: []*Node{
				{Name: "x", Keys: []KeyValue{{Key: "note", Value: "hello"}, {Key: "empty", IsList: true}}},
			}},
		},
	}
	root.Sort()
	return root
}

func TestBuildThenParseReadsEveryValue(t *testing.T) {
	data := Build(sampleTree(), 0xdeadbeef)
	tr, err := ParseTree(data)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Tag() != 0xdeadbeef || tr.Rotated() {
		t.Fatalf("tag %x rotated %v", tr.Tag(), tr.Rotated())
	}
	if got := tr.Root().LastChanged(); got != 1700000000 {
		t.Errorf("root last_changed = %d, want 1700000000 (stored as an offset)", got)
	}
	d, ok, err := tr.Lookup([]byte("/a.txt"))
	if err != nil || !ok {
		t.Fatalf("lookup /a.txt: %v %v", ok, err)
	}
	if d.LastChanged() != 1700000100 {
		t.Errorf("a.txt last_changed %d", d.LastChanged())
	}
	data2, _ := d.Data()
	id, ok := tr.KeyID([]byte("emblems"))
	if !ok {
		t.Fatal("no key emblems")
	}
	it, ok := data2.Find(id)
	if !ok || !it.IsList {
		t.Fatalf("emblems item %v %v", ok, it.IsList)
	}
	vals, err := it.Values()
	if err != nil || len(vals) != 2 || string(vals[0]) != "important" || string(vals[1]) != "new" {
		t.Fatalf("emblems = %q %v", vals, err)
	}
	d, ok, _ = tr.Lookup([]byte("//dir///x/"))
	if !ok {
		t.Fatal("lookup with repeated slashes must find /dir/x like the C reader")
	}
	data3, _ := d.Data()
	if data3.Len() != 2 {
		t.Fatalf("x has %d keys", data3.Len())
	}
	if _, ok, _ := tr.Lookup([]byte("/missing")); ok {
		t.Fatal("found /missing")
	}
}

func TestBuildWritesBlocksForLeavesAndDedupesStrings(t *testing.T) {
	data := Build(sampleTree(), 1)
	tr, _ := ParseTree(data)
	d, _, _ := tr.Lookup([]byte("/a.txt"))
	if !d.HasChildrenBlock() || !d.HasDataBlock() {
		t.Fatal("the reference writes a (possibly empty) children and metadata block for every entry")
	}
	// "hello" is the value of two keys in different directories, so it is
	// stored twice, once per directory's string block; within a block it
	// would be stored once.
	if n := bytes.Count(data, []byte("hello\x00")); n != 2 {
		t.Fatalf("hello stored %d times, want once per directory block (2)", n)
	}
}

// TestSameValueComparesTheValueNotTheKey: a string never equals a list,
// a list's order counts, and the keys play no part.
func TestSameValueComparesTheValueNotTheKey(t *testing.T) {
	str := KeyValue{Key: "a", Value: "x"}
	list := KeyValue{Key: "a", IsList: true, List: []string{"x", "y"}}
	cases := []struct {
		a, b KeyValue
		same bool
	}{
		{str, KeyValue{Key: "b", Value: "x"}, true},
		{str, KeyValue{Key: "a", Value: "y"}, false},
		{str, KeyValue{Key: "a", IsList: true, List: []string{"x"}}, false},
		{KeyValue{Value: "x", List: []string{"ignored"}}, KeyValue{Value: "x"}, true},
		{list, KeyValue{Key: "b", IsList: true, List: []string{"x", "y"}}, true},
		{list, KeyValue{IsList: true, List: []string{"y", "x"}}, false},
		{list, KeyValue{IsList: true, List: []string{"x"}}, false},
		{KeyValue{IsList: true}, KeyValue{IsList: true, List: []string{}}, true},
		{KeyValue{IsList: true, Value: "ignored"}, KeyValue{IsList: true}, true},
	}
	for _, c := range cases {
		if got := c.a.SameValue(c.b); got != c.same {
			t.Errorf("%+v.SameValue(%+v) = %v", c.a, c.b, got)
		}
		if got := c.b.SameValue(c.a); got != c.same {
			t.Errorf("%+v.SameValue(%+v) = %v", c.b, c.a, got)
		}
	}
}

func TestTimeBaseFitsLargeSpans(t *testing.T) {
	root := &Node{Children: []*Node{{Name: "old", LastChanged: 10}, {Name: "new", LastChanged: 10 + 1<<33}}}
	root.Sort()
	tr, err := ParseTree(Build(root, 1))
	if err != nil {
		t.Fatal(err)
	}
	n, _, _ := tr.Lookup([]byte("/new"))
	if n.LastChanged() != 10+1<<33 {
		t.Fatalf("newest time %d", n.LastChanged())
	}
	o, _, _ := tr.Lookup([]byte("/old"))
	if o.RawLastChanged() != 1 {
		t.Fatalf("a time below the base is stored as 1, got %d", o.RawLastChanged())
	}
}
