// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bytes"
	"fmt"
	"os"
)

// Scenarios about the journal's life: before any rotation, after several,
// and with a damaged tail.

const neverRotatedDesc = "A journal that was never rotated: the tree is the initial empty tree the " +
	"reference created on the first write (byte-identical to the copy taken right after that " +
	"write), and every change lives in the journal — string set, list set, unset, a directory " +
	"move (journal copy + remove entries) and a remove."

func neverRotated(g *generator) error {
	w, err := newWorld()
	if err != nil {
		return err
	}
	defer w.Close()
	w.Touch("/nr/a.txt", "/nr/b.txt", "/nr/dir/c.txt", "/nr/gone.txt")
	w.GioSet("/nr/a.txt", "k", "v")
	if err := w.Err(); err != nil {
		return err
	}
	initial, err := os.ReadFile(w.TreeFile())
	if err != nil {
		return err
	}
	w.GioSetList("/nr/a.txt", "l", "x", "y z")
	w.GioSet("/nr/a.txt", "temp", "t")
	w.GioUnset("/nr/a.txt", "temp")
	w.GioSet("/nr/b.txt", "k", "b")
	w.GioSet("/nr/dir", "k", "dir")
	w.GioSet("/nr/dir/c.txt", "k", "c")
	w.GioMove("/nr/dir", "/nr/moved")
	w.GioSet("/nr/gone.txt", "k", "gone")
	w.GioRemove("/nr/gone.txt")
	if err := w.Err(); err != nil {
		return err
	}
	snap, err := takeSnapshot(w.DataDir())
	if err != nil {
		return err
	}
	if !bytes.Equal(snap.Tree, initial) {
		return fmt.Errorf("the reference rotated during the scenario (its 60 s timer?); rerun")
	}
	if w.Rotations() != 0 {
		return fmt.Errorf("the reference rotated during the scenario (its 60 s timer?); rerun")
	}
	return g.emit("never-rotated", neverRotatedDesc+fmt.Sprintf(liveNote, snap.Entries), snap, w.Model.Expect())
}

const rotatedTwiceDesc = "A tree the reference rotated at least twice because its 32 KiB journal " +
	"was full (seen as the tree's tag changing), then a live journal with more entries on top. " +
	"About 500 paths /rot/fNNNN with 100-byte values, with unsets and overwrites of older paths " +
	"spread over the rotations; /rot/early.txt set before the first rotation and overwritten in " +
	"the live journal; /rot/gone/* set before the first rotation and removed (D-Bus Remove of " +
	"/rot/gone) in the live journal."

func rotatedTwice(g *generator) error {
	w, err := newWorld()
	if err != nil {
		return err
	}
	defer w.Close()
	w.Touch("/rot/early.txt", "/rot/late.txt")
	w.GioSet("/rot/early.txt", "k", "first")
	w.DBusSet("/rot/gone/a", map[string]any{"k": "a"})
	w.DBusSet("/rot/gone/b/c", map[string]any{"k": "c", "l": []string{"1", "2"}})
	if err := w.Err(); err != nil {
		return err
	}
	after := 0
	for i := 0; after < 20; i++ {
		if i > 5000 {
			return fmt.Errorf("no second rotation after %d writes", i)
		}
		w.DBusSet(fmt.Sprintf("/rot/f%04d", i), map[string]any{"k": filler(fmt.Sprintf("v%04d", i), 100)})
		if i%50 == 49 {
			w.DBusSet(fmt.Sprintf("/rot/f%04d", i-40), map[string]any{"k": unset})
		}
		if i%70 == 69 {
			w.DBusSet(fmt.Sprintf("/rot/f%04d", i-60), map[string]any{"k": fmt.Sprintf("overwritten at %d", i)})
		}
		if err := w.Err(); err != nil {
			return err
		}
		if w.Rotations() >= 2 {
			after++
		}
	}
	w.GioSet("/rot/early.txt", "k", "last")
	w.DBusRemove("/rot/gone")
	w.GioSetList("/rot/late.txt", "l", "in", "live", "journal")
	if err := w.Err(); err != nil {
		return err
	}
	snap, err := takeSnapshot(w.DataDir())
	if err != nil {
		return err
	}
	if snap.Tag != w.tag {
		return fmt.Errorf("the reference rotated again after the scenario (its 60 s timer?); rerun")
	}
	desc := rotatedTwiceDesc + fmt.Sprintf(rotationsNote+liveNote, w.Rotations(), snap.Entries)
	return g.emit("rotated-twice", desc, snap, w.Model.Expect())
}

const corruptTailDesc = "A live journal whose LAST entry is damaged after the reference wrote it: " +
	"/ct/notes.txt had state=before, the last entry sets state=after, and the last byte of that " +
	"entry's value was XOR-ed with 0x01 (\"after\" -> \"aftes\"), so the entry's CRC fails while " +
	"every string stays well-formed. A reader must stop at that entry: state=before is visible, " +
	"neither \"after\" nor \"aftes\". (Before the damage the same snapshot was checked to show " +
	"state=after.)"

func corruptJournalTail(g *generator) error {
	w, err := newWorld()
	if err != nil {
		return err
	}
	defer w.Close()
	w.Touch("/ct/notes.txt", "/ct/other.txt", "/ct/third.txt")
	w.GioSet("/ct/notes.txt", "state", "before")
	w.GioSetList("/ct/other.txt", "l", "x", "y")
	w.GioSet("/ct/third.txt", "k", "v")
	w.GioSet("/ct/notes.txt", "extra", "stays")
	before := w.Model.Expect()
	w.GioSet("/ct/notes.txt", "state", "after")
	if err := w.Err(); err != nil {
		return err
	}
	full := w.Model.Expect()
	snap, err := takeSnapshot(w.DataDir())
	if err != nil {
		return err
	}
	if err := verify(snap, full); err != nil {
		return fmt.Errorf("undamaged snapshot: %w", err)
	}

	info, err := parseJournal(snap.Journal)
	if err != nil {
		return err
	}
	if len(info.Entries) == 0 {
		return fmt.Errorf("the live journal is empty (did the 60 s flush timer fire? rerun)")
	}
	lastEntry := info.Entries[len(info.Entries)-1]
	at, err := setValueEnd(snap.Journal, lastEntry)
	if err != nil {
		return err
	}
	snap.Journal[at] ^= 0x01
	damaged, err := parseJournal(snap.Journal)
	if err == nil || len(damaged.Entries) != len(info.Entries)-1 {
		return fmt.Errorf("flipping byte %d did not invalidate exactly the last entry (%v)", at, err)
	}
	snap.Entries = len(damaged.Entries)
	desc := corruptTailDesc + fmt.Sprintf(" The header still counts %d entries; the damaged one starts at "+
		"offset %d (%d bytes), the flipped byte is at offset %d.", info.Count, lastEntry.Off, lastEntry.Size, at)
	return g.emit("corrupt-journal-tail", desc, snap, before)
}
