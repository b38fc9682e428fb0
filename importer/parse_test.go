// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sampleDir = `<?xml version="1.0"?>
<directory>
  <file name="." timestamp="1230000000" icon_view_zoom_level="larger" window_geometry="800x600+10+20"/>
  <file name="My%20Photo.jpg" timestamp="1230000100" icon_position="64,128" annotation="a &lt;note&gt; &amp; more">
    <keyword name="important"/>
    <keyword name="new"/>
    <keyword name="cool"/>
  </file>
  <file name="report.pdf" custom_icon="file:///usr/share/icons/x.png"/>
</directory>
`

func TestParseReadsEntriesInOrder(t *testing.T) {
	m := readMetafile(t, "file:///tmp", sampleDir)
	if len(m.Problems) > 0 {
		t.Fatalf("problems:\n%s", problemsText(m.Problems))
	}
	if !m.Usable || m.Dir.Local != "/tmp" {
		t.Fatalf("directory %+v", m.Dir)
	}
	want := []Entry{
		{Name: ".", Line: 3, Timestamp: 1230000000, Strings: []Attr{{"icon_view_zoom_level", "larger"}, {"window_geometry", "800x600+10+20"}}},
		{Name: "My Photo.jpg", Line: 4, Timestamp: 1230000100,
			Strings: []Attr{{"icon_position", "64,128"}, {"annotation", "a <note> & more"}},
			Items:   []ListItem{{"keyword", "name", "important"}, {"keyword", "name", "new"}, {"keyword", "name", "cool"}}},
		{Name: "report.pdf", Line: 9, Strings: []Attr{{"custom_icon", "file:///usr/share/icons/x.png"}}},
	}
	if !reflect.DeepEqual(m.Entries, want) {
		t.Errorf("entries\n got %+v\nwant %+v", m.Entries, want)
	}
}

func TestListsGroupItemsByElementAndAttribute(t *testing.T) {
	e := Entry{Items: []ListItem{
		{"keyword", "name", "a"}, {"tag", "id", "1"}, {"keyword", "name", "b"}, {"keyword", "alt", "x"}, {"tag", "id", "2"},
	}}
	want := []ListKey{
		{Key: "keyword-name", Element: "keyword", Attr: "name", Values: []string{"a", "b"}},
		{Key: "tag-id", Element: "tag", Attr: "id", Values: []string{"1", "2"}},
		{Key: "keyword-alt", Element: "keyword", Attr: "alt", Values: []string{"x"}},
	}
	if got := e.Lists(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
}

// problemAt asserts that one of the problems is at line with the
// severity and mentions text.
func problemAt(t *testing.T, ps []Problem, line int, sev Severity, text string) {
	t.Helper()
	for _, p := range ps {
		if p.Line == line && p.Severity == sev && strings.Contains(p.Msg, text) {
			return
		}
	}
	t.Errorf("no %v at line %d about %q in:\n%s", sev, line, text, problemsText(ps))
}

func names(m *Metafile) []string {
	var n []string
	for _, e := range m.Entries {
		n = append(n, e.Name)
	}
	return n
}

func TestTruncatedMetafileKeepsCompleteEntries(t *testing.T) {
	body := "<directory>\n<file name=\"a\" x=\"1\"/>\n<file name=\"b\">\n<keyword name=\"k\"/>\n</file>\n<file name=\"c\" y=\"2\">\n<keyw"
	m := readMetafile(t, "file:///", body)
	if got := names(m); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("entries %v, want a and b", got)
	}
	problemAt(t, m.Problems, 7, Error, "truncated")
	if len(m.Problems) != 1 || !strings.Contains(m.Problems[0].Error(), metafileName("file:///")+":7: error:") {
		t.Errorf("want one problem naming the metafile and line:\n%s", problemsText(m.Problems))
	}
}

func TestMalformedXMLIsReportedWithItsLine(t *testing.T) {
	m := readMetafile(t, "file:///", "<directory>\n<file name=\"a\"/>\n<file name=\"b\" x=1/>\n</directory>\n")
	if got := names(m); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("entries %v", got)
	}
	problemAt(t, m.Problems, 3, Error, "malformed XML")

	m = readMetafile(t, "file:///", "<directory>\n<file name=\"a\">\n</directory>\n")
	problemAt(t, m.Problems, 3, Error, "malformed XML")

	m = readMetafile(t, "file:///", "")
	problemAt(t, m.Problems, 1, Error, "no <directory>")

	m = readMetafile(t, "file:///", "<directory><file name=\"\xff\"/></directory>")
	problemAt(t, m.Problems, 1, Error, "UTF-8")
}

func TestUnknownElementsAreSkippedAndReported(t *testing.T) {
	body := `<directory>
