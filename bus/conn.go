// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// ErrClosed is returned for anything asked of a connection that is gone.
var ErrClosed = errors.New("D-Bus connection closed")

// callTimeout bounds a call to the bus, as GDBus's default timeout does.
const callTimeout = 25 * time.Second

// readBuffer holds many small messages, so that a burst of calls costs a
// system call per buffer rather than per message.
const readBuffer = 64 << 10

// Error is an error reply to a call.
type Error struct {
	Name string
	Text string
}

func (e *Error) Error() string {
	if e.Text == "" {
		return e.Name
	}
	return e.Name + ": " + e.Text
}

// Handlers receive what arrives unasked. They run on the connection's
// reader, one message at a time in arrival order; while one runs, nothing
// else is read, so they must not wait for a reply of this connection.
type Handlers struct {
	Call   func(*Message) // method calls
	Signal func(*Message) // signals
	// Garbled hears why a message whole on the wire was dropped because
	// its header or body did not parse; the bus never forwards one, so it
	// means a broken bus or a bug here.
	Garbled func(error)
	// TooLarge hears of a message over the limit, dropped unread: one the
	// bus let through (with its own limit, or its sender field added).
	TooLarge func(*TooLargeError)
}

// Conn is a connection to a message bus.
type Conn struct {
	sock     *net.UnixConn
	r        *bufio.Reader
	handlers Handlers
	name     string

	wmu    sync.Mutex
	serial uint32
	wbuf   []byte

	pmu     sync.Mutex
	pending map[uint32]chan *Message
	stopped bool

	done      chan struct{}
	err       error // why reading stopped; set before done is closed
	closeOnce sync.Once
}

// ConnectSession connects to the session bus.
func ConnectSession(h Handlers) (*Conn, error) {
	addr, err := SessionAddress()
	if err != nil {
		return nil, err
	}
	return Connect(addr, h)
}

// Connect connects to the bus at address, authenticates and registers
// (Hello). Handlers start receiving messages at once.
func Connect(address string, h Handlers) (*Conn, error) {
	sock, err := dialAddress(address)
	if err != nil {
		return nil, err
	}
	c := &Conn{
		sock:     sock,
		r:        bufio.NewReaderSize(sock, readBuffer),
		handlers: h,
		pending:  map[uint32]chan *Message{},
		done:     make(chan struct{}),
	}
	if err := authenticate(sock, c.r); err != nil {
		sock.Close()
		return nil, err
	}
	go c.read()
	reply, err := c.CallBus("Hello", "", nil)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("registering on the bus: %w", err)
	}
	args := reply.Args()
	c.name = args.Str()
	if args.Err() != nil || reply.Signature != "s" {
		c.Close()
		return nil, fmt.Errorf("registering on the bus: a reply of type %q", reply.Signature)
	}
	return c, nil
}

// UniqueName is the name the bus gave this connection.
func (c *Conn) UniqueName() string { return c.name }

// Done is closed once the connection is gone.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err says why the connection is gone (nil while it is not).
func (c *Conn) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// Close closes the connection; calls waiting for replies fail.
func (c *Conn) Close() error {
	var err error
	c.closeOnce.Do(func() { err = c.sock.Close() })
	return err
}

// read delivers every incoming message until the connection ends.
func (c *Conn) read() {
	for {
		m, err := readMessage(c.r)
		if tooLarge := new(TooLargeError); errors.As(err, &tooLarge) {
			if c.handlers.TooLarge != nil {
				c.handlers.TooLarge(tooLarge)
			}
			continue
		}
		if garbled := new(garbledMessage); errors.As(err, &garbled) {
			// Skipping it loses only that message.
			if c.handlers.Garbled != nil {
				c.handlers.Garbled(err)
			}
			continue
		}
		if err != nil {
			c.stop(err)
			return
		}
		switch m.Type {
		case TypeMethodCall:
			if c.handlers.Call != nil {
				c.handlers.Call(m)
			}
		case TypeMethodReturn, TypeError:
			c.pmu.Lock()
			ch := c.pending[m.ReplySerial]
			delete(c.pending, m.ReplySerial)
			c.pmu.Unlock()
			if ch != nil {
				ch <- m
			}
		case TypeSignal:
			if c.handlers.Signal != nil {
				c.handlers.Signal(m)
			}
		}
	}
}

