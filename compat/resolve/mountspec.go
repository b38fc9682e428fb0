// SPDX-License-Identifier: LGPL-2.0-or-later

package resolve

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MountSpec identifies a gvfs mount: its type and items (host, user,
// share...). GIO names a remote location's metadata tree after it.
type MountSpec struct {
	Type   string
	Items  map[string]string // never "type" or "prefix"
	Prefix string            // the mount prefix; "" or "/" for none
}

// String is the tree name, as gvfs's g_mount_spec_to_string makes it:
// "<type>:" then every item sorted by key as key=value joined by ",",
// each value URI-escaped with $&'()*+ and UTF-8 left as they are, then
// ",prefix=<escaped prefix>" when there is a prefix.
func (m MountSpec) String() string {
	keys := make([]string, 0, len(m.Items))
	for k := range m.Items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(m.Type)
	b.WriteByte(':')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(escapeSpecValue(m.Items[k]))
	}
	if m.Prefix != "" && m.Prefix != "/" {
		// The comma is written even without items before it.
		b.WriteString(",prefix=")
		b.WriteString(escapeSpecValue(m.Prefix))
	}
	return b.String()
}

// escapeSpecValue is GLib's g_string_append_uri_escaped with the
// reserved characters $&'()*+ allowed and UTF-8 allowed: unreserved
// characters, those, and valid multi-byte UTF-8 sequences stay; every
// other byte becomes %XX in upper-case hex.
func escapeSpecValue(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			if r, size := utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError || size > 1 {
				b.WriteString(s[i : i+size])
				i += size
				continue
			}
		}
		if IsUnreserved(c) || strings.IndexByte("$&'()*+", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
		i++
	}
	return b.String()
}

// IsUnreserved reports whether c is one of RFC 3986's unreserved
// characters, which URIs carry unescaped.
func IsUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// mountable is what gvfs's .mount files (Debian's gvfs-backends) tell the
// client about a URI scheme handled by its generic decoder.
type mountable struct {
	typ         string
	defaultPort int
	// inetHost: the host is an internet name or address, compared
	// without case and without the brackets of an IPv6 literal.
	inetHost bool
}

// genericSchemes are the remote schemes the gvfs client maps through its
// generic decoder, with the facts of sftp.mount, ftp.mount, ftps.mount and
// ftpis.mount ("ssh" is an alias of sftp).
var genericSchemes = map[string]mountable{
	"sftp":  {"sftp", 22, true},
	"ssh":   {"sftp", 22, true},
	"ftp":   {"ftp", 21, true},
	"ftps":  {"ftps", 21, true},
	"ftpis": {"ftpis", 990, true},
}

// ErrNotURI is returned for strings that no GIO client takes as a URI.
var ErrNotURI = errors.New("not a URI")

// UnsupportedError is returned for remote locations that have no gvfs
// metadata tree this package can name (desktop items, computer:///,
// trash:///, http:// ...).
type UnsupportedError struct{ Scheme string }

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("gvfs keeps no metadata for %s: locations", e.Scheme)
}

// Remote locates the metadata of a remote file named by uri as the gvfs
// client does: the tree named after its mount spec, and the path inside
// the mount (CleanPath).
func Remote(uri string) (MountSpec, string, error) {
	u, ok := decodeURI(uri)
	if !ok {
		return MountSpec{}, "", ErrNotURI
	}
	spec, p, ok := remoteSpec(u)
	if !ok {
		return MountSpec{}, "", &UnsupportedError{Scheme: u.scheme}
	}
	return spec, CleanPath(p), nil
}

// CleanPath canonicalizes a path inside a mount the way gvfs's client does
// for every file it names: absolute, no ".", "..", repeated or trailing
// slashes.
func CleanPath(p string) string {
	return path.Clean("/" + p)
}

// remoteSpec maps a remote URI to the mount spec and path the gvfs client
// gives the file (its URI mappers for dav and smb, its generic decoder
// for the others), or reports false for schemes this package does not
// import.
func remoteSpec(u decodedURI) (MountSpec, string, bool) {
	switch u.scheme {
	case "dav", "davs":
		return davSpec(u), u.path, true
	case "smb":
		spec, p := smbSpec(u)
		return spec, p, true
	}
	m, ok := genericSchemes[u.scheme]
	if !ok {
		return MountSpec{}, "", false
	}
	return genericSpec(u, m), u.path, true
}

