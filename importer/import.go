// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"fmt"

	"gvfs-metadata/compat/resolve"
	"gvfs-metadata/format"
)

// FileResult is what happened (or, in a dry run, would happen) to one
// entry of a metafile.
type FileResult struct {
	Metafile string
	Line     int
	File     Location // the file the entry is about
	Target   resolve.Location
	Set      []format.KeyValue // keys written, sorted
	Kept     []string          // keys the file already had, left as they were
	Unknown  []string          // old keys with no translation, left out
	// LastChanged is the time a raw conversion stores (0: none).
	LastChanged int64
	Err         error // the write failed; nothing of this entry was stored
}

// Importer runs translated imports: every entry's translated keys go
// through Write to the tree GIO uses for the file, except keys the file
// already has (unless Overwrite).
type Importer struct {
	Locate      func(Location) resolve.Location
	Existing    Reader
	Write       Writer // nil for a dry run
	Overwrite   bool
	KeepUnknown bool
	// Report receives every problem, the metafile's own first.
	Report func(Problem)
	Stats  Stats

	// written holds what this run stored (or would store), so a file
	// named in two metafiles (as "." and as a child of its parent) sees
	// the first one's keys even in a dry run.
	written map[resolve.Location]map[string]format.KeyValue
}

// Import imports one metafile, calling each (when not nil) for every
// entry handled.
func (im *Importer) Import(m *Metafile, each func(FileResult)) {
	for _, p := range m.Problems {
		im.report(p)
	}
	if !m.Usable {
		if m.Skipped() {
			im.Stats.SkippedDirectories++
		}
		return
	}
	im.Stats.Directories++
	for i := range m.Entries {
		r := im.entry(m, &m.Entries[i])
		if each != nil {
			each(r)
		}
	}
}

func (im *Importer) report(p Problem) {
	im.Stats.count(p)
	if im.Report != nil {
		im.Report(p)
	}
}

func (im *Importer) entry(m *Metafile, e *Entry) FileResult {
	file := m.Dir.Child(e.Name)
	r := FileResult{Metafile: m.Path, Line: e.Line, File: file, Target: im.Locate(file)}
	kvs, unknown := Translate(e, im.KeepUnknown)
	im.Stats.Files++
	if !im.KeepUnknown {
		r.Unknown = unknown
		for _, k := range unknown {
			im.Stats.unknown(k)
		}
	}
	if len(kvs) == 0 {
		return r
	}
	have, err := im.existing(r.Target)
	if err != nil {
		r.Err = fmt.Errorf("reading the metadata %s already has: %w", file.Display(), err)
		im.report(Problem{File: m.Path, Line: e.Line, Severity: Error, Msg: r.Err.Error() + "; entry not imported"})
		return r
	}
	values := map[string]any{}
	for _, kv := range kvs {
		if old, ok := have[kv.Key]; ok && (!im.Overwrite || old.SameValue(kv)) {
			r.Kept = append(r.Kept, kv.Key)
			continue
		}
		r.Set = append(r.Set, kv)
		if kv.IsList {
			values[kv.Key] = kv.List
		} else {
			values[kv.Key] = kv.Value
		}
	}
	im.Stats.Kept += len(r.Kept)
	if len(values) == 0 {
		return r
	}
	if im.Write != nil {
		if err := im.Write.Set(r.Target.TreeFile, r.Target.Path, values); err != nil {
			r.Err = err
			r.Set = nil
			im.report(Problem{File: m.Path, Line: e.Line, Severity: Error,
				Msg: fmt.Sprintf("setting metadata of %s (tree %s, path %s): %v", file.Display(), r.Target.Tree, printable(r.Target.Path), err)})
			return r
		}
	}
	im.Stats.Set += len(r.Set)
	im.remember(r.Target, r.Set)
	return r
}

// existing is what the file has now, with this run's own writes.
func (im *Importer) existing(t resolve.Location) (map[string]format.KeyValue, error) {
	have, err := im.Existing.Keys(t.TreeFile, t.Path)
	if err != nil {
		return nil, err
	}
	for k, v := range im.written[t] {
		if have == nil {
			have = map[string]format.KeyValue{}
		}
		have[k] = v
	}
	return have, nil
}

func (im *Importer) remember(t resolve.Location, kvs []format.KeyValue) {
	if im.written == nil {
		im.written = map[resolve.Location]map[string]format.KeyValue{}
	}
	w := im.written[t]
	if w == nil {
		w = map[string]format.KeyValue{}
		im.written[t] = w
	}
	for _, kv := range kvs {
		w[kv.Key] = kv
	}
}
