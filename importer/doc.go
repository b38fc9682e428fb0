// Package importer brings the metadata Nautilus kept before gvfs (GNOME
// 2.x: one XML "metafile" per directory in ~/.nautilus/metafiles) over
// to gvfs metadata.
//
// It owns four things: reading a metafile (the directory's URI decoded
// from the file name, then a streaming parse of its <file> entries), the
// key rules of the two known conversions, the mapping of a location to
// the metadata tree and path GIO uses for it, and the import itself
// against an abstract reader and writer of metadata. It never writes a
// tree file that applications may have open: translated imports go
// through a writer (the metadata daemon's Set, as GIO does) and raw
// conversions only build a tree in memory for a new file.
//
// # Conversions
//
// Translated (the default, what Nautilus's own converter did): the old
// attribute names become the keys Nautilus and other file managers read
// today (see Translations); each attribute of a <keyword> child adds one
// item to the "emblems" list; every other attribute and child element has
// no translation and is skipped, unless KeepUnknown keeps it under its raw
// name (attributes as strings, child element E with attribute A as the
// list "E-A", like the raw conversion). The timestamp cannot be carried:
// the daemon stamps every change with the time it happens.
//
// Raw (what gvfs's convert-nautilus-metadata did): only file:// locations;
// every attribute but name and timestamp is a string key as written, each
// attribute A of a child element E appends to the list "E-A", and a
// non-zero timestamp becomes the entry's last-changed time.
//
// # Where metadata goes
//
// Local files go where the C client puts them (package compat/resolve):
// the home tree under the home directory on its device, a volume's tree
// for files on named volumes, "root" otherwise. A directory that no longer
// exists is imported where it would be looked up once it is back: at the
// device of its nearest existing ancestor (the C client, asked about a
// path whose parent is missing, would say "root", where no application
// looks once the directory exists again).
//
// Remote locations go to the tree GIO names after the location's mount
// spec, computed from the URI exactly as the gvfs GIO module does in
// every application (see RemoteTarget), with the path as the URI gives it.
//
// # Bad input
//
// Problems are reported with the metafile and line and never stop the
// other entries or files: a truncated or malformed file keeps the entries
// completed before the damage; unknown elements are skipped; a repeated
// <file> replaces the earlier one (last wins); names that do not unescape
// to a single file name are skipped; names that are not UTF-8 are imported
// under their raw bytes (file names on disk may be in a legacy encoding);
// directories that no longer exist are imported anyway.
package importer
