package datatypes_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/keyspace/arena"
)

const memKeys = 100_000

// memWorkload is a set of keys, each with the arguments of the one command
// that builds its value (HSET's field/value pairs, SADD's members).
type memWorkload struct {
	name  string
	cmd   string
	keys  []string
	args  [][]string
	build func(args []string) datatypes.Value
}

func memWorkloads() []memWorkload {
	lim := datatypes.DefaultLimits()
	hashes := memWorkload{name: "hash of 10 small fields", cmd: "HSET", build: func(args []string) datatypes.Value {
		h := datatypes.NewHash()
		for j := 0; j < len(args); j += 2 {
			h.Set(lim, []byte(args[j]), []byte(args[j+1]))
		}
		return h
	}}
	sets := memWorkload{name: "set of 10 integers", cmd: "SADD", build: func(args []string) datatypes.Value {
		s := datatypes.NewSet()
		for _, m := range args {
			s.Add(lim, []byte(m))
		}
		return s
	}}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range memKeys {
		var pairs, members []string
		for j := range 10 {
			pairs = append(pairs, fmt.Sprint("field", j), fmt.Sprintf("value%d-%d", j, i%1000))
			members = append(members, strconv.Itoa(rng.IntN(1_000_000)))
		}
		hashes.keys = append(hashes.keys, fmt.Sprint("hash:", i))
		hashes.args = append(hashes.args, pairs)
		sets.keys = append(sets.keys, fmt.Sprint("set:", i))
		sets.args = append(sets.args, members)
	}
	return []memWorkload{hashes, sets}
}

// heapGrowth returns the live heap bytes fn adds, per one of n things.
func heapGrowth(n int, fn func()) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	pagesBefore := arena.InUse()
	fn()
	runtime.GC()
	runtime.ReadMemStats(&after)
	// The keyspace keeps its keys in arena pages, outside the heap.
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc) + arena.InUse() - pagesBefore
	return float64(grown) / float64(n)
}

// TestMemoryVsRedis loads the same 100,000 hashes of 10 small fields and
// 100,000 sets of 10 integers into cairn's values and into redis-server
// 7.0, and requires a compact value to take at most 1.5 times what Redis
// spends on it. Redis's value cost is its used_memory growth minus that
// of the same keys holding a shared integer; cairn's is the Go heap
// growth. The costs with each side's keyspace (cairn's: heap and arena
// pages) are logged.
func TestMemoryVsRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 300,000 keys into redis-server")
	}
	addr := testutil.StartRedis(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()

	workloads := memWorkloads()
	redisKeyOnly := redisGrowth(t, ctx, rdb, func(p redis.Pipeliner, i int) {
		p.Set(ctx, workloads[0].keys[i], 1, 0)
	})
	for _, w := range workloads {
		redisTotal := redisGrowth(t, ctx, rdb, func(p redis.Pipeliner, i int) {
			args := []any{strings.ToLower(w.cmd), w.keys[i]}
			for _, a := range w.args[i] {
				args = append(args, a)
			}
			p.Do(ctx, args...)
		})
		values := make([]datatypes.Value, memKeys)
		goValue := heapGrowth(memKeys, func() {
			for i := range values {
				values[i] = w.build(w.args[i])
			}
		})
		want := map[string]string{"HSET": "listpack", "SADD": "intset"}[w.cmd]
		if enc := values[0].Encoding(); enc != want {
			t.Fatalf("%s: encoding %s, want %s", w.name, enc, want)
		}
		runtime.KeepAlive(values)
		values = nil

		ks := keyspace.New(keyspace.Options{Databases: 1})
		db := ks.DB(0)
		goTotal := heapGrowth(memKeys, func() {
			// Each Set as a command of its own: the dispatcher writes
			// compact values back after each (FlushDirty).
			for i, k := range w.keys {
				db.Set([]byte(k), w.build(w.args[i]))
				ks.FlushDirty()
			}
		})
		// Give the pages back now rather than when a collection finds
		// ks dropped, which could fall in the next measurement.
		ks.Lock()
		ks.FlushAll()
		ks.Unlock()

		redisValue := redisTotal - redisKeyOnly
		t.Logf("%s: bytes per value: cairn %.0f, Redis %.0f (%.2fx); with the keyspace: cairn %.0f, Redis %.0f (%.2fx)",
			w.name, goValue, redisValue, goValue/redisValue, goTotal, redisTotal, goTotal/redisTotal)
		if goValue > 1.5*redisValue {
			t.Errorf("%s: %.0f bytes per value, more than 1.5 times Redis's %.0f", w.name, goValue, redisValue)
		}
	}
}

