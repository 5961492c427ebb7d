package datatypes

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestTableChurn checks the table against a map through phases of
// inserts, values that grow and shrink (some given as slices of the
// table's own bytes), deletes and re-inserts, with enough churn to compact
// the records several times; after each phase every key and value, Len,
// the byte accounting, SCAN and sampling.
func TestTableChurn(t *testing.T) {
	for _, values := range []bool{true, false} {
		name := map[bool]string{true: "hash", false: "set"}[values]
		t.Run(name, func(t *testing.T) { tableChurn(t, values, 30000) })
		// Two chunks run out early, so records overflow to bigs.
		t.Run(name+"/overflow", func(t *testing.T) {
			defer func(l int) { chunkLimit = l }(chunkLimit)
			chunkLimit = 2
			tableChurn(t, values, 20000)
		})
	}
}

func tableChurn(t *testing.T, values bool, n int) {
	rng := rand.New(rand.NewPCG(11, uint64(n)))
	tb := newTable(0, values)
	model := map[string]string{}
	compactions := 0
	// Only a compaction lowers the dead bytes.
	track := func(f func()) {
		dead := tb.dead
		f()
		if tb.dead < dead {
			compactions++
		}
	}
	key := func(i int) string {
		switch {
		case i%997 == 0:
			return fmt.Sprint(strings.Repeat("K", maxChunkRecord), i) // a big record
		case i%31 == 0:
			return fmt.Sprint(strings.Repeat("k", 130), i) // a 2-byte length
		}
		return fmt.Sprint("k", i)
	}
	val := func() string {
		if !values {
			return ""
		}
		switch r := rng.IntN(200); {
		case r == 0:
			return strings.Repeat("B", maxChunkRecord-50+rng.IntN(3000))
		case r < 20:
			return strings.Repeat("v", 100+rng.IntN(300))
		}
		return fmt.Sprint(rng.Uint64() >> rng.IntN(64))
	}
	set := func(k string, v []byte) {
		model[k] = string(v)
		if i := tb.find([]byte(k)); i >= 0 {
			track(func() { tb.setValue(i, v) })
		} else {
			tb.insert([]byte(k), v)
		}
	}
	check := func(phase string) {
		t.Helper()
		checkTable(t, tb, model)
		seen := map[string]bool{}
		for cursor := uint64(0); ; {
			cursor = tb.scan(cursor, 1+rng.IntN(50), func(i int) { seen[string(tb.key(i))] = true })
			if cursor == 0 {
				break
			}
		}
		if len(seen) != len(model) {
			t.Fatalf("%s: scan reported %d keys, want %d", phase, len(seen), len(model))
		}
		for k := range model {
			if !seen[k] {
				t.Fatalf("%s: scan missed %q", phase, k)
			}
		}
		for range min(100, tb.n) {
			if _, ok := model[string(tb.key(tb.randomSlot(rng)))]; !ok {
				t.Fatalf("%s: random slot not a key", phase)
			}
		}
	}

	for i := range n {
		set(key(i), []byte(val()))
	}
	check("insert")
	for round := range 6 {
		for i := range n {
			k := key(i)
			if !values {
				// A set's only change is membership.
				if rng.IntN(2) == 0 {
					track(func() { tb.remove([]byte(k)) })
					delete(model, k)
					set(k, nil)
				}
				continue
			}
			j := tb.find([]byte(k))
			var v []byte
			switch r := rng.IntN(10); {
			case r == 0:
				// A slice of this very record: part of its value, its key.
				if old := tb.value(j); len(old) > 0 {
					a := rng.IntN(len(old))
					v = old[a : a+rng.IntN(len(old)-a+1)]
				} else {
					v = tb.key(j)
				}
			case r == 1:
				v = tb.value(tb.find([]byte(key(rng.IntN(n))))) // another's
			case r < 5+round%3:
				// Growing: the longer values of later rounds leave dead bytes.
				v = []byte(model[k] + strings.Repeat("+", 1+rng.IntN(20)))
			default:
				v = []byte(val())
			}
			set(k, v)
		}
		check(fmt.Sprint("update round ", round))
	}
	for i := range n {
		if rng.IntN(3) != 0 {
			k := key(i)
			track(func() { tb.remove([]byte(k)) })
			delete(model, k)
		}
	}
	check("delete two thirds")
	for i := range n {
		if _, ok := model[key(i)]; !ok {
			set(key(i), []byte(val()))
		}
	}
	check("insert again")
	for i := 100; i < n; i++ {
		k := key(i)
		track(func() { tb.remove([]byte(k)) })
		delete(model, k)
	}
	check("delete all but 100")
	if compactions < 3 {
		t.Fatalf("%d compactions", compactions)
	}
	if tb.chunkBytes > max(2*tb.kvBytes, minCompactDead+tb.kvBytes) {
		t.Fatalf("%d chunk bytes for %d live", tb.chunkBytes, tb.kvBytes)
	}
	checkTable(t, tb.clone(), model)
	t.Logf("%d compactions, %d chunks, %d bigs", compactions, len(tb.chunks), len(tb.bigs))
}

