// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// Type is a message's type.
type Type byte

// The message types; others are ignored, as the specification asks.
const (
	TypeMethodCall   Type = 1
	TypeMethodReturn Type = 2
	TypeError        Type = 3
	TypeSignal       Type = 4
)

// Flags of a message.
const (
	FlagNoReplyExpected byte = 1
)

// Header field codes.
const (
	fieldPath        = 1
	fieldInterface   = 2
	fieldMember      = 3
	fieldErrorName   = 4
	fieldReplySerial = 5
	fieldDestination = 6
	fieldSender      = 7
	fieldSignature   = 8
	fieldUnixFDs     = 9
)

// Limits of the specification, which the bus enforces too.
const (
	maxHeaderFields = 64 << 20
	fixedHeader     = 16
)

// Header is a message's fixed header and header fields; the fields that
// are absent are empty.
type Header struct {
	Type        Type
	Flags       byte
	Serial      uint32
	Path        string
	Interface   string
	Member      string
	ErrorName   string
	ReplySerial uint32
	Destination string
	Sender      string
	Signature   string // of the body
}

// Message is one D-Bus message.
type Message struct {
	Header
	Body []byte

	order binary.ByteOrder
}

// Args reads the body's arguments.
func (m *Message) Args() *Decoder {
	order := m.order
	if order == nil {
		order = binary.LittleEndian
	}
	return NewDecoder(order, m.Body)
}

// WantsReply reports whether the sender waits for a reply.
func (m *Message) WantsReply() bool { return m.Flags&FlagNoReplyExpected == 0 }

func pad8(n int) int { return (n + 7) &^ 7 }

// readMessage reads the next message from r.
func readMessage(r *bufio.Reader) (*Message, error) {
	head, err := r.Peek(fixedHeader)
	if err != nil {
		if err == io.EOF && len(head) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	order, err := headerOrder(head)
	if err != nil {
		return nil, err
	}
	bodyLen := int64(order.Uint32(head[4:]))
	fieldsLen := int64(order.Uint32(head[12:]))
	if fieldsLen > maxHeaderFields {
		return nil, &FormatError{12, "header fields too long"}
	}
	bodyAt := int64(pad8(fixedHeader + int(fieldsLen)))
	if bodyAt+bodyLen > MaxMessage {
		return skipTooLarge(r, bodyAt, bodyLen)
	}
	buf := make([]byte, bodyAt+bodyLen)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, midMessage(err)
	}
	m, err := parseMessage(buf)
	if err != nil {
		return nil, &garbledMessage{err}
	}
	return m, nil
}

// midMessage is the error of a read that stopped inside a message: the
// end of the stream there is no clean end.
func midMessage(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// skipTooLarge reads the header of a message over the limit and skips its
// body without keeping it, so that the stream stays in step: the bus
// checks what it forwards against its own limit, which it may set higher,
// and adds its sender field to a message at the limit. The message's
// header comes back in the error, so that a call can be answered.
func skipTooLarge(r *bufio.Reader, bodyAt, bodyLen int64) (*Message, error) {
	size := bodyAt + bodyLen
	header := make([]byte, bodyAt)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, midMessage(err)
	}
	if _, err := r.Discard(int(bodyLen)); err != nil {
		return nil, midMessage(err)
	}
	tooLarge := &TooLargeError{Size: size}
	// The header alone, as a message with no body, to read its fields.
	// (Its byte order was checked before the peeked bytes were reused.)
	order, _ := headerOrder(header)
	order.PutUint32(header[4:], 0)
	if m, err := parseMessage(header); err == nil {
		m.Signature = ""
		tooLarge.Header = m
	}
	return nil, tooLarge
}

// TooLargeError is the error of a message over the limit, whose body was
// skipped.
type TooLargeError struct {
	Size   int64
	Header *Message // its header, when that parses; no body
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("message of %d bytes exceeds the limit of %d", e.Size, MaxMessage)
}

// MaxMessage is the largest message the spec allows, in bytes; larger
// ones are skipped (see TooLargeError).
const MaxMessage = 128 << 20

// garbledMessage is the error of a message that was read whole but does
// not parse. The stream is still in step, so a connection can go on
// without it; only a broken frame ends one.
type garbledMessage struct{ err error }

func (e *garbledMessage) Error() string { return e.err.Error() }
func (e *garbledMessage) Unwrap() error { return e.err }

// headerOrder checks the byte order and protocol version of a fixed
// header and returns the byte order.
func headerOrder(head []byte) (binary.ByteOrder, error) {
	var order binary.ByteOrder
	switch head[0] {
	case 'l':
		order = binary.LittleEndian
	case 'B':
		order = binary.BigEndian
	default:
		return nil, &FormatError{0, fmt.Sprintf("unknown byte order %q", head[0])}
	}
	if head[3] != 1 {
		return nil, &FormatError{3, fmt.Sprintf("protocol version %d", head[3])}
	}
	return order, nil
}

