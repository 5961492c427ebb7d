package commands_test

import (
	"context"
	"errors"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
)

// startConnServer starts cairn with edit applied and makes sure no CLIENT
// PAUSE outlives the test: waiting commands are released before the
// server stops.
func startConnServer(t *testing.T, edit func(*config.Config)) *testutil.Cairn {
	t.Helper()
	srv := testutil.StartCairn(t, edit)
	t.Cleanup(srv.Engine.Close)
	return srv
}

func goRedis(t *testing.T, opts *redis.Options) *redis.Client {
	t.Helper()
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// clientFields parses CLIENT LIST or CLIENT INFO output: one map per line,
// and the field names of the first line in order.
func clientFields(t *testing.T, text string) (lines []map[string]string, order []string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if line == "" {
			continue
		}
		m := map[string]string{}
		for _, kv := range strings.Split(line, " ") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("bad field %q in %q", kv, line)
			}
			m[k] = v
			if len(lines) == 0 {
				order = append(order, k)
			}
		}
		lines = append(lines, m)
	}
	return lines, order
}

// expectRaw reads exactly want from c, then checks that nothing else was
// sent: the reply to a PING must come next.
func expectRaw(t *testing.T, c *rawConn, want string) {
	t.Helper()
	c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c.r, got); err != nil {
		t.Fatalf("reading %q: %v (got %q)", want, err, got)
	}
	if string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if r := c.do(t, "PING"); r.str != "PONG" {
		t.Fatalf("extra data after the replies: %v", r)
	}
}

func sendRaw(t *testing.T, c *rawConn, cmds ...[]string) {
	t.Helper()
	if _, err := io.WriteString(c.conn, encodeCommands(cmds...)); err != nil {
		t.Fatal(err)
	}
}

func encodeCommands(cmds ...[]string) string {
	var b strings.Builder
	for _, args := range cmds {
		b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
		for _, a := range args {
			b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
		}
	}
	return b.String()
}

// doAsync sends a command from another goroutine and delivers its reply,
// or nil if the connection failed.
func doAsync(c *rawConn, args ...string) <-chan *rawReply {
	done := make(chan *rawReply, 1)
	go func() {
		c.conn.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(c.conn, encodeCommands(args)); err != nil {
			done <- nil
			return
		}
		r, _ := readRaw(c.r)
		done <- r
	}()
	return done
}

func TestHelloAndReset(t *testing.T) {
	srv := startConnServer(t, nil)
	c := dialRaw(t, srv.Addr)
	id := c.do(t, "CLIENT", "ID").n

	hello := c.do(t, "HELLO", "3", "SETNAME", "conn1")
	if hello.kind != '%' {
		t.Fatalf("HELLO 3 replied %q, want a RESP3 map", hello.kind)
	}
	f := hello.fields()
	want := map[string]string{"server": "redis", "version": "7.0.15", "mode": "standalone", "role": "master"}
	for k, v := range want {
		if f[k] == nil || f[k].str != v {
			t.Errorf("HELLO %s = %v, want %q", k, f[k], v)
		}
	}
	if f["proto"].n != 3 || f["id"].n != id || f["modules"].kind != '*' || len(f["modules"].elems) != 0 {
		t.Errorf("HELLO proto/id/modules = %v %v %v", f["proto"], f["id"], f["modules"])
	}
	if r := c.do(t, "GET", "nokey"); r.kind != '_' {
		t.Errorf("GET after HELLO 3 replied %q, want RESP3 null", r.kind)
	}
	if r := c.do(t, "CLIENT", "GETNAME"); r.str != "conn1" {
		t.Errorf("HELLO SETNAME: name %q", r.str)
	}
	if r := c.do(t, "CLIENT", "INFO"); r.kind != '=' || !strings.Contains(r.str, " resp=3 ") {
		t.Errorf("CLIENT INFO in RESP3: %q %q", r.kind, r.str)
	}

	c.do(t, "SELECT", "2")
	c.do(t, "CLIENT", "NO-EVICT", "on")
	if r := c.do(t, "RESET"); r.kind != '+' || r.str != "RESET" {
		t.Fatalf("RESET: %v", r)
	}
	info := c.do(t, "CLIENT", "INFO")
	if info.kind != '$' {
		t.Fatalf("RESET must go back to RESP2: CLIENT INFO replied %q", info.kind)
	}
	lines, _ := clientFields(t, info.str)
	// NO-EVICT survives RESET in Redis 7.0.
	for k, v := range map[string]string{"db": "0", "name": "", "resp": "2", "flags": "e", "id": strconv.FormatInt(id, 10)} {
		if lines[0][k] != v {
			t.Errorf("after RESET %s=%q, want %q", k, lines[0][k], v)
		}
	}
}

