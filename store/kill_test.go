// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gvfs-metadata/format"
)

const (
	killChildEnv = "GVFS_STORE_KILL_CHILD"
	killKeys     = 50
)

func TestMain(m *testing.M) {
	if path := os.Getenv(killChildEnv); path != "" {
		killChild(path, os.Getenv(killChildEnv+"_MODE"), os.Getenv(killChildEnv+"_AT"))
		return
	}
	os.Exit(m.Run())
}

func killKeyPath(i int) string { return fmt.Sprintf("/d%d/f%d", i%5, i) }

// killForgotten is the directory every third round removes: the keys with
// i%5 == 0.
const killForgotten = "/d0"

// killValue is the value of a round: its number, padded so that a few
// rounds fill a journal.
func killValue(round int) string { return fmt.Sprintf("%d-%s", round, strings.Repeat("x", 100)) }

// killRound is the round a stored value belongs to (0 for none).
func killRound(v string) int {
	n, _, _ := strings.Cut(v, "-")
	r, _ := strconv.Atoi(n)
	return r
}

// Where a kill lands. "random" kills at a random moment; the others stop
// the writer at one step of a rotation and say so, and the test kills it
// there.
var killWindows = []string{
	"random",   // anywhere, background rotations
	"sync",     // anywhere, rotations inside the write that fills the journal
	"merge",    // while the new tree is being written, writes going on
	"overflow", // a write waits for room in a full journal
	"swap",     // the new tree renamed in place, the old one not yet marked
	"dirsync",  // the old tree marked, the rename not yet made durable
	"diskfull", // on a full disk: writes past the journal are refused
}

// killChild writes rounds of values to every key, reporting each write
// once the store has acknowledged it ("i round") or refused it ("refused
// i round"), and rotates often, until killed. In the windows that stop it,
// the at-th time the writer reaches the step it says "at STEP" and
// waits there for the kill.
func killChild(path, mode, at string) {
	var out sync.Mutex
	stdout := bufio.NewWriter(os.Stdout)
	say := func(format string, args ...any) {
		out.Lock()
		fmt.Fprintf(stdout, format+"\n", args...)
		stdout.Flush()
		out.Unlock()
	}
	n, _ := strconv.Atoi(at)
	var nth atomic.Int32
	nth.Store(int32(n))
	ffs := &faultFS{FS: OS{}}
	var armed atomic.Bool
	var s *Store
	stop := func(step string) {
		if armed.Load() && step == mode && nth.Add(-1) == 0 {
			say("at %s", step)
			for {
				// Asleep on a timer, not blocked for good, which the
				// runtime would end before the kill comes.
				time.Sleep(time.Hour)
			}
		}
	}
	ffs.beforeSync = func(name string) {
		if !strings.HasPrefix(name, path+".") || !armed.Load() {
			return
		}
		if mode == "overflow" {
			var never atomic.Bool
			waitUntil(s, &never, func() bool { return s.rot.plan.waited })
		}
		stop("merge")
		stop("overflow")
	}
	ffs.afterRename = func(_, newname string) {
		if newname == path {
			stop("swap")
		}
	}
	ffs.beforeSyncDir = func(string) { stop("dirsync") }

	s, err := Open(path, Options{FS: ffs, Background: mode != "sync", StaleAge: time.Nanosecond})
	if err != nil {
		say("open: %v", err)
		os.Exit(1)
	}
	if mode == "overflow" {
		// A journal left full by the last run would make the first write
		// rotate in place, holding the lock the held rotation waits on.
		if err := s.Flush(); err != nil {
			say("error %v", err)
			os.Exit(1)
		}
	}
	armed.Store(true)
	round := 0
	for i := range killKeys {
		if v, ok, _ := s.Get(killKeyPath(i), "k"); ok {
			round = max(round, killRound(v.Value))
		}
	}
	fullFrom := round + 1 + n // the round from which the disk is full
	for {
		round++
		if mode == "diskfull" && round == fullFrom {
			ffs.full.Store(true)
		}
		for i := range killKeys {
			if err := s.Set(killKeyPath(i), "k", killValue(round)); err != nil {
				if ffs.full.Load() && strings.Contains(err.Error(), syscall.ENOSPC.Error()) {
					say("refused %d %d", i, round)
					continue
				}
				say("error %v", err)
				os.Exit(1)
			}
			say("%d %d", i, round)
		}
		// Every third round forgets a directory (what gvfs-meta forget
		// and a deleted folder's Remove do): its keys are absent until
		// the next round sets them again.
		if round%3 == 0 {
			if err := s.Remove(killForgotten); err != nil {
				if ffs.full.Load() && strings.Contains(err.Error(), syscall.ENOSPC.Error()) {
					say("refused-remove %d", round)
				} else {
					say("error %v", err)
					os.Exit(1)
				}
			} else {
				say("removed %d", round)
			}
		}
		// (The overflow window holds every rotation until a writer waits,
		// which one waiting in Flush never does.)
		if round%10 == 0 && !ffs.full.Load() && mode != "overflow" {
			if err := s.Flush(); err != nil {
				say("error %v", err)
				os.Exit(1)
			}
		}
	}
}

