// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// buffer is an io.WriterAt over a growing byte slice.
type buffer struct{ b []byte }

func (w *buffer) WriteAt(p []byte, off int64) (int, error) {
	if end := int(off) + len(p); end > len(w.b) {
		w.b = append(w.b, make([]byte, end-len(w.b))...)
	}
	return copy(w.b[off:], p), nil
}

func sampleParsed(t *testing.T) *Tree {
	t.Helper()
	tr, err := ParseTree(Build(sampleTree(), 1))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func lookup(t *testing.T, tr *Tree, path string) Dirent {
	t.Helper()
	d, ok, err := tr.Lookup([]byte(path))
	if err != nil || !ok {
		t.Fatalf("lookup %s: %v %v", path, ok, err)
	}
	return d
}

func valueOf(t *testing.T, tr *Tree, path, key string) (string, bool) {
	t.Helper()
	data, err := lookup(t, tr, path).Data()
	if err != nil {
		t.Fatalf("data of %s: %v", path, err)
	}
	id, ok := tr.KeyID([]byte(key))
	if !ok {
		return "", false
	}
	it, ok := data.Find(id)
	if !ok {
		return "", false
	}
	v, err := it.Value()
	if err != nil {
		t.Fatalf("%s %s: %v", path, key, err)
	}
	return string(v), true
}

func TestPatchRewritesAnEntryAndLeavesTheOthers(t *testing.T) {
	old := sampleParsed(t)
	p := NewPatch(old, 2)
	off, err := p.Data([]KeyValue{{Key: "note", Value: "changed"}})
	if err != nil {
		t.Fatal(err)
	}
	a := lookup(t, old, "/a.txt")
	f := a.Fields()
	f.Metadata = off
	p.SetEntry(a.Offset(), f)
	if !p.Safe() {
		t.Error("an entry a builder wrote is not safe to rewrite")
	}
	out := p.Apply()
	if len(out) != p.Size() || p.Appended() != p.Size()-len(old.Bytes()) {
		t.Errorf("%d bytes, Size %d, Appended %d, old %d", len(out), p.Size(), p.Appended(), len(old.Bytes()))
	}
	tr, err := ParseTree(out)
	if err != nil {
		t.Fatalf("the patched tree does not parse: %v", err)
	}
	if tr.Tag() != 2 || tr.Rotated() {
		t.Errorf("tag %d rotated %v, want 2 and current", tr.Tag(), tr.Rotated())
	}
	if v, ok := valueOf(t, tr, "/a.txt", "note"); !ok || v != "changed" {
		t.Errorf("/a.txt note = %q %v, want changed", v, ok)
	}
	if _, ok := valueOf(t, tr, "/a.txt", "emblems"); ok {
		t.Error("/a.txt keeps emblems its new metadata block does not hold")
	}
	if v, ok := valueOf(t, tr, "/dir/x", "note"); !ok || v != "hello" {
		t.Errorf("/dir/x note = %q %v, want hello (untouched)", v, ok)
	}
	if problems := CheckTree(out); len(problems) > 0 {
		t.Errorf("the patched tree checks with problems: %v", problems)
	}
}

func TestPatchAddsAChildAndItsBlocks(t *testing.T) {
	old := sampleParsed(t)
	p := NewPatch(old, 2)
	kids, err := old.Root().Children()
	if err != nil {
		t.Fatal(err)
	}
	var entries []DirentFields
	for i := 0; i < kids.Len(); i++ {
		entries = append(entries, kids.Child(i).Fields())
	}
	when, ok := p.Time(1700000200)
	if !ok {
		t.Fatal("a time past the base does not fit")
	}
	data, err := p.Data([]KeyValue{{Key: "emblems", IsList: true, List: []string{"a", "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	empty := p.Children(nil)
	// "b.txt" sorts between "a.txt" and "dir".
	added := DirentFields{Name: p.String("b.txt"), Children: empty, Metadata: data, Time: when}
	entries = append(entries[:1], append([]DirentFields{added}, entries[1:]...)...)
	root := old.Root().Fields()
	root.Children = p.Children(entries)
	p.SetEntry(old.Root().Offset(), root)
	tr, err := ParseTree(p.Apply())
	if err != nil {
		t.Fatalf("the patched tree does not parse: %v", err)
	}
	b := lookup(t, tr, "/b.txt")
	if b.LastChanged() != 1700000200 {
		t.Errorf("/b.txt changed at %d, want 1700000200", b.LastChanged())
	}
	d, _ := b.Data()
	id, _ := tr.KeyID([]byte("emblems"))
	it, ok := d.Find(id)
	vals, err := it.Values()
	if !ok || !it.IsList || err != nil || len(vals) != 2 || string(vals[0]) != "a" || string(vals[1]) != "b" {
		t.Errorf("/b.txt emblems = %q (%v, %v)", vals, ok, err)
	}
	if v, ok := valueOf(t, tr, "/a.txt", "note"); !ok || v != "hello" {
		t.Errorf("/a.txt note = %q %v, want hello", v, ok)
	}
	lookup(t, tr, "/dir/x")
	if problems := CheckTree(p.Apply()); len(problems) > 0 {
		t.Errorf("the patched tree checks with problems: %v", problems)
	}
}

func TestPatchWrittenOverACopyIsApply(t *testing.T) {
	old := sampleParsed(t)
	p := NewPatch(old, 5)
	off, err := p.Data([]KeyValue{{Key: "icon", Value: string(bytes.Repeat([]byte("x"), 3*pieceSize))}})
	if err != nil {
		t.Fatal(err)
	}
	root := old.Root().Fields()
	root.Metadata = off
	p.SetEntry(old.Root().Offset(), root)
	w := &buffer{b: bytes.Clone(old.Bytes())}
	if err := p.WriteTo(w); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(w.b, p.Apply()) {
		t.Error("WriteTo over a copy of the old file differs from Apply")
	}
}

func TestPatchRefusesAKeyOutsideTheOldTable(t *testing.T) {
	p := NewPatch(sampleParsed(t), 2)
	if _, err := p.Data([]KeyValue{{Key: "no-such-key", Value: "v"}}); !errors.Is(err, ErrNotPatchable) {
		t.Errorf("a key the old table lacks: %v, want ErrNotPatchable", err)
	}
}

func TestPatchTimesFitOnlyAboveTheOldBase(t *testing.T) {
	old := sampleParsed(t)
	p := NewPatch(old, 2)
	base := old.TimeBase()
	for _, c := range []struct {
		t    int64
		want uint32
		ok   bool
	}{
		{0, 0, true},
		{base, 0, false},
		{base - 1, 0, false},
		{base + 5, 5, true},
		{base + math.MaxUint32, math.MaxUint32, true},
		{base + math.MaxUint32 + 1, 0, false},
	} {
		if got, ok := p.Time(c.t); got != c.want || ok != c.ok {
			t.Errorf("Time(base%+d) = %d %v, want %d %v", c.t-base, got, ok, c.want, c.ok)
		}
	}
}

func TestPatchOverTheKeyTableIsNotSafe(t *testing.T) {
	old := sampleParsed(t)
	p := NewPatch(old, 2)
	p.SetEntry(TreeHeaderSize, DirentFields{})
	if p.Safe() {
		t.Error("a rewrite over the key table counts as safe")
	}
}