<file name="a" x="1"/>
<settings zoom="2"><file name="hidden"/></settings>
<file name="b">
  <keyword name="k"><nested v="1"/></keyword>
</file>
</directory>
<extra/>
`
	m := readMetafile(t, "file:///", body)
	if got := names(m); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("entries %v", got)
	}
	problemAt(t, m.Problems, 3, Error, "unknown element <settings>")
	problemAt(t, m.Problems, 5, Error, "unknown element <nested> inside <keyword>")
	problemAt(t, m.Problems, 8, Error, "unknown element <extra> at the top level")
	if b := m.Entries[1]; len(b.Items) != 1 || b.Items[0].Value != "k" {
		t.Errorf("the list element around the unknown one was lost: %+v", b)
	}

	m = readMetafile(t, "file:///", `<metadata><file name="a"/></metadata>`)
	problemAt(t, m.Problems, 1, Error, "unknown element <metadata>")
	problemAt(t, m.Problems, 1, Error, "no <directory>")
}

func TestDuplicateEntriesLastOneWins(t *testing.T) {
	body := `<directory>
<file name="a" x="old" y="only-in-first"/>
<file name="b" z="1"/>
<file name="a" x="new"><keyword name="k"/></file>
</directory>`
	m := readMetafile(t, "file:///", body)
	if got := names(m); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("entries %v", got)
	}
	a := m.Entries[0]
	if a.Line != 4 || !reflect.DeepEqual(a.Strings, []Attr{{"x", "new"}}) || len(a.Items) != 1 {
		t.Errorf("a = %+v, want the entry of line 4 alone", a)
	}
	problemAt(t, m.Problems, 4, Warning, "first at line 2")
}

func TestBadNamesAreSkippedAndReported(t *testing.T) {
	body := `<directory>
<file name="ok%20name" x="1"/>
<file name="a%2Fb" x="1"/>
<file name="bad%zz" x="1"/>
<file name="nul%00" x="1"/>
<file name="" x="1"/>
<file name=".." x="1"/>
<file name="a/b" x="1"/>
<file x="1"/>
<file name="t" timestamp="yesterday" x="1"/>
</directory>`
	m := readMetafile(t, "file:///", body)
	if got := names(m); !reflect.DeepEqual(got, []string{"ok name", "t"}) {
		t.Errorf("entries %v", got)
	}
	for line := 3; line <= 9; line++ {
		problemAt(t, m.Problems, line, Error, "skipped")
	}
	problemAt(t, m.Problems, 10, Warning, "timestamp")
	if m.Entries[1].Timestamp != 0 {
		t.Error("a bad timestamp was kept")
	}
}

func TestNamesThatAreNotUTF8AreImportedAsBytes(t *testing.T) {
	m := readMetafile(t, "file:///", `<directory><file name="caf%E9.txt" x="1"/></directory>`)
	if got := names(m); !reflect.DeepEqual(got, []string{"caf\xe9.txt"}) {
		t.Errorf("entries %q", got)
	}
	problemAt(t, m.Problems, 1, Warning, `caf\xe9.txt`)
}

func TestMetafileNamesThatAreNotURIs(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"garbage.xml", "file%ZZ.xml", "file:%2F%2Fhost.xml"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(`<directory><file name="a" x="1"/></directory>`), 0o600)
		m, err := ReadMetafile(p)
		if err != nil {
			t.Fatal(err)
		}
		if m.Usable || m.Skipped() {
			t.Errorf("%s: usable %v skipped %v", name, m.Usable, m.Skipped())
		}
		if len(m.Problems) != 1 || m.Problems[0].Severity != Error || m.Problems[0].Line != 0 || !strings.HasPrefix(m.Problems[0].Error(), p+": error:") {
			t.Errorf("%s: %s", name, problemsText(m.Problems))
		}
	}
}

func TestUnsupportedLocationsAreSkippedWithAWarning(t *testing.T) {
	m := readMetafile(t, "x-nautilus-desktop:///", `<directory><file name="a" x="1"/></directory>`)
	if m.Usable || !m.Skipped() || len(m.Problems) != 1 || m.Problems[0].Severity != Warning {
		t.Errorf("usable %v skipped %v: %s", m.Usable, m.Skipped(), problemsText(m.Problems))
	}
}

func TestDirectoriesThatAreGoneAreStillImported(t *testing.T) {
	m := readMetafile(t, "file:///nonexistent-gvfs-import-test/Old", `<directory><file name="a" x="1"/></directory>`)
	if !m.Usable || len(m.Entries) != 1 {
		t.Fatalf("usable %v, %d entries", m.Usable, len(m.Entries))
	}
	problemAt(t, m.Problems, 0, Warning, "no longer exists")
}
