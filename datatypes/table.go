package datatypes

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
)

// table is the "hashtable" encoding of sets and hashes: a chained hash
// table whose entries live in a slab of slots and link by index, so an
// entry costs a 32-byte slot plus one allocation for its bytes, where a Go
// map of strings would cost more and could not offer a SCAN cursor.
//
//	buckets []uint32   1 + slab index of the chain's first slot; 0 = empty
//	pages   [][]slot   the slab: slot i is pages[i/4096][i%4096]; page 0
//	                   grows up to 4096 slots, later pages are allocated
//	                   whole, so the slab grows without copying
//
//	slot:  +-----------+-------------+-------------+
//	       | kv []byte | next uint32 | hash uint32 |
//	       +-----------+-------------+-------------+
//	kv:    +-------------------+-----+-------+
//	       | uvarint(len(key)) | key | value |   (value empty in sets)
//	       +-------------------+-----+-------+
//
// next is 1 + the slab index of the next slot in the chain (or, for a free
// slot, in the free list); 0 ends it. A free slot has kv == nil. hash keeps
// the low 32 bits of the key's maphash, so resizing does not rehash keys.
//
// The bucket count is a power of two: it doubles when the entries
// outnumber the buckets and shrinks to fit when they fall under a tenth of
// them, as Redis's dict does (in one step, not incrementally). The slab is
// compacted when more than half of it is free, which keeps random sampling
// by rejection cheap.
//
// SCAN walks buckets with Redis's reverse-binary cursor: every key present
// for the whole scan is returned at least once, whatever resizes happen
// between calls.
type table struct {
	seed    maphash.Seed
	buckets []uint32
	pages   [][]slot
	// used is the number of slots handed out, live or free.
	used int
	// free is 1 + the index of the first free slot; 0 if none.
	free uint32
	// n is the number of live slots.
	n int
	// kvBytes is the sum of cap(kv) over live slots, for MemoryUsage.
	kvBytes int
}

// tableSeed keys every table's hash. One seed for the process, as Redis
// has one: a set kept in compact form and rebuilt at each use (see
// compact.go) then gets the same bucket order every time, so a SSCAN
// cursor stays good across the rebuilds.
var tableSeed = maphash.MakeSeed()

type slot struct {
	kv   []byte
	next uint32
	hash uint32
}

const (
	tableMinBuckets = 4
	pageBits        = 12
	pageSize        = 1 << pageBits
)

// newTable returns an empty table sized for hint entries.
func newTable(hint int) *table {
	nb := tableMinBuckets
	for nb < hint {
		nb <<= 1
	}
	return &table{
		seed:    tableSeed,
		buckets: make([]uint32, nb),
		pages:   [][]slot{make([]slot, 0, min(hint, pageSize))},
	}
}

func (t *table) slot(i int) *slot { return &t.pages[i>>pageBits][i&(pageSize-1)] }

// live reports whether slot i holds an entry.
func (t *table) live(i int) bool { return t.slot(i).kv != nil }

// newSlot appends a slot to the slab and returns its index.
func (t *table) newSlot() uint32 {
	i := t.used
	p := i >> pageBits
	if p == len(t.pages) {
		t.pages = append(t.pages, make([]slot, 0, pageSize))
	}
	pg := t.pages[p]
	if len(pg) == cap(pg) {
		// Only page 0 is ever short of room: it doubles up to a page.
		grown := make([]slot, len(pg), min(max(2*cap(pg), 4), pageSize))
		copy(grown, pg)
		pg = grown
	}
	t.pages[p] = append(pg, slot{})
	t.used++
	return uint32(i)
}

func (t *table) hashOf(key []byte) uint32 {
	return uint32(maphash.Bytes(t.seed, key))
}

// splitKV returns the key and value of a kv.
func splitKV(kv []byte) (key, val []byte) {
	n, k := binary.Uvarint(kv)
	end := k + int(n)
	return kv[k:end:end], kv[end:len(kv):len(kv)]
}

func (t *table) key(i int) []byte {
	k, _ := splitKV(t.slot(i).kv)
	return k
}

func (t *table) value(i int) []byte {
	_, v := splitKV(t.slot(i).kv)
	return v
}

// find returns the slab index of key, or -1.
func (t *table) find(key []byte) int {
	h := t.hashOf(key)
	for j := t.buckets[int(h)&(len(t.buckets)-1)]; j != 0; {
		s := t.slot(int(j - 1))
		if s.hash == h {
			if k, _ := splitKV(s.kv); bytes.Equal(k, key) {
				return int(j - 1)
			}
		}
		j = s.next
	}
	return -1
}

func makeKV(key, val []byte) []byte {
	kv := make([]byte, uvarintLen(len(key))+len(key)+len(val))
	k := binary.PutUvarint(kv, uint64(len(key)))
	copy(kv[k+copy(kv[k:], key):], val)
	return kv
}

