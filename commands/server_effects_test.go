package commands

import (
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/keyspace"
)

// TestServerCommandEffects checks what FLUSHDB, FLUSHALL and SWAPDB
// record: the command when it changed something, nothing otherwise, and
// that replaying the log rebuilds the state.
func TestServerCommandEffects(t *testing.T) {
	var log []keyspace.Effect
	ks := keyspace.New(keyspace.Options{Databases: 3,
		Sink: func(effects []keyspace.Effect) { log = append(log, effects...) }})
	engine := newTestEngine(ks)
	cl := NewClient("", "", time.Now(), func() {})
	cl.Authenticated = true

	for _, tc := range []struct {
		cmd  string
		want string // the effects recorded, "db: args" joined by "; "
	}{
		{"FLUSHDB", ""},
		{"FLUSHALL ASYNC", ""},
		{"SWAPDB 1 2", ""},
		{"SET a 1", "0: SET a 1"},
		{"SWAPDB 0 0", ""},
		{"SWAPDB 0 1", "0: SWAPDB 0 1"},
		{"SWAPDB 2 0", ""},
		{"SELECT 1", ""},
		{"SET b 2", "1: SET b 2"},
		{"FLUSHDB ASYNC", "1: FLUSHDB"},
		{"FLUSHDB", ""},
		{"SET c 3", "1: SET c 3"},
		{"SWAPDB 1 2", "1: SWAPDB 1 2"},
		{"FLUSHDB SYNC", ""},
		{"SELECT 0", ""},
		{"SET d 4", "0: SET d 4"},
		{"FLUSHALL", "0: FLUSHALL"},
		{"FLUSHALL SYNC", ""},
		{"SET e 5", "0: SET e 5"},
		{"SWAPDB 0 2", "0: SWAPDB 0 2"},
		{"FLUSHDB bad", ""},
		{"SWAPDB 0 99", ""},
	} {
		before := len(log)
		ks.Lock()
		engine.Exec(cl, bytesArgs(strings.Fields(tc.cmd)))
		ks.Unlock()
		cl.W.Reset()
		var got []string
		for _, e := range log[before:] {
			got = append(got, string(rune('0'+e.DB))+": "+string(joinArgs(e.Args)))
		}
		if strings.Join(got, "; ") != tc.want {
			t.Errorf("%s recorded %q, want %q", tc.cmd, strings.Join(got, "; "), tc.want)
		}
	}

	replayed := keyspace.New(keyspace.Options{Databases: 3})
	replayed.Lock()
	err := newTestEngine(replayed).Apply(log)
	replayed.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	ks.Lock()
	want := dumpKeyspace(ks)
	ks.Unlock()
	replayed.Lock()
	got := dumpKeyspace(replayed)
	replayed.Unlock()
	if got != want {
		t.Errorf("replayed state:\n%s\noriginal:\n%s", got, want)
	}
}

func joinArgs(args [][]byte) []byte {
	var out []byte
	for i, a := range args {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, a...)
	}
	return out
}
