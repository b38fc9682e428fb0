// SPDX-License-Identifier: LGPL-2.0-or-later

// Package resolve maps a local file to the metadata tree and the path
// inside it, exactly as the gvfs GIO module does in every application:
// the canonical path with its parents' symlinks expanded, the "home" tree
// for files under the home directory on the home device, a per-volume tree
// (named by the daemon's GetTreeFromDevice) with the path relative to the
// volume's mount point, and the "root" tree otherwise. Tools that read or
// write metadata must land exactly where applications look.
package resolve
