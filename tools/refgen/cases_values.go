// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import "fmt"

// Scenarios about values: strings, lists, unset.

const stringsAndListsDesc = "String and string-list values set with gio set / gio set -t stringv " +
	"and D-Bus Set: plain, with spaces, UTF-8, empty string; lists of one item, 12 items, items " +
	"with spaces and commas, UTF-8 items, and an empty list (D-Bus only); several keys in one " +
	"D-Bus Set; overwrites, including string -> list and list -> string; a UTF-8 key; metadata on " +
	"a directory."

func stringsAndLists(w *World) {
	w.Mkdir("/docs")
	w.Touch("/docs/a.txt", "/docs/b.txt", "/docs/lists.txt", "/docs/types.txt")

	w.GioSet("/docs/a.txt", "plain", "value")
	w.GioSet("/docs/a.txt", "spaces", "hello big world")
	w.GioSet("/docs/a.txt", "utf8", "héllo wörld — ✓ 日本語 🎉")
	w.GioSet("/docs/a.txt", "custom-icon", "file:///usr/share/icons/hicolor/48x48/apps/x.png")
	w.GioSet("/docs/a.txt", "empty-string", "")
	w.GioSet("/docs/a.txt", "clé-ünïcode", "key is UTF-8")
	w.GioSet("/docs/a.txt", "overwritten", "first")
	w.GioSet("/docs/a.txt", "overwritten", "second")

	w.GioSetList("/docs/lists.txt", "one", "only")
	twelve := make([]string, 12)
	for i := range twelve {
		twelve[i] = fmt.Sprintf("item%02d", i)
	}
	w.GioSetList("/docs/lists.txt", "twelve", twelve...)
	w.GioSetList("/docs/lists.txt", "punctuated", "a, b", "c d", ",", " leading", "trailing ", "x,y")
	w.GioSetList("/docs/lists.txt", "utf8", "é", "日本", "🎉 party")
	w.GioSetList("/docs/lists.txt", "emblems", "emblem-important", "emblem-favorite")
	w.DBusSet("/docs/lists.txt", map[string]any{"empty": []string{}})

	// Several keys of every kind in one call, as Nautilus' set_attributes does.
	w.DBusSet("/docs/b.txt", map[string]any{
		"s1":     "one",
		"s2":     "two words",
		"l1":     []string{"x", "y"},
		"l-none": []string{},
	})

	// A key changing type, both ways.
	w.GioSet("/docs/types.txt", "was-string", "string first")
	w.GioSetList("/docs/types.txt", "was-string", "now", "a", "list")
	w.GioSetList("/docs/types.txt", "was-list", "list", "first")
	w.GioSet("/docs/types.txt", "was-list", "now a string")

	w.GioSet("/docs", "folder-color", "blue")
	w.GioSetList("/docs", "emblems", "emblem-documents")
}

const unsetAndResetDesc = "Keys unset with gio set -t unset and with a D-Bus Set carrying a byte " +
	"(y) value; keys set again after being unset (as string and as list); a file whose only key " +
	"was unset (so it appears under absent); unset of a key that never existed (with gio, which sends no call for it, and with D-Bus)."

func unsetAndReset(w *World) {
	w.Touch("/u/one.txt", "/u/two.txt", "/u/three.txt", "/u/four.txt", "/u/five.txt")

	w.GioSet("/u/one.txt", "k1", "a")
	w.GioSet("/u/one.txt", "k2", "b")
	w.GioUnset("/u/one.txt", "k1")
	// gio sends nothing for a key the file does not have (the GIO module
	// looks first); a D-Bus unset of it does reach the daemon.
	w.GioUnset("/u/one.txt", "never-set")
	w.DBusSet("/u/one.txt", map[string]any{"never-set-dbus": unset})

	w.GioSet("/u/two.txt", "k", "before")
	w.GioUnset("/u/two.txt", "k")
	w.GioSet("/u/two.txt", "k", "after")
	w.GioSetList("/u/two.txt", "l", "x", "y")
	w.GioUnset("/u/two.txt", "l")
	w.GioSetList("/u/two.txt", "l", "z")

	// Only key gone: the path must show no metadata at all.
	w.GioSet("/u/three.txt", "only", "x")
	w.GioUnset("/u/three.txt", "only")

	w.DBusSet("/u/four.txt", map[string]any{"x": "1", "y": "2", "z": []string{"3"}})
	w.DBusSet("/u/four.txt", map[string]any{"x": unset, "z": unset})
	w.DBusSet("/u/four.txt", map[string]any{"z": "back as a string"})

	// One Set call that unsets one key and sets another.
	w.DBusSet("/u/five.txt", map[string]any{"gone": "soon", "kept": "yes"})
	w.DBusSet("/u/five.txt", map[string]any{"gone": unset, "added": "new"})
}