// FuzzTable drives a table and a map with operations read from the input,
// three bytes each: the operation, the key and a value length; the first
// byte picks a hash or a set, and two chunks at most (so that records
// overflow to bigs) or the usual limit.
func FuzzTable(f *testing.F) {
	f.Add([]byte{0, 0, 1, 10, 0, 2, 200, 3, 1, 0, 2, 1, 0})
	f.Add([]byte{1, 0, 5, 255, 3, 5, 255, 3, 5, 1, 2, 5, 0, 0, 7, 40})
	f.Add([]byte{2, 0, 250, 30, 0, 251, 30, 3, 250, 2, 2, 250, 0, 5, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		values := in[0]&1 == 0
		if in[0]&2 != 0 {
			defer func(l int) { chunkLimit = l }(chunkLimit)
			chunkLimit = 2
		}
		in = in[1:]
		tb := newTable(0, values)
		model := map[string]string{}
		rng := rand.New(rand.NewPCG(1, uint64(len(in))))
		for ; len(in) >= 3; in = in[3:] {
			op, kb, lb := in[0], in[1], in[2]
			k := fmt.Sprint("k", kb%64)
			switch {
			case kb >= 250:
				k = strings.Repeat("L", maxChunkRecord-260+int(kb)) // around the bound
			case kb >= 192:
				k = strings.Repeat("l", int(kb)) // a 2-byte length
			}
			// Lengths up to about 8 KiB, most of them short.
			v := []byte(strings.Repeat(string(rune('a'+op%26)), int(lb)*int(lb)/8))
			if !values {
				v = nil
			}
			i := tb.find([]byte(k))
			switch op % 5 {
			case 0, 1:
				if i < 0 {
					tb.insert([]byte(k), v)
				} else if values {
					tb.setValue(i, v)
				}
				model[k] = string(v)
			case 2:
				if got := tb.remove([]byte(k)); got != (i >= 0) {
					t.Fatalf("remove(%q) = %v", k, got)
				}
				delete(model, k)
			case 3:
				// A value from the table itself, shortened.
				if i >= 0 && values {
					old := tb.value(i)
					v = old[:len(old)*int(lb)/256]
					if lb&1 != 0 {
						v = tb.key(i)
					}
					model[k] = string(v)
					tb.setValue(i, v)
				}
			case 4:
				if tb.n > 0 {
					j := tb.randomSlot(rng)
					if _, ok := model[string(tb.key(j))]; !ok {
						t.Fatalf("random slot %d not a key", j)
					}
				}
			}
			checkRecords(t, tb)
		}
		checkTable(t, tb, model)
		checkTable(t, tb.clone(), model)
		seen := map[string]bool{}
		for cursor := uint64(0); ; {
			cursor = tb.scan(cursor, 3, func(i int) { seen[string(tb.key(i))] = true })
			if cursor == 0 {
				break
			}
		}
		for k := range model {
			if !seen[k] {
				t.Fatalf("scan missed %q", k)
			}
		}
	})
}
