package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/resp"
	"github.com/cairn-db/cairn/server"
)

// dial opens a raw connection to addr, closed with the test.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readUntilClose reads c until the server closes it (EOF or reset) and
// returns what it got; it fails the test if c is still open after 10 s.
func readUntilClose(t *testing.T, c net.Conn) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		var nerr net.Error
		switch {
		case err == nil:
		case errors.As(err, &nerr) && nerr.Timeout():
			t.Fatalf("connection still open; got %q", got)
		default: // EOF or reset: closed by the server
			return got
		}
	}
}

// expect reads exactly len(want) bytes from r and compares them.
func expect(t *testing.T, r io.Reader, want string) {
	t.Helper()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatalf("reading %q: got %q, %v", want, got, err)
	}
	if string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// exchange sends req on c and reads the exact reply want, with a deadline.
func exchange(t *testing.T, c net.Conn, req, want string) {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	expect(t, c, want)
}

func newClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func TestProtocolErrorClosesOnlyThatConnection(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	ctx := context.Background()
	rdb := newClient(t, srv.Addr)
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		in   string
		want string // everything received until the server closes
	}{
		{"invalid bulk length after valid commands", "*1\r\n$4\r\nPING\r\nECHO hi\r\n*1\r\n$-5\r\n",
			"+PONG\r\n$2\r\nhi\r\n-ERR Protocol error: invalid bulk length\r\n"},
		{"invalid multibulk length", "*+1\r\n$4\r\nPING\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"count over INT_MAX", "*2147483648\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"bulk over proto-max-bulk-len", "*1\r\n$536870913\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"expected dollar", "*2\r\n$3\r\nGET\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'\r\n"},
		{"unbalanced quotes", "GET k\r\nGET \"k\r\nPING\r\n", "$1\r\nv\r\n-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"too big inline", strings.Repeat("x", resp.MaxInlineSize+1), "-ERR Protocol error: too big inline request\r\n"},
		{"too big mbulk count", "*" + strings.Repeat("1", resp.MaxInlineSize+1), "-ERR Protocol error: too big mbulk count string\r\n"},
		{"too big bulk count", "*1\r\n$" + strings.Repeat("1", resp.MaxInlineSize+1), "-ERR Protocol error: too big bulk count string\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A neighbour with half a command sent must not notice.
			other := dial(t, srv.Addr)
			exchange(t, other, "PING\r\n", "+PONG\r\n")
			if _, err := other.Write([]byte("*2\r\n$3\r\nGET\r\n$1")); err != nil {
				t.Fatal(err)
			}

			c := dial(t, srv.Addr)
			if _, err := c.Write([]byte(tt.in)); err != nil {
				t.Fatal(err)
			}
			if got := readUntilClose(t, c); string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}

			exchange(t, other, "\r\nk\r\n", "$1\r\nv\r\n")
			if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
				t.Errorf("GET from another client: %q, %v", v, err)
			}
		})
	}
}

func TestInlineCommands(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	c := dial(t, srv.Addr)
	tests := []struct{ in, want string }{
		{"PING\r\n", "+PONG\r\n"},
		{"PING\n", "+PONG\r\n"},
		{"\r\n\r\n  \r\n*0\r\n*-1\r\nPING\r\n", "+PONG\r\n"}, // empty requests are ignored
		{"SET \"a b\" 'c d'\r\n", "+OK\r\n"},
		{"GET \"a b\"\r\n", "$3\r\nc d\r\n"},
		{"ECHO \"\\x41\\x42\\n\\t\\\"\"\r\n", "$5\r\nAB\n\t\"\r\n"},
		{"ECHO 'it\\'s'\r\n", "$4\r\nit's\r\n"},
		{"ECHO \"\"\r\n", "$0\r\n\r\n"},
		{"ECHO foo\"bar baz\"\r\n", "$10\r\nfoobar baz\r\n"},
		{"ECHO a\rb\r\n", "-ERR wrong number of arguments for 'echo' command\r\n"},
		{"SET k 1\r\nINCR k\r\n*2\r\n$4\r\nINCR\r\n$1\r\nk\r\nGET k\r\n", "+OK\r\n:2\r\n:3\r\n$1\r\n3\r\n"},
	}
	for _, tt := range tests {
		exchange(t, c, tt.in, tt.want)
	}
	if v, err := newClient(t, srv.Addr).Get(context.Background(), "a b").Result(); err != nil || v != "c d" {
		t.Errorf("GET 'a b' = %q, %v", v, err)
	}
}

