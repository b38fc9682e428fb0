package store

import "time"

// Which thread builds a background rotation.
//
// A rotation the writers start is built on a thread of the lowest
// priority (nice 19): they are answered while it runs, and only the
// moment writes past the journal become visible waits for it. On a
// two-core machine that leaves the CPU to the daemon answering calls, the
// bus and the clients: Set/Ping at 100k entries, interleaved, 0.899 at
// nice 19 against 0.831 at normal priority (the floor daemon: 0.98).
//
// But a Go thread the kernel starves holds up the whole daemon: the
// collector's stop-the-world pauses, and the runtime's own hand-offs,
// wait for it to run. Under two CPU hogs on the two cores the slowest Set
// took 297-454 ms at nice 19 (169 ms with the collector off) and 29-31 ms
// at normal priority; with the idle policy (SCHED_IDLE) 382-1292 ms. So a
// rotation at the lowest priority notes how much of its rebuild's time
// its thread ran; one that mostly waited for a CPU was starved, and the
// writers' rotations of the next starvedFor (longer when it happens again)
// run at normal priority, as a flush's own always do (a flush waits for
// them, at exit on a session that may be busy and will not wait long).
// Under the same hogs, in fresh
// daemons, the slowest Set then took 26-122 ms (nice 19 throughout, in
// the same runs: 200-255 ms); with the machine quiet it stays at nice 19
// (Set/Ping 0.919 against 0.902).
//
// Since the rebuild yields its CPU every 25 µs (pacer.go), a starved one
// spends most of its waiting inside that system call, where the runtime
// does not wait for it: under the same hogs, 4 runs of 3-6 fresh daemons
// at 100k entries, the slowest Set was 12-30 ms, against 20-304 ms in the
// same runs without the yields.

// starvedFor is how long writers' rotations run at normal priority after
// one at the lowest was starved; it doubles, up to maxStarvedFor, while
// the next one tried at the lowest is starved too: under a CPU hog that
// lasts, such as a long build, only every few minutes a rotation tries
// the lowest priority, and stalls the daemon, again.
const (
	starvedFor    = 30 * time.Second
	maxStarvedFor = 8 * time.Minute
)

// starved reports whether a rebuild that took wall, and ran its thread
// for cpu of it, spent most of that time waiting for a CPU. Short ones do
// not count: a few milliseconds' wait is the scheduler's granularity.
func starved(wall, cpu time.Duration) bool {
	return wall > 50*time.Millisecond && wall > 4*cpu
}

// noteStarvationLocked takes note of how a rotation at the lowest priority
// fared.
func (s *Store) noteStarvationLocked(r *rotation) {
	if !starved(r.took, r.ran) {
		s.rot.starvedRun = 0
		return
	}
	window := min(starvedFor<<s.rot.starvedRun, maxStarvedFor)
	s.rot.normalUntil = s.opts.Now().Add(window)
	s.rot.starvedRun = min(s.rot.starvedRun+1, 8)
	s.opts.Logf("%s: a rotation at the lowest priority ran %v of the %v it took; rotating at normal priority for %v",
		s.path, r.ran.Round(time.Millisecond), r.took.Round(time.Millisecond), window)
}

// lowPriorityLocked reports whether a rotation the writers start now is
// built at the lowest priority.
func (s *Store) lowPriorityLocked() bool {
	return s.rot.flushers.Load() == 0 && !s.opts.Now().Before(s.rot.normalUntil)
}

// buildAt builds a rotation, on a thread of the lowest priority when it
// asks for one, and waits for it. The commit that follows runs back at
// normal priority: it holds the writers' lock, and a writer must not wait
// on a thread the kernel keeps putting last.
func buildAt(r *rotation, s *Store) error {
	if !r.low {
		return r.build(s)
	}
	result := make(chan error, 1)
	go func() {
		lowPriority()
		result <- r.build(s)
	}()
	return <-result
}

// lowPriority puts the calling goroutine on a thread of the lowest
// priority; a variable so that tests can see which rotations ask for it.
var lowPriority = lowerPriority

// rebuildWatched makes the new tree's bytes, noting whether a rotation at
// the lowest priority was starved meanwhile.
func (r *rotation) rebuildWatched(s *Store) ([]byte, error) {
	if !r.low {
		return r.newTree()
	}
	r.pace = newPacer(&s.rot.flushers)
	began := s.opts.Now()
	cpu, known := threadCPU()
	data, err := r.newTree()
	if used, ok := threadCPU(); ok && known {
		r.ran, r.took = used-cpu, s.opts.Now().Sub(began)
	}
	return data, err
}
