// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import "fmt"

// The message bus itself.
const (
	busDest  = "org.freedesktop.DBus"
	busPath  = "/org/freedesktop/DBus"
	busIface = "org.freedesktop.DBus"
)

// RequestName flags and replies, as the specification numbers them.
const (
	NameFlagAllowReplacement = 1
	NameFlagReplaceExisting  = 2
	NameFlagDoNotQueue       = 4

	RequestNamePrimaryOwner = 1
	RequestNameInQueue      = 2
	RequestNameExists       = 3
	RequestNameAlreadyOwner = 4
)

// CallBus calls a method of the message bus.
func (c *Conn) CallBus(member, sig string, body []byte) (*Message, error) {
	return c.Call(busDest, busPath, busIface, member, sig, body)
}

// callBusString calls a bus method whose one argument is a string and
// reads its reply of type want with read.
func (c *Conn) callBusString(member, arg, want string, read func(*Decoder)) error {
	var e Encoder
	e.Str(arg)
	reply, err := c.CallBus(member, "s", e.Bytes())
	if err != nil {
		return err
	}
	return readReply(reply, member, want, read)
}

func readReply(reply *Message, member, want string, read func(*Decoder)) error {
	if reply.Signature != want {
		return fmt.Errorf("%s replied with type %q, not %q", member, reply.Signature, want)
	}
	d := reply.Args()
	read(d)
	if !d.Done() {
		return fmt.Errorf("%s's reply: %v", member, d.Err())
	}
	return nil
}

// RequestName asks for a well-known name and returns the bus's answer.
func (c *Conn) RequestName(name string, flags uint32) (uint32, error) {
	var e Encoder
	e.Str(name)
	e.Uint32(flags)
	reply, err := c.CallBus("RequestName", "su", e.Bytes())
	if err != nil {
		return 0, err
	}
	var answer uint32
	err = readReply(reply, "RequestName", "u", func(d *Decoder) { answer = d.Uint32() })
	return answer, err
}

// ReleaseName gives a well-known name back.
func (c *Conn) ReleaseName(name string) error {
	return c.callBusString("ReleaseName", name, "u", func(d *Decoder) { d.Uint32() })
}

// NameOwner is the unique name owning name.
func (c *Conn) NameOwner(name string) (string, error) {
	var owner string
	err := c.callBusString("GetNameOwner", name, "s", func(d *Decoder) { owner = d.Str() })
	return owner, err
}

// NameHasOwner reports whether a name has an owner.
func (c *Conn) NameHasOwner(name string) (bool, error) {
	var has bool
	err := c.callBusString("NameHasOwner", name, "b", func(d *Decoder) { has = d.Bool() })
	return has, err
}
