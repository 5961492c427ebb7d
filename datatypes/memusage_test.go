package datatypes

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// listMemorySlow is List.MemoryUsage counted from scratch, node by node.
func listMemorySlow(l *List) int {
	total := AllocSize(int(unsafe.Sizeof(*l))) + ptrAllocSize(int(unsafe.Sizeof(listNode{}))*cap(l.nodes))
	for i := range int(l.cnt) {
		total += AllocSize(cap(l.node(i).buf))
	}
	return total
}

// tableMemorySlow is table.memoryUsage counted from scratch, allocation
// by allocation.
func tableMemorySlow(t *table) int {
	const sliceHeader = 24
	total := AllocSize(int(unsafe.Sizeof(*t))) + AllocSize(4*cap(t.buckets)) + AllocSize(4*cap(t.bigFree)) +
		ptrAllocSize(sliceHeader*cap(t.pages)) + ptrAllocSize(sliceHeader*cap(t.chunks)) +
		ptrAllocSize(sliceHeader*cap(t.bigs))
	for _, pg := range t.pages {
		total += AllocSize(int(unsafe.Sizeof(slot{})) * cap(pg))
	}
	for _, ch := range t.chunks {
		total += AllocSize(cap(ch))
	}
	for _, b := range t.bigs {
		total += AllocSize(cap(b))
	}
	return total
}

