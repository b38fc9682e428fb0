module gvfs-metadata

go 1.22

require golang.org/x/sys v0.30.0

require github.com/godbus/dbus/v5 v5.1.0
