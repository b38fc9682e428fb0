// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gvfs-metadata/compat/client"
	"gvfs-metadata/compat/protocol"
)

func init() {
	register("status", "show which metadata daemon runs, and its open trees", runStatus)
}

// daemonStatus is what status reports, also as its JSON.
type daemonStatus struct {
	Running     bool   `json:"running"`
	Activatable bool   `json:"activatable"`
	PID         uint32 `json:"pid,omitempty"`
	Executable  string `json:"executable,omitempty"`
	// Implementation is "gvfs-metadata" (this one) or "gvfs" (the C
	// daemon, which reports no status of its own).
	Implementation string                 `json:"implementation,omitempty"`
	Version        string                 `json:"version,omitempty"`
	Started        string                 `json:"started,omitempty"`
	Trees          []protocol.TreeStatus  `json:"trees"`
	Follow         *protocol.FollowStatus `json:"follow,omitempty"`
}

func runStatus(args []string, stdout, stderr io.Writer) int {
	flags := newFlags("status", "[--json]",
		"Show which daemon serves org.gtk.vfs.Metadata on this session's bus: its\n"+
			"process, executable and version (this implementation, or the C daemon of\n"+
			"gvfs), and for each tree it holds open the journal's fill, the last write,\n"+
			"the last flush, and whether another process (a second session's daemon)\n"+
			"writes the tree too (the C daemon does not tell those). Starts no daemon;\n"+
			"exits 1 when none runs.",
		"gvfs-meta status\n"+
			"gvfs-meta status --json | jq .implementation", stderr)
	asJSON := flags.Bool("json", false, "print one JSON object")
	if stop, status := parseCommand(flags, args, stdout, operands{0, 0, "no arguments"}); stop {
		return status
	}
	c, err := client.Connect()
	if err != nil {
		return fail(stderr, "status", err)
	}
	defer c.Close()
	st, err := readStatus(c)
	if err != nil {
		return fail(stderr, "status", err)
	}
	if *asJSON {
		b, _ := json.MarshalIndent(st, "", "  ")
		fmt.Fprintln(stdout, string(b))
	} else {
		printStatus(stdout, st)
	}
	if !st.Running {
		return exitProblems
	}
	return exitOK
}

func readStatus(c *client.Client) (*daemonStatus, error) {
	st := &daemonStatus{Trees: []protocol.TreeStatus{}}
	pid, err := c.Owner()
	if err != nil || pid == 0 {
		st.Activatable = err == nil && c.Activatable()
		return st, err
	}
	st.Running, st.PID = true, pid
	st.Executable, _ = os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	ours, err := c.Status()
	switch {
	case errors.Is(err, client.ErrNoStatus):
		st.Implementation = "gvfs"
		st.Trees = mappedTrees(pid)
	case err != nil:
		return nil, err
	default:
		st.Implementation, st.Version, st.Started, st.Trees, st.Follow = "gvfs-metadata", ours.Version, ours.Started, ours.Trees, ours.Follow
		if ours.Executable != "" {
			st.Executable = ours.Executable
		}
	}
	return st, nil
}

// mappedTrees finds the trees a daemon that reports no status holds: the
// tree files it has mapped (the reference maps each tree and its
// journal), with their journals' fill read from the files.
func mappedTrees(pid uint32) []protocol.TreeStatus {
	out := []protocol.TreeStatus{}
	f, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return out
	}
	defer f.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 {
			continue
		}
		file := strings.Join(fields[5:], " ")
		if filepath.Base(filepath.Dir(file)) != "gvfs-metadata" || strings.HasSuffix(file, ".log") || seen[file] {
			continue
		}
		seen[file] = true
		ts := protocol.TreeStatus{TreeFile: file}
		if s, err := openTree(file); err == nil {
			if stats, err := s.Stats(); err == nil {
				ts.Journal, ts.JournalBytes, ts.JournalUsed, ts.JournalEntries = stats.JournalPath, stats.JournalBytes, stats.JournalUsed, stats.JournalEntries
			}
			s.Close()
		}
		out = append(out, ts)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TreeFile < out[j].TreeFile })
	return out
}

func printStatus(w io.Writer, st *daemonStatus) {
	if !st.Running {
		if st.Activatable {
			fmt.Fprintln(w, "no metadata daemon runs; the bus starts one on the first call")
		} else {
			fmt.Fprintln(w, "no metadata daemon runs, and the bus knows none to start")
		}
		return
	}
	name := "the C daemon of gvfs (it reports no status of its own)"
	if st.Implementation == "gvfs-metadata" {
		name = "gvfs-metadata " + st.Version
	}
	fmt.Fprintf(w, "daemon:      %s\n", name)
	fmt.Fprintf(w, "pid:         %d\n", st.PID)
	exe := st.Executable
	if exe == "" {
		exe = "unknown"
	}
	fmt.Fprintf(w, "executable:  %s\n", quotePath(exe))
	if st.Started != "" {
		fmt.Fprintf(w, "started:     %s\n", st.Started)
	}
	fmt.Fprintf(w, "open trees:  %d\n", len(st.Trees))
	for _, t := range st.Trees {
		fmt.Fprintf(w, "  %s\n", quotePath(t.TreeFile))
		if t.Journal != "" {
			fmt.Fprintf(w, "    journal:     %s\n", journalFill(t.Journal, t.JournalBytes, t.JournalUsed, t.JournalEntries))
		}
		if st.Implementation != "gvfs-metadata" {
			continue
		}
		fmt.Fprintf(w, "    last write:  %s\n", orNone(t.LastWrite, "none since opened"))
		flush := orNone(t.LastFlush, "none since opened")
		if t.FlushPending {
			flush += " (one is pending)"
		}
		fmt.Fprintf(w, "    last flush:  %s\n", flush)
		if o := t.OtherWriter; o != nil {
			fmt.Fprintf(w, "    shared:      another process writes this tree too; %d own changes it lost written again, %d of its entries carried over, %d own changes forgotten (%d replaced by its newer ones, %d in its tree, %d for lack of room)\n",
				o.WrittenAgain, o.Carried, o.Superseded+o.Shown+o.Dropped, o.Superseded, o.Shown, o.Dropped)
		}
	}
	printFollow(w, st)
}

// printFollow shows what following renames made without GIO does.
func printFollow(w io.Writer, st *daemonStatus) {
	if st.Implementation != "gvfs-metadata" {
		return
	}
	f := st.Follow
	if f == nil {
		fmt.Fprintln(w, "following:   off (--no-follow)")
		return
	}
	limit := ""
	if f.WatchLimited {
		limit = " (the limit of inotify watches is reached: renames in directories past it are not followed)"
	}
	if f.Busy {
		limit += " (busy with renames: figures from its last answer)"
	}
	fmt.Fprintf(w, "following:   %d directories watched%s\n", f.Watches, limit)
	fmt.Fprintf(w, "  renames followed: %d, files found again: %d, saves that kept their name: %d, waiting: %d\n", f.Followed, f.FoundAgain, f.KeptAtName, f.Pending)
	for _, t := range f.Trees {
		state := ""
		if !t.Ready {
			state = " (still looking)"
		}
		fmt.Fprintf(w, "  %s: %d entries under %s, %d left unfound%s\n", quotePath(t.TreeFile), t.Entries, quotePath(t.Top), t.Unfound, state)
	}
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
