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
	go func() {
		lowerPriority()
		p, _ := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
		got <- p
	}()
	// The raw system call answers 20 - nice.
	if p := <-got; 20-p != rotationNice {
		t.Errorf("rotation thread at nice %d, want %d", 20-p, rotationNice)
	}
	if after, _ := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid()); after != before {
		t.Errorf("the test's own thread went from %d to %d", 20-before, 20-after)
	}
}
