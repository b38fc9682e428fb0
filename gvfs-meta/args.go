package main

import (
	"strings"

	"gvfs-metadata/format"
)

// reorder moves flags after positional arguments to the front, so that
// "salvage TREE --out NEW" parses like "salvage --out NEW TREE" (the flag
// package stops at the first non-flag).
func reorder(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			return append(flags, rest...)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && takesValue(a) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			rest = append(rest, a)
		}
	}
	return append(flags, rest...)
}

// takesValue lists the flags (of any command) that take a value.
func takesValue(flag string) bool {
	switch strings.TrimLeft(flag, "-") {
	case "out":
		return true
	}
	return false
}

// visitNodes calls fn with the key count of every node that has keys.
func visitNodes(n *format.Node, fn func(keys int)) {
	if len(n.Keys) > 0 {
		fn(len(n.Keys))
	}
	for _, c := range n.Children {
		visitNodes(c, fn)
	}
}
