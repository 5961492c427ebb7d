package commands_test

import (
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/server"
)

// blocker is a connection that sends blocking commands and reads their
// replies later.
type blocker struct {
	*rawConn
	id int64
}

func dialBlocker(t *testing.T, addr string) *blocker {
	t.Helper()
	c := dialRaw(t, addr)
	return &blocker{rawConn: c, id: c.do(t, "CLIENT", "ID").n}
}

// block sends a command that must block, and waits until admin sees the
// client blocked (flag b in CLIENT LIST).
func (b *blocker) block(t *testing.T, admin *rawConn, args ...string) {
	t.Helper()
	sendRaw(t, b.rawConn, args)
	waitBlocked(t, admin, b.id)
}

// reply reads the next reply.
func (b *blocker) reply(t *testing.T) *rawReply {
	t.Helper()
	b.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	r, err := readRaw(b.r)
	if err != nil {
		t.Fatalf("client %d: %v", b.id, err)
	}
	return r
}

// expect reads the next reply and checks its rendering.
func (b *blocker) expect(t *testing.T, want string) {
	t.Helper()
	if got := b.reply(t).String(); got != want {
		t.Errorf("client %d got %s, want %s", b.id, got, want)
	}
}

// stillBlocked checks that the client is blocked: flag b, no reply.
func (b *blocker) stillBlocked(t *testing.T, admin *rawConn) {
	t.Helper()
	lines, _ := clientFields(t, admin.do(t, "CLIENT", "LIST", "ID", strconv.FormatInt(b.id, 10)).str)
	if len(lines) != 1 || !strings.Contains(lines[0]["flags"], "b") {
		t.Errorf("client %d not blocked: %v", b.id, lines)
	}
}

// waitInfo polls INFO until field has the value want.
func waitInfo(t *testing.T, admin *rawConn, field, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := infoFields(t, admin.do(t, "INFO", "clients").str)[field]
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s:%s, want %s", field, got, want)
		}
		time.Sleep(time.Millisecond)
	}
}

func expectDo(t *testing.T, c *rawConn, want string, args ...string) {
	t.Helper()
	if got := c.do(t, args...).String(); got != want {
		t.Errorf("%q = %s, want %s", args, got, want)
	}
}

// readReplies reads n replies from c and renders them.
func readReplies(t *testing.T, c *rawConn, n int) []string {
	t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	out := make([]string, n)
	for i := range out {
		r, err := readRaw(c.r)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = r.String()
	}
	return out
}

func TestBlockingFIFO(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	var ws []*blocker
	for range 4 {
		w := dialBlocker(t, srv.Addr)
		w.block(t, admin, "BLPOP", "k", "k2", "0")
		ws = append(ws, w)
	}
	// One push serves the waiters in the order they blocked, once the
	// push is over and before the pusher's next command.
	sendRaw(t, admin, []string{"RPUSH", "k", "a", "b"}, []string{"LPOP", "k"})
	if got := readReplies(t, admin, 2); !reflect.DeepEqual(got, []string{"2", "(nil)"}) {
		t.Errorf("RPUSH, LPOP = %q", got)
	}
	ws[0].expect(t, `["k" "a"]`)
	ws[1].expect(t, `["k" "b"]`)
	ws[2].stillBlocked(t, admin)
	// LPUSH pushes one by one: the last one pushed is the first popped.
	expectDo(t, admin, "3", "LPUSH", "k2", "x", "y", "z")
	ws[2].expect(t, `["k2" "z"]`)
	ws[3].expect(t, `["k2" "y"]`)
	expectDo(t, admin, `["x"]`, "LRANGE", "k2", "0", "-1")
	expectDo(t, admin, "0", "EXISTS", "k")
	waitInfo(t, admin, "blocked_clients", "0")
}

