// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf8"
	"unsafe"
)

// maxDepth bounds the nesting of containers in one value: the D-Bus
// specification allows 32 arrays and 32 structs, 64 in all.
const maxDepth = 64

// FormatError reports bytes that are not a valid D-Bus encoding.
type FormatError struct {
	Offset int // from the start of the body, or of the message for its header
	What   string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("malformed D-Bus message at offset %d: %s", e.Offset, e.What)
}

// Decoder reads values from a message body in order. The first error
// sticks: every later read returns a zero value, and Err reports it, so a
// caller reads all its arguments and checks once.
type Decoder struct {
	order binary.ByteOrder
	buf   []byte
	pos   int
	err   error
}

// NewDecoder reads buf, whose offset 0 is 8-aligned in its message.
func NewDecoder(order binary.ByteOrder, buf []byte) *Decoder {
	return &Decoder{order: order, buf: buf}
}

// Err is the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// Done reports whether every byte was read without error.
func (d *Decoder) Done() bool { return d.err == nil && d.pos == len(d.buf) }

func (d *Decoder) fail(what string) {
	if d.err == nil {
		d.err = &FormatError{Offset: d.pos, What: what}
	}
}

// align skips the padding before a value aligned to n, which must be zero.
func (d *Decoder) align(n int) {
	if d.err != nil {
		return
	}
	next := (d.pos + n - 1) &^ (n - 1)
	if next > len(d.buf) {
		d.fail("padding runs past the end")
		return
	}
	for _, b := range d.buf[d.pos:next] {
		if b != 0 {
			d.fail("non-zero padding")
			return
		}
	}
	d.pos = next
}

// take returns the next n bytes.
func (d *Decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.buf)-d.pos {
		d.fail("value runs past the end")
		return nil
	}
	b := d.buf[d.pos : d.pos+n]
	d.pos += n
	return b
}

// Byte reads a 'y'.
func (d *Decoder) Byte() byte {
	b := d.take(1)
	if b == nil {
		return 0
	}
	return b[0]
}

// Uint32 reads a 'u'.
func (d *Decoder) Uint32() uint32 {
	d.align(4)
	b := d.take(4)
	if b == nil {
		return 0
	}
	return d.order.Uint32(b)
}

// Bool reads a 'b'.
func (d *Decoder) Bool() bool {
	v := d.Uint32()
	if v > 1 {
		d.fail("boolean is neither 0 nor 1")
	}
	return v == 1
}

// Str reads an 's' or an 'o': UTF-8 without NULs, as the Encoder writes
// them, or the message is malformed.
func (d *Decoder) Str() string { return string(d.strBytes()) }

// SharedStr is Str for a string used once and then dropped, such as a
// value on its way to a file: like Bytes, it shares the message's memory
// (every message has its own, never reused), so a large value is not
// copied. Keeping it keeps the whole message.
func (d *Decoder) SharedStr() string {
	b := d.strBytes()
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// strBytes reads the bytes of an 's' or an 'o' and checks them.
func (d *Decoder) strBytes() []byte {
	n := d.Uint32()
	b := d.terminated(int64(n))
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		d.fail("string is not UTF-8 without NULs")
		return nil
	}
	return b
}

// Signature reads a 'g'.
func (d *Decoder) Signature() string {
	n := d.Byte()
	return string(d.terminated(int64(n)))
}

// terminated reads n bytes and the NUL after them.
func (d *Decoder) terminated(n int64) []byte {
	if d.err != nil {
		return nil
	}
	if n > int64(len(d.buf)-d.pos-1) {
		d.fail("string runs past the end")
		return nil
	}
	b := d.take(int(n) + 1)
	if b[n] != 0 {
		d.fail("string is not NUL-terminated")
		return nil
	}
	return b[:n]
}

// Array reads an array's length and the padding before its first element
// (aligned to elemAlign) and returns the offset where the array ends; read
// elements while More(end).
func (d *Decoder) Array(elemAlign int) (end int) {
	n := d.Uint32()
	d.align(elemAlign)
	if d.err != nil {
		return d.pos
	}
	if int64(n) > int64(len(d.buf)-d.pos) {
		d.fail("array runs past the end")
		return d.pos
	}
	return d.pos + int(n)
}

// More reports whether an array ending at end has more elements.
func (d *Decoder) More(end int) bool {
	if d.err != nil {
		return false
	}
	if d.pos > end {
		d.fail("array element runs past the array's length")
		return false
	}
	return d.pos < end
}

