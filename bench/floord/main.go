// SPDX-License-Identifier: LGPL-2.0-or-later

// Command floord is the benchmark's floor: a daemon that owns
// org.gtk.vfs.Metadata and answers every Set at once without storing
// anything, emitting AttributeChanged for its path a second later as the
// protocol asks. It talks to the bus through gvfsd-metadata's own
// connection code (package bus), taking calls on the connection's reader
// as the daemon does, so its Set/Ping ratio is what the bus, the client,
// that code and the signal cost on their own: no daemon built on them that
// keeps the protocol can beat it. It paces its garbage collector as
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

	"gvfs-metadata/bus"
	"gvfs-metadata/compat/protocol"
)

const (
	signalDelay = time.Second
)

// change is one AttributeChanged waiting for its time. The delay is fixed,
// so a queue in arrival order is also in deadline order.
type change struct {
	due        time.Time
	tree, path string
}

type floor struct {
	conn *bus.Conn

	mu    sync.Mutex
	queue []change
}

func main() {
	// Never touched: it only moves the collector's heap goal, like
	// gvfsd-metadata's (see its memory.go).
	gcHeadroom := make([]byte, 32<<20)
	defer runtime.KeepAlive(gcHeadroom)
	f := &floor{}
	conn, err := bus.ConnectSession(bus.Handlers{Call: f.take})
	if err != nil {
		fmt.Fprintln(os.Stderr, "floord:", err)
		os.Exit(1)
	}
	f.conn = conn
	reply, err := conn.RequestName(protocol.BusName, bus.NameFlagDoNotQueue)
	if err != nil || reply != bus.RequestNamePrimaryOwner {
		fmt.Fprintf(os.Stderr, "floord: could not own %s (%v, %v)\n", protocol.BusName, reply, err)
		os.Exit(1)
	}
	go f.emitLoop()
	<-conn.Done()
}

// take serves a method call on the connection's reader.
func (f *floor) take(call *bus.Message) {
	switch {
	case call.Interface == "org.freedesktop.DBus.Peer" && call.Member == "Ping":
		f.conn.Reply(call, "", nil)
	case call.Interface == protocol.Interface && call.Member == "Set" && call.Signature == "ayaya{sv}":
		args := call.Args()
		tree, path := args.Bytes(), args.Bytes()
		f.conn.Reply(call, "", nil)
		f.mu.Lock()
		f.queue = append(f.queue, change{time.Now().Add(signalDelay), trimNUL(tree), trimNUL(path)})
		f.mu.Unlock()
	default:
		f.conn.ReplyError(call, "org.freedesktop.DBus.Error.UnknownMethod", "floord answers only Set and Ping")
	}
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
			var e bus.Encoder
			e.Str(c.tree)
			e.Str(c.path)
			if err := f.conn.Emit(protocol.ObjectPath, protocol.Interface, "AttributeChanged", "ss", e.Bytes()); err != nil {
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
