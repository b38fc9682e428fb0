package main

import (
	"bytes"
	"sort"
	"strings"

	"github.com/godbus/dbus/v5"
)

// bytestring converts an `ay` argument to the string a GLib client meant:
// GLib sends byte strings with one trailing NUL. A NUL anywhere else would
// silently cut the C daemon's copy short; here it is refused.
func bytestring(name string, b []byte) (string, *callError) {
	if n := len(b); n > 0 && b[n-1] == 0 {
		b = b[:n-1]
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return "", invalidArgs("Argument “%s” contains a NUL byte", name)
	}
	return string(b), nil
}

// checkPath accepts the paths GIO clients send: absolute and canonical (no
// empty, "." or ".." components, no trailing slash but for "/"). Anything
// else would be stored under a name no reader ever looks up.
func checkPath(name, p string) *callError {
	if !strings.HasPrefix(p, "/") {
		return invalidArgs("Path “%s” in argument “%s” is not absolute", p, name)
	}
	if p == "/" {
		return nil
	}
	for _, c := range strings.Split(p[1:], "/") {
		if c == "" || c == "." || c == ".." {
			return invalidArgs("Path “%s” in argument “%s” is not canonical", p, name)
		}
	}
	return nil
}

// isAncestor reports whether dir is a strict ancestor of p.
func isAncestor(dir, p string) bool {
	if dir == "/" {
		return p != "/"
	}
	return strings.HasPrefix(p, dir+"/")
}

// setEntry is one key of a Set call, checked.
type setEntry struct {
	key  string
	kind byte // 's', 'a' (string list) or 'y' (unset)
	str  string
	strv []string
}

// parseSetData checks every entry of Set's a{sv} before anything is
// applied: a value must be a string, a string array, or a byte (unset).
// The reference ignores other types but still reports success and signals
// a change; here the whole call is refused.
func parseSetData(data map[string]dbus.Variant) ([]setEntry, *callError) {
	entries := make([]setEntry, 0, len(data))
	for key, v := range data {
		if key == "" {
			return nil, invalidArgs("Metadata key must not be empty")
		}
		e := setEntry{key: key}
		switch val := v.Value().(type) {
		case string:
			e.kind, e.str = 's', val
		case []string:
			e.kind, e.strv = 'a', val
		case byte:
			e.kind = 'y'
		default:
			return nil, invalidArgs("Value of metadata key “%s” has type “%s”; expected “s”, “as” or “y”", key, v.Signature().String())
		}
		entries = append(entries, e)
	}
	// The dictionary's wire order is lost in decoding; a fixed order keeps
	// journals reproducible. Keys are distinct, so order changes nothing.
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	return entries, nil
}
