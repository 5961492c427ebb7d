package datatypes

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

var benchElem = []byte("element-00")

func BenchmarkListPushBack(b *testing.B) {
	l := NewList(DefaultLimits())
	for b.Loop() {
		l.PushBack(benchElem)
	}
}

func BenchmarkListPushFront(b *testing.B) {
	l := NewList(DefaultLimits())
	for b.Loop() {
		l.PushFront(benchElem)
	}
}

// BenchmarkListQueue pushes at the tail and pops at the head of a list of
// 10,000 elements, the pattern of a job queue.
func BenchmarkListQueue(b *testing.B) {
	l := NewList(DefaultLimits())
	for range 10000 {
		l.PushBack(benchElem)
	}
	for b.Loop() {
		l.PushBack(benchElem)
		l.PopFront()
	}
}

// BenchmarkListStack pushes and pops at the head of a list of 10,000
// elements.
func BenchmarkListStack(b *testing.B) {
	l := NewList(DefaultLimits())
	for range 10000 {
		l.PushBack(benchElem)
	}
	for b.Loop() {
		l.PushFront(benchElem)
		l.PopFront()
	}
}

func BenchmarkListIndex(b *testing.B) {
	for _, n := range []int{100, 100000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			l := NewList(DefaultLimits())
			for range n {
				l.PushBack(benchElem)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				l.Index(rng.IntN(n))
			}
		})
	}
}

// benchSet returns a set of n members in the given encoding, and members
// to look up (half of them present).
func benchSet(n int, intset bool) (*Set, [][]byte) {
	lim := DefaultLimits()
	lim.SetMaxIntsetEntries = n
	s := NewSet()
	var probe [][]byte
	for i := range 2 * n {
		m := []byte(strconv.Itoa(i * 7))
		if !intset {
			m = append(m, 'x')
		}
		if i%2 == 0 {
			s.Add(lim, m)
		}
		probe = append(probe, m)
	}
	return s, probe
}

func BenchmarkSetHas(b *testing.B) {
	for _, enc := range []bool{true, false} {
		s, probe := benchSet(512, enc)
		b.Run(s.Encoding(), func(b *testing.B) {
			i := 0
			for b.Loop() {
				s.Has(probe[i%len(probe)])
				i++
			}
		})
	}
}

// BenchmarkSetAddRemove adds and removes a member of a 512-member set.
func BenchmarkSetAddRemove(b *testing.B) {
	for _, enc := range []bool{true, false} {
		s, probe := benchSet(512, enc)
		lim := DefaultLimits()
		lim.SetMaxIntsetEntries = 1024
		b.Run(s.Encoding(), func(b *testing.B) {
			i := 1
			for b.Loop() {
				s.Add(lim, probe[i%len(probe)])
				s.Remove(probe[i%len(probe)])
				i += 2
			}
		})
	}
}

func BenchmarkSetPop(b *testing.B) {
	for _, enc := range []bool{true, false} {
		s, probe := benchSet(512, enc)
		lim := DefaultLimits()
		lim.SetMaxIntsetEntries = 1024
		rng := rand.New(rand.NewPCG(1, 2))
		b.Run(s.Encoding(), func(b *testing.B) {
			i := 0
			for b.Loop() {
				m, _ := s.Pop(rng)
				s.Add(lim, m)
				i++
			}
			_ = probe
		})
	}
}

// benchHash returns a hash of n fields in the given encoding, and fields
// to look up (half of them present).
func benchHash(n int, listpack bool) (*Hash, [][]byte) {
	lim := DefaultLimits()
	lim.HashMaxListpackEntries = n
	if !listpack {
		lim.HashMaxListpackEntries = 0
	}
	h := NewHash()
	var probe [][]byte
	for i := range 2 * n {
		f := []byte("field:" + strconv.Itoa(i))
		if i%2 == 0 {
			h.Set(lim, f, []byte("value"))
		}
		probe = append(probe, f)
	}
	return h, probe
}

