package commands_test

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/cairn-db/cairn/keyspace"
)

func TestZSetCommandMetadata(t *testing.T) {
	compareGroupMetadata(t, "sorted-set", []string{"bzmpop", "bzpopmax", "bzpopmin", "zadd", "zcard", "zcount",
		"zdiff", "zdiffstore", "zincrby", "zinter", "zintercard", "zinterstore", "zlexcount", "zmpop", "zmscore",
		"zpopmax", "zpopmin", "zrandmember", "zrange", "zrangebylex", "zrangebyscore", "zrangestore", "zrank",
		"zrem", "zremrangebylex", "zremrangebyrank", "zremrangebyscore", "zrevrange", "zrevrangebylex",
		"zrevrangebyscore", "zrevrank", "zscan", "zscore", "zunion", "zunionstore"})
}

// TestBlockingZPop blocks BZPOPMIN, BZPOPMAX and BZMPOP clients and
// serves them in the order they blocked, with the replies Redis gives.
func TestBlockingZPop(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	a, b, c := dialBlocker(t, srv.Addr), dialBlocker(t, srv.Addr), dialBlocker(t, srv.Addr)
	a.block(t, admin, "BZPOPMIN", "z1", "z2", "0")
	b.block(t, admin, "BZPOPMAX", "z2", "0")
	c.block(t, admin, "BZMPOP", "0", "2", "z1", "z2", "MAX", "COUNT", "5")
	expectDo(t, admin, "4", "ZADD", "z2", "1", "a", "2", "b", "3", "c", "4.5", "d")
	a.expect(t, `["z2" "a" "1"]`)
	b.expect(t, `["z2" "d" "4.5"]`)
	c.expect(t, `["z2" [["c" "3"] ["b" "2"]]]`)
	expectDo(t, admin, "0", "EXISTS", "z2")

	// A list at the key wakes no sorted set waiter, and a list waiter on
	// the same key is served by the list.
	a.block(t, admin, "BZPOPMIN", "k", "0")
	b.block(t, admin, "BLPOP", "k", "0")
	expectDo(t, admin, "1", "RPUSH", "k", "v")
	b.expect(t, `["k" "v"]`)
	a.stillBlocked(t, admin)
	expectDo(t, admin, "1", "ZADD", "k", "7", "m")
	a.expect(t, `["k" "m" "7"]`)

	// Made ready by commands that create a sorted set at the key.
	for _, make := range [][]string{
		{"ZUNIONSTORE", "k", "1", "src"},
		{"ZRANGESTORE", "k", "src", "0", "-1"},
		{"ZINCRBY", "k", "2", "m"},
		{"RENAME", "src2", "k"},
	} {
		admin.do(t, "ZADD", "src", "1", "m")
		admin.do(t, "ZADD", "src2", "1", "m")
		a.block(t, admin, "BZPOPMIN", "k", "0")
		if r := admin.do(t, make...); r.kind == '-' {
			t.Fatalf("%q: %v", make, r)
		}
		if r := a.reply(t); len(r.elems) != 3 || r.elems[1].str != "m" {
			t.Errorf("after %q: %v", make, r)
		}
		admin.do(t, "DEL", "k", "src", "src2")
	}

	// Timeouts, and no blocking inside a transaction.
	expectDo(t, a.rawConn, "(nil)", "BZPOPMIN", "k", "0.01")
	expectDo(t, a.rawConn, "(nil)", "BZMPOP", "0.01", "1", "k", "MIN")
	for _, args := range [][]string{{"MULTI"}, {"BZPOPMIN", "k", "0"}, {"BZMPOP", "0", "1", "k", "MIN"}} {
		admin.do(t, args...)
	}
	expectDo(t, admin, "[(nil) (nil)]", "EXEC")
}

