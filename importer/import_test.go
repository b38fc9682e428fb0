// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"gvfs-metadata/compat/resolve"
	"gvfs-metadata/format"
)

// memTrees is metadata in memory: a Reader and a Writer that stores what
// is set, and fails for paths listed in fail.
type memTrees struct {
	data  map[string]map[string]format.KeyValue // treefile + "|" + path
	sets  int
	fail  map[string]bool
	calls []string
}

func (m *memTrees) Keys(treefile, path string) (map[string]format.KeyValue, error) {
	out := map[string]format.KeyValue{}
	for k, v := range m.data[treefile+"|"+path] {
		out[k] = v
	}
	return out, nil
}

func (m *memTrees) Set(treefile, path string, values map[string]any) error {
	m.calls = append(m.calls, path)
	if m.fail[path] {
		return errors.New("Unable to set metadata key")
	}
	if m.data == nil {
		m.data = map[string]map[string]format.KeyValue{}
	}
	d := m.data[treefile+"|"+path]
	if d == nil {
		d = map[string]format.KeyValue{}
		m.data[treefile+"|"+path] = d
	}
	for k, v := range values {
		switch v := v.(type) {
		case string:
			d[k] = format.KeyValue{Value: v}
		case []string:
			d[k] = format.KeyValue{IsList: true, List: v}
		}
	}
	m.sets++
	return nil
}

func flatLocate(l Location) resolve.Location {
	if l.IsLocal() {
		return resolve.Location{Tree: "root", TreeFile: "/trees/root", Path: l.Local}
	}
	return resolve.Location{Tree: l.Remote.String(), TreeFile: "/trees/" + l.Remote.String(), Path: l.Path}
}

const importDir = `<directory>
<file name="." icon_view_zoom_level="large"/>
<file name="a" annotation="new note" custom_icon="/i.png" odd_key="1">
  <keyword name="k1"/><keyword name="k2"/>
</file>
<file name="b" icon_position="1,2"/>
</directory>`

func TestImportKeepsExistingValuesUnlessOverwrite(t *testing.T) {
	trees := &memTrees{data: map[string]map[string]format.KeyValue{
		"/trees/root|/a": {"annotation": {Value: "mine"}, "custom-icon": {Value: "/i.png"}},
	}}
	im := &Importer{Locate: flatLocate, Existing: trees, Write: trees}
	var results []FileResult
	im.Import(readMetafile(t, "file:///", importDir), func(r FileResult) { results = append(results, r) })
	a := trees.data["/trees/root|/a"]
	if a["annotation"].Value != "mine" || !a["emblems"].SameValue(format.KeyValue{IsList: true, List: []string{"k1", "k2"}}) {
		t.Errorf("a: %+v", a)
	}
	if _, ok := a["odd_key"]; ok {
		t.Error("an unknown key was written")
	}
	if trees.data["/trees/root|/"]["nautilus-icon-view-zoom-level"].Value != "large" || trees.data["/trees/root|/b"]["nautilus-icon-position"].Value != "1,2" {
		t.Errorf("data: %+v", trees.data)
	}
	if !reflect.DeepEqual(results[1].Kept, []string{"annotation", "custom-icon"}) || !reflect.DeepEqual(results[1].Unknown, []string{"odd_key"}) {
		t.Errorf("result of a: %+v", results[1])
	}
	want := Stats{Directories: 1, Files: 3, Set: 3, Kept: 2, Skipped: 1, Unknown: map[string]int{"odd_key": 1}}
	if !reflect.DeepEqual(im.Stats, want) {
		t.Errorf("stats %+v, want %+v", im.Stats, want)
	}

	im = &Importer{Locate: flatLocate, Existing: trees, Write: trees, Overwrite: true}
	im.Import(readMetafile(t, "file:///", importDir), nil)
	if trees.data["/trees/root|/a"]["annotation"].Value != "new note" {
		t.Error("--overwrite did not replace the existing value")
	}
	if im.Stats.Set != 1 || im.Stats.Kept != 4 {
		t.Errorf("overwrite: equal values must count as kept: %+v", im.Stats)
	}
}