func BenchmarkHashGet(b *testing.B) {
	for _, n := range []int{10, 128} {
		for _, enc := range []bool{true, false} {
			h, probe := benchHash(n, enc)
			b.Run(h.Encoding()+"/"+strconv.Itoa(n), func(b *testing.B) {
				i := 0
				for b.Loop() {
					h.Get(probe[i%len(probe)])
					i++
				}
			})
		}
	}
}

// BenchmarkHashSetDelete sets and deletes a field of a 128-field hash.
func BenchmarkHashSetDelete(b *testing.B) {
	for _, enc := range []bool{true, false} {
		h, probe := benchHash(128, enc)
		lim := DefaultLimits()
		b.Run(h.Encoding(), func(b *testing.B) {
			i := 1
			for b.Loop() {
				h.Set(lim, probe[i%len(probe)], []byte("value"))
				h.Delete(probe[i%len(probe)])
				i += 2
			}
		})
	}
}

// bigN is the size of the tables of the Big benchmarks, where lookups miss
// the CPU caches as they do in a large set or hash.
const bigN = 1_000_000

func bigMember(buf []byte, prefix string, i int) []byte {
	return strconv.AppendInt(append(buf[:0], prefix...), int64(i), 10)
}

// BenchmarkBigSet: SADD of new members into a set that grows from empty
// (resizes included), and SISMEMBER on a set of bigN members, half hits,
// in random order (an order that follows the insertions' would let the
// CPU's prefetcher hide the misses).
func BenchmarkBigSet(b *testing.B) {
	lim := DefaultLimits()
	b.Run("Add", func(b *testing.B) {
		s := NewSet()
		var buf []byte
		i := 0
		for b.Loop() {
			buf = bigMember(buf, "m", i)
			s.Add(lim, buf)
			i++
		}
	})
	s := NewSet()
	var buf []byte
	for i := range bigN {
		s.Add(lim, bigMember(buf, "m", i))
	}
	b.Run("Has", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			buf = bigMember(buf, "m", rng.IntN(2*bigN))
			s.Has(buf)
		}
	})
}

// BenchmarkBigHash: HSET of new fields into a hash that grows from empty,
// HSET of a new value for an existing field and HGET (half hits), on a
// hash of bigN fields with 10-byte values.
func BenchmarkBigHash(b *testing.B) {
	lim := DefaultLimits()
	val := []byte("0123456789")
	b.Run("Add", func(b *testing.B) {
		h := NewHash()
		var buf []byte
		i := 0
		for b.Loop() {
			buf = bigMember(buf, "field", i)
			h.Set(lim, buf, val)
			i++
		}
	})
	h := NewHash()
	var buf []byte
	for i := range bigN {
		h.Set(lim, bigMember(buf, "field", i), val)
	}
	b.Run("Update", func(b *testing.B) {
		v := []byte("9876543210")
		rng := rand.New(rand.NewPCG(1, 2))
		i := 0
		for b.Loop() {
			buf = bigMember(buf, "field", rng.IntN(bigN))
			v[0] = byte('0' + i%10)
			h.Set(lim, buf, v)
			i++
		}
	})
	b.Run("Get", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(3, 4))
		for b.Loop() {
			buf = bigMember(buf, "field", rng.IntN(2*bigN))
			h.Get(buf)
		}
	})
}

// BenchmarkMemoryUsage: MemoryUsage of a list of bigN elements and of a
// hash of bigN fields, which the keyspace measures after every write
// command, so it must not depend on their size.
func BenchmarkMemoryUsage(b *testing.B) {
	b.Run("List", func(b *testing.B) {
		l := NewList(DefaultLimits())
		for range bigN {
			l.PushBack(benchElem)
		}
		for b.Loop() {
			l.MemoryUsage()
		}
	})
	b.Run("Hash", func(b *testing.B) {
		lim := DefaultLimits()
		h := NewHash()
		var buf []byte
		for i := range bigN {
			buf = bigMember(buf, "field", i)
			h.Set(lim, buf, benchElem)
		}
		for b.Loop() {
			h.MemoryUsage()
		}
	})
}
