// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"path"
)

// Operations through the real gio tool: they reach the reference daemon
// exactly as a file manager's writes do (the gvfs GIO module turns them into
// Set/Move/Remove calls). Each updates the model only after gio succeeded.

func (w *World) gio(args ...string) bool {
	if w.err != nil {
		return false
	}
	if _, _, err := w.s.Gio(args...); err != nil {
		w.fail(err)
		return false
	}
	w.afterWrite()
	return true
}

// GioSet sets a string value: gio set FILE metadata::KEY VALUE.
func (w *World) GioSet(p, key, value string) {
	if w.gio("set", w.Disk(p), "metadata::"+key, value) {
		w.Model.Set(p, key, Str(value))
	}
}

// GioSetList sets a string list: gio set -t stringv FILE metadata::KEY ITEM...
// (gio cannot express an empty list; see DBusSet).
func (w *World) GioSetList(p, key string, items ...string) {
	args := append([]string{"set", "-t", "stringv", w.Disk(p), "metadata::" + key}, items...)
	if w.gio(args...) {
		w.Model.Set(p, key, List(items...))
	}
}

// GioUnset removes one key: gio set -t unset FILE metadata::KEY.
func (w *World) GioUnset(p, key string) {
	if w.gio("set", w.Disk(p), "-t", "unset", "metadata::"+key) {
		w.Model.Unset(p, key)
	}
}

// GioMove renames on disk; the GIO module then sends Move(src, dst).
func (w *World) GioMove(src, dst string) {
	if w.gio("move", w.Disk(src), w.Disk(dst)) {
		w.Model.Move(src, dst)
	}
}

// GioRename is gio rename FILE NEWNAME (g_file_set_display_name).
func (w *World) GioRename(p, newName string) {
	dst := path.Join(path.Dir(p), newName)
	if w.gio("rename", w.Disk(p), newName) {
		w.Model.Move(p, dst)
	}
}

// GioCopyPreserve is gio copy --preserve SRC DST. With GLib 2.74 and gvfs
// 1.50.3 it does NOT carry metadata:: keys for local files (no Set reaches
// the daemon; seen with dbus-monitor), so the model expects the copy to
// have none and asks for that to be checked.
func (w *World) GioCopyPreserve(src, dst string) {
	if w.gio("copy", "--preserve", w.Disk(src), w.Disk(dst)) {
		w.Model.CheckAbsent(dst)
	}
}

// GioRemove deletes files or empty directories, in order; the GIO module
// sends Remove for each.
func (w *World) GioRemove(paths ...string) {
	for _, p := range paths {
		if w.gio("remove", w.Disk(p)) {
			w.Model.Remove(p)
		}
	}
}
