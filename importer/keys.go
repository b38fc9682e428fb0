// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"sort"

	"gvfs-metadata/format"
)

// Translations maps the old attribute names to the keys (without the
// "metadata::" prefix) that Nautilus, and for the generic ones Caja and
// Nemo, read today. The child element "keyword" is not here: its items
// become the "emblems" list.
var Translations = map[string]string{
	"default_component":             "nautilus-default-view",
	"background_color":              "folder-background-color",
	"background_tile_image":         "folder-background-image",
	"icon_view_zoom_level":          "nautilus-icon-view-zoom-level",
	"icon_view_auto_layout":         "nautilus-icon-view-auto-layout",
	"icon_view_tighter_layout":      "nautilus-icon-view-tighter-layout",
	"icon_view_sort_by":             "nautilus-icon-view-sort-by",
	"icon_view_sort_reversed":       "nautilus-icon-view-sort-reversed",
	"icon_view_keep_aligned":        "nautilus-icon-view-keep-aligned",
	"icon_view_layout_timestamp":    "nautilus-icon-view-layout-timestamp",
	"list_view_zoom_level":          "nautilus-list-view-zoom-level",
	"list_view_sort_column":         "nautilus-list-view-sort-column",
	"list_view_sort_reversed":       "nautilus-list-view-sort-reversed",
	"list_view_visible_columns":     "nautilus-list-view-visible-columns",
	"list_view_column_order":        "nautilus-list-view-column-order",
	"compact_view_zoom_level":       "nautilus-compact-view-zoom-level",
	"window_geometry":               "nautilus-window-geometry",
	"window_scroll_position":        "nautilus-window-scroll-position",
	"window_show_hidden_files":      "nautilus-window-show-hidden-files",
	"window_maximized":              "nautilus-window-maximized",
	"window_sticky":                 "nautilus-window-sticky",
	"window_keep_above":             "nautilus-window-keep-above",
	"sidebar_background_color":      "nautilus-sidebar-background-color",
	"sidebar_background_tile_image": "nautilus-sidebar-background-image",
	"sidebar_buttons":               "nautilus-sidebar-buttons",
	"annotation":                    "annotation",
	"icon_position":                 "nautilus-icon-position",
	"icon_position_timestamp":       "nautilus-icon-position-timestamp",
	"icon_scale":                    "icon-scale",
	"custom_icon":                   "custom-icon",
	"screen":                        "screen",
}

// EmblemElement is the child element whose attributes are emblem names.
const EmblemElement = "keyword"

// EmblemsKey is the list key emblems live in today.
const EmblemsKey = "emblems"

// Raw gives an entry's keys as the raw conversion does: attributes as
// written, and list "E-A" for attribute A of child element E. Sorted by
// key.
func Raw(e *Entry) []format.KeyValue {
	var kvs []format.KeyValue
	for _, a := range e.Strings {
		kvs = setKey(kvs, format.KeyValue{Key: a.Key, Value: a.Value})
	}
	for _, l := range e.Lists() {
		kvs = setKey(kvs, format.KeyValue{Key: l.Key, IsList: true, List: l.Values})
	}
	sortKeys(kvs)
	return kvs
}

// Translate gives an entry's keys as the translated conversion does, and
// the old keys that have no translation (attribute names, and "E-A" for
// child elements), which are kept under those raw names when keepUnknown
// and otherwise left out. Both sorted.
func Translate(e *Entry, keepUnknown bool) (kvs []format.KeyValue, unknown []string) {
	for _, a := range e.Strings {
		if key, ok := Translations[a.Key]; ok {
			kvs = setKey(kvs, format.KeyValue{Key: key, Value: a.Value})
			continue
		}
		unknown = append(unknown, a.Key)
		if keepUnknown {
			kvs = setKey(kvs, format.KeyValue{Key: a.Key, Value: a.Value})
		}
	}
	var emblems []string
	for _, it := range e.Items {
		if it.Element == EmblemElement {
			emblems = append(emblems, it.Value)
		}
	}
	if len(emblems) > 0 {
		kvs = setKey(kvs, format.KeyValue{Key: EmblemsKey, IsList: true, List: emblems})
	}
	for _, l := range e.Lists() {
		if l.Element == EmblemElement {
			continue
		}
		unknown = append(unknown, l.Key)
		if keepUnknown {
			kvs = setKey(kvs, format.KeyValue{Key: l.Key, IsList: true, List: l.Values})
		}
	}
	sortKeys(kvs)
	sort.Strings(unknown)
	return kvs, unknown
}

// setKey adds kv, replacing an earlier key of the same name (a later
// attribute or list wins, as in a GFileInfo).
func setKey(kvs []format.KeyValue, kv format.KeyValue) []format.KeyValue {
	for i := range kvs {
		if kvs[i].Key == kv.Key {
			kvs[i] = kv
			return kvs
		}
	}
	return append(kvs, kv)
}

func sortKeys(kvs []format.KeyValue) {
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].Key < kvs[j].Key })
}
