package commands

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/keyspace"
)

// hllEngine is an engine with a recorded effect log, for the HLL tests.
type hllEngine struct {
	ks  *keyspace.Keyspace
	e   *Engine
	cl  *Client
	log []keyspace.Effect
}

func newHLLEngine(sparseMax int64) *hllEngine {
	h := &hllEngine{}
	now := time.UnixMilli(1_700_000_000_000)
	h.ks = keyspace.New(keyspace.Options{Databases: 2, Clock: func() time.Time { return now },
		Sink: func(effects []keyspace.Effect) { h.log = append(h.log, effects...) }})
	h.e = newTestEngine(h.ks)
	cfg := *h.e.Config.Load()
	cfg.HLLSparseMaxBytes = sparseMax
	// Commands are timed from the keyspace's clock, fixed here: each would
	// look decades long to the slow log.
	cfg.SlowlogLogSlowerThan = -1
	h.e.Config = config.NewStore(&cfg, "")
	h.cl = NewClient("", "", now, func() {})
	h.cl.Authenticated = true
	return h
}

// exec runs a command and returns its reply and the effects it recorded,
// each as its space-separated arguments.
func (h *hllEngine) exec(args ...string) (reply string, effects []string) {
	n := len(h.log)
	h.ks.Lock()
	h.cl.W.Reset()
	h.e.Exec(h.cl, bytesArgs(args))
	reply = string(h.cl.W.Bytes())
	h.ks.Unlock()
	for _, ef := range h.log[n:] {
		parts := make([]string, len(ef.Args))
		for i, a := range ef.Args {
			parts[i] = string(a)
		}
		effects = append(effects, strings.Join(parts, " "))
	}
	return reply, effects
}

