// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gvfs-metadata/store"
)

func buildRaw(t *testing.T, relativeTo string, ms ...*Metafile) (*store.Store, Stats) {
	t.Helper()
	rt := &RawTree{RelativeTo: relativeTo}
	for _, m := range ms {
		rt.Add(m, nil)
	}
	path := filepath.Join(t.TempDir(), "tree")
	s, err := store.Create(path, rt.Root(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, rt.Stats
}

func keysOf(t *testing.T, s *store.Store, path string) map[string]any {
	t.Helper()
	kvs, err := s.Keys(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for _, kv := range kvs {
		if kv.IsList {
			out[kv.Key] = kv.List
		} else {
			out[kv.Key] = kv.Value
		}
	}
	return out
}

func TestRawTreeKeepsKeysListsAndTimes(t *testing.T) {
	parent := readMetafile(t, "file:///srv", `<directory>
<file name="data" timestamp="1200000000" annotation="from parent" icon_position="1,2"/>
</directory>`)
	dir := readMetafile(t, "file:///srv/data", `<directory>
<file name="." timestamp="1100000000" annotation="from itself" zzz="kept as is"/>
<file name="a%20b" timestamp="1234567890" custom_icon="/x.png">
  <keyword name="one"/><keyword name="two"/><keyword name="three"/>
</file>
</directory>`)
	s, stats := buildRaw(t, "", parent, dir)
	if got := keysOf(t, s, "/srv/data/a b"); !reflect.DeepEqual(got, map[string]any{"custom_icon": "/x.png", "keyword-name": []string{"one", "two", "three"}}) {
		t.Errorf("a b: %v", got)
	}
	// Named twice: keys of both, the later metafile winning, the later time.
	if got := keysOf(t, s, "/srv/data"); !reflect.DeepEqual(got, map[string]any{"annotation": "from itself", "icon_position": "1,2", "zzz": "kept as is"}) {
		t.Errorf("data: %v", got)
	}
	if lc, _ := s.LastChanged("/srv/data/a b"); lc != 1234567890 {
		t.Errorf("last changed %d", lc)
	}
	if lc, _ := s.LastChanged("/srv/data"); lc != 1200000000 {
		t.Errorf("last changed of the directory %d", lc)
	}
	if stats.Directories != 2 || stats.Files != 3 || stats.Set != 6 {
		t.Errorf("stats %+v", stats)
	}
}

func TestRawTreeRelativeToTakesOnlyWhatIsUnderIt(t *testing.T) {
	var problems []Problem
	rt := &RawTree{RelativeTo: "/home/me", Report: func(p Problem) { problems = append(problems, p) }}
	for _, uri := range []string{"file:///home/me", "file:///home/me/Photos", "file:///home/meg", "file:///etc", "sftp://h/home/me"} {
		rt.Add(readMetafile(t, uri, `<directory><file name="." x="1"/><file name="f" y="2"/></directory>`), nil)
	}
	var paths []string
	root := rt.Root()
	for _, c := range root.Children {
		paths = append(paths, c.Name)
		for _, g := range c.Children {
			paths = append(paths, c.Name+"/"+g.Name)
		}
	}
	if !reflect.DeepEqual(paths, []string{"Photos", "Photos/f", "f"}) || len(root.Keys) != 1 {
		t.Errorf("paths %v, root keys %v", paths, root.Keys)
	}
	skipped := 0
	for _, p := range problems {
		if strings.HasSuffix(p.Msg, "; skipped") {
			skipped++
		}
	}
	if rt.Stats.Directories != 2 || rt.Stats.SkippedDirectories != 3 || skipped != 3 {
		t.Errorf("stats %+v\n%s", rt.Stats, problemsText(problems))
	}
}
