package persistence

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/keyspace"
)

// testServer is a keyspace, an engine and a Manager over dir, without
// the network.
type testServer struct {
	ks *keyspace.Keyspace
	e  *commands.Engine
	m  *Manager
	cl *commands.Client
}

// openUnloaded opens dir for a keyspace and an engine with the default
// configuration changed by edit (which may be nil), without recovering.
func openUnloaded(tb testing.TB, dir string, edit func(*config.Config)) *testServer {
	tb.Helper()
	cfg := config.Defaults()
	cfg.Dir = dir
	if edit != nil {
		edit(cfg)
	}
	store := config.NewStore(cfg, "")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ks := keyspace.New(keyspace.Options{Databases: cfg.Databases})
	e := commands.NewEngine(ks, store, log)
	m, err := Open(dir, Options{Keyspace: ks, Config: store, Log: log, Limits: e.Limits, Apply: e.Apply})
	if err != nil {
		tb.Fatal(err)
	}
	e.Persist = m
	cl := commands.NewClient("test", "test", time.Now(), func() {})
	cl.Authenticated = true
	return &testServer{ks: ks, e: e, m: m, cl: cl}
}

// openTestServer is openUnloaded, then recovers.
func openTestServer(tb testing.TB, dir string, edit func(*config.Config)) *testServer {
	tb.Helper()
	s := openUnloaded(tb, dir, edit)
	if err := s.m.Recover(); err != nil {
		tb.Fatal(err)
	}
	return s
}

// do runs one command as a unit of work and returns its raw reply.
func (s *testServer) do(args ...string) string {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	s.ks.Lock()
	s.cl.W.Reset()
	s.e.Exec(s.cl, b)
	reply := string(s.cl.W.Bytes())
	s.ks.Unlock()
	return reply
}

func (s *testServer) close(tb testing.TB) {
	tb.Helper()
	if err := s.m.Close(); err != nil {
		tb.Fatal(err)
	}
}

// TestGroupCommit: under appendfsync always, writers that wait for their
// record together share syncs, and each is durable when AwaitDurable
// returns.
func TestGroupCommit(t *testing.T) {
	s := openTestServer(t, t.TempDir(), func(c *config.Config) { c.AppendFsync = FsyncAlways; c.Save = nil })
	defer s.close(t)
	const writers, each = 50, 40
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := commands.NewClient("w", "w", time.Now(), func() {})
			cl.Authenticated = true
			for i := range each {
				s.ks.Lock()
				s.e.Exec(cl, [][]byte{[]byte("SET"), []byte(fmt.Sprintf("k%d", w)), []byte(strconv.Itoa(i))})
				s.ks.Unlock()
				s.m.AwaitDurable(0)
				if got, want := s.m.alog.durable.Load(), s.m.assigned.Load(); got < 1 || got > want {
					t.Errorf("durable %d after AwaitDurable, assigned %d", got, want)
				}
			}
		}()
	}
	wg.Wait()
	commits := s.m.alog.commits.Load()
	t.Logf("%d writes, %d synced commits", writers*each, commits)
	if commits > writers*each/4 {
		t.Errorf("%d synced commits for %d writes: the writers did not share syncs", commits, writers*each)
	}
}

// TestRestartRecoversLogAndSnapshot: the state after a restart is the
// state before it, from the log alone, a snapshot alone, and both.
func TestRestartRecoversLogAndSnapshot(t *testing.T) {
	dir := t.TempDir()
	noSave := func(c *config.Config) { c.Save = nil }
	s := openTestServer(t, dir, noSave)
	s.do("SET", "a", "1")
	s.do("RPUSH", "l", "x", "y", "z")
	s.do("SADD", "s", "1", "2", "3")
	s.do("HSET", "h", "f", "v")
	s.do("SELECT", "3")
	s.do("SET", "in3", "v", "PX", "100000000")
	s.close(t)

	s = openTestServer(t, dir, noSave)
	if got := s.do("SELECT", "3"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	if got := s.do("GET", "in3"); got != "$1\r\nv\r\n" {
		t.Fatalf("from the log: GET in3 = %q", got)
	}
	s.do("SELECT", "0")
	if got := s.do("SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE: %q", got)
	}
	s.do("INCR", "a")
	s.do("LPOP", "l")
	s.close(t)

	s = openTestServer(t, dir, noSave)
	defer s.close(t)
	for _, c := range []struct{ cmd, want string }{
		{"GET a", "$1\r\n2\r\n"},
		{"LRANGE l 0 -1", "*2\r\n$1\r\ny\r\n$1\r\nz\r\n"},
		{"SCARD s", ":3\r\n"},
		{"OBJECT ENCODING s", "$6\r\nintset\r\n"},
		{"HGET h f", "$1\r\nv\r\n"},
	} {
		if got := s.do(strings.Fields(c.cmd)...); got != c.want {
			t.Errorf("%s = %q, want %q", c.cmd, got, c.want)
		}
	}
	if s.m.snap.ID == 0 || s.m.snap.Keys != 5 {
		t.Errorf("snapshot %+v, want one of 5 keys", s.m.snap)
	}
}

