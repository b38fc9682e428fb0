// SPDX-License-Identifier: LGPL-2.0-or-later

// Package resolve holds every rule that names a file's metadata tree and
// the path inside it, as the gvfs GIO module and daemon apply them in
// every application. A local file: the canonical path with its parents'
// symlinks expanded, the "home" tree for files under the home directory on
// the home device, a per-volume tree with the path relative to the
// volume's mount point, and the "root" tree otherwise. A volume's tree is
// named from udev's record of its device (TreeOfDevice, which the daemon
// answers GetTreeFromDevice with). A remote file (Remote): the tree named
// after its mount spec, computed from the URI alone. Tools that read or
// write metadata must land exactly where applications look.
package resolve
