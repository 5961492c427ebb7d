package rdb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/rdb"
)

// redisCase builds key k in redis-server with cmds. exact says whether
// Redis's DUMP is deterministic for it, so cairn's must equal it byte for
// byte; otherwise the two must restore to the same contents.
type redisCase struct {
	name  string
	cmds  [][]any
	exact bool
	// lim edits the limits cairn restores with, to match a CONFIG SET in
	// cmds.
	lim func(*datatypes.Limits)
}

func repeat(s string, n int) string { return strings.Repeat(s, n) }

// seq returns "prefix0", "prefix1", ... as command arguments.
func seq(cmd []any, n int, f func(i int) []any) []any {
	for i := range n {
		cmd = append(cmd, f(i)...)
	}
	return cmd
}

func redisCases() []redisCase {
	str := func(name, v string) redisCase {
		return redisCase{name: name, cmds: [][]any{{"SET", "k", v}}, exact: true}
	}
	return []redisCase{
		str("empty", ""),
		str("short", "a"),
		str("int8", "-128"),
		str("int16", "30000"),
		str("int32", "-2000000000"),
		str("int64", "9223372036854775807"),
		str("eleven digits", "12345678901"),
		str("leading zero", "0123"),
		str("plus", "+1"),
		str("20 bytes", repeat("a", 20)),
		str("21 bytes compressible", repeat("a", 21)),
		str("incompressible", "the quick brown fox jumps over the lazy dog"),
		str("long text", repeat("lorem ipsum dolor sit amet, ", 200)),
		str("binary", "\x00\x01\x02\xff\xfe"+repeat("\x00", 40)+"end"),
		{name: "appended", cmds: [][]any{{"SET", "k", "12"}, {"APPEND", "k", "34"}}, exact: true},
		{name: "list small", cmds: [][]any{{"RPUSH", "k", "a", "1", "-1", "200", "-4000", "70000", "-9000000", "3000000000", "9223372036854775807", "", repeat("x", 100)}}, exact: true},
		{name: "list many", cmds: [][]any{seq([]any{"RPUSH", "k"}, 3000, func(i int) []any { return []any{fmt.Sprint(i * 7)} })}, exact: true},
		{name: "list big elements", cmds: [][]any{seq([]any{"RPUSH", "k"}, 40, func(i int) []any { return []any{repeat(fmt.Sprint(i), 500)} })}, exact: true},
		{name: "list huge elements", cmds: [][]any{seq([]any{"RPUSH", "k"}, 5, func(i int) []any { return []any{repeat(fmt.Sprint(i), 9000)} })}, exact: true},
		{name: "list lpush", cmds: [][]any{seq([]any{"LPUSH", "k"}, 10, func(i int) []any { return []any{fmt.Sprint("e", i)} })}, exact: true},
		{name: "list fill 5", cmds: [][]any{{"CONFIG", "SET", "list-max-listpack-size", "5"}, seq([]any{"RPUSH", "k"}, 23, func(i int) []any { return []any{fmt.Sprint(i)} }), {"CONFIG", "SET", "list-max-listpack-size", "-2"}},
			exact: true, lim: func(l *datatypes.Limits) { l.ListMaxListpackSize = 5 }},
		{name: "list fill -1", cmds: [][]any{{"CONFIG", "SET", "list-max-listpack-size", "-1"}, seq([]any{"RPUSH", "k"}, 500, func(i int) []any { return []any{repeat("v", i%50)} }), {"CONFIG", "SET", "list-max-listpack-size", "-2"}},
			exact: true, lim: func(l *datatypes.Limits) { l.ListMaxListpackSize = -1 }},
		{name: "intset", cmds: [][]any{{"SADD", "k", "5", "-3", "100", "0"}}, exact: true},
		{name: "intset wide", cmds: [][]any{{"SADD", "k", "5", "-3", "100000", "9000000000"}}, exact: true},
		{name: "intset many", cmds: [][]any{seq([]any{"SADD", "k"}, 500, func(i int) []any { return []any{fmt.Sprint(i * 1000)} })}, exact: true},
		{name: "set hashtable", cmds: [][]any{{"SADD", "k", "a", "b", "1", repeat("c", 30)}}},
		{name: "set over intset limit", cmds: [][]any{seq([]any{"SADD", "k"}, 600, func(i int) []any { return []any{fmt.Sprint(i)} })}},
		{name: "hash listpack", cmds: [][]any{{"HSET", "k", "f", "v", "n", "12", "neg", "-70000", "long", repeat("y", 60), "12", repeat("z", 30)}}, exact: true},
		{name: "hash listpack updated", cmds: [][]any{{"HSET", "k", "a", "1", "b", "2", "c", "3"}, {"HSET", "k", "a", "x"}, {"HDEL", "k", "b"}, {"HINCRBY", "k", "c", "100"}}, exact: true},
		{name: "hash hashtable", cmds: [][]any{{"HSET", "k", "f", repeat("v", 65)}}},
		{name: "hash many", cmds: [][]any{seq([]any{"HSET", "k"}, 600, func(i int) []any { return []any{fmt.Sprint("f", i), fmt.Sprint(i)} })}},
		{name: "zset listpack", cmds: [][]any{{"ZADD", "k", "1.5", "a", "1", "b", "0.1", "c", "3e20", "d", "-0.0", "e", "inf", "f", "-inf", "g", "-12", "h", "4503599627370496", "i", "123456.789", "12"}}, exact: true},
		{name: "zset skiplist", cmds: [][]any{seq([]any{"ZADD", "k"}, 200, func(i int) []any { return []any{fmt.Sprint(float64(i) / 3), fmt.Sprint("m", i)} })}, exact: true},
		{name: "zset long member", cmds: [][]any{{"ZADD", "k", "1", repeat("m", 65), "2", "x", "-inf", "y"}}, exact: true},
	}
}

