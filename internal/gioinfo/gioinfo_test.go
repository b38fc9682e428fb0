// SPDX-License-Identifier: LGPL-2.0-or-later

package gioinfo

import (
	"reflect"
	"testing"
)

func TestParseGioInfoKeepsTrailingSpacesAndOrder(t *testing.T) {
	out := "uri: file:///h/a\nlocal path: /h/a\nattributes:\n  metadata::e: \n  metadata::k: v: w\n" +
		"uri: file:///h/b\nattributes:\n"
	blocks, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []Metadata{{"e": "", "k": "v: w"}, {}}
	if !reflect.DeepEqual(blocks, want) {
		t.Fatalf("%v, want %v", blocks, want)
	}
}
