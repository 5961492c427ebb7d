package integration

// Redis's serialization format against redis-server: DUMP in one server
// and RESTORE in the other, both ways, for every type and encoding; and
// whole dump.rdb files through `cairn import-rdb` and `cairn export-rdb`.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/internal/testutil"
)

// rdbFixture returns the commands that fill a database with a key of
// every type in each encoding.
func rdbFixture() [][]any {
	seq := func(cmd []any, n int, f func(i int) []any) []any {
		for i := range n {
			cmd = append(cmd, f(i)...)
		}
		return cmd
	}
	return [][]any{
		{"SET", "str:int", "12345"},
		{"SET", "str:int64", "-9223372036854775808"},
		{"SET", "str:embstr", "hello world"},
		{"SET", "str:raw", strings.Repeat("raw text ", 10)},
		{"SET", "str:lzf", strings.Repeat("ab", 1000)},
		{"SET", "str:binary", "\x00\xff\r\n\x01" + strings.Repeat("\x00", 30)},
		{"SET", "str:appended", "1"},
		{"APPEND", "str:appended", "2"},
		{"RPUSH", "list:small", "a", "1", "-70000", "", strings.Repeat("x", 100)},
		seq([]any{"RPUSH", "list:large"}, 3000, func(i int) []any { return []any{fmt.Sprint(i * 7)} }),
		seq([]any{"RPUSH", "list:big"}, 30, func(i int) []any { return []any{strings.Repeat(fmt.Sprint(i), 700)} }),
		{"SADD", "set:intset", "5", "-3", "100", "0"},
		{"SADD", "set:intset64", "5", "9000000000", "-9000000000"},
		{"SADD", "set:hashtable", "a", "b", "1", strings.Repeat("c", 30)},
		seq([]any{"SADD", "set:large"}, 600, func(i int) []any { return []any{fmt.Sprint(i)} }),
		{"HSET", "hash:listpack", "f", "v", "n", "12", "neg", "-70000", "12", "twelve"},
		{"HSET", "hash:long", "f", strings.Repeat("v", 65)},
		seq([]any{"HSET", "hash:large"}, 600, func(i int) []any { return []any{fmt.Sprint("f", i), fmt.Sprint(i)} }),
		{"ZADD", "zset:listpack", "1.5", "a", "1", "b", "0.1", "c", "3e20", "d", "inf", "e", "-inf", "f", "-12", "12"},
		seq([]any{"ZADD", "zset:skiplist"}, 200, func(i int) []any { return []any{fmt.Sprint(float64(i) / 3), fmt.Sprint("m", i)} }),
		{"ZADD", "zset:long", "1", strings.Repeat("m", 65), "2", "x"},
	}
}

// runAll runs cmds on c.
func runAll(t *testing.T, c *redis.Client, cmds [][]any) {
	t.Helper()
	for _, cmd := range cmds {
		if err := c.Do(pctx, cmd...).Err(); err != nil {
			t.Fatalf("%v: %v", cmd[:2], err)
		}
	}
}

// describe renders a key's type, encoding and contents, unordered
// collections sorted.
func describe(t *testing.T, c *redis.Client, key string) string {
	t.Helper()
	typ := c.Type(pctx, key).Val()
	enc := c.ObjectEncoding(pctx, key).Val()
	var contents any
	switch typ {
	case "string":
		contents = c.Get(pctx, key).Val()
	case "list":
		contents = c.LRange(pctx, key, 0, -1).Val()
	case "set":
		m := c.SMembers(pctx, key).Val()
		slices.Sort(m)
		contents = m
	case "hash":
		var pairs []string
		for f, v := range c.HGetAll(pctx, key).Val() {
			pairs = append(pairs, f+"="+v)
		}
		slices.Sort(pairs)
		contents = pairs
	case "zset":
		contents = c.ZRangeWithScores(pctx, key, 0, -1).Val()
	}
	return fmt.Sprintf("%s %s %q", typ, enc, fmt.Sprint(contents))
}

// keysOf returns the keys of c's database, sorted.
func keysOf(t *testing.T, c *redis.Client) []string {
	t.Helper()
	keys := c.Keys(pctx, "*").Val()
	slices.Sort(keys)
	return keys
}

// TestDumpRestoreBothWays dumps every key of the fixture from one server
// and restores it in the other, both ways, and compares the keys.
func TestDumpRestoreBothWays(t *testing.T) {
	redisAddr := testutil.StartRedis(t)
	cairnAddr := testutil.StartCairn(t, nil).Addr
	for _, dir := range []struct{ name, from, to string }{
		{"redis to cairn", redisAddr, cairnAddr},
		{"cairn to redis", cairnAddr, redisAddr},
	} {
		t.Run(dir.name, func(t *testing.T) {
			from, to := pClient(t, dir.from, 0), pClient(t, dir.to, 0)
			from.FlushAll(pctx)
			to.FlushAll(pctx)
			runAll(t, from, rdbFixture())
			keys := keysOf(t, from)
			for _, k := range keys {
				payload, err := from.Dump(pctx, k).Result()
				if err != nil {
					t.Fatalf("DUMP %s: %v", k, err)
				}
				if err := to.Restore(pctx, k, 0, payload).Err(); err != nil {
					t.Errorf("RESTORE %s: %v", k, err)
					continue
				}
				// Compared with the source server's own restore of the
				// payload: a restored value's encoding may differ from the
				// original's (an appended string becomes "int").
				twin := k + ":restored"
				if err := from.Restore(pctx, twin, 0, payload).Err(); err != nil {
					t.Fatalf("RESTORE %s in the source: %v", k, err)
				}
				if got, want := describe(t, to, k), describe(t, from, twin); got != want {
					t.Errorf("%s restored as\n%s\nwas\n%s", k, got, want)
				}
			}
		})
	}
}
