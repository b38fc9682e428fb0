// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"reflect"
	"testing"

	"gvfs-metadata/format"
)

func TestTranslateRenamesEveryOldKey(t *testing.T) {
	var e Entry
	for old := range Translations {
		e.Strings = append(e.Strings, Attr{Key: old, Value: "v-" + old})
	}
	kvs, unknown := Translate(&e, false)
	if len(unknown) != 0 || len(kvs) != len(Translations) {
		t.Fatalf("%d keys, unknown %v", len(kvs), unknown)
	}
	got := map[string]string{}
	for _, kv := range kvs {
		got[kv.Key] = kv.Value
	}
	for old, key := range Translations {
		if got[key] != "v-"+old {
			t.Errorf("%s -> %s: %q", old, key, got[key])
		}
	}
	for _, spot := range [][2]string{{"icon_position", "nautilus-icon-position"}, {"custom_icon", "custom-icon"}, {"background_color", "folder-background-color"}, {"sidebar_background_tile_image", "nautilus-sidebar-background-image"}} {
		if Translations[spot[0]] != spot[1] {
			t.Errorf("%s translates to %q, want %q", spot[0], Translations[spot[0]], spot[1])
		}
	}
}

func TestTranslateMakesKeywordsEmblemsAndSkipsUnknownKeys(t *testing.T) {
	e := Entry{
		Strings: []Attr{{"annotation", "note"}, {"zzz_old", "1"}},
		Items: []ListItem{
			{"keyword", "name", "important"}, {"tag", "id", "7"}, {"keyword", "name", "new"}, {"keyword", "name", "cool"},
		},
	}
	kvs, unknown := Translate(&e, false)
	want := []format.KeyValue{
		{Key: "annotation", Value: "note"},
		{Key: "emblems", IsList: true, List: []string{"important", "new", "cool"}},
	}
	if !reflect.DeepEqual(kvs, want) || !reflect.DeepEqual(unknown, []string{"tag-id", "zzz_old"}) {
		t.Errorf("got %+v unknown %v", kvs, unknown)
	}
	kvs, unknown = Translate(&e, true)
	want = []format.KeyValue{
		{Key: "annotation", Value: "note"},
		{Key: "emblems", IsList: true, List: []string{"important", "new", "cool"}},
		{Key: "tag-id", IsList: true, List: []string{"7"}},
		{Key: "zzz_old", Value: "1"},
	}
	if !reflect.DeepEqual(kvs, want) || len(unknown) != 2 {
		t.Errorf("keep unknown: got %+v unknown %v", kvs, unknown)
	}
}

func TestRawKeepsKeysAsWritten(t *testing.T) {
	e := Entry{
		Timestamp: 5,
		Strings:   []Attr{{"icon_position", "1,2"}, {"zzz", "z"}},
		Items:     []ListItem{{"keyword", "name", "a"}, {"keyword", "name", "b"}, {"keyword", "alt", "c"}},
	}
	want := []format.KeyValue{
		{Key: "icon_position", Value: "1,2"},
		{Key: "keyword-alt", IsList: true, List: []string{"c"}},
		{Key: "keyword-name", IsList: true, List: []string{"a", "b"}},
		{Key: "zzz", Value: "z"},
	}
	if got := Raw(&e); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
}
