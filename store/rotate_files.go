// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"gvfs-metadata/format"
)

// The files a rotation makes: the new tree (step 2) and the new journal
// (step 4), each durable before anything names it. See rotate.go.

// writeTree is step 2: it writes the new tree to a temporary file and
// makes it durable: as a patch of the old file (see patch.go) unless the
// rotation must lay the tree out again, or the journal removes or
// replaces what the old tree holds (live.go), or cannot be expressed as a
// patch, or the file would grow past its limit; else whole. It reads only
// the snapshot, which never changes.
func (s *Store) writeTree(r *rotation) error {
	sn, b := &r.snap, &r.built
	var err error
	if !sn.rewrite && sn.old != nil && !dropsTreeData(sn.old.t, sn.entries) {
		p, perr := patchTree(sn.old.t, sn.entries, sn.tag)
		if perr == nil && p.Size() <= sn.sizeLimit {
			b.outSize = p.Size()
			b.patched = true
			b.tmpPath, err = s.writeTemp(func(f File) error {
				if err := s.fs.CopyRange(f, sn.old.file, 0, int64(len(sn.old.t.Bytes()))); err != nil {
					return err
				}
				return p.WriteTo(f)
			})
			return err
		}
	}
	data, err := sn.newTree(&b.damage)
	if err != nil {
		return err
	}
	b.outSize = len(data)
	b.tmpPath, err = s.writeTemp(func(f File) error {
		_, err := f.WriteAt(data, 0)
		return err
	})
	return err
}

// makeJournal is step 4: it creates the new journal of the planned size.
func (s *Store) makeJournal(r *rotation) error {
	jpath := journalPath(s.fs, s.path, r.snap.tag, s.nfs, s.opts.RuntimeDir)
	var err error
	r.built.journal, r.built.size, err = createJournalFitting(s.fs, jpath, r.snap.tag, r.built.size, s.journalSize())
	return err
}

// newTree merges the snapshot into the bytes of a new tree file: by
// copying the old tree's untouched blocks when it is laid out as the
// builders lay it out, else by decoding all of it into nodes; damage
// (when not nil) receives what of the old tree could not be decoded.
func (r *rotationSnapshot) newTree(damage *Damage) ([]byte, error) {
	if r.old != nil && !forceFullRebuild {
		if data, err := rebuild(r.old.t, r.entries, r.tag); err == nil {
			return data, nil
		}
	}
	root := &format.Node{Name: "/"}
	switch {
	case r.old != nil:
		var d Damage
		root, d = loadTree(r.old.t)
		if damage != nil {
			*damage = d
		}
	case r.initial != nil:
		root = r.initial
	}
	err := r.entries.each(func(e *format.Entry) error {
		c := e.View()
		replayOnNodes(root, &c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal entry vanished during rotation: %w", err)
	}
	return format.Build(root, r.tag), nil
}

// forceFullRebuild makes every rotation decode the whole tree; tests use
// it to compare the two ways of rotating.
var forceFullRebuild = false

// writeTemp writes a complete tree next to the real one (with write) and
// makes it durable, so that the rename that publishes it can never expose
// a torn file.
func (s *Store) writeTemp(write func(File) error) (string, error) {
	var f File
	var name string
	var err error
	for range 100 {
		name = s.path + "." + randomSuffix()
		f, err = s.fs.CreateExclusive(name, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return "", err
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.fs.Remove(name)
		return "", err
	}
	return name, nil
}

// createJournal creates an empty journal of size bytes, durable before any
// tree names it: a tree whose journal is missing or torn after a crash
// would leave the C daemon unable to write.
func createJournal(fsys FS, path string, tag uint32, size int) (*journalFile, error) {
	f, err := fsys.CreateExclusive(path, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// A leftover of a rotation that crashed before its rename: nothing
		// names it, so it holds nothing anyone can see.
		fsys.Remove(path)
		f, err = fsys.CreateExclusive(path, 0o600)
	}
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*journalFile, error) {
		f.Close()
		fsys.Remove(path)
		return nil, err
	}
	// Real zeros, not a sparse file: appends then never allocate blocks,
	// which could make a writer wait on the file system's own journal
	// while another file is being fsynced.
	body := make([]byte, size)
	copy(body, format.NewJournalHeader(tag, uint32(size)))
	if _, err := f.WriteAt(body, 0); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	m, err := f.MapWritable(size)
	if err != nil {
		return fail(err)
	}
	j, err := format.ParseJournal(m.Bytes(), tag)
	if err != nil {
		m.Unmap()
		return fail(err)
	}
	return &journalFile{path: path, file: f, m: m, j: j}, nil
}

// createJournalFitting creates a journal of size bytes, or of least bytes
// when the disk has no room for more: a nearly full disk then rotates
// more often rather than refuse writes a journal of the usual size still
// holds. It returns the size made.
func createJournalFitting(fsys FS, path string, tag uint32, size, least int) (*journalFile, int, error) {
	j, err := createJournal(fsys, path, tag, size)
	if errors.Is(err, syscall.ENOSPC) && least < size {
		size = least
		j, err = createJournal(fsys, path, tag, size)
	}
	return j, size, err
}
