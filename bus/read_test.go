// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

// socketPair returns two connected unix sockets.
func socketPair(t testing.TB) (*net.UnixConn, *net.UnixConn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	conns := make([]*net.UnixConn, 2)
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "socketpair")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c.(*net.UnixConn)
		t.Cleanup(func() { c.Close() })
	}
	return conns[0], conns[1]
}

// TestReaderSkipsAGarbledMessageAndGoesOn: a message whose frame is whole
// but whose header does not parse is dropped, and the calls after it are
// still delivered, in order; only the end of the stream ends the
// connection.
func TestReaderSkipsAGarbledMessageAndGoesOn(t *testing.T) {
	call := func(serial uint32) []byte {
		return appendMessage(nil, &Message{Header: Header{Type: TypeMethodCall, Path: "/a", Member: "M"}}, serial)
	}
	garbled := call(2)
	// The path field's type, 'o', becomes 's': same length, wrong type.
	i := bytes.Index(garbled, []byte{fieldPath, 1, 'o', 0})
	if i < 0 {
		t.Fatal("no path field in the encoded call")
	}
	garbled[i+2] = 's'
	if _, err := parseMessage(garbled); err == nil {
		t.Fatal("the garbled call parses")
	}

	ours, peer := socketPair(t)
	var got []uint32
	var dropped []error
	c := &Conn{
		sock:     ours,
		r:        bufio.NewReader(ours),
		handlers: Handlers{Call: func(m *Message) { got = append(got, m.Serial) }, Garbled: func(err error) { dropped = append(dropped, err) }},
		pending:  map[uint32]chan *Message{},
		done:     make(chan struct{}),
	}
	stream := append(append(call(1), garbled...), call(3)...)
	go func() {
		peer.Write(stream)
		peer.Close()
	}()
	c.read() // returns at the end of the stream

	if len(got) != 2 || got[0] != 1 || got[1] != 3 {
		t.Fatalf("delivered serials %v, want [1 3]", got)
	}
	if len(dropped) != 1 || dropped[0] == nil {
		t.Fatalf("told of garbled messages %v, want the one", dropped)
	}
	if err := c.Err(); !errors.Is(err, io.EOF) {
		t.Fatalf("connection ended with %v, want EOF", err)
	}
}

// heard is what a connection's handlers were told.
type heard struct {
	calls    []uint32
	garbled  int
	tooLarge []uint32
}

// readStream has a connection read from one end of a socket pair whose
// other end writes stream and closes, and returns it and what its
// handlers heard.
func readStream(t testing.TB, stream []byte) (*Conn, *heard) {
	ours, peer := socketPair(t)
	h := &heard{}
	c := &Conn{
		sock: ours,
		r:    bufio.NewReaderSize(ours, readBuffer),
		handlers: Handlers{
			Call:    func(m *Message) { h.calls = append(h.calls, m.Serial) },
			Garbled: func(error) { h.garbled++ },
			TooLarge: func(e *TooLargeError) {
				if e.Header != nil {
					h.tooLarge = append(h.tooLarge, e.Header.Serial)
				} else {
					h.tooLarge = append(h.tooLarge, 0)
				}
			},
		},
		pending: map[uint32]chan *Message{},
		done:    make(chan struct{}),
	}
	go func() {
		peer.Write(stream)
		peer.Close()
	}()
	c.read() // returns at the end of the stream, or at a broken frame
	return c, h
}

// TestReaderSkipsAMessageOverTheLimitAndGoesOn: the bus can forward a
// call past the spec's limit (its sender field added to one at the
// limit); the reader skips it, says so with its header, and delivers
// the calls after it, on the same connection.
func TestReaderSkipsAMessageOverTheLimitAndGoesOn(t *testing.T) {
	call := func(serial uint32, body []byte) []byte {
		sig := ""
		if body != nil {
			sig = "ay"
		}
		return appendMessage(nil, &Message{Header: Header{Type: TypeMethodCall, Path: "/a", Member: "M", Signature: sig}, Body: body}, serial)
	}
	bodyLen := MaxMessage - 56 + 8 // over the limit by a few bytes, as such a call is
	body := make([]byte, bodyLen)
	binary.LittleEndian.PutUint32(body, uint32(bodyLen-4))
	big := call(2, body)
	if len(big) <= MaxMessage {
		t.Fatalf("the big call is %d bytes, not over the limit", len(big))
	}
	stream := append(append(call(1, nil), big...), call(3, nil)...)
	c, h := readStream(t, stream)
	if len(h.calls) != 2 || h.calls[0] != 1 || h.calls[1] != 3 {
		t.Fatalf("delivered serials %v, want [1 3]", h.calls)
	}
	if len(h.tooLarge) != 1 || h.tooLarge[0] != 2 {
		t.Fatalf("told of messages over the limit %v, want serial 2", h.tooLarge)
	}
	if err := c.Err(); !errors.Is(err, io.EOF) {
		t.Fatalf("connection ended with %v, want EOF", err)
	}
}
