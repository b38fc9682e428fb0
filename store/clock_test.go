// SPDX-License-Identifier: LGPL-2.0-or-later

package store

import (
	"os"
	"testing"
	"time"

	"gvfs-metadata/format"
)

// TestAClockOutsideTheUsualRangeStillWrites: a machine whose clock says
// 1969 (a dead RTC battery reads as a negative time on some boards) or
// after 2038 (where a 32-bit time_t ends) still stores every write, in
// the journal and through rotations, in a tree that checks clean.
func TestAClockOutsideTheUsualRangeStillWrites(t *testing.T) {
	for _, when := range []time.Time{
		time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC),
		time.Date(1901, 12, 13, 20, 45, 52, 0, time.UTC), // the smallest 32-bit time_t
		time.Date(2038, 1, 19, 3, 14, 8, 0, time.UTC),    // one past the largest
		time.Date(2107, 3, 1, 0, 0, 0, 0, time.UTC),      // past a uint32 of seconds
	} {
		t.Run(when.Format("2006-01-02"), func(t *testing.T) {
			now := when
			w, r, path := openPair(t, OS{}, func() time.Time { return now })
			if err := w.Set("/first", "k", "1"); err != nil {
				t.Fatal(err)
			}
			// Time goes on, and once back across the epoch.
			now = now.Add(-48 * time.Hour)
			if err := w.Set("/second", "k", "2"); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatalf("a rotation at %v: %v", now, err)
			}
			now = now.Add(100 * 24 * time.Hour)
			if err := w.Move("/first", "/moved"); err != nil {
				t.Fatal(err)
			}
			if err := w.Compact(); err != nil {
				t.Fatalf("a full rewrite at %v: %v", now, err)
			}
			for p, want := range map[string]string{"/moved": "1", "/second": "2"} {
				if v, ok := mustGet(t, r, p, "k"); !ok || v.Value != want {
					t.Errorf("%s reads %q (found %v), want %q", p, v.Value, ok, want)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if problems := format.CheckTree(data); len(problems) > 0 {
				t.Errorf("the tree written at %v has problems: %v", now, problems)
			}
		})
	}
}