// TestGoRedisHandshake connects as go-redis does (HELLO, then CLIENT
// SETINFO twice in a pipeline) in both protocols.
func TestGoRedisHandshake(t *testing.T) {
	srv := startConnServer(t, nil)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			c := goRedis(t, &redis.Options{Addr: srv.Addr, Protocol: proto, ClientName: "gr" + strconv.Itoa(proto)})
			text, err := c.Do(ctx, "CLIENT", "INFO").Text()
			if err != nil {
				t.Fatal(err)
			}
			lines, _ := clientFields(t, text)
			got := lines[0]
			if got["resp"] != strconv.Itoa(proto) || got["name"] != "gr"+strconv.Itoa(proto) {
				t.Errorf("resp=%s name=%s", got["resp"], got["name"])
			}
			if !strings.HasPrefix(got["lib-name"], "go-redis(") || got["lib-ver"] != redis.Version() {
				t.Errorf("CLIENT SETINFO not applied: lib-name=%q lib-ver=%q", got["lib-name"], got["lib-ver"])
			}
			cfg, err := c.ConfigGet(ctx, "maxclients").Result()
			if err != nil || cfg["maxclients"] != "10000" {
				t.Errorf("CONFIG GET: %v %v", cfg, err)
			}
		})
	}
}

func TestClientSetinfo(t *testing.T) {
	srv := startConnServer(t, nil)
	c := dialRaw(t, srv.Addr)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lib-name", "mylib"}, "OK"},
		{[]string{"LIB-VER", "1.2.3"}, "OK"},
		{[]string{"lib-ver", "1 2"}, "ERR lib-ver cannot contain spaces, newlines or special characters."},
		{[]string{"LIB-NAME", "a\nb"}, "ERR LIB-NAME cannot contain spaces, newlines or special characters."},
		{[]string{"lib-foo", "x"}, "ERR Unrecognized option 'lib-foo'"},
	} {
		if r := c.do(t, append([]string{"CLIENT", "SETINFO"}, tc.args...)...); r.str != tc.want {
			t.Errorf("CLIENT SETINFO %q = %q, want %q", tc.args, r.str, tc.want)
		}
	}
	if r := c.do(t, "CLIENT", "SETINFO", "lib-name"); r.str != "ERR wrong number of arguments for 'client|setinfo' command" {
		t.Errorf("arity: %q", r.str)
	}
	lines, _ := clientFields(t, c.do(t, "CLIENT", "INFO").str)
	if lines[0]["lib-name"] != "mylib" || lines[0]["lib-ver"] != "1.2.3" {
		t.Errorf("lib-name=%q lib-ver=%q", lines[0]["lib-name"], lines[0]["lib-ver"])
	}
	c.do(t, "CLIENT", "SETINFO", "lib-name", "")
	if lines, _ := clientFields(t, c.do(t, "CLIENT", "INFO").str); lines[0]["lib-name"] != "" {
		t.Errorf("an empty value must clear lib-name: %q", lines[0]["lib-name"])
	}
}

