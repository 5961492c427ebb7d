package datatypes

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTableModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tb := newTable(0, true)
	model := map[string]string{}
	// 10,000 keys span several slab pages.
	for step := range 60000 {
		// After step 36,000 only deletes run, so that the table
		// shrinks and compacts.
		k := fmt.Sprint(rng.IntN(10000))
		if step == 36000 && len(tb.pages) < 2 {
			t.Fatalf("%d entries fit in %d page", tb.n, len(tb.pages))
		}
		switch rng.IntN(3) {
		case 0, 1:
			if step > 36000 {
				break
			}
			v := fmt.Sprint(step)
			if i := tb.find([]byte(k)); i >= 0 {
				tb.setValue(i, []byte(v))
			} else {
				tb.insert([]byte(k), []byte(v))
			}
			model[k] = v
		default:
			_, had := model[k]
			if got := tb.remove([]byte(k)); got != had {
				t.Fatalf("step %d: remove(%s) = %v, want %v", step, k, got, had)
			}
			delete(model, k)
		}
	}
	checkTable(t, tb, model)
	checkTable(t, tb.clone(), model)
	if len(tb.pages) != 1 {
		t.Fatalf("%d pages for %d entries", len(tb.pages), tb.n)
	}
}

func checkTable(t *testing.T, tb *table, model map[string]string) {
	t.Helper()
	if tb.n != len(model) {
		t.Fatalf("n = %d, want %d", tb.n, len(model))
	}
	for k, v := range model {
		i := tb.find([]byte(k))
		if i < 0 || string(tb.key(i)) != k || (tb.values && string(tb.value(i)) != v) {
			t.Fatalf("%q: slot %d", k, i)
		}
	}
	if tb.used > 2*tb.n+16 {
		t.Fatalf("%d slots for %d entries", tb.used, tb.n)
	}
	if len(tb.buckets) > tableMinBuckets && tb.n*10 < len(tb.buckets) {
		t.Fatalf("%d buckets for %d entries", len(tb.buckets), tb.n)
	}
	checkRecords(t, tb)
}

// checkRecords checks the byte accounting of tb's chunks and bigs, that
// no two live records overlap, and that compaction keeps dead bytes
// bounded.
func checkRecords(t *testing.T, tb *table) {
	t.Helper()
	type span struct{ off, end int }
	inChunk := make([][]span, len(tb.chunks))
	live, kv, chunked, bigAlloc := 0, 0, 0, 0
	bigUsed := make([]bool, len(tb.bigs))
	for i := range tb.used {
		s := tb.slot(i)
		if s.loc == 0 {
			continue
		}
		live++
		n := len(tb.rec(i))
		kv += n
		if s.loc >= bigLoc {
			b := s.loc - bigLoc
			if bigUsed[b] || len(tb.bigs[b]) != n {
				t.Fatalf("slot %d: big %d shared or of %d bytes, record %d", i, b, len(tb.bigs[b]), n)
			}
			bigUsed[b] = true
			continue
		}
		c, off := int(s.loc-1)>>chunkBits, int(s.loc-1)&(chunkSize-1)
		if off+n > len(tb.chunks[c]) {
			t.Fatalf("slot %d: record [%d,%d) past chunk %d's %d bytes", i, off, off+n, c, len(tb.chunks[c]))
		}
		inChunk[c] = append(inChunk[c], span{off, off + n})
		chunked += n
	}
	for c, spans := range inChunk {
		slices.SortFunc(spans, func(a, b span) int { return a.off - b.off })
		for j := 1; j < len(spans); j++ {
			if spans[j].off < spans[j-1].end {
				t.Fatalf("chunk %d: records %v and %v overlap", c, spans[j-1], spans[j])
			}
		}
		if cap(tb.chunks[c]) > chunkSize {
			t.Fatalf("chunk %d of %d bytes", c, cap(tb.chunks[c]))
		}
	}
	total := 0
	for _, ch := range tb.chunks {
		total += len(ch)
	}
	free := map[uint32]bool{}
	for _, b := range tb.bigFree {
		if free[b] || tb.bigs[b] != nil {
			t.Fatalf("bigs[%d] free twice or not nil", b)
		}
		free[b] = true
	}
	for b, big := range tb.bigs {
		bigAlloc += AllocSize(cap(big))
		if bigUsed[b] == free[uint32(b)] {
			t.Fatalf("bigs[%d]: used %v, free %v", b, bigUsed[b], free[uint32(b)])
		}
	}
	if live != tb.n || kv != tb.kvBytes || total != tb.chunkBytes || total-chunked != tb.dead || bigAlloc != tb.bigAlloc {
		t.Fatalf("live %d, kvBytes %d, chunkBytes %d, dead %d, bigAlloc %d; table says %d, %d, %d, %d, %d",
			live, kv, total, total-chunked, bigAlloc, tb.n, tb.kvBytes, tb.chunkBytes, tb.dead, tb.bigAlloc)
	}
	if got, want := tb.memoryUsage(), tableMemorySlow(tb); got != want {
		t.Fatalf("memoryUsage %d, recounted %d", got, want)
	}
	if tb.dead >= minCompactDead && 2*tb.dead > tb.chunkBytes {
		t.Fatalf("%d dead bytes of %d not compacted", tb.dead, tb.chunkBytes)
	}
	if len(tb.bigFree) >= minBigFree && 2*len(tb.bigFree) > len(tb.bigs) {
		t.Fatalf("%d of %d bigs free, not compacted", len(tb.bigFree), len(tb.bigs))
	}
}

