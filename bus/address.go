// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// SessionAddress is the session bus's address: DBUS_SESSION_BUS_ADDRESS,
// or else the per-user bus socket in XDG_RUNTIME_DIR, as GDBus and
// libdbus look for it.
func SessionAddress() (string, error) {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" {
		return a, nil
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		socket := filepath.Join(dir, "bus")
		if _, err := os.Stat(socket); err == nil {
			return "unix:path=" + escapeValue(socket), nil
		}
	}
	return "", errors.New("DBUS_SESSION_BUS_ADDRESS is not set and there is no bus socket in XDG_RUNTIME_DIR")
}

// dialAddress connects to the first address of a D-Bus address list
// (semicolon-separated) that answers. Only unix sockets are spoken: they
// are what a session bus listens on, and the only transport on which the
// EXTERNAL handshake proves who we are.
func dialAddress(list string) (*net.UnixConn, error) {
	var errs []error
	for _, addr := range strings.Split(list, ";") {
		if addr == "" {
			continue
		}
		socket, err := unixSocket(addr)
		if err == nil {
			var c *net.UnixConn
			c, err = net.DialUnix("unix", nil, &net.UnixAddr{Name: socket, Net: "unix"})
			if err == nil {
				return c, nil
			}
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("empty D-Bus address %q", list)
	}
	return nil, errors.Join(errs...)
}

// unixSocket is the socket name of one "unix:" address; an abstract one
// starts with "@", as net.Dial wants it.
func unixSocket(addr string) (string, error) {
	transport, params, ok := strings.Cut(addr, ":")
	if !ok {
		return "", fmt.Errorf("D-Bus address %q has no transport", addr)
	}
	if transport != "unix" {
		return "", fmt.Errorf("D-Bus address %q: transport %q is not supported (only unix)", addr, transport)
	}
	for _, kv := range strings.Split(params, ",") {
		key, value, _ := strings.Cut(kv, "=")
		v, err := unescapeValue(value)
		if err != nil {
			return "", fmt.Errorf("D-Bus address %q: %w", addr, err)
		}
		switch key {
		case "path":
			return v, nil
		case "abstract":
			return "@" + v, nil
		}
	}
	return "", fmt.Errorf("D-Bus address %q names no socket (path= or abstract=)", addr)
}

// unescapeValue undoes the %XX escapes of an address value.
func unescapeValue(v string) (string, error) {
	if !strings.Contains(v, "%") {
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b.WriteByte(v[i])
			continue
		}
		var c []byte
		var err error
		if i+2 < len(v) {
			c, err = hex.DecodeString(v[i+1 : i+3])
		}
		if len(c) != 1 || err != nil {
			return "", fmt.Errorf("bad escape in %q", v)
		}
		b.WriteByte(c[0])
		i += 2
	}
	return b.String(), nil
}

// escapeValue escapes an address value; bytes that need no escape are
// kept as they are.
func escapeValue(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_/.\\*", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return b.String()
}
