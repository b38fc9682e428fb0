// SPDX-License-Identifier: LGPL-2.0-or-later

package resolve

import "testing"

func TestMountSpecStringEscapesValuesAndAddsThePrefix(t *testing.T) {
	spec := MountSpec{Type: "dav", Items: map[string]string{
		"user": "a b/c,d=e", "host": "h", "ssl": "true", "x": "$&'()*+~", "u": "été\xff",
	}, Prefix: "/remote.php/web dav"}
	want := "dav:host=h,ssl=true,u=été%FF,user=a%20b%2Fc%2Cd%3De,x=$&'()*+~,prefix=%2Fremote.php%2Fweb%20dav"
	if got := spec.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// The prefix's comma is written even with no items before it.
	if got := (MountSpec{Type: "t", Prefix: "/p"}).String(); got != "t:,prefix=%2Fp" {
		t.Errorf("prefix only: %s", got)
	}
}

func TestSMBNamesFoldCase(t *testing.T) {
	cases := map[string]string{"SERVER": "server", "Straße": "strasse", "ÉTÉ": "été", "A\xffB": "a\xffb"}
	for in, want := range cases {
		if got := foldSMB(in); got != want {
			t.Errorf("foldSMB(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnescapeLikeGLib(t *testing.T) {
	ok := map[string]string{"a%20b": "a b", "%2f": "/", "100%25": "100%", "plain": "plain", "%C3%A9": "é"}
	for in, want := range ok {
		if got, good := Unescape(in, ""); !good || got != want {
			t.Errorf("Unescape(%q) = %q %v", in, got, good)
		}
	}
	for _, bad := range []string{"%", "%2", "%zz", "a%00b"} {
		if got, good := Unescape(bad, ""); good {
			t.Errorf("Unescape(%q) = %q, want failure", bad, got)
		}
	}
	if _, good := Unescape("a%2Fb", "/"); good {
		t.Error("an escaped illegal byte was accepted")
	}
}
