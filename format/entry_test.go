// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"bytes"
	"encoding/hex"
	"hash/crc32"
	"testing"
)

func TestEntryLayoutMatchesCWriter(t *testing.T) {
	// Laid out by hand from the C writer: size, crc, mtime, op, path\0,
	// key\0, value\0, zero padding to 4, size again.
	c := Change{Op: OpSet, Mtime: 0x0102030405060708, Path: "/a", Key: "k", Value: "v"}
	got, err := c.AppendTo(nil)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte{1, 2, 3, 4, 5, 6, 7, 8, 0, '/', 'a', 0, 'k', 0, 'v', 0}
	// 8 (size+crc) + 16 body = 24, +0 pad, +4 trailing size = 28
	want := []byte{0, 0, 0, 28, 0, 0, 0, 0}
	want = append(want, body...)
	want = append(want, 0, 0, 0, 28)
	sum := crc32.ChecksumIEEE(want[8:])
	want[4], want[5], want[6], want[7] = byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum)
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %s\nwant %s", hex.EncodeToString(got), hex.EncodeToString(want))
	}
	if c.EncodedSize() != len(got) {
		t.Fatalf("EncodedSize %d, encoded %d", c.EncodedSize(), len(got))
	}
}

func TestSetListPadsBeforeCount(t *testing.T) {
	c := Change{Op: OpSetList, Mtime: 1, Path: "/", Key: "kk", List: []string{"x", "yz"}}
	got, _ := c.AppendTo(nil)
	// 8 + 8 mtime + op(1) + "/\0"(2) + "kk\0"(3) = 22 -> pad to 24, count at 24.
	if be.Uint32(got[24:]) != 2 {
		t.Fatalf("count not at offset 24: % x", got)
	}
	if got[22] != 0 || got[23] != 0 {
		t.Fatal("padding must be zeros")
	}
	e, err := DecodeEntry(got, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.List) != 2 || string(e.List[1]) != "yz" || string(e.Key) != "kk" {
		t.Fatalf("decoded %+v", e)
	}
}

func TestDecodeRoundTripsEveryOp(t *testing.T) {
	changes := []Change{
		{Op: OpSet, Mtime: 5, Path: "/p", Key: "k", Value: "value"},
		{Op: OpSetList, Mtime: 6, Path: "/p", Key: "l", List: nil},
		{Op: OpUnset, Mtime: 7, Path: "/p", Key: "k"},
		{Op: OpCopy, Mtime: 8, Path: "/dst", Source: "/src"},
		{Op: OpRemove, Mtime: 9, Path: "/src"},
	}
	var buf []byte
	for i := range changes {
		buf, _ = changes[i].AppendTo(buf)
	}
	off := uint32(0)
	for i, want := range changes {
		e, err := DecodeEntry(buf, off)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		got := e.Change()
		if got.Op != want.Op || got.Mtime != want.Mtime || got.Path != want.Path || got.Key != want.Key ||
			got.Value != want.Value || got.Source != want.Source || len(got.List) != len(want.List) {
			t.Fatalf("entry %d: got %+v want %+v", i, got, want)
		}
		off += e.Size
	}
}

func TestDecodeRejectsDamage(t *testing.T) {
	c := Change{Op: OpSet, Mtime: 1, Path: "/a", Key: "k", Value: "v"}
	good, _ := c.AppendTo(nil)
	cases := map[string]func(b []byte) []byte{
		"flipped body byte":  func(b []byte) []byte { b[12] ^= 1; return b },
		"wrong crc":          func(b []byte) []byte { b[4] ^= 0x80; return b },
		"end marker differs": func(b []byte) []byte { b[len(b)-1] ^= 4; return b },
		"size not aligned":   func(b []byte) []byte { b[3]++; return b },
		"size past end":      func(b []byte) []byte { b[2] = 1; return b },
		"truncated":          func(b []byte) []byte { return b[:len(b)-4] },
		"tiny size":          func(b []byte) []byte { b[3] = 8; return b },
	}
	for name, damage := range cases {
		b := damage(append([]byte(nil), good...))
		if _, err := DecodeEntry(b, 0); !IsFormatError(err) {
			t.Errorf("%s: err = %v, want a FormatError", name, err)
		}
	}
}

func TestDecodeRejectsUnterminatedStringsDespiteValidCRC(t *testing.T) {
	// A set entry whose value runs into the padding and trailing size.
	b := []byte{0, 0, 0, 28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, '/', 0, 'k', 0, 'v', 'v', 'v', 0, 0, 0, 28}
	b[24] = 'x' // no NUL before the trailing size
	sum := crc32.ChecksumIEEE(b[8:])
	be.PutUint32(b[4:], sum)
	if _, err := DecodeEntry(b, 0); !IsFormatError(err) {
		t.Fatalf("err = %v", err)
	}
}

func TestEncodeRefusesNUL(t *testing.T) {
	c := Change{Op: OpSet, Path: "/a\x00b", Key: "k", Value: "v"}
	if _, err := c.AppendTo(nil); err != ErrNUL {
		t.Fatalf("err = %v", err)
	}
}
