// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"gvfs-metadata/internal/version"
)

// writeManPage writes gvfs-meta(1) in roff, made from every command's
// --help text, so the manual and the help never disagree. The build
// installs its output (`gvfs-meta help --man`).
func writeManPage(w io.Writer) {
	fmt.Fprintf(w, ".TH GVFS-META 1 \"\" \"gvfs-metadata %s\" \"User Commands\"\n", roff(version.String()))
	fmt.Fprint(w, `.SH NAME
gvfs\-meta \- inspect, check, repair, move and back up GNOME file metadata
.SH SYNOPSIS
.B gvfs\-meta
.I COMMAND
.RI [ OPTIONS ]
.RI [ ARGS ]
.br
.B gvfs\-meta help
.RI [ COMMAND ]
.br
.B gvfs\-meta \-\-version
.SH DESCRIPTION
GIO applications (file managers, document viewers, file choosers) keep
per\-file metadata such as emblems, notes, icon positions and the last
page read in trees under
.IR ~/.local/share/gvfs\-metadata ,
which the metadata daemon
.BR gvfsd\-metadata (8)
writes and every application reads.
.B gvfs\-meta
shows where a file's metadata lives, reads and changes it, lists, checks,
repairs and backs up whole trees, moves files with their metadata, and
tells which daemon runs.
.PP
Commands that read trees read the files directly and need no daemon;
commands that change metadata go through the daemon, as applications do.
Options may come before or after the operands;
.B \-\-
ends them.
.SH COMMANDS
`)
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		d := docOf(name)
		fmt.Fprintf(w, ".SS \"gvfs\\-meta %s %s\"\n", roff(name), roff(d.synopsis))
		fmt.Fprintln(w, roffText(d.description))
		d.flags.VisitAll(func(f *flag.Flag) {
			arg, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(w, ".TP\n\\fB%s\\fR", roff(optionSpelling(f)))
			if arg != "" && !isBoolFlag(f) {
				fmt.Fprintf(w, " \\fI%s\\fR", roff(arg))
			}
			fmt.Fprintf(w, "\n%s\n", roffText(usage))
		})
		fmt.Fprintf(w, ".PP\nExample:\n.RS\n.nf\n%s\n.fi\n.RE\n", roffText(strings.TrimRight(d.example, "\n")))
	}
	fmt.Fprint(w, `.SH EXIT STATUS
.TP
.B 0
Success.
.TP
.B 1
The command failed, or found problems (verify, salvage), or no daemon runs
(status).
.TP
.B 2
Wrong usage; for get, as for gio info, a file that does not exist.
.SH FILES
.TP
.I ~/.local/share/gvfs\-metadata/
The trees: home (files under the home directory), root (other local files),
one per removable volume, and each tree's journal
.RI ( TREE\-XXXXXXXX.log ).
.SH ENVIRONMENT
.TP
.B XDG_DATA_HOME
Where the gvfs\-metadata directory is, instead of ~/.local/share.
.TP
.B DBUS_SESSION_BUS_ADDRESS
The session bus the daemon is reached on.
.SH SEE ALSO
.BR gio (1),
.BR gvfsd\-metadata (8)
`)
}

// roff escapes text for one roff line: backslashes, and hyphens, which
// are minus signs in options and paths.
func roff(s string) string {
	return strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
}

// roffText escapes a paragraph: each line as roff does, and a line that
// starts with a dot or quote kept as text.
func roffText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = roff(l)
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			l = `\&` + l
		}
		if l == "" {
			l = ".PP"
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}
