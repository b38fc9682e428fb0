// SPDX-License-Identifier: LGPL-2.0-or-later

// Package protocol names what the daemon and its clients say on the bus:
// the reference's service names, and the status call this daemon adds for
// `gvfs-meta status`.
package protocol

// StatusInterface and StatusMethod name the call that reports a daemon's
// state. Only this implementation answers it, and it is left out of the
// introspection data, which stays the reference's; the C daemon answers
// it with UnknownMethod, which is how a caller tells the two apart.
const (
	StatusInterface = "org.gtk.vfs.Metadata.Status"
	StatusMethod    = "Get"
	// RefindMethod (aay directories -> u found) has the daemon look below
	// the directories for the files of entries whose files are missing,
	// and move their metadata to them (`gvfs-meta refind`).
	RefindMethod = "Refind"
	// FlushMethod (aay tree files -> ()) has the daemon write the trees
	// out at once, laid out whole, so that what was removed before the
	// call is in none of their files when it returns (`gvfs-meta forget`).
	FlushMethod = "Flush"
)

// Status is the JSON document the status call returns as its one string.
type Status struct {
	Version    string       `json:"version"`
	Executable string       `json:"executable"`
	Started    string       `json:"started"` // RFC 3339
	Trees      []TreeStatus `json:"trees"`
	// Follow is what following renames made without GIO does; nil when
	// the daemon runs with --no-follow.
	Follow *FollowStatus `json:"follow,omitempty"`
}

// FollowStatus is the state of following renames.
type FollowStatus struct {
	Watches      int  `json:"watched_directories"`
	WatchLimited bool `json:"watch_limit_reached,omitempty"`
	Followed     int  `json:"renames_followed"`
	FoundAgain   int  `json:"found_again"`
	KeptAtName   int  `json:"kept_at_name"`
	Pending      int  `json:"pending"`
	// Busy: the follower was busy with a storm of renames when asked;
	// the figures are those it last reported.
	Busy      bool           `json:"busy,omitempty"`
	Overflows int            `json:"queue_overflows"`
	Rescans   int            `json:"rescans"`
	Trees     []FollowedTree `json:"trees"`
}

// FollowedTree is one tree whose files are followed.
type FollowedTree struct {
	TreeFile string `json:"tree_file"`
	Top      string `json:"top"`
	Entries  int    `json:"entries"`
	Unfound  int    `json:"unfound"`
	Ready    bool   `json:"ready"`
}

// TreeStatus is one open tree.
type TreeStatus struct {
	TreeFile       string `json:"tree_file"`
	Journal        string `json:"journal,omitempty"`
	JournalBytes   int    `json:"journal_bytes"`
	JournalUsed    int    `json:"journal_used_bytes"`
	JournalEntries int    `json:"journal_entries"`
	LastWrite      string `json:"last_write,omitempty"` // RFC 3339; empty: none since opened
	LastFlush      string `json:"last_flush,omitempty"` // RFC 3339; empty: none since opened
	FlushPending   bool   `json:"flush_pending"`
	OnNFS          bool   `json:"on_nfs,omitempty"`
	// OtherWriter is set once another process was seen writing the
	// tree (a second session's daemon, ours or the C one).
	OtherWriter *OtherWriterStatus `json:"other_writer,omitempty"`
}

// OtherWriterStatus counts what a daemon did about another writer of
// its tree: its own changes that writer's files had lost and that it
// wrote again, the other writer's entries it carried from journals it
// had left, and its own changes it stopped remembering: replaced by the
// other writer's newer ones, shown in a tree of the other writer's, or
// dropped for lack of room.
type OtherWriterStatus struct {
	WrittenAgain int `json:"written_again"`
	Carried      int `json:"carried"`
	Superseded   int `json:"superseded"`
	Shown        int `json:"shown"`
	Dropped      int `json:"dropped"`
}