func bulkCommand(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

func TestProtoMaxBulkLen(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.ProtoMaxBulkLen = 1 << 20 })
	val := strings.Repeat("v", 1<<20)
	c := dial(t, srv.Addr)
	exchange(t, c, bulkCommand("SET", "big", val), "+OK\r\n")

	c = dial(t, srv.Addr)
	c.Write([]byte("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1048577\r\n"))
	if got := readUntilClose(t, c); string(got) != "-ERR Protocol error: invalid bulk length\r\n" {
		t.Errorf("over the limit: got %q", got)
	}

	// The limit is read at each request, so a change applies at once.
	if err := srv.Config.Set([][2]string{{"proto-max-bulk-len", "2mb"}}); err != nil {
		t.Fatal(err)
	}
	c = dial(t, srv.Addr)
	exchange(t, c, bulkCommand("SET", "big", val+"w"), "+OK\r\n")
}

// TestProtoMaxMultibulkLen needs the proto-max-multibulk-len option.
func TestProtoMaxMultibulkLen(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	if err := srv.Config.Set([][2]string{{"proto-max-multibulk-len", "3"}}); err != nil {
		t.Fatal(err)
	}
	c := dial(t, srv.Addr)
	exchange(t, c, bulkCommand("SET", "k", "v"), "+OK\r\n")
	c.Write([]byte(bulkCommand("MSET", "k", "v", "k2", "v2")))
	if got := readUntilClose(t, c); string(got) != "-ERR Protocol error: invalid multibulk length\r\n" {
		t.Errorf("got %q", got)
	}
}

func TestQueryBufferLimit(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.ClientQueryBufferLimit = 1 << 20 })
	// A large value within the limit passes.
	c := dial(t, srv.Addr)
	exchange(t, c, bulkCommand("SET", "k", strings.Repeat("v", 1<<19)), "+OK\r\n")

	// The replies to the commands before it are sent, then the
	// connection is closed without a reply, as Redis does.
	c = dial(t, srv.Addr)
	exchange(t, c, "PING\r\n", "+PONG\r\n")
	c.Write([]byte("PING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n" + strings.Repeat("v", 1<<20)))
	if got := readUntilClose(t, c); string(got) != "+PONG\r\n" {
		t.Errorf("got %q, want only the PING's reply", got)
	}
	if v, err := newClient(t, srv.Addr).StrLen(context.Background(), "k").Result(); err != nil || v != 1<<19 {
		t.Errorf("STRLEN k = %d, %v: the rejected SET must not run", v, err)
	}
}

func TestUnauthenticatedLimits(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.RequirePass = "pw" })
	// AUTH is not in this package's hands: a stand-in marks the client
	// authenticated, as AUTH does.
	ks := srv.Engine.KS
	ks.Lock()
	srv.Engine.Table["testauth"] = &commands.Command{Name: "testauth", Arity: 1, Flags: commands.FlagNoAuth,
		Run: func(c *commands.Ctx) { c.Client.Authenticated = true; c.W.OK() }}
	ks.Unlock()

	tests := []struct{ name, in, want string }{
		{"11 arguments", "*11\r\n", "-ERR Protocol error: unauthenticated multibulk length\r\n"},
		{"16385 byte bulk", "*1\r\n$16385\r\n", "-ERR Protocol error: unauthenticated bulk length\r\n"},
		{"invalid wins", "*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"after a refused command", "PING\r\n*11\r\n", "-NOAUTH Authentication required.\r\n-ERR Protocol error: unauthenticated multibulk length\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, srv.Addr)
			c.Write([]byte(tt.in))
			if got := readUntilClose(t, c); string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	// Authentication in the same write as a large request lifts the
	// limits for it, as in Redis, which judges each request after running
	// the one before.
	c := dial(t, srv.Addr)
	big := strings.Repeat("x", 20000)
	exchange(t, c, "TESTAUTH\r\n"+bulkCommand("ECHO", big)+bulkCommand("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"),
		"+OK\r\n$20000\r\n"+big+"\r\n+OK\r\n")
}

func TestMaxClients(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.MaxClients = 2 })
	first := dial(t, srv.Addr)
	exchange(t, first, "PING\r\n", "+PONG\r\n")
	second := dial(t, srv.Addr)
	exchange(t, second, "PING\r\n", "+PONG\r\n")

	third := dial(t, srv.Addr)
	if got := readUntilClose(t, third); string(got) != "-ERR max number of clients reached\r\n" {
		t.Errorf("got %q", got)
	}
	exchange(t, first, "PING\r\n", "+PONG\r\n")

	// A freed slot can be taken again once the server has seen the close.
	second.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := dial(t, srv.Addr)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte("PING\r\n"))
		line, err := bufio.NewReader(c).ReadString('\n')
		if line == "+PONG\r\n" {
			break
		}
		if line != "-ERR max number of clients reached\r\n" || time.Now().After(deadline) {
			t.Fatalf("got %q, %v", line, err)
		}
		c.Close()
	}
}

