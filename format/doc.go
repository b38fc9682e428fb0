// SPDX-License-Identifier: LGPL-2.0-or-later

// Package format reads and writes the bytes of gvfs metadata files: the tree
// file (a sorted, breadth-first snapshot of every path's keys) and its journal
// (a fixed-size log of changes since that snapshot).
//
// The package owns the on-disk layout and nothing else. It knows no policy
// (when to rotate, where files live, who may write), no D-Bus and no
// locking. Every function that looks at bytes is total: hostile input gives
// a *FormatError carrying the offset, never a panic, an endless loop or a
// read outside the slice it was handed.
//
// All integers are big-endian; offsets are uint32 from the start of a file.
package format
