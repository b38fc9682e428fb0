// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMachineIDIsReadAndCheckedAsGDBusDoes: the D-Bus directory's file
// first, then /etc's; 32 lowercase hex digits, not all zeros, and a
// newline, or GDBus's error (org.freedesktop.DBus.Error.Failed, its text
// word for word: GLib 2.74's strings).
func TestMachineIDIsReadAndCheckedAsGDBusDoes(t *testing.T) {
	dir := t.TempDir()
	varLib, etc := filepath.Join(dir, "var-lib-machine-id"), filepath.Join(dir, "etc-machine-id")
	saved := machineIDFiles
	machineIDFiles = [2]string{varLib, etc}
	t.Cleanup(func() { machineIDFiles = saved })
	const good, other = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
	invalid := "Invalid machine ID in " + varLib + " or " + etc
	for _, c := range []struct {
		name         string
		varLib, etc  *string
		want, errMsg string
	}{
		{"only /etc", nil, ptr(good + "\n"), good, ""},
		{"the D-Bus one first", ptr(other + "\n"), ptr(good + "\n"), other, ""},
		{"neither", nil, nil, "", "Unable to load " + varLib + " or " + etc + ": Failed to open file “" + varLib + "”: No such file or directory"},
		{"empty", ptr(""), ptr(good + "\n"), "", invalid},
		{"no newline", ptr(good), nil, "", invalid},
		{"upper case", ptr("0123456789ABCDEF0123456789ABCDEF\n"), nil, "", invalid},
		{"all zeros", ptr("00000000000000000000000000000000\n"), nil, "", invalid},
		{"too short", ptr("0123456789abcdef\n"), nil, "", invalid},
		{"garbage after", ptr(good + "\nx"), nil, "", invalid},
		{"not hex", ptr("0123456789abcdef0123456789abcdeg\n"), nil, "", invalid},
	} {
		os.Remove(varLib)
		os.Remove(etc)
		for path, content := range map[string]*string{varLib: c.varLib, etc: c.etc} {
			if content != nil {
				if err := os.WriteFile(path, []byte(*content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		id, err := machineID()
		switch {
		case c.errMsg == "" && (err != nil || id != c.want):
			t.Errorf("%s: %q, %v; want %q", c.name, id, err, c.want)
		case c.errMsg != "" && (err == nil || err.name != errFailedDBus || err.msg != c.errMsg):
			t.Errorf("%s: %q, %v; want %s: %s", c.name, id, err, errFailedDBus, c.errMsg)
		}
	}
}

func ptr(s string) *string { return &s }
