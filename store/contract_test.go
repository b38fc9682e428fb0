// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gvfs-metadata/format"
)

// What a write's return means, whatever the store is doing: the change is
// in the files every reader walks. These tests read through a second,
// read-only store, which looks at the files the way the C client in every
// GIO application does (it reopens a tree marked rotated and walks the
// journal the tree names).

// openPair opens a background writer on fsys and a read-only reader of
// the same tree.
func openPair(t *testing.T, fsys FS, now ...func() time.Time) (w, r *Store, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	opts := Options{FS: fsys, Background: true}
	if len(now) > 0 {
		opts.Now = now[0]
	}
	w, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	r, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return w, r, path
}

// waitUntil polls cond, under the store's lock, until it holds or the
// test gives up (giveUp is set: a failed test must not leave a rotation
// held, which its cleanup's Close would wait for).
func waitUntil(s *Store, giveUp *atomic.Bool, cond func() bool) {
	for !giveUp.Load() {
		s.mu.Lock()
		ok := cond()
		s.mu.Unlock()
		if ok {
			return
		}
		runtime.Gosched()
	}
}

// TestEveryAcknowledgedWriteIsSeenByAnotherReader writes thousands of
// values through rotations (every third one held until a write finds the
// journal full and waits) and reads each back through another reader as
// soon as its write returns.
func TestEveryAcknowledgedWriteIsSeenByAnotherReader(t *testing.T) {
	ffs := &faultFS{FS: OS{}}
	w, r, path := openPair(t, ffs)
	var held int
	var waited int // written by the held rotation before the write it waited for returns
	var done atomic.Bool
	defer done.Store(true)
	ffs.beforeSync = func(name string) {
		if !strings.HasPrefix(name, path+".") {
			return
		}
		if held++; held%3 == 0 && waited < 3 {
			waitUntil(w, &done, func() bool { return w.rot.plan.waited })
			waited++
		}
	}
	value := strings.Repeat("v", 50)
	for i := 0; ; i++ {
		if st, _ := w.Stats(); st.Rotations >= 10 && waited == 3 {
			break
		}
		if i == 200_000 {
			t.Fatalf("%d writes crossed only %d rotations with a write waiting for room", i, waited)
		}
		p := fmt.Sprintf("/d%d/f%d", i%37, i)
		want := fmt.Sprintf("%d-%s", i, value)
		if err := w.Set(p, "k", want); err != nil {
			t.Fatal(err)
		}
		if got, ok := mustGet(t, r, p, "k"); !ok || got.Value != want {
			t.Fatalf("write %d: another reader sees %.12q (found %v) right after it was answered", i, got.Value, ok)
		}
		if i%500 == 499 {
			// A move's two entries, and what it carries, are seen at once.
			dst := fmt.Sprintf("/moved%d", i)
			if err := w.Move(fmt.Sprintf("/d%d", i%37), dst); err != nil {
				t.Fatal(err)
			}
			if got, ok := mustGet(t, r, dst+"/"+fmt.Sprintf("f%d", i), "k"); !ok || got.Value != want {
				t.Fatalf("move %d: another reader sees %.12q (found %v) under the destination", i, got.Value, ok)
			}
		}
	}
}

