// SPDX-License-Identifier: LGPL-2.0-or-later

package bus

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// authServer is the bus's end of a handshake.
type authServer struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

// expect reads one line from the client and checks it.
func (s *authServer) expect(want string) {
	s.t.Helper()
	got, err := s.r.ReadString('\n')
	if err != nil || got != want {
		s.t.Errorf("client sent %q, %v; want %q", got, err, want)
	}
}

func (s *authServer) send(line string) {
	s.t.Helper()
	if _, err := io.WriteString(s.conn, line); err != nil {
		s.t.Errorf("sending %q: %v", line, err)
	}
}

// runAuth runs authenticate, with the reader Connect gives it, against
// server and returns the client's reader and the result.
func runAuth(t *testing.T, server func(s *authServer)) (*bufio.Reader, error) {
	t.Helper()
	client, srv := net.Pipe()
	t.Cleanup(func() { client.Close(); srv.Close() })
	deadline := time.Now().Add(10 * time.Second)
	client.SetDeadline(deadline)
	srv.SetDeadline(deadline)

	r := bufio.NewReaderSize(client, readBuffer)
	result := make(chan error, 1)
	go func() { result <- authenticate(client, r) }()
	server(&authServer{t: t, conn: srv, r: bufio.NewReader(srv)})
	select {
	case err := <-result:
		return r, err
	case <-time.After(15 * time.Second):
		t.Fatal("authenticate did not return")
		return nil, nil
	}
}

func authLine() string {
	return fmt.Sprintf("\x00AUTH EXTERNAL %x\r\n", strconv.Itoa(os.Getuid()))
}

func TestAuthenticateStartsWithNulAndExternalUid(t *testing.T) {
	_, err := runAuth(t, func(s *authServer) {
		first := make([]byte, len(authLine()))
		if _, err := io.ReadFull(s.r, first); err != nil || string(first) != authLine() {
			t.Errorf("client's first bytes %q, %v; want %q", first, err, authLine())
		}
		s.send("OK 1234abcd\r\n")
		s.expect("BEGIN\r\n")
	})
	if err != nil {
		t.Errorf("authenticate: %v", err)
	}
}

func TestAuthenticateAnswersDataThenBegins(t *testing.T) {
	_, err := runAuth(t, func(s *authServer) {
		s.expect(authLine())
		s.send("DATA\r\n")
		s.expect("DATA\r\n")
		s.send("DATA\r\n")
		s.expect("DATA\r\n")
		s.send("OK 1234abcd\r\n")
		s.expect("BEGIN\r\n")
	})
	if err != nil {
		t.Errorf("authenticate: %v", err)
	}
}

func TestAuthenticateLeavesWhatFollowsOKToTheMessageReader(t *testing.T) {
	r, err := runAuth(t, func(s *authServer) {
		s.expect(authLine())
		s.send("OK 1234abcd\r\nlBYTES")
		s.expect("BEGIN\r\n")
	})
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	rest := make([]byte, 6)
	if _, err := io.ReadFull(r, rest); err != nil || string(rest) != "lBYTES" {
		t.Errorf("after the handshake the reader holds %q, %v; want %q", rest, err, "lBYTES")
	}
}

func TestAuthenticateFailsWhenRejected(t *testing.T) {
	_, err := runAuth(t, func(s *authServer) {
		s.expect(authLine())
		s.send("REJECTED EXTERNAL\r\n")
	})
	if err == nil || !strings.Contains(err.Error(), "REJECTED") {
		t.Errorf("authenticate = %v; want an error mentioning REJECTED", err)
	}
}

func TestAuthenticateFailsOnAnUnexpectedReply(t *testing.T) {
	_, err := runAuth(t, func(s *authServer) {
		s.expect(authLine())
		s.send("ERROR \"what\"\r\n")
	})
	if err == nil || !strings.Contains(err.Error(), "ERROR") {
		t.Errorf("authenticate = %v; want an error quoting the reply", err)
	}
}

func TestAuthenticateRefusesOverlongLines(t *testing.T) {
	t.Run("terminated", func(t *testing.T) {
		_, err := runAuth(t, func(s *authServer) {
			s.expect(authLine())
			s.send("OK " + strings.Repeat("a", maxAuthLine) + "\r\n")
		})
		if err == nil {
			t.Error("authenticate accepted a line over maxAuthLine")
		}
	})
	t.Run("endless", func(t *testing.T) {
		_, err := runAuth(t, func(s *authServer) {
			s.expect(authLine())
			// The bus never ends its line; the client must give up on
			// its own.
			go func() {
				chunk := []byte(strings.Repeat("x", 4096))
				for {
					if _, err := s.conn.Write(chunk); err != nil {
						return
					}
				}
			}()
		})
		if err == nil || !strings.Contains(err.Error(), "line") {
			t.Errorf("authenticate = %v; want an error about the line", err)
		}
	})
}

func TestAuthenticateFailsOnEOFMidLine(t *testing.T) {
	_, err := runAuth(t, func(s *authServer) {
		s.expect(authLine())
		s.send("OK 12")
		s.conn.Close()
	})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("authenticate = %v; want io.ErrUnexpectedEOF", err)
	}
}

func TestAuthenticateFailsWhenTheBusHangsUp(t *testing.T) {
	_, err := runAuth(t, func(s *authServer) {
		s.expect(authLine())
		s.conn.Close()
	})
	if err == nil {
		t.Error("authenticate succeeded on a closed connection")
	}
}