func (c *Conn) stop(err error) {
	c.Close()
	c.pmu.Lock()
	c.stopped = true
	for serial, ch := range c.pending {
		close(ch)
		delete(c.pending, serial)
	}
	c.pmu.Unlock()
	c.err = err
	close(c.done)
}

// Send sends m with the next serial, which it returns.
func (c *Conn) Send(m *Message) (uint32, error) { return c.send(m, nil) }

// send sends m; when reply is not nil, the reply to m will go to it.
func (c *Conn) send(m *Message, reply chan *Message) (uint32, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.serial++
	if c.serial == 0 {
		c.serial = 1
	}
	serial := c.serial
	if reply != nil {
		c.pmu.Lock()
		if c.stopped {
			c.pmu.Unlock()
			return 0, ErrClosed
		}
		c.pending[serial] = reply
		c.pmu.Unlock()
	}
	c.wbuf = appendMessage(c.wbuf[:0], m, serial)
	_, err := c.sock.Write(c.wbuf)
	if cap(c.wbuf) > readBuffer {
		c.wbuf = nil // a rare big message: do not keep its buffer
	}
	if err != nil {
		if reply != nil {
			c.forget(serial)
		}
		if errors.Is(err, net.ErrClosed) {
			err = ErrClosed
		}
		return 0, err
	}
	return serial, nil
}

// Reply answers a call with a body of type sig (none when the caller
// wants no reply).
func (c *Conn) Reply(call *Message, sig string, body []byte) error {
	if !call.WantsReply() {
		return nil
	}
	_, err := c.Send(&Message{Header: Header{Type: TypeMethodReturn, ReplySerial: call.Serial, Destination: call.Sender, Signature: sig}, Body: body})
	return err
}

// ReplyError answers a call with an error.
func (c *Conn) ReplyError(call *Message, name, text string) error {
	if !call.WantsReply() {
		return nil
	}
	var e Encoder
	e.Str(text)
	_, err := c.Send(&Message{Header: Header{Type: TypeError, ReplySerial: call.Serial, Destination: call.Sender, ErrorName: name, Signature: "s"}, Body: e.Bytes()})
	return err
}

// Emit broadcasts a signal.
func (c *Conn) Emit(path, iface, member, sig string, body []byte) error {
	_, err := c.Send(&Message{Header: Header{Type: TypeSignal, Path: path, Interface: iface, Member: member, Signature: sig}, Body: body})
	return err
}

// Call calls a method and waits for its reply; an error reply is an
// *Error.
func (c *Conn) Call(dest, path, iface, member, sig string, body []byte) (*Message, error) {
	return c.CallWithin(callTimeout, dest, path, iface, member, sig, body)
}

// CallWithin is Call with its own limit on the wait for the reply.
func (c *Conn) CallWithin(timeout time.Duration, dest, path, iface, member, sig string, body []byte) (*Message, error) {
	ch := make(chan *Message, 1)
	serial, err := c.send(&Message{Header: Header{Type: TypeMethodCall, Destination: dest, Path: path, Interface: iface, Member: member, Signature: sig}, Body: body}, ch)
	if err != nil {
		return nil, fmt.Errorf("calling %s.%s: %w", iface, member, err)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case m, ok := <-ch:
		if !ok {
			return nil, fmt.Errorf("calling %s.%s: %w", iface, member, ErrClosed)
		}
		if m.Type == TypeError {
			e := &Error{Name: m.ErrorName}
			if len(m.Signature) > 0 && m.Signature[0] == 's' {
				e.Text = m.Args().Str()
			}
			return nil, e
		}
		return m, nil
	case <-timer.C:
		c.forget(serial)
		return nil, fmt.Errorf("calling %s.%s: no reply within %v", iface, member, timeout)
	}
}

func (c *Conn) forget(serial uint32) {
	c.pmu.Lock()
	delete(c.pending, serial)
	c.pmu.Unlock()
}
