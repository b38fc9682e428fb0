// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gvfs-metadata/format"
)

// SalvageReport says what Salvage kept and what it could not.
type SalvageReport struct {
	TreeReadable   bool   // the header, key table and root parsed
	TreeError      error  // why not, when they did not
	Damage         Damage // unreadable parts inside a readable tree
	JournalPath    string // the journal used, "" when none was usable
	JournalApplied int    // entries merged from it
	JournalError   error  // why the journal could not be used, or where its valid part ends
}

// Salvage reads everything still readable from a tree file and its
// journal, however damaged, into nodes ready for Create: every entry
// reachable through sound blocks of the tree, then the journal's valid
// entries in order. It never writes. A tree whose header is unreadable
// contributes nothing, but its journal is still found by name (the
// journal of the tag in its header, or else the only journal beside it).
// It reads through fsys (OS{} when nil).
func Salvage(treePath string, fsys FS) (*format.Node, SalvageReport, error) {
	if fsys == nil {
		fsys = OS{}
	}
	var rep SalvageReport
	data, err := readWhole(fsys, treePath)
	if err != nil {
		return nil, rep, err
	}
	root := &format.Node{Name: "/"}
	var tag uint32
	haveTag := false
	if t, err := format.ParseTree(data); err == nil {
		rep.TreeReadable = true
		root, rep.Damage = loadTree(t)
		tag, haveTag = t.Tag(), true
	} else {
		rep.TreeError = err
		if len(data) >= 16 {
			tag, haveTag = be.Uint32(data[12:]), true
		}
	}
	jpath, jdata := findJournal(fsys, treePath, tag, haveTag)
	if jpath == "" {
		rep.JournalError = fmt.Errorf("no journal found beside %s", treePath)
		return root, rep, nil
	}
	jtag := be.Uint32(jdata[8:12])
	j, err := format.ParseJournal(jdata, jtag)
	if err != nil {
		rep.JournalError = fmt.Errorf("%s: %w", jpath, err)
		return root, rep, nil
	}
	rep.JournalPath = jpath
	for i := 0; i < j.Len(); i++ {
		e, err := j.Entry(i)
		if err != nil {
			break
		}
		if e.Op.Known() {
			c := e.Change()
			replayOnNodes(root, &c)
		}
		rep.JournalApplied++
	}
	if err := j.Broken(); err != nil {
		rep.JournalError = fmt.Errorf("%s: %w", jpath, err)
	}
	return root, rep, nil
}

// findJournal returns the journal of tag beside the tree, or failing that
// the only journal of this tree's name there.
func findJournal(fsys FS, treePath string, tag uint32, haveTag bool) (string, []byte) {
	if haveTag {
		p := format.JournalFilename(treePath, tag)
		if b, err := readWhole(fsys, p); err == nil && len(b) >= format.JournalHeaderSize {
			return p, b
		}
	}
	dir, tree := filepath.Split(treePath)
	names, _ := fsys.ReadDir(filepath.Clean(dir))
	var found []string
	for _, name := range names {
		if strings.HasSuffix(name, ".log") && isLeftover(tree, name) {
			found = append(found, filepath.Join(dir, name))
		}
	}
	if len(found) != 1 {
		return "", nil
	}
	b, err := readWhole(fsys, found[0])
	if err != nil || len(b) < format.JournalHeaderSize {
		return "", nil
	}
	return found[0], b
}

// readWhole reads a whole file through fsys.
func readWhole(fsys FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	data := make([]byte, st.Size)
	n, err := f.ReadAt(data, 0)
	if err != nil && !(errors.Is(err, io.EOF) && n == len(data)) {
		return nil, err
	}
	return data, nil
}
