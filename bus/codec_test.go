// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// Values are compared in a form that does not depend on which library
// produced them: basic values as the Go type of their D-Bus type (every
// string-like type as string), "ay" as []byte, other arrays as []any,
// dicts as map[any]any, structs as structV and variants as variantV.
type structV []any

type variantV struct {
	Sig string
	V   any
}

// splitSig splits a signature into its complete types, independently of
// the decoder's own parser.
func splitSig(sig string) []string {
	var out []string
	for sig != "" {
		n := completeLen(sig)
		out = append(out, sig[:n])
		sig = sig[n:]
	}
	return out
}

// completeLen is the length of the complete type at the start of sig,
// which must be valid.
func completeLen(sig string) int {
	switch sig[0] {
	case 'a':
		return 1 + completeLen(sig[1:])
	case '(', '{':
		depth := 0
		for i := 0; i < len(sig); i++ {
			switch sig[i] {
			case '(', '{':
				depth++
			case ')', '}':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		panic("unbalanced signature " + sig)
	}
	return 1
}

// fixed reads a fixed-size value our Decoder has no method for.
func fixed(d *Decoder, n int) []byte {
	d.align(n)
	b := d.take(n)
	if b == nil {
		return make([]byte, n)
	}
	return b
}

// readOurs reads one value of type sig with the Decoder's own methods
// (Array/More/Struct for containers), giving the comparable form.
func readOurs(d *Decoder, sig string) any {
	if d.Err() != nil || sig == "" {
		return nil
	}
	switch sig[0] {
	case 'y':
		return d.Byte()
	case 'b':
		return d.Bool()
	case 'u':
		return d.Uint32()
	case 's', 'o':
		return d.Str()
	case 'g':
		return d.Signature()
	case 'n':
		return int16(d.order.Uint16(fixed(d, 2)))
	case 'q':
		return d.order.Uint16(fixed(d, 2))
	case 'i':
		return int32(d.order.Uint32(fixed(d, 4)))
	case 'x':
		return int64(d.order.Uint64(fixed(d, 8)))
	case 't':
		return d.order.Uint64(fixed(d, 8))
	case 'd':
		return math.Float64frombits(d.order.Uint64(fixed(d, 8)))
	case 'v':
		inner := d.Signature()
		return variantV{inner, readOurs(d, inner)}
	case '(':
		d.Struct()
		var out structV
		for _, m := range splitSig(sig[1 : len(sig)-1]) {
			out = append(out, readOurs(d, m))
		}
		return out
	case 'a':
		elem := sig[1:]
		switch {
		case elem == "y":
			return append([]byte{}, d.Bytes()...)
		case elem == "s":
			out := []any{}
			for _, s := range d.Strings() {
				out = append(out, s)
			}
			return out
		case elem[0] == '{':
			kv := splitSig(elem[1 : len(elem)-1])
			out := map[any]any{}
			end := d.Array(8)
			for d.More(end) {
				d.Struct()
				k := readOurs(d, kv[0])
				out[k] = readOurs(d, kv[1])
			}
			return out
		}
		out := []any{}
		end := d.Array(alignOf(elem[0]))
		for d.More(end) {
			out = append(out, readOurs(d, elem))
		}
		return out
	}
	panic("readOurs: type " + sig)
}

// encodeOurs appends v of type sig with the Encoder's public methods; it
// knows only the types the Encoder has methods for.
func encodeOurs(e *Encoder, sig string, v any) {
	switch sig[0] {
	case 'y':
		e.Byte(v.(byte))
	case 'b':
		e.Bool(v.(bool))
	case 'u':
		e.Uint32(v.(uint32))
	case 's', 'o':
		e.Str(v.(string))
	case 'g':
		e.Signature(v.(string))
	case 'v':
		vv := v.(variantV)
		e.Signature(vv.Sig)
		encodeOurs(e, vv.Sig, vv.V)
	case '(':
		e.Struct()
		for i, m := range splitSig(sig[1 : len(sig)-1]) {
			encodeOurs(e, m, v.(structV)[i])
		}
	case 'a':
		elem := sig[1:]
		if elem == "y" {
			e.ByteArray(v.([]byte))
			return
		}
		mark := e.Array(alignOf(elem[0]))
		if elem[0] == '{' {
			kv := splitSig(elem[1 : len(elem)-1])
			for _, k := range sortedKeys(v.(map[any]any)) {
				e.Struct()
				encodeOurs(e, kv[0], k)
				encodeOurs(e, kv[1], v.(map[any]any)[k])
			}
		} else {
			for _, x := range v.([]any) {
				encodeOurs(e, elem, x)
			}
		}
		e.EndArray(mark)
	default:
		panic("encodeOurs: type " + sig)
	}
}

func sortedKeys(m map[any]any) []any {
	keys := make([]any, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Any fixed order will do; the textual form is one.
	sortBy(keys, func(k any) string { return fmt.Sprintf("%T%v", k, k) })
	return keys
}

func sortBy(xs []any, key func(any) string) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && key(xs[j]) < key(xs[j-1]); j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

var (
	objectPathType = reflect.TypeOf(dbus.ObjectPath(""))
	signatureType  = reflect.TypeOf(dbus.Signature{})
	variantType    = reflect.TypeOf(dbus.Variant{})
)

// godbusType is the Go type godbus encodes as sig.
func godbusType(sig string) reflect.Type {
	switch sig[0] {
	case 'y':
		return reflect.TypeOf(byte(0))
	case 'b':
		return reflect.TypeOf(false)
	case 'n':
		return reflect.TypeOf(int16(0))
	case 'q':
		return reflect.TypeOf(uint16(0))
	case 'i':
		return reflect.TypeOf(int32(0))
	case 'u':
		return reflect.TypeOf(uint32(0))
	case 'x':
		return reflect.TypeOf(int64(0))
	case 't':
		return reflect.TypeOf(uint64(0))
	case 'd':
		return reflect.TypeOf(float64(0))
	case 's':
		return reflect.TypeOf("")
	case 'o':
		return objectPathType
	case 'g':
		return signatureType
	case 'v':
		return variantType
	case '(':
		var fields []reflect.StructField
		for i, m := range splitSig(sig[1 : len(sig)-1]) {
			fields = append(fields, reflect.StructField{Name: "F" + strconv.Itoa(i), Type: godbusType(m)})
		}
		return reflect.StructOf(fields)
	case 'a':
		if sig[1] == '{' {
			kv := splitSig(sig[2 : len(sig)-1])
			return reflect.MapOf(godbusType(kv[0]), godbusType(kv[1]))
		}
		return reflect.SliceOf(godbusType(sig[1:]))
	}
	panic("godbusType: type " + sig)
}

// toGodbus turns a comparable value of type sig into the Go value godbus
// encodes as sig.
func toGodbus(sig string, v any) reflect.Value {
	t := godbusType(sig)
	switch sig[0] {
	case 'g':
		return reflect.ValueOf(dbus.ParseSignatureMust(v.(string)))
	case 'v':
		vv := v.(variantV)
		return reflect.ValueOf(dbus.MakeVariant(toGodbus(vv.Sig, vv.V).Interface()))
	case '(':
		s := reflect.New(t).Elem()
		for i, m := range splitSig(sig[1 : len(sig)-1]) {
			s.Field(i).Set(toGodbus(m, v.(structV)[i]))
		}
		return s
	case 'a':
		if sig == "ay" {
			return reflect.ValueOf(v.([]byte))
		}
		if sig[1] == '{' {
			kv := splitSig(sig[2 : len(sig)-1])
			m := reflect.MakeMap(t)
			for k, x := range v.(map[any]any) {
				m.SetMapIndex(toGodbus(kv[0], k), toGodbus(kv[1], x))
			}
			return m
		}
		xs := v.([]any)
		s := reflect.MakeSlice(t, 0, len(xs))
		for _, x := range xs {
			s = reflect.Append(s, toGodbus(sig[1:], x))
		}
		return s
	}
	return reflect.ValueOf(v).Convert(t)
}

// fromGodbus turns a value godbus decoded as sig into the comparable form.
func fromGodbus(sig string, v any) any {
	rv := reflect.ValueOf(v)
	switch sig[0] {
	case 'y':
		return byte(rv.Uint())
	case 'b':
		return rv.Bool()
	case 'n':
		return int16(rv.Int())
	case 'q':
		return uint16(rv.Uint())
	case 'i':
		return int32(rv.Int())
	case 'u':
		return uint32(rv.Uint())
	case 'x':
		return rv.Int()
	case 't':
		return rv.Uint()
	case 'd':
		return rv.Float()
	case 's', 'o':
		return rv.String()
	case 'g':
		return v.(dbus.Signature).String()
	case 'v':
		vv := v.(dbus.Variant)
		inner := vv.Signature().String()
		return variantV{inner, fromGodbus(inner, vv.Value())}
	case '(':
		var out structV
		for i, m := range splitSig(sig[1 : len(sig)-1]) {
			var f reflect.Value
			if rv.Kind() == reflect.Struct {
				f = rv.Field(i)
			} else {
				f = rv.Index(i)
			}
			out = append(out, fromGodbus(m, f.Interface()))
		}
		return out
	case 'a':
		if sig == "ay" {
			return append([]byte{}, rv.Bytes()...)
		}
		if sig[1] == '{' {
			kv := splitSig(sig[2 : len(sig)-1])
			out := map[any]any{}
			for it := rv.MapRange(); it.Next(); {
				out[fromGodbus(kv[0], it.Key().Interface())] = fromGodbus(kv[1], it.Value().Interface())
			}
			return out
		}
		out := []any{}
		for i := 0; i < rv.Len(); i++ {
			out = append(out, fromGodbus(sig[1:], rv.Index(i).Interface()))
		}
		return out
	}
	panic("fromGodbus: type " + sig)
}

// gen draws random signatures and values of them.
type gen struct {
	r      *rand.Rand
	basics string // basic types to draw
	keys   string // dict key types to draw
	common []string
}

func (g gen) sig(depth int) string {
	n := g.r.Intn(12)
	if depth >= 3 {
		n = 0
	}
	switch {
	case n < 5:
		return string(g.basics[g.r.Intn(len(g.basics))])
	case n < 7:
		return "a" + g.sig(depth+1)
	case n < 9:
		return "a{" + string(g.keys[g.r.Intn(len(g.keys))]) + g.sig(depth+1) + "}"
	case n < 11:
		s := "("
		for i := 0; i <= g.r.Intn(3); i++ {
			s += g.sig(depth + 1)
		}
		return s + ")"
	}
	return "v"
}

// The argument types of the metadata protocol and their neighbours are
// drawn as often as random ones.
var (
	commonArgs    = []string{"ay", "s", "u", "b", "as", "a{sv}", "aa{sv}", "(yt)", "at", "ya{sv}", "aay"}
	commonOurArgs = []string{"ay", "s", "u", "b", "as", "a{sv}", "aa{sv}", "(ys)", "a(yu)", "ya{sv}", "aay"}
)

func (g gen) args() string {
	var sig string
	for i := g.r.Intn(5); i > 0; i-- {
		if g.r.Intn(2) == 0 {
			sig += g.common[g.r.Intn(len(g.common))]
		} else {
			sig += g.sig(0)
		}
	}
	return sig
}

const alphabet = "abcXYZ019 _-./:é日\u00a0\U0001F600"

func (g gen) str() string {
	rs := []rune(alphabet)
	var b strings.Builder
	for i := g.r.Intn(12); i > 0; i-- {
		b.WriteRune(rs[g.r.Intn(len(rs))])
	}
	return b.String()
}

func (g gen) ident() string {
	const first = "abcxyzABCXYZ_"
	const rest = first + "0123456789"
	b := []byte{first[g.r.Intn(len(first))]}
	for i := g.r.Intn(8); i > 0; i-- {
		b = append(b, rest[g.r.Intn(len(rest))])
	}
	return string(b)
}

func (g gen) path() string {
	if g.r.Intn(4) == 0 {
		return "/"
	}
	var p string
	for i := 1 + g.r.Intn(3); i > 0; i-- {
		p += "/" + g.ident()
	}
	return p
}

func (g gen) dotted() string {
	s := g.ident()
	for i := 1 + g.r.Intn(3); i > 0; i-- {
		s += "." + g.ident()
	}
	return s
}

func (g gen) busName() string {
	if g.r.Intn(2) == 0 {
		return ":" + strconv.Itoa(g.r.Intn(9)) + "." + strconv.Itoa(g.r.Intn(1000))
	}
	return g.dotted()
}

func (g gen) value(sig string, depth int) any {
	r := g.r
	switch sig[0] {
	case 'y':
		return byte(r.Intn(256))
	case 'b':
		return r.Intn(2) == 1
	case 'n':
		return int16(r.Uint32())
	case 'q':
		return uint16(r.Uint32())
	case 'i':
		return int32(r.Uint32())
	case 'u':
		return r.Uint32()
	case 'x':
		return int64(r.Uint64())
	case 't':
		return r.Uint64()
	case 'd':
		return r.NormFloat64() * 1e6
	case 's':
		return g.str()
	case 'o':
		return g.path()
	case 'g':
		var s string
		for i := r.Intn(3); i > 0; i-- {
			s += g.sig(1)
		}
		return s
	case 'v':
		inner := g.sig(depth + 1)
		return variantV{inner, g.value(inner, depth+1)}
	case '(':
		var out structV
		for _, m := range splitSig(sig[1 : len(sig)-1]) {
			out = append(out, g.value(m, depth+1))
		}
		return out
	case 'a':
		n := r.Intn(4)
		if sig == "ay" {
			b := make([]byte, r.Intn(10))
			r.Read(b)
			return b
		}
		if sig[1] == '{' {
			kv := splitSig(sig[2 : len(sig)-1])
			out := map[any]any{}
			for ; n > 0; n-- {
				out[g.value(kv[0], depth+1)] = g.value(kv[1], depth+1)
			}
			return out
		}
		out := []any{}
		for ; n > 0; n-- {
			out = append(out, g.value(sig[1:], depth+1))
		}
		return out
	}
	panic("gen: type " + sig)
}

// godbusMessage draws a valid message for godbus to encode, with its body
// in comparable form.
func (g gen) godbusMessage() (*dbus.Message, []any) {
	r := g.r
	msg := &dbus.Message{
		Type:    dbus.Type(1 + r.Intn(4)),
		Flags:   dbus.Flags(r.Intn(8)),
		Headers: map[dbus.HeaderField]dbus.Variant{},
	}
	maybe := func(required bool, f dbus.HeaderField, v any) {
		if required || r.Intn(2) == 0 {
			msg.Headers[f] = dbus.MakeVariant(v)
		}
	}
	call, ret, errm, sig := msg.Type == dbus.TypeMethodCall, msg.Type == dbus.TypeMethodReply, msg.Type == dbus.TypeError, msg.Type == dbus.TypeSignal
	maybe(call || sig, dbus.FieldPath, dbus.ObjectPath(g.path()))
	maybe(sig, dbus.FieldInterface, g.dotted())
	maybe(call || sig, dbus.FieldMember, g.ident())
	maybe(errm, dbus.FieldErrorName, g.dotted())
	maybe(ret || errm, dbus.FieldReplySerial, 1+r.Uint32()%(1<<32-1))
	maybe(false, dbus.FieldDestination, g.busName())
	maybe(false, dbus.FieldSender, g.busName())
	if r.Intn(8) == 0 {
		msg.Headers[dbus.FieldUnixFDs] = dbus.MakeVariant(uint32(0))
	}
	var want []any
	for _, s := range splitSig(g.args()) {
		v := g.value(s, 0)
		want = append(want, v)
		msg.Body = append(msg.Body, toGodbus(s, v).Interface())
	}
	if len(msg.Body) > 0 {
		msg.Headers[dbus.FieldSignature] = dbus.MakeVariant(dbus.SignatureOf(msg.Body...))
	}
	return msg, want
}

// encodeGodbus encodes msg with godbus. godbus keeps a message's serial
// to itself, so it is written into the fixed header afterwards.
func encodeGodbus(tb testing.TB, msg *dbus.Message, order binary.ByteOrder, serial uint32) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := msg.EncodeTo(&buf, order); err != nil {
		tb.Fatalf("godbus cannot encode %v: %v", msg, err)
	}
	b := buf.Bytes()
	order.PutUint32(b[8:], serial)
	return b
}

func headerString(m *dbus.Message, f dbus.HeaderField) string {
	v, ok := m.Headers[f]
	if !ok {
		return ""
	}
	switch x := v.Value().(type) {
	case string:
		return x
	case dbus.ObjectPath:
		return string(x)
	case dbus.Signature:
		return x.String()
	}
	panic(fmt.Sprintf("header %d holds %T", f, v.Value()))
}

func headerUint32(m *dbus.Message, f dbus.HeaderField) uint32 {
	v, ok := m.Headers[f]
	if !ok {
		return 0
	}
	return v.Value().(uint32)
}

// skipWithin runs d.Skip(sig) and fails instead of hanging when it does
// not return.
func skipWithin(tb testing.TB, d *Decoder, sig string) {
	tb.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Skip(sig)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		tb.Fatalf("Skip(%q) did not return", sig)
	}
}

func TestParseMessageReadsGodbusMessagesInBothByteOrders(t *testing.T) {
	g := gen{r: rand.New(rand.NewSource(1)), basics: "ybnqiuxtdsog", keys: "ysuoixt", common: commonArgs}
	orders := []binary.ByteOrder{binary.LittleEndian, binary.BigEndian}
	for iter := 0; iter < 3000; iter++ {
		msg, want := g.godbusMessage()
		serial := 1 + g.r.Uint32()%(1<<32-1)
		for _, order := range orders {
			b := encodeGodbus(t, msg, order, serial)
			m, err := parseMessage(b)
			if err != nil {
				t.Fatalf("iteration %d, %v: %v\n%v", iter, order, err, msg)
			}
			wantHeader := Header{
				Type:        Type(msg.Type),
				Flags:       byte(msg.Flags),
				Serial:      serial,
				Path:        headerString(msg, dbus.FieldPath),
				Interface:   headerString(msg, dbus.FieldInterface),
				Member:      headerString(msg, dbus.FieldMember),
				ErrorName:   headerString(msg, dbus.FieldErrorName),
				ReplySerial: headerUint32(msg, dbus.FieldReplySerial),
				Destination: headerString(msg, dbus.FieldDestination),
				Sender:      headerString(msg, dbus.FieldSender),
				Signature:   headerString(msg, dbus.FieldSignature),
			}
			if got := m.Header; got != wantHeader {
				t.Fatalf("iteration %d, %v: header\n got %+v\nwant %+v", iter, order, got, wantHeader)
			}
			if m.order != order {
				t.Fatalf("iteration %d: read as %v, encoded as %v", iter, m.order, order)
			}

			d := m.Args()
			skipWithin(t, d, m.Signature)
			if !d.Done() {
				t.Fatalf("iteration %d, %v: Skip(%q) on a %d-byte body: done=%v at %d, err %v", iter, order, m.Signature, len(m.Body), d.Done(), d.pos, d.Err())
			}

			// Read each argument, or skip some, so that Skip is seen to
			// stop exactly at the next argument.
			d = m.Args()
			for i, s := range splitSig(m.Signature) {
				if g.r.Intn(3) == 0 {
					d.Skip(s)
					continue
				}
				if v := readOurs(d, s); !reflect.DeepEqual(v, want[i]) {
					t.Fatalf("iteration %d, %v: argument %d of type %s\n got %#v\nwant %#v (err %v)", iter, order, i, s, v, want[i], d.Err())
				}
			}
			if !d.Done() {
				t.Fatalf("iteration %d, %v: after reading %q: err %v, at %d of %d", iter, order, m.Signature, d.Err(), d.pos, len(m.Body))
			}
		}
	}
}

func TestGodbusDecodesMessagesWeEncode(t *testing.T) {
	g := gen{r: rand.New(rand.NewSource(2)), basics: "ybusog", keys: "ysuo", common: commonOurArgs}
	for iter := 0; iter < 3000; iter++ {
		r := g.r
		m := &Message{Header: Header{Type: Type(1 + r.Intn(4)), Flags: byte(r.Intn(8))}}
		if m.Type == TypeMethodCall || m.Type == TypeSignal || r.Intn(2) == 0 {
			m.Path = g.path()
		}
		if m.Type == TypeSignal || r.Intn(2) == 0 {
			m.Interface = g.dotted()
		}
		if m.Type == TypeMethodCall || m.Type == TypeSignal || r.Intn(2) == 0 {
			m.Member = g.ident()
		}
		if m.Type == TypeError || r.Intn(2) == 0 {
			m.ErrorName = g.dotted()
		}
		if m.Type == TypeMethodReturn || m.Type == TypeError || r.Intn(2) == 0 {
			m.ReplySerial = 1 + r.Uint32()%(1<<32-1)
		}
		if r.Intn(2) == 0 {
			m.Destination = g.busName()
		}
		var e Encoder
		var want []any
		m.Signature = g.args()
		for _, s := range splitSig(m.Signature) {
			v := g.value(s, 0)
			want = append(want, v)
			encodeOurs(&e, s, v)
		}
		m.Body = e.Bytes()
		serial := 1 + r.Uint32()%(1<<32-1)

		// A message appended after other bytes must still align from
		// its own first byte.
		prefix := bytes.Repeat([]byte{0xEE}, r.Intn(9))
		b := appendMessage(append([]byte{}, prefix...), m, serial)
		if !bytes.Equal(b[:len(prefix)], prefix) {
			t.Fatalf("iteration %d: appendMessage changed the bytes before it", iter)
		}
		gm, err := dbus.DecodeMessage(bytes.NewReader(b[len(prefix):]))
		if err != nil {
			t.Fatalf("iteration %d: godbus cannot decode %+v: %v", iter, m, err)
		}
		if Type(gm.Type) != m.Type || byte(gm.Flags) != m.Flags || gm.Serial() != serial {
			t.Fatalf("iteration %d: godbus read type %d flags %d serial %d, sent %d %d %d", iter, gm.Type, gm.Flags, gm.Serial(), m.Type, m.Flags, serial)
		}
		for _, f := range []struct {
			field dbus.HeaderField
			want  string
		}{
			{dbus.FieldPath, m.Path},
			{dbus.FieldInterface, m.Interface},
			{dbus.FieldMember, m.Member},
			{dbus.FieldErrorName, m.ErrorName},
			{dbus.FieldDestination, m.Destination},
			{dbus.FieldSignature, m.Signature},
		} {
			_, present := gm.Headers[f.field]
			if got := headerString(gm, f.field); got != f.want || present != (f.want != "") {
				t.Fatalf("iteration %d: header %d is %q (present %v), want %q", iter, f.field, got, present, f.want)
			}
		}
		if got := headerUint32(gm, dbus.FieldReplySerial); got != m.ReplySerial {
			t.Fatalf("iteration %d: reply serial %d, want %d", iter, got, m.ReplySerial)
		}
		if len(gm.Headers) > 7 {
			t.Fatalf("iteration %d: godbus read header fields we did not write: %v", iter, gm.Headers)
		}
		if len(gm.Body) != len(want) {
			t.Fatalf("iteration %d: godbus read %d arguments of %q, want %d", iter, len(gm.Body), m.Signature, len(want))
		}
		for i, s := range splitSig(m.Signature) {
			if got := fromGodbus(s, gm.Body[i]); !reflect.DeepEqual(got, want[i]) {
				t.Fatalf("iteration %d: argument %d of type %s\n got %#v\nwant %#v", iter, i, s, got, want[i])
			}
		}
	}
}

// decodeWithGodbus wraps body of type sig in a signal and lets godbus
// decode it.
func decodeWithGodbus(t *testing.T, sig string, body []byte) []any {
	t.Helper()
	m := &Message{Header: Header{Type: TypeSignal, Path: "/p", Interface: "org.example.I", Member: "M", Signature: sig}, Body: body}
	gm, err := dbus.DecodeMessage(bytes.NewReader(appendMessage(nil, m, 1)))
	if err != nil {
		t.Fatalf("godbus cannot decode %q % x: %v", sig, body, err)
	}
	return gm.Body
}

func TestGodbusDecodesArraysWhosePaddingPrecedesTheFirstElement(t *testing.T) {
	entry := func(e *Encoder, k, v string) {
		e.Struct()
		e.Str(k)
		e.Signature("s")
		e.Str(v)
	}
	tests := []struct {
		name   string
		sig    string
		encode func(e *Encoder)
		want   []any
	}{
		{"empty as", "as", func(e *Encoder) { e.EndArray(e.Array(4)) }, []any{[]string{}}},
		{"empty a{sv} first, padded to 8", "a{sv}", func(e *Encoder) { e.EndArray(e.Array(8)) },
			[]any{map[string]dbus.Variant{}}},
		{"empty a{sv} then a byte", "a{sv}y", func(e *Encoder) { e.EndArray(e.Array(8)); e.Byte(7) },
			[]any{map[string]dbus.Variant{}, byte(7)}},
		{"a{sv} first, padded to 8", "a{sv}", func(e *Encoder) {
			m := e.Array(8)
			entry(e, "k", "v")
			entry(e, "key2", "value2")
			e.EndArray(m)
		}, []any{map[string]dbus.Variant{"k": dbus.MakeVariant("v"), "key2": dbus.MakeVariant("value2")}}},
		{"a{sv} after a byte", "ya{sv}", func(e *Encoder) {
			e.Byte(1)
			m := e.Array(8)
			entry(e, "k", "v")
			e.EndArray(m)
		}, []any{byte(1), map[string]dbus.Variant{"k": dbus.MakeVariant("v")}}},
		{"a{sv} after a string", "sa{sv}", func(e *Encoder) {
			e.Str("abc")
			m := e.Array(8)
			entry(e, "k", "v")
			e.EndArray(m)
		}, []any{"abc", map[string]dbus.Variant{"k": dbus.MakeVariant("v")}}},
		{"8-aligned structs after a uint32", "ua(ys)", func(e *Encoder) {
			e.Uint32(9)
			m := e.Array(8)
			for _, s := range []string{"x", "yz"} {
				e.Struct()
				e.Byte(s[0])
				e.Str(s)
			}
			e.EndArray(m)
		}, []any{uint32(9), [][]any{{byte('x'), "x"}, {byte('y'), "yz"}}}},
		{"8-aligned structs first", "a(ys)b", func(e *Encoder) {
			m := e.Array(8)
			e.Struct()
			e.Byte(2)
			e.Str("")
			e.EndArray(m)
			e.Bool(true)
		}, []any{[][]any{{byte(2), ""}}, true}},
		{"arrays of byte arrays", "aayay", func(e *Encoder) {
			m := e.Array(4)
			e.ByteArray([]byte{1, 2, 3})
			e.ByteArray(nil)
			e.ByteArray([]byte{4})
			e.EndArray(m)
			e.ByteArray([]byte("tail"))
		}, []any{[][]byte{{1, 2, 3}, {}, {4}}, []byte("tail")}},
		{"nested a{sv} in a variant", "a{sv}", func(e *Encoder) {
			m := e.Array(8)
			e.Struct()
			e.Str("inner")
			e.Signature("a{sv}")
			in := e.Array(8)
			entry(e, "a", "b")
			e.EndArray(in)
			entry(e, "after", "x")
			e.EndArray(m)
		}, []any{map[string]dbus.Variant{
			"inner": dbus.MakeVariant(map[string]dbus.Variant{"a": dbus.MakeVariant("b")}),
			"after": dbus.MakeVariant("x"),
		}}},
		{"signature then string array", "gas", func(e *Encoder) {
			e.Signature("a{sv}")
			m := e.Array(4)
			e.Str("one")
			e.Str("two")
			e.EndArray(m)
		}, []any{dbus.ParseSignatureMust("a{sv}"), []string{"one", "two"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Encoder
			tt.encode(&e)
			got := decodeWithGodbus(t, tt.sig, e.Bytes())
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("godbus read\n%#v\nwant\n%#v", got, tt.want)
			}
			d := NewDecoder(binary.LittleEndian, e.Bytes())
			skipWithin(t, d, tt.sig)
			if !d.Done() {
				t.Errorf("our Skip(%q): err %v at %d of %d", tt.sig, d.Err(), d.pos, len(e.Bytes()))
			}
		})
	}
}

func TestEndArrayCountsElementsNotLeadingPadding(t *testing.T) {
	var e Encoder
	m := e.Array(8) // length at 0..4, padding 4..8, element from 8
	e.Struct()
	e.Uint32(0xAABBCCDD)
	e.EndArray(m)
	want := []byte{4, 0, 0, 0, 0, 0, 0, 0, 0xDD, 0xCC, 0xBB, 0xAA}
	if !bytes.Equal(e.Bytes(), want) {
		t.Errorf("a(u) of one element = % x, want % x", e.Bytes(), want)
	}

	e = Encoder{}
	e.EndArray(e.Array(8))
	if want := []byte{0, 0, 0, 0, 0, 0, 0, 0}; !bytes.Equal(e.Bytes(), want) {
		t.Errorf("empty a{sv} = % x, want % x", e.Bytes(), want)
	}
}

// Header fields for hand-built messages.
type field func(e *Encoder)

func strField(code byte, sig, v string) field {
	return func(e *Encoder) {
		e.Struct()
		e.Byte(code)
		e.Signature(sig)
		e.Str(v)
	}
}

func u32Field(code byte, v uint32) field {
	return func(e *Encoder) {
		e.Struct()
		e.Byte(code)
		e.Signature("u")
		e.Uint32(v)
	}
}

func sigField(v string) field {
	return func(e *Encoder) {
		e.Struct()
		e.Byte(fieldSignature)
		e.Signature("g")
		e.Signature(v)
	}
}

func anyField(code byte, sig string, value func(e *Encoder)) field {
	return func(e *Encoder) {
		e.Struct()
		e.Byte(code)
		e.Signature(sig)
		value(e)
	}
}

// rawMessage builds a little-endian message from parts, checking nothing.
func rawMessage(typ Type, serial uint32, body []byte, fields ...field) []byte {
	var e Encoder
	for _, f := range fields {
		f(&e)
	}
	b := []byte{'l', byte(typ), 0, 1}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	b = binary.LittleEndian.AppendUint32(b, serial)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(e.Bytes())))
	b = append(b, e.Bytes()...)
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return append(b, body...)
}

