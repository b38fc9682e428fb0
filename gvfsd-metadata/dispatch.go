// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"sync"

	"gvfs-metadata/bus"
)

// GIO clients rely on their writes landing in the order they sent them.
// The connection's reader hands over method calls one at a time in
// arrival order; the daemon answers each right there, or, while calls are
// waiting (before the daemon is ready to serve), queues it behind them.
// Serving on the reader also spares a goroutine start and a thread
// wake-up per call.

// dispatcher serves calls one at a time in arrival order.
type dispatcher struct {
	serve func(*bus.Message)

	mu       sync.Mutex
	changed  *sync.Cond
	pending  []*bus.Message
	open     bool // serving has started
	closed   bool // calls are no longer taken
	draining bool // a goroutine serves the pending calls
	serving  bool // the reader is serving a call itself
}

func newDispatcher(serve func(*bus.Message)) *dispatcher {
	p := &dispatcher{serve: serve}
	p.changed = sync.NewCond(&p.mu)
	return p
}

// take is called by the connection's reader for every method call. It
// serves the call at once when nothing is ahead of it; otherwise the call
// waits its turn.
func (p *dispatcher) take(m *bus.Message) {
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

// take is the connection's handler of method calls.
func (d *daemon) take(call *bus.Message) { d.calls.take(call) }

// reply answers a call with a body of type sig (no reply when the caller
// wants none).
func (d *daemon) reply(call *bus.Message, sig string, body []byte) {
	d.sent(d.conn.Reply(call, sig, body))
}

// replyString answers a call with one string.
func (d *daemon) replyString(call *bus.Message, s string) {
	var e bus.Encoder
	e.Str(s)
	d.reply(call, "s", e.Bytes())
}

// fail answers a call with an error.
func (d *daemon) fail(call *bus.Message, e *callError) {
	d.sent(d.conn.ReplyError(call, e.name, e.msg))
}

func (d *daemon) sent(err error) {
	if err != nil && !errors.Is(err, bus.ErrClosed) {
		d.logf("sending a reply: %v", err)
	}
}
