// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"gvfs-metadata/bus"
	"gvfs-metadata/compat/protocol"

	"gvfs-metadata/compat/resolve"
	"gvfs-metadata/format"
)

// serve answers one call. Calls to the metadata object go to its methods;
// Peer, Introspectable and Properties behave as GDBus makes them behave
// for the reference daemon.
func (d *daemon) serve(call *bus.Message) {
	d.noteCall()
	path, iface, member, sig := call.Path, call.Interface, call.Member, call.Signature

	// GDBus answers Ping() and GetMachineId() on any path itself; any
	// other Peer call (other arguments, another member) goes to the
	// object like a call to any interface it does not have.
	if iface == ifacePeer && sig == "" {
		switch member {
		case "Ping":
			d.reply(call, "", nil)
			return
		case "GetMachineId":
			id, err := machineID()
			if err != nil {
				d.fail(call, err)
				return
			}
			d.replyString(call, id)
			return
		}
	}
	if path != protocol.ObjectPath {
		if iface == ifaceIntrospect && member == "Introspect" && sig == "" {
			d.replyString(call, introspect(path))
			return
		}
		d.fail(call, &callError{errUnknownMeth, fmt.Sprintf("Object does not exist at path “%s”", path)})
		return
	}
	switch iface {
	case protocol.Interface, "":
		d.metadataCall(call, member, sig)
	case ifaceIntrospect:
		// GDBus answers a malformed call to its built-in interfaces as if
		// the interface did not exist.
		if member == "Introspect" && sig == "" {
			d.replyString(call, introspect(path))
			return
		}
		d.noSuchInterface(call, iface)
	case ifaceProperties:
		d.propertiesCall(call, member, sig)
	case protocol.StatusInterface:
		d.statusCall(call)
	default:
		d.noSuchInterface(call, iface)
	}
}

func (d *daemon) noSuchInterface(call *bus.Message, iface string) {
	d.fail(call, &callError{errUnknownMeth, fmt.Sprintf("No such interface “%s” on object at path %s", iface, protocol.ObjectPath)})
}

// checkSignature answers with GDBus's error when a call's arguments do not
// have the method's types.
func (d *daemon) checkSignature(call *bus.Message, got, want string) bool {
	if got == want {
		return true
	}
	d.fail(call, invalidArgs("Type of message, “(%s)”, does not match expected type “(%s)”", got, want))
	return false
}

var methodSignatures = map[string]string{
	"Set":               "ayaya{sv}",
	"Remove":            "ayay",
	"Move":              "ayayay",
	"GetTreeFromDevice": "uu",
}

func (d *daemon) metadataCall(call *bus.Message, member, sig string) {
	want, ok := methodSignatures[member]
	if !ok {
		d.fail(call, &callError{errUnknownMeth, fmt.Sprintf("No such method “%s”", member)})
		return
	}
	if !d.checkSignature(call, sig, want) {
		return
	}
	args := call.Args()
	if member == "GetTreeFromDevice" {
		major, minor := args.Uint32(), args.Uint32()
		if d.decoded(call, args) {
			d.replyString(call, resolve.TreeOfDevice(d.udevDir, major, minor))
		}
		return
	}
	// The others start with the tree file and the path.
	tree, path := args.Bytes(), args.Bytes()
	var dest []byte
	if member == "Move" {
		dest = args.Bytes()
	}
	if !d.decoded(call, args) {
		return
	}
	var err *callError
	switch member {
	case "Set":
		err = d.set(tree, path, args) // reads the rest
	case "Remove":
		err = d.remove(tree, path)
	case "Move":
		err = d.move(tree, path, dest)
	}
	if err != nil {
		d.fail(call, err)
		return
	}
	d.reply(call, "", nil)
}

func (d *daemon) propertiesCall(call *bus.Message, member, sig string) {
	want := map[string]string{"Get": "ss", "GetAll": "s", "Set": "ssv"}[member]
	if want == "" || sig != want {
		d.noSuchInterface(call, ifaceProperties)
		return
	}
	args := call.Args()
	iface, property := args.Str(), ""
	if member != "GetAll" {
		property = args.Str()
	}
	if !d.decoded(call, args) {
		return
	}
	if iface != protocol.Interface {
		d.fail(call, invalidArgs("No such interface “%s”", iface))
		return
	}
	if member == "GetAll" {
		var e bus.Encoder
		e.EndArray(e.Array(8)) // no properties
		d.reply(call, "a{sv}", e.Bytes())
		return
	}
	d.fail(call, invalidArgs("No such property “%s”", property))
}

// decoded reports whether a call's arguments so far decoded, and answers
// the call when they did not. The bus checks each message against its
// signature, so this only guards against what should never come.
func (d *daemon) decoded(call *bus.Message, args *bus.Decoder) bool {
	if err := args.Err(); err != nil {
		d.fail(call, malformed(err))
		return false
	}
	return true
}

