package server

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/keyspace"
)

// TestConnHandsOver checks what a conn hands redcon of a stream that
// stops: complete commands at once; nothing of an incomplete request
// (redcon would loop over all the arguments its header announces at every
// read), except a large last argument, which is streamed.
func TestConnHandsOver(t *testing.T) {
	big := strings.Repeat("v", 200000)
	tests := []struct {
		name string
		in   string
		want string // handed over before the stream stops
		// piece, if set, is the least that must be handed over, as a
		// prefix of want.
		piece int
	}{
		{"complete commands", "PING\r\n*1\r\n$4\r\nECHO\r\n", "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nECHO\r\n", 0},
		{"huge count", "*2000000000\r\n$1\r\na\r\n$1\r\nb\r\n", "", 0},
		{"incomplete after complete", "PING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab", "*1\r\n$4\r\nPING\r\n", 0},
		{"incomplete middle argument", "*3\r\n$3\r\nSET\r\n$200000\r\n" + big[:100000], "", 0},
		{"small part of a last argument", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$200000\r\n" + big[:1000], "", 0},
		{"large part of a last argument", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$200000\r\n" + big[:100000],
			"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$200000\r\n" + big[:100000], minPiece},
	}
	engine := commands.NewEngine(keyspace.New(keyspace.Options{Databases: 1}),
		config.NewStore(config.Defaults(), ""), slog.New(slog.NewTextHandler(io.Discard, nil)))
	s := New(engine, engine.Log)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, server := net.Pipe()
			defer client.Close()
			c := &conn{Conn: server, s: s, raw: make([]byte, readSize), cl: &commands.Client{}}
			go client.Write([]byte(tt.in))

			var got bytes.Buffer
			buf := make([]byte, 8192)
			for {
				// The pipe is synchronous: once everything is written,
				// a Read waits for more until the deadline.
				server.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
				n, err := c.Read(buf)
				got.Write(buf[:n])
				if errors.Is(err, os.ErrDeadlineExceeded) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if tt.piece > 0 {
				if got.Len() < tt.piece || !strings.HasPrefix(tt.want, got.String()) {
					t.Errorf("handed over %d bytes, want a prefix of at least %d", got.Len(), tt.piece)
				}
			} else if got.String() != tt.want {
				t.Errorf("handed over %.80q (%d bytes), want %.80q (%d bytes)", got.String(), got.Len(), tt.want, len(tt.want))
			}
		})
	}
}
