// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"gvfs-metadata/bus"
	"gvfs-metadata/compat/protocol"
)

// signalDelay is how long after the last change to a path its
// AttributeChanged signal goes out.
const signalDelay = time.Second

type daemon struct {
	conn    *bus.Conn
	calls   *dispatcher
	trees   *trees
	notify  *notifier
	mem     *memory
	udevDir string
	logf    func(format string, args ...any)
	follow  *following // nil with --no-follow
	// writes makes a client's change and a rename the daemon follows
	// one step after the other: a followed rename checks that its source
	// has metadata, then moves it.
	writes sync.Mutex

	lastCall     atomic.Int64 // UnixNano of the last call
	garbledCount int          // messages dropped because they did not parse (see garbled)
}

// signalString makes a path fit a D-Bus string, which must be UTF-8. File
// names need not be; GLib replaces such a string with this placeholder
// when the reference emits it, so clients already know it.
func signalString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return "[Invalid UTF-8]"
}

// noteCall marks a call's arrival: for the idle exit, and for the
// collector's pacing.
func (d *daemon) noteCall() {
	d.lastCall.Store(time.Now().UnixNano())
	d.mem.called()
}

// nameLost reports whether a signal is the bus telling us that our name
// went to another daemon. Only the bus itself may say so.
func nameLost(m *bus.Message) bool {
	if m.Sender != "org.freedesktop.DBus" || m.Interface != "org.freedesktop.DBus" || m.Member != "NameLost" || m.Signature != "s" {
		return false
	}
	return m.Args().Str() == protocol.BusName
}

// why the daemon stops.
type stopReason int

const (
	stopNameLost stopReason = iota
	stopBusGone
	stopSignal
	stopIdle
)

func run(opts options) int {
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "gvfsd-metadata: "+format+"\n", args...)
	}
	defer startProfile()()
	d := &daemon{trees: newTrees(logf, opts.closeTrees), udevDir: opts.udevDir, logf: logf}
	d.calls = newDispatcher(d.serve)
	d.mem = newMemory(&d.lastCall, func() bool { return d.calls.busy() || d.notify.pending() > 0 })
	d.trees.closed = d.mem.called // as after a burst of calls
	d.trees.forceNFS = opts.forceNFS
	lost := make(chan struct{}, 1)
	conn, err := bus.ConnectSession(bus.Handlers{Call: d.take, Signal: func(m *bus.Message) {
		if nameLost(m) {
			select {
			case lost <- struct{}{}:
			default:
			}
		}
	}, Garbled: d.garbled, TooLarge: d.tooLarge})
	if err != nil {
		fmt.Fprintf(os.Stderr, "Failed to connect to the D-BUS daemon: %v\n", err)
		return 1
	}
	d.conn = conn
	defer conn.Close()
	d.notify = newNotifier(signalDelay, signalTick, func(tree, path string) {
		var e bus.Encoder
		e.Str(signalString(tree))
		e.Str(signalString(path))
		if err := conn.Emit(protocol.ObjectPath, protocol.Interface, "AttributeChanged", "ss", e.Bytes()); err != nil && !errors.Is(err, bus.ErrClosed) {
			logf("sending AttributeChanged: %v", err)
		}
	})

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	owned, err := d.ownName(opts.replace)
	if err != nil {
		logf("%v", err)
		return 1
	}
	if !owned {
		// Another daemon serves the name; like the reference, leave quietly.
		return 0
	}
	d.lastCall.Store(time.Now().UnixNano()) // the idle period starts now
	if opts.follow {
		d.follow = startFollowing(d, opts.forgetMissingAfter) // before any call is served: its hooks read it
	}
	d.calls.start()

	reason := d.wait(lost, signals, opts.idleExit)
	d.shutdown(reason)
	return 0
}

// wait blocks until a reason to stop arrives.
func (d *daemon) wait(lost <-chan struct{}, signals chan os.Signal, idleExit time.Duration) stopReason {
	var idleTick <-chan time.Time
	if idleExit > 0 {
		t := time.NewTicker(min(idleExit/4+time.Millisecond, time.Second))
		defer t.Stop()
		idleTick = t.C
	}
	for {
		select {
		case <-lost:
			return stopNameLost
		case <-d.conn.Done():
			if err := d.conn.Err(); !errors.Is(err, io.EOF) {
				d.logf("lost the bus: %v", err)
			}
			return stopBusGone
		case sig := <-signals:
			d.logf("%v: flushing and exiting", sig)
			return stopSignal
		case <-idleTick:
			if d.idle(idleExit) {
				return stopIdle
			}
		}
	}
}

// idle reports whether no call came for the idle period and nothing is
// left to write or to signal. An idle daemon writes its journals out now
// rather than when their flush timers say.
func (d *daemon) idle(period time.Duration) bool {
	quiet := func() bool {
		return time.Since(time.Unix(0, d.lastCall.Load())) >= period && !d.calls.busy()
	}
	if !quiet() {
		return false
	}
	d.trees.flushDirty()
	return quiet() && d.notify.pending() == 0 && d.trees.clean()
}

// shutdown finishes the calls already received, flushes every tree and
// deals with pending signals as the reason requires.
func (d *daemon) shutdown(reason stopReason) {
	if reason == stopIdle {
		// Give the name back first, then answer whatever the bus routed
		// to us before it noticed; new callers start a new daemon.
		d.conn.ReleaseName(protocol.BusName)
		d.drainQuietCalls(200 * time.Millisecond)
	}
	d.calls.close()
	d.follow.close()
	d.trees.flushAll()
	// A new owner takes over: it must hear about changes we accepted. A
	// dead bus carries nothing.
	d.notify.stop(reason != stopBusGone)
}

// drainQuietCalls waits until no call has arrived for quiet.
func (d *daemon) drainQuietCalls(quiet time.Duration) {
	for {
		before := d.lastCall.Load()
		time.Sleep(quiet)
		if !d.calls.busy() && d.lastCall.Load() == before {
			return
		}
	}
}
