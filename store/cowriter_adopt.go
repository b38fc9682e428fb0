// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"bytes"
	"container/list"

	"gvfs-metadata/format"
)

// A writer that shares a tree without taking its lock keeps appending to
// the journal it opened after this store's rotation replaced it: the C
// daemon (gvfs 1.50.3) never reopens a tree before writing, and writes
// on into that journal until its own next rotation. Those writes reach
// no reader until then, and are lost if it ends without one: it writes
// nothing out when it is sent SIGTERM, as a session's end does.
//
// So while another writer shares the tree, a rotation keeps the journal
// it retires mapped (its name is removed as usual), and before each
// write and flush the store looks there for entries it did not merge:
// the other writer's, appended since (or past where this store could
// validate). It carries them into its own journal with the next write,
// in their order, unless this store acknowledged a change of the same
// key, or removed or replaced a path above it, at the same time or
// later: that stays. What is carried is entries that reached no reader,
// never a value from an older view of the files. When the other writer
// rotates, its tree holds them: the retired journals, and what was taken
// from them and not yet carried, are dropped.

// maxRetired is how many retired journals a store watches at most: the
// other writer appends to the one it opened, which this store may have
// rotated away from a few times since.
const maxRetired = 4

// retired is a journal this store rotated away from while another writer
// shared it.
type retired struct {
	jf        *journalFile
	taken     map[entryID]bool // entries already merged or carried
	published uint32           // the entry count when last looked at
	looked    bool             // looked at once since retired
}

// retire keeps the journal a rotation replaced, with the entries it
// merged from it, to watch for the other writer's appends. The entries of
// an append to it that failed count as taken: the write was refused.
func (w *coWriters) retire(jf *journalFile, merged ...[]byte) {
	r := &retired{jf: jf, taken: map[entryID]bool{}}
	merged = append(merged, w.refused)
	w.refused = nil
	for _, run := range merged {
		entryRuns{run}.each(func(e *format.Entry) error {
			r.taken[idOf(run[e.Offset:])] = true
			return nil
		})
	}
	w.retired = append(w.retired, r)
	if len(w.retired) > maxRetired {
		w.retired[0].jf.close()
		w.retired = w.retired[1:]
	}
}

// dropRetired stops watching the retired journals, and drops what was
// taken from them and not yet carried: another writer's rotation (which
// holds what it appended there) replaced the tree.
func (w *coWriters) dropRetired() {
	for _, r := range w.retired {
		r.jf.close()
	}
	w.retired = nil
	w.adopted = nil
}

// zeroRun is how many zero bytes end the look for entries: a journal is
// zeros past what was written, and no entry holds this many in a row
// where an entry could start.
const zeroRun = 256

// adoptRetired takes the entries another writer appended to retired
// journals since this store last looked, for the next write or rotation
// to carry (coWriters.adopted), and reports whether any wait to be.
func (w *coWriters) adoptRetired() bool {
	for _, r := range w.retired {
		data := r.jf.m.Bytes()
		if len(data) < format.JournalHeaderSize {
			continue
		}
		// Entries it appended past this store's last one, under a count
		// this store could not validate, are looked for once; then again
		// whenever the count changes, as it does with every append.
		pub := be.Uint32(data[format.JournalNumEntriesOffset:])
		if r.looked && pub == r.published {
			continue
		}
		r.published, r.looked = pub, true
		zeros := 0
		for off := format.JournalHeaderSize; off+4 <= len(data) && zeros < zeroRun; {
			e, err := format.DecodeEntry(data, uint32(off))
			if err != nil {
				if be.Uint32(data[off:]) == 0 {
					zeros += 4
				} else {
					zeros = 0
				}
				off += 4
				continue
			}
			zeros = 0
			// The other writer may be writing over it right now: what
			// is taken is a copy that decodes.
			b := bytes.Clone(data[off : off+int(e.Size)])
			off += int(e.Size)
			if e, err = format.DecodeEntry(b, 0); err != nil {
				continue
			}
			if id := idOf(b); !r.taken[id] {
				r.taken[id] = true
				if w.adopt(&e) {
					w.adopted = append(w.adopted, b...)
				}
			}
		}
	}
	return w.adopted != nil
}

// adopt reports whether another writer's entry, found in a retired
// journal, is to be carried: not when this store acknowledged a change
// it would undo at the same time or later, nor one under a path this
// store removed or replaced at the same time or later. An entry carried
// replaces the remembered changes it covers.
func (w *coWriters) adopt(e *format.Entry) bool {
	for _, r := range w.removed {
		if r.mtime >= e.Mtime && reaches(e, []byte(r.path)) {
			return false
		}
	}
	newer := false
	w.eachCovered(e, func(el *list.Element) {
		if el.Value.(*ownChange).c.Mtime >= e.Mtime {
			newer = true
		}
	})
	if newer {
		return false
	}
	w.sawEntry(e)
	w.Adopted++
	return true
}
