// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

func FuzzParseMessage(f *testing.F) {
	for _, b := range validMessages(f) {
		f.Add(b)
	}
	f.Add(validCall())
	f.Add(validCall()[:20])
	f.Add(mutate(validCall(), func(b []byte) { b[0] = 'B' }))
	f.Add(rawMessage(TypeMethodCall, 1, nil, pathA, memberM,
		anyField(200, "a{sv}", func(e *Encoder) { e.EndArray(e.Array(8)) })))
	f.Add(rawMessage(TypeMethodCall, 1, nil, pathA, memberM, anyField(200, "{sv}", func(e *Encoder) {
		e.Str("k")
		e.Signature("s")
		e.Str("v")
	})))
	f.Add(rawMessage(TypeSignal, 3, le(uint32(8), zeros(4), uint32(1), uint32(2)), pathA, memberM,
		strField(fieldInterface, "s", "a.b"), sigField("a(u)")))

	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseMessage(b)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		d := m.Args()
		skipWithin(t, d, m.Signature)
		if !d.Done() {
			return
		}

		again, err := parseMessage(appendMessage(nil, m, m.Serial))
		if err != nil {
			t.Fatalf("re-encoded %+v does not parse: %v", m, err)
		}
		want := m.Header
		// appendMessage writes what a client may send: the bus sets the
		// sender.
		want.Sender = ""
		if got := again.Header; got != want {
			t.Fatalf("re-encoded header\n got %+v\nwant %+v", got, want)
		}
		// The encoder writes little-endian, so only a little-endian body
		// survives as it was.
		if b[0] != 'l' {
			return
		}
		if !bytes.Equal(again.Body, m.Body) {
			t.Fatalf("re-encoded body % x, was % x", again.Body, m.Body)
		}
		d = again.Args()
		skipWithin(t, d, again.Signature)
		if !d.Done() {
			t.Fatalf("Skip(%q) of the re-encoded body: %v", again.Signature, d.Err())
		}
	})
}

func FuzzSkip(f *testing.F) {
	f.Add("a{sv}", le(uint32(16), zeros(4), uint32(1), "k\x00", zeros(1), byte(1), "s\x00", zeros(1), uint32(1), "v\x00"))
	f.Add("ayasu", le(uint32(2), "ab", zeros(2), uint32(0), uint32(7)))
	f.Add("v", le(byte(1), "v\x00", byte(1), "y\x00", byte(3)))
	f.Add("a()", le(uint32(8), zeros(12)))
	f.Add("a{vs}", le(uint32(8), zeros(12)))
	f.Add("(yt)b", le(byte(1), zeros(7), uint32(1), uint32(0), uint32(1)))
	f.Add("aa{sv}", le(uint32(0), uint32(0)))

	f.Fuzz(func(t *testing.T, sig string, body []byte) {
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			d := NewDecoder(order, body)
			skipWithin(t, d, sig)
			if d.Err() != nil {
				var fe *FormatError
				if !errors.As(d.Err(), &fe) {
					t.Fatalf("error %v is not a *FormatError", d.Err())
				}
				continue
			}
			// What Skip read is all it needs: it succeeds again on just
			// those bytes, and fails on one byte fewer, since it never
			// reads padding after a value.
			n := d.pos
			d = NewDecoder(order, body[:n])
			d.Skip(sig)
			if !d.Done() {
				t.Fatalf("Skip(%q) read %d bytes but fails on them alone: %v", sig, n, d.Err())
			}
			if n > 0 {
				d = NewDecoder(order, body[:n-1])
				d.Skip(sig)
				if d.Err() == nil {
					t.Fatalf("Skip(%q) read %d bytes but succeeds on %d", sig, n, n-1)
				}
			}
		}
	})
}

// FuzzReadStream feeds arbitrary bytes through a real socket pair to the
// connection's reader, as the bus would send them, with frames cut short
// and frames declaring sizes over the limit among the seeds: whatever
// comes, the reader must neither panic nor hang, and must end when the
// stream does.
func FuzzReadStream(f *testing.F) {
	call := validCall()
	f.Add(call)
	f.Add(append(append([]byte(nil), call...), call...))
	f.Add(call[:len(call)-3])
	f.Add(fixedHeaderOnly('l', 1, MaxMessage, 0))
	f.Add(append(fixedHeaderOnly('l', 1, 1<<32-1, 0), call...))
	f.Add(append(fixedHeaderOnly('B', 1, MaxMessage+1, 16), make([]byte, 64)...))
	f.Add(fixedHeaderOnly('l', 1, 0, maxHeaderFields+1))
	f.Fuzz(func(t *testing.T, stream []byte) {
		c, _ := readStream(t, stream)
		if c.Err() == nil {
			t.Fatal("the reader returned without an error")
		}
	})
}