var (
	pathA   = strField(fieldPath, "o", "/a")
	memberM = strField(fieldMember, "s", "M")
)

func strBody(s string) []byte {
	var e Encoder
	e.Str(s)
	return e.Bytes()
}

// validCall is a method call "/a" M(s "x").
func validCall() []byte {
	return rawMessage(TypeMethodCall, 1, strBody("x"), pathA, memberM, sigField("s"))
}

func fieldsLen(b []byte) int { return int(binary.LittleEndian.Uint32(b[12:])) }

func mutate(b []byte, f func(b []byte)) []byte {
	f(b)
	return b
}

func TestParseMessageRejectsMalformedMessages(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
	}{
		{"shorter than a header", validCall()[:10]},
		{"unknown byte order", mutate(validCall(), func(b []byte) { b[0] = 'x' })},
		{"zero serial", rawMessage(TypeMethodCall, 0, nil, pathA, memberM)},
		{"non-zero padding before the body", mutate(validCall(), func(b []byte) {
			n := fieldsLen(b)
			if n%8 == 0 {
				panic("no padding to spoil")
			}
			b[fixedHeader+n] = 1
		})},
		{"non-zero padding between header fields", mutate(validCall(), func(b []byte) {
			// The path field ends at 11 ("/a" and its NUL from 8); the
			// member field starts at 16.
			b[fixedHeader+11] = 1
		})},
		{"string without NUL", mutate(validCall(), func(b []byte) {
			i := bytes.Index(b, []byte("M\x00"))
			b[i+1] = 'x'
		})},
		{"string with a byte that is not UTF-8", mutate(validCall(), func(b []byte) {
			i := bytes.Index(b, []byte("M\x00"))
			b[i] = 0xff
		})},
		{"string with an inner NUL", mutate(validCall(), func(b []byte) {
			i := bytes.Index(b, []byte("/a\x00"))
			b[i+1] = 0
		})},
		{"string length past the end", mutate(validCall(), func(b []byte) {
			i := bytes.Index(b, []byte("M\x00"))
			binary.LittleEndian.PutUint32(b[i-4:], 1000)
		})},
		{"signature length past the end", rawMessage(TypeMethodCall, 1, nil, pathA, memberM,
			anyField(fieldSignature, "g", func(e *Encoder) { e.Byte(200); e.Byte('s') }))},
		{"header fields length past the end", mutate(validCall(), func(b []byte) {
			binary.LittleEndian.PutUint32(b[12:], uint32(len(b)))
		})},
		{"body shorter than declared", mutate(validCall(), func(b []byte) {
			binary.LittleEndian.PutUint32(b[4:], binary.LittleEndian.Uint32(b[4:])+1)
		})},
		{"body longer than declared", append(validCall(), 0)},
		{"path typed as a string", rawMessage(TypeMethodCall, 1, nil, strField(fieldPath, "s", "/a"), memberM)},
		{"member typed as a path", rawMessage(TypeMethodCall, 1, nil, pathA, strField(fieldMember, "o", "/M"))},
		{"reply serial typed as a string", rawMessage(TypeMethodReturn, 1, nil, strField(fieldReplySerial, "s", "1"))},
		{"signature typed as a string", rawMessage(TypeMethodCall, 1, strBody("x"), pathA, memberM, strField(fieldSignature, "s", "s"))},
		{"file descriptors announced", rawMessage(TypeMethodCall, 1, nil, pathA, memberM, u32Field(fieldUnixFDs, 1))},
		{"body without a signature", rawMessage(TypeMethodCall, 1, strBody("x"), pathA, memberM)},
		{"method call without member", rawMessage(TypeMethodCall, 1, nil, pathA)},
		{"method call without path", rawMessage(TypeMethodCall, 1, nil, memberM)},
		{"signal without interface", rawMessage(TypeSignal, 1, nil, pathA, memberM)},
		{"method return without reply serial", rawMessage(TypeMethodReturn, 1, nil)},
		{"error without name", rawMessage(TypeError, 1, nil, u32Field(fieldReplySerial, 3))},
		{"error without reply serial", rawMessage(TypeError, 1, nil, strField(fieldErrorName, "s", "a.B"))},
		{"unknown field of two types", rawMessage(TypeMethodCall, 1, nil, pathA, memberM,
			anyField(200, "ss", func(e *Encoder) { e.Str("a"); e.Str("b") }))},
		{"unknown field of no type", rawMessage(TypeMethodCall, 1, nil, pathA, memberM, anyField(200, "", func(*Encoder) {}))},
		{"unknown field of an invalid type", rawMessage(TypeMethodCall, 1, nil, pathA, memberM,
			anyField(200, "(", func(e *Encoder) { e.Uint32(0) }))},
		{"unknown field holding a bare dict entry", rawMessage(TypeMethodCall, 1, nil, pathA, memberM,
			anyField(200, "{sv}", func(e *Encoder) { e.Str("k"); e.Signature("s"); e.Str("v") }))},
	}
	// In a stream these are a message cut short or followed by the next
	// one's bytes, not malformed ones.
	framing := map[string]bool{
		"shorter than a header":             true,
		"header fields length past the end": true,
		"body shorter than declared":        true,
		"body longer than declared":         true,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseMessage(tt.msg)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("parseMessage = %+v, %v; want a *FormatError", m, err)
			}
			if framing[tt.name] {
				return
			}
			m, err = readMessage(bufio.NewReader(bytes.NewReader(tt.msg)))
			if !errors.As(err, &fe) {
				t.Fatalf("readMessage = %+v, %v; want a *FormatError", m, err)
			}
		})
	}
}

