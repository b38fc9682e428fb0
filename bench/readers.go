// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"
)

// Readers times what a file manager does when it opens the readers'
// directory: `gio list -a metadata::* DIR`, in which the gvfs GIO module
// looks up every file's metadata in the tree and walks the whole journal
// for each. It returns the median wall time of runs runs, each a new gio
// process (start-up included, the same for both daemons), and fails if a
// run did not show every file's metadata.
func (w *World) Readers(runs int) (time.Duration, error) {
	var times []time.Duration
	for range runs {
		d, err := w.gioList()
		if err != nil {
			return 0, err
		}
		times = append(times, d)
	}
	return median(times), nil
}

func (w *World) gioList() (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := w.S.Command(ctx, "gio", "list", "-a", "metadata::*", w.ReadersDir)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("%s: gio list: %w: %s", w.D.Name, err, stderr.Bytes())
	}
	if n := bytes.Count(out.Bytes(), []byte("metadata::"+benchKey+"=")); n < w.nFiles {
		return 0, fmt.Errorf("%s: gio list showed the metadata of %d of %d files", w.D.Name, n, w.nFiles)
	}
	return took, nil
}

// ReadersDuringBurst times gio list runs while a client writes Sets to
// new paths back to back, as when a file manager lists a folder while
// another application writes metadata. It returns the median time and how
// many Sets went in meanwhile.
func (w *World) ReadersDuringBurst(runs int) (time.Duration, int, error) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var sets int
	var werr error
	conn, err := w.Connect()
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := w.Set(conn, w.NewPath("b")); err != nil {
				werr = err
				return
			}
			sets++
		}
	}()
	// Let the writer get going (and the journal fill) before reading.
	time.Sleep(200 * time.Millisecond)
	d, rerr := w.Readers(runs)
	close(stop)
	wg.Wait()
	if rerr != nil {
		return 0, sets, rerr
	}
	if werr != nil {
		return 0, sets, fmt.Errorf("%s: Set during the readers' burst: %w", w.D.Name, werr)
	}
	return d, sets, nil
}