func TestBlockingTimeout(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	tests := [][]string{
		{"BLPOP", "k", "0.05"},
		{"BRPOP", "k", "k2", ".05"},
		{"BLMOVE", "k", "d", "LEFT", "RIGHT", "0.05"},
		{"BRPOPLPUSH", "k", "d", "5e-2"},
		{"BLMPOP", "0.05", "2", "k", "k2", "LEFT", "COUNT", "3"},
	}
	for _, proto := range []int64{2, 3} {
		c := dialRaw(t, srv.Addr)
		c.do(t, "HELLO", strconv.FormatInt(proto, 10))
		for _, args := range tests {
			start := time.Now()
			r := c.do(t, args...)
			kind := byte('*')
			if proto == 3 {
				kind = '_'
			}
			if !r.null || r.kind != kind {
				t.Errorf("RESP%d %q = %c %v, want the null array", proto, args, r.kind, r)
			}
			if d := time.Since(start); d < 50*time.Millisecond {
				t.Errorf("%q timed out after %v", args, d)
			}
		}
	}
	// A tiny timeout is rounded up to a millisecond, not to 0 (forever).
	expectDo(t, admin, "(nil)", "BLPOP", "k", "0.0000001")
	expectDo(t, admin, "0", "EXISTS", "k", "d")
}

func TestBlockingForeverThenServed(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	w := dialBlocker(t, srv.Addr)
	w.block(t, admin, "BRPOP", "k", "0")
	// Other commands, writes to other keys and other types included, do
	// not wake it.
	expectDo(t, admin, "+OK", "SET", "s", "v")
	expectDo(t, admin, "1", "RPUSH", "other", "x")
	expectDo(t, admin, "+OK", "SET", "k", "string")
	expectDo(t, admin, "1", "DEL", "k")
	w.stillBlocked(t, admin)
	expectDo(t, admin, "2", "RPUSH", "k", "a", "b")
	w.expect(t, `["k" "b"]`)
	expectDo(t, admin, `["a"]`, "LRANGE", "k", "0", "-1")
}

// TestBlockingDisconnect checks that a client that goes away while
// blocked is forgotten at once: the element goes to the next waiter, or
// stays in the list.
func TestBlockingDisconnect(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	a, b := dialBlocker(t, srv.Addr), dialBlocker(t, srv.Addr)
	a.block(t, admin, "BLPOP", "k", "0")
	b.block(t, admin, "BLPOP", "k", "0")
	waitInfo(t, admin, "blocked_clients", "2")
	a.conn.Close()
	waitInfo(t, admin, "blocked_clients", "1")
	waitInfo(t, admin, "connected_clients", "2")
	expectDo(t, admin, "1", "RPUSH", "k", "x")
	b.expect(t, `["k" "x"]`)

	c := dialBlocker(t, srv.Addr)
	c.block(t, admin, "BLMOVE", "k", "d", "LEFT", "LEFT", "0")
	// Commands sent while blocked wait their turn, and the connection
	// still closes.
	sendRaw(t, c.rawConn, []string{"RPUSH", "k", "queued"})
	c.conn.Close()
	waitInfo(t, admin, "blocked_clients", "0")
	expectDo(t, admin, "1", "RPUSH", "k", "y")
	expectDo(t, admin, `["y"]`, "LRANGE", "k", "0", "-1")
	expectDo(t, admin, "0", "EXISTS", "d")
}