func TestAuth(t *testing.T) {
	srv := startConnServer(t, func(c *config.Config) { c.RequirePass = "pw" })
	ctx := context.Background()

	t.Run("go-redis", func(t *testing.T) {
		for _, tc := range []struct {
			name, password, wantErr string
			proto                   int
		}{
			{"no password", "", "NOAUTH Authentication required.", 3},
			{"right password RESP3", "pw", "", 3},
			{"right password RESP2", "pw", "", 2},
			{"wrong password", "nope", "WRONGPASS invalid username-password pair or user is disabled.", 3},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := goRedis(t, &redis.Options{Addr: srv.Addr, Password: tc.password, Protocol: tc.proto, MaxRetries: -1})
				err := c.Ping(ctx).Err()
				if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
					t.Errorf("PING: %v, want %q", err, tc.wantErr)
				}
			})
		}
	})

	t.Run("raw", func(t *testing.T) {
		c := dialRaw(t, srv.Addr)
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"PING"}, "NOAUTH Authentication required."},
			{[]string{"HELLO", "3"}, "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"},
			{[]string{"AUTH", "nope"}, "WRONGPASS invalid username-password pair or user is disabled."},
			{[]string{"AUTH", "other", "pw"}, "WRONGPASS invalid username-password pair or user is disabled."},
			{[]string{"AUTH", "pw"}, "OK"},
			{[]string{"PING"}, "PONG"},
			// A failed AUTH does not log the client out.
			{[]string{"AUTH", "default", "nope"}, "WRONGPASS invalid username-password pair or user is disabled."},
			{[]string{"PING"}, "PONG"},
			{[]string{"RESET"}, "RESET"},
			{[]string{"PING"}, "NOAUTH Authentication required."},
			{[]string{"AUTH", "default", "pw"}, "OK"},
			{[]string{"PING"}, "PONG"},
		} {
			if r := c.do(t, tc.args...); r.str != tc.want {
				t.Errorf("%q = %q, want %q", tc.args, r.str, tc.want)
			}
		}
	})

	t.Run("requirepass changes", func(t *testing.T) {
		admin := dialRaw(t, srv.Addr)
		admin.do(t, "AUTH", "pw")
		if r := admin.do(t, "CONFIG", "SET", "requirepass", ""); r.str != "OK" {
			t.Fatal(r)
		}
		open := dialRaw(t, srv.Addr)
		if r := open.do(t, "PING"); r.str != "PONG" {
			t.Fatalf("no password required: %v", r)
		}
		if r := open.do(t, "AUTH", "x"); !strings.HasPrefix(r.str, "ERR AUTH <password> called without any password configured") {
			t.Errorf("AUTH without requirepass: %q", r.str)
		}
		if r := admin.do(t, "CONFIG", "SET", "requirepass", "new"); r.str != "OK" {
			t.Fatal(r)
		}
		// Clients already authenticated stay so; new ones must log in.
		if r := open.do(t, "PING"); r.str != "PONG" {
			t.Errorf("existing client after CONFIG SET requirepass: %v", r)
		}
		if r := dialRaw(t, srv.Addr).do(t, "PING"); r.str != "NOAUTH Authentication required." {
			t.Errorf("new client after CONFIG SET requirepass: %v", r)
		}
		h := dialRaw(t, srv.Addr).do(t, "HELLO", "2", "AUTH", "default", "new")
		if h.kind != '*' || len(h.elems) != 14 {
			t.Errorf("HELLO AUTH with the new password: %v", h)
		}
		admin.do(t, "CONFIG", "SET", "requirepass", "pw")
	})
}

