package store

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestLowerPriorityLowersOnlyTheCallingThread(t *testing.T) {
	before, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan int, 1)
	policy := make(chan uint32, 1)
	go func() {
		lowerPriority()
		p, _ := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
		got <- p
		attr, err := unix.SchedGetAttr(0, 0)
		if err != nil {
			t.Errorf("sched_getattr: %v", err)
			policy <- 0
			return
		}
		policy <- attr.Policy
	}()
	// The raw system call answers 20 - nice.
	if p := <-got; 20-p != rotationNice {
		t.Errorf("rotation thread at nice %d, want %d", 20-p, rotationNice)
	}
	if p := <-policy; p != unix.SCHED_IDLE {
		t.Errorf("rotation thread's scheduling policy is %d, want SCHED_IDLE (%d)", p, unix.SCHED_IDLE)
	}
	if attr, err := unix.SchedGetAttr(0, 0); err != nil || attr.Policy != unix.SCHED_NORMAL {
		t.Errorf("the test's own thread: policy %v, %v", attr, err)
	}
	if after, _ := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid()); after != before {
		t.Errorf("the test's own thread went from %d to %d", 20-before, 20-after)
	}
}
