// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import (
	"sort"
	"time"
)

// Status is what following is doing, for `gvfs-meta status`.
type Status struct {
	Counts
	Watches      int  // directories watched
	WatchLimited bool // fs.inotify.max_user_watches was reached
	Pending      int  // renames waiting for their grace period
	Busy         bool // the follower was busy: these figures are from its last answer
	Trees        []TreeStatus
}

// TreeStatus is one followed tree.
type TreeStatus struct {
	Tree    string // the tree file
	Top     string // the directory its paths are relative to
	Entries int    // paths with metadata
	Unfound int    // of which the file is missing and was not found again
	Ready   bool   // the first scan is done
}

// statusWait is how long Status waits for a follower busy with a storm
// of renames before it answers with what it last reported: a status call
// is served in order with every other call of the daemon.
const statusWait = 200 * time.Millisecond

// Status reports the follower's state.
func (f *Follower) Status() Status {
	reply := make(chan Status, 1)
	timer := time.NewTimer(statusWait)
	defer timer.Stop()
	select {
	case f.status <- reply:
		s := <-reply
		f.mu.Lock()
		f.lastStatus = s
		f.mu.Unlock()
		return s
	case <-f.done:
		return Status{}
	case <-timer.C:
		f.mu.Lock()
		defer f.mu.Unlock()
		s := f.lastStatus
		s.Busy = true
		return s
	}
}

func (f *Follower) statusNow() Status {
	f.wmu.Lock()
	s := Status{Counts: f.counts, Watches: len(f.wds), WatchLimited: f.limited, Pending: len(f.queue)}
	f.wmu.Unlock()
	for _, t := range f.followed() {
		ts := TreeStatus{Tree: t.file, Top: t.top, Ready: t.ready, Entries: t.unseen, Unfound: t.unseen}
		t.entries.walk(func(e *node) {
			if e.meta {
				ts.Entries++
				if e.lost {
					ts.Unfound++
				}
			}
		})
		s.Trees = append(s.Trees, ts)
	}
	sort.Slice(s.Trees, func(i, j int) bool { return s.Trees[i].Tree < s.Trees[j].Tree })
	return s
}
