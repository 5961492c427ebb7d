package keyspace

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/cairn-db/cairn/keyspace/arena"
)

// settleArena collects the keyspaces earlier tests dropped and waits
// until their cleanups (which run on their own goroutine after a GC) have
// given their pages back, so that arena.InUse can be compared before and
// after a test.
func settleArena() int64 {
	prev := arena.InUse()
	for stable := 0; stable < 3; {
		runtime.GC()
		time.Sleep(2 * time.Millisecond)
		if n := arena.InUse(); n == prev {
			stable++
		} else {
			prev, stable = n, 0
		}
	}
	return prev
}

// checkIndex verifies the index's structure against the model pos -> tag:
// the directory (each segment pointed to by an aligned run of
// 1<<(depth-s.depth) entries), every slot in the segment its tag's top
// bits select and reachable from its home slot without crossing an empty
// slot, the counts, and exactly the model's (tag, pos) pairs.
func checkIndex(t testing.TB, x *index, m map[uint32]uint32) {
	t.Helper()
	if x.dir == nil {
		if x.n != 0 || len(m) != 0 {
			t.Fatalf("no directory, n %d, model %d", x.n, len(m))
		}
		return
	}
	if len(x.dir) != 1<<x.depth {
		t.Fatalf("directory of %d entries at depth %d", len(x.dir), x.depth)
	}
	segs, total := 0, 0
	seen := make(map[uint32]uint32, len(m))
	for i := 0; i < len(x.dir); {
		s := x.dir[i]
		if s.depth > x.depth {
			t.Fatalf("segment depth %d > directory depth %d", s.depth, x.depth)
		}
		span := 1 << (x.depth - s.depth)
		if i%span != 0 {
			t.Fatalf("segment of depth %d starts at directory entry %d", s.depth, i)
		}
		for j := i; j < i+span; j++ {
			if x.dir[j] != s {
				t.Fatalf("directory entries %d..%d: entry %d points elsewhere", i, i+span-1, j)
			}
		}
		// run is the number of consecutive full slots ending at k; start
		// the walk just after an empty slot so that runs that wrap around
		// are counted whole.
		start := -1
		for k, v := range s.slots {
			if v == 0 {
				start = k
				break
			}
		}
		if start < 0 {
			t.Fatalf("segment %d has no empty slot", i)
		}
		count, run := 0, 0
		for off := 1; off <= segSlots; off++ {
			k := uint32(start+off) & segMask
			v := s.slots[k]
			if v == 0 {
				run = 0
				continue
			}
			run++
			count++
			tag, pos := uint32(v>>32), uint32(v)-1
			if s.depth > 0 && int(tag>>(32-s.depth)) != i>>(x.depth-s.depth) {
				t.Fatalf("tag %#x in the segment of directory entry %d (depth %d)", tag, i, s.depth)
			}
			if dist := (k - tag) & segMask; int(dist) >= run {
				t.Fatalf("tag %#x at slot %d, %d from home, after an empty slot", tag, k, dist)
			}
			if _, dup := seen[pos]; dup {
				t.Fatalf("position %d in two slots", pos)
			}
			seen[pos] = tag
		}
		if count != s.n {
			t.Fatalf("segment at %d: n %d, %d slots in use", i, s.n, count)
		}
		segs++
		total += count
		i += span
	}
	if segs != x.segments || total != x.n || x.n != len(m) {
		t.Fatalf("%d segments (counted %d), n %d (counted %d), model %d", x.segments, segs, x.n, total, len(m))
	}
	for pos, tag := range m {
		if got, ok := seen[pos]; !ok || got != tag {
			t.Fatalf("position %d: tag %#x in the index (%v), %#x in the model", pos, got, ok, tag)
		}
	}
}

