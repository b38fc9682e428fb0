// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"fmt"
	"strings"

	"gvfs-metadata/compat/resolve"
)

// Location is a file or directory that legacy metadata was kept for.
type Location struct {
	// URI is the location as Nautilus named it.
	URI string
	// Local is the absolute path of a file: location, "" for others.
	Local string
	// Remote is the tree GIO keeps a remote location's metadata in (its
	// mount spec string) and Path the path inside that tree.
	Remote resolve.MountSpec
	Path   string
}

// IsLocal reports whether the location is a local file.
func (l Location) IsLocal() bool { return l.Local != "" }

// ParseLocation reads a directory URI from a metafile name.
func ParseLocation(uri string) (Location, error) {
	if hasFoldPrefix(uri, "file:") {
		p, err := localPath(uri)
		if err != nil {
			return Location{}, err
		}
		return Location{URI: uri, Local: p}, nil
	}
	spec, p, err := resolve.Remote(uri)
	if err != nil {
		return Location{}, err
	}
	return Location{URI: uri, Remote: spec, Path: p}, nil
}

// localPath decodes a file: URI as GLib's g_filename_from_uri does: an
// optional "//host" (ignored), then an absolute path whose %XX escapes
// may not produce '/' or NUL. A fragment is dropped, as GIO does.
func localPath(uri string) (string, error) {
	rest := uri[len("file:"):]
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	if after, ok := strings.CutPrefix(rest, "//"); ok {
		slash := strings.IndexByte(after, '/')
		if slash < 0 {
			return "", fmt.Errorf("%w: file URI without a path", resolve.ErrNotURI)
		}
		rest = after[slash:]
	}
	if !strings.HasPrefix(rest, "/") {
		return "", fmt.Errorf("%w: file URI with a relative path", resolve.ErrNotURI)
	}
	p, ok := resolve.Unescape(rest, "/")
	if !ok {
		return "", fmt.Errorf("%w: bad escape in the path", resolve.ErrNotURI)
	}
	if p = strings.TrimRight(p, "/"); p == "" {
		p = "/"
	}
	return p, nil
}

// Child is the location of the file called name in directory l (name is
// a single file name, or "." for l itself). Like GIO's g_file_get_child,
// a remote child stays in its directory's tree.
func (l Location) Child(name string) Location {
	if name == "." {
		return l
	}
	c := l
	c.URI = strings.TrimRight(l.URI, "/") + "/" + escapeName(name)
	if l.IsLocal() {
		c.Local = strings.TrimRight(l.Local, "/") + "/" + name
	} else {
		c.Path = resolve.CleanPath(l.Path + "/" + name)
	}
	return c
}

// Display is how the location is shown to people: the path of a local
// file, the URI of a remote one, with bytes that are not UTF-8 as \xNN.
func (l Location) Display() string {
	if l.IsLocal() {
		return printable(l.Local)
	}
	return printable(l.URI)
}

// escapeName URI-escapes a file name for display in a child URI.
func escapeName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if resolve.IsUnreserved(c) || strings.IndexByte("!$&'()*+,;=:@", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func hasFoldPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
