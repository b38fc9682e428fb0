// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"time"

	"gvfs-metadata/bus"
	"gvfs-metadata/compat/protocol"
	"gvfs-metadata/internal/version"
	"gvfs-metadata/store"
)

// started is when the daemon started, for its status.
var started = time.Now()

// statusCall answers protocol.StatusInterface: what `gvfs-meta status`
// shows of this daemon. Nothing else calls it; it is not in the
// introspection data, which stays the reference's.
func (d *daemon) statusCall(call *bus.Message) {
	if call.Member == protocol.RefindMethod && call.Signature == "aay" {
		d.refindCall(call)
		return
	}
	if call.Member == protocol.FlushMethod && call.Signature == "aay" {
		d.flushCall(call)
		return
	}
	if call.Member != protocol.StatusMethod || call.Signature != "" {
		d.fail(call, &callError{errUnknownMeth, "No such method “" + call.Member + "”"})
		return
	}
	b, err := json.Marshal(d.status())
	if err != nil {
		d.fail(call, &callError{errFailedDBus, err.Error()})
		return
	}
	d.replyString(call, string(b))
}

func (d *daemon) status() protocol.Status {
	exe, _ := os.Executable()
	st := protocol.Status{Version: version.String(), Executable: exe, Started: started.UTC().Format(time.RFC3339), Trees: d.trees.status()}
	sort.Slice(st.Trees, func(i, j int) bool { return st.Trees[i].TreeFile < st.Trees[j].TreeFile })
	if fs := d.follow.status(); fs != nil {
		st.Follow = &protocol.FollowStatus{Watches: fs.Watches, WatchLimited: fs.WatchLimited, Followed: fs.Followed, FoundAgain: fs.FoundAgain,
			KeptAtName: fs.KeptAtName, Pending: fs.Pending, Busy: fs.Busy, Overflows: fs.Overflows, Rescans: fs.Rescans, Trees: []protocol.FollowedTree{}}
		for _, t := range fs.Trees {
			st.Follow.Trees = append(st.Follow.Trees, protocol.FollowedTree{TreeFile: t.Tree, Top: t.Top, Entries: t.Entries, Unfound: t.Unfound, Ready: t.Ready})
		}
	}
	return st
}

// status describes every open tree. The trees are listed under ts.mu and
// asked without it: a tree busy rotating must not hold up the calls that
// look up the others.
func (ts *trees) status() []protocol.TreeStatus {
	ts.mu.Lock()
	open := make([]*tree, 0, len(ts.open))
	for _, t := range ts.open {
		open = append(open, t)
	}
	ts.mu.Unlock()
	out := []protocol.TreeStatus{}
	for _, t := range open {
		s := protocol.TreeStatus{TreeFile: t.name, OnNFS: t.st.OnNFS()}
		stats, err := t.st.Stats()
		if errors.Is(err, store.ErrClosed) {
			continue // closed for being idle since it was listed
		}
		if err == nil {
			s.Journal, s.JournalBytes, s.JournalUsed, s.JournalEntries = stats.JournalPath, stats.JournalBytes, stats.JournalUsed, stats.JournalEntries
			if stats.LastRotation != 0 {
				s.LastFlush = time.Unix(stats.LastRotation, 0).UTC().Format(time.RFC3339)
			}
			if c := stats.CoWriter; c.Seen {
				s.OtherWriter = &protocol.OtherWriterStatus{WrittenAgain: c.Restored, Carried: c.Adopted, Superseded: c.Superseded, Shown: c.Shown, Dropped: c.Dropped}
			}
		}
		t.mu.Lock()
		if !t.lastWrite.IsZero() {
			s.LastWrite = t.lastWrite.UTC().Format(time.RFC3339)
		}
		s.FlushPending = t.timer != nil
		t.mu.Unlock()
		out = append(out, s)
	}
	return out
}

// refindCall answers protocol.RefindMethod: the follower looks below the
// directories for missing entries' files.
func (d *daemon) refindCall(call *bus.Message) {
	if d.follow == nil {
		d.fail(call, &callError{errNotSupported, "This daemon does not follow files (--no-follow)"})
		return
	}
	dirs, ok := d.byteStrings(call, "directory")
	if !ok {
		return
	}
	for i, dir := range dirs {
		if !filepath.IsAbs(dir) {
			d.fail(call, invalidArgs("Directory “%s” is not absolute", dir))
			return
		}
		dirs[i] = filepath.Clean(dir)
	}
	var e bus.Encoder
	e.Uint32(uint32(d.follow.f.Refind(dirs)))
	d.reply(call, "u", e.Bytes())
}

// flushCall answers protocol.FlushMethod: each tree named is written out
// now and laid out whole (Compact), in order after the calls before it,
// so that what they removed is in none of its files on the reply.
func (d *daemon) flushCall(call *bus.Message) {
	trees, ok := d.byteStrings(call, "treefile")
	if !ok {
		return
	}
	for _, treefile := range trees {
		if _, err := os.Lstat(treefile); err != nil {
			continue // nothing written there, nothing to write out
		}
		t, cerr := d.trees.get(treefile)
		if cerr != nil {
			d.fail(call, cerr)
			return
		}
		err := t.st.Compact()
		d.trees.release(t)
		if err != nil {
			d.logf("writing out %s: %v", brief(treefile), err)
			d.fail(call, failed(msgRemoveFailed))
			return
		}
	}
	d.follow.save()
	d.reply(call, "", nil)
}

// byteStrings decodes a call's one argument, an array of byte strings
// (aay) named name, and answers the call when it does not decode.
func (d *daemon) byteStrings(call *bus.Message, name string) ([]string, bool) {
	args := call.Args()
	var out []string
	end := args.Array(1)
	for args.More(end) {
		s, cerr := bytestring(name, args.Bytes())
		if cerr != nil {
			d.fail(call, cerr)
			return nil, false
		}
		out = append(out, s)
	}
	return out, d.decoded(call, args)
}
