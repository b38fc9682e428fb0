package main

import (
	"errors"
	"fmt"
	"testing"
)

func TestGarbledMessagesAreLoggedAtPowersOfTen(t *testing.T) {
	var lines []string
	d := &daemon{logf: func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }}
	for range 1234 {
		d.garbled(errors.New("bad header"))
	}
	want := []string{
		"dropped 1 messages from the bus that do not parse; the last: bad header",
		"dropped 10 messages from the bus that do not parse; the last: bad header",
		"dropped 100 messages from the bus that do not parse; the last: bad header",
		"dropped 1000 messages from the bus that do not parse; the last: bad header",
	}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("logged %q, want %q", lines, want)
	}
}
