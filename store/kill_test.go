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
	"syscall"
	"testing"
	"time"
)

const (
	killChildEnv = "GVFS_STORE_KILL_CHILD"
	killKeys     = 50
)

func TestMain(m *testing.M) {
	if path := os.Getenv(killChildEnv); path != "" {
		killChild(path, os.Getenv(killChildEnv+"_BG") == "1")
		return
	}
	os.Exit(m.Run())
}

func killKeyPath(i int) string { return fmt.Sprintf("/d%d/f%d", i%5, i) }

// killChild writes rounds of values to every key, reporting each write
// once the store has acknowledged it, and rotates often, until killed.
func killChild(path string, background bool) {
	s, err := Open(path, Options{Background: background, StaleAge: time.Nanosecond})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	round := 0
	for i := range killKeys {
		if v, ok, _ := s.Get(killKeyPath(i), "k"); ok {
			r, _ := strconv.Atoi(v.Str)
			round = max(round, r)
		}
	}
	for {
		round++
		for i := range killKeys {
			if err := s.Set(killKeyPath(i), "k", strconv.Itoa(round)); err != nil {
				fmt.Fprintln(out, "error", err)
				out.Flush()
				os.Exit(1)
			}
			fmt.Fprintln(out, i, round)
			out.Flush()
		}
		if round%3 == 0 {
			if err := s.Flush(); err != nil {
				fmt.Fprintln(out, "error", err)
				out.Flush()
				os.Exit(1)
			}
		}
	}
}

// TestKilledWriterLosesNothingAcknowledged kills a writing, rotating
// process at random moments, hundreds of times. A killed process loses
// nothing that reached the kernel, so after each kill the tree must open
// and every key must hold the last value the writer acknowledged, except
// the one write in flight when it died, which may or may not have landed.
func TestKilledWriterLosesNothingAcknowledged(t *testing.T) {
	runs := 300
	if testing.Short() {
		runs = 40
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "gvfs-metadata", "home")
	rng := rand.New(rand.NewPCG(3, 4))
	acked := make([]int, killKeys)
	for run := range runs {
		background := run%2 == 1
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), killChildEnv+"="+path, fmt.Sprintf("%s_BG=%d", killChildEnv, map[bool]int{false: 0, true: 1}[background]))
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
		deadline := time.After(time.Duration(5+rng.IntN(60)) * time.Millisecond)
		// The child starts a new round after the highest value stored and
		// writes keys in order; the write after the last acknowledged one
		// is the one that may be in flight.
		start := 0
		for _, r := range acked {
			start = max(start, r)
		}
		flightKey, flightRound := 0, start+1
	read:
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					break read
				}
				var i, round int
				if _, err := fmt.Sscan(line, &i, &round); err != nil {
					t.Fatalf("run %d: child said %q", run, line)
				}
				acked[i] = round
				flightKey, flightRound = (i+1)%killKeys, round
				if i+1 == killKeys {
					flightRound++
				}
			case <-deadline:
				cmd.Process.Signal(syscall.SIGKILL)
				deadline = nil
			}
		}
		cmd.Wait()

		s, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("run %d: tree does not open after kill: %v", run, err)
		}
		for i := range killKeys {
			v, ok, err := s.Get(killKeyPath(i), "k")
			got, _ := strconv.Atoi(v.Str)
			inFlight := i == flightKey && got == flightRound
			if err != nil || (acked[i] > 0 && !ok) || (got != acked[i] && !inFlight) {
				t.Fatalf("run %d: key %d = %q (found %v, %v), last acknowledged %d", run, i, v.Str, ok, err, acked[i])
			}
			acked[i] = got
		}
		s.Close()
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
