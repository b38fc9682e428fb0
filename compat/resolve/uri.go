// SPDX-License-Identifier: LGPL-2.0-or-later

package resolve

import (
	"strings"
)

// Unescape decodes %XX escapes as GLib's g_uri_unescape_segment does,
// which is how every URI here was decoded by the programs that wrote and
// read it: an escape that is not two hex digits, a decoded NUL, or a
// decoded byte listed in illegal fails the whole string. Other bytes are
// taken as they are.
func Unescape(s, illegal string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", false
		}
		c := unhex(s[i+1])<<4 | unhex(s[i+2])
		if c == 0 || strings.IndexByte(illegal, c) >= 0 {
			return "", false
		}
		b.WriteByte(c)
		i += 2
	}
	return b.String(), true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// decodedURI is a URI split the way gvfs's client splits it (its
// g_vfs_decode_uri), with userinfo, host and path unescaped. Empty
// strings stand for absent parts; port is -1 when absent.
type decodedURI struct {
	scheme   string // lower case
	userinfo string // without the password
	host     string // an IPv6 literal keeps its brackets
	port     int
	path     string
	query    string
	fragment string
}

// decodeURI splits uri, or reports false when gvfs's client would not
// accept it (and so would not treat it as a gvfs location at all).
func decodeURI(uri string) (decodedURI, bool) {
	d := decodedURI{port: -1}
	scheme, ok := SchemeOf(uri)
	if !ok {
		return d, false
	}
	d.scheme = strings.ToLower(scheme)
	hier := uri[len(scheme)+1:]
	// The query starts at the first '?' anywhere, the fragment at the
	// first '#' after it; neither is unescaped.
	if q := strings.IndexByte(hier, '?'); q >= 0 {
		d.query = hier[q+1:]
		hier = hier[:q]
		if f := strings.IndexByte(d.query, '#'); f >= 0 {
			d.query, d.fragment = d.query[:f], d.query[f+1:]
		}
	} else if f := strings.IndexByte(hier, '#'); f >= 0 {
		hier, d.fragment = hier[:f], hier[f+1:]
	}
	if rest, ok := strings.CutPrefix(hier, "//"); ok {
		authority := rest
		hier = ""
		if slash := strings.IndexByte(rest, '/'); slash >= 0 {
			authority, hier = rest[:slash], rest[slash:]
		}
		if !d.splitAuthority(authority) {
			return d, false
		}
	}
	path, ok := Unescape(hier, "/")
	if !ok {
		return d, false
	}
	d.path = path
	return d, true
}

// splitAuthority fills userinfo, host and port from "[userinfo@]host[:port]".
func (d *decodedURI) splitAuthority(a string) bool {
	// The last '@' ends the user name: unescaped '@' in user names
	// happen in practice and are kept in the user part.
	if at := strings.LastIndexByte(a, '@'); at >= 0 {
		user := a[:at]
		if c := strings.IndexByte(user, ':'); c >= 0 {
			user = user[:c] // a password is never kept
		}
		u, ok := Unescape(user, "")
		if !ok {
			return false
		}
		d.userinfo = u
		a = a[at+1:]
	}
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return false
		}
		// The literal is kept escaped-as-is: a zone identifier's bare '%'
		// is not an escape.
		d.host = a[:end+1]
		if c := strings.IndexByte(a[end:], ':'); c >= 0 {
			d.host = a[:end+c]
			d.port = atoi(a[end+c+1:])
		}
		return true
	}
	host := a
	if c := strings.IndexByte(a, ':'); c >= 0 {
		host = a[:c]
		d.port = atoi(a[c+1:])
	}
	h, ok := Unescape(host, "")
	d.host = h
	return ok
}

// SchemeOf returns the scheme of "scheme:rest": a letter, then letters,
// digits, '+', '-' or '.', up to the first colon.
func SchemeOf(uri string) (string, bool) {
	colon := strings.IndexByte(uri, ':')
	if colon < 1 || !isSchemeStart(uri[0]) {
		return "", false
	}
	for i := 1; i < colon; i++ {
		if !isSchemeChar(uri[i]) {
			return "", false
		}
	}
	return uri[:colon], true
}

// atoi reads a port as C's atoi does: leading digits, 0 when there are none.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && '0' <= s[i] && s[i] <= '9' && n < 1<<24; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func isSchemeStart(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isSchemeChar(c byte) bool {
	return isSchemeStart(c) || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}
