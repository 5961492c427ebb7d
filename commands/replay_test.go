package commands

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/expiry"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/rdb"
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
	// Sets and hashes: small integer members so that commands meet, "x"
	// members and long values for the hashtable encodings.
	func(r *rand.Rand, _ int64) []string {
		args := []string{"SADD", key(r)}
		for range 6 {
			args = append(args, strconv.Itoa(r.IntN(12)))
		}
		return args
	},
	func(r *rand.Rand, _ int64) []string {
		return []string{"SADD", key(r), "x" + strconv.Itoa(r.IntN(3)), strconv.Itoa(r.IntN(12))}
	},
	func(r *rand.Rand, _ int64) []string {
		return []string{"SREM", key(r), strconv.Itoa(r.IntN(12)), "x0", "x1", "x2"}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"SPOP", key(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"SPOP", key(r), strconv.Itoa(r.IntN(12))} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"SMOVE", key(r), key(r), strconv.Itoa(r.IntN(12))}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"SINTERSTORE", key(r), key(r), key(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"SUNIONSTORE", key(r), key(r), key(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"SDIFFSTORE", key(r), key(r), key(r)} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"HSET", key(r), "f" + strconv.Itoa(r.IntN(8)), val(r), "f" + strconv.Itoa(r.IntN(8)), val(r)}
	},
	func(r *rand.Rand, _ int64) []string {
		return []string{"HMSET", key(r), "f" + strconv.Itoa(r.IntN(8)), strings.Repeat("w", 60+r.IntN(10))}
	},
	func(r *rand.Rand, _ int64) []string {
		return []string{"HSETNX", key(r), "f" + strconv.Itoa(r.IntN(8)), val(r)}
	},
	func(r *rand.Rand, _ int64) []string {
		return []string{"HDEL", key(r), "f" + strconv.Itoa(r.IntN(8)), "f" + strconv.Itoa(r.IntN(8))}
	},
	func(r *rand.Rand, _ int64) []string {
		return []string{"HINCRBY", key(r), "f" + strconv.Itoa(r.IntN(8)), strconv.Itoa(r.IntN(100) - 50)}
	},
	func(r *rand.Rand, _ int64) []string {
		return []string{"HINCRBYFLOAT", key(r), "f" + strconv.Itoa(r.IntN(8)), "0.1"}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"MULTI"} },
	func(r *rand.Rand, _ int64) []string { return []string{"EXEC"} },
	func(r *rand.Rand, _ int64) []string { return []string{"DISCARD"} },
	func(r *rand.Rand, _ int64) []string { return []string{"WATCH", key(r)} },
	// Lists: elements from a small domain so that LREM, LINSERT and LSET
	// find them; the blocking commands run as their non-blocking forms
	// (the replay's client has no connection) and must record those.
	func(r *rand.Rand, _ int64) []string {
		return []string{"LPUSH", key(r), elem(r), elem(r), elem(r)}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"RPUSH", key(r), elem(r), val(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"LPUSHX", key(r), elem(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"RPUSHX", key(r), elem(r), elem(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"LPOP", key(r)} },
	func(r *rand.Rand, _ int64) []string { return []string{"RPOP", key(r), strconv.Itoa(r.IntN(4))} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"LSET", key(r), strconv.Itoa(r.IntN(6) - 3), elem(r)}
	},
	func(r *rand.Rand, _ int64) []string {
		return []string{"LINSERT", key(r), []string{"BEFORE", "AFTER"}[r.IntN(2)], elem(r), elem(r)}
	},
	func(r *rand.Rand, _ int64) []string {
		return []string{"LREM", key(r), strconv.Itoa(r.IntN(5) - 2), elem(r)}
	},
	func(r *rand.Rand, _ int64) []string {
		return []string{"LTRIM", key(r), strconv.Itoa(r.IntN(4) - 1), strconv.Itoa(r.IntN(8) - 3)}
	},
	func(r *rand.Rand, _ int64) []string {
		return []string{"LMOVE", key(r), key(r), end(r), end(r)}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"RPOPLPUSH", key(r), key(r)} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"LMPOP", "2", key(r), key(r), end(r), "COUNT", strconv.Itoa(1 + r.IntN(3))}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"BLPOP", key(r), key(r), "0"} },
	func(r *rand.Rand, _ int64) []string { return []string{"BRPOP", key(r), "0.5"} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"BLMOVE", key(r), key(r), end(r), end(r), "0"}
	},
	func(r *rand.Rand, _ int64) []string { return []string{"BRPOPLPUSH", key(r), key(r), "0"} },
	func(r *rand.Rand, _ int64) []string {
		return []string{"BLMPOP", "0", "1", key(r), end(r), "COUNT", strconv.Itoa(1 + r.IntN(3))}
	},
	func(r *rand.Rand, now int64) []string {
		ttl := []string{"0", strconv.Itoa(r.IntN(3000)), strconv.FormatInt(now+int64(r.IntN(3000))-500, 10) + " ABSTTL"}[r.IntN(3)]
		args := append([]string{"RESTORE", key(r)}, strings.Fields(ttl)...)
		args = slices.Insert(args, 3, restorePayload(r))
		return append(args, "REPLACE")
	},
}

// restorePayload is the DUMP payload of a random string or list.
func restorePayload(r *rand.Rand) string {
	var v datatypes.Value = datatypes.NewString([]byte(val(r)))
	if r.IntN(2) == 0 {
		l := datatypes.NewList(datatypes.DefaultLimits())
		for range 1 + r.IntN(4) {
			l.PushBack([]byte(elem(r)))
		}
		v = l
	}
	var enc rdb.Encoder
	return string(enc.Dump(v))
}

func elem(r *rand.Rand) string { return "e" + strconv.Itoa(r.IntN(6)) }

func end(r *rand.Rand) string { return []string{"LEFT", "RIGHT"}[r.IntN(2)] }

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
	case *datatypes.Set:
		var ms []string
		for m := range v.All() {
			ms = append(ms, strconv.Quote(string(m)))
		}
		sort.Strings(ms)
		return "{" + strings.Join(ms, " ") + "}"
	case *datatypes.Hash:
		// A listpack's order is visible (HGETALL) and must replay too; a
		// hashtable's is not.
		var ps []string
		for f, val := range v.All() {
			ps = append(ps, strconv.Quote(string(f))+":"+strconv.Quote(string(val)))
		}
		if v.Encoding() != "listpack" {
			sort.Strings(ps)
		}
		return "{" + strings.Join(ps, " ") + "}"
	case *datatypes.List:
		var es []string
		for _, e := range v.Forward(0) {
			es = append(es, strconv.Quote(string(e)))
		}
		return "[" + strings.Join(es, " ") + "]"
	default:
		return fmt.Sprintf("%v", v)
	}
}
