package commands_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace"
)

func TestSortCommandMetadata(t *testing.T) {
	compareGroupMetadata(t, "generic", []string{"sort", "sort_ro"})
}

// TestSortZSet sorts sorted sets in cairn and in redis-server. The sets are
// made with ZADD in Redis and stored directly in cairn.
func TestSortZSet(t *testing.T) {
	rc := dialRaw(t, testutil.StartRedis(t))
	srv := testutil.StartCairn(t, nil)
	cc := dialRaw(t, srv.Addr)
	zsets := map[string][]datatypes.ZEntry{
		"z":  {{Member: []byte("10"), Score: 3}, {Member: []byte("2"), Score: 1}, {Member: []byte("7"), Score: 2}, {Member: []byte("-1"), Score: 2}, {Member: []byte("1.5"), Score: 5}},
		"za": {{Member: []byte("pear"), Score: 1}, {Member: []byte("apple"), Score: 1}, {Member: []byte("fig"), Score: 0}, {Member: []byte("kiwi"), Score: -1}},
	}
	var big []datatypes.ZEntry
	for i := range 300 {
		big = append(big, datatypes.ZEntry{Member: []byte(strconv.Itoa(i * 7 % 300)), Score: float64(i % 17)})
	}
	zsets["zbig"] = big
	srv.Engine.KS.Lock()
	for key, entries := range zsets {
		z := datatypes.NewZSet()
		zadd := []string{"ZADD", key}
		for _, e := range entries {
			z.Add(srv.Engine.Limits(), e.Member, e.Score, 0)
			zadd = append(zadd, strconv.FormatFloat(e.Score, 'g', -1, 64), string(e.Member))
		}
		srv.Engine.KS.DB(0).Set([]byte(key), z)
		rc.do(t, zadd...)
	}
	srv.Engine.KS.Unlock()
	for _, c := range [][]string{
		{"MSET", "w_10", "1", "w_2", "4", "w_7", "3", "w_-1", "2", "w_1.5", "0"},
		{"HSET", "h_pear", "n", "3"}, {"HSET", "h_fig", "n", "1"},
	} {
		rc.do(t, c...)
		cc.do(t, c...)
	}

	tests := [][]string{
		{"OBJECT", "ENCODING", "z"},
		{"SORT_RO", "z", "BY", "nosort"},
		// SORT converts the set for good, read-only or not.
		{"OBJECT", "ENCODING", "z"},
		{"SORT", "z"},
		{"SORT", "z", "DESC"},
		{"SORT", "z", "LIMIT", "1", "2"},
		{"SORT", "z", "ALPHA"},
		{"SORT", "z", "ALPHA", "DESC", "LIMIT", "0", "3"},
		{"SORT", "z", "BY", "nosort", "DESC"},
		{"SORT", "z", "BY", "nosort", "LIMIT", "1", "2"},
		{"SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"},
		{"SORT", "z", "BY", "nosort", "LIMIT", "-5", "2"},
		{"SORT", "z", "BY", "nosort", "LIMIT", "10", "2"},
		{"SORT", "z", "BY", "nosort", "LIMIT", "2", "-1"},
		{"SORT", "z", "BY", "nosort", "DESC", "LIMIT", "4", "9"},
		{"SORT", "z", "BY", "nosort", "LIMIT", "0", "0"},
		{"SORT", "z", "BY", "w_*"},
		{"SORT", "z", "BY", "w_*", "DESC", "LIMIT", "1", "3", "GET", "#", "GET", "w_*"},
		{"SORT", "z", "BY", "nosort", "GET", "w_*", "GET", "#"},
		{"SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "3", "STORE", "dst"},
		{"LRANGE", "dst", "0", "-1"},
		{"SORT", "z", "STORE", "dst"},
		{"LRANGE", "dst", "0", "-1"},
		{"SORT", "za"},
		{"SORT", "za", "ALPHA"},
		{"SORT", "za", "BY", "nosort"},
		{"SORT", "za", "BY", "nosort", "DESC", "STORE", "dst"},
		{"LRANGE", "dst", "0", "-1"},
		{"SORT", "za", "BY", "h_*->n", "GET", "#", "GET", "h_*->n"},
		{"OBJECT", "ENCODING", "zbig"},
		{"SORT", "zbig", "BY", "nosort", "LIMIT", "100", "10"},
		{"SORT", "zbig", "BY", "nosort", "DESC", "LIMIT", "150", "10"},
		{"SORT", "zbig", "BY", "nosort", "DESC", "LIMIT", "295", "10"},
		{"SORT", "zbig", "LIMIT", "290", "5"},
		{"SORT", "zbig", "ALPHA", "DESC", "LIMIT", "0", "5"},
		{"SORT", "zbig", "BY", "nosort", "STORE", "dst"},
		{"LLEN", "dst"},
		{"LRANGE", "dst", "0", "9"},
	}
	for _, args := range tests {
		want := rc.do(t, args...).String()
		if got := cc.do(t, args...).String(); got != want {
			t.Errorf("%q = %s, redis %s", args, got, want)
		}
	}
}

// TestSortEffects checks what SORT records: nothing without STORE, the
// command as it ran, a DEL for an empty result that deleted the
// destination, and the list itself when ties of ALPHA BY leave the order
// to a set's; and that the effects replay to the same lists.
func TestSortEffects(t *testing.T) {
	e := newEffectsEngine()
	var log []keyspace.Effect
	run := func(args ...string) []string {
		_, effects := e.exec(args...)
		log = append(log, e.effects...)
		return effects
	}
	run("RPUSH", "l", "3", "1", "2")
	run("SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h")
	run("MSET", "w_a", "x", "w_c", "x", "w_3", "y")
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"SORT", "l"}, nil},
		{[]string{"SORT_RO", "l"}, nil},
		{[]string{"SORT", "l", "STORE", "d"}, []string{"SORT l STORE d"}},
		{[]string{"SORT", "l", "BY", "w_*", "ALPHA", "STORE", "d2"}, []string{"SORT l BY w_* ALPHA STORE d2"}},
		{[]string{"SORT", "s", "BY", "nosort", "STORE", "d3"}, []string{"SORT s BY nosort STORE d3"}},
		{[]string{"SORT", "s", "BY", "n_*", "STORE", "d4"}, []string{"SORT s BY n_* STORE d4"}},
		{[]string{"SORT", "nokey", "STORE", "none"}, nil},
		{[]string{"SORT", "nokey", "STORE", "d"}, []string{"DEL d"}},
		{[]string{"SORT", "l", "LIMIT", "0", "0", "STORE", "d2"}, []string{"DEL d2"}},
		{[]string{"SORT", "l", "x", "STORE", "d"}, nil},
	}
	for _, tt := range tests {
		if got := run(tt.args...); !slices.Equal(got, tt.want) {
			t.Errorf("%q recorded %q, want %q", tt.args, got, tt.want)
		}
	}
	got := run("SORT", "s", "BY", "w_*", "ALPHA", "LIMIT", "1", "6", "STORE", "d5")
	reply, _ := e.exec("LRANGE", "d5", "0", "-1")
	if len(got) != 2 || got[0] != "DEL d5" || got[1][:9] != "RPUSH d5 " {
		t.Errorf("SORT s BY w_* ALPHA STORE d5 recorded %q, want DEL d5 and an RPUSH", got)
	}

	replay := newEffectsEngine()
	replay.engine.KS.Lock()
	err := replay.engine.Apply(log)
	replay.engine.KS.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"d", "d2", "d3", "d4", "d5"} {
		want, _ := e.exec("LRANGE", key, "0", "-1")
		if got, _ := replay.exec("LRANGE", key, "0", "-1"); got != want {
			t.Errorf("%s after replay = %q, want %q", key, got, want)
		}
	}
	if got, _ := replay.exec("LRANGE", "d5", "0", "-1"); got != reply {
		t.Errorf("d5 after replay = %q, want %q", got, reply)
	}
}

// TestSortStoreWakesBlocked checks that a list SORT stores serves the
// clients blocked on its key, as a push does.
func TestSortStoreWakesBlocked(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	admin := dialRaw(t, srv.Addr)
	admin.do(t, "RPUSH", "l", "3", "1", "2")
	b := dialBlocker(t, srv.Addr)
	b.block(t, admin, "BLPOP", "dst", "0")
	if got := admin.do(t, "SORT", "l", "LIMIT", "0", "0", "STORE", "dst").String(); got != "0" {
		t.Fatalf("SORT of nothing = %s", got)
	}
	b.stillBlocked(t, admin)
	if got := admin.do(t, "SORT", "l", "DESC", "STORE", "dst").String(); got != "3" {
		t.Fatalf("SORT STORE = %s", got)
	}
	b.expect(t, `["dst" "3"]`)
	if got := admin.do(t, "LRANGE", "dst", "0", "-1").String(); got != fmt.Sprint(`["2" "1"]`) {
		t.Errorf("dst after BLPOP = %s", got)
	}
}