// TestKilledWriterLosesNothingAcknowledged kills a writing, rotating
// process hundreds of times: at random moments, and stopped at each step
// of a rotation where a write could be answered and then lost (during the
// merge, while the journal is full, between the rename and the rotated
// mark, before the directory fsync, on a full disk). A killed process
// loses nothing that reached the kernel, so after each kill the tree must
// open, pass every structural check, and every key must hold the last
// value the writer acknowledged (none after an acknowledged Remove of its
// directory), except the one change in flight when it died, which may or
// may not have landed, and the next writer must find what readers found.
// A refused write must never show, nor a removed value come back.
func TestKilledWriterLosesNothingAcknowledged(t *testing.T) {
	runs := 350
	if testing.Short() {
		runs = 42
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "gvfs-metadata", "home")
	rng := rand.New(rand.NewPCG(3, 4))
	acked := make([]int, killKeys)
	reached := map[string]int{}
	refusals, removes := 0, 0
	for run := range runs {
		mode := killWindows[run%len(killWindows)]
		at := 1 + rng.IntN(4)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), killChildEnv+"="+path, killChildEnv+"_MODE="+mode, fmt.Sprintf("%s_AT=%d", killChildEnv, at))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// A random kill comes within 65 ms; the others when the child
		// says it is there (or, should it never get there, after 10 s,
		// which the count of windows reached below fails).
		wait := time.Duration(5+rng.IntN(60)) * time.Millisecond
		if mode != "random" && mode != "sync" {
			wait = 10 * time.Second
		}
		refusalsBeforeKill := at // on the full disk, the kill comes after that many refusals
		deadline := time.After(wait)
		kill := func() {
			cmd.Process.Signal(syscall.SIGKILL)
			deadline = nil
		}
		// The child starts a new round after the highest value stored and
		// writes keys in order; the write after the last one it reported
		// is the one that may be in flight.
		start := 0
		for _, r := range acked {
			start = max(start, r)
		}
		flightKey, flightRound := 0, start+1
		flightRemove := false // the Remove of killForgotten is in flight
		refused := map[[2]int]bool{}
		var history []string // the child's last lines, for a failure
	read:
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					break read
				}
				history = append(history[max(0, len(history)-80):], line)
				if step, ok := strings.CutPrefix(line, "at "); ok {
					reached[step]++
					kill()
					continue
				}
				var round int
				if r, ok := strings.CutPrefix(line, "removed "); ok {
					if _, err := fmt.Sscan(r, &round); err != nil {
						t.Fatalf("run %d (%s): child said %q", run, mode, line)
					}
					for i := 0; i < killKeys; i += 5 {
						acked[i] = 0
					}
					removes++
					flightRemove, flightKey, flightRound = false, 0, round+1
					continue
				}
				if _, ok := strings.CutPrefix(line, "refused-remove "); ok {
					flightRemove = false
					continue
				}
				var i int
				if r, ok := strings.CutPrefix(line, "refused "); ok {
					if _, err := fmt.Sscan(r, &i, &round); err != nil {
						t.Fatalf("run %d (%s): child said %q", run, mode, line)
					}
					refused[[2]int{i, round}] = true
					refusals++
					if refusalsBeforeKill--; refusalsBeforeKill == 0 {
						reached["diskfull"]++
						kill()
					}
				} else if _, err := fmt.Sscan(line, &i, &round); err != nil {
					t.Fatalf("run %d (%s): child said %q", run, mode, line)
				} else {
					acked[i] = round
				}
				flightKey, flightRound = (i+1)%killKeys, round
				if i+1 == killKeys {
					flightRound++
					flightRemove = round%3 == 0
				}
			case <-deadline:
				kill()
			}
		}
		cmd.Wait()

		s, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("run %d (%s): tree does not open after kill: %v", run, mode, err)
		}
		if data, err := os.ReadFile(path); err != nil {
			t.Fatal(err)
		} else if problems := format.CheckTree(data); len(problems) > 0 {
			t.Fatalf("run %d (%s): the tree does not verify after the kill: %v", run, mode, problems)
		}
		for i := range killKeys {
			v, ok, err := s.Get(killKeyPath(i), "k")
			got := killRound(v.Value)
			inFlight := i == flightKey && got == flightRound || flightRemove && i%5 == 0 && !ok
			if refused[[2]int{i, got}] {
				t.Fatalf("run %d (%s): key %d holds %d, a write that was refused", run, mode, i, got)
			}
			// (A key found absent holds round 0.)
			if err != nil || got != acked[i] && !inFlight {
				t.Logf("the child's last lines: %s", strings.Join(history, " | "))
				t.Fatalf("run %d (%s): key %d = round %d (found %v, %v), last acknowledged %d", run, mode, i, got, ok, err, acked[i])
			}
			acked[i] = got
		}
		s.Close()
		checkWriterSeesWhatReadersSaw(t, path, acked)
	}
	for _, w := range killWindows {
		if w == "random" || w == "sync" {
			continue
		}
		if n := runs / len(killWindows); reached[w] < n*9/10 {
			t.Errorf("the writer was killed at %q in %d of %d runs", w, reached[w], n)
		}
	}
	t.Logf("%d kills; windows reached: %v; %d writes refused on a full disk; %d removes of a directory acknowledged", runs, reached, refusals, removes)
	if removes < runs/4 {
		t.Errorf("only %d removes acknowledged in %d runs", removes, runs)
	}
	// A writable open clears what interrupted rotations left behind.
	s, err := Open(path, Options{StaleAge: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	entries, _ := os.ReadDir(filepath.Dir(path))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 {
		t.Fatalf("after %d kills and a writable open, the directory holds %s; want the tree and its journal", runs, strings.Join(names, " "))
	}
}

// checkWriterSeesWhatReadersSaw opens a copy of the killed writer's files
// as the next writer does (clearing leftovers, recovering the journal):
// every key must hold what a reader found after the kill, or readers and
// the writer would disagree on whether a change in flight landed.
func checkWriterSeesWhatReadersSaw(t *testing.T, path string, seen []int) {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(path), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w, err := Open(filepath.Join(dir, filepath.Base(path)), Options{StaleAge: time.Nanosecond})
	if err != nil {
		t.Fatalf("a writable open of the files a reader opened fails: %v", err)
	}
	defer w.Close()
	for i := range killKeys {
		v, _, err := w.Get(killKeyPath(i), "k")
		if got := killRound(v.Value); err != nil || got != seen[i] {
			t.Fatalf("after the kill, a reader found key %d at round %d, a writable open at %d (%v)", i, seen[i], got, err)
		}
	}
}
