// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"fmt"
	"testing"

	"gvfs-metadata/bus"
	"gvfs-metadata/compat/protocol"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
)

func TestGarbledMessagesAreLoggedAtPowersOfTen(t *testing.T) {
	var lines []string
	d := &daemon{logf: func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }}
	for range 1234 {
		d.garbled(errors.New("bad header"))
	}
	want := []string{
		"dropped 1 messages from the bus that do not parse; the last: bad header",
		"dropped 10 messages from the bus that do not parse; the last: bad header",
		"dropped 100 messages from the bus that do not parse; the last: bad header",
		"dropped 1000 messages from the bus that do not parse; the last: bad header",
	}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("logged %q, want %q", lines, want)
	}
}

// TestACallOverTheLimitIsAnsweredWithAnError: the reader skips such a call
// and hands over its header; the daemon answers it (LimitsExceeded), so
// that the caller does not wait out its timeout, and logs it.
func TestACallOverTheLimitIsAnsweredWithAnError(t *testing.T) {
	testenv.RequireSession(t)
	s, err := session.Start(session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	var lines []string
	d := &daemon{logf: func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }}
	// The daemon's connection turns the call it gets into what the reader
	// hands over for one over the limit.
	d.conn, err = bus.Connect(s.Address, bus.Handlers{Call: func(m *bus.Message) {
		d.tooLarge(&bus.TooLargeError{Size: bus.MaxMessage + 8, Header: m})
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.conn.Close() })
	client, err := bus.Connect(s.Address, bus.Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	_, err = client.Call(d.conn.UniqueName(), protocol.ObjectPath, protocol.Interface, "Set", "", nil)
	var e *bus.Error
	if !errors.As(err, &e) || e.Name != errLimitsExceeded || e.Text != fmt.Sprintf("Message of %d bytes exceeds the limit of %d bytes", bus.MaxMessage+8, bus.MaxMessage) {
		t.Fatalf("the call over the limit was answered %v", err)
	}
	if len(lines) != 1 {
		t.Fatalf("logged %q, want one line", lines)
	}
}