// insert adds key, which must be absent, with val.
func (t *table) insert(key, val []byte) {
	if t.n >= len(t.buckets) {
		t.resize(len(t.buckets) * 2)
	}
	h := t.hashOf(key)
	kv := makeKV(key, val)
	var i uint32
	if t.free != 0 {
		i = t.free - 1
		t.free = t.slot(int(i)).next
	} else {
		i = t.newSlot()
	}
	b := &t.buckets[int(h)&(len(t.buckets)-1)]
	*t.slot(int(i)) = slot{kv: kv, next: *b, hash: h}
	*b = i + 1
	t.n++
	t.kvBytes += cap(kv)
}

// setValue replaces the value of slot i.
func (t *table) setValue(i int, val []byte) {
	s := t.slot(i)
	k, _ := splitKV(s.kv)
	t.kvBytes -= cap(s.kv)
	s.kv = makeKV(k, val)
	t.kvBytes += cap(s.kv)
}

// removeAt deletes slot i. It may compact the slab, which moves slots.
func (t *table) removeAt(i int) {
	s := t.slot(i)
	link := &t.buckets[int(s.hash)&(len(t.buckets)-1)]
	for *link != uint32(i+1) {
		link = &t.slot(int(*link - 1)).next
	}
	*link = s.next
	t.kvBytes -= cap(s.kv)
	*s = slot{next: t.free}
	t.free = uint32(i + 1)
	t.n--
	switch {
	case len(t.buckets) > tableMinBuckets && t.n*10 < len(t.buckets):
		nb := tableMinBuckets
		for nb < t.n {
			nb <<= 1
		}
		t.resize(nb)
	case t.used > 2*t.n+16:
		t.resize(len(t.buckets))
	}
}

// remove deletes key and reports whether it was there.
func (t *table) remove(key []byte) bool {
	i := t.find(key)
	if i < 0 {
		return false
	}
	t.removeAt(i)
	return true
}

// resize rebuilds the table with nb buckets and a compacted slab.
func (t *table) resize(nb int) {
	if t.n < t.used {
		old := t.pages
		t.pages = [][]slot{make([]slot, 0, min(t.n, pageSize))}
		t.used, t.free = 0, 0
		for _, pg := range old {
			for _, s := range pg {
				if s.kv != nil {
					*t.slot(int(t.newSlot())) = s
				}
			}
		}
	}
	t.buckets = make([]uint32, nb)
	for i := range t.used {
		s := t.slot(i)
		b := &t.buckets[int(s.hash)&(nb-1)]
		s.next = *b
		*b = uint32(i + 1)
	}
}

// randomSlot returns the index of a uniformly chosen live slot; the table
// must not be empty.
func (t *table) randomSlot(rng *rand.Rand) int {
	for {
		if i := rng.IntN(t.used); t.live(i) {
			return i
		}
	}
}

// liveSlots returns the indexes of every live slot.
func (t *table) liveSlots() []int {
	out := make([]int, 0, t.n)
	for i := range t.used {
		if t.live(i) {
			out = append(out, i)
		}
	}
	return out
}

// scan calls fn for the slots of the buckets from cursor on, until it has
// reported count slots or visited 10*count buckets (as Redis's SCAN does),
// and returns the next cursor, 0 at the end.
func (t *table) scan(cursor uint64, count int, fn func(i int)) uint64 {
	count = max(count, 1)
	mask := uint64(len(t.buckets) - 1)
	emitted := 0
	for visits := count * 10; visits > 0; visits-- {
		for j := t.buckets[cursor&mask]; j != 0; j = t.slot(int(j - 1)).next {
			fn(int(j - 1))
			emitted++
		}
		// Increment the cursor's masked bits from the top down, so that a
		// bucket already visited maps to visited buckets after a resize.
		cursor |= ^mask
		cursor = bits.Reverse64(bits.Reverse64(cursor) + 1)
		if cursor == 0 || emitted >= count {
			break
		}
	}
	return cursor
}

func (t *table) clone() *table {
	c := *t
	c.buckets = append([]uint32(nil), t.buckets...)
	c.pages = make([][]slot, len(t.pages))
	for p, pg := range t.pages {
		c.pages[p] = make([]slot, len(pg), cap(pg))
		for j, s := range pg {
			if s.kv != nil {
				s.kv = append(make([]byte, 0, cap(s.kv)), s.kv...)
			}
			c.pages[p][j] = s
		}
	}
	return &c
}

// memoryUsage is the bytes the table holds: its header, buckets, slab and
// the keys and values.
func (t *table) memoryUsage() int {
	const header, slotSize = 96, 32
	total := header + 4*cap(t.buckets) + t.kvBytes
	for _, pg := range t.pages {
		total += 24 + slotSize*cap(pg)
	}
	return total
}
