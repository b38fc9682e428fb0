// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// generator writes checked case directories into out.
type generator struct {
	out     string
	written []string
}

const (
	rotationsNote = " The reference rotated the tree %d times during the scenario."
	liveNote      = " Snapshot: live — tree and journal copied while the reference daemon was still running " +
		"(every write had returned); the journal holds %d entries not yet in the tree."
	flushedNote = " Snapshot: flushed — copied after the session bus closed and the reference daemon " +
		"exited, having merged its journal into the tree; the journal is the new, empty one."
)

// emitLive snapshots a running world, checks it and writes dir. A live
// snapshot is only interesting with entries in the journal.
func (g *generator) emitLive(w *World, dir, description string) error {
	if err := w.Err(); err != nil {
		return err
	}
	snap, err := takeSnapshot(w.DataDir())
	if err != nil {
		return err
	}
	if snap.Entries == 0 {
		return fmt.Errorf("%s: the live journal is empty (did the reference's 60 s flush timer fire? rerun)", dir)
	}
	description += fmt.Sprintf(rotationsNote+liveNote, w.Rotations(), snap.Entries)
	return g.emit(dir, description, snap, w.Model.Expect())
}

// emitFlushed stops the world so the reference flushes, then snapshots,
// checks and writes dir. The world cannot be used afterwards.
func (g *generator) emitFlushed(w *World, dir, description string) error {
	exp := w.Model.Expect()
	description += fmt.Sprintf(rotationsNote, w.Rotations())
	if err := w.StopAndFlush(); err != nil {
		return err
	}
	names, err := dataFiles(w.DataDir())
	if err != nil {
		return err
	}
	snap, err := takeSnapshot(w.DataDir())
	if err != nil {
		return err
	}
	if want := []string{"home", snap.JournalName}; fmt.Sprint(names) != fmt.Sprint(want) {
		return fmt.Errorf("%s: after the flush the data dir holds %q, want %q", dir, names, want)
	}
	if snap.Entries != 0 {
		return fmt.Errorf("%s: after the flush the journal still holds %d entries", dir, snap.Entries)
	}
	return g.emit(dir, description+flushedNote, snap, exp)
}

// emit verifies a snapshot against the expectation with the reference
// client and only then replaces dir with tree, journal and manifest.
func (g *generator) emit(dir, description string, snap *Snapshot, exp *Expectation) error {
	if err := verify(snap, exp); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	manifest, err := marshalManifest(description, snap.JournalName, exp)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	final := filepath.Join(g.out, dir)
	// Stage beside the target and swap, so an interrupted run leaves either
	// the old checked directory or the new one, and no stale journal whose
	// tag is from an earlier run.
	stage := final + ".tmp"
	if err := os.RemoveAll(stage); err != nil {
		return err
	}
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{"home": snap.Tree, snap.JournalName: snap.Journal, "manifest.json": manifest}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(stage, name), data, 0o644); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(final); err != nil {
		return err
	}
	if err := os.Rename(stage, final); err != nil {
		return err
	}
	g.written = append(g.written, dir)
	fmt.Fprintf(os.Stderr, "refgen:   %-32s tree %7d B, %s %d entries, manifest %d entries / %d absent\n",
		dir, len(snap.Tree), snap.JournalName, snap.Entries, len(exp.Entries), len(exp.Absent))
	return nil
}

// removeStale deletes case directories (those holding a manifest.json)
// that this run did not write, e.g. after a case was renamed.
func (g *generator) removeStale() error {
	keep := map[string]bool{}
	for _, d := range g.written {
		keep[d] = true
	}
	ents, err := os.ReadDir(g.out)
	if err != nil {
		return err
	}
	var stale []string
	for _, e := range ents {
		if !e.IsDir() || keep[e.Name()] {
			continue
		}
		if _, err := os.Stat(filepath.Join(g.out, e.Name(), "manifest.json")); err == nil {
			stale = append(stale, e.Name())
		}
	}
	sort.Strings(stale)
	for _, d := range stale {
		fmt.Fprintf(os.Stderr, "refgen: removing stale %s\n", d)
		if err := os.RemoveAll(filepath.Join(g.out, d)); err != nil {
			return err
		}
	}
	return nil
}