// TestTableScanGuarantee checks SCAN's promise across resizes: keys present
// for the whole scan are all reported, whatever is added and removed
// between calls.
func TestTableScanGuarantee(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 5))
		tb := newTable(0, false)
		stable := map[string]bool{}
		for i := range 50 {
			k := fmt.Sprint("s", i)
			tb.insert([]byte(k), nil)
			stable[k] = true
		}
		churn, resizes := 0, 0
		seen := map[string]bool{}
		cursor := uint64(0)
		for calls := 0; ; calls++ {
			nb := len(tb.buckets)
			cursor = tb.scan(cursor, 1+rng.IntN(20), func(i int) { seen[string(tb.key(i))] = true })
			if cursor == 0 {
				break
			}
			if calls > 100000 {
				t.Fatal("scan does not end")
			}
			// Grow a lot or shrink a lot, so that resizes happen mid-scan.
			if (calls/10)%2 == 0 {
				for range rng.IntN(200) {
					tb.insert([]byte(fmt.Sprint("c", churn)), nil)
					churn++
				}
			} else {
				for tb.n > 50 && rng.IntN(100) != 0 {
					tb.removeAt(pickChurn(tb, rng))
				}
			}
			if len(tb.buckets) != nb {
				resizes++
			}
		}
		if resizes < 2 {
			t.Fatalf("seed %d: only %d resizes during the scan", seed, resizes)
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("seed %d: %s present throughout but not reported", seed, k)
			}
		}
	}
}

// pickChurn returns a random slot holding a churn key.
func pickChurn(tb *table, rng *rand.Rand) int {
	for {
		i := tb.randomSlot(rng)
		if tb.key(i)[0] == 'c' {
			return i
		}
	}
}

func TestTableRandomIsUniform(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	tb := newTable(0, false)
	for i := range 100 {
		tb.insert([]byte(fmt.Sprint(i)), nil)
	}
	for i := range 50 {
		tb.remove([]byte(fmt.Sprint(i * 2)))
	}
	counts := map[string]int{}
	const draws = 50000
	for range draws {
		counts[string(tb.key(tb.randomSlot(rng)))]++
	}
	if len(counts) != 50 {
		t.Fatalf("%d distinct keys drawn, want 50", len(counts))
	}
	for k, c := range counts {
		if c < draws/50/2 || c > draws/50*2 {
			t.Errorf("%s drawn %d times of %d", k, c, draws)
		}
	}
}
