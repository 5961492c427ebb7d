package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/internal/testutil"
)

// TestGoRedisSortedSets drives go-redis's sorted set API, in RESP2 and
// RESP3 (its default), plain and in pipelines that mix sorted sets with
// other types, against cairn and redis-server, and compares what the
// client decoded.
func TestGoRedisSortedSets(t *testing.T) {
	redisAddr := testutil.StartRedis(t)
	cairnAddr := testutil.StartCairn(t, nil).Addr
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			want := goRedisZSetSession(t, redisAddr, proto)
			got := goRedisZSetSession(t, cairnAddr, proto)
			for i := range max(len(got), len(want)) {
				var g, w string
				if i < len(got) {
					g = got[i]
				}
				if i < len(want) {
					w = want[i]
				}
				if g != w {
					t.Errorf("step %d: cairn %s\n\tredis %s", i, g, w)
				}
			}
		})
	}
}

// goRedisZSetSession runs the session against addr and returns what each
// command returned, rendered.
func goRedisZSetSession(t *testing.T, addr string, proto int) []string {
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DisableIdentity: true})
	defer c.Close()
	var out []string
	rec := func(cmds ...redis.Cmder) {
		for _, cmd := range cmds {
			out = append(out, fmt.Sprintf("%v", cmd))
		}
	}
	if err := c.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	rec(c.ZAdd(ctx, "z", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2.5, Member: "b"}, redis.Z{Score: -1, Member: "c"}))
	rec(c.ZAddArgs(ctx, "z", redis.ZAddArgs{GT: true, Ch: true, Members: []redis.Z{{Score: 3, Member: "a"}, {Score: 0, Member: "b"}}}))
	rec(c.ZAddArgsIncr(ctx, "z", redis.ZAddArgs{Members: []redis.Z{{Score: 0.25, Member: "c"}}}))
	rec(c.ZIncrBy(ctx, "z", 10, "d"))
	rec(c.ZScore(ctx, "z", "a"), c.ZScore(ctx, "z", "nobody"), c.ZMScore(ctx, "z", "a", "nobody", "c"))
	rec(c.ZRangeWithScores(ctx, "z", 0, -1), c.ZRevRange(ctx, "z", 0, 1))
	rec(c.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{Key: "z", Start: "(0", Stop: "+inf", ByScore: true, Offset: 1, Count: 2}))
	rec(c.ZRangeByScore(ctx, "z", &redis.ZRangeBy{Min: "-inf", Max: "3"}))
	rec(c.ZRangeStore(ctx, "dst", redis.ZRangeArgs{Key: "z", Start: 0, Stop: 1, Rev: true}))
	rec(c.ZCard(ctx, "z"), c.ZCount(ctx, "z", "0", "5"), c.ZRank(ctx, "z", "d"), c.ZRevRank(ctx, "z", "d"))
	rec(c.ZAdd(ctx, "lex", redis.Z{Member: "a"}, redis.Z{Member: "b"}, redis.Z{Member: "c"}))
	rec(c.ZRangeByLex(ctx, "lex", &redis.ZRangeBy{Min: "[b", Max: "+"}), c.ZLexCount(ctx, "lex", "-", "(c"))
	rec(c.ZUnionWithScores(ctx, redis.ZStore{Keys: []string{"z", "lex"}, Weights: []float64{2, 1}}))
	rec(c.ZInterStore(ctx, "inter", &redis.ZStore{Keys: []string{"z", "dst"}, Aggregate: "MAX"}))
	rec(c.ZDiffWithScores(ctx, "z", "dst"), c.ZInterCard(ctx, 0, "z", "dst"))
	rec(c.ZPopMin(ctx, "z"), c.ZPopMax(ctx, "z", 2))
	rec(c.ZMPop(ctx, "min", 5, "nokey", "lex"))
	rec(c.BZPopMin(ctx, time.Second, "nokey", "inter"), c.BZPopMax(ctx, 50*time.Millisecond, "nokey"))
	rec(c.ZAdd(ctx, "m", redis.Z{Score: 1, Member: "x"}))
	rec(c.BZMPop(ctx, time.Second, "max", 3, "m"))
	rec(c.ZRandMemberWithScores(ctx, "dst", 10))
	rec(c.ZScan(ctx, "dst", 0, "*", 10))
	rec(c.ZRemRangeByRank(ctx, "dst", 0, 0), c.ZRem(ctx, "dst", "nothing"), c.Exists(ctx, "dst"))

	// Pipelines, plain and transactional, mixing types.
	for _, tx := range []bool{false, true} {
		fn := c.Pipelined
		if tx {
			fn = c.TxPipelined
		}
		cmds, err := fn(ctx, func(p redis.Pipeliner) error {
			p.ZAdd(ctx, "pz", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"})
			p.RPush(ctx, "pl", "x")
			p.ZIncrBy(ctx, "pz", 5, "a")
			p.HSet(ctx, "ph", "f", "v")
			p.ZRangeWithScores(ctx, "pz", 0, -1)
			p.ZPopMin(ctx, "pz")
			p.Set(ctx, "ps", "v", 0)
			p.ZAdd(ctx, "ps", redis.Z{Score: 1, Member: "a"})
			p.Del(ctx, "pz", "pl", "ph", "ps")
			return nil
		})
		if err != nil && err.Error() != "WRONGTYPE Operation against a key holding the wrong kind of value" {
			t.Fatalf("pipeline: %v", err)
		}
		rec(cmds...)
	}
	return out
}