func TestClientList(t *testing.T) {
	srv := startConnServer(t, nil)
	a, b := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
	idA, idB := a.do(t, "CLIENT", "ID").n, b.do(t, "CLIENT", "ID").n
	a.do(t, "CLIENT", "SETNAME", "alpha")
	a.do(t, "SELECT", "3")
	a.do(t, "CLIENT", "NO-EVICT", "on")
	b.do(t, "GET", "x")

	list := a.do(t, "CLIENT", "LIST")
	if list.kind != '$' || !strings.HasSuffix(list.str, "\n") {
		t.Fatalf("CLIENT LIST: %q %q", list.kind, list.str)
	}
	lines, order := clientFields(t, list.str)
	wantOrder := "id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp lib-name lib-ver"
	if strings.Join(order, " ") != wantOrder {
		t.Errorf("fields:\n got %s\nwant %s", strings.Join(order, " "), wantOrder)
	}
	if len(lines) != 2 {
		t.Fatalf("%d clients listed, want 2:\n%s", len(lines), list.str)
	}
	la, lb := lines[0], lines[1]
	for k, v := range map[string]string{
		"id": strconv.FormatInt(idA, 10), "name": "alpha", "db": "3", "flags": "e", "cmd": "client|list",
		"argv-mem": "10", "user": "default", "resp": "2", "events": "r", "multi": "-1",
		"laddr": srv.Addr, "addr": a.conn.LocalAddr().String(),
	} {
		if la[k] != v {
			t.Errorf("caller %s=%q, want %q", k, la[k], v)
		}
	}
	for k, v := range map[string]string{"id": strconv.FormatInt(idB, 10), "name": "", "db": "0", "flags": "N", "cmd": "get"} {
		if lb[k] != v {
			t.Errorf("other client %s=%q, want %q", k, lb[k], v)
		}
	}

	for _, tc := range []struct {
		args []string
		ids  []int64
	}{
		{[]string{"TYPE", "normal"}, []int64{idA, idB}},
		{[]string{"TYPE", "pubsub"}, nil},
		{[]string{"ID", strconv.FormatInt(idB, 10)}, []int64{idB}},
		{[]string{"ID", strconv.FormatInt(idB, 10), "999", strconv.FormatInt(idA, 10), strconv.FormatInt(idB, 10)}, []int64{idB, idA, idB}},
	} {
		r := a.do(t, append([]string{"CLIENT", "LIST"}, tc.args...)...)
		lines, _ := clientFields(t, r.str)
		var ids []int64
		for _, l := range lines {
			n, _ := strconv.ParseInt(l["id"], 10, 64)
			ids = append(ids, n)
		}
		if !slicesEqual(ids, tc.ids) {
			t.Errorf("CLIENT LIST %q: ids %v, want %v", tc.args, ids, tc.ids)
		}
	}

	info := a.do(t, "CLIENT", "INFO")
	got, _ := clientFields(t, info.str)
	if len(got) != 1 || got[0]["id"] != strconv.FormatInt(idA, 10) || got[0]["cmd"] != "client|info" {
		t.Errorf("CLIENT INFO: %q", info.str)
	}
}

