// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gvfs-metadata/format"
)

// manifest is what a case of ../testdata must contain; see
// testdata/README.md. Written by the reference daemon and checked with the
// reference client when the case was generated.
type manifest struct {
	Description string          `json:"description"`
	Tree        string          `json:"tree"`
	Journal     *string         `json:"journal"`
	Entries     []manifestEntry `json:"entries"`
	Absent      []manifestEntry `json:"absent"`
}

type manifestEntry struct {
	Path       string                     `json:"path"`
	PathBase64 string                     `json:"path_base64"`
	Keys       map[string]json.RawMessage `json:"keys"`
}

func (e manifestEntry) rawPath(t *testing.T) string {
	if e.PathBase64 == "" {
		return e.Path
	}
	b, err := base64.StdEncoding.DecodeString(e.PathBase64)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (e manifestEntry) keyValues(t *testing.T) []format.KeyValue {
	var out []format.KeyValue
	for k, raw := range e.Keys {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			out = append(out, format.KeyValue{Key: k, Value: s})
			continue
		}
		var l []string
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatalf("key %s: %v", k, err)
		}
		out = append(out, format.KeyValue{Key: k, IsList: true, List: l})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func referenceCases(t *testing.T) []string {
	dirs, err := filepath.Glob("../testdata/*/manifest.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no reference test data found: %v", err)
	}
	for i := range dirs {
		dirs[i] = filepath.Dir(dirs[i])
	}
	return dirs
}

func readManifest(t *testing.T, dir string) manifest {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func normalizeLists(kvs []format.KeyValue) []format.KeyValue {
	for i := range kvs {
		if kvs[i].IsList && kvs[i].List == nil {
			kvs[i].List = []string{}
		}
	}
	return kvs
}

// TestReferenceFilesReadBackTheirManifest opens every tree + journal the
// reference daemon wrote and checks that lookups (the C reader's merge
// rules) and the merged tree hold exactly the manifest: every entry's keys
// and no others, nothing for absent paths.
func TestReferenceFilesReadBackTheirManifest(t *testing.T) {
	for _, dir := range referenceCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			m := readManifest(t, dir)
			s, err := Open(filepath.Join(dir, m.Tree), Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			st, _ := s.Stats()
			if m.Journal != nil && filepath.Base(st.JournalPath) != *m.Journal {
				t.Fatalf("journal opened: %q, manifest: %q", st.JournalPath, *m.Journal)
			}
			want := map[string][]format.KeyValue{}
			for _, e := range m.Entries {
				p := e.rawPath(t)
				want[p] = e.keyValues(t)
				got, err := s.Keys(p)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(normalizeLists(got), want[p]) {
					t.Errorf("%q: keys %+v, want %+v", p, got, want[p])
				}
				for _, kv := range want[p] {
					v, ok, _ := s.Get(p, kv.Key)
					if !ok || !reflect.DeepEqual(normalizeLists([]format.KeyValue{v})[0], kv) {
						t.Errorf("%q %s: Get = %+v %v, want %+v", p, kv.Key, v, ok, kv)
					}
				}
			}
			for _, e := range m.Absent {
				p := e.rawPath(t)
				if got, _ := s.Keys(p); len(got) != 0 {
					t.Errorf("absent %q has keys %+v", p, got)
				}
			}
			root, damage, err := s.Merged()
			if err != nil || damage.Count != 0 {
				t.Fatalf("merged: %v %+v", err, damage)
			}
			seen := 0
			var walk func(n *format.Node, p string)
			walk = func(n *format.Node, p string) {
				if len(n.Keys) > 0 {
					seen++
					got := n.Keys
					if w, ok := want[p]; !ok || !reflect.DeepEqual(normalizeLists(got), w) {
						t.Errorf("merged tree: %q has %+v, manifest %+v", p, got, w)
					}
				}
				for _, c := range n.Children {
					walk(c, strings.TrimSuffix(p, "/")+"/"+c.Name)
				}
			}
			walk(root, "/")
			if seen != len(want) {
				t.Errorf("merged tree has %d paths with keys, manifest %d", seen, len(want))
			}
		})
	}
}