// TestHyperLogLogEffects checks what each command records: the command as
// given when it changed the HLL (PFCOUNT too, when it caches the
// cardinality, as Redis 7.0 propagates it), nothing when it did not.
func TestHyperLogLogEffects(t *testing.T) {
	h := newHLLEngine(3000)
	const sparse18 = "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"
	for _, tc := range []struct {
		args    []string
		reply   string
		effects []string
	}{
		{[]string{"PFADD", "h", "a", "b"}, ":1\r\n", []string{"PFADD h a b"}},
		{[]string{"PFADD", "h", "a"}, ":0\r\n", nil},
		{[]string{"PFADD", "new"}, ":1\r\n", []string{"PFADD new"}},
		{[]string{"PFADD", "new"}, ":0\r\n", nil},
		{[]string{"PFCOUNT", "h"}, ":2\r\n", []string{"PFCOUNT h"}},
		{[]string{"PFCOUNT", "h"}, ":2\r\n", nil},
		{[]string{"PFCOUNT", "h", "new"}, ":2\r\n", nil},
		{[]string{"PFCOUNT", "nokey"}, ":0\r\n", nil},
		{[]string{"PFMERGE", "m", "h", "new"}, "+OK\r\n", []string{"PFMERGE m h new"}},
		{[]string{"PFDEBUG", "ENCODING", "m"}, "+sparse\r\n", nil},
		{[]string{"PFDEBUG", "TODENSE", "m"}, ":1\r\n", []string{"PFDEBUG TODENSE m"}},
		{[]string{"PFDEBUG", "TODENSE", "m"}, ":0\r\n", nil},
		{[]string{"PFDEBUG", "DECODE", "h"}, "$32\r\nZ:12711 v:2,1 Z:3068 v:1,1 Z:603\r\n", nil},
		{[]string{"PFDEBUG", "ENCODING", "h"}, "+sparse\r\n", nil},
		{[]string{"SET", "bad", sparse18[:16] + "\x5f\xff"}, "+OK\r\n", []string{"SET bad " + sparse18[:16] + "\x5f\xff"}},
		{[]string{"PFCOUNT", "bad"}, "-INVALIDOBJ Corrupted HLL object detected\r\n", nil},
		// bad covers 8192 registers only: "f" is register 1646, inside
		// them; "b" (15780) is past them: the first update stays, recorded as
		// the PFADD of the elements before the failure.
		{[]string{"PFADD", "bad", "f", "b", "a"}, "-INVALIDOBJ Corrupted HLL object detected\r\n", []string{"PFADD bad f"}},
		{[]string{"PFADD", "bad", "b"}, "-INVALIDOBJ Corrupted HLL object detected\r\n", nil},
		{[]string{"SET", "str", "x"}, "+OK\r\n", []string{"SET str x"}},
		{[]string{"PFADD", "str", "a"}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", nil},
		{[]string{"PFMERGE", "m2", "str"}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", nil},
	} {
		reply, effects := h.exec(tc.args...)
		if reply != tc.reply || fmt.Sprint(effects) != fmt.Sprint(tc.effects) {
			t.Errorf("%q: %q %q, want %q %q", tc.args, reply, effects, tc.reply, tc.effects)
		}
	}
	// PFDEBUG GETREG of a sparse HLL makes it dense, recorded as TODENSE.
	h.exec("PFADD", "g", "a")
	reply, effects := h.exec("PFDEBUG", "GETREG", "g")
	if !strings.HasPrefix(reply, "*16384\r\n") || fmt.Sprint(effects) != "[PFDEBUG TODENSE g]" {
		t.Errorf("PFDEBUG GETREG: %.20q %q", reply, effects)
	}
	if reply, effects = h.exec("PFDEBUG", "GETREG", "g"); fmt.Sprint(effects) != "[]" {
		t.Errorf("PFDEBUG GETREG of a dense HLL: %q", effects)
	}
}

// hllWorkload is a random mix of the HLL commands on a few keys, with
// corrupt HLLs, other types and expiry mixed in.
var hllWorkload = []func(r *rand.Rand) []string{
	func(r *rand.Rand) []string {
		args := []string{"PFADD", hllKey(r)}
		for range r.IntN(30) {
			args = append(args, "e"+strconv.Itoa(r.IntN(5000)))
		}
		return args
	},
	func(r *rand.Rand) []string { return []string{"PFCOUNT", hllKey(r)} },
	func(r *rand.Rand) []string { return []string{"PFCOUNT", hllKey(r), hllKey(r)} },
	func(r *rand.Rand) []string { return []string{"PFMERGE", hllKey(r), hllKey(r), hllKey(r)} },
	func(r *rand.Rand) []string { return []string{"PFMERGE", hllKey(r)} },
	func(r *rand.Rand) []string {
		return []string{"PFDEBUG", []string{"GETREG", "TODENSE", "ENCODING", "DECODE"}[r.IntN(4)], hllKey(r)}
	},
	func(r *rand.Rand) []string {
		// An HLL set whole, as from Redis: valid (16384 registers),
		// corrupt (8192, or a VAL past 16384), or not an HLL. They are
		// longer than 44 bytes, so raw strings: the conversion of a
		// shorter one to raw, which Redis does not propagate, is left out
		// (see TestHyperLogLogUnshare).
		hdr := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" + strings.Repeat("\x00", 30)
		return []string{"SET", hllKey(r), []string{hdr + "\x7f\xe1", hdr + "\x5f\xe1", hdr + "\x7f\xe1\x80", "HYLL"}[r.IntN(4)]}
	},
	func(r *rand.Rand) []string { return []string{"EXPIRE", hllKey(r), strconv.Itoa(1 + r.IntN(100))} },
	func(r *rand.Rand) []string { return []string{"DEL", hllKey(r)} },
	func(r *rand.Rand) []string { return []string{"SADD", hllKey(r), "m"} },
}

func hllKey(r *rand.Rand) string { return "h" + strconv.Itoa(r.IntN(6)) }

// TestHyperLogLogReplay runs random HLL commands while recording their
// effects, replays them into an empty keyspace and requires the same
// keys, byte for byte and with the same encodings; hll-sparse-max-bytes
// is low so that HLLs become dense along the way.
func TestHyperLogLogReplay(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			h := newHLLEngine(400)
			for range 3000 {
				h.exec(hllWorkload[r.IntN(len(hllWorkload))](r)...)
			}
			replayed := newHLLEngine(400)
			replayed.ks.Lock()
			err := replayed.e.Apply(h.log)
			replayed.ks.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			h.ks.Lock()
			want := dumpKeyspace(h.ks)
			h.ks.Unlock()
			replayed.ks.Lock()
			got := dumpKeyspace(replayed.ks)
			replayed.ks.Unlock()
			if got != want {
				t.Fatalf("replayed state differs (%d effects)\nreplayed:\n%s\noriginal:\n%s", len(h.log), got, want)
			}
		})
	}
}

