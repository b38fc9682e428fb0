package main

import (
	"testing"
	"time"
)

func TestParseArgsLikeGLib(t *testing.T) {
	o, err := parseArgs([]string{"-r", "--idle-exit=90s"})
	if err != nil || !o.replace || o.idleExit != 90*time.Second {
		t.Fatalf("%+v %v", o, err)
	}
	o, err = parseArgs([]string{"--replace", "--idle-exit", "2m"})
	if err != nil || !o.replace || o.idleExit != 2*time.Minute {
		t.Fatalf("%+v %v", o, err)
	}
	for _, bad := range [][]string{{"--bogus"}, {"--idle-exit"}, {"--idle-exit=soon"}, {"-x"}} {
		if _, err := parseArgs(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if _, err := parseArgs([]string{"--bogus"}); err.Error() != "Unknown option --bogus" {
		t.Errorf("message %q", err)
	}
}
