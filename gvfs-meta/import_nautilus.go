// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gvfs-metadata/importer"
	"gvfs-metadata/store"
)

func init() {
	register("import-nautilus", "bring legacy Nautilus metadata (~/.nautilus/metafiles) over to gvfs metadata", runImportNautilus)
}

// nautilusOptions are the command's flags.
type nautilusOptions struct {
	raw, dryRun, overwrite, keepUnknown, force bool
	out, relativeTo                            string
}

func runImportNautilus(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("import-nautilus", "[OPTIONS] [FILE|DIR ...]",
		"Import the metadata Nautilus kept before gvfs (GNOME 2.x) -- emblems, custom\n"+
			"icons, notes, icon positions, view settings -- from its metafiles (default:\n"+
			"~/.nautilus/metafiles). Old keys are translated to today's names and written\n"+
			"through the metadata daemon, each file into the tree applications read it\n"+
			"from (home, root, removable volumes, sftp/smb/ftp/dav locations). Keys a\n"+
			"file already has are kept. Runs once per directory: after an import\n"+
			"without errors DIR holds the marker migrated-to-gvfs, and later runs stop\n"+
			"there unless --force (--dry-run and --raw never create it).\n\n"+
			"--raw --out TREEFILE instead writes gvfs's own raw conversion (keys as\n"+
			"written, element E attribute A as the list E-A, timestamps kept) of\n"+
			"file:// locations into a new tree file, for a tree no daemon has open.\n"+
			"Problems are reported with the metafile and line; the rest still\n"+
			"imports. Exit status 1 when anything could not be imported.",
		"gvfs-meta import-nautilus --dry-run\n"+
			"gvfs-meta import-nautilus\n"+
			"gvfs-meta import-nautilus /mnt/backup/home/me/.nautilus/metafiles\n"+
			"gvfs-meta import-nautilus --raw --relative-to ~ --out /tmp/home-tree ~/.nautilus/metafiles", stderr)
	var o nautilusOptions
	fs.BoolVar(&o.raw, "raw", false, "write gvfs's raw conversion to a new tree file (needs --out)")
	fs.StringVar(&o.out, "out", "", "the tree file --raw writes")
	fs.StringVar(&o.relativeTo, "relative-to", "", "with --raw: paths relative to this directory (e.g. ~ for a \"home\" tree); others left out")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print what would be set, per file, and write nothing")
	fs.BoolVar(&o.overwrite, "overwrite", false, "replace keys a file already has")
	fs.BoolVar(&o.keepUnknown, "keep-unknown", false, "keep keys with no translation under their old names")
	fs.BoolVar(&o.force, "force", false, "import again although the marker says it was done; with --raw, replace TREEFILE")
	if stop, status := parseCommand(fs, args, stdout, operands{0, -1, "[FILE|DIR ...]"}); stop {
		return status
	}
	switch {
	case o.raw && o.out == "" && !o.dryRun:
		return usageError(fs, "--raw needs --out TREEFILE")
	case !o.raw && (o.out != "" || o.relativeTo != ""):
		return usageError(fs, "--out and --relative-to go with --raw")
	case o.raw && (o.overwrite || o.keepUnknown):
		return usageError(fs, "--overwrite and --keep-unknown are for translated imports; --raw keeps every key and writes a new file")
	}
	if o.relativeTo != "" {
		abs, err := filepath.Abs(o.relativeTo)
		if err != nil {
			return fail(stderr, "import-nautilus", err)
		}
		o.relativeTo = abs
	}
	home, err := nautilusHome()
	if err != nil {
		return fail(stderr, "import-nautilus", err)
	}
	src, err := nautilusSources(fs.Args(), home, !o.raw && !o.force)
	if err != nil {
		return fail(stderr, "import-nautilus", err)
	}
	for _, d := range src.done {
		fmt.Fprintf(stdout, "%s was already imported (%s exists); nothing to do. --force imports it again.\n",
			d, filepath.Join(d, nautilusMarker))
	}
	if len(src.files) == 0 {
		if len(src.done) == 0 {
			fmt.Fprintln(stdout, "no metafiles to import")
		}
		return exitOK
	}
	if o.raw && o.out != "" && !o.force {
		if _, err := os.Lstat(o.out); err == nil {
			return fail(stderr, "import-nautilus", fmt.Errorf("%s: %w; --force replaces it", o.out, store.ErrExists))
		}
	}

	out := newNautilusOutput(stdout, stderr)
	metafiles := out.read(src.files)
	var stats importer.Stats
	if o.raw {
		stats, err = importNautilusRaw(o, metafiles, out)
	} else {
		stats, err = importNautilusTranslated(o, metafiles, out)
	}
	out.done()
	if err != nil {
		return fail(stderr, "import-nautilus", err)
	}
	out.summary(stats, o)
	if stats.Errors > 0 {
		return exitProblems
	}
	if !o.raw && !o.dryRun {
		for _, d := range src.dirs {
			if err := markNautilusImported(d); err != nil {
				fmt.Fprintf(stderr, "gvfs-meta import-nautilus: warning: %v (a later run imports again, which changes nothing)\n", err)
			}
		}
	}
	return exitOK
}

// importNautilusTranslated imports through the metadata daemon (started
// by D-Bus activation if needed), reading existing values from the trees.
func importNautilusTranslated(o nautilusOptions, metafiles []*importer.Metafile, out *nautilusOutput) (importer.Stats, error) {
	var daemon lazyClient
	defer daemon.close()
	r, err := newResolver(&daemon)
	if err != nil {
		return importer.Stats{}, err
	}
	trees := &importer.TreeReader{}
	defer trees.Close()
	im := &importer.Importer{
		Locate:      importer.Locator{Resolver: r}.Target,
		Existing:    trees,
		Overwrite:   o.overwrite,
		KeepUnknown: o.keepUnknown,
		Report:      out.problem,
	}
	if !o.dryRun {
		c, err := daemon.get()
		if err != nil {
			return importer.Stats{}, fmt.Errorf("cannot reach the metadata daemon: %w", err)
		}
		im.Write = c
	}
	for _, m := range metafiles {
		im.Import(m, out.file(o))
	}
	if daemon.err != nil {
		out.warn("the metadata daemon could not name removable volumes (%v): their files are shown in the \"root\" tree", daemon.err)
	}
	return im.Stats, nil
}

// importNautilusRaw builds the raw conversion and writes it to a new tree
// file (nothing in a dry run).
func importNautilusRaw(o nautilusOptions, metafiles []*importer.Metafile, out *nautilusOutput) (importer.Stats, error) {
	t := &importer.RawTree{RelativeTo: o.relativeTo, Report: out.problem}
	for _, m := range metafiles {
		t.Add(m, out.file(o))
	}
	if o.dryRun {
		return t.Stats, nil
	}
	if o.force {
		if err := removeRawTree(o.out); err != nil {
			return t.Stats, err
		}
	}
	s, err := store.Create(o.out, t.Root(), store.Options{})
	if err != nil {
		return t.Stats, err
	}
	return t.Stats, s.Close()
}

// removeRawTree removes a tree file and its journal, so that --force leaves
// no journal behind that no tree names.
func removeRawTree(path string) error {
	if old, err := store.Open(path, store.Options{ReadOnly: true}); err == nil {
		st, err := old.Stats()
		old.Close()
		if err == nil && st.JournalPath != "" {
			if err := os.Remove(st.JournalPath); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func nautilusHome() (string, error) {
	if home := os.Getenv("HOME"); home != "" {
		return home, nil
	}
	return os.UserHomeDir()
}