// TestPFADDDenseUnchangedIsFree checks the fast path of PFADD on a dense
// HLL that the elements do not change: no copy, no allocation.
func TestPFADDDenseUnchangedIsFree(t *testing.T) {
	h := newHLLEngine(3000)
	for i := range 40 {
		args := []string{"PFADD", "d"}
		for j := range 100 {
			args = append(args, strconv.Itoa(i*100+j))
		}
		h.exec(args...)
	}
	if reply, _ := h.exec("PFDEBUG", "ENCODING", "d"); reply != "+dense\r\n" {
		t.Fatalf("PFDEBUG ENCODING: %q", reply)
	}
	args := bytesArgs([]string{"PFADD", "d", "1", "2", "3"})
	h.ks.Lock()
	defer h.ks.Unlock()
	allocs := testing.AllocsPerRun(100, func() {
		h.cl.W.Reset()
		h.e.Exec(h.cl, args)
	})
	if got := string(h.cl.W.Bytes()); got != ":0\r\n" {
		t.Fatalf("PFADD: %q", got)
	}
	if allocs > 0 {
		t.Errorf("PFADD of known elements to a dense HLL: %v allocations", allocs)
	}
}

// TestHyperLogLogUnshare checks that an HLL of up to 44 bytes SET whole,
// an embstr string, becomes raw once an HLL command looks at it, as
// Redis's dbUnshareStringValue makes it, without recording an effect:
// Redis propagates nothing either.
func TestHyperLogLogUnshare(t *testing.T) {
	h := newHLLEngine(3000)
	valid := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"
	for _, args := range [][]string{
		{"PFCOUNT", "k"}, {"PFADD", "k"}, {"PFADD", "k", "a"}, {"PFDEBUG", "ENCODING", "k"}, {"PFDEBUG", "FOO", "k"},
	} {
		h.exec("SET", "k", valid)
		if reply, _ := h.exec("OBJECT", "ENCODING", "k"); reply != "$6\r\nembstr\r\n" {
			t.Fatalf("OBJECT ENCODING after SET: %q", reply)
		}
		_, effects := h.exec(args...)
		if reply, _ := h.exec("OBJECT", "ENCODING", "k"); reply != "$3\r\nraw\r\n" {
			t.Errorf("OBJECT ENCODING after %q: %q", args, reply)
		}
		want := "[]"
		if args[1] == "k" && len(args) == 3 {
			want = "[PFADD k a]"
		}
		if fmt.Sprint(effects) != want {
			t.Errorf("%q recorded %q", args, effects)
		}
	}
}

// TestHyperLogLogSelfTest runs PFSELFTEST, which the differential script
// leaves out: its ten million additions take longer than the script waits
// for a reply under the race detector.
func TestHyperLogLogSelfTest(t *testing.T) {
	if testing.Short() || hllRaceEnabled {
		t.Skip("ten million elements")
	}
	h := newHLLEngine(3000)
	if reply, effects := h.exec("PFSELFTEST"); reply != "+OK\r\n" || effects != nil {
		t.Fatalf("PFSELFTEST: %q %q", reply, effects)
	}
	if reply, _ := h.exec("PFSELFTEST", "x"); reply != "-ERR wrong number of arguments for 'pfselftest' command\r\n" {
		t.Fatalf("PFSELFTEST x: %q", reply)
	}
}
