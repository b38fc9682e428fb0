// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"time"

	"gvfs-metadata/bus"
	"gvfs-metadata/compat/protocol"
)

// handOverTimeout bounds how long a replacing daemon waits for the one it
// replaces to write its journals out.
const handOverTimeout = 10 * time.Second

// ownName requests the bus name the way the reference does (others may
// replace us; with replace, we replace the current owner) but without
// queueing: when the name is taken and we may not replace its owner, we
// are not needed. When we replace an owner, we wait for it to finish
// flushing its trees and leave the bus before serving anything, so that
// its last rotation cannot race with our first writes.
func (d *daemon) ownName(replace bool) (bool, error) {
	var previous string
	if replace {
		previous, _ = d.conn.NameOwner(protocol.BusName) // none: nothing to wait for
	}
	var flags uint32 = bus.NameFlagAllowReplacement | bus.NameFlagDoNotQueue
	if replace {
		flags |= bus.NameFlagReplaceExisting
	}
	reply, err := d.conn.RequestName(protocol.BusName, flags)
	if err != nil {
		return false, fmt.Errorf("requesting %s: %w", protocol.BusName, err)
	}
	if reply != bus.RequestNamePrimaryOwner && reply != bus.RequestNameAlreadyOwner {
		return false, nil
	}
	if previous != "" {
		d.waitGone(previous)
	}
	return true, nil
}

// waitGone waits until a unique bus name has left the bus.
func (d *daemon) waitGone(unique string) {
	deadline := time.Now().Add(handOverTimeout)
	for time.Now().Before(deadline) {
		if has, err := d.conn.NameHasOwner(unique); err != nil || !has {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.logf("previous owner %s still on the bus after %v; serving anyway", unique, handOverTimeout)
}
