package datatypes

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
)

// table is the "hashtable" encoding of sets and hashes: a chained hash
// table whose entries live in one slice (the slab) and link by index, so
// an entry costs a 32-byte slot plus one allocation for its bytes, where a
// Go map of strings would cost more and could not offer a SCAN cursor.
//
//	buckets []uint32  1 + slab index of the chain's first slot; 0 = empty
//	slots   []slot    the slab
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
	slots   []slot
	// free is 1 + the index of the first free slot; 0 if none.
	free uint32
	// n is the number of live slots.
	n int
	// kvBytes is the sum of cap(kv) over live slots, for MemoryUsage.
	kvBytes int
}

type slot struct {
	kv   []byte
	next uint32
	hash uint32
}

const tableMinBuckets = 4

// newTable returns an empty table sized for hint entries.
func newTable(hint int) *table {
	nb := tableMinBuckets
	for nb < hint {
		nb <<= 1
	}
	return &table{
		seed:    maphash.MakeSeed(),
		buckets: make([]uint32, nb),
		slots:   make([]slot, 0, hint),
	}
}

func (t *table) hashOf(key []byte) uint32 {
	return uint32(maphash.Bytes(t.seed, key))
}

// split returns the key and value of a kv.
func splitKV(kv []byte) (key, val []byte) {
	n, k := binary.Uvarint(kv)
	end := k + int(n)
	return kv[k:end:end], kv[end:len(kv):len(kv)]
}

func (t *table) key(i int) []byte {
	k, _ := splitKV(t.slots[i].kv)
	return k
}

func (t *table) value(i int) []byte {
	_, v := splitKV(t.slots[i].kv)
	return v
}

// find returns the slab index of key, or -1.
func (t *table) find(key []byte) int {
	h := t.hashOf(key)
	for j := t.buckets[int(h)&(len(t.buckets)-1)]; j != 0; {
		s := &t.slots[j-1]
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
		t.free = t.slots[i].next
	} else {
		i = uint32(len(t.slots))
		t.slots = append(t.slots, slot{})
	}
	b := &t.buckets[int(h)&(len(t.buckets)-1)]
	t.slots[i] = slot{kv: kv, next: *b, hash: h}
	*b = i + 1
	t.n++
	t.kvBytes += cap(kv)
}

// setValue replaces the value of slot i.
func (t *table) setValue(i int, val []byte) {
	s := &t.slots[i]
	k, _ := splitKV(s.kv)
	t.kvBytes -= cap(s.kv)
	s.kv = makeKV(k, val)
	t.kvBytes += cap(s.kv)
}

// removeAt deletes slot i. It may compact the slab, which moves slots.
func (t *table) removeAt(i int) {
	s := &t.slots[i]
	link := &t.buckets[int(s.hash)&(len(t.buckets)-1)]
	for *link != uint32(i+1) {
		link = &t.slots[*link-1].next
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
	case len(t.slots) > 2*t.n+16:
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
	slots := t.slots
	if t.n < len(t.slots) {
		slots = make([]slot, 0, t.n+t.n/8)
		for _, s := range t.slots {
			if s.kv != nil {
				slots = append(slots, s)
			}
		}
		t.free = 0
	}
	buckets := make([]uint32, nb)
	for i := range slots {
		b := &buckets[int(slots[i].hash)&(nb-1)]
		slots[i].next = *b
		*b = uint32(i + 1)
	}
	t.slots, t.buckets = slots, buckets
}

// randomSlot returns the index of a uniformly chosen live slot; the table
// must not be empty.
func (t *table) randomSlot(rng *rand.Rand) int {
	for {
		i := rng.IntN(len(t.slots))
		if t.slots[i].kv != nil {
			return i
		}
	}
}

// liveSlots returns the indexes of every live slot.
func (t *table) liveSlots() []int {
	out := make([]int, 0, t.n)
	for i := range t.slots {
		if t.slots[i].kv != nil {
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
		for j := t.buckets[cursor&mask]; j != 0; j = t.slots[j-1].next {
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
	c := &table{
		seed:    t.seed,
		buckets: append([]uint32(nil), t.buckets...),
		slots:   append([]slot(nil), t.slots...),
		free:    t.free,
		n:       t.n,
		kvBytes: t.kvBytes,
	}
	for i := range c.slots {
		if kv := c.slots[i].kv; kv != nil {
			c.slots[i].kv = append(make([]byte, 0, cap(kv)), kv...)
		}
	}
	return c
}

// memoryUsage is the bytes the table holds: its header, buckets, slab and
// the keys and values.
func (t *table) memoryUsage() int {
	const header, slotSize = 80, 32
	return header + 4*cap(t.buckets) + slotSize*cap(t.slots) + t.kvBytes
}