// redisGrowth flushes the server, runs one command per key in pipelines
// and returns the used_memory growth per key.
func redisGrowth(t *testing.T, ctx context.Context, rdb *redis.Client, cmd func(p redis.Pipeliner, i int)) float64 {
	t.Helper()
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	before := usedMemory(t, ctx, rdb)
	for start := 0; start < memKeys; start += 1000 {
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := start; i < start+1000; i++ {
				cmd(p, i)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return float64(usedMemory(t, ctx, rdb)-before) / memKeys
}

func usedMemory(t *testing.T, ctx context.Context, rdb *redis.Client) int64 {
	t.Helper()
	info, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "used_memory:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no used_memory in INFO memory")
	return 0
}

// TestBigTableMemory logs the live heap bytes per element of a set of
// 1,000,000 short members ("m%d") and of a hash of 1,000,000 fields
// ("field%d") with 10-byte values, both hashtables. Redis 7.0's RSS grows
// by about 66 and 83 bytes an element for the like (bench/memory.sh's
// bigset and bighash); the bounds leave room for the collector's headroom
// over the live heap, and catch a table that costs an allocation per
// entry again (44 and 60).
func TestBigTableMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two tables of 1,000,000 entries")
	}
	const n = 1_000_000
	lim := datatypes.DefaultLimits()
	var set *datatypes.Set
	perSet := heapGrowth(n, func() {
		set = datatypes.NewSet()
		var buf []byte
		for i := range n {
			buf = strconv.AppendInt(append(buf[:0], 'm'), int64(i), 10)
			set.Add(lim, buf)
		}
	})
	runtime.KeepAlive(set)
	set = nil
	var hash *datatypes.Hash
	perField := heapGrowth(n, func() {
		hash = datatypes.NewHash()
		var buf []byte
		val := []byte("0123456789")
		for i := range n {
			buf = strconv.AppendInt(append(buf[:0], "field"...), int64(i), 10)
			hash.Set(lim, buf, val)
		}
	})
	runtime.KeepAlive(hash)
	t.Logf("heap bytes: %.1f per set member, %.1f per hash field", perSet, perField)
	if perSet > 32 || perField > 48 {
		t.Errorf("heap bytes %.1f per set member (want <= 32), %.1f per hash field (want <= 48)", perSet, perField)
	}
}

// TestMemoryUsageMatchesHeap builds a few thousand large values of every
// type and encoding, with some churn, and requires the sum of their
// MemoryUsage to be within 5% of the live heap they add.
func TestMemoryUsageMatchesHeap(t *testing.T) {
	lim := datatypes.DefaultLimits()
	rng := rand.New(rand.NewPCG(8, 9))
	bytesOf := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		return b
	}
	builds := []func() datatypes.Value{
		func() datatypes.Value {
			return datatypes.NewString(bytesOf(100 + rng.IntN(20000)))
		},
		func() datatypes.Value {
			s := datatypes.NewString(bytesOf(50 + rng.IntN(100)))
			for range rng.IntN(20) {
				s.Append(bytesOf(rng.IntN(500)))
			}
			return s
		},
		func() datatypes.Value {
			l := datatypes.NewList(lim)
			for range 50 + rng.IntN(400) {
				switch v := bytesOf(rng.IntN(200)); rng.IntN(5) {
				case 0:
					l.PushFront(v)
				case 1:
					l.PopBack()
				default:
					l.PushBack(v)
				}
			}
			return l
		},
		func() datatypes.Value { // listpack
			h := datatypes.NewHash()
			for i := range 10 + rng.IntN(200) {
				h.Set(lim, fmt.Append(nil, "field", i), bytesOf(rng.IntN(60)))
			}
			return h
		},
		func() datatypes.Value { // hashtable
			h := datatypes.NewHash()
			for i := range 300 + rng.IntN(600) {
				h.Set(lim, fmt.Append(nil, "field", i), bytesOf(rng.IntN(60)))
				if i%4 == 0 {
					h.Delete(fmt.Append(nil, "field", rng.IntN(i+1)))
				}
			}
			return h
		},
		func() datatypes.Value { // intset
			s := datatypes.NewSet()
			for range 10 + rng.IntN(500) {
				s.Add(lim, fmt.Append(nil, rng.IntN(1<<40)))
			}
			return s
		},
		func() datatypes.Value { // hashtable
			s := datatypes.NewSet()
			for range 100 + rng.IntN(600) {
				s.Add(lim, bytesOf(5+rng.IntN(30)))
			}
			for range 50 {
				s.Pop(rng)
			}
			return s
		},
	}
	values := make([]datatypes.Value, 2100)
	grown := heapGrowth(1, func() {
		for i := range values {
			values[i] = builds[i%len(builds)]()
		}
	})
	sum := 0
	for _, v := range values {
		sum += v.MemoryUsage()
	}
	runtime.KeepAlive(values)
	t.Logf("MemoryUsage %d bytes, heap growth %.0f (%.2f%%)", sum, grown, 100*(float64(sum)/grown-1))
	if d := float64(sum)/grown - 1; d > 0.05 || d < -0.05 {
		t.Errorf("MemoryUsage sums to %d bytes, the heap grew %.0f", sum, grown)
	}
}
