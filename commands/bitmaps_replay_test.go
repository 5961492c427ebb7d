package commands

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/keyspace"
)

// bitOffsetArg is a bit offset within a few bytes, or far enough to make
// a string longer than the keyspace keeps in its records.
func bitOffsetArg(r *rand.Rand) string {
	if r.IntN(8) == 0 {
		return strconv.Itoa(r.IntN(200_000))
	}
	return strconv.Itoa(r.IntN(80))
}

func bitfieldArgs(r *rand.Rand) []string {
	args := []string{"BITFIELD", key(r)}
	for range 1 + r.IntN(4) {
		typ := fmt.Sprint([]string{"i", "u"}[r.IntN(2)], 1+r.IntN(63))
		val := strconv.FormatInt(r.Int64N(600)-300, 10)
		if r.IntN(4) == 0 {
			val = strconv.FormatInt(int64(r.Uint64()), 10)
		}
		switch r.IntN(5) {
		case 0:
			args = append(args, "OVERFLOW", []string{"WRAP", "SAT", "FAIL"}[r.IntN(3)])
		case 1:
			args = append(args, "GET", typ, bitOffsetArg(r))
		case 2:
			args = append(args, "SET", typ, bitOffsetArg(r), val)
		default:
			args = append(args, "INCRBY", typ, "#"+strconv.Itoa(r.IntN(6)), val)
		}
	}
	return args
}

// bitmapWorkload mixes the bitmap commands with string commands that make
// and change the same keys, short and long.
var bitmapWorkload = []func(r *rand.Rand) []string{
	func(r *rand.Rand) []string {
		return []string{"SETBIT", key(r), bitOffsetArg(r), strconv.Itoa(r.IntN(2))}
	},
	func(r *rand.Rand) []string {
		return []string{"SETBIT", key(r), bitOffsetArg(r), strconv.Itoa(r.IntN(2))}
	},
	bitfieldArgs,
	bitfieldArgs,
	func(r *rand.Rand) []string {
		op := []string{"AND", "OR", "XOR", "NOT"}[r.IntN(4)]
		args := []string{"BITOP", op, key(r), key(r)}
		if op != "NOT" {
			for range r.IntN(3) {
				args = append(args, key(r))
			}
		}
		return args
	},
	func(r *rand.Rand) []string { return []string{"GETBIT", key(r), bitOffsetArg(r)} },
	func(r *rand.Rand) []string { return []string{"BITCOUNT", key(r), "1", "-2", "BIT"} },
	func(r *rand.Rand) []string { return []string{"SET", key(r), val(r)} },
	func(r *rand.Rand) []string { return []string{"SET", key(r), val(r), "EX", "100"} },
	func(r *rand.Rand) []string { return []string{"APPEND", key(r), val(r)} },
	func(r *rand.Rand) []string { return []string{"SETRANGE", key(r), strconv.Itoa(r.IntN(8)), val(r)} },
	func(r *rand.Rand) []string { return []string{"INCR", key(r)} },
	func(r *rand.Rand) []string { return []string{"DEL", key(r)} },
	func(r *rand.Rand) []string { return []string{"SADD", key(r), "m"} },
}

// TestBitmapReplay runs the bitmap workload in units of several commands
// (a pipeline batch, whose effects reach the log together) while recording
// every effect, replays them and requires the same state, encodings
// included.
func TestBitmapReplay(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			now := time.UnixMilli(1_700_000_000_000)
			clock := func() time.Time { return now }
			var log []keyspace.Effect
			ks := keyspace.New(keyspace.Options{Databases: 1, Clock: clock,
				Sink: func(effects []keyspace.Effect) { log = append(log, effects...) }})
			engine := newTestEngine(ks)
			cl := NewClient("", "", now, func() {})
			cl.Authenticated = true
			for range 1500 {
				ks.Lock()
				for range 1 + r.IntN(6) {
					args := bitmapWorkload[r.IntN(len(bitmapWorkload))](r)
					engine.Exec(cl, bytesArgs(args))
				}
				ks.Unlock()
				cl.W.Reset()
			}
			// The replay ignores proto-max-bulk-len as Redis's does, which
			// may have been lowered since.
			cfg := config.Defaults()
			cfg.Databases = 1
			cfg.ProtoMaxBulkLen = 1000
			replayed := keyspace.New(keyspace.Options{Databases: 1, Clock: clock})
			replayEngine := NewEngine(replayed, config.NewStore(cfg, ""), slog.New(slog.NewTextHandler(io.Discard, nil)))
			replayed.Lock()
			err := replayEngine.Apply(bitmapsOnly(log))
			replayed.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			replayed = keyspace.New(keyspace.Options{Databases: 1, Clock: clock})
			replayed.Lock()
			if err := newTestEngine(replayed).Apply(log); err != nil {
				t.Fatal(err)
			}
			// A SETBIT that changes no bit records nothing, as in Redis,
			// yet leaves the string raw: string encodings may differ.
			got := stringEncodings.ReplaceAllString(dumpKeyspace(replayed), "string")
			replayed.Unlock()
			ks.Lock()
			want := stringEncodings.ReplaceAllString(dumpKeyspace(ks), "string")
			ks.Unlock()
			if got != want {
				t.Fatalf("replayed state differs (%d effects)\nreplayed:\n%.3000s\noriginal:\n%.3000s", len(log), got, want)
			}
		})
	}
}

var stringEncodings = regexp.MustCompile(`string/(raw|embstr|int)`)

// bitmapsOnly keeps the effects of the bitmap commands (and the SETs and
// DELs they rely on), which must replay whatever proto-max-bulk-len is.
func bitmapsOnly(log []keyspace.Effect) []keyspace.Effect {
	var out []keyspace.Effect
	for _, ef := range log {
		switch string(ef.Args[0]) {
		case "SETBIT", "BITFIELD", "BITOP", "SET", "DEL":
			out = append(out, ef)
		}
	}
	return out
}

// TestBitmapReplayLongResult changes a long BITOP result in place in the
// unit that made it: the replay of BITOP must not see the change.
func TestBitmapReplayLongResult(t *testing.T) {
	var log []keyspace.Effect
	ks := keyspace.New(keyspace.Options{Databases: 1,
		Sink: func(effects []keyspace.Effect) { log = append(log, effects...) }})
	engine := newTestEngine(ks)
	cl := NewClient("", "", time.Now(), func() {})
	cl.Authenticated = true
	ks.Lock()
	for _, args := range [][]string{
		{"SETBIT", "src", "200000", "1"},
		{"BITOP", "NOT", "dest", "src"},
		{"BITFIELD", "dest", "INCRBY", "u8", "0", "1"},
		{"SETBIT", "dest", "9", "0"},
	} {
		engine.Exec(cl, bytesArgs(args))
	}
	want := dumpKeyspace(ks)
	ks.Unlock()

	replayed := keyspace.New(keyspace.Options{Databases: 1})
	replayed.Lock()
	defer replayed.Unlock()
	if err := newTestEngine(replayed).Apply(log); err != nil {
		t.Fatal(err)
	}
	if got := dumpKeyspace(replayed); got != want {
		t.Fatalf("replayed state differs\nreplayed:\n%.300s\noriginal:\n%.300s", got, want)
	}
}
