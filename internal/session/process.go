// SPDX-License-Identifier: LGPL-2.0-or-later

package session

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/godbus/dbus/v5"
)

// Connect opens a godbus connection to the session's bus, for callers that
// need calls gio cannot express (an empty string list, thousands of writes).
// The caller closes it, and should do so before Close: the bus going away
// under an open connection only produces noise.
func (s *Session) Connect() (*dbus.Conn, error) {
	conn, err := dbus.Connect(s.Address)
	if err != nil {
		return nil, fmt.Errorf("connect to session bus %s: %w", s.Address, err)
	}
	return conn, nil
}

// NameOwnerPID returns the process id of the connection that owns name on
// the session's bus. Asking the bus (rather than searching /proc by program
// name) finds exactly this session's daemon even when other sessions run the
// same program.
func (s *Session) NameOwnerPID(name string) (int, error) {
	conn, err := s.Connect()
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var pid uint32
	err = conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, name).Store(&pid)
	if err != nil {
		return 0, fmt.Errorf("GetConnectionUnixProcessID(%s): %w", name, err)
	}
	return int(pid), nil
}

// WaitExit waits until process pid has ended. A zombie counts as ended: once
// the bus exits, the daemons it activated are re-parented to a process that
// may never reap them, but a zombie has finished every write it will make.
func WaitExit(pid int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if !running(pid) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("process %d still running after %v", pid, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// running reports whether pid exists and is not a zombie, from
// /proc/<pid>/stat ("pid (comm) state ..."; comm may hold spaces and
// parentheses, so the state is read after the last ')').
func running(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return false
	}
	state := stat[i+2]
	return state != 'Z' && state != 'X'
}