func TestImportAgainChangesNothing(t *testing.T) {
	trees := &memTrees{}
	im := &Importer{Locate: flatLocate, Existing: trees, Write: trees}
	im.Import(readMetafile(t, "file:///", importDir), nil)
	first := trees.sets
	im = &Importer{Locate: flatLocate, Existing: trees, Write: trees}
	im.Import(readMetafile(t, "file:///", importDir), nil)
	if trees.sets != first || im.Stats.Set != 0 || im.Stats.Kept != 5 {
		t.Errorf("second run: %d writes, stats %+v", trees.sets-first, im.Stats)
	}
}

func TestDryRunWritesNothingAndSeesItsOwnPlan(t *testing.T) {
	trees := &memTrees{}
	im := &Importer{Locate: flatLocate, Existing: trees}
	im.Import(readMetafile(t, "file:///", `<directory><file name="tmp" annotation="from parent"/></directory>`), nil)
	var r FileResult
	im.Import(readMetafile(t, "file:///tmp", `<directory><file name="." annotation="from itself" screen="0"/></directory>`), func(fr FileResult) { r = fr })
	if len(trees.calls) != 0 {
		t.Fatalf("dry run wrote %v", trees.calls)
	}
	if !reflect.DeepEqual(r.Kept, []string{"annotation"}) || len(r.Set) != 1 || r.Set[0].Key != "screen" {
		t.Errorf("the second entry for /tmp did not see the first: %+v", r)
	}
}

func TestWriteErrorsAreReportedAndTheRestImports(t *testing.T) {
	trees := &memTrees{fail: map[string]bool{"/a": true}}
	var problems []Problem
	im := &Importer{Locate: flatLocate, Existing: trees, Write: trees, Report: func(p Problem) { problems = append(problems, p) }}
	m := readMetafile(t, "file:///", importDir)
	im.Import(m, nil)
	if im.Stats.Errors != 1 || len(problems) != 1 || problems[0].Line != 3 || problems[0].File != m.Path ||
		!strings.Contains(problems[0].Msg, "Unable to set metadata key") {
		t.Errorf("stats %+v problems:\n%s", im.Stats, problemsText(problems))
	}
	if trees.data["/trees/root|/b"] == nil || im.Stats.Set != 2 {
		t.Errorf("the other entries were not imported: %+v", im.Stats)
	}
}

func TestImportCountsMetafileProblemsAndSkippedLocations(t *testing.T) {
	trees := &memTrees{}
	var problems []Problem
	im := &Importer{Locate: flatLocate, Existing: trees, Write: trees, Report: func(p Problem) { problems = append(problems, p) }}
	im.Import(readMetafile(t, "x-nautilus-desktop:///", `<directory><file name="a" x="1"/></directory>`), nil)
	im.Import(readMetafile(t, "file:///", "<directory><file name=\"a\" annotation=\"x\"/><file name=\"a\" annotation=\"y\"/><oops/>"), nil)
	if im.Stats.SkippedDirectories != 1 || im.Stats.Directories != 1 || im.Stats.Errors != 2 || im.Stats.Warnings != 2 || len(problems) != 4 {
		t.Errorf("stats %+v\n%s", im.Stats, problemsText(problems))
	}
	if trees.data["/trees/root|/a"]["annotation"].Value != "y" {
		t.Errorf("last entry did not win: %+v", trees.data)
	}
}

func TestRemoteEntriesGoToTheMountSpecTree(t *testing.T) {
	trees := &memTrees{}
	im := &Importer{Locate: flatLocate, Existing: trees, Write: trees}
	im.Import(readMetafile(t, "sftp://me@example.com/home/me/Docs", `<directory>
<file name="." default_component="OAFIID:Nautilus_File_Manager_Icon_View"/>
<file name="plan%20B.odt"><keyword name="urgent"/></file>
</directory>`), nil)
	dir := trees.data["/trees/sftp:host=example.com,user=me|/home/me/Docs"]
	file := trees.data["/trees/sftp:host=example.com,user=me|/home/me/Docs/plan B.odt"]
	if dir["nautilus-default-view"].Value == "" || len(file["emblems"].List) != 1 {
		t.Errorf("data %+v", trees.data)
	}
}
