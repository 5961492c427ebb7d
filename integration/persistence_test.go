package integration

// Persistence tests: restarts (in-process), crashes (the real binary
// killed with SIGKILL), snapshots taken while clients write, damaged data
// directories, and disk faults. The data directory is a Pebble database
// (persistence/FORMAT.md): the log's records are the keys 'l' + big-endian
// sequence number, the snapshots' chunks are ingested tables (*.sst), and
// Pebble's own write-ahead log is the *.log files.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sys/unix"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/persistence"
)

var bg = context.Background()

// pClient is a client of the server at addr using database db. It never
// retries: a command that failed because the server died must count as
// not acknowledged, and must not be sent twice.
func pClient(t testing.TB, addr string, db int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, DB: db, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

// pInfo returns the fields of INFO persistence.
func pInfo(t testing.TB, c *redis.Client) map[string]string {
	t.Helper()
	s, err := c.Info(bg, "persistence").Result()
	if err != nil {
		t.Fatalf("INFO persistence: %v", err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(s, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = v
		}
	}
	return m
}

// pWait polls cond until it holds, failing the test after timeout.
func pWait(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pBgsave runs BGSAVE and waits until it has completed successfully.
func pBgsave(t testing.TB, c *redis.Client) {
	t.Helper()
	saves := pInfo(t, c)["rdb_saves"]
	if err := c.BgSave(bg).Err(); err != nil {
		t.Fatalf("BGSAVE: %v", err)
	}
	pWaitBgsave(t, c, saves)
}

// pWaitBgsave waits until the BGSAVE started when rdb_saves was saves has
// completed, and checks that it succeeded.
func pWaitBgsave(t testing.TB, c *redis.Client, saves string) {
	t.Helper()
	pWait(t, 60*time.Second, "the BGSAVE to complete", func() bool {
		return pInfo(t, c)["rdb_bgsave_in_progress"] == "0"
	})
	info := pInfo(t, c)
	if info["rdb_last_bgsave_status"] != "ok" || info["rdb_saves"] == saves {
		t.Fatalf("BGSAVE did not succeed: rdb_last_bgsave_status:%s rdb_saves:%s (before: %s)",
			info["rdb_last_bgsave_status"], info["rdb_saves"], saves)
	}
}

// isMisconf reports whether err is the MISCONF refusal of a write.
func isMisconf(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "MISCONF ") }

// keyState is everything a client can see of one key.
type keyState struct {
	Type, Encoding, Value string
	// ExpireAt is PEXPIRETIME: Unix milliseconds, -1 without expiry.
	ExpireAt int64
}

// dumpKeyspace returns the state of every key of databases 0..dbs-1,
// keyed by "db/key", read through the client.
func dumpKeyspace(t testing.TB, addr string, dbs int) map[string]keyState {
	t.Helper()
	out := map[string]keyState{}
	for db := range dbs {
		c := redis.NewClient(&redis.Options{Addr: addr, DB: db, Protocol: 2, DisableIdentity: true, MaxRetries: -1, PoolSize: 1})
		var keys []string
		it := c.Scan(bg, 0, "*", 1000).Iterator()
		for it.Next(bg) {
			keys = append(keys, it.Val())
		}
		if err := it.Err(); err != nil {
			c.Close()
			t.Fatalf("SCAN of database %d: %v", db, err)
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		for chunk := range slices.Chunk(keys, 200) {
			states := dumpKeys(t, c, chunk)
			for i, k := range chunk {
				out[fmt.Sprintf("%d/%q", db, k)] = states[i]
			}
		}
		c.Close()
	}
	return out
}

func dumpKeys(t testing.TB, c *redis.Client, keys []string) []keyState {
	t.Helper()
	meta, err := c.Pipelined(bg, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Type(bg, k)
			p.ObjectEncoding(bg, k)
			p.Do(bg, "PEXPIRETIME", k)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the keys' types: %v", err)
	}
	states := make([]keyState, len(keys))
	vals, err := c.Pipelined(bg, func(p redis.Pipeliner) error {
		for i, k := range keys {
			s := &states[i]
			s.Type = meta[3*i].(*redis.StatusCmd).Val()
			s.Encoding = meta[3*i+1].(*redis.StringCmd).Val()
			s.ExpireAt, _ = meta[3*i+2].(*redis.Cmd).Int64()
			switch s.Type {
			case "string":
				p.Get(bg, k)
			case "list":
				p.LRange(bg, k, 0, -1)
			case "set":
				p.SMembers(bg, k)
			case "hash":
				p.HGetAll(bg, k)
			default:
				t.Fatalf("key %q has type %q", k, s.Type)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the keys' values: %v", err)
	}
	for i, cmd := range vals {
		switch cmd := cmd.(type) {
		case *redis.StringCmd:
			states[i].Value = strconv.Quote(cmd.Val())
		case *redis.StringSliceCmd:
			v := cmd.Val()
			if states[i].Type == "set" {
				slices.Sort(v)
			}
			states[i].Value = fmt.Sprintf("%q", v)
		case *redis.MapStringStringCmd:
			m := cmd.Val()
			var pairs []string
			for _, f := range slices.Sorted(maps.Keys(m)) {
				pairs = append(pairs, strconv.Quote(f)+"="+strconv.Quote(m[f]))
			}
			states[i].Value = strings.Join(pairs, " ")
		}
	}
	return states
}

// compareKeyspaces checks that after holds what before did, except the
// keys whose expiry time has come by now (Unix ms), which must be gone.
func compareKeyspaces(t testing.TB, before, after map[string]keyState, now int64) {
	t.Helper()
	problems := 0
	report := func(format string, args ...any) {
		t.Helper()
		if problems++; problems <= 20 {
			t.Errorf(format, args...)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(before)) {
		b := before[k]
		a, ok := after[k]
		switch {
		case b.ExpireAt >= 0 && b.ExpireAt <= now:
			if ok {
				report("key %s expired at %d but is back after the restart: %+v", k, b.ExpireAt, a)
			}
		case !ok:
			report("key %s is missing after the restart; it was %+v", k, b)
		case a != b:
			report("key %s changed across the restart:\nbefore %+v\nafter  %+v", k, b, a)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if _, ok := before[k]; !ok {
			report("key %s appeared after the restart: %+v", k, after[k])
		}
	}
	if problems > 20 {
		t.Errorf("... and %d more differences", problems-20)
	}
}

// session runs commands on one connection, so that SELECT sticks.
type session struct {
	t testing.TB
	c *redis.Conn
}

func newSession(t testing.TB, addr string) session {
	t.Helper()
	c := pClient(t, addr, 0).Conn()
	t.Cleanup(func() { c.Close() })
	return session{t, c}
}

func (s session) do(args ...any) any {
	s.t.Helper()
	v, err := s.c.Do(bg, args...).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		s.t.Fatalf("%v: %v", args, err)
	}
	return v
}

func (s session) tx(fn func(p redis.Pipeliner)) {
	s.t.Helper()
	if _, err := s.c.TxPipelined(bg, func(p redis.Pipeliner) error { fn(p); return nil }); err != nil {
		s.t.Fatalf("MULTI/EXEC: %v", err)
	}
}

// Scripts whose replay must reproduce their effects, not rerun them: SPOP
// and TIME give something else each time.
const (
	scriptWrites = `redis.call('SET', KEYS[1], ARGV[1] .. '!')
redis.call('INCRBY', KEYS[2], 7)
redis.call('RPUSH', KEYS[3], redis.call('GET', KEYS[1]), 'x', 'y')
redis.call('EXPIRE', KEYS[1], 2500)
return redis.call('LLEN', KEYS[3])`
	scriptRandom = `local m = redis.call('SPOP', KEYS[1])
redis.call('SADD', KEYS[2], m)
local t = redis.call('TIME')
redis.call('SET', KEYS[3], t[1] .. '.' .. t[2])
return m`
)

// workloadBase writes every type and encoding, in every database, with
// expiry times, through FLUSHALL, RENAME, MOVE, COPY, scripts, MULTI/EXEC
// and expiry deletions.
func workloadBase(s session) {
	// Data that FLUSHALL must remove, in several databases.
	for _, db := range []int{0, 3, 9} {
		s.do("SELECT", db)
		s.do("SET", "flushed", "x")
		s.do("RPUSH", "flushed:list", "a", "b")
	}
	s.do("FLUSHALL")
	for db := range 16 {
		s.do("SELECT", db)
		s.do("SET", "marker", fmt.Sprintf("db%d", db))
		s.do("HSET", "dbinfo", "index", db, "name", fmt.Sprintf("database %d", db))
		s.do("SADD", "members", db, db*1000)
	}
	s.do("SELECT", 0)

	// Strings, int-encoded and not.
	s.do("SET", "s:plain", "hello world")
	s.do("SET", "s:int", "12345")
	s.do("SET", "s:neg", "-42")
	s.do("SET", "s:empty", "")
	s.do("SET", "", "empty key")
	s.do("SET", "s:binary", "\x00\x01\xff\r\n\x00")
	s.do("SET", "s:long", strings.Repeat("0123456789", 200))
	s.do("SET", "s:appended", strings.Repeat("a", 50))
	s.do("APPEND", "s:appended", strings.Repeat("b", 50))
	s.do("SETRANGE", "s:appended", 10, "XYZ")
	for range 5 {
		s.do("INCR", "s:counter")
	}
	s.do("INCRBY", "s:counter", 1000000000000)
	s.do("INCRBYFLOAT", "s:float", "1.25")
	s.do("INCRBYFLOAT", "s:float", "0.5")

	// Lists.
	s.do("RPUSH", "l:small", "a", "b", "c", "1", "2", "3")
	s.do("LPUSH", "l:small", "z")
	s.do("LINSERT", "l:small", "BEFORE", "c", "bb")
	s.do("LSET", "l:small", 0, "zz")
	s.do("LREM", "l:small", 0, "1")
	push := []any{"RPUSH", "l:big"}
	for i := range 300 {
		push = append(push, fmt.Sprintf("item-%03d-%s", i, strings.Repeat("x", 80)))
	}
	s.do(push...)
	s.do("LPOP", "l:big")
	s.do("RPOP", "l:big", 2)
	s.do("LTRIM", "l:big", 0, 249)

	// Sets: intset and hashtable.
	s.do("SADD", "t:intset", 1, 2, 3, -7, 1000000)
	s.do("SREM", "t:intset", 2)
	s.do("SADD", "t:hashtable", "a", "b", "c", 1)
	s.do("SMOVE", "t:hashtable", "t:moved", "a")
	add := []any{"SADD", "t:bigints"}
	for i := range 600 {
		add = append(add, i)
	}
	s.do(add...)

	// Hashes: listpack and hashtable (by size and by value length).
	s.do("HSET", "h:small", "f1", "v1", "f2", "2", "empty", "")
	s.do("HINCRBY", "h:small", "f2", 40)
	s.do("HINCRBYFLOAT", "h:small", "fl", "2.5")
	s.do("HSETNX", "h:small", "f1", "ignored")
	hset := []any{"HSET", "h:big"}
	for i := range 200 {
		hset = append(hset, fmt.Sprintf("field-%03d", i), fmt.Sprintf("value-%d", i*i))
	}
	s.do(hset...)
	s.do("HDEL", "h:big", "field-007")
	s.do("HSET", "h:longvalue", "f", strings.Repeat("v", 100))

	// Expiry times, relative and absolute, set, kept and removed.
	s.do("SET", "ttl:string", "v", "EX", 1000)
	s.do("RPUSH", "ttl:list", "a", "b")
	s.do("PEXPIRE", "ttl:list", 2000000)
	s.do("HSET", "ttl:hash", "f", "v")
	s.do("EXPIREAT", "ttl:hash", time.Now().Add(3000*time.Second).Unix())
	s.do("SADD", "ttl:set", "m")
	s.do("PEXPIREAT", "ttl:set", time.Now().Add(4000*time.Second).UnixMilli())
	s.do("SET", "ttl:persisted", "v", "EX", 100)
	s.do("PERSIST", "ttl:persisted")
	s.do("SET", "ttl:keepttl", "v1", "EX", 500)
	s.do("SET", "ttl:keepttl", "v2", "KEEPTTL")
	s.do("SET", "ttl:replaced", "v1", "EX", 500)
	s.do("SET", "ttl:replaced", "v2")
	s.do("SET", "ttl:getex", "v")
	s.do("GETEX", "ttl:getex", "PX", 123456789)

	// RENAME, COPY, MOVE.
	s.do("SET", "r:src", "renamed value", "EX", 900)
	s.do("RENAME", "r:src", "r:dst")
	s.do("HSET", "r:hsrc", "a", "1")
	s.do("SET", "r:target", "old", "EX", 100)
	s.do("RENAME", "r:hsrc", "r:target")
	s.do("SET", "r:nx", "1")
	s.do("RENAMENX", "r:nx", "r:dst")
	s.do("RPUSH", "c:src", "a", "b", "c")
	s.do("PEXPIRE", "c:src", 1234567)
	s.do("COPY", "c:src", "c:dst")
	s.do("COPY", "c:src", "c:otherdb", "DB", 2)
	s.do("SET", "c:replaced", "old")
	s.do("COPY", "t:intset", "c:replaced", "REPLACE")
	s.do("SET", "m:key", "moving", "EX", 800)
	s.do("MOVE", "m:key", 1)
	s.do("SELECT", 1)
	s.do("SET", "m:blocked", "in db1")
	s.do("SELECT", 0)
	s.do("SET", "m:blocked", "in db0")
	s.do("MOVE", "m:blocked", 1)

	// Scripts.
	pool := []any{"SADD", "e:pool"}
	for i := range 30 {
		pool = append(pool, fmt.Sprintf("member-%d", i))
	}
	s.do(pool...)
	s.do("EVAL", scriptWrites, 3, "e:str", "e:counter", "e:list", "arg")
	sha := s.do("SCRIPT", "LOAD", scriptWrites)
	s.do("EVALSHA", sha, 3, "e:str2", "e:counter", "e:list", "again")
	s.do("EVAL", scriptRandom, 3, "e:pool", "e:popped", "e:time")
	s.do("SPOP", "e:pool", 3)

	// MULTI/EXEC.
	s.tx(func(p redis.Pipeliner) {
		p.Set(bg, "x:a", "1", 0)
		p.Incr(bg, "x:a")
		p.RPush(bg, "x:list", "p", "q")
		p.HSet(bg, "x:hash", "f", "v")
		p.Expire(bg, "x:a", 600*time.Second)
		p.SPop(bg, "e:pool")
		p.Do(bg, "SELECT", 12)
		p.Set(bg, "x:indb12", "v", 0)
	})
	s.do("SELECT", 0)

	// Expiry deletions: the active expiry cycle deletes these keys, a
	// read the last one.
	s.do("SELECT", 7)
	for i := range 20 {
		s.do("SET", fmt.Sprintf("exp:%d", i), "v", "PX", 20)
	}
	s.do("HSET", "exp:hash", "f", "v")
	s.do("PEXPIRE", "exp:hash", 20)
	pWait(s.t, 10*time.Second, "the expiry cycle to delete the keys of database 7", func() bool {
		return s.c.DBSize(bg).Val() == 3
	})
	s.do("RPUSH", "exp:0", "reborn as a list")
	s.do("SET", "exp:lazy", "v", "PX", 10)
	pWait(s.t, 10*time.Second, "exp:lazy to expire", func() bool {
		return s.do("PTTL", "exp:lazy") == int64(-2)
	})
	s.do("SELECT", 0)
}

// workloadMore changes what workloadBase wrote: the part that, in the
// snapshot-plus-log cases, only the log holds.
func workloadMore(s session) {
	s.do("SELECT", 0)
	s.do("RPUSH", "l:small", "after")
	s.do("SADD", "t:intset", 42)
	s.do("SADD", "t:bigints", -1)
	s.do("HSET", "h:big", "field-000", "changed")
	s.do("DEL", "s:plain")
	s.do("INCR", "s:counter")
	s.do("SET", "s:int", "99999")
	s.do("EXPIRE", "s:neg", 1500)
	s.do("PERSIST", "ttl:list")
	s.do("RENAME", "h:small", "h:renamed")
	s.do("MOVE", "l:small", 8)
	s.do("COPY", "t:hashtable", "t:copy", "DB", 11)
	s.do("LMOVE", "c:dst", "x:list", "LEFT", "RIGHT")
	s.do("EVAL", scriptRandom, 3, "e:pool", "e:popped", "e:time2")
	s.tx(func(p redis.Pipeliner) {
		p.Del(bg, "x:hash")
		p.Set(bg, "x:b", "2", 999*time.Second)
		p.LPush(bg, "x:list", "r")
		p.SPop(bg, "e:pool")
	})
	s.do("SELECT", 4)
	s.do("SET", "only-in-4", "v", "EX", 1200)
	s.do("SWAPDB", 4, 5)
	s.do("SELECT", 6)
	s.do("SET", "doomed", "v")
	s.do("FLUSHDB")
	s.do("SET", "after-flushdb", "v")
	s.do("SELECT", 0)
}

// TestPersistenceRestart writes every kind of data and change, restarts
// the server on the same directory, and compares everything a client can
// see, with the state coming from the log alone, from a snapshot alone,
// or from a snapshot and the log after it.
func TestPersistenceRestart(t *testing.T) {
	type point struct {
		// snapshot is how a snapshot is taken after workloadBase: "",
		// "SAVE" or "BGSAVE".
		snapshot string
		// after runs after the snapshot.
		after func(s session)
	}
	tests := []struct {
		name       string
		appendOnly bool
		point
	}{
		{"log only", true, point{"", workloadMore}},
		{"snapshot only", false, point{"BGSAVE", func(s session) {
			// Not logged: lost at the restart.
			s.do("SET", "lost", "v")
			s.do("DEL", "s:int")
			s.do("SELECT", 3)
			s.do("FLUSHDB")
			s.do("SELECT", 0)
		}}},
		{"snapshot plus log", true, point{"SAVE", workloadMore}},
		{"FLUSHALL after the snapshot", true, point{"BGSAVE", func(s session) {
			workloadMore(s)
			s.do("FLUSHALL")
			s.do("SET", "ttl:string", "v", "EX", 1000)
			s.do("SELECT", 3)
			s.do("RPUSH", "survivor", "a", "b")
			s.do("SELECT", 0)
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			edit := func(c *config.Config) {
				c.AppendOnly = tt.appendOnly
				c.Save = nil
			}
			p := testutil.StartPersistent(t, dir, edit)
			s := newSession(t, p.Addr)
			c := pClient(t, p.Addr, 0)
			workloadBase(s)
			if tt.snapshot == "" {
				tt.after(s)
			}
			// shortlived expires while the server is down: it must not
			// come back. It is set at the last moment that persists.
			var shortExpiry time.Time
			var before map[string]keyState
			persisted := func() {
				s.do("SET", "shortlived", "v", "PX", 1500)
				shortExpiry = time.Now().Add(1500 * time.Millisecond)
				before = dumpKeyspace(t, p.Addr, 16)
			}
			if !tt.appendOnly {
				persisted()
			}
			switch tt.snapshot {
			case "SAVE":
				if err := c.Save(bg).Err(); err != nil {
					t.Fatalf("SAVE: %v", err)
				}
			case "BGSAVE":
				pBgsave(t, c)
			}
			if tt.snapshot != "" {
				tt.after(s)
			}
			if tt.appendOnly {
				persisted()
			}
			if _, ok := before[`0/"shortlived"`]; !ok {
				t.Fatalf("shortlived expired before it was persisted; the test is too slow to mean anything")
			}
			t0 := time.Now()
			ttlBefore := c.PTTL(bg, "ttl:string").Val()
			t1 := time.Now()
			p.Stop(t)

			time.Sleep(time.Until(shortExpiry.Add(50 * time.Millisecond)))
			p = testutil.StartPersistent(t, dir, edit)
			c = pClient(t, p.Addr, 0)
			t2 := time.Now()
			ttlAfter := c.PTTL(bg, "ttl:string").Val()
			t3 := time.Now()
			after := dumpKeyspace(t, p.Addr, 16)
			compareKeyspaces(t, before, after, time.Now().UnixMilli())

			if n := c.Exists(bg, "shortlived").Val(); n != 0 {
				t.Errorf("shortlived, expired while the server was down, exists after the restart")
			}
			// The remaining time went down by the downtime: an
			// absolute expiry time, not a TTL restarted at load.
			slack := 5 * time.Millisecond
			if lo, hi := ttlBefore-t3.Sub(t0)-slack, ttlBefore-t2.Sub(t1)+slack; ttlAfter < lo || ttlAfter > hi {
				t.Errorf("PTTL ttl:string was %v, is %v after %v down; want within [%v, %v]", ttlBefore, ttlAfter, t2.Sub(t1), lo, hi)
			}
			for key, enc := range map[string]string{"s:int": "int", "t:intset": "intset", "t:hashtable": "hashtable",
				"t:bigints": "hashtable", "h:big": "hashtable", "h:longvalue": "hashtable", "h:renamed": "listpack"} {
				if st, ok := after["0/"+strconv.Quote(key)]; ok && st.Encoding != enc {
					t.Errorf("%s is encoded %s after the restart, want %s", key, st.Encoding, enc)
				}
			}
			if !tt.appendOnly {
				if _, ok := after[`0/"lost"`]; ok {
					t.Errorf("a write after the snapshot survived with appendonly no")
				}
			}
		})
	}
}
