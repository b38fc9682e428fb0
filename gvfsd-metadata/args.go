// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bytes"
	"sort"
	"strings"

	"gvfs-metadata/bus"
	"gvfs-metadata/format"
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

// parseSetData reads Set's a{sv} and checks every entry before anything
// is applied: a key must not be empty, and a value must be a string, a
// string array, or a byte (unset). The reference ignores other types but
// still reports success and signals a change; here the whole call is
// refused. The changes come back without a Path: the caller knows it.
func parseSetData(args *bus.Decoder) ([]format.Change, *callError) {
	var changes []format.Change
	end := args.Array(8)
	for args.More(end) {
		args.Struct()
		c := format.Change{Key: args.Str()}
		sig := args.Signature()
		if args.Err() != nil {
			break
		}
		if c.Key == "" {
			return nil, invalidArgs("Metadata key must not be empty")
		}
		switch sig {
		case "s":
			c.Op, c.Value = format.OpSet, args.SharedStr()
		case "as":
			c.Op, c.List = format.OpSetList, args.Strings()
		case "y":
			c.Op = format.OpUnset
			args.Byte()
		default:
			return nil, invalidArgs("Value of metadata key “%s” has type “%s”; expected “s”, “as” or “y”", c.Key, sig)
		}
		changes = append(changes, c)
	}
	if err := args.Err(); err != nil {
		return nil, malformed(err)
	}
	// A fixed order keeps journals reproducible whatever order the client
	// built its dictionary in; of a key given twice the last value counts,
	// as when the reference applies them in turn.
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].Key < changes[j].Key })
	kept := changes[:0]
	for i, c := range changes {
		if i+1 < len(changes) && changes[i+1].Key == c.Key {
			continue
		}
		kept = append(kept, c)
	}
	return kept, nil
}

// malformed is the error for arguments that do not decode, which the bus
// never lets through.
func malformed(err error) *callError {
	return invalidArgs("Malformed arguments: %s", err.Error())
}