// treeAndPath decodes the arguments every metadata method starts with.
// The caller releases the tree it returns (trees.release).
func (d *daemon) treeAndPath(treeArg, pathArg []byte) (*tree, string, string, *callError) {
	treefile, err := bytestring("treefile", treeArg)
	if err != nil {
		return nil, "", "", err
	}
	t, err := d.trees.get(treefile)
	if err != nil {
		return nil, "", "", err
	}
	path, err := bytestring("path", pathArg)
	if err == nil {
		err = checkPath("path", path)
	}
	if err != nil {
		d.trees.release(t)
		return nil, "", "", err
	}
	return t, treefile, path, nil
}

func (d *daemon) set(treeArg, pathArg []byte, data *bus.Decoder) *callError {
	t, treefile, path, cerr := d.treeAndPath(treeArg, pathArg)
	if cerr != nil {
		return cerr
	}
	defer d.trees.release(t)
	changes, cerr := parseSetData(data)
	if cerr != nil {
		return cerr
	}
	onlyUnsets := true
	for i := range changes {
		changes[i].Path = path
		onlyUnsets = onlyUnsets && changes[i].Op == format.OpUnset
	}
	d.writes.Lock()
	defer d.writes.Unlock()
	if err := t.st.Apply(changes...); err != nil {
		d.logf("set %s %s: %v", treefile, brief(path), err)
		d.trees.written(t)
		if onlyUnsets && len(changes) > 0 {
			return failed(msgUnsetFailed)
		}
		return failed(msgSetFailed)
	}
	d.trees.written(t)
	d.notify.changed(treefile, path)
	if !onlyUnsets {
		d.follow.changed(treefile, path)
	}
	return nil
}

func (d *daemon) remove(treeArg, pathArg []byte) *callError {
	t, treefile, path, cerr := d.treeAndPath(treeArg, pathArg)
	if cerr != nil {
		return cerr
	}
	defer d.trees.release(t)
	d.writes.Lock()
	defer d.writes.Unlock()
	if err := t.st.Remove(path); err != nil {
		d.logf("remove %s %s: %v", treefile, brief(path), err)
		return failed(msgRemoveFailed)
	}
	d.notify.changed(treefile, path)
	d.trees.written(t)
	d.follow.removed(treefile, path)
	return nil
}

func (d *daemon) move(treeArg, pathArg, destArg []byte) *callError {
	t, treefile, path, cerr := d.treeAndPath(treeArg, pathArg)
	if cerr != nil {
		return cerr
	}
	defer d.trees.release(t)
	dest, cerr := bytestring("dest_path", destArg)
	if cerr != nil {
		return cerr
	}
	if cerr := checkPath("dest_path", dest); cerr != nil {
		return cerr
	}
	// The reference destroys the metadata in both cases; no file system
	// ever asks for either.
	if dest == path {
		return nil
	}
	if isAncestor(path, dest) || isAncestor(dest, path) {
		return invalidArgs("Cannot move “%s” to “%s”: one contains the other", path, dest)
	}
	d.writes.Lock()
	defer d.writes.Unlock()
	// A file manager tells of a rename after making it; when the daemon
	// followed it first, the metadata is at dest already and this Move,
	// whose source has none left, would clear it.
	if d.follow.followedAlready(t, path, dest) {
		return nil
	}
	if err := t.st.Move(path, dest); err != nil {
		d.logf("move %s %s -> %s: %v", treefile, brief(path), brief(dest), err)
		return failed(msgMoveFailed)
	}
	d.notify.changed(treefile, path)
	d.notify.changed(treefile, dest)
	d.trees.written(t)
	d.follow.moved(treefile, path, dest)
	return nil
}

// machineIDFiles are where GDBus reads the machine ID, in its order.
var machineIDFiles = [2]string{"/var/lib/dbus/machine-id", "/etc/machine-id"}

// machineID is what GDBus answers to Peer.GetMachineId: the first of
// machineIDFiles that can be read, which must hold 32 lowercase hex
// digits, not all zeros, and a newline (man 5 machine-id); else GDBus's
// error, word for word.
func machineID() (string, *callError) {
	b, err := os.ReadFile(machineIDFiles[0])
	if err != nil {
		var err2 error
		if b, err2 = os.ReadFile(machineIDFiles[1]); err2 != nil {
			return "", &callError{errFailedDBus, fmt.Sprintf("Unable to load %s or %s: Failed to open file “%s”: %s",
				machineIDFiles[0], machineIDFiles[1], machineIDFiles[0], strerror(err))}
		}
	}
	id, valid := strings.CutSuffix(string(b), "\n")
	valid = valid && len(id) == 32 && strings.Trim(id, "0123456789abcdef") == "" && strings.Trim(id, "0") != ""
	if !valid {
		return "", &callError{errFailedDBus, fmt.Sprintf("Invalid machine ID in %s or %s", machineIDFiles[0], machineIDFiles[1])}
	}
	return id, nil
}

// strerror is the C library's text for the error under err, as GLib
// quotes it ("No such file or directory").
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}