func slicesEqual(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// closed reports whether the server closed c: the next read fails
// without data (waiting up to 5 seconds for it).
func closed(t *testing.T, c *rawConn) bool {
	t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := c.r.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// checkAlive checks that c answers a PING, or that the server closed it.
func checkAlive(t *testing.T, who string, c *rawConn, alive bool) {
	t.Helper()
	if !alive {
		if !closed(t, c) {
			t.Errorf("%s: connection open, want closed", who)
		}
		return
	}
	sendRaw(t, c, []string{"PING"})
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if r, err := readRaw(c.r); err != nil || r.str != "PONG" {
		t.Errorf("%s: PING = %v, %v; want PONG", who, r, err)
	}
}

func TestClientKill(t *testing.T) {
	srv := startConnServer(t, nil)
	for _, tc := range []struct {
		name string
		// args builds the CLIENT KILL arguments from the killer and the
		// victim.
		args       func(killer, victim *rawConn, victimID int64) []string
		want       string // the reply as rawReply.String shows it
		victimDies bool
		killerDies bool
	}{
		{"new form by ID", func(_, _ *rawConn, id int64) []string { return []string{"ID", strconv.FormatInt(id, 10)} },
			"1", true, false},
		{"new form by ADDR", func(_, v *rawConn, _ int64) []string { return []string{"ADDR", v.conn.LocalAddr().String()} },
			"1", true, false},
		{"old form", func(_, v *rawConn, _ int64) []string { return []string{v.conn.LocalAddr().String()} },
			"+OK", true, false},
		{"old form kills the caller", func(k, _ *rawConn, _ int64) []string { return []string{k.conn.LocalAddr().String()} },
			"+OK", false, true},
		{"SKIPME yes spares the caller", func(k, _ *rawConn, _ int64) []string { return []string{"ADDR", k.conn.LocalAddr().String()} },
			"0", false, false},
		{"SKIPME no", func(k, _ *rawConn, _ int64) []string {
			return []string{"ADDR", k.conn.LocalAddr().String(), "SKIPME", "no"}
		}, "1", false, true},
		{"LADDR kills everyone else", func(_, _ *rawConn, _ int64) []string { return []string{"LADDR", srv.Addr} },
			"1", true, false},
		{"TYPE normal USER default", func(_, _ *rawConn, id int64) []string {
			return []string{"TYPE", "normal", "USER", "default", "ID", strconv.FormatInt(id, 10)}
		}, "1", true, false},
		{"TYPE master matches nobody", func(_, _ *rawConn, _ int64) []string { return []string{"TYPE", "master"} },
			"0", false, false},
		{"no such client", func(_, _ *rawConn, _ int64) []string { return []string{"10.0.0.1:1"} },
			"-ERR No such client", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Only these two clients are connected during the subtest.
			killer, victim := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
			victimID := victim.do(t, "CLIENT", "ID").n
			r := killer.do(t, append([]string{"CLIENT", "KILL"}, tc.args(killer, victim, victimID)...)...)
			if r.String() != tc.want {
				t.Errorf("reply %s, want %s", r, tc.want)
			}
			checkAlive(t, "victim", victim, !tc.victimDies)
			checkAlive(t, "killer", killer, !tc.killerDies)
			if tc.victimDies {
				lister := dialRaw(t, srv.Addr)
				if list := lister.do(t, "CLIENT", "LIST", "ID", strconv.FormatInt(victimID, 10)); list.str != "" {
					t.Errorf("killed client still listed: %q", list.str)
				}
				lister.conn.Close()
			}
			killer.conn.Close()
			victim.conn.Close()
			waitClients(t, srv, 0)
		})
	}
}

// waitClients waits until n clients are connected.
func waitClients(t *testing.T, srv *testutil.Cairn, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		srv.Engine.KS.Lock()
		got := len(srv.Engine.Clients())
		srv.Engine.KS.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d clients connected, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitBlocked polls CLIENT LIST until the client with the given ID shows
// flag b: its command waits for the pause to end.
func waitBlocked(t *testing.T, c *rawConn, id int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		lines, _ := clientFields(t, c.do(t, "CLIENT", "LIST", "ID", strconv.FormatInt(id, 10)).str)
		if len(lines) == 1 && strings.Contains(lines[0]["flags"], "b") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("client %d never waited for the pause: %v", id, lines)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestClientPause(t *testing.T) {
	t.Run("WRITE holds writers, not readers", func(t *testing.T) {
		srv := startConnServer(t, nil)
		admin, writer, reader := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
		writerID := writer.do(t, "CLIENT", "ID").n
		if r := admin.do(t, "CLIENT", "PAUSE", "60000", "WRITE"); r.str != "OK" {
			t.Fatal(r)
		}
		done := doAsync(writer, "SET", "k", "v")
		waitBlocked(t, admin, writerID)
		// The keyspace lock is free: reads and non-write commands go on.
		if r := reader.do(t, "GET", "k"); !r.null {
			t.Fatalf("the paused SET ran: GET k = %v", r)
		}
		if r := reader.do(t, "DBSIZE"); r.n != 0 {
			t.Fatalf("DBSIZE during the pause: %v", r)
		}
		if r := admin.do(t, "CLIENT", "UNPAUSE"); r.str != "OK" {
			t.Fatal(r)
		}
		if r := <-done; r == nil || r.str != "OK" {
			t.Fatalf("SET after UNPAUSE: %v", r)
		}
		if r := reader.do(t, "GET", "k"); r.str != "v" {
			t.Fatalf("GET after UNPAUSE: %v", r)
		}
	})

	t.Run("ALL holds every client until the timeout, the caller too", func(t *testing.T) {
		srv := startConnServer(t, nil)
		admin, other := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
		const pause = 300 * time.Millisecond
		start := time.Now()
		if r := admin.do(t, "CLIENT", "PAUSE", strconv.Itoa(int(pause/time.Millisecond)), "ALL"); r.str != "OK" {
			t.Fatal(r)
		}
		sendRaw(t, admin, []string{"PING", "self"})
		if r := other.do(t, "GET", "k"); !r.null {
			t.Fatalf("GET: %v", r)
		}
		if elapsed := time.Since(start); elapsed < pause {
			t.Errorf("GET answered after %v, during a pause of %v", elapsed, pause)
		}
		expectRaw(t, admin, "$4\r\nself\r\n")
	})

	t.Run("a later pause only extends and strengthens", func(t *testing.T) {
		srv := startConnServer(t, nil)
		admin, other := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
		otherID := other.do(t, "CLIENT", "ID").n
		admin.do(t, "CLIENT", "PAUSE", "60000", "WRITE")
		admin.do(t, "CLIENT", "PAUSE", "1", "WRITE")
		done := doAsync(other, "INCR", "n")
		waitBlocked(t, admin, otherID)
		admin.do(t, "CLIENT", "UNPAUSE")
		if r := <-done; r == nil || r.n != 1 {
			t.Fatalf("INCR: %v", r)
		}
	})

	t.Run("a client killed while waiting never runs its command", func(t *testing.T) {
		srv := startConnServer(t, nil)
		admin, writer := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
		writerID := writer.do(t, "CLIENT", "ID").n
		admin.do(t, "CLIENT", "PAUSE", "60000", "WRITE")
		sendRaw(t, writer, []string{"SET", "killed", "v"})
		waitBlocked(t, admin, writerID)
		if r := admin.do(t, "CLIENT", "KILL", "ID", strconv.FormatInt(writerID, 10)); r.n != 1 {
			t.Fatalf("CLIENT KILL: %v", r)
		}
		if !closed(t, writer) {
			t.Error("the killed client's connection is open")
		}
		admin.do(t, "CLIENT", "UNPAUSE")
		if r := admin.do(t, "EXISTS", "killed"); r.n != 0 {
			t.Error("the killed client's SET ran")
		}
	})

	t.Run("errors", func(t *testing.T) {
		srv := startConnServer(t, nil)
		c := dialRaw(t, srv.Addr)
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"abc"}, "ERR timeout is not an integer or out of range"},
			{[]string{"-1"}, "ERR timeout is negative"},
			{[]string{"10", "read"}, "ERR CLIENT PAUSE mode must be WRITE or ALL"},
			{[]string{"10", "all", "x"}, "ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP."},
		} {
			if r := c.do(t, append([]string{"CLIENT", "PAUSE"}, tc.args...)...); r.str != tc.want {
				t.Errorf("CLIENT PAUSE %q = %q, want %q", tc.args, r.str, tc.want)
			}
		}
		// A pause whose end overflows ends at once, as in Redis.
		if r := c.do(t, "CLIENT", "PAUSE", "9223372036854775807"); r.str != "OK" {
			t.Fatal(r)
		}
		if r := c.do(t, "PING"); r.str != "PONG" {
			t.Fatal(r)
		}
	})
}

