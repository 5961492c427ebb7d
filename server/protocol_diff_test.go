package server_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
)

// exchangeToEOF sends in, ends the client's side of the stream and
// returns everything the server sends until it closes the connection.
// Ending the stream makes a server that is still waiting for the rest of
// a request close the connection without a reply.
func exchangeToEOF(t *testing.T, addr string, in []byte) []byte {
	t.Helper()
	c := dial(t, addr)
	// A server that rejects the request may close before reading it all:
	// the write error is expected then.
	c.Write(in)
	c.(*net.TCPConn).CloseWrite()
	return readUntilClose(t, c)
}

// TestProtocolDifferential sends the same raw bytes to redis-server and
// to cairn and requires the same bytes back until the connection closes.
func TestProtocolDifferential(t *testing.T) {
	big := strings.Repeat("1", 70000)
	groups := []struct {
		name string
		// redis is the configuration given to redis-server with CONFIG
		// SET once it is up (StartRedis's readiness probe cannot AUTH).
		redis []string
		edit  func(*config.Config)
		cases []string
	}{
		{"default", nil, nil, []string{
			"*1\r\n$4\r\nPING\r\n*1\r\n$-5\r\n",
			"*0\r\n*-1\r\n*-5\r\nPING\r\n",
			"*1\rX$4\r\nPINGxx",
			"*1\r\n$4\rXPINGxy*1\r\n$4\r\nPING\r\n",
			"*+1\r\n$4\r\nPING\r\n",
			"*01\r\n$4\r\nPING\r\n",
			"*-0\r\n",
			"*1\r\n$04\r\nPING\r\n",
			"*1\r\n$-0\r\nPING\r\n",
			"*1\r\n$+4\r\nPING\r\n",
			"*1\r\n$ 4\r\nPING\r\n",
			"*1\r\n\r\n",
			"*1\r\n\n\r\n",
			"*1\r\nX\r\n",
			"*1\r\n\xff\r\n",
			"*2\r\n$4\r\nECHO\r\n:1\r\n",
			"*2147483648\r\n",
			"*9223372036854775808\r\n",
			"*2147483647\r\n",
			"*1\r\n$536870913\r\n",
			"*1\r\n$536870912\r\n",
			"*abc\r\n",
			"*\r\n",
			"*1\n$4\r\nPING\r\n",
			"\r\n\n  \r\nPING\r\n",
			"PING\x00\r\n",
			"*1\x00\r\n",
			"SET \"a b\" 'c d'\r\nGET \"a b\"\r\n",
			"SET \"a\"b c\r\n",
			"ECHO \"\\x41\\x4g\\n\\t\\a\\b\\z\"\r\n",
			"SET 'it\\'s' 'a\\nb'\r\nGET \"it's\"\r\n",
			"ECHO \"abc\r\n",
			"ECHO 'abc\r\n",
			"ECHO a\rb\r\n",
			"ECHO a\x0bb\r\n",
			"ECHO foo\"bar baz\"\r\n",
			"ECHO \"\"\r\n",
			"ECHO \x0b\x0ca\r\n",
			"PING\r\r\n",
			"PING\n",
			"\r\n",
			"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nbad\"\r\nPING\r\n",
			"PING\x00" + big,
			strings.Repeat("a", 65536),
			strings.Repeat("a", 65537),
			// A whole inline request past 64 KB: its newline comes in the
			// read that passes the limit, so it is accepted.
			"ECHO " + strings.Repeat("a", 70000) + "\r\n",
			"GET " + strings.Repeat("a", 70000) + "\r\nPING\r\n",
			"ECHO " + strings.Repeat("a", 70000) + "\n",
			"*" + strings.Repeat("1", 70000) + "\r\n",
			"*1\r\n$" + strings.Repeat("1", 70000) + "\r\n",
			// Names and arguments are quoted as C strings: cut at a NUL.
			"*2\r\n$5\r\nfo\x00oo\r\n$3\r\na\x00b\r\n",
			"*2\r\n$6\r\nCONFIG\r\n$4\r\nx\x00yz\r\n",
			"*3\r\n$6\r\nCLIENT\r\n$4\r\nx\x00yz\r\n$1\r\na\r\n",
			"*1\r\n$" + big,
			"*" + big,
			"*1\x00" + big + "\r\n",
			"*1\r\n$4\x00\r\nPING\r\n" + big,
			"*2\r\n$4\r\nECHO\r\n$3\r\nab",
		}},
		{"requirepass", []string{"requirepass", "pw"}, func(c *config.Config) { c.RequirePass = "pw" }, []string{
			"*11\r\n",
			"*10\r\n",
			"*1\r\n$16385\r\n",
			"*1\r\n$16384\r\n",
			"*a\r\n",
			"*1\r\n$a\r\n",
			"*1\r\n$99999999999\r\n",
			"*11\r\n$4\r\nPING\r\n",
			"PING\r\n*11\r\n",
			"PING\r\n*1\r\n$" + big,
		}},
		{"small limits", []string{"client-query-buffer-limit", "1mb", "proto-max-bulk-len", "1mb"},
			func(c *config.Config) { c.ClientQueryBufferLimit, c.ProtoMaxBulkLen = 1<<20, 1<<20 }, []string{
				"*2\r\n$4\r\nECHO\r\n$1048577\r\n",
				"*2\r\n$4\r\nECHO\r\n$1048576\r\n",
				"*2\r\n$4\r\nECHO\r\n$1048576\r\n" + strings.Repeat("x", 1<<20) + "\r\n",
			}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			redisAddr := testutil.StartRedis(t)
			if len(g.redis) > 0 {
				exchange(t, dial(t, redisAddr), bulkCommand(append([]string{"CONFIG", "SET"}, g.redis...)...), "+OK\r\n")
			}
			cairn := testutil.StartCairn(t, g.edit)
			for _, in := range g.cases {
				want := exchangeToEOF(t, redisAddr, []byte(in))
				got := exchangeToEOF(t, cairn.Addr, []byte(in))
				if string(got) != string(want) {
					t.Errorf("%.60q: cairn %.200q, redis %.200q", in, got, want)
				}
			}
		})
	}
}

// TestMaxClientsDifferential compares the refusal of a connection over
// maxclients byte for byte.
func TestMaxClientsDifferential(t *testing.T) {
	redisAddr := testutil.StartRedis(t, "--maxclients", "1")
	cairn := testutil.StartCairn(t, func(c *config.Config) { c.MaxClients = 1 })
	for _, addr := range []string{redisAddr, cairn.Addr} {
		holdSlot(t, addr)
	}
	want := exchangeToEOF(t, redisAddr, []byte("PING\r\n"))
	got := exchangeToEOF(t, cairn.Addr, []byte("PING\r\n"))
	if string(got) != string(want) || string(got) != "-ERR max number of clients reached\r\n" {
		t.Errorf("cairn %q, redis %q", got, want)
	}
}

// holdSlot opens a connection that takes the one client slot, retrying
// while the server has not yet seen the close of an earlier connection
// (StartRedis's readiness probe).
func holdSlot(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := dial(t, addr)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte("PING\r\n"))
		line, err := bufio.NewReader(c).ReadString('\n')
		if line == "+PONG\r\n" {
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("no free slot: %q, %v", line, err)
		}
	}
}
