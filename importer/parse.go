// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gvfs-metadata/compat/resolve"
)

// Attr is one attribute of a <file> element: a string key as written.
type Attr struct {
	Key, Value string
}

// ListItem is one attribute of a child element of a <file>: in the old
// format, each adds one item to a string list.
type ListItem struct {
	Element, Attr, Value string
}

// Entry is one <file> element.
type Entry struct {
	// Name is the file name, URI-unescaped: raw bytes, "." for the
	// directory itself.
	Name string
	// Line is where the element starts.
	Line int
	// Timestamp is the time of the last change (Unix seconds), 0 if none.
	Timestamp int64
	// Strings are the other attributes, in document order.
	Strings []Attr
	// Items are the child elements' attributes, in document order.
	Items []ListItem
}

// Lists groups the list items the way the raw conversion names them:
// element E with attribute A gives the list "E-A", in order of first
// appearance, items in document order.
func (e *Entry) Lists() []ListKey {
	var lists []ListKey
	index := map[string]int{}
	for _, it := range e.Items {
		key := it.Element + "-" + it.Attr
		i, ok := index[key]
		if !ok {
			i = len(lists)
			index[key] = i
			lists = append(lists, ListKey{Key: key, Element: it.Element, Attr: it.Attr})
		}
		lists[i].Values = append(lists[i].Values, it.Value)
	}
	return lists
}

// ListKey is a string list named after the element and attribute its
// items come from.
type ListKey struct {
	Key           string // Element + "-" + Attr
	Element, Attr string
	Values        []string
}

// Parse reads one metafile from r as a stream, calling entry for each
// complete <file> element in document order and problem for everything
// wrong, each with its line. Names are unescaped and checked here;
// entries with a name that is not a single file name are reported and
// not passed on. Malformed XML ends the parse (the entries completed
// before it have been passed on); every other problem skips only what it
// is about. file names the metafile in problems.
func Parse(r io.Reader, file string, entry func(Entry), problem func(Problem)) {
	p := parser{d: xml.NewDecoder(r), file: file, entry: entry, problem: problem}
	p.run()
}

type parser struct {
	d       *xml.Decoder
	file    string
	entry   func(Entry)
	problem func(Problem)
	entries int // passed on so far
}

func (p *parser) report(line int, sev Severity, format string, args ...any) {
	p.problem(Problem{File: p.file, Line: line, Severity: sev, Msg: fmt.Sprintf(format, args...)})
}

// token returns the next token and the line it starts on. Whitespace
// between tags is a token of its own, so the position before reading a
// tag is the position of its '<'.
func (p *parser) token() (xml.Token, int, error) {
	line, _ := p.d.InputPos()
	tok, err := p.d.Token()
	return tok, line, err
}

// inside reads the next token of an element that has not ended yet; the
// end of the file there is a truncation, reported like any syntax error.
func (p *parser) inside() (xml.Token, int, bool) {
	tok, line, err := p.token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		p.syntaxError(err)
		return nil, line, false
	}
	return tok, line, true
}

func (p *parser) syntaxError(err error) {
	line, _ := p.d.InputPos()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		line = se.Line
		err = errors.New(se.Msg)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || err.Error() == "unexpected EOF" {
		err = errors.New("file ends in the middle of the document (truncated?)")
	}
	p.report(line, Error, "malformed XML: %v; the %d complete entries before this point are imported, nothing after it", err, p.entries)
}

func (p *parser) run() {
	sawRoot := false
	for {
		tok, line, err := p.token()
		if err == io.EOF {
			if !sawRoot {
				p.report(line, Error, "no <directory> element: not a Nautilus metafile")
			}
			return
		}
		if err != nil {
			p.syntaxError(err)
			return
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if sawRoot || start.Name.Local != "directory" {
			p.report(line, Error, "unknown element <%s> at the top level (expected one <directory>); skipped", qname(start.Name))
			if err := p.d.Skip(); err != nil {
				p.syntaxError(err)
				return
			}
			continue
		}
		sawRoot = true
		if !p.directory() {
			return
		}
	}
}

// directory reads the children of <directory> up to its end tag; false
// when the XML broke.
func (p *parser) directory() bool {
	return p.elements(func(t xml.StartElement, line int) bool {
		if t.Name.Local != "file" || t.Name.Space != "" {
			p.report(line, Error, "unknown element <%s> in <directory>; skipped", qname(t.Name))
			if err := p.d.Skip(); err != nil {
				p.syntaxError(err)
				return false
			}
			return true
		}
		e, keep := p.fileStart(t, line)
		if !p.fileChildren(&e) {
			return false
		}
		if keep {
			p.entries++
			p.entry(e)
		}
		return true
	})
}

// elements calls fn with each child element of the element being read,
// up to its end tag; false when the XML broke or fn said so.
func (p *parser) elements(fn func(t xml.StartElement, line int) bool) bool {
	for {
		tok, line, ok := p.inside()
		if !ok {
			return false
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return true
		case xml.StartElement:
			if !fn(t, line) {
				return false
			}
		}
	}
}

// fileStart reads the attributes of a <file>; keep is false when its
// name is unusable.
func (p *parser) fileStart(t xml.StartElement, line int) (e Entry, keep bool) {
	e.Line = line
	haveName := false
	for _, a := range t.Attr {
		switch key := qname(a.Name); key {
		case "name":
			haveName = true
			e.Name = a.Value
		case "timestamp":
			ts, err := strconv.ParseInt(a.Value, 10, 64)
			if err != nil || ts < 0 {
				p.report(line, Warning, "timestamp %q is not a time; ignored", a.Value)
				continue
			}
			e.Timestamp = ts
		default:
			e.Strings = append(e.Strings, Attr{Key: key, Value: a.Value})
		}
	}
	if !haveName {
		p.report(line, Error, "<file> without a name; skipped")
		return e, false
	}
	name, ok := resolve.Unescape(e.Name, "/")
	switch {
	case !ok:
		p.report(line, Error, "name %q does not unescape to a file name (broken %%XX escape, '/' or NUL); skipped", e.Name)
		return e, false
	case name == "" || name == ".." || strings.Contains(name, "/"):
		p.report(line, Error, "name %q is not a single file name; skipped", e.Name)
		return e, false
	}
	e.Name = name
	return e, true
}

// fileChildren reads the child elements of a <file> into its list items,
// up to its end tag; false when the XML broke.
func (p *parser) fileChildren(e *Entry) bool {
	return p.elements(func(t xml.StartElement, line int) bool {
		for _, a := range t.Attr {
			e.Items = append(e.Items, ListItem{Element: qname(t.Name), Attr: qname(a.Name), Value: a.Value})
		}
		return p.listElementEnd(t, line)
	})
}

// listElementEnd skips to the end of a list element, reporting anything
// nested in it: the format has nothing there.
func (p *parser) listElementEnd(t xml.StartElement, line int) bool {
	for {
		tok, inner, err := p.token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			p.syntaxError(err)
			return false
		}
		switch n := tok.(type) {
		case xml.EndElement:
			return true
		case xml.StartElement:
			p.report(inner, Error, "unknown element <%s> inside <%s> (line %d); skipped", qname(n.Name), qname(t.Name), line)
			if err := p.d.Skip(); err != nil {
				p.syntaxError(err)
				return false
			}
		}
	}
}

// qname is an element or attribute name as written (prefix:local; Go's
// decoder gives the namespace in place of the prefix when one is
// declared).
func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}
