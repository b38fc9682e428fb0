// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
)

// wait bounds every wait for the bus.
const wait = 10 * time.Second

// testBus is a private session bus, the one internal/session starts for
// the end-to-end tests.
type testBus struct {
	addr    string
	session *session.Session
}

// startBus starts a private session bus for t. Without dbus-daemon the
// test fails under CI (CI is set), where it must be installed, and is
// skipped elsewhere, saying why.
func startBus(t *testing.T) *testBus {
	t.Helper()
	testenv.RequireCommand(t, "dbus-daemon", "apt-get install -y dbus")
	s, err := session.Start(session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return &testBus{addr: s.Address, session: s}
}

// kill stops the bus under the connections.
func (b *testBus) kill() { b.session.StopBus() }

// connect connects to the bus with handlers, closing the connection when
// the test ends.
func (b *testBus) connect(t *testing.T, h Handlers) *Conn {
	t.Helper()
	c, err := Connect(b.addr, h)
	if err != nil {
		t.Fatalf("Connect(%q): %v", b.addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (b *testBus) godbus(t *testing.T) *dbus.Conn {
	t.Helper()
	g, err := dbus.Connect(b.addr)
	if err != nil {
		t.Fatalf("godbus cannot connect: %v", err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

// forward is a handler that hands messages to a channel, never blocking
// the reader; a message that does not fit fails the test.
func forward(t *testing.T, ch chan *Message) func(*Message) {
	return func(m *Message) {
		select {
		case ch <- m:
		default:
			t.Errorf("dropped %+v: channel full", m)
		}
	}
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("no %s within %v", what, wait)
		var zero T
		return zero
	}
}

func TestConnectGetsAUniqueName(t *testing.T) {
	b := startBus(t)
	c := b.connect(t, Handlers{})
	name := c.UniqueName()
	if !strings.HasPrefix(name, ":") {
		t.Fatalf("unique name %q does not start with ':'", name)
	}
	if owner, err := c.NameOwner(name); err != nil || owner != name {
		t.Errorf("NameOwner(%q) = %q, %v", name, owner, err)
	}
	other := b.connect(t, Handlers{})
	if other.UniqueName() == name {
		t.Errorf("two connections share the name %q", name)
	}
}

func TestConnectSessionUsesTheEnvironment(t *testing.T) {
	b := startBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", b.addr)
	c, err := ConnectSession(Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !strings.HasPrefix(c.UniqueName(), ":") {
		t.Errorf("unique name %q", c.UniqueName())
	}
}

func TestRequestNameOwnsUntilReleaseName(t *testing.T) {
	b := startBus(t)
	c := b.connect(t, Handlers{})
	const name = "org.example.Test"
	if reply, err := c.RequestName(name, NameFlagDoNotQueue); err != nil || reply != RequestNamePrimaryOwner {
		t.Fatalf("RequestName = %d, %v; want %d", reply, err, RequestNamePrimaryOwner)
	}
	if reply, err := c.RequestName(name, NameFlagDoNotQueue); err != nil || reply != RequestNameAlreadyOwner {
		t.Errorf("RequestName again = %d, %v; want %d", reply, err, RequestNameAlreadyOwner)
	}
	if owner, err := c.NameOwner(name); err != nil || owner != c.UniqueName() {
		t.Errorf("NameOwner = %q, %v; want %q", owner, err, c.UniqueName())
	}
	if has, err := c.NameHasOwner(name); err != nil || !has {
		t.Errorf("NameHasOwner = %v, %v; want true", has, err)
	}

	other := b.connect(t, Handlers{})
	if reply, err := other.RequestName(name, NameFlagDoNotQueue); err != nil || reply != RequestNameExists {
		t.Errorf("another's RequestName = %d, %v; want %d", reply, err, RequestNameExists)
	}

	if err := c.ReleaseName(name); err != nil {
		t.Fatal(err)
	}
	if has, err := c.NameHasOwner(name); err != nil || has {
		t.Errorf("after ReleaseName: NameHasOwner = %v, %v; want false", has, err)
	}
	_, err := c.NameOwner(name)
	var e *Error
	if !errors.As(err, &e) || e.Name != "org.freedesktop.DBus.Error.NameHasNoOwner" || e.Text == "" {
		t.Errorf("NameOwner of a free name: %v; want an *Error NameHasNoOwner with its text", err)
	}
}

func TestCallToAMissingNameIsAnErrorReply(t *testing.T) {
	b := startBus(t)
	c := b.connect(t, Handlers{})
	_, err := c.Call("org.example.Nobody", "/", "org.example.Iface", "M", "", nil)
	var e *Error
	if !errors.As(err, &e) || e.Name != "org.freedesktop.DBus.Error.ServiceUnknown" {
		t.Errorf("Call = %v; want an *Error ServiceUnknown", err)
	}
}

// serve owns name and answers calls with answer, which runs on the
// connection's reader.
func serve(t *testing.T, b *testBus, name string, answer func(c *Conn, m *Message)) *Conn {
	t.Helper()
	var c *Conn
	ready := make(chan struct{})
	c = b.connect(t, Handlers{Call: func(m *Message) {
		<-ready
		answer(c, m)
	}})
	close(ready)
	if reply, err := c.RequestName(name, NameFlagDoNotQueue); err != nil || reply != RequestNamePrimaryOwner {
		t.Fatalf("RequestName(%q) = %d, %v", name, reply, err)
	}
	return c
}

func TestGodbusCallReachesHandlerAndGetsTheReply(t *testing.T) {
	b := startBus(t)
	calls := make(chan *Message, 1)
	c := serve(t, b, "org.example.Test", func(c *Conn, m *Message) {
		calls <- m
		d := m.Args()
		s, n := d.Str(), d.Uint32()
		var e Encoder
		e.Str(fmt.Sprintf("%s/%d", s, n))
		if err := c.Reply(m, "s", e.Bytes()); err != nil {
			t.Errorf("Reply: %v", err)
		}
	})
	g := b.godbus(t)

	var got string
	err := g.Object("org.example.Test", "/org/example/Obj").Call("org.example.Iface.Echo", 0, "ping", uint32(7)).Store(&got)
	if err != nil || got != "ping/7" {
		t.Fatalf("godbus got %q, %v; want %q", got, err, "ping/7")
	}

	m := receive(t, calls, "call")
	want := Header{
		Type:        TypeMethodCall,
		Serial:      m.Serial,
		Path:        "/org/example/Obj",
		Interface:   "org.example.Iface",
		Member:      "Echo",
		Destination: "org.example.Test",
		Sender:      g.Names()[0],
		Signature:   "su",
	}
	if m.Header != want {
		t.Errorf("handler got\n%+v\nwant\n%+v", m.Header, want)
	}
	if !m.WantsReply() {
		t.Error("a plain call does not want a reply")
	}
	d := m.Args()
	if s, n := d.Str(), d.Uint32(); s != "ping" || n != 7 || !d.Done() {
		t.Errorf("arguments %q, %d, done %v (%v)", s, n, d.Done(), d.Err())
	}
	if m.Sender == c.UniqueName() {
		t.Error("the call came from ourselves")
	}
}

func TestReplyErrorArrivesAsDBusError(t *testing.T) {
	b := startBus(t)
	serve(t, b, "org.example.Test", func(c *Conn, m *Message) {
		if err := c.ReplyError(m, "org.example.Error.Nope", "no such key"); err != nil {
			t.Errorf("ReplyError: %v", err)
		}
	})
	g := b.godbus(t)

	err := g.Object("org.example.Test", "/").Call("org.example.Iface.Get", 0).Err
	var de dbus.Error
	if !errors.As(err, &de) {
		t.Fatalf("godbus got %v (%T); want a dbus.Error", err, err)
	}
	if de.Name != "org.example.Error.Nope" || len(de.Body) != 1 || de.Body[0] != "no such key" {
		t.Errorf("godbus got error %q %v", de.Name, de.Body)
	}
}

func TestReplyToANoReplyCallSendsNothing(t *testing.T) {
	b := startBus(t)
	serials := make(chan uint32, 2)
	serve(t, b, "org.example.Test", func(c *Conn, m *Message) {
		serials <- m.Serial
		if err := c.Reply(m, "", nil); err != nil {
			t.Errorf("Reply: %v", err)
		}
	})
	g := b.godbus(t)
	// godbus drops replies nobody waits for; seeing every message shows
	// whether one came.
	in := make(chan *dbus.Message, 16)
	g.Eavesdrop(in)

	obj := g.Object("org.example.Test", "/")
	obj.Go("org.example.Iface.Quiet", dbus.FlagNoReplyExpected, nil)
	obj.Go("org.example.Iface.Loud", 0, make(chan *dbus.Call, 1))
	quiet := receive(t, serials, "NoReplyExpected call")
	loud := receive(t, serials, "call")

	// Our replies leave in order, so the first reply to arrive answers
	// the quiet call only if Reply sent one.
	for {
		m := receive(t, in, "reply")
		if m.Type != dbus.TypeMethodReply && m.Type != dbus.TypeError {
			continue
		}
		switch r := headerUint32(m, dbus.FieldReplySerial); r {
		case quiet:
			t.Fatalf("the NoReplyExpected call %d got a reply", quiet)
		case loud:
			return
		}
	}
}

func TestCallsReachTheHandlerInSendOrder(t *testing.T) {
	const n = 2000
	b := startBus(t)
	var mu sync.Mutex
	var serials, args []uint32
	serve(t, b, "org.example.Test", func(c *Conn, m *Message) {
		mu.Lock()
		serials = append(serials, m.Serial)
		args = append(args, m.Args().Uint32())
		mu.Unlock()
		if err := c.Reply(m, "", nil); err != nil {
			t.Errorf("Reply: %v", err)
		}
	})
	g := b.godbus(t)

	done := make(chan *dbus.Call, n)
	obj := g.Object("org.example.Test", "/")
	for i := range uint32(n) {
		obj.Go("org.example.Iface.Count", 0, done, i)
	}
	for i := 0; i < n; i++ {
		if call := receive(t, done, "reply"); call.Err != nil {
			t.Fatalf("call %v: %v", call.Args, call.Err)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	if len(args) != n {
		t.Fatalf("handler saw %d calls, want %d", len(args), n)
	}
	for i := range args {
		if args[i] != uint32(i) {
			t.Fatalf("call %d carried %d: out of order", i, args[i])
		}
		if i > 0 && serials[i] <= serials[i-1] {
			t.Fatalf("serial %d after %d", serials[i], serials[i-1])
		}
	}
}

func TestEmitReachesAMatchingGodbusClient(t *testing.T) {
	b := startBus(t)
	c := b.connect(t, Handlers{})
	g := b.godbus(t)
	if err := g.AddMatchSignal(dbus.WithMatchInterface("org.example.Iface"), dbus.WithMatchMember("Changed")); err != nil {
		t.Fatal(err)
	}
	signals := make(chan *dbus.Signal, 16)
	g.Signal(signals)

	var e Encoder
	e.Str("/tree")
	e.Str("/some/path")
	if err := c.Emit("/org/example/Obj", "org.example.Iface", "Changed", "ss", e.Bytes()); err != nil {
		t.Fatal(err)
	}
	for {
		s := receive(t, signals, "signal")
		if s.Name != "org.example.Iface.Changed" {
			continue // the bus's own NameAcquired
		}
		if s.Sender != c.UniqueName() || s.Path != "/org/example/Obj" || len(s.Body) != 2 || s.Body[0] != "/tree" || s.Body[1] != "/some/path" {
			t.Errorf("godbus got %+v", s)
		}
		return
	}
}

func TestSignalHandlerSeesNameLostWhenReplaced(t *testing.T) {
	b := startBus(t)
	signals := make(chan *Message, 64)
	c := b.connect(t, Handlers{Signal: forward(t, signals)})
	const name = "org.example.Replaceable"
	if reply, err := c.RequestName(name, NameFlagAllowReplacement); err != nil || reply != RequestNamePrimaryOwner {
		t.Fatalf("RequestName = %d, %v", reply, err)
	}
	g := b.godbus(t)
	if reply, err := g.RequestName(name, dbus.NameFlagReplaceExisting); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("godbus RequestName = %v, %v", reply, err)
	}

	acquired := false
	for {
		m := receive(t, signals, "NameLost")
		if m.Interface != busIface || m.Sender != busDest || m.Path != busPath || m.Signature != "s" {
			t.Fatalf("unexpected signal %+v", m)
		}
		d := m.Args()
		arg := d.Str()
		if !d.Done() || arg == "" {
			t.Fatalf("%s with a bad body: %v", m.Member, d.Err())
		}
		if arg != name {
			continue // our unique name's NameAcquired
		}
		switch m.Member {
		case "NameAcquired":
			acquired = true
			continue
		case "NameLost":
			if !acquired {
				t.Error("NameLost came before NameAcquired")
			}
			if m.Destination != c.UniqueName() {
				t.Errorf("NameLost was sent to %q, not us (%q)", m.Destination, c.UniqueName())
			}
		default:
			t.Fatalf("unexpected %s", m.Member)
		}
		break
	}
	if owner, err := c.NameOwner(name); err != nil || owner != g.Names()[0] {
		t.Errorf("NameOwner = %q, %v; want godbus's %q", owner, err, g.Names()[0])
	}
}

func TestDaemonDeathClosesDoneAndFailsCalls(t *testing.T) {
	b := startBus(t)
	hung := make(chan *Message, 1)
	c := b.connect(t, Handlers{Call: forward(t, hung)}) // never replies

	inFlight := make(chan error, 1)
	go func() {
		_, err := c.Call(c.UniqueName(), "/", "org.example.Iface", "Hang", "", nil)
		inFlight <- err
	}()
	receive(t, hung, "call to ourselves")
	if c.Err() != nil {
		t.Fatalf("Err() = %v while connected", c.Err())
	}
	b.kill()

	select {
	case <-c.Done():
	case <-time.After(wait):
		t.Fatal("Done() was not closed after the bus died")
	}
	if c.Err() == nil {
		t.Error("Err() is nil after the bus died")
	}
	if err := receive(t, inFlight, "failure of the call in flight"); !errors.Is(err, ErrClosed) {
		t.Errorf("call in flight: %v; want ErrClosed", err)
	}
	if _, err := c.CallBus("GetId", "", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("call after the end: %v; want ErrClosed", err)
	}
	if err := c.Emit("/", "org.example.Iface", "S", "", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Emit after the end: %v; want ErrClosed", err)
	}
}

func TestCloseTwiceAndCallsAfterClose(t *testing.T) {
	b := startBus(t)
	c := b.connect(t, Handlers{})
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	select {
	case <-c.Done():
	case <-time.After(wait):
		t.Fatal("Done() was not closed after Close")
	}
	if _, err := c.CallBus("GetId", "", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("call after Close: %v; want ErrClosed", err)
	}
}
