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
package store
