// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"cmp"
	"slices"
	"time"
)

// Latency summarises per-call times.
type Latency struct {
	P50, P99, Max time.Duration
	Over50ms      int // calls that took longer than 50 ms
}

func summarise(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	l := Latency{P50: percentile(s, 0.50), P99: percentile(s, 0.99), Max: s[len(s)-1]}
	for _, v := range s {
		if v > 50*time.Millisecond {
			l.Over50ms++
		}
	}
	return l
}

// percentile of sorted durations: the smallest value with at least p of
// all values at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// median of unsorted durations.
func median[T cmp.Ordered](d []T) T {
	if len(d) == 0 {
		var zero T
		return zero
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}