// tagKinds are tag distributions, each made to stress one part of the
// index. They return a generator so that a kind can draw from a fixed
// pool.
var tagKinds = []struct {
	name string
	// keys is the size the test grows the index to.
	keys int
	gen  func(r *rand.Rand) func() uint32
}{
	{"random", 20_000, func(r *rand.Rand) func() uint32 { return r.Uint32 }},
	// Every tag has the same home slot, near the end of the segment: each
	// segment is one probe cluster that wraps around, which the backward
	// shift of remove must keep intact.
	{"sameHome", 14_000, func(r *rand.Rand) func() uint32 {
		return func() uint32 { return r.Uint32()&^segMask | (segMask - 3) }
	}},
	// A few hundred tags for thousands of positions: find must ask eq,
	// and remove and move must pick the slot by position, not by tag.
	{"fewTags", 14_000, func(r *rand.Rand) func() uint32 {
		pool := make([]uint32, 300)
		for i := range pool {
			pool[i] = r.Uint32()
		}
		// Two tags differing only in the lowest bit, so adjacent homes.
		pool[0], pool[1] = 0x12345678, 0x12345679
		return func() uint32 { return pool[r.IntN(len(pool))] }
	}},
	// The top 16 bits are zero: splits on them move nothing, so the
	// directory deepens to 17 with one side of every split empty, and
	// segments of many depths share it.
	{"lowEntropy", 14_000, func(r *rand.Rand) func() uint32 {
		return func() uint32 { return r.Uint32() & 0xffff }
	}},
}

// TestIndexAgainstModel inserts, removes and moves (tag, position) pairs
// in phases of growth and shrinkage, against a map, checking find after
// every step and the whole structure now and then.
func TestIndexAgainstModel(t *testing.T) {
	for _, kind := range tagKinds {
		t.Run(kind.name, func(t *testing.T) {
			before := settleArena()
			r := rand.New(rand.NewPCG(1, uint64(len(kind.name))))
			tag := kind.gen(r)
			var x index
			m := map[uint32]uint32{} // pos -> tag
			var positions []uint32   // the keys of m, to pick from
			freshPos := func() uint32 {
				for {
					// Now and then the largest position, whose slot value
					// is all ones in its low half.
					p := uint32(1<<32 - 2)
					if r.IntN(1000) != 0 {
						p = r.Uint32N(1<<32 - 2)
					}
					if _, used := m[p]; !used {
						return p
					}
				}
			}
			// mustFind checks that pos is found under tag, and that find
			// only asks eq about positions that have this tag.
			mustFind := func(step int, tg, pos uint32, want bool) {
				t.Helper()
				got, ok := x.find(tg, func(p uint32) bool {
					if m[p] != tg {
						t.Fatalf("step %d: find(%#x) asked about position %d, tag %#x", step, tg, p, m[p])
					}
					return p == pos
				})
				if ok != want || (ok && got != pos) {
					t.Fatalf("step %d: find(%#x, %d) = %d, %v, want %v", step, tg, pos, got, ok, want)
				}
			}
			phases := []struct {
				target int
				grow   bool
			}{{kind.keys, true}, {kind.keys / 10, false}, {kind.keys, true}, {0, false}}
			step := 0
			maxSegments := 0
			for _, ph := range phases {
				for (ph.grow && len(m) < ph.target) || (!ph.grow && len(m) > ph.target) {
					step++
					// Growing: 7 in 10 inserts, 1 remove; shrinking the
					// reverse.
					op, inserts := r.IntN(10), 7
					if !ph.grow {
						inserts = 1
					}
					switch {
					case op < inserts || len(m) == 0: // insert
						tg, pos := tag(), freshPos()
						x.insert(tg, pos)
						m[pos] = tg
						positions = append(positions, pos)
						mustFind(step, tg, pos, true)
					case op < 8: // remove
						i := r.IntN(len(positions))
						pos := positions[i]
						tg := m[pos]
						x.remove(tg, pos)
						delete(m, pos)
						positions[i] = positions[len(positions)-1]
						positions = positions[:len(positions)-1]
						mustFind(step, tg, pos, false)
						// The backward shift must leave the rest of the
						// cluster findable: probe a survivor.
						if len(positions) > 0 {
							p := positions[r.IntN(len(positions))]
							mustFind(step, m[p], p, true)
						}
					case op < 9: // move, as a removal moves the last entry
						i := r.IntN(len(positions))
						from, to := positions[i], freshPos()
						tg := m[from]
						x.move(tg, from, to)
						delete(m, from)
						m[to] = tg
						positions[i] = to
						mustFind(step, tg, from, false)
						mustFind(step, tg, to, true)
					default: // absent position under a present tag
						p := positions[r.IntN(len(positions))]
						mustFind(step, m[p], freshPos(), false)
					}
					if x.n != len(m) {
						t.Fatalf("step %d: n %d, model %d", step, x.n, len(m))
					}
					if step%2000 == 0 {
						checkIndex(t, &x, m)
					}
					maxSegments = max(maxSegments, x.segments)
				}
				checkIndex(t, &x, m)
				if got, want := arena.InUse()-before, int64(x.segments)*arena.PageSize; got != want {
					t.Fatalf("arena holds %d bytes more, the index has %d segments (%d bytes)", got, x.segments, want)
				}
			}
			// The growth must have split segments, or the test proves
			// little.
			if maxSegments < 4 {
				t.Fatalf("only %d segments at most", maxSegments)
			}
			t.Logf("%d steps, %d segments, directory depth %d", step, x.segments, x.depth)
			x.release()
			if got := arena.InUse(); got != before {
				t.Fatalf("arena holds %d bytes after release, %d before", got, before)
			}
			if x.dir != nil || x.n != 0 || x.segments != 0 {
				t.Fatalf("index not empty after release: %+v", x)
			}
		})
	}
}

