// SPDX-License-Identifier: LGPL-2.0-or-later

package main

import (
	"strings"

	"gvfs-metadata/compat/protocol"
)

const (
	ifacePeer          = "org.freedesktop.DBus.Peer"
	ifaceIntrospect    = "org.freedesktop.DBus.Introspectable"
	ifaceProperties    = "org.freedesktop.DBus.Properties"
	introspectDoctype  = "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n                      \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"
	introspectComment  = "<!-- gvfs-metadata in Go -->\n"
	metadataInterfaces = `  <interface name="org.freedesktop.DBus.Properties">
    <method name="Get">
      <arg type="s" name="interface_name" direction="in"/>
      <arg type="s" name="property_name" direction="in"/>
      <arg type="v" name="value" direction="out"/>
    </method>
    <method name="GetAll">
      <arg type="s" name="interface_name" direction="in"/>
      <arg type="a{sv}" name="properties" direction="out"/>
    </method>
    <method name="Set">
      <arg type="s" name="interface_name" direction="in"/>
      <arg type="s" name="property_name" direction="in"/>
      <arg type="v" name="value" direction="in"/>
    </method>
    <signal name="PropertiesChanged">
      <arg type="s" name="interface_name"/>
      <arg type="a{sv}" name="changed_properties"/>
      <arg type="as" name="invalidated_properties"/>
    </signal>
  </interface>
  <interface name="org.freedesktop.DBus.Introspectable">
    <method name="Introspect">
      <arg type="s" name="xml_data" direction="out"/>
    </method>
  </interface>
  <interface name="org.freedesktop.DBus.Peer">
    <method name="Ping"/>
    <method name="GetMachineId">
      <arg type="s" name="machine_uuid" direction="out"/>
    </method>
  </interface>
  <interface name="org.gtk.vfs.Metadata">
    <method name="Set">
      <arg type="ay" name="treefile" direction="in"/>
      <arg type="ay" name="path" direction="in"/>
      <arg type="a{sv}" name="data" direction="in"/>
    </method>
    <method name="Remove">
      <arg type="ay" name="treefile" direction="in"/>
      <arg type="ay" name="path" direction="in"/>
    </method>
    <method name="Move">
      <arg type="ay" name="treefile" direction="in"/>
      <arg type="ay" name="path" direction="in"/>
      <arg type="ay" name="dest_path" direction="in"/>
    </method>
    <method name="GetTreeFromDevice">
      <arg type="u" name="major" direction="in"/>
      <arg type="u" name="minor" direction="in"/>
      <arg type="s" name="tree" direction="out"/>
    </method>
    <signal name="AttributeChanged">
      <arg type="s" name="tree_path"/>
      <arg type="s" name="file_path"/>
    </signal>
  </interface>
`
)

// introspect returns the introspection XML for any object path, shaped as
// GDBus shapes it: the full description for the metadata object, one child
// node for each of its ancestors, an empty node elsewhere.
func introspect(path string) string {
	var b strings.Builder
	b.WriteString(introspectDoctype)
	b.WriteString(introspectComment)
	b.WriteString("<node>\n")
	switch {
	case path == protocol.ObjectPath:
		b.WriteString(metadataInterfaces)
	default:
		if child, ok := childTowardsObject(path); ok {
			b.WriteString("  <node name=\"" + child + "\"/>\n")
		}
	}
	b.WriteString("</node>\n")
	return b.String()
}

// childTowardsObject returns the next component of the metadata object's
// path below path, when path is one of its ancestors.
func childTowardsObject(path string) (string, bool) {
	prefix := strings.TrimSuffix(path, "/") + "/"
	rest, ok := strings.CutPrefix(string(protocol.ObjectPath), prefix)
	if !ok || rest == "" {
		return "", false
	}
	child, _, _ := strings.Cut(rest, "/")
	return child, true
}
