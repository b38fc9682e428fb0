// Command floord is the benchmark's floor: a daemon that owns
// org.gtk.vfs.Metadata and answers every Set at once without storing
// anything, emitting AttributeChanged for its path a second later as the
// protocol asks. Calls are taken the way gvfsd-metadata takes them (on the
// connection's reader, with godbus's own dispatch skipped) and replies go
// through the same library, so its Set/Ping ratio is what the bus, the
// client, godbus and the signal cost on their own: no daemon built on them
// that keeps the protocol can beat it. It paces its garbage collector as
// gvfsd-metadata does (the same never-touched headroom), so that the floor
// is not raised by collections a real daemon avoids. It is a measuring
// instrument, not a metadata daemon; every other method fails.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	busName     = "org.gtk.vfs.Metadata"
	objectPath  = dbus.ObjectPath("/org/gtk/vfs/metadata")
	ifaceName   = "org.gtk.vfs.Metadata"
	signalDelay = time.Second
	// skippedType is the invalid message type 0, which godbus's dispatch
	// ignores.
	skippedType dbus.Type = 0
)

// change is one AttributeChanged waiting for its time. The delay is fixed,
// so a queue in arrival order is also in deadline order.
type change struct {
	due        time.Time
	tree, path string
}

type floor struct {
	conn *dbus.Conn

	mu    sync.Mutex
	queue []change
}

func main() {
	// Never touched: it only moves the collector's heap goal, like
	// gvfsd-metadata's (see its memory.go).
	gcHeadroom := make([]byte, 32<<20)
	defer runtime.KeepAlive(gcHeadroom)
	f := &floor{}
	conn, err := dbus.ConnectSessionBus(dbus.WithIncomingInterceptor(f.take))
	if err != nil {
		fmt.Fprintln(os.Stderr, "floord:", err)
		os.Exit(1)
	}
	f.conn = conn
	reply, err := conn.RequestName(busName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		fmt.Fprintf(os.Stderr, "floord: could not own %s (%v, %v)\n", busName, reply, err)
		os.Exit(1)
	}
	go f.emitLoop()
	<-conn.Context().Done()
}

// take serves a method call on the connection's reader.
func (f *floor) take(msg *dbus.Message) {
	if msg.Type != dbus.TypeMethodCall {
		return
	}
	call := *msg
	msg.Type = skippedType
	iface, _ := call.Headers[dbus.FieldInterface].Value().(string)
	member, _ := call.Headers[dbus.FieldMember].Value().(string)
	switch {
	case iface == "org.freedesktop.DBus.Peer" && member == "Ping":
		f.reply(&call, nil)
	case iface == ifaceName && member == "Set" && len(call.Body) == 3:
		tree, _ := call.Body[0].([]byte)
		path, _ := call.Body[1].([]byte)
		f.reply(&call, nil)
		f.mu.Lock()
		f.queue = append(f.queue, change{time.Now().Add(signalDelay), trimNUL(tree), trimNUL(path)})
		f.mu.Unlock()
	default:
		f.reply(&call, &dbus.Error{Name: "org.freedesktop.DBus.Error.UnknownMethod", Body: []any{"floord answers only Set and Ping"}})
	}
}

func (f *floor) reply(call *dbus.Message, e *dbus.Error) {
	if call.Flags&dbus.FlagNoReplyExpected != 0 {
		return
	}
	m := &dbus.Message{Type: dbus.TypeMethodReply, Headers: map[dbus.HeaderField]dbus.Variant{
		dbus.FieldReplySerial: dbus.MakeVariant(call.Serial()),
	}}
	if e != nil {
		m.Type = dbus.TypeError
		m.Headers[dbus.FieldErrorName] = dbus.MakeVariant(e.Name)
		m.Headers[dbus.FieldSignature] = dbus.MakeVariant(dbus.SignatureOf(e.Body...))
		m.Body = e.Body
	}
	if sender, ok := call.Headers[dbus.FieldSender]; ok {
		m.Headers[dbus.FieldDestination] = sender
	}
	f.conn.Send(m, nil)
}

// emitLoop sends the signals that are due, a few times a second.
func (f *floor) emitLoop() {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for range tick.C {
		now := time.Now()
		f.mu.Lock()
		n := 0
		for n < len(f.queue) && !f.queue[n].due.After(now) {
			n++
		}
		due := append([]change(nil), f.queue[:n]...)
		f.queue = f.queue[n:]
		f.mu.Unlock()
		for _, c := range due {
			if err := f.conn.Emit(objectPath, ifaceName+".AttributeChanged", c.tree, c.path); err != nil {
				return
			}
		}
	}
}

func trimNUL(b []byte) string {
	if n := len(b); n > 0 && b[n-1] == 0 {
		b = b[:n-1]
	}
	return string(b)
}
