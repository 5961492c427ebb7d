package integration

// Persistence tests: restarts (in-process), crashes (the real binary
// killed with SIGKILL), snapshots taken while clients write, damaged data
// directories, and disk faults. The data directory is a Pebble database
// (persistence/FORMAT.md): the log's records are the keys 'l' + big-endian
// sequence number, the snapshots' chunks are ingested tables (*.sst), and
// Pebble's own write-ahead log is the *.log files.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

var pctx = context.Background()

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
	s, err := c.Info(pctx, "persistence").Result()
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
	if err := c.BgSave(pctx).Err(); err != nil {
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
		it := c.Scan(pctx, 0, "*", 1000).Iterator()
		for it.Next(pctx) {
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
	meta, err := c.Pipelined(pctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Type(pctx, k)
			p.ObjectEncoding(pctx, k)
			p.Do(pctx, "PEXPIRETIME", k)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the keys' types: %v", err)
	}
	states := make([]keyState, len(keys))
	vals, err := c.Pipelined(pctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			s := &states[i]
			s.Type = meta[3*i].(*redis.StatusCmd).Val()
			s.Encoding = meta[3*i+1].(*redis.StringCmd).Val()
			s.ExpireAt, _ = meta[3*i+2].(*redis.Cmd).Int64()
			switch s.Type {
			case "string":
				p.Get(pctx, k)
			case "list":
				p.LRange(pctx, k, 0, -1)
			case "set":
				p.SMembers(pctx, k)
			case "hash":
				p.HGetAll(pctx, k)
			case "zset":
				p.Do(pctx, "ZRANGE", k, 0, -1, "WITHSCORES")
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
		case *redis.Cmd:
			states[i].Value = fmt.Sprintf("%q", cmd.Val())
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
	v, err := s.c.Do(pctx, args...).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		s.t.Fatalf("%v: %v", args, err)
	}
	return v
}

func (s session) tx(fn func(p redis.Pipeliner)) {
	s.t.Helper()
	if _, err := s.c.TxPipelined(pctx, func(p redis.Pipeliner) error { fn(p); return nil }); err != nil {
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
	for i := range 600 {
		hset = append(hset, fmt.Sprintf("field-%03d", i), fmt.Sprintf("value-%d", i*i))
	}
	s.do(hset...)
	s.do("HDEL", "h:big", "field-007")
	s.do("HSET", "h:longvalue", "f", strings.Repeat("v", 100))

	// Sorted sets: listpack and skiplist (by size and by member length),
	// with -0, infinities and float scores.
	s.do("ZADD", "z:small", 1, "a", "2.5", "b", "-0", "c", "inf", "d", "-inf", "e")
	s.do("ZINCRBY", "z:small", "0.1", "a")
	s.do("ZREM", "z:small", "b")
	zadd := []any{"ZADD", "z:big"}
	for i := range 300 {
		zadd = append(zadd, float64(i%37)/3, fmt.Sprintf("member-%d", i))
	}
	s.do(zadd...)
	s.do("ZADD", "z:big", "-0", "negzero")
	s.do("ZPOPMIN", "z:big", 5)
	s.do("ZREMRANGEBYSCORE", "z:big", 3, "(4")
	s.do("ZADD", "z:long", 1, strings.Repeat("m", 100))
	s.do("ZUNIONSTORE", "z:union", 2, "z:small", "t:intset", "WEIGHTS", 2, 1)
	s.do("ZRANGESTORE", "z:range", "z:big", 0, 9)

	// Expiry times, relative and absolute, set, kept and removed.
	s.do("SET", "ttl:string", "v", "EX", 1000)
	s.do("RPUSH", "ttl:list", "a", "b")
	s.do("PEXPIRE", "ttl:list", 2000000)
	s.do("HSET", "ttl:hash", "f", "v")
	s.do("EXPIREAT", "ttl:hash", time.Now().Add(3000*time.Second).Unix())
	s.do("SADD", "ttl:set", "m")
	s.do("PEXPIREAT", "ttl:set", time.Now().Add(4000*time.Second).UnixMilli())
	s.do("ZADD", "ttl:zset", 1, "m")
	s.do("EXPIRE", "ttl:zset", 5000)
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
		p.Set(pctx, "x:a", "1", 0)
		p.Incr(pctx, "x:a")
		p.RPush(pctx, "x:list", "p", "q")
		p.HSet(pctx, "x:hash", "f", "v")
		p.Expire(pctx, "x:a", 600*time.Second)
		p.SPop(pctx, "e:pool")
		p.Do(pctx, "SELECT", 12)
		p.Set(pctx, "x:indb12", "v", 0)
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
		return s.c.DBSize(pctx).Val() == 3
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
		p.Del(pctx, "x:hash")
		p.Set(pctx, "x:b", "2", 999*time.Second)
		p.LPush(pctx, "x:list", "r")
		p.SPop(pctx, "e:pool")
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
				if err := c.Save(pctx).Err(); err != nil {
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
			ttlBefore := c.PTTL(pctx, "ttl:string").Val()
			t1 := time.Now()
			p.Stop(t)

			time.Sleep(time.Until(shortExpiry.Add(50 * time.Millisecond)))
			p = testutil.StartPersistent(t, dir, edit)
			c = pClient(t, p.Addr, 0)
			t2 := time.Now()
			ttlAfter := c.PTTL(pctx, "ttl:string").Val()
			t3 := time.Now()
			after := dumpKeyspace(t, p.Addr, 16)
			compareKeyspaces(t, before, after, time.Now().UnixMilli())

			if n := c.Exists(pctx, "shortlived").Val(); n != 0 {
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
			// What the restart loaded from: a snapshot or none.
			if tt.appendOnly {
				base := pInfo(t, c)["aof_base_size"]
				if snapshot := base != "0"; snapshot != (tt.snapshot != "") {
					t.Errorf("aof_base_size:%s after the restart; a snapshot was taken: %v", base, tt.snapshot != "")
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

// crashAck is one acknowledged write of a crashWriter.
type crashAck struct {
	kind  int // ackCounter, ackPair or ackSet
	slot  int // which SET key
	value int64
	at    time.Time
}

const (
	ackCounter = iota
	ackPair
	ackSet
)

// crashSetKeys is how many keys each crashWriter SETs, in turn.
const crashSetKeys = 16

// crashWriter writes its own keys until the server dies: an INCR counter,
// two counters incremented together in MULTI/EXEC, and keys SET to a
// sequence number that only grows. It records what was acknowledged.
type crashWriter struct {
	id int
	// The values read back after the last restart: what must never go
	// back.
	counter, pair int64
	sets          [crashSetKeys]int64
	// seq is the last sequence number sent in a SET.
	seq int64
	// acks are the writes acknowledged since the last restart.
	acks []crashAck
}

func (w *crashWriter) key(name string) string { return fmt.Sprintf("crash:{%d}:%s", w.id, name) }

func (w *crashWriter) setKey(slot int) string { return w.key(fmt.Sprintf("set:%d", slot)) }

// run writes until a command fails (the server was killed).
func (w *crashWriter) run(t *testing.T, c *redis.Client) {
	for i := 0; ; i++ {
		switch i % 3 {
		case 0:
			v, err := c.Incr(pctx, w.key("counter")).Result()
			if err != nil {
				return
			}
			w.acks = append(w.acks, crashAck{kind: ackCounter, value: v, at: time.Now()})
		case 1:
			w.seq++
			slot := int(w.seq % crashSetKeys)
			if err := c.Set(pctx, w.setKey(slot), w.seq, 0).Err(); err != nil {
				return
			}
			w.acks = append(w.acks, crashAck{kind: ackSet, slot: slot, value: w.seq, at: time.Now()})
		case 2:
			var a, b *redis.IntCmd
			_, err := c.TxPipelined(pctx, func(p redis.Pipeliner) error {
				a = p.Incr(pctx, w.key("pair:a"))
				b = p.Incr(pctx, w.key("pair:b"))
				return nil
			})
			if err != nil {
				return
			}
			if a.Val() != b.Val() {
				t.Errorf("writer %d: MULTI/EXEC incremented its pair to %d and %d", w.id, a.Val(), b.Val())
			}
			w.acks = append(w.acks, crashAck{kind: ackPair, value: a.Val(), at: time.Now()})
		}
	}
}

// verify checks what the restarted server holds of w's keys: every write
// acknowledged before killedAt-window is there (every write at all if
// window is 0), nothing that was never sent is, and the pair was
// incremented as a unit. It returns how many acknowledged writes are
// missing and how long before the kill the oldest of them was
// acknowledged, and resets w's floors to what is there.
func (w *crashWriter) verify(t *testing.T, c *redis.Client, killedAt time.Time, window time.Duration) (lost int, oldest time.Duration) {
	t.Helper()
	get := func(key string) int64 {
		v, err := c.Get(pctx, key).Int64()
		if err != nil && !errors.Is(err, redis.Nil) {
			t.Fatalf("GET %s: %v", key, err)
		}
		return v
	}
	required := func(a crashAck) bool { return window == 0 || a.at.Before(killedAt.Add(-window)) }
	counter, pairA, pairB := get(w.key("counter")), get(w.key("pair:a")), get(w.key("pair:b"))
	var sets [crashSetKeys]int64
	for slot := range sets {
		sets[slot] = get(w.setKey(slot))
	}

	minCounter, maxCounter, minPair, maxPair := w.counter, w.counter, w.pair, w.pair
	minSets := w.sets
	for _, a := range w.acks {
		missing := false
		switch a.kind {
		case ackCounter:
			maxCounter = max(maxCounter, a.value)
			if required(a) {
				minCounter = max(minCounter, a.value)
			}
			missing = counter < a.value
		case ackPair:
			maxPair = max(maxPair, a.value)
			if required(a) {
				minPair = max(minPair, a.value)
			}
			missing = pairA < a.value
		case ackSet:
			if required(a) {
				minSets[a.slot] = max(minSets[a.slot], a.value)
			}
			missing = sets[a.slot] < a.value
		}
		if missing {
			lost++
			oldest = max(oldest, killedAt.Sub(a.at))
		}
	}
	// One command may have been in flight, applied but not acknowledged.
	if counter < minCounter || counter > maxCounter+1 {
		t.Errorf("writer %d: counter is %d after the restart; want %d..%d", w.id, counter, minCounter, maxCounter+1)
	}
	if pairA != pairB {
		t.Errorf("writer %d: the pair incremented in MULTI/EXEC is %d and %d after the restart", w.id, pairA, pairB)
	}
	if pairA < minPair || pairA > maxPair+1 {
		t.Errorf("writer %d: pair is %d after the restart; want %d..%d", w.id, pairA, minPair, maxPair+1)
	}
	for slot, v := range sets {
		if v < minSets[slot] || v > w.seq || v != 0 && int(v%crashSetKeys) != slot {
			t.Errorf("writer %d: %s is %d after the restart; want %d..%d, and %d modulo %d",
				w.id, w.setKey(slot), v, minSets[slot], w.seq, slot, crashSetKeys)
		}
	}
	w.counter, w.pair, w.sets, w.acks = counter, pairA, sets, nil
	return lost, oldest
}

// TestPersistenceCrash kills cairn with SIGKILL at random moments while
// clients write, and checks after each restart that every acknowledged
// write is there: all of them under appendfsync always, all but those of
// about the last second under everysec. Every third cycle also runs a
// BGSAVE at a random moment, which the kill may interrupt.
func TestPersistenceCrash(t *testing.T) {
	tests := []struct {
		name, fsync    string
		cycles         int
		minRun, maxRun time.Duration
		// window is how long before the kill a write may have been
		// acknowledged and still be lost; 0 for none.
		window  time.Duration
		writers int
		// bug, if set, skips the case: a known bug makes it fail.
		bug string
	}{
		{name: "always", fsync: "always", cycles: 20, minRun: 50 * time.Millisecond, maxRun: 300 * time.Millisecond, writers: 8},
		{name: "everysec", fsync: "everysec", cycles: 5, minRun: 1600 * time.Millisecond, maxRun: 2500 * time.Millisecond,
			window: 1500 * time.Millisecond, writers: 8},
		// config.yaml promises that under everysec "a crash of cairn
		// alone" loses nothing, as from Redis, which writes its log to
		// the OS before it replies; SIGKILL is a crash of cairn alone.
		{name: "everysec process crash loses nothing", fsync: "everysec", cycles: 5,
			minRun: 100 * time.Millisecond, maxRun: 300 * time.Millisecond, writers: 8,
			bug: "bug: under appendfsync everysec cairn replies before the unit's record is committed to Pebble " +
				"(Manager.AwaitDurable returns at once; appendLog.writer sleeps 1ms, then commits), so SIGKILL " +
				"loses the last milliseconds of acknowledged writes, contrary to config.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.bug != "" {
				t.Skip(tt.bug)
			}
			seed := uint64(time.Now().UnixNano())
			t.Logf("seed %d", seed)
			rng := rand.New(rand.NewPCG(seed, 0))
			p := testutil.StartProcess(t, t.TempDir(), "--appendfsync", tt.fsync, "--save", "")
			writers := make([]*crashWriter, tt.writers)
			for i := range writers {
				writers[i] = &crashWriter{id: i}
			}
			var acked, lost int
			var oldest time.Duration
			for cycle := range tt.cycles {
				var wg sync.WaitGroup
				for _, w := range writers {
					c := redis.NewClient(&redis.Options{Addr: p.Addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1, PoolSize: 1})
					wg.Go(func() {
						defer c.Close()
						w.run(t, c)
					})
				}
				run := tt.minRun + time.Duration(rng.Int64N(int64(tt.maxRun-tt.minRun)+1))
				if cycle%3 == 2 {
					at := time.Duration(rng.Int64N(int64(run)))
					wg.Go(func() {
						time.Sleep(at)
						rawCommand(p.Addr, "BGSAVE")
					})
				}
				time.Sleep(run)
				killedAt := time.Now()
				p.Kill()
				wg.Wait()
				p.Restart()
				c := pClient(t, p.Addr, 0)
				cycleAcked, cycleLost := 0, 0
				for _, w := range writers {
					cycleAcked += len(w.acks)
					n, age := w.verify(t, c, killedAt, tt.window)
					cycleLost += n
					oldest = max(oldest, age)
				}
				acked += cycleAcked
				lost += cycleLost
				if t.Failed() {
					t.Fatalf("cycle %d (killed after %v): acknowledged writes are missing or wrong; log:\n%s", cycle, run, p.Log.String())
				}
			}
			t.Logf("%d cycles: %d writes acknowledged, %d of them lost by the kill, acknowledged up to %v before it",
				tt.cycles, acked, lost, oldest)
			if acked == 0 {
				t.Fatal("no write was acknowledged")
			}
			if tt.window == 0 && lost != 0 {
				t.Fatalf("%d acknowledged writes lost under appendfsync %s", lost, tt.fsync)
			}
		})
	}
}

// TestPersistenceKillDuringSnapshot kills cairn while a BGSAVE of 200,000
// keys is in progress: the restart must find everything, from the
// previous snapshot and the log, and remove what the interrupted snapshot
// wrote.
func TestPersistenceKillDuringSnapshot(t *testing.T) {
	const n = 200000
	dir := t.TempDir()
	p := testutil.StartProcess(t, dir, "--save", "", "--appendfsync", "always")
	c := pClient(t, p.Addr, 0)
	model := make([]string, n) // "" for absent
	key := func(i int) string { return fmt.Sprintf("big:%06d", i) }
	set := func(from, to, gen int) {
		t.Helper()
		for start := from; start < to; start += 20000 {
			_, err := c.Pipelined(pctx, func(pl redis.Pipeliner) error {
				for b := start; b < min(start+20000, to); b += 1000 {
					args := []any{"MSET"}
					for i := b; i < min(b+1000, to); i++ {
						model[i] = fmt.Sprintf("value-%d-%d-%s", i, gen, strings.Repeat("p", 16))
						args = append(args, key(i), model[i])
					}
					pl.Do(pctx, args...)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("MSET: %v", err)
			}
		}
	}
	del := func(from, to int) {
		t.Helper()
		var keys []string
		for i := from; i < to; i++ {
			keys = append(keys, key(i))
			model[i] = ""
		}
		if err := c.Del(pctx, keys...).Err(); err != nil {
			t.Fatalf("DEL: %v", err)
		}
	}
	verify := func() {
		t.Helper()
		want := int64(0)
		for _, v := range model {
			if v != "" {
				want++
			}
		}
		if got := c.DBSize(pctx).Val(); got != want {
			t.Errorf("DBSIZE is %d after the restart, want %d", got, want)
		}
		bad := 0
		for start := 0; start < n; start += 20000 {
			cmds, err := c.Pipelined(pctx, func(pl redis.Pipeliner) error {
				for b := start; b < start+20000; b += 1000 {
					var keys []string
					for i := b; i < b+1000; i++ {
						keys = append(keys, key(i))
					}
					pl.MGet(pctx, keys...)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("MGET: %v", err)
			}
			for ci, cmd := range cmds {
				for j, v := range cmd.(*redis.SliceCmd).Val() {
					i := start + ci*1000 + j
					got, _ := v.(string)
					if got != model[i] {
						if bad++; bad <= 10 {
							t.Errorf("%s is %q after the restart, want %q", key(i), got, model[i])
						}
					}
				}
			}
		}
		if bad > 0 {
			t.Fatalf("%d keys wrong after the restart", bad)
		}
	}

	set(0, n/2, 1)
	if err := c.Save(pctx).Err(); err != nil {
		t.Fatalf("SAVE: %v", err)
	}
	set(n/2, n, 1)
	set(0, n/10, 2)
	del(n/10, n/10+1000)
	caught := 0
	for round, delay := range []time.Duration{0, 5 * time.Millisecond, 15 * time.Millisecond} {
		from := rand.N(n - 5000)
		set(from, from+5000, round+3)
		if err := c.BgSave(pctx).Err(); err != nil {
			t.Fatalf("BGSAVE: %v", err)
		}
		if delay > 0 {
			time.Sleep(delay)
		}
		inProgress := pInfo(t, c)["rdb_bgsave_in_progress"] == "1"
		p.Kill()
		if inProgress {
			caught++
		} else {
			t.Logf("round %d: the snapshot completed before the kill", round)
		}
		p.Restart()
		c = pClient(t, p.Addr, 0)
		verify()
		if tmp, _ := filepath.Glob(filepath.Join(dir, "snapshot-*.sst.tmp")); len(tmp) > 0 {
			t.Errorf("round %d: the interrupted snapshot's files remain after the restart: %v", round, tmp)
		}
	}
	t.Logf("%d of 3 kills interrupted a snapshot in progress", caught)
}

// TestPersistenceSnapshotConsistency checks that a BGSAVE taken while
// clients move money between accounts in MULTI/EXEC is a point-in-time
// image: with no log (appendonly no), the restart loads the snapshot
// alone, and the sum of the balances must be what it always is.
func TestPersistenceSnapshotConsistency(t *testing.T) {
	const accounts, balance, fillers, writers = 100, 1000, 50000, 4
	p := testutil.StartProcess(t, t.TempDir(), "--appendonly", "no", "--save", "")
	c := pClient(t, p.Addr, 0)
	// The accounts are spread among filler keys, so that the snapshot's
	// walk over the keys takes many steps, between which transfers run.
	_, err := c.Pipelined(pctx, func(pl redis.Pipeliner) error {
		for i := range fillers {
			if i%(fillers/accounts) == 0 {
				pl.Set(pctx, fmt.Sprintf("acct:%d", i/(fillers/accounts)), balance, 0)
			}
			pl.Set(pctx, fmt.Sprintf("fill:%d", i), "filler value", 0)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	acctKeys := make([]string, accounts)
	for i := range acctKeys {
		acctKeys[i] = fmt.Sprintf("acct:%d", i)
	}
	for round := range 3 {
		var transfers atomic.Int64
		var wg sync.WaitGroup
		for w := range writers {
			wc := redis.NewClient(&redis.Options{Addr: p.Addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1, PoolSize: 1})
			wg.Go(func() {
				defer wc.Close()
				r := rand.New(rand.NewPCG(uint64(round), uint64(w)))
				for {
					a, b := r.IntN(accounts), r.IntN(accounts-1)
					if b >= a {
						b++
					}
					x := r.Int64N(50) + 1
					_, err := wc.TxPipelined(pctx, func(pl redis.Pipeliner) error {
						pl.DecrBy(pctx, acctKeys[a], x)
						pl.IncrBy(pctx, acctKeys[b], x)
						return nil
					})
					if err != nil {
						return
					}
					transfers.Add(1)
				}
			})
		}
		pWait(t, 30*time.Second, "transfers", func() bool { return transfers.Load() >= 200 })
		saves := pInfo(t, c)["rdb_saves"]
		atStart := transfers.Load()
		if err := c.BgSave(pctx).Err(); err != nil {
			t.Fatalf("BGSAVE: %v", err)
		}
		pWaitBgsave(t, c, saves)
		during := transfers.Load() - atStart
		p.Kill()
		wg.Wait()
		p.Restart()
		c = pClient(t, p.Addr, 0)

		vals, err := c.MGet(pctx, acctKeys...).Result()
		if err != nil {
			t.Fatal(err)
		}
		sum, changed := int64(0), 0
		for i, v := range vals {
			s, ok := v.(string)
			n, err := strconv.ParseInt(s, 10, 64)
			if !ok || err != nil {
				t.Fatalf("round %d: %s is %v after the restart", round, acctKeys[i], v)
			}
			sum += n
			if n != balance {
				changed++
			}
		}
		if sum != accounts*balance {
			t.Errorf("round %d: the balances sum to %d after the restart, want %d: the snapshot is not a point-in-time image",
				round, sum, accounts*balance)
		}
		if changed == 0 {
			t.Errorf("round %d: no balance changed: the snapshot holds none of the transfers before it", round)
		}
		if got := c.DBSize(pctx).Val(); got != accounts+fillers {
			t.Errorf("round %d: DBSIZE is %d after the restart, want %d", round, got, accounts+fillers)
		}
		t.Logf("round %d: %d transfers completed while the snapshot was written", round, during)
	}
}

// skipOrFail skips the test, except in CI, where nothing may silently
// skip.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// startMustFail runs cairn on dir and expects it to exit with an error
// without ever serving: a damaged directory must not be taken for an
// empty one. It returns what cairn wrote to standard error.
func startMustFail(t *testing.T, dir string, args ...string) string {
	t.Helper()
	port := strconv.Itoa(testutil.FreePort(t))
	cmd := exec.Command(testutil.BuildCairn(t), append([]string{"--port", port, "--dir", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	addr := "127.0.0.1:" + port
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-done:
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("cairn exited with %v on a damaged directory, want an error\n%s", err, stderr.String())
			}
			for _, line := range strings.Split(stderr.String(), "\n") {
				if strings.Contains(line, "level=ERROR") {
					t.Logf("cairn: %s", line)
				}
			}
			return stderr.String()
		default:
		}
		reply := rawCommand(addr, "PING")
		if reply == "+PONG" || time.Now().After(deadline) {
			keys := rawCommand(addr, "DBSIZE")
			cmd.Process.Kill()
			<-done
			t.Fatalf("cairn started on a damaged directory (PING: %q, DBSIZE: %q)\n%s", reply, keys, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rawCommand sends a command without arguments to addr and returns the
// first line of the reply, "" if there is none.
func rawCommand(addr, name string) string {
	nc, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
	if err != nil {
		return ""
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(time.Second))
	if _, err := fmt.Fprintf(nc, "*1\r\n$%d\r\n%s\r\n", len(name), name); err != nil {
		return ""
	}
	line, _ := bufio.NewReader(nc).ReadString('\n')
	return strings.TrimRight(line, "\r\n")
}

// cairnCheck runs `cairn check` with args and returns its exit code and
// output.
func cairnCheck(t *testing.T, args ...string) (int, string) {
	t.Helper()
	out, err := exec.Command(testutil.BuildCairn(t), append([]string{"check"}, args...)...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	t.Fatalf("cairn check: %v\n%s", err, out)
	return 0, ""
}

// wantContains fails the test unless text contains every one of subs.
func wantContains(t *testing.T, what, text string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("%s does not contain %q:\n%s", what, s, text)
		}
	}
}

// snapshotDir writes keys random values, too random to compress, then a
// snapshot, and stops. It returns the directory and the values.
func snapshotDir(t *testing.T, keys int) (string, [][]byte) {
	t.Helper()
	dir := t.TempDir()
	p := testutil.StartPersistent(t, dir, func(c *config.Config) { c.Save = nil })
	c := pClient(t, p.Addr, 0)
	r := rand.NewChaCha8([32]byte{1})
	values := make([][]byte, keys)
	_, err := c.Pipelined(pctx, func(pl redis.Pipeliner) error {
		for i := range keys {
			values[i] = make([]byte, 500)
			r.Read(values[i])
			pl.Set(pctx, fmt.Sprintf("key:%d", i), values[i], 0)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Save(pctx).Err(); err != nil {
		t.Fatalf("SAVE: %v", err)
	}
	p.Stop(t)
	if code, out := cairnCheck(t, dir); code != 0 {
		t.Fatalf("cairn check on the sound directory exited %d:\n%s", code, out)
	}
	return dir, values
}

// globOne returns the files of dir matching pattern, failing if none.
func globOne(t *testing.T, dir, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s in %s (%v)", pattern, dir, err)
	}
	return files
}

// TestPersistenceTornLogTail kills cairn, then cuts the last bytes of
// Pebble's newest write-ahead log, as a crash in the middle of a write
// leaves it: cairn must start, dropping the torn record, with everything
// before it.
func TestPersistenceTornLogTail(t *testing.T) {
	const n = 300
	dir := t.TempDir()
	p := testutil.StartProcess(t, dir, "--appendfsync", "always", "--save", "")
	c := pClient(t, p.Addr, 0)
	key := func(i int) string { return fmt.Sprintf("torn:%03d", i) }
	for i := range n {
		if err := c.Set(pctx, key(i), strings.Repeat(strconv.Itoa(i%10), 100), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	p.Kill()
	wals := globOne(t, dir, "*.log")
	slices.Sort(wals)
	wal := wals[len(wals)-1]
	fi, err := os.Stat(wal)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(wal, fi.Size()-5); err != nil {
		t.Fatal(err)
	}

	p.Restart()
	c = pClient(t, p.Addr, 0)
	found := 0
	for i := range n {
		v, err := c.Get(pctx, key(i)).Result()
		switch {
		case err == nil && v == strings.Repeat(strconv.Itoa(i%10), 100) && found == i:
			found++
		case errors.Is(err, redis.Nil):
		default:
			t.Errorf("%s: %q, %v (the keys present should be torn:000 to torn:%03d)", key(i), v, err, found-1)
		}
	}
	t.Logf("%d of %d writes kept", found, n)
	if found < n-10 || found == n {
		t.Errorf("%d of %d writes kept after cutting the log's last record", found, n)
	}
	// The server goes on from there.
	if err := c.Set(pctx, "after", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	p.Stop()
	p.Restart()
	c = pClient(t, p.Addr, 0)
	if got := c.DBSize(pctx).Val(); got != int64(found+1) {
		t.Errorf("DBSIZE is %d after another restart, want %d", got, found+1)
	}
	if v := c.Get(pctx, "after").Val(); v != "v" {
		t.Errorf("the write after the recovery is %q after another restart", v)
	}
}

// TestPersistenceCorruptSnapshot damages the table files of a directory
// holding a snapshot: cairn must refuse to start, saying why, and `cairn
// check` must report it. Damage to a block of snapshot chunks is found
// when the snapshot is loaded; damage in the middle of every table may
// hit the metadata too, and be found when the directory is opened.
func TestPersistenceCorruptSnapshot(t *testing.T) {
	tests := []struct {
		name string
		// damage damages dir, whose keys were given values.
		damage    func(t *testing.T, dir string, values [][]byte)
		wantStart []string
	}{
		{"a snapshot chunk", func(t *testing.T, dir string, values [][]byte) {
			// Wherever the value is stored: in the snapshot's chunk, and
			// in the log record it covers, if that is not compacted away.
			if flipValue(t, dir, values[len(values)/2]) == 0 {
				t.Fatal("the value is in no table")
			}
		}, []string{"cannot load", "snapshot", "checksum mismatch", "cairn check"}},
		{"every table", func(t *testing.T, dir string, _ [][]byte) {
			for _, f := range globOne(t, dir, "*.sst") {
				b := readFile(t, f)
				for i := len(b) / 2; i < len(b)/2+64 && i < len(b); i++ {
					b[i] ^= 0xa5
				}
				writeFile(t, f, b)
			}
		}, []string{"checksum mismatch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, values := snapshotDir(t, 2000)
			tt.damage(t, dir, values)
			wantContains(t, "cairn's error", startMustFail(t, dir), tt.wantStart...)
			code, out := cairnCheck(t, dir)
			if code != 1 {
				t.Errorf("cairn check exited %d on a corrupt snapshot, want 1", code)
			}
			wantContains(t, "cairn check's report", out, "checksum mismatch")
		})
	}
}

// flipValue flips bytes of every copy of value in the table files of
// dir, and returns how many it found.
func flipValue(t *testing.T, dir string, value []byte) int {
	t.Helper()
	found := 0
	for _, f := range globOne(t, dir, "*.sst") {
		b := readFile(t, f)
		for i := bytes.Index(b, value); i >= 0; i = bytes.Index(b, value) {
			for j := i; j < i+16; j++ {
				b[j] ^= 0xa5
			}
			found++
		}
		writeFile(t, f, b)
	}
	return found
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPersistenceMissingFile deletes one of Pebble's files: cairn must
// refuse to start rather than start empty, and `cairn check` must fail.
func TestPersistenceMissingFile(t *testing.T) {
	tests := []struct {
		name, pattern string
		// want is part of the error cairn reports.
		want string
	}{
		{"table", "*.sst", "file does not exist"},
		{"MANIFEST", "MANIFEST-*", "MANIFEST"},
		{"CURRENT", "CURRENT", "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _ := snapshotDir(t, 1000)
			for _, f := range globOne(t, dir, tt.pattern) {
				if err := os.Remove(f); err != nil {
					t.Fatal(err)
				}
			}
			stderr := startMustFail(t, dir)
			wantContains(t, "cairn's error", stderr, tt.want)
			if code, out := cairnCheck(t, dir); code != 1 {
				t.Errorf("cairn check exited %d, want 1:\n%s", code, out)
			}
		})
	}
}

// discardLogger silences Pebble when the tests open a directory.
type discardLogger struct{}

func (discardLogger) Infof(string, ...any)  {}
func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

// openPebble opens a stopped cairn's directory directly.
func openPebble(t *testing.T, dir string) *pebble.DB {
	t.Helper()
	db, err := pebble.Open(dir, &pebble.Options{Logger: discardLogger{}, ErrorIfNotExists: true})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestPersistenceNewerFormat gives a directory a format version newer
// than cairn's: it must refuse it, naming the version.
func TestPersistenceNewerFormat(t *testing.T) {
	dir := t.TempDir()
	p := testutil.StartPersistent(t, dir, nil)
	if err := pClient(t, p.Addr, 0).Set(pctx, "a", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	p.Stop(t)
	db := openPebble(t, dir)
	newer := uint64(persistence.FormatVersion + 1)
	if err := db.Set([]byte("mversion"), binary.AppendUvarint(nil, newer), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("format version %d", newer)
	wantContains(t, "cairn's error", startMustFail(t, dir), want)
	code, out := cairnCheck(t, dir)
	if code != 1 {
		t.Errorf("cairn check exited %d, want 1", code)
	}
	wantContains(t, "cairn check's report", out, want)
}

// TestPersistenceCheckFix damages one log record in the middle of the
// log: cairn refuses to start and `cairn check` reports the record;
// `cairn check --fix` truncates the log there, and cairn then starts with
// the writes before it.
func TestPersistenceCheckFix(t *testing.T) {
	const n = 100
	dir := t.TempDir()
	edit := func(c *config.Config) { c.Save = nil }
	p := testutil.StartPersistent(t, dir, edit)
	c := pClient(t, p.Addr, 0)
	key := func(i int) string { return fmt.Sprintf("fix:%02d", i) }
	for i := range n {
		if err := c.Set(pctx, key(i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	p.Stop(t)
	if code, out := cairnCheck(t, dir); code != 0 {
		t.Fatalf("cairn check on the sound directory exited %d:\n%s", code, out)
	}

	// Find the record that writes fix:50 and replace it with garbage.
	db := openPebble(t, dir)
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte{'l'}, UpperBound: []byte{'m'}})
	if err != nil {
		t.Fatal(err)
	}
	var bad []byte
	for valid := it.First(); valid && bad == nil; valid = it.Next() {
		effects, err := persistence.DecodeRecord(it.Value())
		if err != nil {
			t.Fatalf("record %x: %v", it.Key(), err)
		}
		for _, e := range effects {
			if len(e.Args) > 1 && string(e.Args[1]) == key(n/2) {
				bad = slices.Clone(it.Key())
			}
		}
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if bad == nil {
		t.Fatalf("no log record writes %s", key(n/2))
	}
	seq := binary.BigEndian.Uint64(bad[1:])
	if err := db.Set(bad, []byte{0xff, 0xff, 0xff}, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	wantRecord := fmt.Sprintf("log record %d is corrupt", seq)
	wantContains(t, "cairn's error", startMustFail(t, dir), wantRecord, "cairn check --fix")
	code, out := cairnCheck(t, dir)
	if code != 1 {
		t.Errorf("cairn check exited %d on a corrupt log, want 1", code)
	}
	wantContains(t, "cairn check's report", out, wantRecord)
	code, out = cairnCheck(t, "--fix", dir)
	if code != 0 {
		t.Errorf("cairn check --fix exited %d, want 0", code)
	}
	wantContains(t, "cairn check --fix's report", out, fmt.Sprintf("truncated before record %d (%d records dropped)", seq, n/2))
	if code, out := cairnCheck(t, dir); code != 0 {
		t.Errorf("cairn check after --fix exited %d, want 0:\n%s", code, out)
	}

	p = testutil.StartPersistent(t, dir, edit)
	c = pClient(t, p.Addr, 0)
	for i := range n {
		v, err := c.Get(pctx, key(i)).Result()
		if i < n/2 && v != strconv.Itoa(i) || i >= n/2 && !errors.Is(err, redis.Nil) {
			t.Errorf("%s is %q (%v) after the fix", key(i), v, err)
		}
	}
}

// mountTmpfs mounts a tmpfs of size bytes on a new directory, or skips
// the test (fails it in CI) if that cannot be done.
func mountTmpfs(t *testing.T, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(t, "mounting a tmpfs needs root")
	}
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		skipOrFail(t, "cannot mount a tmpfs: %v", err)
	}
	// Registered before the process starts: runs after it is killed.
	t.Cleanup(func() {
		if err := unix.Unmount(mnt, 0); err != nil {
			t.Errorf("unmounting %s: %v", mnt, err)
		}
	})
	return mnt
}

// diskFaultWrites writes until writes are refused with MISCONF, recording
// those acknowledged in acked, then checks that reads still work.
func diskFaultWrites(t *testing.T, c *redis.Client, acked map[string]string) {
	t.Helper()
	i := 0
	defer func() { t.Logf("%d writes acknowledged before the fault was noticed", i-1) }()
	pWait(t, 10*time.Second, "writes to be refused with MISCONF", func() bool {
		k, v := fmt.Sprintf("during:%d", i), strconv.Itoa(i)
		i++
		err := c.Set(pctx, k, v, 0).Err()
		switch {
		case err == nil:
			// Taken before the fault was noticed: it must not be lost.
			acked[k] = v
			return false
		case isMisconf(err):
			return true
		}
		t.Fatalf("SET %s: %v, want OK or MISCONF", k, err)
		return false
	})
	for _, write := range []func() error{
		func() error { return c.Incr(pctx, "counter").Err() },
		func() error { return c.Del(pctx, "key:0").Err() },
		func() error { return c.Eval(pctx, "return redis.call('SET', KEYS[1], 'x')", []string{"script"}).Err() },
	} {
		if err := write(); !isMisconf(err) {
			t.Errorf("a write got %v during the disk fault, want MISCONF", err)
		}
	}
	if v, err := c.Get(pctx, "key:0").Result(); err != nil || v != acked["key:0"] {
		t.Errorf("GET during the disk fault: %q, %v", v, err)
	}
	if got := pInfo(t, c)["aof_last_write_status"]; got != "err" {
		t.Errorf("aof_last_write_status:%s during the disk fault, want err", got)
	}
}

// diskRecovers waits until writes are accepted again after the fault is
// gone.
func diskRecovers(t *testing.T, c *redis.Client, acked map[string]string) {
	t.Helper()
	pWait(t, 10*time.Second, "writes to be accepted again", func() bool {
		err := c.Set(pctx, "after", "v", 0).Err()
		if err != nil && !isMisconf(err) {
			t.Fatalf("SET after the disk fault: %v", err)
		}
		return err == nil
	})
	acked["after"] = "v"
	pWait(t, 10*time.Second, "aof_last_write_status:ok", func() bool { return pInfo(t, c)["aof_last_write_status"] == "ok" })
}

func writeKeys(t *testing.T, c *redis.Client, acked map[string]string, n int) {
	t.Helper()
	for i := range n {
		k, v := fmt.Sprintf("key:%d", i), strings.Repeat("v", i)
		if err := c.Set(pctx, k, v, 0).Err(); err != nil {
			t.Fatal(err)
		}
		acked[k] = v
	}
}

func checkKeys(t *testing.T, c *redis.Client, acked map[string]string) {
	t.Helper()
	for k, v := range acked {
		if got, err := c.Get(pctx, k).Result(); got != v {
			t.Errorf("%s is %q (%v) after the restart, want %q", k, got, err, v)
		}
	}
	if got := c.DBSize(pctx).Val(); got != int64(len(acked)) {
		t.Errorf("DBSIZE is %d after the restart, want %d", got, len(acked))
	}
}

// TestPersistenceDiskFull fills the data directory's filesystem: writes
// must be refused with MISCONF while reads go on, accepted again once
// there is room, and nothing acknowledged may be lost.
func TestPersistenceDiskFull(t *testing.T) {
	mnt := mountTmpfs(t, 300<<20)
	p := testutil.StartProcess(t, filepath.Join(mnt, "data"), "--save", "")
	c := pClient(t, p.Addr, 0)
	acked := map[string]string{}
	writeKeys(t, c, acked, 100)

	var st unix.Statfs_t
	if err := unix.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(mnt, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * st.Bsize
	if err := unix.Fallocate(int(f.Fd()), 0, 0, free-16<<20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	diskFaultWrites(t, c, acked)

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	diskRecovers(t, c, acked)
	p.Stop()
	p.Restart()
	checkKeys(t, pClient(t, p.Addr, 0), acked)
}

// TestPersistenceReadOnlyDir makes the data directory unwritable for
// cairn, run as an unprivileged user (root writes anywhere): writes must
// be refused with MISCONF until the permission is back.
func TestPersistenceReadOnlyDir(t *testing.T) {
	const nobody = 65534
	if os.Geteuid() != 0 {
		skipOrFail(t, "running cairn as another user needs root")
	}
	base, err := os.MkdirTemp("", "cairn-readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	bin := filepath.Join(base, "cairn")
	src, err := os.ReadFile(testutil.BuildCairn(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "data")
	for _, err := range []error{
		os.Chmod(base, 0o755), os.WriteFile(bin, src, 0o755), os.Mkdir(dir, 0o755), os.Chown(dir, nobody, nobody),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	port := strconv.Itoa(testutil.FreePort(t))
	cmd := exec.Command(bin, "--port", port, "--dir", dir, "--save", "")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		skipOrFail(t, "cannot run cairn as user %d: %v", nobody, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	addr := "127.0.0.1:" + port
	testutil.WaitForPing(t, addr)
	c := pClient(t, addr, 0)
	acked := map[string]string{}
	writeKeys(t, c, acked, 100)

	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	diskFaultWrites(t, c, acked)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	diskRecovers(t, c, acked)
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("cairn exited with %v after SIGTERM\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("cairn did not exit after SIGTERM")
	}
	exited <- nil // for the cleanup
	p := testutil.StartProcess(t, dir, "--save", "")
	checkKeys(t, pClient(t, p.Addr, 0), acked)
}

// TestPersistenceShutdown checks SHUTDOWN's variants: with save rules it
// snapshots, NOSAVE does not but the log keeps the data, and without
// either the data is gone, as from Redis.
func TestPersistenceShutdown(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		shutdown []any
		// kept says whether the data survives; snapshot whether SHUTDOWN
		// takes one.
		kept, snapshot bool
	}{
		{"default save rules, no log", []string{"--appendonly", "no"}, []any{"SHUTDOWN"}, true, true},
		{"NOSAVE with the log", nil, []any{"SHUTDOWN", "NOSAVE"}, true, false},
		{"default save rules and the log", nil, []any{"SHUTDOWN"}, true, true},
		{"SAVE without rules or log", []string{"--appendonly", "no", "--save", ""}, []any{"SHUTDOWN", "SAVE"}, true, true},
		{"NOSAVE without the log", []string{"--appendonly", "no"}, []any{"SHUTDOWN", "NOSAVE"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testutil.StartProcess(t, t.TempDir(), tt.args...)
			s := newSession(t, p.Addr)
			s.do("SET", "str", "v")
			s.do("HSET", "hash", "a", "1", "b", "2")
			s.do("RPUSH", "list", "x", "y")
			s.do("SET", "ttl", "v", "EX", 1000)
			s.do("SELECT", 5)
			s.do("SADD", "set", 1, 2, 3)
			before := dumpKeyspace(t, p.Addr, 16)
			err := s.c.Do(pctx, tt.shutdown...).Err()
			var rerr redis.Error
			if err == nil || errors.As(err, &rerr) {
				t.Fatalf("%v replied %v; want the connection closed", tt.shutdown, err)
			}
			if err := p.Wait(); err != nil {
				t.Fatalf("cairn exited with %v after %v\n%s", err, tt.shutdown, p.Log.String())
			}
			if saved := strings.Contains(p.Log.String(), "snapshot saved"); saved != tt.snapshot {
				t.Errorf("snapshot taken: %v, want %v\n%s", saved, tt.snapshot, p.Log.String())
			}
			p.Restart()
			after := dumpKeyspace(t, p.Addr, 16)
			if tt.kept {
				compareKeyspaces(t, before, after, time.Now().UnixMilli())
			} else if len(after) != 0 {
				t.Errorf("%d keys after the restart, want none", len(after))
			}
		})
	}
}
