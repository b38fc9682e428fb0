// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"time"

	"gvfs-metadata/format"
	"gvfs-metadata/importer"
)

// nautilusOutput is everything import-nautilus prints: problems and
// warnings on stderr, the dry run's plan and the summary on stdout, and a
// progress line on a terminal for big imports.
type nautilusOutput struct {
	stdout, stderr io.Writer
	progress       *progress // nil for small imports
	files          int       // entries handled so far
}

// nautilusProgressThreshold is the number of files above which an import
// shows how far it is: smaller ones finish before anyone would read it.
const nautilusProgressThreshold = 300

func newNautilusOutput(stdout, stderr io.Writer) *nautilusOutput {
	return &nautilusOutput{stdout: stdout, stderr: stderr}
}

// read reads every metafile first, so that the number of files (and with
// it whether to show progress) is known before anything is written.
func (o *nautilusOutput) read(paths []string) []*importer.Metafile {
	var ms []*importer.Metafile
	total := 0
	for _, p := range paths {
		m, err := importer.ReadMetafile(p)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the problem names the file already
			}
			// Counted and reported with the others when imported.
			m = &importer.Metafile{Path: p, Problems: []importer.Problem{{File: p, Severity: importer.Error, Msg: "cannot read it: " + err.Error()}}}
		}
		ms = append(ms, m)
		total += len(m.Entries)
	}
	if total > nautilusProgressThreshold {
		o.progress = newProgress(o.stderr, "importing files", total)
	}
	return ms
}

// clearProgress takes the progress line away so that other output starts
// at the margin; the next update draws it again.
func (o *nautilusOutput) clearProgress() {
	if o.progress != nil {
		o.progress.done()
	}
}

func (o *nautilusOutput) problem(p importer.Problem) {
	o.clearProgress()
	fmt.Fprintf(o.stderr, "gvfs-meta import-nautilus: %v\n", p)
}

func (o *nautilusOutput) warn(format string, args ...any) {
	o.clearProgress()
	fmt.Fprintf(o.stderr, "gvfs-meta import-nautilus: warning: "+format+"\n", args...)
}

// file returns what to do with each entry's result: count it for the
// progress line and, in a dry run, print the plan.
func (o *nautilusOutput) file(opts nautilusOptions) func(importer.FileResult) {
	return func(r importer.FileResult) {
		if opts.dryRun {
			o.clearProgress()
			printNautilusPlan(o.stdout, r, opts.raw)
		}
		o.files++
		if o.progress != nil {
			o.progress.update(o.files)
		}
	}
}

func (o *nautilusOutput) done() { o.clearProgress() }

// printNautilusPlan shows one file: where its metadata goes and each key.
func printNautilusPlan(w io.Writer, r importer.FileResult, raw bool) {
	where := fmt.Sprintf("tree %s, path %s", r.Target.Tree, quotePath(r.Target.Path))
	if raw {
		where = "path " + quotePath(r.Target.Path)
		if r.LastChanged != 0 {
			where += ", changed " + time.Unix(r.LastChanged, 0).UTC().Format("2006-01-02 15:04:05 UTC")
		}
	}
	fmt.Fprintf(w, "%s  (%s)\n", r.File.Display(), where)
	for _, kv := range r.Set {
		fmt.Fprintf(w, "  set %s: %s\n", kv.Key, nautilusValue(kv))
	}
	for _, k := range r.Kept {
		fmt.Fprintf(w, "  keep %s (already set)\n", k)
	}
	for _, k := range r.Unknown {
		fmt.Fprintf(w, "  skip %s (no translation)\n", k)
	}
}

// nautilusValue renders a value as gio info does: a string as is, a list
// as [a, b].
func nautilusValue(kv format.KeyValue) string {
	if kv.IsList {
		return "[" + strings.Join(kv.List, ", ") + "]"
	}
	return kv.Value
}

// summary prints the counts of the whole run.
func (o *nautilusOutput) summary(s importer.Stats, opts nautilusOptions) {
	w := o.stdout
	if opts.dryRun {
		fmt.Fprintln(w, "Dry run, nothing written. Would import:")
	}
	fmt.Fprintf(w, "directories: %d imported, %d skipped\n", s.Directories, s.SkippedDirectories)
	fmt.Fprintf(w, "files:       %d\n", s.Files)
	fmt.Fprintf(w, "keys set:    %d\n", s.Set)
	if !opts.raw {
		fmt.Fprintf(w, "kept:        %d (already set%s)\n", s.Kept, map[bool]string{false: "; --overwrite replaces them", true: " to the same value"}[opts.overwrite])
		fmt.Fprintf(w, "skipped:     %d%s\n", s.Skipped, nautilusUnknownList(s.Unknown))
	}
	fmt.Fprintf(w, "errors:      %d\n", s.Errors)
	fmt.Fprintf(w, "warnings:    %d\n", s.Warnings)
}

// nautilusUnknownList names the keys left out, most frequent first.
func nautilusUnknownList(unknown map[string]int) string {
	if len(unknown) == 0 {
		return ""
	}
	keys := make([]string, 0, len(unknown))
	for k := range unknown {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if unknown[keys[i]] != unknown[keys[j]] {
			return unknown[keys[i]] > unknown[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k
		if n := unknown[k]; n > 1 {
			parts[i] += fmt.Sprintf(" ×%d", n)
		}
	}
	return " (no translation: " + strings.Join(parts, ", ") + "; --keep-unknown keeps them)"
}
