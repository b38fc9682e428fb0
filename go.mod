module gvfs-metadata

go 1.26

require (
	github.com/godbus/dbus/v5 v5.2.4 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