func TestClientUnblock(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	w := dialBlocker(t, srv.Addr)
	id := strconv.FormatInt(w.id, 10)
	expectDo(t, admin, "0", "CLIENT", "UNBLOCK", id)

	w.block(t, admin, "BLPOP", "k", "0")
	expectDo(t, admin, "1", "CLIENT", "UNBLOCK", id)
	if r := w.reply(t); !r.null || r.kind != '*' {
		t.Errorf("unblocked BLPOP = %c %v, want the null array", r.kind, r)
	}
	expectDo(t, admin, "0", "CLIENT", "UNBLOCK", id, "TIMEOUT")

	w.block(t, admin, "BLMOVE", "k", "d", "LEFT", "LEFT", "0")
	expectDo(t, admin, "1", "CLIENT", "UNBLOCK", id, "error")
	w.expect(t, "-UNBLOCKED client unblocked via CLIENT UNBLOCK")
	// The client goes on as usual.
	expectDo(t, w.rawConn, "+PONG", "PING")

	errs := infoFields(t, admin.do(t, "INFO", "errorstats").str)
	if errs["errorstat_UNBLOCKED"] != "count=1" {
		t.Errorf("errorstat_UNBLOCKED:%s", errs["errorstat_UNBLOCKED"])
	}
	// Both unblocked commands count as failed calls, as in Redis.
	stats := infoFields(t, admin.do(t, "INFO", "commandstats").str)
	for _, name := range []string{"blpop", "blmove"} {
		if s := stats["cmdstat_"+name]; !strings.Contains(s, "calls=1,") || !strings.Contains(s, "failed_calls=1") {
			t.Errorf("cmdstat_%s:%s", name, s)
		}
	}

	tests := []struct {
		args []string
		want string
	}{
		{[]string{"CLIENT", "UNBLOCK", "999"}, "0"},
		{[]string{"CLIENT", "UNBLOCK", "-1"}, "0"},
		{[]string{"CLIENT", "UNBLOCK", "x"}, "-ERR value is not an integer or out of range"},
		{[]string{"CLIENT", "UNBLOCK", id, "foo"}, "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"},
		{[]string{"CLIENT", "UNBLOCK", "x", "foo"}, "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"},
		{[]string{"CLIENT", "UNBLOCK", id, "error", "x"}, "-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP."},
		{[]string{"CLIENT", "UNBLOCK"}, "-ERR wrong number of arguments for 'client|unblock' command"},
	}
	for _, tt := range tests {
		expectDo(t, admin, tt.want, tt.args...)
	}
}

func TestBlockedClientsInfo(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	waitInfo(t, admin, "blocked_clients", "0")
	a, b := dialBlocker(t, srv.Addr), dialBlocker(t, srv.Addr)
	a.block(t, admin, "BLPOP", "k", "0")
	b.block(t, admin, "BLMPOP", "600", "1", "k", "LEFT")
	info := infoFields(t, admin.do(t, "INFO", "clients").str)
	if info["blocked_clients"] != "2" || info["clients_in_timeout_table"] != "1" {
		t.Errorf("blocked_clients:%s clients_in_timeout_table:%s, want 2 and 1",
			info["blocked_clients"], info["clients_in_timeout_table"])
	}
	expectDo(t, admin, "1", "RPUSH", "k", "x")
	a.expect(t, `["k" "x"]`)
	expectDo(t, admin, "1", "CLIENT", "UNBLOCK", strconv.FormatInt(b.id, 10))
	b.expect(t, "(nil)")
	info = infoFields(t, admin.do(t, "INFO", "clients").str)
	if info["blocked_clients"] != "0" || info["clients_in_timeout_table"] != "0" {
		t.Errorf("blocked_clients:%s clients_in_timeout_table:%s, want 0 and 0",
			info["blocked_clients"], info["clients_in_timeout_table"])
	}
}

// TestBlockingPipeline checks that the replies to the commands before a
// blocking one are sent before it blocks, and that the commands after it
// run once it is served.
func TestBlockingPipeline(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	w := dialBlocker(t, srv.Addr)
	sendRaw(t, w.rawConn, []string{"RPUSH", "x", "1"}, []string{"ECHO", "before"},
		[]string{"BLPOP", "k", "0"}, []string{"PING"})
	if got := readReplies(t, w.rawConn, 2); !reflect.DeepEqual(got, []string{"1", `"before"`}) {
		t.Errorf("replies before the block: %q", got)
	}
	waitBlocked(t, admin, w.id)
	sendRaw(t, w.rawConn, []string{"ECHO", "sent while blocked"})
	expectDo(t, admin, "1", "RPUSH", "k", "v")
	want := []string{`["k" "v"]`, "+PONG", `"sent while blocked"`}
	if got := readReplies(t, w.rawConn, 3); !reflect.DeepEqual(got, want) {
		t.Errorf("replies after the block: %q, want %q", got, want)
	}
}

