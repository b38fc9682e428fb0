// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"

	"gvfs-metadata/bus"
)

// garbled logs messages from the bus that did not parse, which the bus
// never forwards unless it or this daemon's reading of them is broken.
// It runs on the connection's reader only, so the count needs no lock.
// The log grows by powers of ten (the 1st, 10th, 100th...), so that a
// stream of them cannot flood it.
func (d *daemon) garbled(err error) {
	d.garbledCount++
	n := d.garbledCount
	for n%10 == 0 {
		n /= 10
	}
	if n == 1 {
		d.logf("dropped %d messages from the bus that do not parse; the last: %v", d.garbledCount, err)
	}
}

// tooLarge answers a call the bus forwarded over the message limit (its
// body was skipped unread; the connection goes on), and logs it with the
// garbled ones. The reference loses its connection to the bus, and exits.
func (d *daemon) tooLarge(e *bus.TooLargeError) {
	d.garbled(e)
	if call := e.Header; call != nil && call.Type == bus.TypeMethodCall {
		d.fail(call, &callError{errLimitsExceeded, fmt.Sprintf("Message of %d bytes exceeds the limit of %d bytes", e.Size, bus.MaxMessage)})
	}
}
