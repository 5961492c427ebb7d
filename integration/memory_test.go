package integration

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace/arena"
	"github.com/redis/go-redis/v9"
)

// liveMemory is what the process holds for data after a full collection:
// the live Go heap and the keyspace's arena pages (whose free slots and
// unfilled page ends, the slab's fragmentation, count here and not in
// used_memory: a few MB, one or two pages per size class in use).
// Keyspaces dropped by earlier tests give their pages back in cleanups
// that run after a collection: it collects until the pages in use stop
// changing.
func liveMemory() (heap, pages int64) {
	var ms runtime.MemStats
	pages = -1
	for range 20 {
		runtime.GC()
		if n := arena.InUse(); n != pages {
			pages = n
			time.Sleep(10 * time.Millisecond) // let the cleanups run
			continue
		}
		break
	}
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc), pages
}

// TestUsedMemoryMatchesHeap: used_memory is cairn's own count of what its
// data holds; after loading mixed data (short and long strings, with and
// without expiry times, small and large hashes, lists and sets), its
// growth is within 6% of the growth of what the process really holds
// (the heap part within a fraction of a percent; the slab's unfilled
// page ends, one per size class in use, are most of the rest, about 4% of
// this data set), and MEMORY USAGE of every key adds up to the dataset
// part of it.
func TestUsedMemoryMatchesHeap(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	c := pClient(t, srv.Addr, 0)
	heap0, pages0 := liveMemory()
	used0, dataset0 := infoInt(t, c, "used_memory"), infoInt(t, c, "used_memory_dataset")

	loadMixed(t, c)

	heap1, pages1 := liveMemory()
	used1 := infoInt(t, c, "used_memory")
	grew, counted := heap1+pages1-heap0-pages0, used1-used0
	t.Logf("the process holds %d bytes more (heap %d, arena %d), used_memory says %d (%.3f)",
		grew, heap1-heap0, pages1-pages0, counted, float64(counted)/float64(grew))
	if diff := float64(counted-grew) / float64(grew); diff < -0.06 || diff > 0.06 {
		t.Errorf("used_memory grew by %d, the live heap and arena pages by %d: %.1f%% apart", counted, grew, 100*diff)
	}

	var keys []string
	for i := range 100 {
		for j := range 1000 {
			keys = append(keys, fmt.Sprintf("str:%d:%d", i, j))
		}
	}
	for i := range 2000 {
		keys = append(keys, fmt.Sprintf("big:%d", i))
	}
	for i := range 3000 {
		keys = append(keys, fmt.Sprintf("hash:%d", i), fmt.Sprintf("list:%d", i), fmt.Sprintf("set:%d", i), fmt.Sprintf("ints:%d", i))
	}
	var usage int64
	for i := 0; i < len(keys); i += 1000 {
		p := c.Pipeline()
		var cmds []*redis.IntCmd
		for _, k := range keys[i:min(i+1000, len(keys))] {
			cmds = append(cmds, p.MemoryUsage(pctx, k))
		}
		if _, err := p.Exec(pctx); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range cmds {
			usage += cmd.Val()
		}
	}
	dataset := infoInt(t, c, "used_memory_dataset") - dataset0
	t.Logf("MEMORY USAGE of every key adds up to %d, used_memory_dataset grew by %d", usage, dataset)
	if diff := float64(usage-dataset) / float64(dataset); diff < -0.1 || diff > 0.1 {
		t.Errorf("MEMORY USAGE of every key adds up to %d, used_memory_dataset grew by %d", usage, dataset)
	}
}

// TestUsedMemoryCountsClients: connections and what their buffers hold
// count in used_memory (mem_clients_normal), as in Redis.
func TestUsedMemoryCountsClients(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	c := pClient(t, srv.Addr, 0)
	before := infoInt(t, c, "mem_clients_normal")
	var conns []*conn
	for range 100 {
		cn := &conn{name: "cairn", addr: srv.Addr, timeout: replyTimeout}
		if err := cn.dial(); err != nil {
			t.Fatal(err)
		}
		defer cn.nc.Close()
		// A reply of 30 KB grows the connection's reply buffer, which it
		// keeps.
		if _, _, err := cn.do(encodeCommand([]string{"ECHO", strings.Repeat("x", 30000)})); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, cn)
	}
	pWait(t, 5*time.Second, "the cron to count the connections' buffers", func() bool {
		return infoInt(t, c, "mem_clients_normal")-before >= 100*(12<<10+30000)
	})
	for _, cn := range conns {
		cn.nc.Close()
	}
	// This client's own buffers, uncounted at first, may count by now.
	pWait(t, 5*time.Second, "closed connections to be forgotten", func() bool {
		return infoInt(t, c, "mem_clients_normal") <= before+64<<10
	})
}

// loadMixed loads TestUsedMemoryMatchesHeap's data: 100,000 strings of 10
// to 100 bytes (half with an expiry time), 2,000 of 3 to 33 KB, and 3,000
// each of hashes, lists, sets of strings and sets of integers, one in 30
// large.
func loadMixed(t *testing.T, c *redis.Client) {
	r := rand.New(rand.NewPCG(1, 2))
	value := func(n int) string { return strings.Repeat(string(rune('a'+r.IntN(26))), n) }
	batch := func(fn func(p redis.Pipeliner)) {
		p := c.Pipeline()
		fn(p)
		if _, err := p.Exec(pctx); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 100 {
		batch(func(p redis.Pipeliner) {
			for j := range 1000 {
				k := fmt.Sprintf("str:%d:%d", i, j)
				ttl := time.Duration(0)
				if j%2 == 0 {
					ttl = time.Hour
				}
				p.Set(pctx, k, value(10+r.IntN(90)), ttl)
			}
		})
	}
	batch(func(p redis.Pipeliner) {
		for i := range 2000 {
			k := fmt.Sprintf("big:%d", i)
			p.Set(pctx, k, value(3000+r.IntN(30000)), 0)
		}
	})
	for i := range 3000 {
		hk, lk, sk, ik := fmt.Sprintf("hash:%d", i), fmt.Sprintf("list:%d", i), fmt.Sprintf("set:%d", i), fmt.Sprintf("ints:%d", i)
		fields, elems := 10, 10
		if i%30 == 0 { // large: hashtable, several list nodes
			fields, elems = 2000, 3000
		}
		batch(func(p redis.Pipeliner) {
			for j := range fields {
				p.HSet(pctx, hk, fmt.Sprintf("f%d", j), value(5+r.IntN(40)))
				p.SAdd(pctx, sk, fmt.Sprintf("m%d", j))
				p.SAdd(pctx, ik, j*7)
			}
			for range elems {
				p.RPush(pctx, lk, value(5+r.IntN(60)))
			}
		})
	}

}
