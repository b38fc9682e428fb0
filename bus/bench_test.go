// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/godbus/dbus/v5"
)

// setCall is a Set as GIO sends it, encoded by godbus, with the sender
// field the bus adds.
func setCall(b *testing.B) []byte {
	m := &dbus.Message{Type: dbus.TypeMethodCall, Headers: map[dbus.HeaderField]dbus.Variant{
		dbus.FieldPath:        dbus.MakeVariant(dbus.ObjectPath("/org/gtk/vfs/metadata")),
		dbus.FieldInterface:   dbus.MakeVariant("org.gtk.vfs.Metadata"),
		dbus.FieldMember:      dbus.MakeVariant("Set"),
		dbus.FieldDestination: dbus.MakeVariant("org.gtk.vfs.Metadata"),
		dbus.FieldSender:      dbus.MakeVariant(":1.42"),
		dbus.FieldSignature:   dbus.MakeVariant(dbus.SignatureOf([]byte{}, []byte{}, map[string]dbus.Variant{})),
	}, Body: []any{
		[]byte("/home/user/.local/share/gvfs-metadata/home\x00"),
		[]byte("/user/Documents/report-2026.odt\x00"),
		map[string]dbus.Variant{"metadata::emblems": dbus.MakeVariant([]string{"important"})},
	}}
	var buf bytes.Buffer
	if err := m.EncodeTo(&buf, binary.LittleEndian); err != nil {
		b.Fatal(err)
	}
	raw := buf.Bytes()
	binary.LittleEndian.PutUint32(raw[8:], 7) // godbus sets serials only on a connection
	return raw
}

// BenchmarkReadSetCall is what the daemon pays to take a Set off the
// socket and read its arguments; BenchmarkReadSetCallGodbus is the same
// with godbus's decoder, for comparison.
func BenchmarkReadSetCall(b *testing.B) {
	raw := setCall(b)
	r := bufio.NewReaderSize(bytes.NewReader(nil), readBuffer)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r.Reset(bytes.NewReader(raw))
		m, err := readMessage(r)
		if err != nil {
			b.Fatal(err)
		}
		args := m.Args()
		args.Bytes()
		args.Bytes()
		end := args.Array(8)
		for args.More(end) {
			args.Struct()
			args.Str()
			args.Signature()
			args.Strings()
		}
		if !args.Done() {
			b.Fatal(args.Err())
		}
	}
}

func BenchmarkReadSetCallGodbus(b *testing.B) {
	raw := setCall(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := dbus.DecodeMessage(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeReply is the encoding of a Set's empty reply.
func BenchmarkEncodeReply(b *testing.B) {
	call := &Message{Header: Header{Serial: 7, Sender: ":1.42"}}
	var buf []byte
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		buf = appendMessage(buf[:0], &Message{Header: Header{Type: TypeMethodReturn, ReplySerial: call.Serial, Destination: call.Sender}}, 9)
	}
}
