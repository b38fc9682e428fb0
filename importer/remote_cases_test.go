// SPDX-License-Identifier: LGPL-2.0-or-later

package importer

// remoteCase is a remote location and the tree and path GIO gives it. The
// same table drives the unit test (TestRemoteTreeNamesFollowGIO) and the
// check against the real client (TestRemoteTreeNamesMatchGioSet), so the
// rule and this table cannot drift apart unnoticed.
type remoteCase struct {
	uri, tree, path string
}

var remoteCases = []remoteCase{
	// sftp: generic decoder; host lower-cased, default port 22 dropped,
	// ssh an alias, the scheme's case ignored.
	{"sftp://me@Example.COM/home/me/x y", "sftp:host=example.com,user=me", "/home/me/x y"},
	{"sftp://example.com:22/a", "sftp:host=example.com", "/a"},
	{"sftp://example.com:2222/a", "sftp:host=example.com,port=2222", "/a"},
	{"ssh://me@example.com/b", "sftp:host=example.com,user=me", "/b"},
	{"SFTP://h2/up", "sftp:host=h2", "/up"},
	{"sftp://h/%C3%A9t%C3%A9/z", "sftp:host=h", "/été/z"},
	{"sftp://us%20er:secret@h/x", "sftp:host=h,user=us%20er", "/x"},
	{"sftp://h/a/../b/./c//d/", "sftp:host=h", "/b/c/d"},
	{"sftp://h", "sftp:host=h", "/"},
	// IPv6 literals lose their brackets, and ':' is escaped.
	{"sftp://[::1]/x", "sftp:host=%3A%3A1", "/x"},
	{"sftp://[FE80::1]:2222/x", "sftp:host=fe80%3A%3A1,port=2222", "/x"},
	// ftp family: user kept even when anonymous; query as an item.
	{"ftp://anonymous@ftp.example.org/pub/f", "ftp:host=ftp.example.org,user=anonymous", "/pub/f"},
	{"ftp://ftp.example.org:21/pub/g", "ftp:host=ftp.example.org", "/pub/g"},
	{"ftp://h/a?q=1", "ftp:host=h,query=q%3D1", "/a"},
	{"ftps://h:21/x", "ftps:host=h", "/x"},
	{"ftpis://h:990/x", "ftpis:host=h", "/x"},
	// dav: the http mapper; host as written, ssl item, the whole path
	// (no mount prefix on the client side).
	{"dav://me@dav.example.com/remote.php/webdav/Doc/f", "dav:host=dav.example.com,ssl=false,user=me", "/remote.php/webdav/Doc/f"},
	{"davs://dav.example.com:443/dir/f", "dav:host=dav.example.com,ssl=true", "/dir/f"},
	{"davs://dav.example.com:8443/dir/f", "dav:host=dav.example.com,port=8443,ssl=true", "/dir/f"},
	{"dav://Dav.Example.com:80/d", "dav:host=Dav.Example.com,ssl=false", "/d"},
	// smb: the smb mapper; names case-folded, path below the share.
	{"smb://Server/Share/dir/f", "smb-share:server=server,share=share", "/dir/f"},
	{"smb://server/share", "smb-share:server=server,share=share", "/"},
	{"smb://DOM;bob@server/share/f", "smb-share:domain=DOM,server=server,share=share,user=bob", "/f"},
	{"smb://server:139/share/f", "smb-share:port=139,server=server,share=share", "/f"},
	{"smb://server:445/share/f", "smb-share:server=server,share=share", "/f"},
	{"smb://server/", "smb-server:server=server", "/"},
	{"smb:///x", "smb-network:", "/x"},
}
