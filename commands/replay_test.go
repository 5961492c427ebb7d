package commands

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/expiry"
	"github.com/cairn-db/cairn/keyspace"
)

// replayWorkload is a random mix of every command that writes, with
// arguments drawn from small domains so that commands collide on keys,
// types and expiry times.
var replayWorkload = []func(r *rand.Rand, now int64) []string{
	func(r *rand.Rand, _ int64) []string { return []string{"SET", key(r), val(r)} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"SET", key(r), val(r), "EX", strconv.Itoa(1 + r.IntN(3))}
	},
	func(r *rand.Rand, _ int64) []string {
		return []string{"SET", key(r), val(r), "PX", strconv.Itoa(1 + r.IntN(3000)), "GET"}
	},
	func(r *rand.Rand, now int64) []string {
		return []string{"SET", key(r), val(r), "PXAT", strconv.FormatInt(now+int64(r.IntN(3000))-500, 10)}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"SET", key(r), val(r), "NX", "KEEPTTL"} },
	func(r *rand.Rand, _ int64) []string { return []string{"SET", key(r), val(r), "XX"} },
	func(r *rand.Rand, _ int64) []string { return []string{"SETEX", key(r), "2", val(r)} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"PSETEX", key(r), strconv.Itoa(1 + r.IntN(2000)), val(r)}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"SETNX", key(r), val(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"GETSET", key(r), val(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"GETDEL", key(r)} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"GETEX", key(r), "PX", strconv.Itoa(1 + r.IntN(2000))}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"GETEX", key(r), "PERSIST"} },
	func(r *rand.Rand, _ int64) []string { return []string{"APPEND", key(r), val(r)} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"SETRANGE", key(r), strconv.Itoa(r.IntN(8)), val(r)}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"INCR", key(r)} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"DECRBY", key(r), strconv.Itoa(r.IntN(100) - 50)}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"INCRBYFLOAT", key(r), "0.1"} },
	func(r *rand.Rand, _ int64) []string { return []string{"MSET", key(r), val(r), key(r), val(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"MSETNX", key(r), val(r), key(r), val(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"DEL", key(r), key(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"UNLINK", key(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"RENAME", key(r), key(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"RENAMENX", key(r), key(r)} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"COPY", key(r), key(r), "DB", strconv.Itoa(r.IntN(3)), "REPLACE"}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"MOVE", key(r), strconv.Itoa(r.IntN(3))} },
	func(r *rand.Rand, _ int64) []string { return []string{"EXPIRE", key(r), strconv.Itoa(r.IntN(4) - 1)} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"PEXPIRE", key(r), strconv.Itoa(r.IntN(3000)), "GT"}
	},
	func(r *rand.Rand, now int64) []string {
		return []string{"EXPIREAT", key(r), strconv.FormatInt(now/1000+int64(r.IntN(4)), 10), "NX"}
	},
	func(r *rand.Rand, now int64) []string {
		return []string{"PEXPIREAT", key(r), strconv.FormatInt(now+int64(r.IntN(3000))-500, 10)}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"PERSIST", key(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"GET", key(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"SELECT", strconv.Itoa(r.IntN(3))} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"SWAPDB", strconv.Itoa(r.IntN(3)), strconv.Itoa(r.IntN(3))}
	},
	func(r *rand.Rand, _ int64) []string {
		if r.IntN(20) == 0 {
			return []string{"FLUSHDB"}
		}
		return []string{"TOUCH", key(r)}
	},
}

func key(r *rand.Rand) string { return "k" + strconv.Itoa(r.IntN(12)) }

func val(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		return strconv.Itoa(r.IntN(1000) - 500)
	}
	return strings.Repeat("v", 1+r.IntN(50))
}

// TestReplayReproducesState runs a long random workload while recording
// every effect, replays the effects into an empty keyspace and requires
// the same state: no command may forget to record what it did.
func TestReplayReproducesState(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, seed))
			now := time.UnixMilli(1_700_000_000_000)
			clock := func() time.Time { return now }
			var log []keyspace.Effect
			ks := keyspace.New(keyspace.Options{Databases: 3, Clock: clock,
				Sink: func(effects []keyspace.Effect) { log = append(log, effects...) }})
			engine := newTestEngine(ks)
			cycler := expiry.NewCycler(ks)
			cl := NewClient("", "", now, func() {})
			cl.Authenticated = true

			for i := 0; i < 20000; i++ {
				now = now.Add(time.Duration(r.IntN(20)) * time.Millisecond)
				args := replayWorkload[r.IntN(len(replayWorkload))](r, now.UnixMilli())
				ks.Lock()
				engine.Exec(cl, bytesArgs(args))
				if i%100 == 0 {
					cycler.Run(time.Millisecond)
				}
				ks.Unlock()
				cl.W.Reset()
			}

			replayed := keyspace.New(keyspace.Options{Databases: 3, Clock: clock})
			replayEngine := newTestEngine(replayed)
			replayed.Lock()
			if err := replayEngine.Apply(log); err != nil {
				t.Fatal(err)
			}
			replayed.Unlock()

			ks.Lock()
			want := dumpKeyspace(ks)
			ks.Unlock()
			replayed.Lock()
			got := dumpKeyspace(replayed)
			replayed.Unlock()
			if got != want {
				t.Fatalf("replayed state differs (%d effects)\nreplayed:\n%s\noriginal:\n%s", len(log), got, want)
			}
		})
	}
}

func newTestEngine(ks *keyspace.Keyspace) *Engine {
	cfg := config.Defaults()
	cfg.Databases = ks.NumDBs()
	return NewEngine(ks, config.NewStore(cfg, ""), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func bytesArgs(args []string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// dumpKeyspace renders every live key with its type, encoding, value and
// expiry time, sorted, for comparison.
func dumpKeyspace(ks *keyspace.Keyspace) string {
	var lines []string
	for i := 0; i < ks.NumDBs(); i++ {
		db := ks.DB(i)
		db.ForEach(func(key string, v datatypes.Value) {
			at, _ := db.ExpireAt([]byte(key))
			lines = append(lines, fmt.Sprintf("db%d %q %s/%s %s expireat=%d", i, key, v.Type(), v.Encoding(), dumpValue(v), at))
		})
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func dumpValue(v datatypes.Value) string {
	switch v := v.(type) {
	case *datatypes.String:
		return strconv.Quote(string(v.Bytes()))
	default:
		return fmt.Sprintf("%v", v)
	}
}
