package main

import (
	"maps"
	"sync"

	"github.com/godbus/dbus/v5"
)

// godbus runs every incoming call in a goroutine of its own, so two calls
// from one client could be applied in either order; GIO clients rely on
// their writes landing in the order they sent them. The daemon therefore
// takes every method call off the connection in arrival order (the
// incoming interceptor runs in the connection's reader, one message at a
// time), queues it, and answers it from a single goroutine. godbus's own
// dispatch is left with nothing to do: the interceptor marks the copy it
// dispatches as needing no reply and routes it to a handler that does
// nothing.

// handledMarker replaces the interface of a taken call in godbus's copy,
// so godbus's built-in Peer handling does not answer it a second time.
const handledMarker = "org.gtk.vfs.Metadata.Taken"

// callQueue is an unbounded FIFO of calls: the connection's reader must
// never block on the daemon.
type callQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	calls  []*dbus.Message
	closed bool
}

func newCallQueue() *callQueue {
	q := &callQueue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *callQueue) push(m *dbus.Message) {
	q.mu.Lock()
	if !q.closed {
		q.calls = append(q.calls, m)
		q.cond.Signal()
	}
	q.mu.Unlock()
}

// pop waits for the next call; ok is false once the queue is closed and
// drained.
func (q *callQueue) pop() (m *dbus.Message, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.calls) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.calls) == 0 {
		return nil, false
	}
	m = q.calls[0]
	q.calls[0] = nil
	q.calls = q.calls[1:]
	return m, true
}

// close stops accepting calls; those queued are still popped.
func (q *callQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}

func (q *callQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.calls)
}

// take is the connection's incoming interceptor.
func (d *daemon) take(msg *dbus.Message) {
	if msg.Type != dbus.TypeMethodCall {
		return
	}
	mine := *msg
	mine.Headers = maps.Clone(msg.Headers)
	msg.Flags |= dbus.FlagNoReplyExpected
	msg.Headers[dbus.FieldInterface] = dbus.MakeVariant(handledMarker)
	d.queue.push(&mine)
}

// nothing is the godbus handler for calls the interceptor took: every
// lookup succeeds and every method does nothing and, since the call was
// marked as expecting none, sends no reply.
type nothing struct{}

func (nothing) LookupObject(dbus.ObjectPath) (dbus.ServerObject, bool) { return nothing{}, true }
func (nothing) LookupInterface(string) (dbus.Interface, bool)          { return nothing{}, true }
func (nothing) LookupMethod(string) (dbus.Method, bool)                { return nothing{}, true }
func (nothing) Call(...any) ([]any, error)                             { return nil, nil }
func (nothing) NumArguments() int                                      { return 0 }
func (nothing) NumReturns() int                                        { return 0 }
func (nothing) ArgumentValue(int) any                                  { return nil }
func (nothing) ReturnValue(int) any                                    { return nil }
func (nothing) DecodeArguments(*dbus.Conn, string, *dbus.Message, []any) ([]any, error) {
	return nil, nil
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
