// SPDX-License-Identifier: LGPL-2.0-or-later

package e2e

import (
	"archive/tar"
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/compat/client"
	"gvfs-metadata/compat/protocol"
	"gvfs-metadata/format"
	"gvfs-metadata/internal/session"
	"gvfs-metadata/internal/testenv"
	"gvfs-metadata/store"
)

// Event storms against a daemon that follows renames: what a desktop's
// home sees now and then (an archive unpacked, a tree removed, a script
// renaming thousands of files) must end with the metadata where the files
// are, the daemon alive, and no metadata moved onto a stranger. The
// daemon runs without the race detector, so that the CPU and memory
// figures logged are what users get; they are logged, never asserted.

// stormDaemon is a daemon of ours without the race detector, started in a
// private session, with what it says on stderr kept for the test.
type stormDaemon struct {
	w      *world
	cmd    *exec.Cmd
	pid    int
	stderr lockedBuffer
	cpu0   float64
	// slowestStatus is the longest a status call took.
	slowestStatus time.Duration
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newStormWorld starts a session whose bus would activate the plain
// daemon, starts that daemon itself (so that its stderr is kept), and
// sets up a barrier for renames.
func newStormWorld(t *testing.T) *stormDaemon {
	t.Helper()
	if testing.Short() {
		t.Skip("the event storm tests do not run with testing.Short (-short); CI runs them")
	}
	testenv.RequireSession(t)
	s, err := session.Start(session.Options{Daemon: ourDaemonPlain})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, name: "ours", s: s}
	t.Cleanup(w.close)
	if w.conn, err = s.Connect(); err != nil {
		t.Fatal(err)
	}
	d := &stormDaemon{w: w}
	d.cmd = exec.Command(ourDaemonPlain)
	d.cmd.Env = s.Env()
	d.cmd.Stderr = &d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.pid = d.cmd.Process.Pid
	t.Cleanup(func() {
		d.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			d.cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			out := d.stderr.String()
			if len(out) > 4000 {
				out = "..." + out[len(out)-4000:]
			}
			t.Logf("the daemon said: %s", out)
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if pid, err := s.NameOwnerPID(protocol.BusName); err == nil && pid == d.pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not take the name: %s", d.stderr.String())
		}
	}
	w.barrier = newBarrier(w)
	d.cpu0 = d.cpuSeconds()
	return d
}

// cpuSeconds is the daemon's user and system time so far.
func (d *stormDaemon) cpuSeconds() float64 {
	d.w.t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", d.pid))
	if err != nil {
		d.w.t.Fatalf("the daemon is gone: %v; it said: %s", err, d.stderr.String())
	}
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+2:]))
	// After the command: state is field 3, utime 14, stime 15, in
	// USER_HZ (100 per second on Linux).
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100
}

// memory returns the daemon's resident set now and its peak, in KiB.
func (d *stormDaemon) memory() (rss, peak int) {
	d.w.t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.pid))
	if err != nil {
		d.w.t.Fatalf("the daemon is gone: %v; it said: %s", err, d.stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			peak = n
		}
	}
	return rss, peak
}

// alive checks that the daemon started is still the name's owner.
func (d *stormDaemon) alive() {
	d.w.t.Helper()
	pid, err := d.w.s.NameOwnerPID(protocol.BusName)
	if err != nil || pid != d.pid {
		d.w.t.Fatalf("the name's owner is %d (%v), not the daemon started, %d; it said: %s", pid, err, d.pid, d.stderr.String())
	}
}

// logFigures logs the CPU time the daemon used since the last call (or
// its start) and its peak memory.
func (d *stormDaemon) logFigures(what string) {
	d.w.t.Helper()
	now := d.cpuSeconds()
	rss, peak := d.memory()
	d.w.t.Logf("%s: daemon CPU %.2f s (%.2f s -> %.2f s), RSS %d KiB, peak RSS %d KiB", what, now-d.cpu0, d.cpu0, now, rss, peak)
	d.cpu0 = now
}