// Struct starts a struct or dict entry.
func (d *Decoder) Struct() { d.align(8) }

// Bytes reads an 'ay'. The result shares the message's memory.
func (d *Decoder) Bytes() []byte {
	n := d.Uint32()
	return d.take(int(n))
}

// Strings reads an 'as'.
func (d *Decoder) Strings() []string {
	end := d.Array(4)
	var out []string
	for d.More(end) {
		out = append(out, d.Str())
	}
	if out == nil && d.err == nil {
		out = []string{}
	}
	return out
}

// Skip reads and discards one value of each complete type in sig.
func (d *Decoder) Skip(sig string) {
	for rest := sig; rest != "" && d.err == nil; {
		var t string
		var ok bool
		if t, rest, ok = firstType(rest, 0); !ok {
			d.fail(fmt.Sprintf("invalid signature %q", sig))
			return
		}
		d.skipValue(t, 0)
	}
}

// skipValue skips a value of type t, one complete type as firstType
// splits it off a signature at depth.
func (d *Decoder) skipValue(t string, depth int) {
	if t == "" { // never, for a type firstType split off
		d.fail("empty type")
		return
	}
	switch t[0] {
	case 'y':
		d.take(1)
	case 'b':
		d.Bool()
	case 'n', 'q':
		d.align(2)
		d.take(2)
	case 'i', 'u', 'h':
		d.Uint32()
	case 'x', 't', 'd':
		d.align(8)
		d.take(8)
	case 's', 'o':
		d.Str()
	case 'g':
		d.Signature()
	case 'v':
		sig := d.Signature()
		if d.err != nil {
			return
		}
		inner, rest, ok := firstType(sig, depth+1)
		if !ok || rest != "" {
			d.fail("variant signature is not one complete type")
			return
		}
		d.skipValue(inner, depth+1)
	case 'a':
		elem := t[1:]
		end := d.Array(alignOf(elem[0]))
		for d.More(end) {
			if elem[0] == '{' { // a dict entry: a one-letter key, a value
				d.Struct()
				d.skipValue(elem[1:2], depth+1)
				d.skipValue(elem[2:len(elem)-1], depth+1)
			} else {
				d.skipValue(elem, depth+1)
			}
		}
	case '(':
		d.Struct()
		for fields := t[1 : len(t)-1]; fields != "" && d.err == nil; {
			var field string
			field, fields, _ = firstType(fields, depth+1)
			d.skipValue(field, depth+1)
		}
	}
}

// firstType splits the first complete type off sig.
func firstType(sig string, depth int) (first, rest string, ok bool) {
	if sig == "" || depth > maxDepth {
		return "", "", false
	}
	switch sig[0] {
	case 'a':
		var r string
		if len(sig) > 1 && sig[1] == '{' {
			r, ok = dictEntry(sig[2:], depth+1)
		} else {
			_, r, ok = firstType(sig[1:], depth+1)
		}
		if !ok {
			return "", "", false
		}
		return sig[:len(sig)-len(r)], r, true
	case '(':
		r := sig[1:]
		if r != "" && r[0] == ')' {
			return "", "", false // empty structs are not allowed
		}
		for r != "" && r[0] != ')' {
			if _, r, ok = firstType(r, depth+1); !ok {
				return "", "", false
			}
		}
		if r == "" {
			return "", "", false
		}
		return sig[:len(sig)-len(r)+1], r[1:], true
	case 'y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 'h', 's', 'o', 'g', 'v':
		return sig[:1], sig[1:], true
	}
	return "", "", false
}

// dictEntry checks what follows the '{' of a dict entry, which only an
// array may hold: a basic key, one value, '}'. It returns what follows.
func dictEntry(sig string, depth int) (rest string, ok bool) {
	if sig == "" || !basic(sig[0]) {
		return "", false
	}
	_, r, ok := firstType(sig[1:], depth+1)
	if !ok || r == "" || r[0] != '}' {
		return "", false
	}
	return r[1:], true
}

func basic(c byte) bool {
	switch c {
	case 'y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 'h', 's', 'o', 'g':
		return true
	}
	return false
}

// alignOf is the alignment of values whose type starts with c.
func alignOf(c byte) int {
	switch c {
	case 'n', 'q':
		return 2
	case 'b', 'i', 'u', 'h', 's', 'o', 'a':
		return 4
	case 'x', 't', 'd', '(', '{':
		return 8
	}
	return 1
}
