// SPDX-License-Identifier: LGPL-2.0-or-later

// Package client calls the metadata daemon the way GIO applications do:
// org.gtk.vfs.Metadata on the session bus, byte-string arguments with a
// trailing NUL, values as string, string list, or a byte to unset.
package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/godbus/dbus/v5"

	"gvfs-metadata/compat/protocol"
)

// The metadata service's names, as godbus takes them.
const (
	busName    = protocol.BusName
	objectPath = dbus.ObjectPath(protocol.ObjectPath)
	iface      = protocol.Interface
)

// Client is a connection to the metadata daemon.
type Client struct {
	conn *dbus.Conn
	obj  dbus.BusObject
	own  bool
}

// Connect connects to the session bus. The daemon is started by D-Bus
// activation on the first call if it does not run.
func Connect() (*Client, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, fmt.Errorf("connecting to the session bus: %w", err)
	}
	return &Client{conn: conn, obj: conn.Object(busName, objectPath), own: true}, nil
}

// New uses an existing connection.
func New(conn *dbus.Conn) *Client {
	return &Client{conn: conn, obj: conn.Object(busName, objectPath)}
}

// Close closes the connection if Connect opened it.
func (c *Client) Close() error {
	if c.own {
		return c.conn.Close()
	}
	return nil
}

// Unset, as a value in Set, removes the key.
var Unset = struct{}{}

func bytestring(s string) []byte { return append([]byte(s), 0) }

// Error is an error the daemon answered with. Message is what GIO shows
// the user (the D-Bus name stripped).
type Error struct {
	Method  string
	Name    string
	Message string
}

func (e *Error) Error() string { return e.Message }

func wrap(method string, err error) error {
	var de dbus.Error
	if errors.As(err, &de) {
		msg := de.Name
		if len(de.Body) > 0 {
			if s, ok := de.Body[0].(string); ok {
				msg = s
			}
		}
		return &Error{Method: method, Name: de.Name, Message: msg}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}

// Set sets keys of path in treefile: each value is a string, a []string,
// or Unset.
func (c *Client) Set(treefile, path string, values map[string]any) error {
	data := make(map[string]dbus.Variant, len(values))
	for k, v := range values {
		switch v := v.(type) {
		case string, []string:
			data[k] = dbus.MakeVariant(v)
		case struct{}:
			data[k] = dbus.MakeVariant(byte(0))
		default:
			return fmt.Errorf("value of %q: unsupported type %T", k, v)
		}
	}
	return wrap("Set", c.obj.Call(iface+".Set", 0, bytestring(treefile), bytestring(path), data).Err)
}

// Remove removes path and everything under it from treefile.
func (c *Client) Remove(treefile, path string) error {
	return wrap("Remove", c.obj.Call(iface+".Remove", 0, bytestring(treefile), bytestring(path)).Err)
}

// Move moves path's metadata (and its subtree's) to dest in treefile.
func (c *Client) Move(treefile, path, dest string) error {
	return wrap("Move", c.obj.Call(iface+".Move", 0, bytestring(treefile), bytestring(path), bytestring(dest)).Err)
}

// TreeFromDevice names the metadata tree of a block device ("" for none).
func (c *Client) TreeFromDevice(major, minor uint32) (string, error) {
	var tree string
	err := c.obj.Call(iface+".GetTreeFromDevice", 0, major, minor).Store(&tree)
	return tree, wrap("GetTreeFromDevice", err)
}

// Running reports whether a daemon owns the name now (without starting one).
func (c *Client) Running() bool {
	var has bool
	err := c.conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, busName).Store(&has)
	return err == nil && has
}

// Owner is the process id of the daemon that owns the name now, 0 when
// none does (the call starts none).
func (c *Client) Owner() (uint32, error) {
	var pid uint32
	err := c.conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, busName).Store(&pid)
	var de dbus.Error
	if errors.As(err, &de) && de.Name == "org.freedesktop.DBus.Error.NameHasNoOwner" {
		return 0, nil
	}
	return pid, err
}

// Activatable reports whether the bus starts a daemon on the first call.
func (c *Client) Activatable() bool {
	var names []string
	if c.conn.BusObject().Call("org.freedesktop.DBus.ListActivatableNames", 0).Store(&names) != nil {
		return false
	}
	return slices.Contains(names, busName)
}

// ErrNoStatus is Status's answer from a daemon that does not report one:
// the reference C daemon.
var ErrNoStatus = errors.New("the daemon does not report its status")

// Status asks the running daemon for its state.
func (c *Client) Status() (*protocol.Status, error) {
	var doc string
	err := c.obj.Call(protocol.StatusInterface+"."+protocol.StatusMethod, dbus.FlagNoAutoStart).Store(&doc)
	var de dbus.Error
	if errors.As(err, &de) && de.Name == "org.freedesktop.DBus.Error.UnknownMethod" {
		return nil, ErrNoStatus
	}
	if err != nil {
		return nil, err
	}
	var st protocol.Status
	if err := json.Unmarshal([]byte(doc), &st); err != nil {
		return nil, fmt.Errorf("the daemon's status: %w", err)
	}
	return &st, nil
}

// ErrNoFollowing is Refind's answer from a daemon that does not follow
// files: the C daemon, or this one with --no-follow.
var ErrNoFollowing = errors.New("the running metadata daemon does not follow files")

// Refind has the daemon look below dirs for the files of entries whose
// files are missing, and move their metadata to them; it returns how many
// it found.
func (c *Client) Refind(dirs []string) (uint32, error) {
	args := make([][]byte, len(dirs))
	for i, d := range dirs {
		args[i] = bytestring(d)
	}
	var found uint32
	err := c.obj.Call(protocol.StatusInterface+"."+protocol.RefindMethod, dbus.FlagNoAutoStart, args).Store(&found)
	var de dbus.Error
	if errors.As(err, &de) && (de.Name == "org.freedesktop.DBus.Error.UnknownMethod" || de.Name == "org.freedesktop.DBus.Error.NotSupported") {
		return 0, ErrNoFollowing
	}
	return found, err
}

// ErrNoFlush is Flush's answer from a daemon that cannot be asked to
// write its trees out: the C daemon, which does so a minute after a
// change.
var ErrNoFlush = errors.New("the running metadata daemon cannot be asked to write its trees out")

// Flush has the daemon write the trees out at once, laid out whole.
func (c *Client) Flush(treefiles []string) error {
	args := make([][]byte, len(treefiles))
	for i, t := range treefiles {
		args[i] = bytestring(t)
	}
	err := c.obj.Call(protocol.StatusInterface+"."+protocol.FlushMethod, dbus.FlagNoAutoStart, args).Err
	var de dbus.Error
	if errors.As(err, &de) && de.Name == "org.freedesktop.DBus.Error.UnknownMethod" {
		return ErrNoFlush
	}
	return wrap("Flush", err)
}
