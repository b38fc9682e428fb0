// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"fmt"
	"time"
)

// ColdStart starts a fresh world on the template (a new bus, no daemon
// running), connects, and times the first call from sending it to its
// reply: the bus activates the daemon, which takes its name and answers.
// For a Set that includes opening the tree; a Ping is activation alone.
func ColdStart(d Daemon, t *Template, ping bool) (time.Duration, error) {
	w, err := NewWorld(d, t, false)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	start := time.Now()
	if ping {
		err = w.Ping(w.conn)
	} else {
		err = w.Set(w.conn, w.NewPath("cold"))
	}
	took := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("%s: first call: %w", d.Name, err)
	}
	return took, nil
}
