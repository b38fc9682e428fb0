// SPDX-License-Identifier: LGPL-2.0-or-later

package resolve

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTreeForDevicePrefersUUIDThenLabel(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) { os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644) }
	write("b8:1", "S:disk/by-uuid/x\nE:ID_FS_LABEL_ENC=My\\x20Disk\nE:ID_FS_UUID_ENC=1234-ABCD\nE:ID_FS_TYPE=vfat\n")
	write("b8:2", "E:ID_FS_LABEL_ENC=Backup\nE:ID_FS_TYPE=ext4\n")
	write("b8:3", "E:ID_FS_TYPE=swap\nG:systemd\n")
	write("b8:4", "E:ID_FS_UUID_ENC=\n")
	cases := map[[2]uint32]string{
		{8, 1}: "uuid-1234-ABCD",
		{8, 2}: "label-Backup",
		{8, 3}: "",
		{8, 4}: "uuid-",
		{8, 9}: "",
	}
	for dev, want := range cases {
		if got := TreeOfDevice(dir, dev[0], dev[1]); got != want {
			t.Errorf("device %d:%d = %q, want %q", dev[0], dev[1], got, want)
		}
	}
	if got := TreeOfDevice(filepath.Join(dir, "missing"), 8, 1); got != "" {
		t.Errorf("without a udev database: %q", got)
	}
}