func TestIdleTimeout(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.Timeout = time.Second })

	idle := dial(t, srv.Addr)
	exchange(t, idle, "PING\r\n", "+PONG\r\n")
	start := time.Now()

	// Two clients stay active: one runs commands, the other uploads a
	// value byte by byte; any input counts as activity, as in Redis.
	pinger := dial(t, srv.Addr)
	uploader := dial(t, srv.Addr)
	if _, err := uploader.Write([]byte("*3\r\n$3\r\nSET\r\n$1\r\nu\r\n$100\r\n")); err != nil {
		t.Fatal(err)
	}
	closed := make(chan []byte)
	go func() {
		idle.SetReadDeadline(time.Now().Add(10 * time.Second))
		got, _ := io.ReadAll(idle)
		closed <- got
	}()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for sent := 0; ; {
		select {
		case got := <-closed:
			// Redis compares whole seconds: idle > timeout means 1 to 2 s.
			if d := time.Since(start); d < time.Second || d > 3*time.Second {
				t.Errorf("idle client closed after %v, want 1-2 s", d)
			}
			if len(got) != 0 {
				t.Errorf("the idle client got %q before the close, want nothing", got)
			}
			exchange(t, pinger, "PING\r\n", "+PONG\r\n")
			exchange(t, uploader, strings.Repeat("u", 100-sent)+"\r\n", "+OK\r\n")
			return
		case <-tick.C:
			exchange(t, pinger, "PING\r\n", "+PONG\r\n")
			if _, err := uploader.Write([]byte("u")); err != nil {
				t.Fatal(err)
			}
			sent++
		}
	}
}

func TestPanicRecovery(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	ks := srv.Engine.KS
	ks.Lock()
	srv.Engine.Table["testpanic"] = &commands.Command{Name: "testpanic", Arity: -1,
		Run: func(c *commands.Ctx) { c.W.OK(); panic("boom") }}
	ks.Unlock()

	ctx := context.Background()
	// One connection, so that "the same client" is the same connection.
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true, PoolSize: 1})
	t.Cleanup(func() { rdb.Close() })
	err := rdb.Do(ctx, "testpanic").Err()
	if err == nil || err.Error() != "ERR internal error while executing 'testpanic'" {
		t.Fatalf("got %v", err)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Errorf("same client after the panic: %v", err)
	}
	if err := newClient(t, srv.Addr).Ping(ctx).Err(); err != nil {
		t.Errorf("another client after the panic: %v", err)
	}
	// Within a pipeline the batch goes on after the panicking command,
	// and its half-written reply is dropped.
	c := dial(t, srv.Addr)
	exchange(t, c, "PING\r\nTESTPANIC\r\nPING\r\n", "+PONG\r\n-ERR internal error while executing 'testpanic'\r\n+PONG\r\n")
}

// startCounting starts a server whose keyspace counts the units of work
// (lock holds) that recorded effects, and the effects.
func startCounting(t *testing.T) (addr string, units, effects *atomic.Int64) {
	units, effects = new(atomic.Int64), new(atomic.Int64)
	ks := keyspace.New(keyspace.Options{Databases: 16, Sink: func(e []keyspace.Effect) {
		units.Add(1)
		effects.Add(int64(len(e)))
	}})
	engine := commands.NewEngine(ks, config.NewStore(config.Defaults(), ""), slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := server.New(engine, engine.Log)
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return srv.Addr().String(), units, effects
}

func TestPipeline(t *testing.T) {
	const n = 10000
	addr, units, effects := startCounting(t)
	var req, want bytes.Buffer
	for i := 1; i <= n; i++ {
		req.WriteString(bulkCommand("INCR", "counter"))
		want.WriteString(":" + strconv.Itoa(i) + "\r\n")
	}
	c := dial(t, addr)
	exchange(t, c, req.String(), want.String())
	// redcon reads 4 KiB at a time and the server runs all the commands
	// of a read under one lock hold: about 100 per batch here.
	if got := effects.Load(); got != n {
		t.Errorf("%d effects, want %d", got, n)
	}
	t.Logf("%d commands in %d batches", n, units.Load())
	if u := units.Load(); u > n/20 {
		t.Errorf("%d lock holds for %d pipelined commands, want batches of 20 or more", u, n)
	}
}

func TestPipelineInline(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	var req, want bytes.Buffer
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&req, "ECHO \"%d x\"\r\n", i)
		fmt.Fprintf(&want, "$%d\r\n%d x\r\n", len(strconv.Itoa(i))+2, i)
	}
	exchange(t, dial(t, srv.Addr), req.String(), want.String())
}

