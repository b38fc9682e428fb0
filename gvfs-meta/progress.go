// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress shows "label: done/total" on one terminal line, at most ten
// times a second, for commands that walk large trees. It stays silent
// when stderr is not a terminal, so logs and pipes get no noise.
type progress struct {
	w     io.Writer
	label string
	total int
	last  time.Time
	shown bool
}

func newProgress(stderr io.Writer, label string, total int) *progress {
	p := &progress{label: label, total: total}
	if f, ok := stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.w = stderr
		}
	}
	return p
}

func (p *progress) update(done int) {
	if p.w == nil || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.shown = true
	if p.total > 0 {
		fmt.Fprintf(p.w, "\r%s: %d/%d", p.label, done, p.total)
	} else {
		fmt.Fprintf(p.w, "\r%s: %d", p.label, done)
	}
}

// done clears the line.
func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