func TestBlockingZPopEffects(t *testing.T) {
	s := startEffectsServer(t)
	admin := dialRaw(t, s.addr)
	tests := []struct {
		block []string
		add   []string
		want  []string
	}{
		{[]string{"BZPOPMIN", "k", "k2", "0"}, []string{"ZADD", "k2", "1", "a", "2", "b"},
			[]string{"0:ZADD k2 1 a 2 b", "0:ZPOPMIN k2"}},
		{[]string{"BZPOPMAX", "k", "0"}, []string{"ZADD", "k", "1", "c"}, []string{"0:ZADD k 1 c", "0:ZPOPMAX k"}},
		{[]string{"BZMPOP", "0", "1", "k", "MIN", "COUNT", "5"}, []string{"ZADD", "k", "1", "x", "2", "y"},
			[]string{"0:ZADD k 1 x 2 y", "0:ZPOPMIN k 2"}},
	}
	for _, tt := range tests {
		w := dialBlocker(t, s.addr)
		w.block(t, admin, tt.block...)
		s.take()
		admin.do(t, tt.add...)
		w.reply(t)
		if got := s.take(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q served by %q: effects %q, want %q", tt.block, tt.add, got, tt.want)
		}
		admin.do(t, "DEL", "k", "k2")
		s.take()
	}
	// Without blocking, the pops are recorded as ZPOPMIN/ZPOPMAX too.
	admin.do(t, "ZADD", "k", "1", "a", "2", "b", "3", "c")
	s.take()
	admin.do(t, "BZPOPMAX", "k", "0")
	admin.do(t, "ZMPOP", "1", "k", "MIN", "COUNT", "9")
	if got, want := s.take(), []string{"0:ZPOPMAX k", "0:ZPOPMIN k 2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("effects %q, want %q", got, want)
	}
}

// TestZSetReplay replays the effects of every sorted set write and
// requires the same sets, scores, encodings and expiry times.
func TestZSetReplay(t *testing.T) {
	e := newEffectsEngine()
	var log []keyspace.Effect
	run := func(args ...string) {
		e.exec(args...)
		log = append(log, e.effects...)
	}
	run("ZADD", "a", "1", "x", "2.5", "y", "-0", "z", "inf", "w")
	run("ZADD", "a", "GT", "CH", "3", "x", "1", "y")
	run("ZINCRBY", "a", "0.1", "x")
	run("ZADD", "a", "INCR", "-inf", "w")
	run("PEXPIREAT", "a", "4102444800000")
	run("ZREM", "a", "nothing", "y")
	for i := range 200 {
		run("ZADD", "big", strconv.Itoa(i%17), "m"+strconv.Itoa(i))
	}
	run("ZREMRANGEBYRANK", "big", "0", "9")
	run("ZREMRANGEBYSCORE", "big", "(3", "5")
	run("ZPOPMIN", "big", "3")
	run("ZPOPMAX", "big")
	run("ZMPOP", "2", "none", "big", "MAX", "COUNT", "4")
	run("BZPOPMIN", "big", "0")
	run("ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d")
	run("ZREMRANGEBYLEX", "lex", "[b", "(d")
	run("ZUNIONSTORE", "u", "2", "a", "lex", "WEIGHTS", "2", "3", "AGGREGATE", "MAX")
	run("ZINTERSTORE", "i", "2", "big", "big")
	run("ZDIFFSTORE", "d", "2", "big", "a")
	run("ZRANGESTORE", "r", "big", "(8", "+inf", "BYSCORE", "LIMIT", "1", "5")
	run("ZRANGESTORE", "gone", "nothing", "0", "-1")

	replay := newEffectsEngine()
	replay.engine.KS.Lock()
	err := replay.engine.Apply(log)
	replay.engine.KS.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"a", "big", "lex", "u", "i", "d", "r", "gone"} {
		for _, args := range [][]string{{"OBJECT", "ENCODING", key}, {"ZRANGE", key, "0", "-1", "WITHSCORES"}, {"PEXPIRETIME", key}} {
			want, _ := e.exec(args...)
			got, _ := replay.exec(args...)
			if got != want {
				t.Errorf("%q after replay = %q, want %q", args, got, want)
			}
		}
	}
}