func TestDumpAgainstRedis(t *testing.T) {
	addr := testutil.StartRedis(t, "--enable-debug-command", "yes")
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	defer c.Close()
	var enc rdb.Encoder
	for _, tc := range redisCases() {
		t.Run(tc.name, func(t *testing.T) {
			c.FlushAll(ctx)
			for _, cmd := range tc.cmds {
				if err := c.Do(ctx, cmd...).Err(); err != nil {
					t.Fatalf("%v: %v", cmd[:2], err)
				}
			}
			payload, err := c.Dump(ctx, "k").Result()
			if err != nil {
				t.Fatal(err)
			}
			lim := datatypes.DefaultLimits()
			if tc.lim != nil {
				tc.lim(&lim)
			}
			v, err := rdb.Restore([]byte(payload), lim)
			if err != nil {
				t.Fatalf("restoring Redis's payload: %v", err)
			}
			// Loaded, the value takes the encoding Redis gives it on RESTORE.
			if err := c.Restore(ctx, "k0", 0, payload).Err(); err != nil {
				t.Fatal(err)
			}
			encoding, _ := c.ObjectEncoding(ctx, "k0").Result()
			if got := v.Encoding(); got != encoding {
				t.Errorf("encoding %q, Redis restores %q", got, encoding)
			}
			ours := enc.Dump(v)
			if tc.exact && string(ours) != payload {
				t.Errorf("DUMP differs:\ncairn %q\nRedis %q", ours, payload)
			}
			// Redis restores cairn's payload to the same contents.
			if err := c.Restore(ctx, "k2", 0, string(ours)).Err(); err != nil {
				t.Fatalf("Redis refuses cairn's payload: %v", err)
			}
			d1, _ := c.Do(ctx, "DEBUG", "DIGEST-VALUE", "k").Result()
			d2, _ := c.Do(ctx, "DEBUG", "DIGEST-VALUE", "k2").Result()
			if fmt.Sprint(d1) != fmt.Sprint(d2) {
				t.Errorf("contents differ after the round trip: %v, %v", d1, d2)
			}
		})
	}
}