// follow returns what following does now, and the home tree's part.
func (d *stormDaemon) follow() (*protocol.FollowStatus, protocol.FollowedTree) {
	d.w.t.Helper()
	asked := time.Now()
	st, err := client.New(d.w.conn).Status()
	d.slowestStatus = max(d.slowestStatus, time.Since(asked))
	if err != nil {
		d.w.t.Fatalf("status: %v; the daemon said: %s", err, d.stderr.String())
	}
	if st.Follow == nil {
		d.w.t.Fatal("the status shows no following")
	}
	for _, tr := range st.Follow.Trees {
		if tr.TreeFile == d.w.treefile() {
			return st.Follow, tr
		}
	}
	return st.Follow, protocol.FollowedTree{}
}

// waitFollow polls the status until cond holds.
func (d *stormDaemon) waitFollow(what string, within time.Duration, cond func(*protocol.FollowStatus, protocol.FollowedTree) bool) (*protocol.FollowStatus, protocol.FollowedTree) {
	d.w.t.Helper()
	deadline := time.Now().Add(within)
	for {
		fs, tr := d.follow()
		if cond(fs, tr) {
			return fs, tr
		}
		if time.Now().After(deadline) {
			d.w.t.Fatalf("%s: not within %v; following is at %+v, the home tree at %+v", what, within, *fs, tr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// setFast gives files metadata::tag with Set calls from four clients,
// each keeping many calls in flight, as busy applications do.
func (d *stormDaemon) setFast(rels []string, value func(i int) string) {
	d.w.t.Helper()
	const clients, inFlight = 4, 256
	tree := bs(d.w.treefile())
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		obj, conn := metadataClient(d.w.t, d.w.s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			done := make(chan *dbus.Call, inFlight)
			sent, answered := 0, 0
			for i := c; i < len(rels); i += clients {
				if sent-answered == inFlight {
					if call := <-done; call.Err != nil {
						errs <- call.Err
						return
					}
					answered++
				}
				obj.Go("org.gtk.vfs.Metadata.Set", 0, done, tree, bs("/"+rels[i]), map[string]dbus.Variant{tagKey: dbus.MakeVariant(value(i))})
				sent++
			}
			for ; answered < sent; answered++ {
				if call := <-done; call.Err != nil {
					errs <- call.Err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		d.w.t.Fatalf("Set: %v", err)
	}
}

// treeTags reads every metadata::tag of the home tree from its files (the
// tree merged with its journal), as gvfs-meta dump does: by tree path.
func (d *stormDaemon) treeTags() map[string]string {
	d.w.t.Helper()
	st, err := store.Open(d.w.treefile(), store.Options{ReadOnly: true})
	if err != nil {
		d.w.t.Fatal(err)
	}
	defer st.Close()
	root, _, err := st.Merged()
	if err != nil {
		d.w.t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(n *format.Node, p string)
	walk = func(n *format.Node, p string) {
		for _, kv := range n.Keys {
			if kv.Key == tagKey {
				out[p] = kv.Value
			}
		}
		for _, k := range n.Children {
			walk(k, joinTreePath(p, k.Name))
		}
	}
	walk(root, "/")
	return out
}

func joinTreePath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// watchedFor is how many directories following must watch for paths
// with metadata (relative to HOME): the directory of each, and each of
// its parents up to HOME, HOME included.
func watchedFor(rels []string) int {
	dirs := map[string]bool{".": true}
	for _, r := range rels {
		for d := filepath.Dir(r); d != "."; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	return len(dirs)
}

// makeFiles creates empty files under HOME, quickly.
func (d *stormDaemon) makeFiles(rels []string) {
	d.w.t.Helper()
	made := map[string]bool{}
	for _, r := range rels {
		p := d.w.home(r)
		if dir := filepath.Dir(p); !made[dir] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				d.w.t.Fatal(err)
			}
			made[dir] = true
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			d.w.t.Fatal(err)
		}
	}
}

// settled waits until the follower has scanned the home tree and taken
// every Set made so far (entries paths with metadata, the barrier's
// included), then until every rename made so far is settled, and
// returns what following shows then. Waiting for the entries first
// keeps a rename right after a Set out of the test: that the follower
// takes Sets in batches (noteDelay) is not what these tests are about.
func (d *stormDaemon) settled(entries int) (*protocol.FollowStatus, protocol.FollowedTree) {
	d.w.t.Helper()
	d.waitFollow("the follower ready with every entry", 2*time.Minute, func(fs *protocol.FollowStatus, tr protocol.FollowedTree) bool {
		return tr.Ready && tr.Entries == entries && fs.Pending == 0 && !fs.Busy
	})
	d.w.barrier.wait()
	return d.follow()
}

// followedRename renames a file with metadata, waits for the barrier,
// and checks that its metadata is at the new name and not at the old.
func (d *stormDaemon) followedRename(from, to, want string) {
	d.w.t.Helper()
	before, _ := d.follow()
	d.w.rename(from, to)
	d.w.barrier.wait()
	if got := d.w.tags([]string{to})[to]; got != want {
		d.w.t.Errorf("after mv %s %s, gio info shows tag %q at the new name, want %q", from, to, got, want)
	}
	if got := d.treeTags()["/"+from]; got != "" {
		d.w.t.Errorf("after mv %s %s, the old name still has tag %q", from, to, got)
	}
	after, _ := d.follow()
	if after.Followed < before.Followed+2 { // the rename and the barrier's
		d.w.t.Errorf("renames followed went from %d to %d over a rename and the barrier's", before.Followed, after.Followed)
	}
}

// TestStormUnpackingIntoAWatchedDirectoryCostsNoMoves unpacks a 100,000
// file archive with tar into a directory that holds files with metadata:
// the daemon lives on, moves nothing, rescans nothing, keeps the
// metadata where it was, gives none to the files unpacked, and still
// follows a rename in that directory.
func TestStormUnpackingIntoAWatchedDirectoryCostsNoMoves(t *testing.T) {
	start := time.Now()
	d := newStormWorld(t)
	w := d.w
	w.files("unpack/marked.txt", "unpack/other.txt")
	d.setFast([]string{"unpack/marked.txt", "unpack/other.txt"}, func(i int) string { return []string{"M", "O"}[i] })
	before, tree := d.settled(3)
	t.Logf("before the unpack: %d directories watched, %d entries", before.Watches, tree.Entries)

	// The archive: 60,000 files at its top, 40,000 in 40 directories, as
	// a source tarball or a photo export; built outside HOME.
	const files = 100000
	archive := filepath.Join(t.TempDir(), "storm.tar")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	buf := bufio.NewWriterSize(f, 1<<20)
	tw := tar.NewWriter(buf)
	var names []string
	for i := range 40 {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: fmt.Sprintf("sub%02d/", i), Mode: 0o755, ModTime: start}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range files {
		name := fmt.Sprintf("file%06d.dat", i)
		if i >= 60000 {
			name = fmt.Sprintf("sub%02d/file%06d.dat", (i-60000)/1000, i)
		}
		names = append(names, name)
		body := []byte(name + "\n")
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: start}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := buf.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	untar := time.Now()
	out, err := exec.Command("tar", "-x", "-f", archive, "-C", w.home("unpack")).CombinedOutput()
	if err != nil {
		t.Fatalf("tar -x: %v %s", err, out)
	}
	t.Logf("tar -x of %d files took %v", files, time.Since(untar))
	w.barrier.wait()
	d.alive()
	d.logFigures("unpacking 100,000 files")

	after, tree := d.follow()
	if after.Followed != before.Followed+1 { // the barrier's rename
		t.Errorf("renames followed went from %d to %d over the unpack and one barrier rename", before.Followed, after.Followed)
	}
	if after.Overflows != before.Overflows || after.Rescans != before.Rescans || after.FoundAgain != before.FoundAgain {
		t.Errorf("the unpack cost overflows %d -> %d, rescans %d -> %d, found again %d -> %d", before.Overflows, after.Overflows, before.Rescans, after.Rescans, before.FoundAgain, after.FoundAgain)
	}
	if tree.Entries != 3 || tree.Unfound != 0 || after.Watches != before.Watches {
		t.Errorf("after the unpack: %d entries (%d unfound), %d directories watched; before: 3 entries, %d watched", tree.Entries, tree.Unfound, after.Watches, before.Watches)
	}
	if got := w.tags([]string{"unpack/marked.txt", "unpack/other.txt"}); got["unpack/marked.txt"] != "M" || got["unpack/other.txt"] != "O" {
		t.Errorf("after the unpack, gio info shows %v", got)
	}

	// No unpacked file has metadata: 200 of them, spread out.
	var sample []string
	for i := 0; i < files; i += files / 200 {
		sample = append(sample, "unpack/"+names[i])
	}
	md := w.info(sample...)
	for i, m := range md {
		if len(m) > 0 {
			t.Errorf("the unpacked %s has metadata %v", sample[i], m)
		}
	}
	tags := d.treeTags()
	for p := range tags {
		if strings.HasPrefix(p, "/unpack/") && p != "/unpack/marked.txt" && p != "/unpack/other.txt" {
			t.Errorf("the tree has metadata for %s after the unpack", p)
		}
	}

	// A rename in the directory is still followed.
	d.followedRename("unpack/marked.txt", "unpack/renamed.txt", "M")
	d.alive()
	t.Logf("the test took %v", time.Since(start))
}

// TestStormRemovingAWatchedTreeKeepsItsMetadataUntilGC removes, with
// rm -rf, a tree of 100 directories holding 10,000 files with metadata.
// Their metadata stays (gvfs-meta gc is what removes metadata of files
// that are gone), counted as unfound; the watches of the directories
// removed go; renames elsewhere are still followed.
func TestStormRemovingAWatchedTreeKeepsItsMetadataUntilGC(t *testing.T) {
	start := time.Now()
	d := newStormWorld(t)
	w := d.w
	const dirs, per = 100, 100
	var rels []string
	for i := range dirs * per {
		rels = append(rels, fmt.Sprintf("doomed/d%02d/f%02d", i/per, i%per))
	}
	rels = append(rels, "kept/k.txt")
	d.makeFiles(rels)
	d.setFast(rels, func(i int) string {
		if i == dirs*per {
			return "K"
		}
		return fmt.Sprint(i)
	})
	wantWatched := watchedFor(append(rels, ".barrier/b0"))
	before, tree := d.settled(len(rels) + 1)
	if before.Watches != wantWatched {
		t.Errorf("before rm -rf: %d directories watched, want %d", before.Watches, wantWatched)
	}
	d.logFigures("setting 10,001 entries")
	t.Logf("before rm -rf: %d directories watched, %d entries", before.Watches, tree.Entries)

	rm := time.Now()
	if out, err := exec.Command("rm", "-rf", w.home("doomed")).CombinedOutput(); err != nil {
		t.Fatalf("rm -rf: %v %s", err, out)
	}
	t.Logf("rm -rf took %v", time.Since(rm))
	after, tree := d.waitFollow("the rescan after rm -rf", time.Minute, func(fs *protocol.FollowStatus, tr protocol.FollowedTree) bool {
		return fs.Rescans > before.Rescans && fs.Pending == 0 && !fs.Busy && tr.Unfound == dirs*per
	})
	d.alive()
	d.logFigures("rm -rf of 10,000 entries")
	t.Logf("after rm -rf: %d directories watched, %d entries, %d unfound, %d rescans (%d before)", after.Watches, tree.Entries, tree.Unfound, after.Rescans, before.Rescans)
	if tree.Entries != len(rels)+1 {
		t.Errorf("after rm -rf the follower has %d entries, want %d (metadata stays until gc)", tree.Entries, len(rels)+1)
	}
	if want := watchedFor([]string{"kept/k.txt", ".barrier/b0"}); after.Watches != want {
		t.Errorf("after rm -rf: %d directories watched, want %d (HOME, kept, .barrier)", after.Watches, want)
	}
	if after.Followed != before.Followed || after.FoundAgain != before.FoundAgain {
		t.Errorf("rm -rf moved metadata: followed %d -> %d, found again %d -> %d", before.Followed, after.Followed, before.FoundAgain, after.FoundAgain)
	}
	tags := d.treeTags()
	missing := 0
	for i, r := range rels[:dirs*per] {
		if got := tags["/"+r]; got != fmt.Sprint(i) {
			if missing++; missing <= 5 {
				t.Errorf("after rm -rf the tree has tag %q for /%s, want %q", got, r, fmt.Sprint(i))
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d removed files lost their metadata before gc", missing, dirs*per)
	}

	d.followedRename("kept/k.txt", "kept/k2.txt", "K")
	d.alive()
	t.Logf("the test took %v", time.Since(start))
}

// TestStormQueueOverflowEndsWithEveryFilesMetadataAtItsName renames 2,000
// files with metadata 20 times each between two watched directories
// (40,000 renames), the second half while the daemon is busy moving the
// metadata of the first, so that the kernel's event queue (16,384 events
// by default) overflows. After the rescan, every file's metadata is at
// its last name, once: no file shows another's, none is left behind.
func TestStormQueueOverflowEndsWithEveryFilesMetadataAtItsName(t *testing.T) {
	start := time.Now()
	d := newStormWorld(t)
	w := d.w
	const files, steps = 2000, 20
	name := func(k, step int) string {
		return fmt.Sprintf("storm/%c/f%04d-%02d", "ab"[step%2], k, step)
	}
	var rels []string
	for k := range files {
		rels = append(rels, name(k, 0))
	}
	rels = append(rels, "storm/b/anchor") // b is watched from the start
	d.makeFiles(rels)
	value := func(k int) string { return fmt.Sprintf("v%04d", k) }
	d.setFast(rels, func(i int) string {
		if i == files {
			return "anchor"
		}
		return value(i)
	})
	before, _ := d.settled(len(rels) + 1)
	d.logFigures("setting 2,001 entries")

	// An application keeps writing during the storm: how long its calls
	// wait is logged (the status calls that wait for the storm to settle
	// are answered by the daemon in turn with them).
	probe, probeConn := metadataClient(t, w.s)
	stopProbe, probeDone := make(chan struct{}), make(chan struct{})
	var slowestSet time.Duration
	var probeErr error
	go func() {
		defer close(probeDone)
		for i := 0; ; i++ {
			select {
			case <-stopProbe:
				return
			case <-time.After(20 * time.Millisecond):
			}
			at := time.Now()
			err := probe.Call("org.gtk.vfs.Metadata.Set", 0, bs(w.treefile()), bs("/storm/b/anchor"), map[string]dbus.Variant{"probe": dbus.MakeVariant(fmt.Sprint(i))}).Err
			slowestSet = max(slowestSet, time.Since(at))
			if err != nil {
				probeErr = err
				return
			}
		}
	}()
	stop := sync.OnceFunc(func() { close(stopProbe); <-probeDone; probeConn.Close() })
	defer stop()
	d.slowestStatus = 0

	renames := time.Now()
	renameStep := func(step int) {
		for k := range files {
			if err := os.Rename(w.home(name(k, step-1)), w.home(name(k, step))); err != nil {
				t.Fatal(err)
			}
		}
	}
	for step := 1; step <= steps/2; step++ {
		renameStep(step)
	}
	// The first half's grace runs out: the daemon moves its metadata
	// while the second half comes.
	time.Sleep(1200 * time.Millisecond)
	for step := steps/2 + 1; step <= steps; step++ {
		renameStep(step)
	}
	t.Logf("%d renames took %v (with a pause of 1.2 s)", files*steps, time.Since(renames))

	// The rescan comes 2 s after an overflow; wait until it came, nothing
	// is pending, and nothing changes for 3 s.
	var after *protocol.FollowStatus
	var tree protocol.FollowedTree
	for deadline := time.Now().Add(2 * time.Minute); ; {
		after, tree = d.waitFollow("the storm settled", 2*time.Minute, func(fs *protocol.FollowStatus, tr protocol.FollowedTree) bool {
			return fs.Pending == 0 && !fs.Busy && (fs.Overflows == before.Overflows || fs.Rescans > before.Rescans)
		})
		time.Sleep(3 * time.Second)
		again, tr := d.follow()
		if again.Pending == 0 && !again.Busy && again.Rescans == after.Rescans && again.Overflows == after.Overflows && again.Followed == after.Followed && again.FoundAgain == after.FoundAgain {
			after, tree = again, tr
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("following did not settle: %+v", *again)
		}
	}
	stop()
	if probeErr != nil {
		t.Errorf("a Set call during the storm: %v", probeErr)
	}
	t.Logf("during the storm, the slowest Set call took %v, the slowest status call %v", slowestSet, d.slowestStatus)
	d.alive()
	d.logFigures("40,000 renames")
	t.Logf("after the storm: %d overflows, %d rescans (%d before), %d renames followed, %d found again, %d kept at their name, %d entries, %d unfound; settled %v after the first rename",
		after.Overflows-before.Overflows, after.Rescans, before.Rescans, after.Followed-before.Followed, after.FoundAgain-before.FoundAgain, after.KeptAtName-before.KeptAtName, tree.Entries, tree.Unfound, time.Since(renames))
	if after.Overflows <= before.Overflows {
		t.Errorf("the kernel's event queue did not overflow (queue_overflows %d); the test did not test what it says", after.Overflows)
	}
	if !strings.Contains(d.stderr.String(), "overflowed") {
		t.Errorf("the daemon did not say that the queue overflowed: %s", d.stderr.String())
	}

	// Every file shows its own value at its last name, with gio.
	var last []string
	for k := range files {
		last = append(last, name(k, steps))
	}
	got := w.tags(last)
	wrong := 0
	for k, r := range last {
		if got[r] != value(k) {
			if wrong++; wrong <= 5 {
				t.Errorf("gio info %s shows tag %q, want %q", r, got[r], value(k))
			}
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d files do not show their own metadata at their last name", wrong, files)
	}
	// And the tree holds each value once, at that name.
	tags := d.treeTags()
	seen := map[string][]string{}
	for p, v := range tags {
		if strings.HasPrefix(p, "/storm/") {
			seen[v] = append(seen[v], p)
		}
	}
	for k := range files {
		if ps := seen[value(k)]; len(ps) != 1 || ps[0] != "/"+name(k, steps) {
			if wrong++; wrong <= 10 {
				sort.Strings(ps)
				t.Errorf("the tree has %s at %v, want only at /%s", value(k), ps, name(k, steps))
			}
		}
	}
	if len(seen) != files+1 {
		t.Errorf("the tree has %d distinct tags under /storm, want %d", len(seen), files+1)
	}
	if tree.Unfound != 0 || tree.Entries != len(rels)+1 {
		t.Errorf("after the storm: %d entries, %d unfound; want %d, 0", tree.Entries, tree.Unfound, len(rels)+1)
	}

	d.followedRename(name(0, steps), "storm/a/after", value(0))
	d.alive()
	t.Logf("the test took %v", time.Since(start))
}

// TestWatched100kTreeWatchesItsDirectoriesOnceAndFollows gives 100,000
// files in 1,000 directories metadata and checks that following watches
// exactly those directories and their parents up to HOME, stays under
// the user's watch limit, and follows a rename.
func TestWatched100kTreeWatchesItsDirectoriesOnceAndFollows(t *testing.T) {
	start := time.Now()
	d := newStormWorld(t)
	w := d.w
	const dirs, per = 1000, 100
	var rels []string
	for i := range dirs * per {
		rels = append(rels, fmt.Sprintf("big/d%03d/f%02d", i/per, i%per))
	}
	made := time.Now()
	d.makeFiles(rels)
	t.Logf("creating %d files took %v", len(rels), time.Since(made))
	set := time.Now()
	d.setFast(rels, func(i int) string { return fmt.Sprint(i) })
	t.Logf("%d Set calls took %v (%.0f/s)", len(rels), time.Since(set), float64(len(rels))/time.Since(set).Seconds())
	fs, tree := d.settled(len(rels) + 1)
	d.alive()
	rss, peak := d.memory()
	d.logFigures("setting 100,000 entries")
	want := watchedFor(append(rels, ".barrier/b0"))
	t.Logf("%d entries: %d directories watched (want %d), watch limit reached %v; RSS %d KiB, peak %d KiB", tree.Entries, fs.Watches, want, fs.WatchLimited, rss, peak)
	if fs.Watches != want {
		t.Errorf("%d directories watched for %d directories with metadata, want %d (with their parents up to HOME and the barrier's)", fs.Watches, dirs, want)
	}
	if fs.WatchLimited {
		t.Errorf("the watch limit is reached at %d watches", fs.Watches)
	}
	if tree.Unfound != 0 {
		t.Errorf("%d entries unfound", tree.Unfound)
	}
	d.followedRename("big/d500/f50", "big/d500/renamed", "50050")
	d.followedRename("big/d999", "big/moved", "")
	if got := w.tags([]string{"big/moved/f99"})["big/moved/f99"]; got != "99999" {
		t.Errorf("after mv big/d999 big/moved, gio info shows tag %q for big/moved/f99, want 99999", got)
	}
	t.Logf("the test took %v", time.Since(start))
}