func TestParseMessageAcceptsTheValidBase(t *testing.T) {
	// The malformed cases above spoil this message; it must be valid for
	// their failures to mean anything.
	m, err := parseMessage(validCall())
	if err != nil {
		t.Fatal(err)
	}
	if m.Path != "/a" || m.Member != "M" || m.Signature != "s" || m.Args().Str() != "x" {
		t.Errorf("read %+v", m)
	}
}

func TestParseMessageIgnoresUnknownHeaderFields(t *testing.T) {
	unknown := []field{
		strField(0, "s", "zero"),
		strField(10, "s", "ten"),
		anyField(200, "v", func(e *Encoder) { e.Signature("as"); e.EndArray(e.Array(4)) }),
		anyField(255, "a{sv}", func(e *Encoder) {
			m := e.Array(8)
			e.Struct()
			e.Str("k")
			e.Signature("u")
			e.Uint32(5)
			e.EndArray(m)
		}),
		anyField(201, "(yt)", func(e *Encoder) { e.Struct(); e.Byte(1); e.Struct(); e.Uint32(1); e.Uint32(0) }),
	}
	for i, f := range unknown {
		fields := []field{pathA, f, memberM, sigField("s")}
		b := rawMessage(TypeMethodCall, 42, strBody("x"), fields...)
		m, err := parseMessage(b)
		if err != nil {
			t.Fatalf("unknown field %d: %v", i, err)
		}
		if m.Path != "/a" || m.Member != "M" || m.Signature != "s" || m.Serial != 42 {
			t.Errorf("unknown field %d: read %+v", i, m)
		}
	}
}