// TestAllocSize checks AllocSize against the runtime, which rounds the
// capacity of a grown slice up to the size of the allocation.
func TestAllocSize(t *testing.T) {
	if AllocSize(0) != 0 {
		t.Fatalf("AllocSize(0) = %d", AllocSize(0))
	}
	src := make([]byte, 40000)
	for n := 1; n <= len(src); n++ {
		if got, want := AllocSize(n), cap(append([]byte(nil), src[:n]...)); got != want {
			t.Fatalf("AllocSize(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestAllocSizeOnHeap checks AllocSize and ptrAllocSize against the
// growth of the live heap, which also sees the malloc header of objects
// that hold pointers. (Under 16 bytes, objects without pointers share
// blocks of 16, unless the race detector is on.)
func TestAllocSizeOnHeap(t *testing.T) {
	const count = 256
	for _, n := range []int{16, 24, 504, 512, 520, 640, 1016, 1024, 4096, 9000, 32760, 32768, 40000} {
		// The runtime's own allocations move the heap a little (more on a
		// busy machine, a background worker's buffers): the closest of
		// three measurements counts. Sizes differ by 8 bytes at least.
		var per, perPtrs float64 = math.Inf(1), math.Inf(1)
		for range 3 {
			bytes, ptrs := make([][]byte, count), make([][]*byte, count)
			grown := heapAllocGrowth(func() {
				for i := range bytes {
					bytes[i] = make([]byte, n)
				}
			})
			grownPtrs := heapAllocGrowth(func() {
				for i := range ptrs {
					ptrs[i] = make([]*byte, n/8)
				}
			})
			runtime.KeepAlive(bytes)
			runtime.KeepAlive(ptrs)
			per = closer(per, float64(grown)/count, float64(AllocSize(n)))
			perPtrs = closer(perPtrs, float64(grownPtrs)/count, float64(ptrAllocSize(n)))
		}
		if math.Abs(per-float64(AllocSize(n))) >= 4 {
			t.Errorf("%d bytes: the heap grows %.1f bytes each, AllocSize says %d", n, per, AllocSize(n))
		}
		if math.Abs(perPtrs-float64(ptrAllocSize(n))) >= 4 {
			t.Errorf("%d bytes of pointers: the heap grows %.1f bytes each, ptrAllocSize says %d", n, perPtrs, ptrAllocSize(n))
		}
	}
}

// closer returns whichever of a and b is nearer to want.
func closer(a, b, want float64) float64 {
	if math.Abs(b-want) < math.Abs(a-want) {
		return b
	}
	return a
}

func heapAllocGrowth(fn func()) int64 {
	var before, after runtime.MemStats
	// The second collection frees what sync.Pools let go of in the first.
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

// TestListMemoryUsageOps checks after every random operation that a
// list's running count of its node buffers adds up, with elements from
// empty to several KiB so that node buffers grow, shrink, split, merge
// and are trimmed, under each kind of fill.
func TestListMemoryUsageOps(t *testing.T) {
	// Node counts that LSET and LINSERT raise (splits) and LREM lowers
	// (merges, or nodes emptied).
	splits, merges := 0, 0
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 21))
		fill := fills[int(seed)%len(fills)]
		l := NewList(Limits{ListMaxListpackSize: fill})
		var model []string
		elem := func() string {
			s := fmt.Sprint(rng.IntN(6))
			switch r := rng.IntN(20); {
			case r == 0:
				s += strings.Repeat("L", 1000+rng.IntN(6000))
			case r < 5:
				s += strings.Repeat("m", rng.IntN(300))
			}
			return s
		}
		for step := range 600 {
			cnt := l.cnt
			v := elem()
			i := rng.IntN(len(model)+1) - len(model)/2
			switch op := rng.IntN(10); op {
			case 0, 1:
				l.PushBack([]byte(v))
				model = append(model, v)
			case 2, 3:
				l.PushFront([]byte(v))
				model = append([]string{v}, model...)
			case 4:
				if _, ok := l.PopFront(); ok {
					model = model[1:]
				}
				if _, ok := l.PopBack(); ok {
					model = model[:len(model)-1]
				}
			case 5:
				if j, ok := l.normIndex(i); ok {
					l.Set(i, []byte(v))
					model[j] = v
				}
				if l.cnt > cnt {
					splits++
				}
			case 6:
				if len(model) > 0 {
					pivot := model[rng.IntN(len(model))]
					l.Insert([]byte(pivot), []byte(v), rng.IntN(2) == 0)
					model = listItems(l)
				}
				if l.cnt > cnt {
					splits++
				}
			case 7:
				if len(model) > 0 {
					l.Remove(rng.IntN(5)-2, []byte(model[rng.IntN(len(model))]))
					model = listItems(l)
				}
				if l.cnt < cnt {
					merges++
				}
			case 8:
				if rng.IntN(10) == 0 {
					l.Trim(i, i+rng.IntN(len(model)+1))
					model = listItems(l)
				}
			case 9:
				c := l.Clone().(*List)
				checkList(t, c, model)
				if b, kind := AppendCompact(nil, l, 1<<20); kind == CompactList {
					checkList(t, FromCompact(kind, b).(*List), model)
				}
			}
			if m, slow := l.MemoryUsage(), listMemorySlow(l); m != slow {
				t.Fatalf("seed %d step %d: MemoryUsage %d, recounted %d", seed, step, m, slow)
			}
			if step%50 == 0 {
				checkList(t, l, model)
			}
		}
	}
	t.Logf("%d splits, %d merges", splits, merges)
	if splits == 0 || merges == 0 {
		t.Fatalf("%d splits, %d merges", splits, merges)
	}
}

// TestTableMemoryUsageOps checks after every random operation that
// hashtable hashes and sets count their memory as a recount does, through
// inserts, updates that grow and shrink values, big records, deletes,
// resizes and compactions; with one chunk at most too, so that records
// overflow to bigs.
func TestTableMemoryUsageOps(t *testing.T) {
	for _, overflow := range []bool{false, true} {
		t.Run(fmt.Sprint("overflow=", overflow), func(t *testing.T) {
			if overflow {
				defer func(l int) { chunkLimit = l }(chunkLimit)
				chunkLimit = 1
			}
			tableMemoryOps(t)
		})
	}
}

func tableMemoryOps(t *testing.T) {
	lim := DefaultLimits()
	rng := rand.New(rand.NewPCG(5, 6))
	h, s := NewHash(), NewSet()
	compactions, shrinks, bigs, pages := 0, 0, 0, 0
	value := func() []byte {
		switch r := rng.IntN(50); {
		case r == 0:
			return []byte(strings.Repeat("B", maxChunkRecord+rng.IntN(3000)))
		case r < 10:
			return []byte(strings.Repeat("v", 65+rng.IntN(300)))
		}
		return fmt.Append(nil, rng.Uint64()>>rng.IntN(64))
	}
	check := func(step int) {
		t.Helper()
		if m, slow := h.MemoryUsage(), AllocSize(int(unsafe.Sizeof(*h)))+tableMemorySlow(h.ht); m != slow {
			t.Fatalf("step %d: hash MemoryUsage %d, recounted %d", step, m, slow)
		}
		if m, slow := s.MemoryUsage(), AllocSize(int(unsafe.Sizeof(*s)))+tableMemorySlow(s.ht); m != slow {
			t.Fatalf("step %d: set MemoryUsage %d, recounted %d", step, m, slow)
		}
	}
	// Hashtables from the start, made as a listpack hash converts and as
	// a set comes back from its compact form.
	hset(h, lim, "a", "1", "b", "2", "x", strings.Repeat("x", 100))
	addAll(s, lim, "a", "x")
	b, kind := AppendCompact(nil, s, 1024)
	s = FromCompact(kind, b).(*Set)
	check(-1)
	const steps = 40000
	for step := range steps {
		// Keys are drawn from a range that widens, so that the tables
		// grow and churn; the last quarter of the steps deletes, so that
		// they shrink.
		k := fmt.Append(nil, "k", rng.IntN(1+step/2))
		if rng.IntN(500) == 0 {
			k = []byte(strings.Repeat("K", maxChunkRecord+rng.IntN(100)))
		}
		op := rng.IntN(6)
		if step >= steps*3/4 {
			op = 5
		}
		dead, buckets := h.ht.dead+s.ht.dead, len(h.ht.buckets)+len(s.ht.buckets)
		switch op {
		case 0, 1, 2, 3:
			h.Set(lim, k, value())
			s.Add(lim, k)
		case 4:
			h.Delete(k)
			s.Remove(k)
		case 5:
			if s.Len() > 1 {
				s.Pop(rng)
			}
			if h.Len() > 1 {
				f, _, _ := h.RandomField(rng)
				h.Delete(append([]byte(nil), f...))
			}
		}
		if h.ht.dead+s.ht.dead < dead {
			compactions++
		}
		if len(h.ht.buckets)+len(s.ht.buckets) < buckets {
			shrinks++
		}
		bigs, pages = max(bigs, len(h.ht.bigs)+len(s.ht.bigs)), max(pages, len(h.ht.pages)+len(s.ht.pages))
		check(step)
		if step%5000 == 0 {
			h, s = h.Clone().(*Hash), s.Clone().(*Set)
			check(step)
		}
	}
	t.Logf("%d compactions, %d shrinks, %d bigs and %d pages at most", compactions, shrinks, bigs, pages)
	if compactions == 0 || shrinks == 0 {
		t.Fatalf("%d compactions, %d shrinks", compactions, shrinks)
	}
}