// TestIndexReserve checks that reserve(n) makes room for n keys: n random
// tags then fit without a split, and reserve splits no more than needed.
func TestIndexReserve(t *testing.T) {
	for _, n := range []int{1, segMax, segMax * 3 / 4, 50_000, 300_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(n), 2))
			var x index
			defer x.release()
			x.reserve(n)
			segs := x.segments
			if segs*segMax*3/4 < n {
				t.Fatalf("%d segments for %d keys", segs, n)
			}
			// Segments double, so half as many must not have sufficed.
			if segs > 1 && segs/2*segMax*3/4 >= n {
				t.Fatalf("%d segments for %d keys: more than needed", segs, n)
			}
			m := make(map[uint32]uint32, n)
			for pos := range uint32(n) {
				tg := r.Uint32()
				x.insert(tg, pos)
				m[pos] = tg
			}
			if x.segments != segs {
				t.Fatalf("%d inserts after reserve split: %d segments, %d after reserve", n, x.segments, segs)
			}
			checkIndex(t, &x, m)
		})
	}
}

// TestIndexReleaseAndReuse checks that release gives back every page,
// shared directory entries counted once, and that the index works again
// after.
func TestIndexReleaseAndReuse(t *testing.T) {
	before := settleArena()
	r := rand.New(rand.NewPCG(3, 3))
	var x index
	for round := range 2 {
		m := map[uint32]uint32{}
		// lowEntropy tags leave segments of many depths, so that most
		// segments have several directory entries.
		for pos := range uint32(30_000) {
			tg := r.Uint32()
			if round == 1 {
				tg &= 0xfffff
			}
			x.insert(tg, pos)
			m[pos] = tg
		}
		checkIndex(t, &x, m)
		if got, want := arena.InUse()-before, int64(x.segments)*arena.PageSize; got != want {
			t.Fatalf("round %d: arena holds %d bytes more, %d segments", round, got, x.segments)
		}
		x.release()
		if got := arena.InUse(); got != before {
			t.Fatalf("round %d: arena holds %d bytes after release, %d before", round, got, before)
		}
		if _, ok := x.find(1, func(uint32) bool { return true }); ok {
			t.Fatal("find in a released index")
		}
	}
}
