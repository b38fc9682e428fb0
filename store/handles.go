// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"gvfs-metadata/format"
)

// treeFile is an open, mapped, parsed tree. A rotation building the next
// tree from it holds a reference, so the mapping outlives a swap until the
// builder is done with it.
type treeFile struct {
	path  string
	file  File
	m     Mapping
	t     *format.Tree
	inode uint64
	refs  atomic.Int32
}

// mapFile opens a tree or journal and maps it whole (writable when write
// is set), refusing sizes no such file can have (smaller than its header,
// or beyond 32-bit offsets).
func mapFile(fs FS, path, kind string, minSize int64, write, nfs bool) (File, Mapping, FileInfo, error) {
	f, err := openFile(fs, path, write, nfs)
	if err != nil {
		return nil, nil, FileInfo{}, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, FileInfo{}, err
	}
	if st.Size < minSize || st.Size > 1<<32 {
		f.Close()
		return nil, nil, FileInfo{}, &CorruptError{Path: path, Err: &format.FormatError{Msg: fmt.Sprintf("%s has an impossible size (%d bytes)", kind, st.Size)}}
	}
	var m Mapping
	if write {
		m, err = f.MapWritable(int(st.Size))
	} else {
		m, err = f.Map(int(st.Size))
	}
	if err != nil {
		f.Close()
		return nil, nil, FileInfo{}, err
	}
	return f, m, st, nil
}

func openTree(fs FS, path string, nfs bool) (*treeFile, error) {
	f, m, st, err := mapFile(fs, path, "tree file", format.TreeHeaderSize, false, nfs)
	if err != nil {
		return nil, err
	}
	t, err := format.ParseTree(m.Bytes())
	if err != nil {
		m.Unmap()
		f.Close()
		return nil, &CorruptError{Path: path, Err: err}
	}
	tf := &treeFile{path: path, file: f, m: m, t: t, inode: st.Inode}
	tf.refs.Store(1)
	return tf, nil
}

func (tf *treeFile) acquire() *treeFile { tf.refs.Add(1); return tf }

func (tf *treeFile) release() {
	if tf.refs.Add(-1) == 0 {
		tf.m.Unmap()
		tf.file.Close()
	}
}

// journalFile is an open, mapped, parsed journal. A writable store writes
// it through its shared mapping, as the C daemon does: an append is a
// memory copy, not a system call, and every reader's mapping sees it.
type journalFile struct {
	path string
	file File
	m    Mapping
	j    *format.Journal
	// tail is what lay past the last valid entry when the journal was
	// opened, from tailAt on: what a writer killed between writing an
	// entry and publishing it left (see cowriter_apart.go).
	tail   []byte
	tailAt uint32
}

func openJournal(fs FS, path string, tag uint32, write, nfs bool) (*journalFile, error) {
	f, m, _, err := mapFile(fs, path, "journal", format.JournalHeaderSize, write, nfs)
	if err != nil {
		return nil, err
	}
	j, err := format.ParseJournal(m.Bytes(), tag)
	if err != nil {
		m.Unmap()
		f.Close()
		return nil, &CorruptError{Path: path, Err: err}
	}
	jf := &journalFile{path: path, file: f, m: m, j: j}
	jf.noteTail()
	return jf, nil
}

func (jf *journalFile) close() {
	jf.m.Unmap()
	jf.file.Close()
}

// append writes whole entries after the last valid one, then publishes
// their count, then validates them through the mapping.
func (jf *journalFile) append(entries []byte, count int) error {
	w, ok := jf.m.(WritableMapping)
	if !ok {
		return fmt.Errorf("journal %s is open read-only", jf.path)
	}
	if _, err := w.WriteAt(entries, int64(jf.j.End())); err != nil {
		return err
	}
	if err := w.PublishUint32(format.JournalNumEntriesOffset, uint32(jf.j.Len()+count)); err != nil {
		return err
	}
	before := jf.j.Len()
	jf.j.Refresh()
	if jf.j.Len() != before+count {
		return fmt.Errorf("journal %s: appended entries do not read back: %v", jf.path, jf.j.Broken())
	}
	return nil
}

// CorruptError reports a tree or journal whose bytes cannot be trusted.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *CorruptError) Unwrap() error { return e.Err }

var be = binary.BigEndian
