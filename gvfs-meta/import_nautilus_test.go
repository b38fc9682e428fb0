// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"gvfs-metadata/format"
	"gvfs-metadata/store"
)

// nautilusName names a metafile after a directory URI the way Nautilus
// did: every byte but letters, digits and -._~ as %XX, then ".xml".
func nautilusName(uri string) string {
	var b strings.Builder
	for i := 0; i < len(uri); i++ {
		c := uri[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String() + ".xml"
}

// writeNautilus writes metafiles (directory URI → document) into dir.
func writeNautilus(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for uri, body := range files {
		if err := os.WriteFile(filepath.Join(dir, nautilusName(uri)), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// nautilusOfflineHome points HOME and the data directory at a new directory and
// the session bus at nothing, so that a command that tried to reach the
// daemon would fail.
func nautilusOfflineHome(t *testing.T) string {
	t.Helper()
	home, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(home, "no-bus"))
	return home
}

func TestImportNautilusHelpAndUsageErrors(t *testing.T) {
	code, out, _ := runTool("import-nautilus", "--help")
	if code != exitOK || !strings.Contains(out, "Example:") || !strings.Contains(out, "keep-unknown") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"--raw"},
		{"--out", "x"},
		{"--relative-to", "/"},
		{"--raw", "--out", "x", "--overwrite"},
		{"--raw", "--out", "x", "--keep-unknown"},
		{"--no-such-flag"},
	} {
		if code, _, errOut := runTool(append([]string{"import-nautilus"}, args...)...); code != exitUsage || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestImportNautilusWithoutMetafilesHasNothingToDo(t *testing.T) {
	nautilusOfflineHome(t)
	code, out, errOut := runTool("import-nautilus")
	if code != exitOK || !strings.Contains(out, "no metafiles") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
}

func TestImportNautilusRunsOnceUnlessForced(t *testing.T) {
	home := nautilusOfflineHome(t)
	dir := filepath.Join(home, ".nautilus", "metafiles")
	writeNautilus(t, dir, map[string]string{"file://" + home: `<directory><file name="a" annotation="x"/></directory>`})
	os.WriteFile(filepath.Join(dir, "migrated-to-gvfs"), nil, 0o600)
	code, out, errOut := runTool("import-nautilus")
	if code != exitOK || !strings.Contains(out, "already imported") || !strings.Contains(out, "--force") {
		t.Errorf("with the marker: exit %d\n%s%s", code, out, errOut)
	}
	// --force goes on, and so needs the daemon, which is not there.
	code, _, errOut = runTool("import-nautilus", "--force")
	if code != exitProblems || !strings.Contains(errOut, "metadata daemon") {
		t.Errorf("--force without a daemon: exit %d, %s", code, errOut)
	}
}

func TestImportNautilusDryRunPrintsThePlanAndWritesNothing(t *testing.T) {
	home := nautilusOfflineHome(t)
	os.MkdirAll(filepath.Join(home, "Photos"), 0o755)
	dir := filepath.Join(home, ".nautilus", "metafiles")
	writeNautilus(t, dir, map[string]string{
		"file://" + home + "/Photos": `<?xml version="1.0"?>
<directory>
  <file name="." icon_view_zoom_level="larger"/>
  <file name="a%20b.jpg" annotation="note" odd="1"><keyword name="k1"/><keyword name="k2"/></file>
  <file name="a%20b.jpg" annotation="later note" odd2="z"><keyword name="k3"/></file>
</directory>`,
		"computer:///": `<directory><file name="x" annotation="y"/></directory>`,
	})
	code, out, errOut := runTool("import-nautilus", "--dry-run", "--keep-unknown")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		home + "/Photos  (tree home, path /Photos)\n  set nautilus-icon-view-zoom-level: larger\n",
		home + "/Photos/a b.jpg  (tree home, path /Photos/a b.jpg)\n  set annotation: later note\n  set emblems: [k3]\n  set odd2: z\nDry run",
		home + "/Photos  (tree home, path /Photos)\n  set nautilus-icon-view-zoom-level: larger\n" + home + "/Photos/a b.jpg",
		"Dry run, nothing written",
		"directories: 1 imported, 1 skipped\n",
		"files:       2\n",
		"keys set:    4\n",
		"warnings:    2\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = runTool("import-nautilus", "--dry-run")
	for _, want := range []string{"  set emblems: [k3]\n  skip odd2 (no translation)\n", "keys set:    3\n", "skipped:     1 (no translation: odd2; --keep-unknown keeps them)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("without --keep-unknown, stdout lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{":5: warning: another entry for \"a b.jpg\" (first at line 4)", "computer:/// skipped"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(home, ".local", "share", "gvfs-metadata")); err == nil {
		t.Error("a dry run created metadata")
	}
	if _, err := os.Stat(filepath.Join(dir, "migrated-to-gvfs")); err == nil {
		t.Error("a dry run marked the directory as imported")
	}
}

func TestImportNautilusReportsEveryBadInputAndExitsOne(t *testing.T) {
	home := nautilusOfflineHome(t)
	dir := filepath.Join(home, "backup")
	writeNautilus(t, dir, map[string]string{
		"file://" + home:           "<directory>\n<file name=\"good\" annotation=\"g\"/>\n<file name=\"cut\" annot",
		"file://" + home + "/Gone": "<directory>\n<file name=\"x\" annotation=\"x\"/>\n<tag/>\n<file name=\"bad%2Fname\"/>\n<file name=\"latin%E9\" annotation=\"l\"/>\n</directory>\n",
	})
	os.WriteFile(filepath.Join(dir, "garbage.xml"), []byte("<directory/>"), 0o600)
	code, out, errOut := runTool("import-nautilus", dir, "--dry-run") // flags may follow operands
	if code != exitProblems {
		t.Errorf("exit %d", code)
	}
	mf := func(uri string) string { return filepath.Join(dir, nautilusName(uri)) }
	for _, want := range []string{
		mf("file://"+home) + ":3: error: malformed XML",
		mf("file://"+home+"/Gone") + ": warning: directory " + home + "/Gone no longer exists; imported anyway",
		mf("file://"+home+"/Gone") + ":3: error: unknown element <tag>",
		mf("file://"+home+"/Gone") + ":4: error: name \"bad%2Fname\" does not unescape",
		mf("file://"+home+"/Gone") + ":5: warning: name \"latin\\xe9\" is not UTF-8",
		filepath.Join(dir, "garbage.xml") + ": error: file name \"garbage.xml\" does not decode to a URI",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	// The rest still imports: the good entry, and the gone directory's.
	for _, want := range []string{home + "/good  (tree home, path /good)", home + "/Gone/x  (tree home, path /Gone/x)", home + "/Gone/latin\\xe9  (tree home, path /Gone/latin\\xe9)", "errors:      4\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

func TestImportNautilusRawWritesANewTreeOnlyOnce(t *testing.T) {
	home := nautilusOfflineHome(t)
	dir := filepath.Join(home, ".nautilus", "metafiles")
	writeNautilus(t, dir, map[string]string{
		"file://" + home + "/Photos": `<directory>
<file name="." timestamp="1230000000" icon_view_zoom_level="larger"/>
<file name="p.jpg" timestamp="1234567890" icon_position="1,2"><keyword name="a"/><keyword name="b"/></file>
</directory>`,
		"file:///etc":      `<directory><file name="fstab" annotation="outside"/></directory>`,
		"sftp://h/home/me": `<directory><file name="r" annotation="remote"/></directory>`,
	})
	out := filepath.Join(home, "tree")
	code, stdout, errOut := runTool("import-nautilus", "--raw", dir, "--relative-to", home, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, errOut)
	}
	s, err := store.Open(out, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	kvs, _ := s.Keys("/Photos/p.jpg")
	lc, _ := s.LastChanged("/Photos/p.jpg")
	s.Close()
	want := []format.KeyValue{
		{Key: "icon_position", Value: "1,2"},
		{Key: "keyword-name", IsList: true, List: []string{"a", "b"}},
	}
	if !reflect.DeepEqual(kvs, want) || lc != 1234567890 {
		t.Errorf("p.jpg: %+v changed %d", kvs, lc)
	}
	if !strings.Contains(errOut, "/etc is not under") || !strings.Contains(errOut, "only file:// locations") ||
		!strings.Contains(stdout, "directories: 1 imported, 2 skipped") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "migrated-to-gvfs")); err == nil {
		t.Error("a raw conversion marked the directory as imported")
	}

	code, _, errOut = runTool("import-nautilus", "--raw", "--out", out)
	if code != exitProblems || !strings.Contains(errOut, "already exists; --force replaces it") {
		t.Errorf("second run: exit %d %s", code, errOut)
	}
	if code, _, errOut = runTool("import-nautilus", "--raw", "--force", "--out", out); code != exitOK {
		t.Errorf("--force: exit %d %s", code, errOut)
	}
	if journals, _ := filepath.Glob(out + "-*.log"); len(journals) != 1 {
		t.Errorf("--force left journals %v", journals)
	}
	s, err = store.Open(out, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, ok, _ := s.Get(home+"/Photos/p.jpg", "icon_position"); !ok || v.Value != "1,2" {
		t.Errorf("the forced tree has absolute paths without --relative-to: %+v %v", v, ok)
	}
}

// nautilusPTY opens a pseudo-terminal: what the command writes to slave, the
// test reads from master.
func nautilusPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("no pseudo-terminal: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

// nautilusStderrOnTerminal runs the command with stderr on a terminal and returns
// what appeared there.
func nautilusStderrOnTerminal(t *testing.T, args ...string) string {
	t.Helper()
	master, slave := nautilusPTY(t)
	defer master.Close()
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(master) // ends with EIO once the slave is closed
		got <- string(b)
	}()
	if code := run(args, io.Discard, slave); code != exitOK {
		t.Errorf("%v: exit %d", args, code)
	}
	slave.Close()
	return <-got
}

func TestImportNautilusShowsProgressOnATerminalForBigImports(t *testing.T) {
	home := nautilusOfflineHome(t)
	dir := filepath.Join(home, ".nautilus", "metafiles")
	var big strings.Builder
	big.WriteString("<directory>\n")
	for i := range 400 {
		fmt.Fprintf(&big, "<file name=\"f%d\" annotation=\"n\"/>\n", i)
	}
	big.WriteString("</directory>\n")
	writeNautilus(t, dir, map[string]string{"file://" + home: big.String()})
	if out := nautilusStderrOnTerminal(t, "import-nautilus", "--dry-run"); !strings.Contains(out, "importing files: ") {
		t.Errorf("no progress line for 400 files on a terminal: %q", out)
	}
	code, _, errOut := runTool("import-nautilus", "--dry-run")
	if code != exitOK || strings.Contains(errOut, "importing files") {
		t.Errorf("progress on a pipe: %q", errOut)
	}
	writeNautilus(t, dir, map[string]string{"file://" + home: `<directory><file name="f" annotation="n"/></directory>`})
	if out := nautilusStderrOnTerminal(t, "import-nautilus", "--dry-run"); strings.Contains(out, "importing files") {
		t.Errorf("progress line for one file: %q", out)
	}
}

func TestFlagsFirstKeepsValuesWithTheirFlags(t *testing.T) {
	fs := newFlags("x", "", "", "", io.Discard)
	fs.Bool("dry-run", false, "")
	fs.String("out", "", "")
	got := flagsFirst(fs, []string{"a", "--out", "x y", "b", "--dry-run", "--out=z", "--", "--c"})
	want := []string{"--out", "x y", "--dry-run", "--out=z", "--", "a", "b", "--c"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q", got)
	}
}
