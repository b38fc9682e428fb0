// SPDX-License-Identifier: LGPL-2.0-or-later

package resolve

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultUdevData is where udev keeps its database of device properties.
const DefaultUdevData = "/run/udev/data"

// TreeOfDevice names the metadata tree of a block device the way the C
// daemon does through libgudev: "uuid-" + ID_FS_UUID_ENC, else "label-" +
// ID_FS_LABEL_ENC, else "" (also when udev has no record of the device,
// as on a machine without udev). It reads udev's database file
// <dataDir>/b<major>:<minor> directly; its "E:KEY=VALUE" lines are the
// device's properties.
func TreeOfDevice(dataDir string, major, minor uint32) string {
	f, err := os.Open(filepath.Join(dataDir, fmt.Sprintf("b%d:%d", major, minor)))
	if err != nil {
		return ""
	}
	defer f.Close()
	var uuid, label string
	var haveUUID, haveLabel bool
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		kv, ok := strings.CutPrefix(sc.Text(), "E:")
		if !ok {
			continue
		}
		key, value, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		switch key {
		case "ID_FS_UUID_ENC":
			uuid, haveUUID = value, true
		case "ID_FS_LABEL_ENC":
			label, haveLabel = value, true
		}
	}
	switch {
	case haveUUID:
		return "uuid-" + uuid
	case haveLabel:
		return "label-" + label
	}
	return ""
}