// validMessages are well-formed messages from both encoders.
func validMessages(tb testing.TB) [][]byte {
	call := &dbus.Message{
		Type: dbus.TypeMethodCall,
		Headers: map[dbus.HeaderField]dbus.Variant{
			dbus.FieldPath:        dbus.MakeVariant(dbus.ObjectPath("/org/gtk/vfs/metadata")),
			dbus.FieldInterface:   dbus.MakeVariant("org.gtk.vfs.Metadata"),
			dbus.FieldMember:      dbus.MakeVariant("Set"),
			dbus.FieldDestination: dbus.MakeVariant("org.gtk.vfs.Metadata"),
			dbus.FieldSender:      dbus.MakeVariant(":1.7"),
		},
		Body: []any{[]byte("/home/u/.local/share/gvfs-metadata/root\x00"), []byte("/file\x00"),
			map[string]dbus.Variant{"k": dbus.MakeVariant("v"), "l": dbus.MakeVariant([]string{"a", "b"})}},
	}
	call.Headers[dbus.FieldSignature] = dbus.MakeVariant(dbus.SignatureOf(call.Body...))
	signal := &dbus.Message{
		Type: dbus.TypeSignal,
		Headers: map[dbus.HeaderField]dbus.Variant{
			dbus.FieldPath:      dbus.MakeVariant(dbus.ObjectPath("/org/gtk/vfs/metadata")),
			dbus.FieldInterface: dbus.MakeVariant("org.gtk.vfs.Metadata"),
			dbus.FieldMember:    dbus.MakeVariant("AttributeChanged"),
			dbus.FieldSignature: dbus.MakeVariant(dbus.SignatureOf("", "")),
		},
		Body: []any{"/tree", "/path"},
	}
	reply := &dbus.Message{
		Type:    dbus.TypeMethodReply,
		Headers: map[dbus.HeaderField]dbus.Variant{dbus.FieldReplySerial: dbus.MakeVariant(uint32(9))},
	}
	var e Encoder
	e.Str("no such thing")
	ours := appendMessage(nil, &Message{Header: Header{Type: TypeError, ReplySerial: 3, ErrorName: "org.example.Error.Nope",
		Destination: ":1.2", Signature: "s"}, Body: e.Bytes()}, 77)
	return [][]byte{
		encodeGodbus(tb, call, binary.LittleEndian, 5),
		encodeGodbus(tb, call, binary.BigEndian, 6),
		encodeGodbus(tb, signal, binary.LittleEndian, 7),
		encodeGodbus(tb, signal, binary.BigEndian, 8),
		encodeGodbus(tb, reply, binary.BigEndian, 0x01020304),
		ours,
	}
}

