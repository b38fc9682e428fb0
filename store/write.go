package store

import (
	"errors"

	"gvfs-metadata/format"
)

// ErrReadOnly is returned by writes to a store opened read-only.
var ErrReadOnly = errors.New("metadata store is read-only")

// ErrClosed is returned by calls on a store after Close.
var ErrClosed = errors.New("metadata store is closed")

// maxPending bounds the writes held in memory while rotations keep
// failing; past it, writes fail instead of growing without limit.
const maxPending = 64 << 20

// Apply appends changes to the journal as one unit: other processes see
// all of them or none (the entry count is published once, after all their
// bytes). A change with Mtime 0 gets the current time.
func (s *Store) Apply(changes ...format.Change) error {
	if s.opts.ReadOnly {
		return ErrReadOnly
	}
	now := uint64(s.opts.Now().Unix())
	size := 0
	for i := range changes {
		size += changes[i].EncodedSize()
	}
	buf := make([]byte, 0, size)
	for i := range changes {
		c := changes[i]
		if c.Mtime == 0 {
			c.Mtime = now
		}
		var err error
		if buf, err = c.AppendTo(buf); err != nil {
			return err
		}
	}
	s.mu.Lock()
	if err := s.refresh(); err != nil {
		s.mu.Unlock()
		return err
	}
	err := s.appendLocked(buf, len(changes))
	// Changes too large for any journal this store makes reach other
	// processes only through the tree: wait for the rotation that puts
	// them there, so that whoever set them can read them back at once.
	oversize := s.opts.Background && err == nil && len(buf) > s.journalSize()-format.JournalHeaderSize
	s.mu.Unlock()
	if oversize {
		s.waitRotation()
		s.mu.Lock()
		err = s.rot.err
		s.mu.Unlock()
	}
	return err
}

func (s *Store) appendLocked(buf []byte, count int) error {
	s.rel.writes++
	// Once writes are waiting in memory, later ones queue behind them so
	// that the journal keeps their order.
	if len(s.rot.pending) == 0 && s.journal != nil && len(buf) <= s.journal.j.Free() {
		if err := s.journal.append(buf, count); err != nil {
			return err
		}
		if s.opts.Background && !s.rot.running && s.needsRotationLocked() {
			s.startRotationLocked(s.inBurstLocked(), s.lowPriorityLocked())
		}
		return nil
	}
	if len(s.rot.pending)+len(buf) > maxPending {
		return s.errorf("too many writes waiting for a rotation: %v", s.rot.err)
	}
	s.rot.pending = append(s.rot.pending, buf...)
	s.rot.pendingCount += count
	if s.opts.Background {
		if s.rot.running {
			s.rot.grow = true
		} else {
			s.startRotationLocked(false, s.lowPriorityLocked())
		}
		return nil
	}
	if err := s.rotateLocked(); err != nil {
		// The C daemon fails the write when it cannot rotate; so do we.
		s.rot.pending = s.rot.pending[:len(s.rot.pending)-len(buf)]
		s.rot.pendingCount -= count
		return err
	}
	return nil
}

// Set sets a string value.
func (s *Store) Set(path, key, value string) error {
	return s.Apply(format.Change{Op: format.OpSet, Path: path, Key: key, Value: value})
}

// SetList sets a string-list value.
func (s *Store) SetList(path, key string, values []string) error {
	return s.Apply(format.Change{Op: format.OpSetList, Path: path, Key: key, List: values})
}

// Unset removes a key.
func (s *Store) Unset(path, key string) error {
	return s.Apply(format.Change{Op: format.OpUnset, Path: path, Key: key})
}

// Remove removes a path and everything under it.
func (s *Store) Remove(path string) error {
	return s.Apply(format.Change{Op: format.OpRemove, Path: path})
}

// Move replaces dst with a copy of src and its subtree, then removes src,
// as two entries published together.
func (s *Store) Move(src, dst string) error {
	return s.Apply(
		format.Change{Op: format.OpCopy, Path: dst, Source: src},
		format.Change{Op: format.OpRemove, Path: src},
	)
}

// Flush merges every journal entry and every pending write into the tree
// and waits until that is on disk.
func (s *Store) Flush() error {
	if s.opts.ReadOnly {
		return ErrReadOnly
	}
	s.rot.flushers.Add(1)
	defer s.rot.flushers.Add(-1)
	// Writers may keep coming; a few rounds cover everything written
	// before the call (the first merges the journal, the next the writes
	// that were waiting in memory).
	for range 4 {
		s.waitRotation()
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return ErrClosed
		}
		if s.rot.running {
			s.mu.Unlock()
			continue
		}
		if s.journal != nil && s.journal.j.Len() == 0 && len(s.rot.pending) == 0 {
			s.mu.Unlock()
			return nil
		}
		if s.opts.Background {
			// Writers keep going while the tree is rebuilt, at normal
			// priority: this call waits for it.
			s.startRotationLocked(false, false)
			done := s.rot.done
			s.mu.Unlock()
			<-done
			s.mu.Lock()
			err := s.rot.err
			s.mu.Unlock()
			if err != nil {
				return err
			}
			continue
		}
		err := s.rotateLocked()
		s.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// Dirty reports whether the journal holds entries not yet merged into the
// tree (or writes wait in memory for a rotation).
func (s *Store) Dirty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rot.pending) > 0 || s.journal == nil || s.journal.j.Len() > 0
}
