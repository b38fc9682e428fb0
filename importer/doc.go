// SPDX-License-Identifier: LGPL-2.0-or-later

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
// Remote locations go to the tree GIO names after the file's mount spec,
// which the gvfs GIO module computes from the URI alone, without a mount
// (ParseLocation, with the rules of compat/resolve):
//
//   - sftp (alias ssh), ftp, ftps, ftpis: type = the scheme (ssh → sftp);
//     host lower-cased, IPv6 brackets removed; user if given (even
//     "anonymous"); port unless it is the default (22, 21, 21, 990);
//     query and fragment if present; path = the URI's path.
//   - dav, davs: type "dav"; ssl=true|false; host as written; user if
//     given; port unless 80 (dav) or 443 (davs); path = the URI's whole
//     path — the server's base path is a mount prefix only inside the
//     backend, never in the client's tree name.
//   - smb: smb://server/share/p → "smb-share" with server and share
//     case-folded, path /p; smb://server/ → "smb-server"; smb:/// →
//     "smb-network"; "DOMAIN;user" gives domain and user; port unless 445.
//   - the name: "<type>:" then the items sorted by key as key=value joined
//     by ",", values URI-escaped keeping $&'()*+ and UTF-8, then
//     ",prefix=<escaped>" for a mount prefix other than "/"; the tree file
//     is $XDG_DATA_HOME/gvfs-metadata/<name>. Paths are canonical
//     (no ".", "..", repeated or trailing slashes).
//
// The defaults and host rules of the generic schemes come from the
// backends' .mount files (Debian's gvfs-backends), which a desktop that
// can reach such locations has; without them GIO keeps ports and host
// case as written. The rule is checked against the real client (gio set
// on each kind of URI, then reading where the daemon stored it) in this
// package's tests. As with GIO's g_file_get_child, a file listed in a
// remote directory stays in its directory's tree (a share listed in
// smb://server/ is in the server's tree).
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