func TestParseMessageRejectsEveryTruncation(t *testing.T) {
	for i, whole := range validMessages(t) {
		if _, err := parseMessage(whole); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		for n := 0; n < len(whole); n++ {
			m, err := parseMessage(whole[:n:n])
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("message %d cut to %d of %d bytes: %+v, %v; want a *FormatError", i, n, len(whole), m, err)
			}
			m, err = readMessage(bufio.NewReader(bytes.NewReader(whole[:n])))
			want := io.ErrUnexpectedEOF
			if n == 0 {
				want = io.EOF
			}
			if err != want {
				t.Fatalf("readMessage of message %d cut to %d of %d bytes: %+v, %v; want %v", i, n, len(whole), m, err, want)
			}
		}
	}
}

func fixedHeaderOnly(order byte, version byte, bodyLen, fieldsLen uint32) []byte {
	b := []byte{order, byte(TypeSignal), 0, version}
	b = binary.LittleEndian.AppendUint32(b, bodyLen)
	b = binary.LittleEndian.AppendUint32(b, 1)
	return binary.LittleEndian.AppendUint32(b, fieldsLen)
}

func TestReadMessageRejectsBadFraming(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
	}{
		{"unknown byte order", mutate(validCall(), func(b []byte) { b[0] = 'L' })},
		{"protocol version 0", mutate(validCall(), func(b []byte) { b[3] = 0 })},
		{"protocol version 2", mutate(validCall(), func(b []byte) { b[3] = 2 })},
		{"header fields over their limit", fixedHeaderOnly('l', 1, 0, maxHeaderFields+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := readMessage(bufio.NewReader(bytes.NewReader(tt.msg)))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("readMessage = %+v, %v; want a *FormatError", m, err)
			}
		})
	}
}