// TestReferenceFilesPassTheChecker runs the structural checker on every
// reference-written file: all must be clean except the journal damaged on
// purpose.
func TestReferenceFilesPassTheChecker(t *testing.T) {
	for _, dir := range referenceCases(t) {
		m := readManifest(t, dir)
		tree, err := os.ReadFile(filepath.Join(dir, m.Tree))
		if err != nil {
			t.Fatal(err)
		}
		if p := format.CheckTree(tree); len(p) != 0 {
			t.Errorf("%s: tree: %v", dir, p)
		}
		if m.Journal == nil {
			continue
		}
		journal, err := os.ReadFile(filepath.Join(dir, *m.Journal))
		if err != nil {
			t.Fatal(err)
		}
		tr, _ := format.ParseTree(tree)
		p := format.CheckJournal(journal, tr.Tag())
		if damaged := strings.Contains(dir, "corrupt"); damaged != (len(p) > 0) {
			t.Errorf("%s: journal problems %v", dir, p)
		}
	}
}

// TestBuilderReproducesReferenceLayout rebuilds every reference-written
// tree with our builder and compares the layout block by block: same file
// size and, for every path, the same offsets of its entry, children block,
// metadata block and string-list tables. (String order inside a string
// block follows GLib's hash iteration, so bytes may differ.)
func TestBuilderReproducesReferenceLayout(t *testing.T) {
	checked := 0
	for _, dir := range referenceCases(t) {
		m := readManifest(t, dir)
		ref, err := os.ReadFile(filepath.Join(dir, m.Tree))
		if err != nil {
			t.Fatal(err)
		}
		rt, err := format.ParseTree(ref)
		if err != nil {
			t.Fatal(err)
		}
		root, damage := loadTree(rt)
		if damage.Count != 0 {
			t.Fatalf("%s: %+v", dir, damage)
		}
		ours := format.Build(root, rt.Tag())
		if len(ours) != len(ref) {
			t.Errorf("%s: rebuilt tree is %d bytes, reference %d", dir, len(ours), len(ref))
			continue
		}
		ot, err := format.ParseTree(ours)
		if err != nil {
			t.Fatal(err)
		}
		compareLayout(t, dir, "/", rt.Root(), ot.Root())
		checked++
	}
	if checked == 0 {
		t.Fatal("no tree compared")
	}
}

func compareLayout(t *testing.T, dir, path string, ref, ours format.Dirent) {
	t.Helper()
	if ref.Offset() != ours.Offset() || ref.ChildrenOffset() != ours.ChildrenOffset() || ref.DataOffset() != ours.DataOffset() {
		t.Errorf("%s %q: entry/children/metadata at %d/%d/%d, reference %d/%d/%d", dir, path,
			ours.Offset(), ours.ChildrenOffset(), ours.DataOffset(), ref.Offset(), ref.ChildrenOffset(), ref.DataOffset())
		return
	}
	rd, _ := ref.Data()
	od, _ := ours.Data()
	for i := 0; i < rd.Len() && i < od.Len(); i++ {
		ri, oi := rd.Item(i), od.Item(i)
		if ri.IsList && listTable(ri) != listTable(oi) {
			t.Errorf("%s %q: list table of key %d at %d, reference %d", dir, path, i, listTable(oi), listTable(ri))
		}
	}
	rc, _ := ref.Children()
	oc, _ := ours.Children()
	for i := 0; i < rc.Len() && i < oc.Len(); i++ {
		name, _ := rc.Child(i).Name()
		compareLayout(t, dir, strings.TrimSuffix(path, "/")+"/"+string(name), rc.Child(i), oc.Child(i))
	}
}

// listTable is the offset of a list item's table (the value pointer).
func listTable(it format.Item) uint32 {
	return it.ValueOffset()
}
