// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"flag"
	"strings"
)

// flagsFirst moves the flags of fs that follow operands to the front, so
// that "import-nautilus DIR --dry-run" parses like "import-nautilus
// --dry-run DIR" (the flag package stops at the first operand). Whether a
// flag takes the next argument as its value is asked of fs itself, so
// the list can never fall out of date. Everything after "--" stays an
// operand.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(append(flags, a), append(operands, args[i+1:]...)...)
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			operands = append(operands, a)
		}
	}
	return append(flags, operands...)
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