// TestAnOversizedMessageIsSkippedWithoutBeingKept: a message over the
// limit (the bus may let one through) is read past, its body never held
// in memory, and its header comes back so that the call can be answered;
// one cut short ends the stream as any truncated message does.
func TestAnOversizedMessageIsSkippedWithoutBeingKept(t *testing.T) {
	call := appendMessage(nil, &Message{Header: Header{Type: TypeMethodCall, Path: "/p", Member: "Set", Signature: "ay"}, Body: []byte{0, 0, 0, 0}}, 42)
	for _, size := range []int64{MaxMessage - fixedHeader + 1, MaxMessage + 8, 1<<32 - 1} {
		head := append([]byte(nil), call[:len(call)-4]...) // without its 4-byte body
		binary.LittleEndian.PutUint32(head[4:], uint32(size))
		next := appendMessage(nil, &Message{Header: Header{Type: TypeMethodCall, Path: "/p", Member: "Ping"}}, 43)
		stream := io.MultiReader(bytes.NewReader(head), io.LimitReader(zeroReader{}, size), bytes.NewReader(next))
		r := bufio.NewReader(stream)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := readMessage(r)
		runtime.ReadMemStats(&after)
		var tooLarge *TooLargeError
		if !errors.As(err, &tooLarge) || tooLarge.Header == nil || tooLarge.Header.Serial != 42 || tooLarge.Header.Member != "Set" {
			t.Fatalf("body of %d bytes: readMessage = %v (%+v); want a *TooLargeError with the call's header", size, err, tooLarge)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Errorf("body of %d bytes: skipping the message allocated %d bytes", size, grew)
		}
		if m, err := readMessage(r); err != nil || m.Serial != 43 {
			t.Fatalf("after the skipped message: %v, %v; want the next call", m, err)
		}
	}
	// Only the fixed header exists: the stream is cut short.
	_, err := readMessage(bufio.NewReader(bytes.NewReader(fixedHeaderOnly('l', 1, MaxMessage, 0))))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("an oversized message cut short: %v, want io.ErrUnexpectedEOF", err)
	}
}

