package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// nautilusProgressThreshold is the number of files above which an import
// on a terminal shows how far it is: small imports finish before anyone
// would read it.
const nautilusProgressThreshold = 300

// nautilusIsTerminal reports whether w is a terminal (a variable so tests
// can pretend).
var nautilusIsTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// nautilusProgress is one line, redrawn in place at most ten times a
// second. A nil *nautilusProgress does nothing.
type nautilusProgress struct {
	w           io.Writer
	done, total int
	last        time.Time
	shown       bool
}

func (p *nautilusProgress) step() {
	if p == nil {
		return
	}
	p.done++
	if now := time.Now(); p.done == p.total || now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		fmt.Fprintf(p.w, "\rimporting: %d/%d files", p.done, p.total)
		p.shown = true
	}
}

// clear removes the line, so that other output starts at the margin; the
// next step draws it again.
func (p *nautilusProgress) clear() {
	if p == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, "\r\033[K")
	p.shown = false
	p.last = time.Time{}
}
