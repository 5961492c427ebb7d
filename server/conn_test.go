package server

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
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
// read); a large argument as an empty bulk, itself kept apart, and nothing
// after its request.
func TestConnHandsOver(t *testing.T) {
	big := strings.Repeat("v", 200000)
	tests := []struct {
		name string
		in   string
		want string // handed over before the stream stops
		big  []int  // lengths of the arguments kept apart
	}{
		{"complete commands", "PING\r\n*1\r\n$4\r\nECHO\r\n", "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nECHO\r\n", nil},
		{"huge count", "*2000000000\r\n$1\r\na\r\n$1\r\nb\r\n", "", nil},
		{"incomplete after complete", "PING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab", "*1\r\n$4\r\nPING\r\n", nil},
		{"incomplete middle argument", "*3\r\n$3\r\nSET\r\n$200000\r\n" + big[:100000], "", nil},
		{"part of a last argument", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$200000\r\n" + big[:100000], "", nil},
		{"large arguments", "PING\r\n*4\r\n$4\r\nMSET\r\n$200000\r\n" + big + "\r\n$1\r\nv\r\n$40000\r\n" + big[:40000] + "\r\nPING\r\n",
			"*1\r\n$4\r\nPING\r\n*4\r\n$4\r\nMSET\r\n$0\r\n\r\n$1\r\nv\r\n$0\r\n\r\n", []int{200000, 40000}},
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
				// The next Read would come after the batch that ends
				// here took the arguments kept apart.
				if c.bigOut || errors.Is(err, os.ErrDeadlineExceeded) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if got.String() != tt.want {
				t.Errorf("handed over %.80q (%d bytes), want %.80q (%d bytes)", got.String(), got.Len(), tt.want, len(tt.want))
			}
			var lens []int
			for i, a := range c.big {
				lens = append(lens, len(a.Data))
				if want := []int{1, 3}[i]; a.Index != want || string(a.Data) != big[:len(a.Data)] {
					t.Errorf("argument kept apart %d: index %d, want %d", i, a.Index, want)
				}
			}
			if !slices.Equal(lens, tt.big) {
				t.Errorf("kept apart %v, want %v", lens, tt.big)
			}
		})
	}
}
