// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"time"

	"gvfs-metadata/bus"
	"gvfs-metadata/compat/protocol"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/store"
)

// Flush is one write-out of the journal into the tree, forced by taking
// the bus name away from the daemon.
type Flush struct {
	Replaced time.Duration // name taken -> new tree file renamed into place
	Exit     time.Duration // name taken -> daemon process gone
	Peak     int           // largest VmHWM sampled meanwhile, KiB
	Rotated  bool          // false: the daemon exited without replacing the tree
	// Left is how many entries the journal of the new tree holds: 0 when
	// the flush wrote everything out.
	Left int
}

// FlushByNameLoss takes org.gtk.vfs.Metadata from the daemon: the bench's
// own connection requests it with "replace existing", which both daemons
// allow. Losing the name, each writes its journal into the tree and exits,
// exactly as when a new daemon is started with --replace, with no second
// daemon's start-up in the timing. The name is released again once the old
// daemon is gone, so the next call activates a new one.
func (w *World) FlushByNameLoss() (Flush, error) {
	var f Flush
	pid := w.PID
	before := w.watch.Count()
	hwm := sampleHWM(pid, 2*time.Millisecond)
	start := time.Now()
	reply, err := w.conn.RequestName(protocol.BusName, bus.NameFlagReplaceExisting|bus.NameFlagDoNotQueue)
	if err != nil || reply != bus.RequestNamePrimaryOwner {
		f.Peak = hwm.Peak()
		return f, fmt.Errorf("%s: taking %s from the daemon: reply %v, %v", w.D.Name, protocol.BusName, reply, err)
	}
	err = session.WaitExit(pid, callTimeout)
	f.Exit = time.Since(start)
	f.Peak = hwm.Peak()
	w.PID = 0
	if rerr := w.conn.ReleaseName(protocol.BusName); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return f, fmt.Errorf("%s: after losing its name: %w", w.D.Name, err)
	}
	// The inotify event may trail the exit by a moment.
	for deadline := time.Now().Add(time.Second); w.watch.Count() == before && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if at, ok := w.watch.Seen(before); ok {
		f.Replaced, f.Rotated = at.Sub(start), true
	}
	if f.Left, err = journalEntries(w.Tree); err != nil {
		return f, fmt.Errorf("%s: after the flush: %w", w.D.Name, err)
	}
	return f, nil
}

// journalEntries opens the tree read-only, as any GIO reader would, and
// returns how many entries its journal holds.
func journalEntries(tree string) (int, error) {
	st, err := store.Open(tree, store.Options{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	stats, err := st.Stats()
	return stats.JournalEntries, err
}
