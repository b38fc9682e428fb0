// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import "gvfs-metadata/format"

// visitNodes calls fn with the key count of every node that has keys.
func visitNodes(n *format.Node, fn func(keys int)) {
	if len(n.Keys) > 0 {
		fn(len(n.Keys))
	}
	for _, c := range n.Children {
		visitNodes(c, fn)
	}
}