// zeroReader reads as endless zero bytes.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestReadMessageReadsBackToBackMessagesThenEOF(t *testing.T) {
	msgs := validMessages(t)
	big := appendMessage(nil, &Message{Header: Header{Type: TypeSignal, Path: "/p", Interface: "org.example.I", Member: "Big",
		Signature: "ay"}, Body: func() []byte {
		var e Encoder
		e.ByteArray(bytes.Repeat([]byte{0x5A}, 100<<10))
		return e.Bytes()
	}()}, 99)
	msgs = append(msgs[:3:3], append([][]byte{big}, msgs[3:]...)...)

	var want []*Message
	var stream []byte
	for i, b := range msgs {
		m, err := parseMessage(b)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		want = append(want, m)
		stream = append(stream, b...)
	}
	// The smallest buffer bufio allows, so that messages straddle fills.
	r := bufio.NewReaderSize(bytes.NewReader(stream), 16)
	for i, w := range want {
		m, err := readMessage(r)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !reflect.DeepEqual(m, w) {
			t.Fatalf("message %d: read\n%+v\nwant\n%+v", i, m, w)
		}
	}
	if m, err := readMessage(r); err != io.EOF {
		t.Fatalf("after the last message: %+v, %v; want io.EOF", m, err)
	}
}

func TestReadMessageReportsCutStreamAsUnexpectedEOF(t *testing.T) {
	msgs := validMessages(t)
	first, second := msgs[0], msgs[1]
	for _, cut := range []int{1, fixedHeader - 1, fixedHeader, fixedHeader + 3, len(second) - 1} {
		stream := append(append([]byte{}, first...), second[:cut]...)
		r := bufio.NewReader(bytes.NewReader(stream))
		if _, err := readMessage(r); err != nil {
			t.Fatalf("cut at %d: first message: %v", cut, err)
		}
		if m, err := readMessage(r); err != io.ErrUnexpectedEOF {
			t.Errorf("second message cut at %d of %d: %+v, %v; want io.ErrUnexpectedEOF", cut, len(second), m, err)
		}
	}
}

func le(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch v := p.(type) {
		case uint32:
			b = binary.LittleEndian.AppendUint32(b, v)
		case string:
			b = append(b, v...)
		case byte:
			b = append(b, v)
		case []byte:
			b = append(b, v...)
		default:
			panic(fmt.Sprintf("le: %T", p))
		}
	}
	return b
}