func TestBlockingMove(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	a, b, c := dialBlocker(t, srv.Addr), dialBlocker(t, srv.Addr), dialBlocker(t, srv.Addr)

	a.block(t, admin, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0")
	b.block(t, admin, "BRPOPLPUSH", "src", "dst", "0")
	expectDo(t, admin, "3", "RPUSH", "src", "1", "2", "3")
	a.expect(t, `"3"`)
	b.expect(t, `"2"`)
	expectDo(t, admin, `["1"]`, "LRANGE", "src", "0", "-1")
	expectDo(t, admin, `["2" "3"]`, "LRANGE", "dst", "0", "-1")
	expectDo(t, admin, "1", "DEL", "src")

	// A destination of another type fails the first waiter only; the
	// element goes to the next.
	expectDo(t, admin, "+OK", "SET", "str", "v")
	a.block(t, admin, "BLMOVE", "src", "str", "LEFT", "LEFT", "0")
	b.block(t, admin, "BLPOP", "src", "0")
	expectDo(t, admin, "1", "RPUSH", "src", "x")
	a.expect(t, "-WRONGTYPE Operation against a key holding the wrong kind of value")
	b.expect(t, `["src" "x"]`)

	// A move into a key another client waits for serves it too.
	a.block(t, admin, "BLMOVE", "q1", "q2", "LEFT", "RIGHT", "0")
	b.block(t, admin, "BLMOVE", "q2", "q3", "LEFT", "RIGHT", "0")
	c.block(t, admin, "BLPOP", "q3", "0")
	expectDo(t, admin, "1", "RPUSH", "q1", "hop")
	a.expect(t, `"hop"`)
	b.expect(t, `"hop"`)
	c.expect(t, `["q3" "hop"]`)
	expectDo(t, admin, "0", "EXISTS", "q1", "q2", "q3")
}

func TestBlockingMPop(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	a, b := dialBlocker(t, srv.Addr), dialBlocker(t, srv.Addr)
	a.block(t, admin, "BLMPOP", "0", "2", "k1", "k2", "RIGHT", "COUNT", "2")
	b.block(t, admin, "BLMPOP", "0", "1", "k2", "LEFT", "COUNT", "5")
	expectDo(t, admin, "3", "RPUSH", "k2", "a", "b", "c")
	a.expect(t, `["k2" ["c" "b"]]`)
	b.expect(t, `["k2" ["a"]]`)
	expectDo(t, admin, "0", "EXISTS", "k2")
}

// TestBlockingReadyByOtherCommands checks the commands that make a list
// appear at a waited key without pushing to it.
func TestBlockingReadyByOtherCommands(t *testing.T) {
	tests := []struct {
		name  string
		setup [][]string
		make  [][]string
	}{
		{"RENAME", [][]string{{"RPUSH", "tmp", "v"}}, [][]string{{"RENAME", "tmp", "k"}}},
		{"RENAMENX", [][]string{{"RPUSH", "tmp", "v"}}, [][]string{{"RENAMENX", "tmp", "k"}}},
		{"COPY", [][]string{{"RPUSH", "tmp", "v"}}, [][]string{{"COPY", "tmp", "k"}, {"DEL", "tmp"}}},
		{"MOVE", [][]string{{"SELECT", "1"}, {"RPUSH", "k", "v"}}, [][]string{{"MOVE", "k", "0"}, {"SELECT", "0"}}},
		{"SWAPDB", [][]string{{"SELECT", "2"}, {"RPUSH", "k", "v"}, {"SELECT", "0"}}, [][]string{{"SWAPDB", "0", "2"}}},
		{"LMOVE", [][]string{{"RPUSH", "tmp", "v"}}, [][]string{{"LMOVE", "tmp", "k", "LEFT", "LEFT"}}},
		{"EXEC", nil, [][]string{{"MULTI"}, {"RPUSH", "k", "v"}, {"EXEC"}}},
		{"EVAL", nil, [][]string{{"EVAL", "redis.call('rpush', KEYS[1], 'v')", "1", "k"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startConnServer(t, nil)
			admin := dialRaw(t, srv.Addr)
			for _, args := range tt.setup {
				admin.do(t, args...)
			}
			w := dialBlocker(t, srv.Addr)
			w.block(t, admin, "BLPOP", "k", "0")
			for _, args := range tt.make {
				if r := admin.do(t, args...); r.kind == '-' {
					t.Fatalf("%q: %v", args, r)
				}
			}
			w.expect(t, `["k" "v"]`)
			expectDo(t, admin, "0", "EXISTS", "k")
		})
	}
}

func TestBlockingInTransaction(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	c := dialRaw(t, srv.Addr)
	// Inside EXEC a blocking command does not block: it replies as on a
	// timeout, even with timeout 0.
	for _, args := range [][]string{{"MULTI"}, {"BLPOP", "k", "0"}, {"BLMOVE", "k", "d", "LEFT", "LEFT", "0"},
		{"BLMPOP", "0", "1", "k", "LEFT"}} {
		c.do(t, args...)
	}
	r := c.do(t, "EXEC")
	if len(r.elems) != 3 || r.elems[0].kind != '*' || r.elems[1].kind != '$' || r.elems[2].kind != '*' ||
		!r.elems[0].null || !r.elems[1].null || !r.elems[2].null {
		t.Errorf("EXEC = %v, want a null array, a null bulk and a null array", r)
	}

	// A transaction wakes waiters when it is over: not for an element it
	// took back itself.
	w := dialBlocker(t, srv.Addr)
	w.block(t, admin, "BLPOP", "k", "0")
	for _, args := range [][]string{{"MULTI"}, {"RPUSH", "k", "a"}, {"LPOP", "k"}} {
		admin.do(t, args...)
	}
	expectDo(t, admin, `[1 "a"]`, "EXEC")
	w.stillBlocked(t, admin)
	for _, args := range [][]string{{"MULTI"}, {"RPUSH", "k", "a", "b"}, {"LLEN", "k"}} {
		admin.do(t, args...)
	}
	expectDo(t, admin, "[2 2]", "EXEC")
	w.expect(t, `["k" "a"]`)
	expectDo(t, admin, `["b"]`, "LRANGE", "k", "0", "-1")
}

func TestBlockingKillAndShutdown(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	w := dialBlocker(t, srv.Addr)
	w.block(t, admin, "BLPOP", "k", "0")
	expectDo(t, admin, "1", "CLIENT", "KILL", "ID", strconv.FormatInt(w.id, 10))
	if !closed(t, w.rawConn) {
		t.Error("killed client's connection open")
	}
	waitInfo(t, admin, "blocked_clients", "0")
	expectDo(t, admin, "1", "RPUSH", "k", "x")
	expectDo(t, admin, `["x"]`, "LRANGE", "k", "0", "-1")

	// Stopping the engine releases blocked clients: their connections
	// close.
	a, b := dialBlocker(t, srv.Addr), dialBlocker(t, srv.Addr)
	a.block(t, admin, "BLPOP", "nokey", "0")
	b.block(t, admin, "BLMOVE", "nokey", "d", "LEFT", "LEFT", "100")
	srv.Engine.Close()
	for _, c := range []*blocker{a, b} {
		if !closed(t, c.rawConn) {
			t.Errorf("client %d still open after Engine.Close", c.id)
		}
	}
}

func TestBlockingShutdownCommand(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	w := dialBlocker(t, srv.Addr)
	w.block(t, admin, "BRPOP", "k", "0")
	sendRaw(t, admin, []string{"SHUTDOWN", "NOSAVE"})
	if !closed(t, w.rawConn) {
		t.Error("blocked client open after SHUTDOWN")
	}
}

// effectsServer is a server whose keyspace records its effects.
type effectsServer struct {
	addr    string
	mu      sync.Mutex
	effects []string
}

func startEffectsServer(t *testing.T) *effectsServer {
	t.Helper()
	s := &effectsServer{}
	cfg := config.Defaults()
	ks := keyspace.New(keyspace.Options{Databases: cfg.Databases, Sink: func(effects []keyspace.Effect) {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, e := range effects {
			args := make([]string, len(e.Args))
			for i, a := range e.Args {
				args[i] = string(a)
			}
			s.effects = append(s.effects, fmt.Sprintf("%d:%s", e.DB, strings.Join(args, " ")))
		}
	}})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine := commands.NewEngine(ks, config.NewStore(cfg, ""), log)
	srv := server.New(engine, log)
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	s.addr = srv.Addr().String()
	return s
}

// take returns the effects recorded so far and forgets them.
func (s *effectsServer) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.effects
	s.effects = nil
	return out
}

// TestBlockingEffects checks that a served blocking command records its
// non-blocking form, in its own database, right after the push that
// served it, and that a wait that ends otherwise records nothing.
func TestBlockingEffects(t *testing.T) {
	s := startEffectsServer(t)
	admin := dialRaw(t, s.addr)
	tests := []struct {
		block []string
		push  []string
		want  []string
	}{
		{[]string{"BLPOP", "k", "k2", "0"}, []string{"RPUSH", "k2", "a", "b"}, []string{"0:RPUSH k2 a b", "0:LPOP k2"}},
		{[]string{"BRPOP", "k", "0"}, []string{"RPUSH", "k", "c"}, []string{"0:RPUSH k c", "0:RPOP k"}},
		{[]string{"BLMOVE", "k", "d", "right", "left", "0"}, []string{"LPUSH", "k", "x"},
			[]string{"0:LPUSH k x", "0:LMOVE k d RIGHT LEFT"}},
		{[]string{"BRPOPLPUSH", "k", "d", "0"}, []string{"LPUSH", "k", "y"}, []string{"0:LPUSH k y", "0:RPOPLPUSH k d"}},
		{[]string{"BLMPOP", "0", "1", "k", "LEFT", "COUNT", "5"}, []string{"RPUSH", "k", "1", "2"},
			[]string{"0:RPUSH k 1 2", "0:LMPOP 1 k LEFT COUNT 2"}},
	}
	for _, tt := range tests {
		w := dialBlocker(t, s.addr)
		w.block(t, admin, tt.block...)
		s.take()
		admin.do(t, tt.push...)
		w.reply(t)
		if got := s.take(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q served by %q: effects %q, want %q", tt.block, tt.push, got, tt.want)
		}
	}

	// In another database.
	w := dialBlocker(t, s.addr)
	w.do(t, "SELECT", "3")
	w.block(t, admin, "BLPOP", "k", "0")
	admin.do(t, "SELECT", "3")
	s.take()
	admin.do(t, "RPUSH", "k", "v")
	w.expect(t, `["k" "v"]`)
	if got, want := s.take(), []string{"3:RPUSH k v", "3:LPOP k"}; !reflect.DeepEqual(got, want) {
		t.Errorf("effects %q, want %q", got, want)
	}

	// Timeouts and CLIENT UNBLOCK change nothing.
	w.do(t, "BLPOP", "k", "0.01")
	w.block(t, admin, "BLPOP", "k", "0")
	admin.do(t, "CLIENT", "UNBLOCK", strconv.FormatInt(w.id, 10))
	w.reply(t)
	if got := s.take(); len(got) != 0 {
		t.Errorf("effects %q, want none", got)
	}
}