// TestAWriteThatFindsNoRoomIsAnsweredOnlyOnceItHasSome holds a rotation
// at its new tree's fsync while writes fill the journal: the write that
// does not fit is not answered until the new journal takes it, and then
// another reader sees it.
func TestAWriteThatFindsNoRoomIsAnsweredOnlyOnceItHasSome(t *testing.T) {
	ffs := &faultFS{FS: OS{}}
	w, r, path := openPair(t, ffs)
	hold := make(chan struct{})
	release := sync.OnceFunc(func() { close(hold) })
	t.Cleanup(release) // before the stores close, should the test fail
	ffs.beforeSync = func(name string) {
		if strings.HasPrefix(name, path+".") {
			<-hold
		}
	}
	value := strings.Repeat("v", 100)
	n := 0
	// Fill the journal to its last entry's worth of room; a rotation has
	// started (at three quarters) and waits at the fsync.
	for {
		w.mu.Lock()
		free := w.journal.j.Free()
		w.mu.Unlock()
		if free < 2*200 {
			break
		}
		if err := w.Set(fmt.Sprintf("/f%d", n), "k", value); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if w.rot.current == nil {
		t.Fatal("the journal is full and no rotation runs")
	}
	answered := make(chan error, 1)
	go func() {
		answered <- w.Set("/late", "k", strings.Repeat("x", 400))
	}()
	var gaveUp atomic.Bool
	waitUntil(w, &gaveUp, func() bool { return w.rot.plan.waited })
	select {
	case err := <-answered:
		t.Fatalf("a write that did not fit was answered (%v) while the rotation was held", err)
	default:
	}
	if _, ok := mustGet(t, r, "/late", "k"); ok {
		t.Fatal("a write waiting for room is already visible")
	}
	release()
	if err := <-answered; err != nil {
		t.Fatal(err)
	}
	if v, ok := mustGet(t, r, "/late", "k"); !ok || v.Value != strings.Repeat("x", 400) {
		t.Fatalf("the write answered after the swap is not seen by another reader: %.12q %v", v.Value, ok)
	}
	for i := range n {
		if v, ok := mustGet(t, r, fmt.Sprintf("/f%d", i), "k"); !ok || v.Value != value {
			t.Fatalf("write %d lost across the swap", i)
		}
	}
	// It waited, so the next journal is made as large as journals get.
	w.waitRotation()
	if st, _ := w.Stats(); st.JournalBytes != MaxJournalSize {
		t.Fatalf("journal after a write had to wait: %d bytes, want %d", st.JournalBytes, MaxJournalSize)
	}
}

// TestJournalRoomFollowsWhatTheLastRotationSaw holds a rotation while
// writes come in: the next journal has room for twice as much past its
// threshold, and once rotations see nothing come in, journals are back to
// the steady size.
func TestJournalRoomFollowsWhatTheLastRotationSaw(t *testing.T) {
	ffs := &faultFS{FS: OS{}}
	// Two seconds pass at every look at the store's clock: no rotation is
	// part of a burst, so that only what was written during one sizes
	// the next journal.
	w, _, path := openPair(t, ffs, stepClock(2*time.Second))
	hold := make(chan struct{})
	release := sync.OnceFunc(func() { close(hold) })
	t.Cleanup(release) // before the stores close, should the test fail
	ffs.beforeSync = func(name string) {
		if strings.HasPrefix(name, path+".") {
			<-hold
		}
	}
	value := strings.Repeat("v", 100)
	write := func(n int) {
		for i := range n {
			if err := w.Set(fmt.Sprintf("/f%d", i), "k", value); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(200) // past three quarters: a rotation starts and is held
	before := func() int { w.mu.Lock(); defer w.mu.Unlock(); return int(w.journal.j.End()) }()
	write(40) // while it is held
	after := func() int { w.mu.Lock(); defer w.mu.Unlock(); return int(w.journal.j.End()) }()
	written := after - before
	release()
	w.waitRotation()
	st, _ := w.Stats()
	if min := format.JournalHeaderSize + written + 2*written; st.JournalBytes < min || st.JournalBytes > MaxJournalSize {
		t.Fatalf("journal after a rotation that saw %d bytes written: %d bytes, want at least %d and at most %d", written, st.JournalBytes, min, MaxJournalSize)
	}
	// Rotations during which nothing is written bring back the steady
	// size, or what a client at bus speed could write during the last
	// one, if that took longer (a loaded machine's fsync).
	var steadyMax int
	var took time.Duration
	for range 2 {
		write(1)
		steadyMax, took = steadyLimit(w) // what the coming rotation plans with
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	w.mu.Lock()
	sawWritten := w.rot.plan.written
	w.mu.Unlock()
	if st, _ := w.Stats(); sawWritten != 0 || st.JournalBytes < SteadyJournalSize || st.JournalBytes > steadyMax {
		t.Fatalf("journal once writes stopped coming during rotations (%v each, %d bytes written during the last): %d bytes, want %d (up to %d)",
			took, sawWritten, st.JournalBytes, SteadyJournalSize, steadyMax)
	}
}

// steadyLimit is the largest journal the next rotation makes once writes
// are few: the steady size, or room for what a client at bus speed writes
// during the last rotation if that took longer (a loaded machine's
// fsync), and how long that rotation took.
func steadyLimit(w *Store) (int, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	took := w.rot.plan.took
	return max(SteadyJournalSize, roundUp(format.JournalHeaderSize+w.steadyThreshold()+int(took.Seconds()*busRate), 4096)), took
}

// TestABurstFillsTheJournalBeforeItRotates: rotations that follow each
// other within a second make journals as large as they get, each rotated
// only once its room is all that is left; rotations far apart bring the
// steady journal back.
func TestABurstFillsTheJournalBeforeItRotates(t *testing.T) {
	var clock atomic.Int64
	clock.Store(1_800_000_000)
	now := func() time.Time { return time.Unix(clock.Load(), 0) }
	w, r, _ := openPair(t, OS{}, now)
	value := strings.Repeat("v", 100)
	const writes = 3000 // about 400 KiB of entries
	for i := range writes {
		if err := w.Set(fmt.Sprintf("/f%d", i), "k", value); err != nil {
			t.Fatal(err)
		}
	}
	w.waitRotation()
	st, _ := w.Stats()
	if st.JournalBytes != MaxJournalSize {
		t.Fatalf("journal in a burst: %d bytes, want %d", st.JournalBytes, MaxJournalSize)
	}
	// Steady 32 KiB journals would rotate at every 24 KiB: 17 times.
	if st.Rotations > 6 {
		t.Fatalf("%d rotations for %d writes in a burst", st.Rotations, writes)
	}
	for i := range writes {
		if v, ok := mustGet(t, r, fmt.Sprintf("/f%d", i), "k"); !ok || v.Value != value {
			t.Fatalf("write %d lost in the burst", i)
		}
	}
	var limit int
	var took time.Duration
	for range 3 {
		clock.Add(10)
		if err := w.Set("/later", "k", "v"); err != nil {
			t.Fatal(err)
		}
		limit, took = steadyLimit(w) // what the coming rotation plans with
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := w.Stats(); st.JournalBytes < SteadyJournalSize || st.JournalBytes > limit {
		t.Fatalf("journal once writes are far apart (rotations taking %v): %d bytes, want %d (up to %d)", took, st.JournalBytes, SteadyJournalSize, limit)
	}
}

// TestFlushReturnsOnlyOnceEverythingBeforeItIsInADurableTree lets writes
// go on while Flush runs: once it returns, the tree file on its own (no
// journal) holds every write answered before the call, and a directory
// fsync that fails is Flush's error.
func TestFlushReturnsOnlyOnceEverythingBeforeItIsInADurableTree(t *testing.T) {
	ffs := &faultFS{FS: OS{}}
	w, _, path := openPair(t, ffs)
	for i := range 300 {
		if err := w.Set(fmt.Sprintf("/before/f%d", i), "k", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := w.Set(fmt.Sprintf("/during/f%d", i), "k", "v"); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	err := w.Flush()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := format.ParseTree(data)
	if err != nil {
		t.Fatal(err)
	}
	alone := view{tree: tree}
	for i := range 300 {
		if v, ok := alone.get([]byte(fmt.Sprintf("/before/f%d", i)), "k"); !ok || v.Value != fmt.Sprint(i) {
			t.Fatalf("after Flush the tree file lacks write %d made before it (%q %v)", i, v.Value, ok)
		}
	}

	ffs.failSyncDir.Store(true)
	if err := w.Set("/one-more", "k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err == nil || !strings.Contains(err.Error(), "syncing the directory") {
		t.Fatalf("Flush with a directory fsync that fails: %v, want that error", err)
	}
}

// TestWritesThatCannotBeKeptAreRefusedWhole fills the journal on a full
// disk: writes that still fit are kept, the first that needs a new tree
// gets the disk's error and leaves nothing behind (not even half of a
// move), reads keep working, and once there is space again writes go on
// by themselves.
func TestWritesThatCannotBeKeptAreRefusedWhole(t *testing.T) {
	ffs := &faultFS{FS: OS{}}
	path := filepath.Join(t.TempDir(), "gvfs-metadata", "home")
	for _, background := range []bool{false, true} {
		t.Run(fmt.Sprintf("background=%v", background), func(t *testing.T) {
			os.RemoveAll(filepath.Dir(path))
			w, err := Open(path, Options{FS: ffs, Background: background, Logf: t.Logf})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			r, err := Open(path, Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if err := w.Set("/src/kept", "k", "before"); err != nil {
				t.Fatal(err)
			}
			ffs.full.Store(true)
			defer ffs.full.Store(false)
			var refused error
			kept := 0
			for i := 0; refused == nil; i++ {
				if i == 10_000 {
					t.Fatal("10,000 writes on a full disk and none refused")
				}
				refused = w.Set(fmt.Sprintf("/f%d", i), "k", strings.Repeat("v", 100))
				if refused == nil {
					kept++
				} else if _, ok := mustGet(t, r, fmt.Sprintf("/f%d", i), "k"); ok {
					t.Fatalf("refused write %d is visible", i)
				}
			}
			if !errors.Is(refused, syscall.ENOSPC) {
				t.Fatalf("refused with %v, want the disk's ENOSPC", refused)
			}
			if err := w.Move("/src", "/dst"); err == nil {
				t.Fatal("a move was accepted on a full disk with a full journal")
			}
			if _, ok := mustGet(t, r, "/dst/kept", "k"); ok {
				t.Fatal("half of a refused move is visible")
			}
			for i := range kept {
				if _, ok := mustGet(t, r, fmt.Sprintf("/f%d", i), "k"); !ok {
					t.Fatalf("write %d, kept on the full disk, is gone", i)
				}
			}
			ffs.full.Store(false)
			if err := w.Move("/src", "/dst"); err != nil {
				t.Fatalf("writing once space came back: %v", err)
			}
			if v, ok := mustGet(t, r, "/dst/kept", "k"); !ok || v.Value != "before" {
				t.Fatalf("the move once space came back: %q %v", v.Value, ok)
			}
		})
	}
}

// TestAValueLargerThanAnyJournalIsInTheTreeWhenAnswered: it can never be
// in a journal, so the write returns once a rotation put it in the tree.
func TestAValueLargerThanAnyJournalIsInTheTreeWhenAnswered(t *testing.T) {
	w, r, _ := openPair(t, OS{})
	big := strings.Repeat("b", 2*MaxJournalSize)
	if err := w.Set("/small", "k", "s"); err != nil {
		t.Fatal(err)
	}
	if err := w.Set("/big", "k", big); err != nil {
		t.Fatal(err)
	}
	if v, ok := mustGet(t, r, "/big", "k"); !ok || v.Value != big {
		t.Fatalf("another reader sees %d bytes (found %v) of the big value, want %d", len(v.Value), ok, len(big))
	}
	if v, ok := mustGet(t, r, "/small", "k"); !ok || v.Value != "s" {
		t.Fatal("the entry journalled before the big value was lost")
	}
	if st, _ := w.Stats(); st.JournalBytes > MaxJournalSize || st.JournalEntries != 0 {
		t.Fatalf("journal after the big value: %+v", st)
	}
}

// TestANearlyFullDiskGetsSmallerJournals: in a burst a rotation plans the
// largest journal; on a disk with no room for it, the steady size is made
// instead, and writes go on being answered (and kept) rather than refused.
func TestANearlyFullDiskGetsSmallerJournals(t *testing.T) {
	ffs := &faultFS{FS: OS{}}
	w, r, _ := openPair(t, ffs)
	ffs.fileRoom.Store(MaxJournalSize / 2)
	for i := range 3000 { // several rotations, back to back: a burst
		if err := w.Set(fmt.Sprintf("/f%04d", i), "k", "value"); err != nil {
			t.Fatalf("write %d on a disk with room for %d-byte files: %v", i, MaxJournalSize/2, err)
		}
	}
	st, _ := w.Stats()
	if st.Rotations < 3 || st.JournalBytes > MaxJournalSize/2 {
		t.Fatalf("after 3,000 writes: %d rotations, a %d-byte journal", st.Rotations, st.JournalBytes)
	}
	for _, i := range []int{0, 1500, 2999} {
		if v, ok := mustGet(t, r, fmt.Sprintf("/f%04d", i), "k"); !ok || v.Value != "value" {
			t.Fatalf("/f%04d reads %q (%v)", i, v.Value, ok)
		}
	}
}