func zeros(n int) []byte { return make([]byte, n) }

func TestSkipRejectsMalformedBodies(t *testing.T) {
	var deepVariant []byte
	for i := 0; i < 100; i++ {
		deepVariant = append(deepVariant, 1, 'v', 0)
	}
	deepVariant = append(deepVariant, 1, 'y', 0, 7)

	tests := []struct {
		name string
		sig  string
		body []byte
	}{
		{"empty body for a byte", "y", nil},
		{"boolean 2", "b", le(uint32(2))},
		{"string without NUL", "s", le(uint32(1), "ab")},
		{"string length past the end", "s", le(uint32(100), "ab\x00")},
		{"string length 2^32-1", "s", le(uint32(1<<32-1), "ab\x00")},
		{"signature without NUL", "g", le(byte(1), "sx")},
		{"signature length past the end", "g", le(byte(9), "s\x00")},
		{"non-zero padding before a uint32", "yu", le(byte(1), byte(0), byte(1), byte(0), uint32(5))},
		{"non-zero padding before the first element", "a(y)", le(uint32(1), uint32(1), byte(1))},
		{"padding past the end", "yt", le(byte(1), zeros(3))},
		{"array length past the end", "ay", le(uint32(10), "abc")},
		{"array length 2^32-1", "au", le(uint32(1<<32-1), uint32(1))},
		{"element runs past the array's length", "as", le(uint32(5), uint32(1), "ab\x00")},
		{"variant of two types", "v", le(byte(2), "yy\x00", byte(1), byte(2))},
		{"variant of no type", "v", le(byte(0), byte(0))},
		{"variant of an invalid type", "v", le(byte(1), "a\x00", uint32(0))},
		{"variant holding a bare dict entry", "v", le(byte(4), "{yy}\x00", zeros(2), byte(1), byte(2))},
		{"variants nested 100 deep", "v", deepVariant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(binary.LittleEndian, tt.body)
			skipWithin(t, d, tt.sig)
			var fe *FormatError
			if !errors.As(d.Err(), &fe) || d.Done() {
				t.Errorf("Skip(%q) over % x: err %v, done %v; want a *FormatError", tt.sig, tt.body, d.Err(), d.Done())
			}
		})
	}
}

func TestSkipRejectsInvalidSignatures(t *testing.T) {
	// Each signature is tried over bodies that would hold a value if it
	// were read leniently, so that an accepted bad signature shows.
	bodies := [][]byte{
		nil,
		zeros(8),
		le(uint32(8), zeros(4), "abcdefgh"),
		le(uint32(16), zeros(4), uint32(1), "k\x00", zeros(1), byte(1), "s\x00", zeros(1), uint32(1), "v\x00"),
	}
	sigs := []string{
		"a", "(", ")", "{", "}", "z", "(i", "i)", "()", "a()", "(())",
		"{sv}", "{ss}", "{vs}", "a{vs}", "a{(s)s}", "a{ass}", "a{s}", "a{}", "a{sss}", "a{sv", "({sv})", "a{sv}}",
		"v{", "ay{yy}", strings.Repeat("a", 65) + "y",
		strings.Repeat("(", 65) + "y" + strings.Repeat(")", 65),
	}
	for _, sig := range sigs {
		for _, body := range bodies {
			d := NewDecoder(binary.LittleEndian, body)
			skipWithin(t, d, sig)
			var fe *FormatError
			if !errors.As(d.Err(), &fe) {
				t.Errorf("Skip(%q) over % x: err %v; want a *FormatError", sig, body, d.Err())
			}
		}
	}
}

func TestSkipAcceptsNestingWithinTheLimit(t *testing.T) {
	tests := []struct {
		sig  string
		body []byte
	}{
		{strings.Repeat("a", 32) + "y", le(uint32(0))},
		{strings.Repeat("(", 32) + "y" + strings.Repeat(")", 32), le(byte(3))},
		{strings.Repeat("a(", 16) + "y" + strings.Repeat(")", 16), le(uint32(0), zeros(4))},
		{"v", le(byte(1), "v\x00", byte(1), "v\x00", byte(1), "y\x00", byte(3))},
	}
	for _, tt := range tests {
		d := NewDecoder(binary.LittleEndian, tt.body)
		skipWithin(t, d, tt.sig)
		if !d.Done() {
			t.Errorf("Skip(%q) over % x: err %v at %d", tt.sig, tt.body, d.Err(), d.pos)
		}
	}
}

func TestDoneIsFalseWhileBytesRemain(t *testing.T) {
	d := NewDecoder(binary.LittleEndian, le(uint32(1), uint32(2)))
	d.Skip("u")
	if d.Err() != nil || d.Done() {
		t.Errorf("after one of two uint32: err %v, done %v; want no error, not done", d.Err(), d.Done())
	}
	d.Skip("u")
	if !d.Done() {
		t.Errorf("after both: err %v, not done", d.Err())
	}
}

func TestDecoderKeepsTheFirstError(t *testing.T) {
	d := NewDecoder(binary.LittleEndian, le(uint32(7), "ab\x00"))
	if s := d.Str(); s != "" {
		t.Errorf("Str of a string past the end = %q", s)
	}
	first := d.Err()
	var fe *FormatError
	if !errors.As(first, &fe) || fe.Offset != 4 {
		t.Fatalf("err = %v; want a *FormatError at offset 4", first)
	}
	if v := d.Uint32(); v != 0 {
		t.Errorf("Uint32 after an error = %d, want 0", v)
	}
	if b := d.Bytes(); b != nil {
		t.Errorf("Bytes after an error = %q, want nil", b)
	}
	if d.Strings() != nil || d.Bool() || d.Byte() != 0 || d.Signature() != "" {
		t.Error("reads after an error return values")
	}
	d.Skip("(")
	if d.Err() != first {
		t.Errorf("err became %v, want the first one, %v", d.Err(), first)
	}
}

// SharedStr checks a string as Str does, and shares the message's bytes.
func TestSharedStrChecksAsStrAndSharesTheMessage(t *testing.T) {
	for _, bad := range []string{"a\xffb", "a\x00b"} {
		d := NewDecoder(binary.LittleEndian, le(uint32(len(bad)), bad+"\x00"))
		if s := d.SharedStr(); s != "" || d.Err() == nil {
			t.Errorf("SharedStr of %q = %q, err %v; want an error", bad, s, d.Err())
		}
	}
	body := le(uint32(5), "hello\x00")
	s := NewDecoder(binary.LittleEndian, body).SharedStr()
	if s != "hello" {
		t.Fatalf("SharedStr = %q", s)
	}
	body[4] = 'j'
	if s != "jello" {
		t.Errorf("SharedStr copied the message's bytes (%q after changing them)", s)
	}
}
