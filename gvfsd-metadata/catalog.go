// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// The reference sends its GIO error messages through gettext, in the gvfs
// text domain, so a German session reads them in German. These are the
// same messages, looked up in the same installed catalogue
// (/usr/share/locale/LANG/LC_MESSAGES/gvfs.mo) the way gettext chooses it.

// localeDir is where gvfs installs its catalogues.
const localeDir = "/usr/share/locale"

// textDomain is the reference's gettext domain.
const textDomain = "gvfs"

// catalogs holds the translations of the daemon's language, most wanted
// first; empty when messages stay in English.
type catalogs []map[string]string

// messages is the daemon's catalogue, chosen from its environment and
// read at the first error it sends, not at start: most runs send none.
var messages = sync.OnceValue(func() catalogs { return loadCatalogs(os.Getenv, localeDir, textDomain) })

// tr returns the translation of msgid, or msgid itself.
func (cs catalogs) tr(msgid string) string {
	for _, c := range cs {
		if s, ok := c[msgid]; ok && s != "" {
			return s
		}
	}
	return msgid
}

// loadCatalogs finds the catalogues of domain under dir for the languages
// gettext would use with environment getenv.
func loadCatalogs(getenv func(string) string, dir, domain string) catalogs {
	var cs catalogs
	for _, name := range catalogNames(getenv) {
		c, err := readMO(filepath.Join(dir, name, "LC_MESSAGES", domain+".mo"))
		if err == nil {
			cs = append(cs, c)
		}
	}
	return cs
}

// catalogNames lists, most wanted first, the names of the catalogue
// directories gettext looks in for LC_MESSAGES: none in the C locale;
// else each language of LANGUAGE (or the locale's own), each as
// ll_CC@modifier, ll_CC, ll@modifier and ll.
func catalogNames(getenv func(string) string) []string {
	locale := ""
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = getenv(v); locale != "" {
			break
		}
	}
	if locale == "" || locale == "C" || locale == "POSIX" {
		return nil
	}
	languages := locale
	if l := getenv("LANGUAGE"); l != "" {
		languages = l
	}
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, lang := range strings.Split(languages, ":") {
		lang, modifier, _ := strings.Cut(lang, "@")
		lang, _, _ = strings.Cut(lang, ".") // the codeset
		if lang == "C" || lang == "POSIX" {
			continue
		}
		base, _, _ := strings.Cut(lang, "_")
		for _, n := range []string{lang, base} {
			if modifier != "" {
				add(n + "@" + modifier)
			}
			add(n)
		}
	}
	return names
}

// readMO reads a GNU gettext .mo file into msgid → translation.
func readMO(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseMO(data)
}

var errBadMO = errors.New("not a gettext catalogue")

// parseMO decodes a .mo file: a magic number that also tells the byte
// order, the number of strings, and two tables of (length, offset) pairs,
// originals and translations, in the same order.
func parseMO(data []byte) (map[string]string, error) {
	if len(data) < 20 {
		return nil, errBadMO
	}
	var order binary.ByteOrder
	switch binary.LittleEndian.Uint32(data) {
	case 0x950412de:
		order = binary.LittleEndian
	case 0xde120495:
		order = binary.BigEndian
	default:
		return nil, errBadMO
	}
	n := int64(order.Uint32(data[8:]))
	originals, translations := int64(order.Uint32(data[12:])), int64(order.Uint32(data[16:]))
	str := func(table, i int64) (string, bool) {
		at := table + 8*i
		if at < 0 || at+8 > int64(len(data)) {
			return "", false
		}
		length, off := int64(order.Uint32(data[at:])), int64(order.Uint32(data[at+4:]))
		if off+length > int64(len(data)) {
			return "", false
		}
		return string(data[off : off+length]), true
	}
	m := make(map[string]string, min(n, 1<<16))
	for i := range n {
		id, ok1 := str(originals, i)
		s, ok2 := str(translations, i)
		if !ok1 || !ok2 {
			return nil, errBadMO
		}
		// Plural forms hold NUL-separated variants; the daemon's
		// messages have none, and the first form is the singular.
		id, _, _ = strings.Cut(id, "\x00")
		s, _, _ = strings.Cut(s, "\x00")
		m[id] = s
	}
	return m, nil
}
