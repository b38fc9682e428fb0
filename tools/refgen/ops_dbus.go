// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"sort"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/compat/protocol"
)

// Direct calls to org.gtk.vfs.Metadata, for what gio cannot express (an
// empty list, several keys in one Set, Remove of a directory whose files
// stay, Move onto a destination that has metadata) and for bulk writes
// (one gio process per write would take minutes for 10,000 paths).

const metadataPath = dbus.ObjectPath(protocol.ObjectPath)

// unset is the value that asks Set to remove a key (sent as a `y` byte).
type unsetValue struct{}

var unset = unsetValue{}

// bytestring is a GLib bytestring as clients send it: the bytes plus one
// trailing NUL.
func bytestring(s string) []byte { return append([]byte(s), 0) }

// DBusSet sends one Set call with several keys. Values are string (s),
// []string (as) or unset (y).
func (w *World) DBusSet(p string, data map[string]any) {
	if w.err != nil {
		return
	}
	vars := map[string]dbus.Variant{}
	for key, v := range data {
		switch v := v.(type) {
		case string:
			vars[key] = dbus.MakeVariant(v)
		case []string:
			if v == nil {
				v = []string{}
			}
			vars[key] = dbus.MakeVariant(v)
		case unsetValue:
			vars[key] = dbus.MakeVariant(byte(0))
		default:
			w.fail(fmt.Errorf("DBusSet %q: key %q has unsupported value %T", p, key, v))
			return
		}
	}
	if err := w.call("Set", bytestring(w.TreeFile()), bytestring(p), vars); err != nil {
		return
	}
	keys := make([]string, 0, len(data))
	for key := range data {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		switch v := data[key].(type) {
		case string:
			w.Model.Set(p, key, Str(v))
		case []string:
			w.Model.Set(p, key, List(v...))
		case unsetValue:
			w.Model.Unset(p, key)
		}
	}
}

// DBusRemove removes p and its subtree from the tree; files on disk stay.
func (w *World) DBusRemove(p string) {
	if w.err == nil && w.call("Remove", bytestring(w.TreeFile()), bytestring(p)) == nil {
		w.Model.Remove(p)
	}
}

// DBusMove moves p's metadata subtree to dst, replacing dst's.
func (w *World) DBusMove(src, dst string) {
	if w.err == nil && w.call("Move", bytestring(w.TreeFile()), bytestring(src), bytestring(dst)) == nil {
		w.Model.Move(src, dst)
	}
}

func (w *World) call(method string, args ...any) error {
	if err := w.obj.Call(protocol.Interface+"."+method, 0, args...).Err; err != nil {
		err = fmt.Errorf("D-Bus %s(%q): %w", method, args[1], err)
		w.fail(err)
		return err
	}
	w.afterWrite()
	return nil
}
