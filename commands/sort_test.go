package commands_test

import (
	"slices"
	"testing"

	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace"
)

func TestSortCommandMetadata(t *testing.T) {
	compareGroupMetadata(t, "generic", []string{"sort", "sort_ro"})
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
	run("ZADD", "z", "2", "a", "1", "b", "3", "c")
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
		{[]string{"SORT", "z", "BY", "nosort", "DESC", "STORE", "d6"}, []string{"SORT z BY nosort DESC STORE d6"}},
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
	for _, key := range []string{"d", "d2", "d3", "d4", "d5", "d6"} {
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
	if got := admin.do(t, "LRANGE", "dst", "0", "-1").String(); got != `["2" "1"]` {
		t.Errorf("dst after BLPOP = %s", got)
	}
}
