// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"gvfs-metadata/compat/client"
	"gvfs-metadata/compat/resolve"
)

// lazyClient connects to the metadata daemon on first use, so commands
// that only read files work without a session bus.
type lazyClient struct {
	c   *client.Client
	err error
}

func (l *lazyClient) get() (*client.Client, error) {
	if l.c == nil && l.err == nil {
		l.c, l.err = client.Connect()
	}
	return l.c, l.err
}

func (l *lazyClient) close() {
	if l.c != nil {
		l.c.Close()
	}
}

// newResolver maps files to trees as applications do, asking the daemon
// to name removable volumes' trees when a file is on one.
func newResolver(l *lazyClient) (*resolve.Resolver, error) {
	return resolve.FromEnvironment(func(major, minor uint32) (string, error) {
		c, err := l.get()
		if err != nil {
			return "", err
		}
		return c.TreeFromDevice(major, minor)
	})
}
