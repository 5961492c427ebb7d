package server_test

import (
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/server"
)

// TestListenBind: Redis's bind forms, each address served; an address
// marked optional ("-") that this machine lacks is skipped, one not
// marked fails.
func TestListenBind(t *testing.T) {
	newServer := func() *server.Server {
		engine := commands.NewEngine(keyspace.New(keyspace.Options{Databases: 1}),
			config.NewStore(config.Defaults(), ""), slog.New(slog.NewTextHandler(io.Discard, nil)))
		return server.New(engine, engine.Log)
	}
	// 198.51.100.1 is TEST-NET-2: no machine has it.
	for _, tc := range []struct {
		bind    string
		skipped int
		serves  []string
		err     bool
	}{
		{"127.0.0.1", 0, []string{"127.0.0.1"}, false},
		{"-198.51.100.1 127.0.0.1", 1, []string{"127.0.0.1"}, false},
		{"127.0.0.1 -::1", -1, []string{"127.0.0.1"}, false},
		{"198.51.100.1 127.0.0.1", 0, nil, true},
		{"-198.51.100.1", 1, nil, true},
	} {
		t.Run(tc.bind, func(t *testing.T) {
			s := newServer()
			port := testutil.FreePort(t)
			skipped, err := s.ListenBind(tc.bind, port)
			if (err != nil) != tc.err || tc.skipped >= 0 && len(skipped) != tc.skipped {
				t.Fatalf("skipped %q, error %v", skipped, err)
			}
			if err != nil {
				return
			}
			done := make(chan error, 1)
			go func() { done <- s.Serve() }()
			defer func() {
				s.Close()
				if err := <-done; err != nil {
					t.Errorf("serve: %v", err)
				}
			}()
			serves := tc.serves
			if strings.Contains(tc.bind, "::1") && len(skipped) == 0 {
				serves = append(serves, "::1")
			}
			for _, host := range serves {
				c, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
				if err != nil {
					t.Fatal(err)
				}
				exchange(t, c, "PING\r\n", "+PONG\r\n")
				c.Close()
			}
		})
	}
}
