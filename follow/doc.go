// SPDX-License-Identifier: LGPL-2.0-or-later

// Package follow moves metadata with files that are renamed without GIO
// telling the daemon (mv in a terminal, git mv, scripts, sync tools): it
// watches, with inotify, every directory that holds a path with metadata
// and each of its parents up to the tree's top, and when a file or
// directory with metadata is renamed between watched directories, it has
// the daemon move the metadata exactly as a client's Move call would.
//
// It owns the watches, the decision of what a rename means for metadata
// (settle.go: a save that takes the old name again keeps it there, a
// rename of a file without metadata moves nothing, a chain of renames
// carries metadata along), and the identities (device, inode, birth time)
// of the files that have metadata, kept in a small state file of its own
// so that files renamed while the daemon was not running, or moved out
// of sight and back, are found again.
//
// It never writes a tree: every change goes through Tree.Follow, which
// the daemon implements with the same journal entry and signal as a
// Move call. It never moves metadata to a file it is not certain is the
// same (Same): an entry left behind is counted as unfound, not guessed
// at. It removes metadata only when asked to forget files missing for a
// given time (Config.ForgetMissingAfter), through Tree.Forget, a Remove
// call of the daemon's.
//
// Files:
//
//	follower.go  the Follower, its loop, and the notes the daemon sends it
//	events.go    inotify events to pending renames; watches kept true to the disk
//	settle.go    what a rename ends in, once its grace period is over
//	scan.go      the rescan (at start, after an overflow) and refind
//	lost.go      entries whose file is missing, and finding their files by inode
//	expire.go    forgetting entries missing too long (off by default), never on an absent volume
//	identity.go  what tells one file from another across renames
//	state.go     the state file of identities
//	trie.go      paths as trees of components
//	inotify.go   the kernel interface
//	status.go    what `gvfs-meta status` shows
package follow
