package main

import (
	"sync"

	"github.com/godbus/dbus/v5"
)

// godbus runs every incoming call in a goroutine of its own, so two calls
// from one client could be applied in either order; GIO clients rely on
// their writes landing in the order they sent them. The daemon therefore
// takes every method call off the connection in arrival order (the
// incoming interceptor runs in the connection's reader, one message at a
// time) and answers it right there, or, while calls are waiting (before
// the daemon is ready to serve), queues it behind them. godbus's own
// dispatch never sees the call: the interceptor hands it a copy of the
// message whose type is the invalid 0, which godbus skips. That also
// spares a goroutine start and a thread wake-up per call.

// skippedType is the message type godbus's dispatch ignores.
const skippedType dbus.Type = 0

// dispatcher serves calls one at a time in arrival order.
type dispatcher struct {
	serve func(*dbus.Message)

	mu       sync.Mutex
	changed  *sync.Cond
	pending  []*dbus.Message
	open     bool // serving has started
	closed   bool // calls are no longer taken
	draining bool // a goroutine serves the pending calls
	serving  bool // the reader is serving a call itself
}

func newDispatcher(serve func(*dbus.Message)) *dispatcher {
	p := &dispatcher{serve: serve}
	p.changed = sync.NewCond(&p.mu)
	return p
}

// take is called by the connection's reader for every method call. It
// serves the call at once when nothing is ahead of it; otherwise the call
// waits its turn.
func (p *dispatcher) take(m *dbus.Message) {
	p.mu.Lock()
	switch {
	case p.closed:
		p.mu.Unlock()
		return
	case !p.open || p.draining || len(p.pending) > 0:
		p.pending = append(p.pending, m)
		p.mu.Unlock()
		return
	}
	p.serving = true
	p.mu.Unlock()
	p.serve(m)
	p.mu.Lock()
	p.serving = false
	p.changed.Broadcast()
	p.mu.Unlock()
}

// start begins serving, first the calls that arrived before.
func (p *dispatcher) start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.open = true
	if len(p.pending) > 0 && !p.draining {
		p.draining = true
		go p.drain()
	}
}

// drain serves the pending calls in order, then hands serving back to the
// reader.
func (p *dispatcher) drain() {
	for {
		p.mu.Lock()
		if len(p.pending) == 0 {
			p.draining = false
			p.changed.Broadcast()
			p.mu.Unlock()
			return
		}
		m := p.pending[0]
		p.pending[0] = nil
		p.pending = p.pending[1:]
		p.mu.Unlock()
		p.serve(m)
	}
}

// close stops taking calls and returns once every call taken is answered.
func (p *dispatcher) close() {
	p.mu.Lock()
	p.closed = true
	if len(p.pending) > 0 && !p.draining {
		p.draining = true
		go p.drain()
	}
	for p.draining || p.serving {
		p.changed.Wait()
	}
	p.mu.Unlock()
}

// busy reports whether calls are waiting or being served.
func (p *dispatcher) busy() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending) > 0 || p.draining || p.serving
}

// take is the connection's incoming interceptor.
func (d *daemon) take(msg *dbus.Message) {
	if msg.Type != dbus.TypeMethodCall {
		return
	}
	mine := *msg
	msg.Type = skippedType
	d.calls.take(&mine)
}

// reply answers a call with values (no reply when the caller wants none).
func (d *daemon) reply(call *dbus.Message, values ...any) {
	if call.Flags&dbus.FlagNoReplyExpected != 0 {
		return
	}
	m := &dbus.Message{Type: dbus.TypeMethodReply, Headers: map[dbus.HeaderField]dbus.Variant{
		dbus.FieldReplySerial: dbus.MakeVariant(call.Serial()),
	}, Body: values}
	if sender, ok := call.Headers[dbus.FieldSender]; ok {
		m.Headers[dbus.FieldDestination] = sender
	}
	if len(values) > 0 {
		m.Headers[dbus.FieldSignature] = dbus.MakeVariant(dbus.SignatureOf(values...))
	}
	d.send(m)
}

func (d *daemon) send(m *dbus.Message) {
	if err := d.conn.Send(m, nil).Err; err != nil && err != dbus.ErrClosed {
		d.logf("sending a reply: %v", err)
	}
}

// fail answers a call with an error.
func (d *daemon) fail(call *dbus.Message, e *callError) {
	if call.Flags&dbus.FlagNoReplyExpected != 0 {
		return
	}
	m := &dbus.Message{Type: dbus.TypeError, Headers: map[dbus.HeaderField]dbus.Variant{
		dbus.FieldReplySerial: dbus.MakeVariant(call.Serial()),
		dbus.FieldErrorName:   dbus.MakeVariant(e.name),
		dbus.FieldSignature:   dbus.MakeVariant(dbus.SignatureOf(e.msg)),
	}, Body: []any{e.msg}}
	if sender, ok := call.Headers[dbus.FieldSender]; ok {
		m.Headers[dbus.FieldDestination] = sender
	}
	d.send(m)
}
