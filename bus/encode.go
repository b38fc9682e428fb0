// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// Encoder appends values to a message body, little-endian. Its offset 0
// is 8-aligned in the message.
type Encoder struct {
	buf  []byte
	base int // where in buf the message starts: alignment counts from it
}

// Bytes is what was encoded so far.
func (e *Encoder) Bytes() []byte { return e.buf }

func (e *Encoder) align(n int) {
	for (len(e.buf)-e.base)%n != 0 {
		e.buf = append(e.buf, 0)
	}
}

// Byte appends a 'y'.
func (e *Encoder) Byte(v byte) { e.buf = append(e.buf, v) }

// Uint32 appends a 'u'.
func (e *Encoder) Uint32(v uint32) {
	e.align(4)
	e.buf = binary.LittleEndian.AppendUint32(e.buf, v)
}

// Bool appends a 'b'.
func (e *Encoder) Bool(v bool) {
	var u uint32
	if v {
		u = 1
	}
	e.Uint32(u)
}

// Str appends an 's' or an 'o'. A D-Bus string is UTF-8 without NULs,
// and the bus drops the connection of a sender of anything else, so bytes
// that are not UTF-8, and NULs, go out as U+FFFD.
func (e *Encoder) Str(s string) {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
	}
	e.Uint32(uint32(len(s)))
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, 0)
}

// Signature appends a 'g'.
func (e *Encoder) Signature(s string) {
	e.buf = append(e.buf, byte(len(s)))
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, 0)
}

// ByteArray appends an 'ay'.
func (e *Encoder) ByteArray(b []byte) {
	e.Uint32(uint32(len(b)))
	e.buf = append(e.buf, b...)
}

// ArrayMark remembers where an array being appended starts.
type ArrayMark struct{ lenAt, first int }

// Array starts an array of elements aligned to elemAlign; append the
// elements, then call EndArray with the returned mark.
func (e *Encoder) Array(elemAlign int) ArrayMark {
	e.Uint32(0)
	lenAt := len(e.buf) - 4
	e.align(elemAlign)
	return ArrayMark{lenAt, len(e.buf)}
}

// EndArray fills in the length of the array started at m: its elements'
// bytes, not the padding before the first one.
func (e *Encoder) EndArray(m ArrayMark) {
	binary.LittleEndian.PutUint32(e.buf[m.lenAt:], uint32(len(e.buf)-m.first))
}

// Struct starts a struct or dict entry.
func (e *Encoder) Struct() { e.align(8) }
