// SPDX-License-Identifier: LGPL-2.0-or-later

package resolve

import (
	"os"
	"strings"
)

// canonicalize makes an absolute path without ".", ".." or repeated
// slashes, as the C client does: relative paths are taken from the
// current directory, ".." never climbs above "/", a leading "//" (which
// POSIX lets mean something special) is kept while three or more slashes
// become one, and a trailing slash is dropped. Symlinks are not touched.
func canonicalize(name string) string {
	if !strings.HasPrefix(name, "/") {
		cwd, err := os.Getwd()
		if err != nil {
			cwd = "/"
		}
		name = strings.TrimRight(cwd, "/") + "/" + name
	}
	lead := len(name) - len(strings.TrimLeft(name, "/"))
	root := "/"
	if lead == 2 {
		root = "//"
	}
	var parts []string
	for _, c := range strings.Split(name[lead:], "/") {
		switch c {
		case "", ".":
		case "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, c)
		}
	}
	return root + strings.Join(parts, "/")
}

// dirname returns the parent of a canonical path, or "" for the root.
func dirname(p string) string {
	i := strings.LastIndexByte(p, '/')
	switch {
	case p == "/" || p == "//" || i < 0:
		return ""
	case i == 0:
		return "/"
	case i == 1 && strings.HasPrefix(p, "//"):
		return "//"
	}
	return p[:i]
}

// basename is the last component of a canonical path.
func basename(p string) string {
	return p[strings.LastIndexByte(p, '/')+1:]
}

// join appends a relative path to a directory with one slash between.
func join(dir, rest string) string {
	if rest == "" {
		return dir
	}
	return strings.TrimRight(dir, "/") + "/" + strings.TrimLeft(rest, "/")
}
