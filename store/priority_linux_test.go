package store

import (
	"runtime"
	"testing"
	"time"

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

func TestThreadCPUCountsOnlyRunning(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, ok := threadCPU()
	if !ok {
		t.Fatal("no CPU clock for the thread")
	}
	time.Sleep(50 * time.Millisecond)
	slept, _ := threadCPU()
	for spin := time.Now(); time.Since(spin) < 30*time.Millisecond; {
	}
	spun, _ := threadCPU()
	if d := slept - start; d > 20*time.Millisecond {
		t.Errorf("sleeping 50 ms used %v of the thread's CPU", d)
	}
	if d := spun - slept; d < 5*time.Millisecond {
		t.Errorf("spinning 30 ms used %v of the thread's CPU", d)
	}
}
