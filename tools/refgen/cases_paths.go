// SPDX-License-Identifier: LGPL-2.0-or-later

package main

// Scenarios about paths: removing, moving, the tree's root, odd names.

const removeDirectoryDesc = "Directories with metadata on themselves and their children, removed " +
	"two ways: gio remove of the files, the subdirectory and then the directory (files gone from " +
	"disk), and one D-Bus Remove of a directory whose files stay on disk. Siblings sharing a name " +
	"prefix (/rm/dbus-dir2, /rm/dbus-dir.txt) keep their metadata; a directory re-created and " +
	"given new metadata after its removal shows only the new keys."

func removeDirectory(w *World) {
	w.Touch("/rm/gio-dir/f1.txt", "/rm/gio-dir/f2.txt", "/rm/gio-dir/sub/f3.txt")
	w.Touch("/rm/dbus-dir/x.txt", "/rm/dbus-dir/y.txt", "/rm/dbus-dir/deep/er/z.txt")
	w.Touch("/rm/dbus-dir2/keep.txt", "/rm/dbus-dir.txt", "/rm/keep.txt")
	for _, p := range []string{"/rm/gio-dir", "/rm/gio-dir/f1.txt", "/rm/gio-dir/f2.txt",
		"/rm/gio-dir/sub", "/rm/gio-dir/sub/f3.txt", "/rm/dbus-dir", "/rm/dbus-dir/x.txt",
		"/rm/dbus-dir/y.txt", "/rm/dbus-dir/deep", "/rm/dbus-dir/deep/er/z.txt",
		"/rm/dbus-dir2", "/rm/dbus-dir2/keep.txt", "/rm/dbus-dir.txt", "/rm/keep.txt"} {
		w.GioSet(p, "k", "v"+p)
	}
	w.GioSetList("/rm/gio-dir/f1.txt", "emblems", "a", "b")

	w.GioRemove("/rm/gio-dir/sub/f3.txt", "/rm/gio-dir/sub", "/rm/gio-dir/f1.txt",
		"/rm/gio-dir/f2.txt", "/rm/gio-dir")
	w.DBusRemove("/rm/dbus-dir")

	// New life at a removed path: the later set must win over the remove.
	w.Touch("/rm/gio-dir/new.txt")
	w.GioSet("/rm/gio-dir/new.txt", "fresh", "yes")
	w.GioSet("/rm/gio-dir", "fresh", "dir")
}

const moveAndCopyDesc = "gio move of a directory with children (metadata follows, old paths " +
	"empty), gio move of a single file into another directory, gio rename, gio copy --preserve " +
	"(which in GLib 2.74/gvfs 1.50.3 copies NO metadata:: keys for local files: the copy is " +
	"listed under absent), D-Bus Move onto a file and onto a directory that already had metadata " +
	"(the destination's old keys, including its children's, are replaced), and new metadata set " +
	"at a moved-away path afterwards."

func moveAndCopy(w *World) {
	w.Touch("/mv/src/a.txt", "/mv/src/b.txt", "/mv/src/sub/c.txt")
	w.GioSet("/mv/src", "dir", "src")
	w.GioSet("/mv/src/a.txt", "k", "a")
	w.GioSetList("/mv/src/b.txt", "l", "b1", "b2")
	w.GioSet("/mv/src/sub", "k", "sub")
	w.GioSet("/mv/src/sub/c.txt", "k", "c")
	w.GioMove("/mv/src", "/mv/dst")

	w.Touch("/mv/file1.txt")
	w.Mkdir("/mv/into")
	w.GioSet("/mv/file1.txt", "k", "file1")
	w.GioMove("/mv/file1.txt", "/mv/into/file1-moved.txt")

	w.Touch("/mv/old-name.txt")
	w.GioSet("/mv/old-name.txt", "k", "renamed")
	w.GioSetList("/mv/old-name.txt", "emblems", "e1")
	w.GioRename("/mv/old-name.txt", "new name.txt")

	w.Touch("/mv/orig.txt")
	w.GioSet("/mv/orig.txt", "k", "orig")
	w.GioSetList("/mv/orig.txt", "l", "o1", "o2")
	w.GioCopyPreserve("/mv/orig.txt", "/mv/copy.txt")

	// Move onto a destination that has metadata: its old keys must go.
	w.DBusSet("/mv/over-src.txt", map[string]any{"k": "from src"})
	w.DBusSet("/mv/over-dst.txt", map[string]any{"k": "old dst", "only-dst": "old"})
	w.DBusMove("/mv/over-src.txt", "/mv/over-dst.txt")
	w.DBusSet("/mv/tree-a/one", map[string]any{"k": "a1"})
	w.DBusSet("/mv/tree-b", map[string]any{"k": "old b"})
	w.DBusSet("/mv/tree-b/one", map[string]any{"k": "old b1"})
	w.DBusSet("/mv/tree-b/two", map[string]any{"k": "old b2"})
	w.DBusMove("/mv/tree-a", "/mv/tree-b")

	// The moved-away directory comes back with new metadata.
	w.Touch("/mv/src/again.txt")
	w.GioSet("/mv/src/again.txt", "k", "again")
}

const rootLevelDesc = "Metadata on HOME itself (tree path \"/\", via gio set on $HOME and a D-Bus " +
	"Set of \"/\"), on direct children of HOME (a file, a hidden file, a directory) and on a " +
	"grandchild; one root key unset."

func rootLevel(w *World) {
	w.Touch("/top.txt", "/.hidden", "/topdir/child.txt")
	w.GioSet("/", "home-key", "home value")
	w.GioSetList("/", "home-list", "h1", "h2")
	w.DBusSet("/", map[string]any{"via-dbus": "root", "temporary": "x"})
	w.GioUnset("/", "temporary")
	w.GioSet("/top.txt", "k", "top")
	w.GioSet("/.hidden", "k", "hidden")
	w.GioSet("/topdir", "k", "dir")
	w.GioSet("/topdir/child.txt", "k", "child")
}

const nonUTF8NamesDesc = "File names that are not valid UTF-8 (lone bytes 0xff, 0xe9, 0xfe; " +
	"such paths use path_base64 in the manifest), names with spaces, valid non-ASCII UTF-8 names, " +
	"and gio move of a directory whose name is not UTF-8."

func nonUTF8Names(w *World) {
	names := []string{
		"/bad\xff",
		"/caf\xe9.txt",
		"/dir \xe9\xff/inner \xff.txt",
		"/with space.txt",
		"/a b c/d e f.txt",
		"/ütf8 ñame.txt",
		"/mixed \xe9 and é.txt",
		"/to-move \xfe/child \xe9.txt",
	}
	w.Touch(names...)
	for i, p := range names {
		w.GioSet(p, "k", "value of name "+string(rune('A'+i)))
	}
	w.GioSet("/dir \xe9\xff", "k", "non-UTF-8 directory")
	w.GioSet("/a b c", "k", "spaced directory")
	w.GioSet("/to-move \xfe", "k", "moved directory")
	w.GioMove("/to-move \xfe", "/moved \xfe\xe9")
}
