// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"math/rand"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUnixSocketNamesThePathOrAbstractSocket(t *testing.T) {
	tests := []struct {
		addr, want string
	}{
		{"unix:path=/run/user/1000/bus", "/run/user/1000/bus"},
		{"unix:abstract=/tmp/dbus-XYZ,guid=0123456789abcdef0123456789abcdef", "@/tmp/dbus-XYZ"},
		{"unix:guid=0123456789abcdef0123456789abcdef,path=/run/bus", "/run/bus"},
		{"unix:path=%2frun%2Fuser%2f1000%2fbus", "/run/user/1000/bus"},
		{"unix:path=/tmp/a%20dir%2cwith%3bodd%3dbytes/bus", "/tmp/a dir,with;odd=bytes/bus"},
		{"unix:path=/tmp/%c3%a9t%C3%A9", "/tmp/été"},
	}
	for _, tt := range tests {
		got, err := unixSocket(tt.addr)
		if err != nil || got != tt.want {
			t.Errorf("unixSocket(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
		}
	}
}

func TestUnixSocketRejectsWhatItCannotDial(t *testing.T) {
	tests := []struct {
		addr    string
		mention string // the error must say this
	}{
		{"tcp:host=x,port=1", `"tcp"`},
		{"nonce-tcp:host=x,port=1,noncefile=/n", `"nonce-tcp"`},
		{"unixpath=/run/bus", "no transport"},
		{"unix:guid=0123456789abcdef0123456789abcdef", "names no socket"},
		{"unix:tmpdir=/tmp", "names no socket"},
		{"unix:", "names no socket"},
		{"unix:path=/tmp/%zz", "bad escape"},
		{"unix:path=/tmp/%2", "bad escape"},
		{"unix:path=/tmp/%", "bad escape"},
		{"unix:guid=%g0,path=/run/bus", "bad escape"},
	}
	for _, tt := range tests {
		got, err := unixSocket(tt.addr)
		if err == nil {
			t.Errorf("unixSocket(%q) = %q; want an error", tt.addr, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("unixSocket(%q): %v; want it to mention %s", tt.addr, err, tt.mention)
		}
	}
}

func TestEscapeValueRoundTripsEveryByte(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	r := rand.New(rand.NewSource(3))
	values := []string{"", string(all), "/plain/path-1_2.3\\*"}
	for i := 0; i < 200; i++ {
		b := make([]byte, r.Intn(40))
		r.Read(b)
		values = append(values, string(b))
	}
	for _, v := range values {
		esc := escapeValue(v)
		if strings.ContainsAny(esc, ",;=: ") {
			t.Errorf("escapeValue(%q) = %q keeps an address delimiter", v, esc)
		}
		if got, err := unescapeValue(esc); err != nil || got != v {
			t.Errorf("unescapeValue(escapeValue(%q)) = %q, %v", v, got, err)
		}
	}
	if got := escapeValue("/run/user/1000/bus"); got != "/run/user/1000/bus" {
		t.Errorf("escapeValue of a plain path = %q; it should be kept as it is", got)
	}
}

// listenUnix listens on a socket in a fresh directory and accepts one
// connection, reported on the returned channel.
func listenUnix(t *testing.T, dir string) (string, <-chan struct{}) {
	t.Helper()
	path := filepath.Join(dir, "bus")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	accepted := make(chan struct{})
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		c.Close()
		close(accepted)
	}()
	return path, accepted
}

func TestDialAddressFallsThroughToAUnixAddress(t *testing.T) {
	path, accepted := listenUnix(t, t.TempDir())
	list := "tcp:host=localhost,port=1;unix:path=" + filepath.Join(filepath.Dir(path), "absent") + ";;unix:path=" + escapeValue(path)
	c, err := dialAddress(list)
	if err != nil {
		t.Fatalf("dialAddress(%q): %v", list, err)
	}
	defer c.Close()
	select {
	case <-accepted:
	case <-time.After(10 * time.Second):
		t.Fatal("the listening socket saw no connection")
	}
}

func TestDialAddressReportsEveryFailure(t *testing.T) {
	dir := t.TempDir()
	list := "tcp:host=localhost,port=1;unix:path=" + filepath.Join(dir, "absent")
	c, err := dialAddress(list)
	if err == nil {
		c.Close()
		t.Fatalf("dialAddress(%q) connected", list)
	}
	for _, want := range []string{`"tcp"`, "absent"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	for _, list := range []string{"", ";"} {
		if c, err := dialAddress(list); err == nil {
			c.Close()
			t.Errorf("dialAddress(%q) connected", list)
		}
	}
}

func unsetenv(t *testing.T, key string) {
	t.Setenv(key, "") // restores the old value after the test
	os.Unsetenv(key)
}

func TestSessionAddressPrefersTheEnvironment(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:abstract=/x,guid=1")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	got, err := SessionAddress()
	if err != nil || got != "unix:abstract=/x,guid=1" {
		t.Errorf("SessionAddress() = %q, %v", got, err)
	}
}

func TestSessionAddressFindsTheRuntimeDirSocket(t *testing.T) {
	// A space and a comma must be escaped for the address to parse.
	dir := filepath.Join(t.TempDir(), "run dir,1")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path, _ := listenUnix(t, dir)
	unsetenv(t, "DBUS_SESSION_BUS_ADDRESS")
	t.Setenv("XDG_RUNTIME_DIR", dir)

	addr, err := SessionAddress()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(addr, "unix:path=") || strings.ContainsAny(addr[len("unix:path="):], " ,") {
		t.Errorf("SessionAddress() = %q; want an escaped unix:path", addr)
	}
	got, err := unixSocket(addr)
	if err != nil || got != path {
		t.Errorf("unixSocket(%q) = %q, %v; want %q", addr, got, err, path)
	}
	c, err := dialAddress(addr)
	if err != nil {
		t.Fatalf("dialAddress(%q): %v", addr, err)
	}
	c.Close()
}

func TestSessionAddressFailsWithoutEnvironmentOrSocket(t *testing.T) {
	unsetenv(t, "DBUS_SESSION_BUS_ADDRESS")
	unsetenv(t, "XDG_RUNTIME_DIR")
	if got, err := SessionAddress(); err == nil {
		t.Errorf("with neither variable: SessionAddress() = %q", got)
	}
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if got, err := SessionAddress(); err == nil {
		t.Errorf("with no socket in XDG_RUNTIME_DIR: SessionAddress() = %q", got)
	}
}
