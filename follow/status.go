// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import "sort"

// Status is what following is doing, for `gvfs-meta status`.
type Status struct {
	Counts
	Watches      int  // directories watched
	WatchLimited bool // fs.inotify.max_user_watches was reached
	Pending      int  // renames waiting for their grace period
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

// Status reports the follower's state.
func (f *Follower) Status() Status {
	reply := make(chan Status, 1)
	select {
	case f.status <- reply:
		return <-reply
	case <-f.done:
		return Status{}
	}
}

func (f *Follower) statusNow() Status {
	s := Status{Counts: f.counts, Watches: len(f.wds), WatchLimited: f.limited, Pending: len(f.queue)}
	for _, t := range f.trees {
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