// BenchmarkSink logs units of one SET of a 100-byte value as fast as the
// log takes them: the command path's numbering and encoding, with the
// writer committing to Pebble on the other core. ns/op is the inverse of
// the log's sustained rate under everysec.
func BenchmarkSink(b *testing.B) {
	s := openTestServer(b, b.TempDir(), func(c *config.Config) { c.Save = nil })
	defer s.close(b)
	ks, m := s.ks, s.m
	effect := []keyspace.Effect{{DB: 0, Args: [][]byte{[]byte("SET"), []byte("key:000123456"), make([]byte, 100)}}}
	b.ReportAllocs()
	ks.Lock()
	defer ks.Unlock()
	for b.Loop() {
		m.sink(effect)
	}
}

// TestAppendOnlyTurnedOn: a log turned on at run time continues the
// snapshot it schedules; after a crash the units before and after are
// there.
func TestAppendOnlyTurnedOn(t *testing.T) {
	dir := t.TempDir()
	s := openTestServer(t, dir, func(c *config.Config) { c.AppendOnly = false; c.Save = nil })
	s.do("SET", "before", "1")
	s.do("CONFIG", "SET", "appendonly", "yes")
	s.do("SET", "between", "2")
	s.ks.Lock()
	s.m.Cron()
	s.ks.Unlock()
	waitFor(t, func() bool {
		return strings.Contains(s.do("INFO", "persistence"), "aof_rewrite_in_progress:0")
	})
	s.do("SET", "after", "3")
	s.close(t)

	s = openTestServer(t, dir, nil)
	defer s.close(t)
	if got := s.do("MGET", "before", "between", "after"); got != "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n" {
		t.Fatalf("MGET = %q", got)
	}
}

// TestLoadingRefuses: until Recover is done, commands without the loading
// flag get LOADING, and INFO answers.
func TestLoadingRefuses(t *testing.T) {
	s := openUnloaded(t, t.TempDir(), nil)
	m := s.m
	for _, c := range []struct{ cmd, want string }{
		{"GET a", "-LOADING Redis is loading the dataset in memory\r\n"},
		{"PING", "-LOADING Redis is loading the dataset in memory\r\n"},
		{"LASTSAVE", ":"},
	} {
		if got := s.do(strings.Fields(c.cmd)...); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s while loading = %q, want %q", c.cmd, got, c.want)
		}
	}
	if got := s.do("INFO", "persistence"); !strings.Contains(got, "loading:1\r\n") {
		t.Errorf("INFO while loading: %q", got)
	}
	if err := m.Recover(); err != nil {
		t.Fatal(err)
	}
	defer s.close(t)
	if got := s.do("PING"); got != "+PONG\r\n" {
		t.Errorf("PING after loading = %q", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkRecover loads a snapshot of 1,000,000 strings of 100 bytes,
// half with a TTL, and 100,000 hashes of 10 fields: the restart that
// bench/persistence.sh times against Redis's RDB load.
func BenchmarkRecover(b *testing.B) {
	dir := b.TempDir()
	open := func() (*keyspace.Keyspace, *Manager) {
		s := openTestServer(b, dir, func(c *config.Config) { c.Save = nil })
		return s.ks, s.m
	}
	ks, m := open()
	ks.Lock()
	value := make([]byte, 100)
	far := time.Now().Add(time.Hour).UnixMilli()
	lim := datatypes.DefaultLimits()
	for i := range 1_000_000 {
		var exp int64
		if i%2 == 0 {
			exp = far
		}
		ks.DB(0).Insert(fmt.Appendf(nil, "key:%d", i), datatypes.NewString(value), exp)
	}
	for i := range 100_000 {
		h := datatypes.NewHash()
		for f := range 10 {
			h.Set(lim, []byte(fmt.Sprintf("field%d", f)), []byte(fmt.Sprintf("value%d", f)))
		}
		ks.DB(0).Insert(fmt.Appendf(nil, "hash:%d", i), h, 0)
	}
	if err := m.Save(); err != nil {
		b.Fatal(err)
	}
	ks.Unlock()
	m.Close()
	b.ResetTimer()
	for range b.N {
		ks, m := open()
		b.StopTimer()
		if n := ks.DB(0).Len(); n != 1_100_000 {
			b.Fatalf("%d keys loaded", n)
		}
		m.Close()
		b.StartTimer()
	}
}

// TestDebugReloads: DEBUG RELOAD and DEBUG LOADAOF empty the keyspace and
// load it back, and reply OK to the client that asked (the replay runs
// commands through the dispatcher inside the command).
func TestDebugReloads(t *testing.T) {
	s := openTestServer(t, t.TempDir(), func(c *config.Config) { c.EnableDebugCommand = "yes" })
	defer s.close(t)
	s.do("SET", "a", "1")
	s.do("RPUSH", "l", "x", "y")
	for _, sub := range []string{"RELOAD", "LOADAOF"} {
		s.do("INCR", "a")
		if got := s.do("DEBUG", sub); got != "+OK\r\n" {
			t.Fatalf("DEBUG %s = %q", sub, got)
		}
	}
	if got := s.do("MGET", "a"); got != "*1\r\n$1\r\n3\r\n" {
		t.Errorf("after the reloads MGET a = %q", got)
	}
	if got := s.do("LRANGE", "l", "0", "-1"); got != "*2\r\n$1\r\nx\r\n$1\r\ny\r\n" {
		t.Errorf("after the reloads LRANGE l = %q", got)
	}
}
