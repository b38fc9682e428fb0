// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"time"

	"gvfs-metadata/internal/testenv"
)

// handClock is a test's clock, moved by hand (testenv.Clock), as the
// daemon's timers take it.
type handClock struct{ *testenv.Clock }

func newHandClock() handClock { return handClock{testenv.NewClock(time.Unix(1_700_000_000, 0))} }

func (c handClock) AfterFunc(d time.Duration, f func()) timer { return c.Clock.AfterFunc(d, f) }
