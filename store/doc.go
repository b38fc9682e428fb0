// SPDX-License-Identifier: LGPL-2.0-or-later

// Package store is one metadata tree as a database: the tree file and its
// journal, opened together, read with the C client's merge rules, written
// by appending to the journal, and rotated (journal merged into a new tree)
// with the crash-safe protocol every GIO application relies on.
//
// The store owns the files of one tree and the rules for changing them:
// never rewrite a live tree in place, never shrink or truncate a live
// journal, publish an entry's count only after its bytes. It does not
// decide which trees may exist or where (that is the daemon's policy), and
// it speaks no D-Bus. All file I/O goes through FS so that tests can replay
// what a disk keeps after power loss.
//
// A store shares its tree with other writers: every GIO application reads
// the files directly; another store of this package in another process (a
// second session's daemon, the gvfs-meta tool) writes them under the
// tree's lock; the C daemon (gvfsd-metadata of gvfs) writes them without
// any lock; and on NFS, writers on other machines keep journals of their
// own. Readers need only the protocol the core keeps (entries published
// after their bytes, a rotation's old tree marked); what the other writers
// need (the tree's lock, carried entries, a C daemon's dropped writes)
// enters the core through one seam, coWriters (cowriter*.go).
//
// # How a write becomes visible and durable
//
// Apply encodes the changes as journal entries (encodeChanges) and, under
// s.mu, retries applyOnceLocked. That picks up other writers' rotations
// (refreshLocked) and checks the files still have their names
// (keepNamesLocked), takes the tree's lock (lockTreeLocked), picks up
// other writers' appends (refreshJournalLocked) and appends the entries
// (journalFile.append): their bytes are written into the shared mapping,
// then their count is published with one atomic store. From that moment
// every reader sees all of them, and a process killed after it loses
// none (the kernel keeps a file's pages). When the journal reaches its
// threshold, a rotation (rotate.go, six numbered steps) merges it into a
// new tree: snapshotLocked, writeTree (the new tree fsynced under a
// temporary name), planJournalLocked, makeJournal (the new journal
// fsynced), commitLocked (entries written since carried over, the rename,
// the old tree marked rotated) and finish (the directory fsynced): only
// then is the change durable against power loss, as Flush waits for.
// Journals are never fsynced, as in the reference, so power loss may
// lose writes a rotation has not yet merged.
//
// A method of Store whose name ends in Locked is called with s.mu held
// (and may wait on s.rot.room, which releases it); every other method
// takes s.mu itself or needs no store state. coWriters and rotationState
// are guarded by s.mu as their fields say.
//
// The files, by job (tests beside each as *_test.go):
//
//	doc.go             this map
//	store.go           Options, Open, Create, Close; loading and reloading the files
//	read.go            lookups: Get, Keys, LastChanged, Children
//	replay.go          the merge rules, once: what a journal entry does to a
//	                   path, for rotations (oldest first) and lookups (newest first)
//	write.go           Apply and its shorthands, Flush, Compact, Dirty
//	rotate.go          the rotation protocol, step by step
//	rotate_files.go    the files a rotation makes: the new tree and journal
//	journalsize.go     how big a new journal is, and when it rotates
//	rebuild.go         a new tree laid out from the old one, copying blocks
//	                   the journal did not touch
//	overlay.go         the paths the journal touches, over the old tree
//	patch.go           a new tree as a patch of the old file
//	nodes.go           a tree decoded into nodes: the full rebuild, Merged
//	entries.go         runs of journal entries and their one splitter
//	handles.go         open tree and journal files
//	names.go           a removed or replaced tree, journal or directory
//	leftovers.go       removing what interrupted rotations left
//	nfs.go             journals and file opening on NFS
//	fs.go, osfs.go     the file-system interface and the real one
//	salvage.go         what can be read of a damaged tree
//	stats.go           Stats
//	cowriter*.go       other writers of the tree (see cowriter.go)
package store
