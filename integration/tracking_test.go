package integration

import (
	"bufio"
	"fmt"
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

// trackingSession is a tracking client whose invalidations are redirected
// to a go-redis PubSub on __redis__:invalidate (RESP2), and a writer.
type trackingSession struct {
	t       *testing.T
	addr    string
	writer  *redis.Client
	tracker *redis.Conn
	sub     *redis.PubSub
}

func newTrackingSession(t *testing.T, addr string, options ...string) *trackingSession {
	t.Helper()
	writer := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { writer.Close() })
	sub := writer.Subscribe(pctx, "__redis__:invalidate")
	t.Cleanup(func() { sub.Close() })
	if _, err := sub.ReceiveTimeout(pctx, 5*time.Second); err != nil {
		t.Fatalf("%s: subscribe: %v", addr, err)
	}
	list, err := writer.ClientList(pctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^id=(\d+) .*cmd=subscribe`).FindStringSubmatch(list)
	if m == nil {
		t.Fatalf("%s: no subscriber in CLIENT LIST:\n%s", addr, list)
	}
	tracker := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true}).Conn()
	t.Cleanup(func() { tracker.Close() })
	args := append([]any{"CLIENT", "TRACKING", "on", "REDIRECT", m[1]}, toAny(options)...)
	if err := tracker.Do(pctx, args...).Err(); err != nil {
		t.Fatalf("%s: CLIENT TRACKING: %v", addr, err)
	}
	return &trackingSession{t: t, addr: addr, writer: writer, tracker: tracker, sub: sub}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// invalidated waits for the next invalidation message and returns its keys.
func (s *trackingSession) invalidated(wait time.Duration) []string {
	s.t.Helper()
	msg, err := s.sub.ReceiveTimeout(pctx, wait)
	if err != nil {
		s.t.Fatalf("%s: no invalidation: %v", s.addr, err)
	}
	m, ok := msg.(*redis.Message)
	if !ok || m.Channel != "__redis__:invalidate" {
		s.t.Fatalf("%s: not an invalidation: %#v", s.addr, msg)
	}
	return m.PayloadSlice
}

// read has the tracker read keys with GET.
func (s *trackingSession) read(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if err := s.tracker.Get(pctx, k).Err(); err != nil && err != redis.Nil {
			s.t.Fatal(err)
		}
	}
}

func (s *trackingSession) check(err error) {
	s.t.Helper()
	if err != nil && err != redis.Nil {
		s.t.Fatalf("%s: %v", s.addr, err)
	}
}

// trackingRedirectSession records the invalidations a go-redis subscriber
// gets for a tracking client's keys changed by writes, MULTI/EXEC,
// scripts, functions and the active expiry cycle.
func trackingRedirectSession(t *testing.T, addr string) []string {
	s := newTrackingSession(t, addr)
	var out []string
	rec := func(what string, keys []string) { out = append(out, what+": "+strings.Join(keys, " ")) }

	s.read("k")
	s.check(s.writer.Set(pctx, "k", "1", 0).Err())
	rec("set", s.invalidated(5*time.Second))

	s.check(s.writer.MSet(pctx, "a", "1", "b", "1", "c", "1").Err())
	s.read("a", "b", "c")
	s.check(s.writer.Del(pctx, "nokey", "b", "a").Err())
	rec("del", s.invalidated(5*time.Second))
	rec("del", s.invalidated(5*time.Second))

	s.read("x", "y")
	_, err := s.writer.TxPipelined(pctx, func(p redis.Pipeliner) error {
		p.Incr(pctx, "y")
		p.Set(pctx, "other", "1", 0)
		p.Set(pctx, "x", "1", 0)
		return nil
	})
	s.check(err)
	rec("exec", s.invalidated(5*time.Second))
	rec("exec", s.invalidated(5*time.Second))

	s.read("s")
	s.check(s.writer.Eval(pctx, "redis.call('set', KEYS[1], 1) redis.call('lpush', 'l', 1)", []string{"s"}).Err())
	rec("eval", s.invalidated(5*time.Second))

	s.check(s.writer.FunctionLoadReplace(pctx, "#!lua name=trk\nredis.register_function('put', function(keys) return redis.call('set', keys[1], 'v') end)").Err())
	s.read("f")
	s.check(s.writer.FCall(pctx, "put", []string{"f"}).Err())
	rec("fcall", s.invalidated(5*time.Second))

	// The script's declared keys are remembered when it reads.
	s.check(s.tracker.Eval(pctx, "return redis.call('get', 'zz')", []string{"decl"}).Err())
	s.check(s.writer.Set(pctx, "zz", "1", 0).Err())
	s.check(s.writer.Set(pctx, "decl", "1", 0).Err())
	rec("declared", s.invalidated(5*time.Second))

	// The active expiry cycle: nothing reads the key after it expires.
	s.check(s.writer.Set(pctx, "e", "1", 200*time.Millisecond).Err())
	s.read("e")
	rec("expired", s.invalidated(10*time.Second))

	// The tracker's own write.
	s.read("own")
	s.check(s.tracker.Set(pctx, "own", "1", 0).Err())
	rec("own", s.invalidated(5*time.Second))
	return out
}

// TestTrackingRedirectGoRedis compares what a go-redis subscriber on
// __redis__:invalidate gets from cairn and from redis-server.
func TestTrackingRedirectGoRedis(t *testing.T) {
	redisAddr := testutil.StartRedis(t)
	cairnAddr := testutil.StartCairn(t, nil).Addr
	want := trackingRedirectSession(t, redisAddr)
	got := trackingRedirectSession(t, cairnAddr)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("cairn:\n%s\nredis:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTrackingEviction: keys evicted for maxmemory are invalidated for
// the clients that read them, and only keys that are gone.
func TestTrackingEviction(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.MaxMemoryPolicy = "allkeys-random" })
	s := newTrackingSession(t, srv.Addr)
	if err := fill(s.writer, "ev", 0, 500, 0); err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		s.read(fmt.Sprintf("ev:%d", i))
	}
	limitTo(t, s.writer, 0)
	// The writes go over the limit: keys are evicted to make room.
	if err := fill(s.writer, "new", 0, 200, 0); err != nil {
		t.Fatal(err)
	}
	checkWithinLimit(t, s.writer)
	gone := 500 - surviving(t, s.writer, "ev", 0, 500)
	if gone == 0 {
		t.Fatal("nothing was evicted")
	}
	seen := map[string]bool{}
	for len(seen) < gone {
		for _, k := range s.invalidated(5 * time.Second) {
			if seen[k] {
				t.Errorf("%s invalidated twice", k)
			}
			seen[k] = true
			if n, _ := s.writer.Exists(pctx, k).Result(); n != 0 {
				t.Errorf("%s invalidated but still there", k)
			}
		}
	}
	if err := s.writer.ConfigSet(pctx, "maxmemory", "0").Err(); err != nil {
		t.Fatal(err)
	}
}

// TestTrackingTableMaxKeys: past tracking-table-max-keys, keys are
// forgotten and invalidated, at the next command and by the cron when no
// command comes.
func TestTrackingTableMaxKeys(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	s := newTrackingSession(t, srv.Addr)
	if err := s.writer.ConfigSet(pctx, "tracking-table-max-keys", "10").Err(); err != nil {
		t.Fatal(err)
	}
	keys := make([]any, 0, 30)
	for i := range 30 {
		keys = append(keys, fmt.Sprintf("tk:%02d", i))
	}
	// One command reads 30 keys: the cron brings the table back to 10.
	if err := s.tracker.Do(pctx, append([]any{"MGET"}, keys...)...).Err(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for len(seen) < 20 {
		for _, k := range s.invalidated(5 * time.Second) {
			seen[k] = true
		}
	}
	if n := infoInt(t, s.writer, "tracking_total_keys"); n != 10 {
		t.Errorf("tracking_total_keys %d, want 10", n)
	}
	if n := infoInt(t, s.writer, "tracking_total_items"); n != 10 {
		t.Errorf("tracking_total_items %d, want 10", n)
	}
	// The keys still tracked are those not invalidated.
	for _, k := range keys {
		if !seen[k.(string)] {
			if err := s.writer.Set(pctx, k.(string), "1", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if got := s.invalidated(5 * time.Second); len(got) != 1 || got[0] != k {
				t.Errorf("SET %s: invalidated %v", k, got)
			}
		}
	}
	if err := s.writer.ConfigSet(pctx, "tracking-table-max-keys", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if n := infoInt(t, s.writer, "tracking_clients"); n != 1 {
		t.Errorf("tracking_clients %d, want 1", n)
	}
}

// rawConn is a raw RESP connection, to see pushes byte for byte.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// do sends a command and returns the raw bytes of n replies.
func (c *rawConn) do(n int, args ...string) string {
	c.t.Helper()
	if len(args) > 0 {
		if _, err := c.nc.Write(encodeCommand(args)); err != nil {
			c.t.Fatal(err)
		}
	}
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var raw []byte
	for range n {
		rep, err := ReadReply(c.r)
		if err != nil {
			c.t.Fatalf("%v: %v", args, err)
		}
		raw = append(raw, rep.Raw...)
	}
	return string(raw)
}

// TestTrackingRESP3Raw checks pushes byte for byte on a RESP3 connection:
// another client's change, the client's own (after its reply), a pipeline
// (each command's invalidations after its reply), the INFO counters, and
// a disconnection; CLIENT LIST's flags.
func TestTrackingRESP3Raw(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	c := dialRaw(t, srv.Addr)
	w := dialRaw(t, srv.Addr)
	c.do(1, "HELLO", "3")
	if got := c.do(1, "CLIENT", "TRACKING", "on"); got != "+OK\r\n" {
		t.Fatalf("CLIENT TRACKING: %q", got)
	}
	push := func(key string) string {
		return ">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + strconv.Itoa(len(key)) + "\r\n" + key + "\r\n"
	}
	c.do(1, "GET", "k")
	w.do(1, "SET", "k", "v")
	if got := c.do(1); got != push("k") {
		t.Errorf("push: %q", got)
	}
	c.do(1, "GET", "k")
	if got := c.do(2, "SET", "k", "w"); got != "+OK\r\n"+push("k") {
		t.Errorf("own change: %q", got)
	}
	// A pipeline: SET's invalidation follows SET's reply, before GET's.
	c.do(1, "GET", "k")
	if _, err := c.nc.Write(append(encodeCommand([]string{"SET", "k", "x"}), encodeCommand([]string{"GET", "k"})...)); err != nil {
		t.Fatal(err)
	}
	if got := c.do(3); got != "+OK\r\n"+push("k")+"$1\r\nx\r\n" {
		t.Errorf("pipeline: %q", got)
	}
	c.do(1, "MGET", "a", "b")
	info := w.do(1, "INFO", "everything")
	for _, f := range []string{"tracking_clients:1", "tracking_total_keys:3", "tracking_total_items:3", "tracking_total_prefixes:0"} {
		if !strings.Contains(info, f+"\r\n") {
			t.Errorf("INFO has no %s", f)
		}
	}
	list := w.do(1, "CLIENT", "LIST")
	if !regexp.MustCompile(`flags=t .* redir=0 resp=3`).MatchString(list) {
		t.Errorf("CLIENT LIST: %q", list)
	}
	// A client that goes away stops counting.
	c.nc.Close()
	pWait(t, 5*time.Second, "the tracking client to be gone", func() bool {
		return strings.Contains(w.do(1, "INFO", "clients"), "tracking_clients:0\r\n")
	})
	if got := w.do(1, "SET", "a", "1"); got != "+OK\r\n" {
		t.Errorf("SET after the tracker left: %q", got)
	}

	// CLIENT LIST's B (broadcasting) and R (redirection broken).
	b := dialRaw(t, srv.Addr)
	b.do(1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:")
	r := dialRaw(t, srv.Addr)
	gone := dialRaw(t, srv.Addr)
	goneID := strings.TrimSuffix(gone.do(1, "CLIENT", "ID")[1:], "\r\n")
	r.do(1, "CLIENT", "TRACKING", "on", "REDIRECT", goneID)
	r.do(1, "GET", "rk")
	w.do(1, "CLIENT", "KILL", "ID", goneID)
	w.do(1, "SET", "rk", "1")
	if got := b.do(1, "CLIENT", "INFO"); !strings.Contains(got, " flags=tB ") || !strings.Contains(got, " redir=0 ") {
		t.Errorf("BCAST client: %q", got)
	}
	if got := r.do(1, "CLIENT", "INFO"); !strings.Contains(got, " flags=tR ") || !strings.Contains(got, " redir="+goneID+" ") {
		t.Errorf("broken redirection: %q", got)
	}
	if got := w.do(1, "CLIENT", "INFO"); !strings.Contains(got, " flags=N ") || !strings.Contains(got, " redir=-1 ") {
		t.Errorf("not tracking: %q", got)
	}
	info = w.do(1, "INFO", "everything")
	for _, f := range []string{"tracking_clients:2", "tracking_total_prefixes:1"} {
		if !strings.Contains(info, f+"\r\n") {
			t.Errorf("INFO has no %s", f)
		}
	}
}

// TestTrackingBusyScript: while a tracking client's script is busy, the
// commands answered without the keyspace lock leave the tracking state
// alone (run with -race), and the script's write is invalidated as usual.
func TestTrackingBusyScript(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.BusyReplyThreshold = 50 * time.Millisecond })
	s := newTrackingSession(t, srv.Addr)
	s.read("bk")
	done := make(chan error, 1)
	go func() {
		script := "local t = redis.call('time') local start = t[1] * 1000000 + t[2] " +
			"redis.call('get', KEYS[1]) " +
			"repeat t = redis.call('time') until t[1] * 1000000 + t[2] - start > 300000 " +
			"return redis.call('set', KEYS[1], 'x')"
		done <- s.tracker.Eval(pctx, script, []string{"bk"}).Err()
	}()
	other := dialRaw(t, srv.Addr)
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := other.do(1, "PING")
		if strings.HasPrefix(got, "-BUSY") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the script never got busy: %q", got)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for range 20 {
		other.do(1, "HELLO", "2")
		other.do(1, "MULTI")
		other.do(1, "DISCARD")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The script's SET invalidated bk (its GET came before).
	if got := s.invalidated(5 * time.Second); len(got) != 1 || got[0] != "bk" {
		t.Errorf("the script's write: %v", got)
	}
	s.read("bk")
	if err := s.writer.Set(pctx, "bk", "y", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got := s.invalidated(5 * time.Second); len(got) != 1 || got[0] != "bk" {
		t.Errorf("after the script: %v", got)
	}
}

// TestTrackingAfterPause: a write that waited for CLIENT PAUSE to end,
// while other clients ran commands, still has its own invalidation follow
// its reply.
func TestTrackingAfterPause(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	c := dialRaw(t, srv.Addr)
	w := dialRaw(t, srv.Addr)
	c.do(1, "HELLO", "3")
	c.do(1, "CLIENT", "TRACKING", "on")
	c.do(1, "GET", "k")
	w.do(1, "CLIENT", "PAUSE", "300", "WRITE")
	if _, err := c.nc.Write(encodeCommand([]string{"SET", "k", "v"})); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	for range 3 {
		w.do(1, "PING")
	}
	if got := c.do(2); got != "+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n" {
		t.Errorf("SET after the pause: %q", got)
	}
}
