// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import "testing"

func TestLeftoverNamesAreOnlyRotationDebris(t *testing.T) {
	cases := map[string]bool{
		"home.Ab3xYz":          true,
		"home-0123abcd.log":    true,
		"home":                 false,
		"home.damaged-1700000": false,
		"home.Ab3xY":           false,
		"home-0123ABCD.log":    false,
		"home-0123abcd.logx":   false,
		"homework.Ab3xYz":      false,
		"root-0123abcd.log":    false,
		"home.Ab-xYz":          false,
	}
	for name, want := range cases {
		if got := isLeftover("home", name); got != want {
			t.Errorf("isLeftover(home, %q) = %v, want %v", name, got, want)
		}
	}
}