// genericSpec: host (lower-cased, IPv6 brackets removed), user, port
// when not the default, and query and fragment when present. The mount
// prefix stays "/": the client names the file before any mount exists.
func genericSpec(u decodedURI, m mountable) MountSpec {
	spec := MountSpec{Type: m.typ, Items: map[string]string{}}
	if u.host != "" {
		h := u.host
		if m.inetHost {
			h = asciiLower(h)
			if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
				h = h[1 : len(h)-1]
			}
		}
		spec.Items["host"] = h
	}
	if u.userinfo != "" {
		spec.Items["user"] = u.userinfo
	}
	if u.port != -1 && (m.defaultPort == 0 || u.port != m.defaultPort) {
		spec.Items["port"] = strconv.Itoa(u.port)
	}
	if u.query != "" {
		spec.Items["query"] = u.query
	}
	if u.fragment != "" {
		spec.Items["fragment"] = u.fragment
	}
	return spec
}

// davSpec follows the client's http mapper: type "dav" for dav and davs,
// ssl=true|false, host as written, user, and the port unless it is the
// scheme's default (80, 443). The path is the URI's whole path: the
// server's base path is not a mount prefix on the client side.
func davSpec(u decodedURI) MountSpec {
	ssl := u.scheme == "davs"
	spec := MountSpec{Type: "dav", Items: map[string]string{"ssl": strconv.FormatBool(ssl)}}
	if u.host != "" {
		spec.Items["host"] = u.host
	}
	if u.userinfo != "" {
		spec.Items["user"] = u.userinfo
	}
	defaultPort := 80
	if ssl {
		defaultPort = 443
	}
	if u.port != -1 && u.port != defaultPort {
		spec.Items["port"] = strconv.Itoa(u.port)
	}
	return spec
}

// smbSpec follows the client's smb mapper: smb:///... is the network,
// smb://server/ a server, smb://server/share/... a share (type
// "smb-share" with server and share case-folded, path below the share);
// "DOMAIN;user" user info splits into domain and user; the port is kept
// unless it is 445.
func smbSpec(u decodedURI) (MountSpec, string) {
	var spec MountSpec
	p := "/"
	if u.host == "" {
		spec = MountSpec{Type: "smb-network", Items: map[string]string{}}
		if u.path != "" {
			p = u.path
		}
	} else {
		rest := strings.TrimLeft(u.path, "/")
		share, below, _ := strings.Cut(rest, "/")
		below = strings.TrimLeft(below, "/")
		switch {
		case share == "":
			spec = MountSpec{Type: "smb-server", Items: map[string]string{"server": foldSMB(u.host)}}
		case below == "" && strings.HasPrefix(share, "._"):
			// How the client names a share as a file of its server.
			spec = MountSpec{Type: "smb-server", Items: map[string]string{"server": foldSMB(u.host)}}
			p = "/" + foldSMB(share[2:])
		default:
			spec = MountSpec{Type: "smb-share", Items: map[string]string{"server": foldSMB(u.host), "share": foldSMB(share)}}
			p = "/" + below
		}
		if u.port != -1 && u.port != 445 {
			spec.Items["port"] = strconv.Itoa(u.port)
		}
	}
	if u.userinfo != "" {
		user := u.userinfo
		if domain, name, ok := strings.Cut(user, ";"); ok {
			if domain != "" {
				spec.Items["domain"] = domain
			}
			user = name
		}
		if user != "" {
			spec.Items["user"] = user
		}
	}
	return spec, p
}

// foldSMB compares SMB names without case as the client does (GLib's
// g_utf8_casefold for UTF-8, ASCII lower case otherwise). Go has no full
// case folding; lower case plus the foldings that differ from it in
// names people use (ß, the micro sign, final sigma, long s) is the same
// for everything but rare scripts' special cases.
func foldSMB(s string) string {
	if !utf8.ValidString(s) {
		return asciiLower(s)
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case 'ß', 'ẞ':
			b.WriteString("ss")
		case 'µ':
			b.WriteRune('μ')
		case 'ς':
			b.WriteRune('σ')
		case 'ſ':
			b.WriteRune('s')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
