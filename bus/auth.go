// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// maxAuthLine bounds a line of the handshake; real ones are short.
const maxAuthLine = 16 << 10

// authenticate runs the EXTERNAL handshake: the bus learns our uid from
// the socket's credentials, and we only name it.
func authenticate(w io.Writer, r *bufio.Reader) error {
	uid := hex.EncodeToString([]byte(strconv.Itoa(os.Getuid())))
	if _, err := io.WriteString(w, "\x00AUTH EXTERNAL "+uid+"\r\n"); err != nil {
		return fmt.Errorf("D-Bus handshake: %w", err)
	}
	for {
		line, err := readAuthLine(r)
		if err != nil {
			return fmt.Errorf("D-Bus handshake: %w", err)
		}
		switch cmd, _, _ := strings.Cut(line, " "); cmd {
		case "OK":
			_, err := io.WriteString(w, "BEGIN\r\n")
			if err != nil {
				return fmt.Errorf("D-Bus handshake: %w", err)
			}
			return nil
		case "DATA":
			// The bus asks for the identity again: send none, meaning
			// "the one the socket carries".
			if _, err := io.WriteString(w, "DATA\r\n"); err != nil {
				return fmt.Errorf("D-Bus handshake: %w", err)
			}
		case "REJECTED":
			return fmt.Errorf("D-Bus handshake: the bus refused EXTERNAL authentication (%s)", line)
		default:
			return fmt.Errorf("D-Bus handshake: unexpected %q", line)
		}
	}
}

func readAuthLine(r *bufio.Reader) (string, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxAuthLine {
			return "", fmt.Errorf("a line of over %d bytes", maxAuthLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		return strings.TrimRight(string(line), "\r\n"), nil
	}
}
