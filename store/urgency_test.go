package store

import (
	"fmt"
	"sync/atomic"
	"testing"
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