// parseMessage decodes a whole message held in buf.
func parseMessage(buf []byte) (*Message, error) {
	if len(buf) < fixedHeader {
		return nil, &FormatError{0, "shorter than a header"}
	}
	order, err := headerOrder(buf)
	if err != nil {
		return nil, err
	}
	m := &Message{Header: Header{Type: Type(buf[1]), Flags: buf[2]}, order: order}
	bodyLen := int64(m.order.Uint32(buf[4:]))
	m.Serial = m.order.Uint32(buf[8:])
	fieldsLen := int64(m.order.Uint32(buf[12:]))
	if fieldsLen > int64(len(buf)-fixedHeader) {
		return nil, &FormatError{12, "header fields run past the end"}
	}
	bodyAt := pad8(fixedHeader + int(fieldsLen))
	if int64(bodyAt)+bodyLen != int64(len(buf)) {
		return nil, &FormatError{4, "body length does not match the message"}
	}
	if m.Serial == 0 {
		return nil, &FormatError{8, "serial is zero"}
	}
	for _, b := range buf[fixedHeader+int(fieldsLen) : bodyAt] {
		if b != 0 {
			return nil, &FormatError{fixedHeader + int(fieldsLen), "non-zero padding before the body"}
		}
	}
	if err := m.parseFields(buf[fixedHeader : fixedHeader+int(fieldsLen)]); err != nil {
		return nil, err
	}
	m.Body = buf[bodyAt:]
	if m.Signature == "" && len(m.Body) > 0 {
		return nil, &FormatError{bodyAt, "a body without a signature"}
	}
	if err := m.checkRequired(); err != nil {
		return nil, err
	}
	return m, nil
}

// parseFields reads the header fields (an a(yv) without its length).
func (m *Message) parseFields(fields []byte) error {
	d := NewDecoder(m.order, fields)
	for d.pos < len(d.buf) && d.err == nil {
		d.Struct()
		code := d.Byte()
		sig := d.Signature()
		if d.err != nil {
			break
		}
		want := fieldType(code)
		if want == "" {
			d.Skip(sig) // unknown fields are ignored
			if d.err == nil && (sig == "" || !oneType(sig)) {
				d.fail(fmt.Sprintf("header field %d has signature %q", code, sig))
			}
			continue
		}
		if sig != want {
			d.fail(fmt.Sprintf("header field %d has type %q, not %q", code, sig, want))
			break
		}
		switch code {
		case fieldPath:
			m.Path = d.Str()
		case fieldInterface:
			m.Interface = d.Str()
		case fieldMember:
			m.Member = d.Str()
		case fieldErrorName:
			m.ErrorName = d.Str()
		case fieldReplySerial:
			m.ReplySerial = d.Uint32()
		case fieldDestination:
			m.Destination = d.Str()
		case fieldSender:
			m.Sender = d.Str()
		case fieldSignature:
			m.Signature = d.Signature()
		case fieldUnixFDs:
			if d.Uint32() != 0 {
				d.fail("file descriptors were not negotiated")
			}
		}
	}
	if d.err != nil {
		fe := d.err.(*FormatError)
		return &FormatError{fe.Offset + fixedHeader, fe.What}
	}
	return nil
}

// oneType reports whether sig is exactly one complete type.
func oneType(sig string) bool {
	_, rest, ok := firstType(sig, 0)
	return ok && rest == ""
}

func fieldType(code byte) string {
	switch code {
	case fieldPath:
		return "o"
	case fieldInterface, fieldMember, fieldErrorName, fieldDestination, fieldSender:
		return "s"
	case fieldReplySerial, fieldUnixFDs:
		return "u"
	case fieldSignature:
		return "g"
	}
	return ""
}

func (m *Message) checkRequired() error {
	var missing string
	switch m.Type {
	case TypeMethodCall:
		if m.Path == "" || m.Member == "" {
			missing = "a method call without a path or member"
		}
	case TypeMethodReturn:
		if m.ReplySerial == 0 {
			missing = "a method return without a reply serial"
		}
	case TypeError:
		if m.ReplySerial == 0 || m.ErrorName == "" {
			missing = "an error without a reply serial or name"
		}
	case TypeSignal:
		if m.Path == "" || m.Interface == "" || m.Member == "" {
			missing = "a signal without a path, interface or member"
		}
	}
	if missing != "" {
		return &FormatError{12, missing}
	}
	return nil
}

// appendMessage appends m's encoding, with the given serial, to buf.
func appendMessage(buf []byte, m *Message, serial uint32) []byte {
	start := len(buf)
	e := Encoder{buf: buf, base: start}
	e.buf = append(e.buf, 'l', byte(m.Type), m.Flags, 1)
	e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(len(m.Body)))
	e.buf = binary.LittleEndian.AppendUint32(e.buf, serial)
	e.buf = binary.LittleEndian.AppendUint32(e.buf, 0)
	field := func(code byte, sig string) {
		e.Struct()
		e.Byte(code)
		e.Signature(sig)
	}
	str := func(code byte, sig, v string) {
		if v != "" {
			field(code, sig)
			e.Str(v)
		}
	}
	str(fieldPath, "o", m.Path)
	str(fieldInterface, "s", m.Interface)
	str(fieldMember, "s", m.Member)
	str(fieldErrorName, "s", m.ErrorName)
	if m.ReplySerial != 0 {
		field(fieldReplySerial, "u")
		e.Uint32(m.ReplySerial)
	}
	str(fieldDestination, "s", m.Destination)
	if m.Signature != "" {
		field(fieldSignature, "g")
		e.Signature(m.Signature)
	}
	binary.LittleEndian.PutUint32(e.buf[start+12:], uint32(len(e.buf)-start-fixedHeader))
	e.align(8)
	return append(e.buf, m.Body...)
}