func TestClientReply(t *testing.T) {
	srv := startConnServer(t, nil)
	for _, tc := range []struct {
		name string
		cmds [][]string
		want string
	}{
		{"SKIP drops the next reply only", [][]string{
			{"CLIENT", "REPLY", "SKIP"}, {"PING", "a"}, {"PING", "b"},
		}, "$1\r\nb\r\n"},
		{"OFF until ON, which replies", [][]string{
			{"CLIENT", "REPLY", "OFF"}, {"PING", "a"}, {"NOSUCHCOMMAND"}, {"CLIENT", "REPLY", "SKIP"}, {"PING", "b"},
			{"CLIENT", "REPLY", "ON"}, {"PING", "c"},
		}, "+OK\r\n$1\r\nc\r\n"},
		{"ON while skipping replies", [][]string{
			{"CLIENT", "REPLY", "SKIP"}, {"CLIENT", "REPLY", "ON"}, {"PING", "a"},
		}, "+OK\r\n$1\r\na\r\n"},
		{"SKIP twice", [][]string{
			{"CLIENT", "REPLY", "SKIP"}, {"CLIENT", "REPLY", "SKIP"}, {"PING", "a"}, {"PING", "b"},
		}, "$1\r\nb\r\n"},
		{"OFF while skipping", [][]string{
			{"CLIENT", "REPLY", "SKIP"}, {"CLIENT", "REPLY", "OFF"}, {"PING", "a"}, {"CLIENT", "REPLY", "ON"},
		}, "+OK\r\n"},
		{"RESET turns replies on", [][]string{
			{"CLIENT", "REPLY", "OFF"}, {"RESET"}, {"PING", "a"},
		}, "+RESET\r\n$1\r\na\r\n"},
		{"a skipped RESET stays skipped", [][]string{
			{"CLIENT", "REPLY", "SKIP"}, {"RESET"}, {"PING", "a"},
		}, "$1\r\na\r\n"},
		{"a bad mode is an error", [][]string{
			{"CLIENT", "REPLY", "MAYBE"},
		}, "-ERR syntax error\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, srv.Addr)
			sendRaw(t, c, tc.cmds...)
			expectRaw(t, c, tc.want)
		})
	}

	// Suppressed errors still count.
	c := dialRaw(t, srv.Addr)
	c.do(t, "CONFIG", "RESETSTAT")
	sendRaw(t, c, []string{"CLIENT", "REPLY", "OFF"}, []string{"NOSUCHCOMMAND"}, []string{"CLIENT", "REPLY", "ON"})
	expectRaw(t, c, "+OK\r\n")
	if info := infoFields(t, c.do(t, "INFO", "stats").str); info["total_error_replies"] != "1" {
		t.Errorf("total_error_replies = %q, want 1", info["total_error_replies"])
	}
}

