package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stepClock is a clock that advances by tick at every reading.
func stepClock(tick time.Duration) func() time.Time {
	t := time.Unix(1_800_000_000, 0)
	return func() time.Time {
		t = t.Add(tick)
		return t
	}
}

// frozenClock is a store's clock that never moves: on a loaded machine a
// rebuild can take long enough in wall time to count as starved, and the
// rotations after it would run at normal priority, without a pacer.
func frozenClock() func() time.Time {
	t := time.Unix(1_800_000_000, 0)
	return func() time.Time { return t }
}

// eagerPacer yields at every look at the clock and counts the yields.
func eagerPacer(yields *int) *pacer {
	return &pacer{yield: func() { *yields++ }, now: stepClock(time.Hour)}
}

func TestPacerYieldsOnlyOnceItsIntervalHasPassed(t *testing.T) {
	yields := 0
	readings := 0
	now := time.Unix(1_800_000_000, 0)
	p := &pacer{yield: func() { yields++ }, now: func() time.Time { readings++; return now }, last: now}

	for range clockEvery - 1 {
		p.step()
	}
	if readings != 0 {
		t.Fatalf("the clock was read %d times before %d steps", readings, clockEvery)
	}
	p.step()
	if readings != 1 || yields != 0 {
		t.Fatalf("after %d steps with no time passed: %d readings, %d yields; want 1 and 0", clockEvery, readings, yields)
	}
	now = now.Add(yieldAfter - time.Nanosecond)
	for range clockEvery {
		p.step()
	}
	if yields != 0 {
		t.Fatalf("yielded %v after the last yield, before %v had passed", yieldAfter-time.Nanosecond, yieldAfter)
	}
	now = now.Add(time.Nanosecond)
	for range clockEvery {
		p.step()
	}
	if yields != 1 {
		t.Fatalf("%d yields once %v had passed, want 1", yields, yieldAfter)
	}
	// The interval counts from that yield.
	for range 10 * clockEvery {
		p.step()
	}
	if yields != 1 {
		t.Fatalf("%d yields with no time passed since the last, want 1", yields)
	}

	var none *pacer
	none.step() // a rebuild at normal priority: must not panic
}

// Rotations the writers start give their CPU away while they rebuild; a
// flush's own, which a caller waits for, do not.
func TestOnlyRotationsNobodyWaitsForYield(t *testing.T) {
	var yields atomic.Int32
	savedYield := yieldCPU
	yieldCPU = func() { yields.Add(1) }
	t.Cleanup(func() { yieldCPU = savedYield })

	s, _ := openTemp(t, Options{Background: true, Now: frozenClock()})
	// Enough entries that rebuilding them takes well over yieldAfter.
	for i := 0; yields.Load() == 0; i++ {
		if i == 50_000 {
			t.Fatal("50,000 Sets and no yield from a writers' rotation")
		}
		if err := s.Set(fmt.Sprintf("/d%d/f%d", i%100, i), "k", "v"); err != nil {
			t.Fatal(err)
		}
	}
	s.waitRotation()
	if err := s.Set("/after", "k", "v"); err != nil {
		t.Fatal(err)
	}
	before := yields.Load()
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := yields.Load(); got != before {
		t.Errorf("Flush's rotation yielded %d times", got-before)
	}
}

// recordingWriter keeps what is written to it and the size of each write.
type recordingWriter struct {
	data   []byte
	writes []int
	failAt int // the write (1-based) that fails; 0: none
}

func (w *recordingWriter) WriteAt(p []byte, off int64) (int, error) {
	w.writes = append(w.writes, len(p))
	if len(w.writes) == w.failAt {
		return 0, errors.New("disk full")
	}
	if end := int(off) + len(p); end > len(w.data) {
		w.data = append(w.data, make([]byte, end-len(w.data))...)
	}
	copy(w.data[off:], p)
	return len(p), nil
}

func TestWritePacedWritesInPiecesWithYieldsBetween(t *testing.T) {
	data := make([]byte, 4*pacedWrite+5)
	for i := range data {
		data[i] = byte(i * 7)
	}

	var whole recordingWriter
	if err := writePaced(&whole, data, nil); err != nil {
		t.Fatal(err)
	}
	if len(whole.writes) != 1 || !bytes.Equal(whole.data, data) {
		t.Fatalf("unpaced: %d writes, content equal %v; want 1 write of everything", len(whole.writes), bytes.Equal(whole.data, data))
	}

	var pieces recordingWriter
	yields := 0
	if err := writePaced(&pieces, data, eagerPacer(&yields)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pieces.data, data) {
		t.Fatalf("paced write differs from the data at byte %d", firstDiff(pieces.data, data))
	}
	if want := []int{pacedWrite, pacedWrite, pacedWrite, pacedWrite, 5}; !slices.Equal(pieces.writes, want) {
		t.Fatalf("writes of %v bytes, want %v", pieces.writes, want)
	}
	if yields != 5 {
		t.Fatalf("%d yields, want one after each of the 5 writes", yields)
	}

	failing := recordingWriter{failAt: 2}
	if err := writePaced(&failing, data, eagerPacer(&yields)); err == nil || len(failing.writes) != 2 {
		t.Fatalf("a failing second write: error %v after %d writes; want the error, and no third write", err, len(failing.writes))
	}
}

// A Flush waits for the rotation in flight, which stops giving its CPU
// away as soon as the Flush waits for it.
func TestAFlushStopsTheYieldsOfTheRotationItWaitsFor(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var armed, flushWaits atomic.Bool
	var yieldsWhileFlushWaits atomic.Int32
	savedYield := yieldCPU
	yieldCPU = func() {
		if !armed.Load() {
			return
		}
		first := false
		once.Do(func() {
			first = true
			close(started)
			<-release
		})
		if !first && flushWaits.Load() {
			yieldsWhileFlushWaits.Add(1)
		}
	}
	t.Cleanup(func() { yieldCPU = savedYield })

	s, _ := openTemp(t, Options{Background: true, Now: frozenClock()})
	// A tree whose rebuild takes milliseconds, far more than yieldAfter:
	// the rotation has much left to do after its first yield.
	for i := range 20_000 {
		if err := s.Set(fmt.Sprintf("/d%d/f%d", i%200, i), "k", "v"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	// Writes until a writers' rotation starts, then no more (a write that
	// found no room would stop its yields too); its first yield holds it
	// there.
	armed.Store(true)
	for i := 0; ; i++ {
		if i == 100_000 {
			t.Fatal("100,000 Sets and no writers' rotation")
		}
		if err := s.Set(fmt.Sprintf("/e/f%d", i), "k", "v"); err != nil {
			t.Fatal(err)
		}
		s.mu.Lock()
		r := s.rot.current
		s.mu.Unlock()
		if r != nil {
			select {
			case <-started:
			case <-r.done:
				t.Fatal("a writers' rotation ended without giving its CPU away")
			}
			break
		}
	}
	flushed := make(chan error, 1)
	go func() { flushed <- s.Flush() }()
	for deadline := time.Now().Add(10 * time.Second); s.rot.waiters.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the Flush did not register within 10 s")
		}
	}
	flushWaits.Store(true)
	close(release)
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	if n := yieldsWhileFlushWaits.Load(); n != 0 {
		t.Errorf("the rotation yielded %d times while a Flush waited for it", n)
	}
	if n := s.rot.waiters.Load(); n != 0 {
		t.Errorf("%d Flush calls counted under way after the Flush returned", n)
	}
}
