// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"strings"
)

// Scenarios about size: big keys and values, many paths.

// filler returns n bytes of readable, non-repeating-looking ASCII (so a
// reader that truncates or shifts a string is caught), starting with tag.
func filler(tag string, n int) string {
	var b strings.Builder
	b.WriteString(tag)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "-%d", i)
	}
	return b.String()[:n]
}

const near4kDesc = "Keys and values around 4 KiB, every journal entry still well under the " +
	"32 KiB journal: a 1000-byte key, values of 4000, 4095, 4096 and 4097 bytes, a 1000-byte key " +
	"with a 4000-byte value, a 4000-byte value of 2-byte UTF-8 characters, and a 40-item list of " +
	"100-byte items."

func near4k(w *World) {
	w.Touch("/big/key.txt", "/big/values.txt", "/big/both.txt", "/big/utf8.txt", "/big/list.txt")
	bigKey := filler("key", 1000)
	w.GioSet("/big/key.txt", bigKey, "short value")
	w.GioSet("/big/values.txt", "v4000", filler("v4000", 4000))
	w.GioSet("/big/values.txt", "v4095", filler("v4095", 4095))
	w.GioSet("/big/values.txt", "v4096", filler("v4096", 4096))
	w.GioSet("/big/values.txt", "v4097", filler("v4097", 4097))
	w.GioSet("/big/both.txt", filler("both", 1000), filler("value", 4000))
	w.GioSet("/big/utf8.txt", "accents", strings.Repeat("é", 2000))
	items := make([]string, 40)
	for i := range items {
		items[i] = filler(fmt.Sprintf("item%02d", i), 100)
	}
	w.GioSetList("/big/list.txt", "items", items...)
	// A small write last, so the live journal ends with an ordinary entry.
	w.GioSet("/big/key.txt", "small", "x")
}

const tenThousandDesc = "10,100 paths with metadata: 100 directories /bulk/dNN with 100 files " +
	"fNNN each, every file a string key and every tenth file also a list, set with one D-Bus Set " +
	"per path; then a journal on top of that big " +
	"tree: a gio set overwriting one file's value, a D-Bus unset, a D-Bus Remove of one file, a " +
	"D-Bus Move of a whole directory (/bulk/d98 -> /bulk/d98-moved)."

func tenThousand(w *World) {
	for d := 0; d < 100; d++ {
		dir := fmt.Sprintf("/bulk/d%02d", d)
		w.DBusSet(dir, map[string]any{"dir": fmt.Sprintf("d%02d", d)})
		for f := 0; f < 100; f++ {
			data := map[string]any{"k": fmt.Sprintf("v%02d-%03d", d, f)}
			if f%10 == 0 {
				data["tags"] = []string{"t" + fmt.Sprint(d), "t" + fmt.Sprint(f)}
			}
			w.DBusSet(fmt.Sprintf("%s/f%03d", dir, f), data)
		}
	}
	w.Touch("/bulk/d00/f000")
	w.GioSet("/bulk/d00/f000", "k", "overwritten by gio")
	w.DBusSet("/bulk/d00/f010", map[string]any{"tags": unset})
	w.DBusRemove("/bulk/d99/f099")
	w.DBusMove("/bulk/d98", "/bulk/d98-moved")
}