func TestSelectAndClientName(t *testing.T) {
	srv := startConnServer(t, nil)
	c := goRedis(t, &redis.Options{Addr: srv.Addr, DB: 3, PoolSize: 1})
	ctx := context.Background()
	if err := c.Set(ctx, "k", "in3", 0).Err(); err != nil {
		t.Fatal(err)
	}
	raw := dialRaw(t, srv.Addr)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"GET", "k"}, ""},
		{[]string{"SELECT", "3"}, "OK"},
		{[]string{"GET", "k"}, "in3"},
		{[]string{"SELECT", "16"}, "ERR DB index is out of range"},
		{[]string{"SELECT", "x"}, "ERR value is not an integer or out of range"},
		{[]string{"CLIENT", "SETNAME", "has space"}, "ERR Client names cannot contain spaces, newlines or special characters."},
		{[]string{"CLIENT", "SETNAME", "ok-name"}, "OK"},
		{[]string{"CLIENT", "GETNAME"}, "ok-name"},
	} {
		if r := raw.do(t, tc.args...); r.str != tc.want {
			t.Errorf("%q = %q, want %q", tc.args, r.str, tc.want)
		}
	}
	if !regexp.MustCompile(`^[0-9]+$`).MatchString(strconv.FormatInt(raw.do(t, "CLIENT", "ID").n, 10)) {
		t.Error("CLIENT ID is not a number")
	}
}
