// SPDX-License-Identifier: LGPL-2.0-or-later

package follow

import (
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Tree is what following needs of one metadata tree. The daemon
// implements it over its store, so that every change following makes is
// the journal entry and the signal a client's call makes.
type Tree interface {
	// Paths lists every path that has keys.
	Paths() ([]string, error)
	// HasMetadata reports whether path or anything below it has keys.
	HasMetadata(path string) (bool, error)
	// Forget removes the metadata of path and everything below it, as a
	// client's Remove call (ForgetMissingAfter).
	Forget(path string) error
	// Follow moves the metadata of src and everything below it to dst,
	// exactly as a client's Move call, if and only if src or something
	// below it has keys: a Move of a path without metadata would clear
	// dst's. The check and the move are one step for the clients' calls.
	// It reports whether it moved anything.
	Follow(src, dst string) (bool, error)
}

// Config sets a Follower up.
type Config struct {
	// Grace is how long a rename waits before its metadata follows, to
	// let an editor's save take the old name again (see decide).
	Grace time.Duration
	// StateDir keeps the identities of the files that have metadata
	// (StateFile); "" keeps none.
	StateDir string
	// Logf reports what a user may want to know; nil for none.
	Logf func(format string, args ...any)
	// ForgetMissingAfter, when not 0, removes the metadata of entries
	// whose file has been missing that long (Tree.Forget); never on a
	// volume that is not mounted (it is not followed then), never below
	// a mount point that is empty (absentMount).
	ForgetMissingAfter time.Duration
	// Now is the clock missing files are timed with; time.Now when nil.
	Now func() time.Time
	// Fstab and Mountinfo are read for the mount points that are empty
	// now; /etc/fstab and /proc/self/mountinfo when "".
	Fstab, Mountinfo string
	// Forgot is told when a tree stops being followed because its top is
	// gone or is another file system now (a volume unmounted); Follow
	// may name it again later. Nil for none.
	Forgot func(tree string)
}

// DefaultGrace is long enough for every editor's save seen (vim, GLib's
// g_file_replace with a backup) and short enough that a user who renames
// a file and looks at it sees its metadata there.
const DefaultGrace = time.Second

// recentFor is how long a followed rename is remembered, so that the
// client's own Move of the same rename, if it comes after, does nothing.
const recentFor = 5 * time.Minute

// Follower watches the directories of the trees it follows and moves
// metadata with the files that are renamed in them.
type Follower struct {
	cfg Config
	in  *inotify

	// The watches: taken by the daemon's goroutines too, which watch a
	// new entry's directory before its Set is answered, so that a rename
	// right after the answer is seen. Guarded by wmu, as is each tree's
	// dirs trie; functions named ...Locked need it held.
	wmu     sync.Mutex
	trees   map[string]*tracked // by tree file
	wds     map[int32]*node     // watched directory nodes
	limited bool                // the watch limit was reached

	// Touched only by the loop goroutine.
	queue  []*item          // renames waiting for their grace, in order
	byCook map[uint32]*item // moves out of a watched directory awaiting their other half
	counts Counts
	dirty  bool // identities changed since the state files were written
	saveAt time.Time
	// expireAt is when missing files are next checked for their age.
	expireAt time.Time
	rescan   map[*tracked]time.Time
	search   map[*tracked][]string // where files that left view left from, to search near

	stopped atomic.Bool // the loop ended on an internal error

	// From the daemon's goroutines to the loop.
	mu       sync.Mutex
	notes    []note
	signaled bool // wake was sent for the notes waiting
	recent   map[moveKey]time.Time
	// recentKept is how many recent renames were left after the last
	// clearing.
	recentKept int
	lastStatus Status
	wake       chan struct{}
	status     chan chan Status
	events     chan []event
	quit       chan struct{}
	done       chan struct{}
}

// tracked is one followed tree.
type tracked struct {
	file    string // the tree file
	top     string // the directory its paths are relative to
	dev     uint64 // the file system of top when following started
	tree    Tree
	entries *node                 // paths with metadata, as the tree holds them
	dirs    *node                 // watched directories, as the disk holds them
	saved   map[string]savedEntry // from the state file, until the first scan
	lost    map[uint64][]*node    // entries whose file is missing, by inode
	unseen  int                   // entries whose file was missing at the last scan, never seen: counted, not held
	ready   bool                  // its first scan is done
}

// disk is where a tree path is on disk.
func (t *tracked) disk(p string) string {
	if p == "/" {
		return t.top
	}
	return filepath.Join(t.top, p)
}

// Counts are what following did since the daemon started.
type Counts struct {
	Followed   int // renames whose metadata followed
	FoundAgain int // files found again by identity
	KeptAtName int // renames whose old name was taken again within the grace: metadata stayed
	Overflows  int // times the kernel's event queue overflowed
	Rescans    int
	Expired    int // entries forgotten after their file was missing ForgetMissingAfter
}

type moveKey struct{ tree, src, dst string }

type noteKind int

const (
	noteFollow noteKind = iota
	noteChanged
	noteRemoved
	noteMoved
	noteRefind
	noteSave
	noteExpire
	noteRescan // tests
)

// note is something the daemon tells the loop.
type note struct {
	kind  noteKind
	tree  string
	path  string
	dst   string // noteMoved
	dirs  []string
	reply chan int
}

// Start begins following: nothing is watched until Follow names a tree.
func Start(cfg Config) (*Follower, error) {
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Forgot == nil {
		cfg.Forgot = func(string) {}
	}
	in, err := newInotify()
	if err != nil {
		return nil, err
	}
	f := &Follower{
		cfg: cfg, in: in,
		trees: map[string]*tracked{}, wds: map[int32]*node{}, byCook: map[uint32]*item{}, rescan: map[*tracked]time.Time{},
		recent: map[moveKey]time.Time{},
		wake:   make(chan struct{}, 1), status: make(chan chan Status), events: make(chan []event),
		quit: make(chan struct{}), done: make(chan struct{}),
	}
	go f.read()
	go f.loop()
	return f, nil
}

// Follow starts following the tree file tree, whose paths are relative to
// the directory top. Its watches are set up in the background.
func (f *Follower) Follow(tree, top string, t Tree) {
	f.wmu.Lock()
	_, known := f.trees[tree]
	if !known {
		if id, err := identify(top); err == nil && id.Dir {
			f.trees[tree] = &tracked{file: tree, top: top, dev: id.Dev, tree: t, entries: newRoot(), dirs: newRoot()}
		}
	}
	f.wmu.Unlock()
	if !known {
		f.tell(note{kind: noteFollow, tree: tree})
	}
}

// Changed tells that path was given keys by a client. Its directory is
// watched before Changed returns, so a rename right after is seen.
func (f *Follower) Changed(tree, path string) {
	f.watchFor(tree, path)
	f.tell(note{kind: noteChanged, tree: tree, path: path})
}

// watchFor watches the directory of a followed tree's path, and its
// parents.
func (f *Follower) watchFor(tree, path string) {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if t := f.trees[tree]; t != nil {
		f.watchParentsLocked(t, path)
	}
}

// Removed tells that a client removed path's metadata.
func (f *Follower) Removed(tree, path string) {
	f.tell(note{kind: noteRemoved, tree: tree, path: path})
}

// Moved tells that a client moved src's metadata to dst.
func (f *Follower) Moved(tree, src, dst string) {
	f.watchFor(tree, dst)
	f.tell(note{kind: noteMoved, tree: tree, path: src, dst: dst})
}

// FollowedAlready reports whether this rename's metadata was followed a
// short while ago: a client's Move of it that comes after must do nothing,
// as its source has no metadata left and the Move would clear dst's.
func (f *Follower) FollowedAlready(tree, src, dst string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	at, ok := f.recent[moveKey{tree, src, dst}]
	return ok && time.Since(at) < recentFor
}

// Refind looks in dirs (recursively, on their file systems) for the files
// of entries whose files are missing, and moves their metadata to them.
// It returns how many it found.
func (f *Follower) Refind(dirs []string) int { return f.ask(note{kind: noteRefind, dirs: dirs}) }

// Save writes the identities out now, once every note told before is
// taken: after a client removed metadata, its paths are in no file of
// the follower's either.
func (f *Follower) Save() { f.ask(note{kind: noteSave}) }

// Expire forgets, now, the entries whose file has been missing longer
// than Config.ForgetMissingAfter, and returns how many. The follower also
// does so after each scan and every expireEvery.
func (f *Follower) Expire() int { return f.ask(note{kind: noteExpire}) }

// ask hands the loop a note that wants an answer, and waits for it (0
// once the follower has stopped).
func (f *Follower) ask(n note) int {
	n.reply = make(chan int, 1)
	f.tell(n)
	select {
	case v := <-n.reply:
		return v
	case <-f.done:
		return 0
	}
}

// Close stops following and writes the identities out.
func (f *Follower) Close() {
	select {
	case <-f.quit:
	default:
		close(f.quit)
	}
	<-f.done
}

// tell hands a note to the loop. Only the first note of a batch wakes
// it: during a burst of Sets the loop takes them a batch at a time
// (noteDelay), not one wake-up per Set.
func (f *Follower) tell(n note) {
	if f.stopped.Load() {
		return
	}
	f.mu.Lock()
	f.notes = append(f.notes, n)
	wake := !f.signaled
	f.signaled = true
	f.mu.Unlock()
	if wake {
		select {
		case f.wake <- struct{}{}:
		default:
		}
	}
}

// noteDelay is how long the loop lets notes gather before it takes them.
// A rename's events are never taken before the notes told before them
// (takeNotes), so the delay never makes a rename right after a Set be
// missed.
const noteDelay = 20 * time.Millisecond

// read hands the kernel's events to the loop until the instance closes.
func (f *Follower) read() {
	for {
		evs, err := f.in.read()
		if len(evs) > 0 {
			select {
			case f.events <- evs:
			case <-f.quit:
				return
			}
		}
		if err != nil {
			if !errors.Is(err, os.ErrClosed) && !errors.Is(err, errShortEvent) {
				f.cfg.Logf("following renames: %v", err)
			}
			if !errors.Is(err, errShortEvent) {
				return
			}
		}
	}
}

// loop owns the state: it takes events, the daemon's notes and status
// requests, and acts when a rename's grace is over. It sleeps while
// nothing happens; a timer runs only while something is due.
func (f *Follower) loop() {
	defer close(f.done)
	// A bug here must not take the daemon's calls down with it: following
	// stops, said once in the log, and the daemon serves on as with
	// --no-follow. Every change following made went through Tree.Follow
	// whole, so nothing is half done.
	defer func() {
		if r := recover(); r != nil {
			f.stopped.Store(true)
			f.in.close()
			f.cfg.Logf("following renames stopped by an internal error: %v\n%s", r, debug.Stack())
		}
	}()
	var timer, notesTimer *time.Timer
	var due, notesDue <-chan time.Time
	defer func() {
		if notesTimer != nil {
			notesTimer.Stop()
		}
	}()
	for {
		select {
		case evs := <-f.events:
			// What the daemon told before the events were read comes
			// first: a Set answered before a rename watches its directory.
			f.takeNotes()
			f.handle(evs)
		case <-f.wake:
			if notesDue == nil {
				notesTimer = time.NewTimer(noteDelay)
				notesDue = notesTimer.C
			}
		case <-notesDue:
			notesDue = nil
			f.takeNotes()
		case <-due:
		case reply := <-f.status:
			reply <- f.statusNow()
		case <-f.quit:
			f.in.close()
			f.save(true)
			return
		}
		f.runDue(time.Now())
		if timer != nil {
			timer.Stop()
			timer, due = nil, nil
		}
		if next, ok := f.nextDue(); ok {
			timer = time.NewTimer(time.Until(next))
			due = timer.C
		}
	}
}

func (f *Follower) takeNotes() {
	f.mu.Lock()
	notes := f.notes
	f.notes = nil
	f.signaled = false
	f.mu.Unlock()
	for _, n := range notes {
		f.apply(n)
	}
}

// nextDue is when the loop next has something to do.
func (f *Follower) nextDue() (time.Time, bool) {
	var next time.Time
	set := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if len(f.queue) > 0 {
		set(f.queue[0].at.Add(f.cfg.Grace))
	}
	for _, at := range f.rescan {
		set(at)
	}
	if f.dirty {
		set(f.saveAt)
	}
	if f.cfg.ForgetMissingAfter > 0 {
		set(f.expireAt)
	}
	return next, !next.IsZero()
}

// runDue does what is due at now: renames past their grace, in order,
// then rescans, then writing the identities out.
func (f *Follower) runDue(now time.Time) {
	for len(f.queue) > 0 && !now.Before(f.queue[0].at.Add(f.cfg.Grace)) {
		it := f.queue[0]
		f.queue = f.queue[1:]
		f.settle(it)
	}
	for t, dirs := range f.search {
		delete(f.search, t)
		f.searchNear(t, dirs, searchBudget)
	}
	for t, at := range f.rescan {
		if !now.Before(at) {
			delete(f.rescan, t)
			f.scan(t)
		}
	}
	if f.cfg.ForgetMissingAfter > 0 && !now.Before(f.expireAt) {
		f.expireAt = now.Add(expireEvery)
		for _, t := range f.followed() {
			if t.ready {
				f.expire(t)
			}
		}
	}
	f.save(false)
}

// apply takes one note from the daemon.
func (f *Follower) apply(n note) {
	switch n.kind {
	case noteRefind:
		n.reply <- f.refind(n.dirs)
		return
	case noteSave:
		f.save(true)
		n.reply <- 0
		return
	case noteRescan:
		for _, t := range f.followed() {
			f.scan(t)
		}
		n.reply <- 0
		return
	case noteExpire:
		expired := 0
		for _, t := range f.followed() {
			if t.ready {
				expired += f.expire(t)
			}
		}
		f.save(true)
		n.reply <- expired
		return
	}
	t := f.tree(n.tree)
	if t == nil {
		if n.kind == noteFollow {
			f.cfg.Forgot(n.tree) // its top is not there
		}
		return
	}
	switch n.kind {
	case noteFollow:
		f.loadState(t)
		f.scan(t)
	case noteChanged:
		e := t.entries.ensure(n.path)
		if !e.meta {
			e.meta = true
			f.identifyEntry(t, e, n.path)
			if !e.id.Known() {
				// No file there: nothing to follow or find (the next
				// scan counts it as unfound).
				e.meta, e.lost = false, false
				e.prune()
				return
			}
			f.identifyParents(t, e, func(string) Identity { return Identity{} })
		}
	case noteRemoved:
		// The directories above go too once they hold nothing: their
		// names are in the state file as well.
		parent := t.entries.lookup(parentPath(n.path))
		if e := t.entries.detach(n.path); e != nil {
			f.dirty = true
			if parent != nil {
				parent.prune()
			}
		}
	case noteMoved:
		f.moveEntries(t, n.path, n.dst)
	}
}

// moveEntries moves what is known of src's entries to dst, as their
// metadata just moved, and watches where they are now.
func (f *Follower) moveEntries(t *tracked, src, dst string) {
	e := t.entries.detach(src)
	if e == nil {
		return
	}
	t.entries.attach(dst, e)
	f.dirty = true
	f.wmu.Lock()
	defer f.wmu.Unlock()
	e.walk(func(k *node) {
		k.lost, k.since = false, 0
		if k.meta {
			f.watchParentsLocked(t, k.path())
		}
	})
}

// identifyEntry records the identity of an entry's file, or marks it lost
// when there is none.
func (f *Follower) identifyEntry(t *tracked, e *node, p string) {
	id, err := identify(t.disk(p))
	if err != nil {
		e.lost = true
		return
	}
	if id != e.id || e.lost {
		e.id, e.lost, e.since = id, false, 0
		f.dirty = true
	}
	if f.saveAt.IsZero() || !f.dirty {
		f.saveAt = time.Now().Add(saveDelay)
	}
}

// expireEvery is how often, with ForgetMissingAfter set, entries whose
// files are missing are checked for their age: a wake-up an hour, only
// for those who asked for it.
const expireEvery = time.Hour

// saveDelay is how long after a change the identities are written: a
// burst of changes writes them once.
const saveDelay = 2 * time.Second

// save writes every tree's identities when they changed and it is time
// (or now, when forced).
func (f *Follower) save(force bool) {
	if !f.dirty || (!force && time.Now().Before(f.saveAt)) || f.cfg.StateDir == "" {
		return
	}
	f.dirty = false
	for _, t := range f.followed() {
		if !t.ready {
			continue
		}
		err := saveState(StateFile(f.cfg.StateDir, t.file), func(yield func(string, savedEntry)) {
			t.entries.walk(func(e *node) {
				if (e.meta || e.checked) && (e.id.Known() || e.since > 0) {
					yield(e.path(), savedEntry{e.id, e.since})
				}
			})
		})
		if err != nil {
			f.cfg.Logf("saving what follows %s: %v", t.file, err)
		}
	}
}

func (f *Follower) now() time.Time { return f.cfg.Now() }

// tree is the followed tree of a tree file, or nil.
func (f *Follower) tree(file string) *tracked {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	return f.trees[file]
}

// followed lists the followed trees.
func (f *Follower) followed() []*tracked {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	out := make([]*tracked, 0, len(f.trees))
	for _, t := range f.trees {
		out = append(out, t)
	}
	return out
}

// loadState reads what an earlier run saved of a tree.
func (f *Follower) loadState(t *tracked) {
	if f.cfg.StateDir == "" {
		return
	}
	saved, err := loadState(StateFile(f.cfg.StateDir, t.file))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			f.cfg.Logf("%v", err)
		}
		return
	}
	t.saved = saved
}