// TestLargeValues uploads large values, which are read apart from their
// requests, in pieces, and reads them back.
func TestLargeValues(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	val := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	c := dial(t, srv.Addr)
	c.Write([]byte("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + strconv.Itoa(len(val)) + "\r\n"))
	c.Write(val[:1000])
	exchange(t, c, string(val[1000:])+"\r\n", "+OK\r\n")
	exchange(t, c, bulkCommand("GET", "big"), "$"+strconv.Itoa(len(val))+"\r\n"+string(val)+"\r\n")

	// Values in the middle of a request.
	req := bulkCommand("MSET", "a", string(val[:1<<20]), "b", string(val[1<<20:3<<20]), "c", "3")
	for len(req) > 100000 {
		c.Write([]byte(req[:100000]))
		req = req[100000:]
	}
	exchange(t, c, req, "+OK\r\n")
	if v, err := newClient(t, srv.Addr).StrLen(context.Background(), "b").Result(); err != nil || v != 2<<20 {
		t.Errorf("STRLEN b = %d, %v", v, err)
	}
}

// TestBatchClock checks the clock that a pipeline batch's fast commands
// share: it moves on after a slow command, so a key that expired while
// DEBUG SLEEP ran is gone for the GET behind it in the same batch, and
// the batch's time is still counted in the fast commands' statistics.
func TestBatchClock(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.EnableDebugCommand = "yes" })
	c := dial(t, srv.Addr)
	exchange(t, c, bulkCommand("SET", "k", "v", "PX", "20"), "+OK\r\n")
	exchange(t, c, bulkCommand("DEBUG", "SLEEP", "0.05")+bulkCommand("GET", "k"), "+OK\r\n$-1\r\n")

	var req, want bytes.Buffer
	for range 2000 {
		req.WriteString(bulkCommand("EXISTS", "k"))
		want.WriteString(":0\r\n")
	}
	exchange(t, c, req.String(), want.String())
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2})
	defer rdb.Close()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	var calls, usec int
	for line := range strings.SplitSeq(info, "\r\n") {
		if strings.HasPrefix(line, "cmdstat_exists:") {
			fmt.Sscanf(line, "cmdstat_exists:calls=%d,usec=%d,", &calls, &usec)
		}
	}
	if calls != 2000 || usec == 0 {
		t.Errorf("cmdstat_exists: calls=%d usec=%d, want 2000 calls and some time", calls, usec)
	}
}

// TestAuthDuringBusyScript checks that an AUTH answered while a script is
// busy lifts the pre-AUTH request limits at once.
func TestAuthDuringBusyScript(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) {
		c.RequirePass = "pw"
		c.BusyReplyThreshold = 20 * time.Millisecond
	})
	runner := dial(t, srv.Addr)
	exchange(t, runner, bulkCommand("AUTH", "pw"), "+OK\r\n")
	runner.Write([]byte(bulkCommand("EVAL", "while true do end", "0")))

	busy := "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
	probe := dial(t, srv.Addr)
	exchange(t, probe, bulkCommand("AUTH", "pw"), "+OK\r\n")
	// If the test fails half-way, the script must still end for the
	// server to stop.
	t.Cleanup(func() {
		probe.SetDeadline(time.Now().Add(10 * time.Second))
		probe.Write([]byte(bulkCommand("SCRIPT", "KILL")))
		bufio.NewReader(probe).ReadString('\n')
	})
	// Poll until the script is busy: before, PING waits for it or, if
	// the script has not started, is answered.
	for {
		probe.SetDeadline(time.Now().Add(10 * time.Second))
		probe.Write([]byte(bulkCommand("PING")))
		buf := make([]byte, len(busy))
		if _, err := io.ReadFull(probe, buf[:1]); err != nil {
			t.Fatal(err)
		}
		if buf[0] == '-' {
			if _, err := io.ReadFull(probe, buf[1:]); err != nil || string(buf) != busy {
				t.Fatalf("PING during the script: %q, %v", buf, err)
			}
			break
		}
		expect(t, probe, "PONG\r\n")
	}
	c := dial(t, srv.Addr)
	exchange(t, c, bulkCommand("AUTH", "pw"), "+OK\r\n")
	// Eleven arguments: refused as a protocol error before AUTH.
	exchange(t, c, bulkCommand("MGET", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), busy)
	exchange(t, c, bulkCommand("SCRIPT", "KILL"), "+OK\r\n")
	expect(t, runner, "-ERR Script killed by user with SCRIPT KILL... script: ")
}
