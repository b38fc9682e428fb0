// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// buildMO writes a .mo file of pairs (msgid, translation), in order.
func buildMO(order binary.ByteOrder, pairs [][2]string) []byte {
	n := len(pairs)
	head := 28
	originals, translations := head, head+8*n
	strings := translations + 8*n
	out := make([]byte, strings)
	magic := uint32(0x950412de)
	order.PutUint32(out, magic)
	order.PutUint32(out[8:], uint32(n))
	order.PutUint32(out[12:], uint32(originals))
	order.PutUint32(out[16:], uint32(translations))
	for side, table := range []int{originals, translations} {
		for i, p := range pairs {
			order.PutUint32(out[table+8*i:], uint32(len(p[side])))
			order.PutUint32(out[table+8*i+4:], uint32(len(out)))
			out = append(append(out, p[side]...), 0)
		}
	}
	return out
}

func TestParseMOReadsBothByteOrders(t *testing.T) {
	pairs := [][2]string{{"", "Content-Type: text/plain; charset=UTF-8\n"}, {msgSetFailed, "Metadaten-Schlüssel konnte nicht gesetzt werden"}, {"one\x00many", "eins\x00viele"}}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		m, err := parseMO(buildMO(order, pairs))
		if err != nil {
			t.Fatalf("%v: %v", order, err)
		}
		if m[msgSetFailed] != pairs[1][1] || m["one"] != "eins" {
			t.Errorf("%v: %q", order, m)
		}
	}
}

// TestParseMORefusesDamagedFiles: every truncation and a few garbled
// headers are errors, never a panic or a half-read catalogue.
func TestParseMORefusesDamagedFiles(t *testing.T) {
	good := buildMO(binary.LittleEndian, [][2]string{{"a", "b"}, {"c", "d"}})
	for n := range len(good) - 1 {
		if _, err := parseMO(good[:n]); err == nil {
			t.Fatalf("a file cut at %d of %d bytes was read", n, len(good))
		}
	}
	for _, at := range []int{8, 12, 16, 28, 32} {
		bad := slices.Clone(good)
		binary.LittleEndian.PutUint32(bad[at:], 0xfffffff0)
		if _, err := parseMO(bad); err == nil {
			t.Errorf("a huge number at %d was read", at)
		}
	}
}

// TestCatalogNamesFollowGettext: the C locale means English whatever
// LANGUAGE says; LANGUAGE lists languages in order; a language is tried
// with and without its territory and modifier, never its codeset.
func TestCatalogNamesFollowGettext(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{}, nil},
		{map[string]string{"LANG": "C", "LANGUAGE": "de"}, nil},
		{map[string]string{"LC_ALL": "POSIX", "LANG": "de_DE.UTF-8"}, nil},
		{map[string]string{"LANG": "de_DE.UTF-8"}, []string{"de_DE", "de"}},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "fr:pt_BR"}, []string{"fr", "pt_BR", "pt"}},
		{map[string]string{"LC_MESSAGES": "sr_RS.UTF-8@latin", "LANG": "en_US.UTF-8"}, []string{"sr_RS@latin", "sr_RS", "sr@latin", "sr"}},
		{map[string]string{"LC_ALL": "en_GB.UTF-8", "LC_MESSAGES": "de_DE.UTF-8"}, []string{"en_GB", "en"}},
	} {
		got := catalogNames(func(k string) string { return c.env[k] })
		if !slices.Equal(got, c.want) {
			t.Errorf("%v: %q, want %q", c.env, got, c.want)
		}
	}
}

// TestMessagesComeFromTheFirstCatalogueThatHasThem: a message missing in
// the first language's catalogue comes from the next, and English when
// none has it.
func TestMessagesComeFromTheFirstCatalogueThatHasThem(t *testing.T) {
	dir := t.TempDir()
	for lang, pairs := range map[string][][2]string{
		"fr": {{msgSetFailed, "Impossible de modifier la clé de métadonnées"}},
		"de": {{msgSetFailed, "Metadaten-Schlüssel konnte nicht gesetzt werden"}, {msgMoveFailed, "Metadaten-Schlüssel konnten nicht verschoben werden"}},
	} {
		p := filepath.Join(dir, lang, "LC_MESSAGES", "gvfs.mo")
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, buildMO(binary.LittleEndian, pairs), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cs := loadCatalogs(func(k string) string {
		return map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "it:fr:de"}[k]
	}, dir, "gvfs")
	for msgid, want := range map[string]string{
		msgSetFailed:    "Impossible de modifier la clé de métadonnées",
		msgMoveFailed:   "Metadaten-Schlüssel konnten nicht verschoben werden",
		msgRemoveFailed: msgRemoveFailed,
	} {
		if got := cs.tr(msgid); got != want {
			t.Errorf("%q: %q, want %q", msgid, got, want)
		}
	}
}
