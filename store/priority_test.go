package store

import (
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Rotations the writers start run at the lowest priority; a flush's own
// run like any thread, since a session stopping the daemon will not wait
// long for it.
func TestOnlyWritersRotationsRunAtLowPriority(t *testing.T) {
	var lowered atomic.Int32
	saved := lowPriority
	lowPriority = func() { lowered.Add(1) }
	t.Cleanup(func() { lowPriority = saved }) // after the store's Close

	s, _ := openTemp(t, Options{Background: true})
	for i := 0; lowered.Load() == 0; i++ {
		if i == 10_000 {
			t.Fatal("10,000 Sets and no rotation at low priority")
		}
		if err := s.Set(fmt.Sprintf("/d/f%d", i), "k", "v"); err != nil {
			t.Fatal(err)
		}
	}
	s.waitRotation()
	if err := s.Set("/after", "k", "v"); err != nil {
		t.Fatal(err)
	}
	before := lowered.Load()
	rotations := func() int {
		st, err := s.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return st.Rotations
	}
	r0 := rotations()
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if rotations() == r0 {
		t.Fatal("Flush of a journal with an entry did not rotate")
	}
	if got := lowered.Load(); got != before {
		t.Errorf("Flush's rotation asked for low priority (%d times)", got-before)
	}
	s.waitRotation()
}

func TestStarvedMeansMostlyWaitingForACPU(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		wall, cpu time.Duration
		want      bool
	}{
		{40 * ms, 0, false},        // too short to say
		{200 * ms, 10 * ms, true},  // ran 5% of the time
		{200 * ms, 49 * ms, true},  // under a quarter
		{200 * ms, 51 * ms, false}, // over a quarter: a busy machine, not starved
		{200 * ms, 200 * ms, false},
	} {
		if got := starved(c.wall, c.cpu); got != c.want {
			t.Errorf("starved(%v wall, %v CPU) = %v, want %v", c.wall, c.cpu, got, c.want)
		}
	}
}

// A rotation whose low-priority thread hardly ran puts the writers'
// rotations at normal priority for starvedFor, then back at the lowest.
func TestAStarvedRotationPutsTheNextAtNormalPriority(t *testing.T) {
	saved := lowPriority
	lowPriority = func() { runtime.LockOSThread() } // threadCPU needs its own thread
	t.Cleanup(func() { lowPriority = saved })
	// Each reading of the clock is a second later: the rebuild between
	// two readings took a second of the store's time and hardly any CPU.
	var seconds atomic.Int64
	clock := func() time.Time { return time.Unix(1_800_000_000+seconds.Add(1), 0) }
	s, _ := openTemp(t, Options{Background: true, Now: clock})

	s.mu.Lock()
	if !s.lowPriorityLocked() {
		t.Fatal("a new store's writers' rotations are not at the lowest priority")
	}
	s.startRotationLocked(false, true)
	s.mu.Unlock()
	s.waitRotation()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lowPriorityLocked() {
		t.Fatal("after a starved rotation the next is still at the lowest priority")
	}
	seconds.Add(int64(starvedFor / time.Second))
	if !s.lowPriorityLocked() {
		t.Errorf("%v after a starved rotation the writers' are still at normal priority", starvedFor)
	}
}

// While rotations tried at the lowest priority keep being starved, each
// puts the writers' rotations at normal priority for twice as long as the
// last, up to maxStarvedFor; one that is not starved starts over.
func TestRepeatedStarvationWaitsLongerBeforeTryingAgain(t *testing.T) {
	var now atomic.Int64
	var logged []string
	s, _ := openTemp(t, Options{Background: true, Now: func() time.Time { return time.Unix(now.Load(), 0) },
		Logf: func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }})
	now.Store(1_800_000_000)
	s.mu.Lock()
	defer s.mu.Unlock()
	window := func() time.Duration {
		t.Helper()
		start := now.Load()
		for !s.lowPriorityLocked() {
			now.Add(1)
			if now.Load()-start > 3600 {
				t.Fatal("still at normal priority an hour later")
			}
		}
		return time.Duration(now.Load()-start) * time.Second
	}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 8 * time.Minute}
	for i, w := range want {
		s.noteStarvationLocked(&rotation{ran: time.Millisecond, took: time.Second})
		if got := window(); got != w {
			t.Fatalf("starved %d times in a row: normal priority for %v, want %v", i+1, got, w)
		}
		if len(logged) != i+1 || !strings.Contains(logged[i], "ran 1ms of the 1s") || !strings.Contains(logged[i], "for "+w.String()) {
			t.Fatalf("log after %d starved rotations: %q", i+1, logged)
		}
	}
	s.noteStarvationLocked(&rotation{})
	if !s.lowPriorityLocked() {
		t.Fatal("a rotation that was not starved left the next at normal priority")
	}
	s.noteStarvationLocked(&rotation{ran: time.Millisecond, took: time.Second})
	if got := window(); got != starvedFor {
		t.Errorf("starved again after one that was not: normal priority for %v, want %v", got, starvedFor)
	}
}
