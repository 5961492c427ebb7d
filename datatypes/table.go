package datatypes

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

// table is the "hashtable" encoding of sets and hashes: a chained hash
// table whose entries live in a slab of 12-byte slots that link by index,
// with their keys and values packed in large byte chunks. Only the
// headers of its pages, chunks and big records hold Go pointers, so a
// table of millions of entries costs the collector next to nothing to
// mark, and an entry costs its slot and its bytes, with no allocation of
// its own.
//
//	buckets []uint32   1 + slab index of the chain's first slot; 0 = empty
//	pages   [][]slot   the slab: slot i is pages[i/4096][i%4096]; page 0
//	                   grows up to 4096 slots, later pages are allocated
//	                   whole, so the slab grows without copying
//	chunks  [][]byte   the records, appended; each chunk has room for
//	                   64 KiB but the last, which grows by doubling as it
//	                   fills (reallocating it keeps offsets)
//	bigs    [][]byte   records over maxChunkRecord bytes, one allocation
//	                   each (nil when free, its index in bigFree)
//
//	slot:   +------------+-------------+-------------+
//	        | loc uint32 | next uint32 | hash uint32 |
//	        +------------+-------------+-------------+
//	loc:    0                              free slot
//	        1 + chunk<<16 + offset         a record in chunks (< 2^31)
//	        2^31 + i                       the record bigs[i]
//	record: +-------------------+-----+---------------------+-------+
//	        | uvarint(len(key)) | key | uvarint(len(value)) | value |
//	        +-------------------+-----+---------------------+-------+
//	                                     (hashes only: a set's record
//	                                     ends with the key)
//
// next is 1 + the slab index of the next slot in the chain (or, for a free
// slot, in the free list); 0 ends it. hash keeps the low 32 bits of the
// key's maphash, so resizing does not rehash keys and a chain walk reads
// only the records whose hash matches.
//
// A new value no longer than the old is written over it; otherwise the
// record moves to the end. A deleted or moved record leaves dead bytes in
// its chunk (unless it was the last of the last chunk, which is cut back).
// Once the dead bytes are more than half of the chunks' (and at least
// minCompactDead), the live records are copied into fresh chunks and their
// slots' locs updated: compaction moves bytes, never slots, so slot
// indexes (SRANDMEMBER's draws, SCAN's buckets) are unaffected. Should the
// chunks run out of locs (2 GiB of small records), further records go to
// bigs.
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
//
// Keys and values returned are slices of the chunks, valid until the
// table's next modification (a later one may overwrite them in place).
type table struct {
	seed    maphash.Seed
	buckets []uint32
	pages   [][]slot
	// used is the number of slots handed out, live or free.
	used int
	// free is 1 + the index of the first free slot; 0 if none.
	free uint32
	// values is set for a hash: its records hold a value after the key.
	// (Next to free, so that the table fits a 192-byte size class.)
	values bool
	// n is the number of live slots.
	n      int
	chunks [][]byte
	bigs   [][]byte
	// bigFree are the indexes of the nil entries of bigs.
	bigFree []uint32
	// chunkBytes is the sum of len(chunk): live and dead records.
	chunkBytes int
	// dead is the part of chunkBytes no live record holds.
	dead int
	// chunkAlloc and bigAlloc are the sums of AllocSize(cap) over chunks
	// and bigs, for memoryUsage.
	chunkAlloc, bigAlloc int
	// kvBytes is the length of the live records, chunked and big; for a
	// set, the size of its compact form (see AppendCompact).
	kvBytes int
}

// tableSeed keys every table's hash. One seed for the process, as Redis
// has one: a set kept in compact form and rebuilt at each use (see
// compact.go) then gets the same bucket order every time, so a SSCAN
// cursor stays good across the rebuilds.
var tableSeed = maphash.MakeSeed()

type slot struct {
	loc  uint32
	next uint32
	hash uint32
}

const (
	tableMinBuckets = 4
	pageBits        = 12
	pageSize        = 1 << pageBits

	chunkBits = 16
	chunkSize = 1 << chunkBits
	// maxChunks keeps a chunk loc below bigLoc.
	maxChunks = 1<<(31-chunkBits) - 1
	bigLoc    = 1 << 31
	// maxChunkRecord bounds the records packed in chunks: at most this
	// much of a chunk's end is left unused when the next record does not
	// fit. A bigger record is its own allocation, where Go's rounding up
	// to a size class costs a small share of it.
	maxChunkRecord = 2048
	// minChunk is the first chunk's smallest capacity.
	minChunk = 64
	// minCompactDead spares small tables compactions that would gain
	// little.
	minCompactDead = 1024
	// minBigFree is the free bigs entries that trigger compaction (with
	// half of bigs free).
	minBigFree = 64
)

// chunkLimit is maxChunks; tests lower it to reach the overflow to bigs.
var chunkLimit = maxChunks

// newTable returns an empty table sized for hint entries; values is set
// for a hash, clear for a set.
func newTable(hint int, values bool) *table {
	nb := tableMinBuckets
	for nb < hint {
		nb <<= 1
	}
	return &table{
		seed:    tableSeed,
		buckets: make([]uint32, nb),
		pages:   [][]slot{make([]slot, 0, min(hint, pageSize))},
		values:  values,
	}
}

// reserve sizes an empty table's first chunk for n bytes of records.
func (t *table) reserve(n int) {
	if len(t.chunks) == 0 && n > 0 {
		t.chunks = [][]byte{make([]byte, 0, min(max(n, minChunk), chunkSize))}
		t.chunkAlloc = AllocSize(cap(t.chunks[0]))
	}
}

func (t *table) slot(i int) *slot { return &t.pages[i>>pageBits][i&(pageSize-1)] }

// live reports whether slot i holds an entry.
func (t *table) live(i int) bool { return t.slot(i).loc != 0 }

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

// record returns the bytes from the start of the record at loc: the rest
// of its chunk, or its big allocation.
func (t *table) record(loc uint32) []byte { return recordIn(t.chunks, t.bigs, loc) }

func recordIn(chunks, bigs [][]byte, loc uint32) []byte {
	if loc >= bigLoc {
		return bigs[loc-bigLoc]
	}
	loc--
	return chunks[loc>>chunkBits][loc&(chunkSize-1):]
}

// recLen is the length of the record at the start of r.
func (t *table) recLen(r []byte) int {
	end := 1 + int(r[0])
	if r[0] >= 0x80 {
		_, end = fieldSpan(r, 0)
	}
	if t.values {
		_, end = fieldSpan(r, end)
	}
	return end
}

// recSize is the length of the record holding key and val.
func (t *table) recSize(key, val []byte) int {
	n := fieldSize(key)
	if t.values {
		n += fieldSize(val)
	}
	return n
}

func (t *table) key(i int) []byte {
	k, _ := fieldAt(t.record(t.slot(i).loc), 0)
	return k
}

func (t *table) value(i int) []byte {
	_, v := t.pair(i)
	return v
}

// pair returns the key and value of slot i (the value is nil in a set).
func (t *table) pair(i int) (key, val []byte) {
	r := t.record(t.slot(i).loc)
	key, end := fieldAt(r, 0)
	if t.values {
		val, _ = fieldAt(r, end)
	}
	return key, val
}

// rec returns the record of slot i; in a set, a member's compact form.
func (t *table) rec(i int) []byte {
	r := t.record(t.slot(i).loc)
	n := t.recLen(r)
	return r[:n:n]
}

// find returns the slab index of key, or -1.
func (t *table) find(key []byte) int {
	i, _ := t.lookup(key)
	return i
}

// lookup returns the slab index of key and the bytes from the start of
// its record, or -1 and nil.
func (t *table) lookup(key []byte) (int, []byte) {
	h := t.hashOf(key)
	for j := t.buckets[int(h)&(len(t.buckets)-1)]; j != 0; {
		s := t.slot(int(j - 1))
		if s.hash == h {
			r := t.record(s.loc)
			// fieldSpan's fast path, spelled out: the call does not
			// inline, and costs a lookup a good share of its time.
			start, end := 1, 1+int(r[0])
			if r[0] >= 0x80 {
				start, end = fieldSpan(r, 0)
			}
			if bytes.Equal(r[start:end], key) {
				return int(j - 1), r
			}
		}
		j = s.next
	}
	return -1, nil
}

// get returns the value of key in a hash.
func (t *table) get(key []byte) ([]byte, bool) {
	i, r := t.lookup(key)
	if i < 0 {
		return nil, false
	}
	v, _ := fieldAt(r, fieldSize(key))
	return v, true
}

// alloc reserves n bytes for a record, and returns their loc and the
// bytes. The last chunk grows (by doubling, up to a whole chunk) to make
// room if it can; otherwise a new chunk gets capacity fresh (at least n).
func (t *table) alloc(n, fresh int) (uint32, []byte) {
	if n <= maxChunkRecord {
		c := len(t.chunks) - 1
		if c >= 0 && len(t.chunks[c])+n > cap(t.chunks[c]) && len(t.chunks[c])+n <= chunkSize {
			// Reallocating keeps offsets, so locs stay good; slices handed
			// out keep the old array, which nothing writes any more.
			ch := t.chunks[c]
			grown := make([]byte, len(ch), min(max(2*cap(ch), len(ch)+n), chunkSize))
			copy(grown, ch)
			t.chunks[c] = grown
			t.chunkAlloc += AllocSize(cap(grown)) - AllocSize(cap(ch))
		}
		if c < 0 || len(t.chunks[c])+n > cap(t.chunks[c]) {
			c = -1
			if len(t.chunks) < chunkLimit {
				t.chunks = append(t.chunks, make([]byte, 0, min(max(fresh, n), chunkSize)))
				c = len(t.chunks) - 1
				t.chunkAlloc += AllocSize(cap(t.chunks[c]))
			}
		}
		if c >= 0 {
			ch := t.chunks[c]
			off := len(ch)
			t.chunks[c] = ch[:off+n]
			t.chunkBytes += n
			return 1 + uint32(c)<<chunkBits + uint32(off), ch[off : off+n : off+n]
		}
	}
	b := make([]byte, n)
	t.bigAlloc += AllocSize(cap(b))
	if k := len(t.bigFree); k > 0 {
		i := t.bigFree[k-1]
		t.bigFree = t.bigFree[:k-1]
		t.bigs[i] = b
		return bigLoc + i, b
	}
	t.bigs = append(t.bigs, b)
	return bigLoc + uint32(len(t.bigs)-1), b
}

// freshChunk is the capacity of a new chunk outside compaction: the first
// starts small, for small tables.
func (t *table) freshChunk() int {
	if len(t.chunks) == 0 {
		return minChunk
	}
	return chunkSize
}

// release frees the record at loc, of n bytes. The last record of the
// last chunk is given back to it, so an entry added and removed (or a
// member popped and added) leaves nothing to compact.
func (t *table) release(loc uint32, n int) {
	t.kvBytes -= n
	if loc < bigLoc {
		c, off := int(loc-1)>>chunkBits, int(loc-1)&(chunkSize-1)
		if c == len(t.chunks)-1 && off+n == len(t.chunks[c]) {
			t.chunks[c] = t.chunks[c][:off]
			t.chunkBytes -= n
		} else {
			t.dead += n
		}
		return
	}
	i := loc - bigLoc
	t.bigAlloc -= AllocSize(cap(t.bigs[i]))
	t.bigs[i] = nil
	t.bigFree = append(t.bigFree, i)
}

// putValue writes val's entry at the start of dst, which has room for it.
// The value goes first: val may be a slice of this very record, which the
// length prefix could otherwise overwrite before it is copied.
func putValue(dst, val []byte) {
	k := uvarintLen(len(val))
	copy(dst[k:], val)
	binary.PutUvarint(dst[:k], uint64(len(val)))
}

// insert adds key, which must be absent, with val (empty in a set).
func (t *table) insert(key, val []byte) {
	if t.n >= len(t.buckets) {
		t.resize(len(t.buckets) * 2)
	}
	h := t.hashOf(key)
	n := t.recSize(key, val)
	loc, r := t.alloc(n, t.freshChunk())
	k := putField(r, key)
	if t.values {
		putValue(r[k:], val)
	}
	t.kvBytes += n
	var i uint32
	if t.free != 0 {
		i = t.free - 1
		t.free = t.slot(int(i)).next
	} else {
		i = t.newSlot()
	}
	b := &t.buckets[int(h)&(len(t.buckets)-1)]
	*t.slot(int(i)) = slot{loc: loc, next: *b, hash: h}
	*b = i + 1
	t.n++
}

// setValue replaces the value of slot i: in place if the record does not
// grow, or is the last of the last chunk and there is room after it;
// otherwise the record moves. The slot stays where it is.
func (t *table) setValue(i int, val []byte) {
	s := t.slot(i)
	r := t.record(s.loc)
	_, kend := fieldSpan(r, 0)
	old := t.recLen(r)
	n := kend + fieldSize(val)
	if s.loc < bigLoc {
		if n <= maxChunkRecord && t.atEnd(s.loc, old, n) {
			c := int(s.loc-1) >> chunkBits
			t.chunks[c] = t.chunks[c][:len(t.chunks[c])+n-old]
			t.chunkBytes += n - old
			t.kvBytes += n - old
			putValue(t.record(s.loc)[kend:n], val)
			// A shorter chunk may make the dead bytes its greater part.
			t.maybeCompact()
			return
		}
		if n <= old {
			putValue(r[kend:n], val)
			t.dead += old - n
			t.kvBytes += n - old
			t.maybeCompact()
			return
		}
	} else if n > maxChunkRecord && n <= cap(r) && 2*n >= cap(r) {
		r = r[:n]
		t.bigs[s.loc-bigLoc] = r
		t.kvBytes += n - old
		putValue(r[kend:], val)
		return
	}
	loc, nr := t.alloc(n, t.freshChunk())
	// r still holds the old record: growing a chunk copies it away.
	copy(nr, r[:kend])
	putValue(nr[kend:], val)
	t.kvBytes += n
	t.release(s.loc, old)
	s.loc = loc
	t.maybeCompact()
}

// atEnd reports whether the chunk record at loc, of old bytes, ends the
// last chunk, which has room for it to be n bytes.
func (t *table) atEnd(loc uint32, old, n int) bool {
	c, off := int(loc-1)>>chunkBits, int(loc-1)&(chunkSize-1)
	ch := t.chunks[c]
	return c == len(t.chunks)-1 && off+old == len(ch) && off+n <= cap(ch)
}

// removeAt deletes slot i. It may compact the slab, which moves slots.
func (t *table) removeAt(i int) {
	s := t.slot(i)
	link := &t.buckets[int(s.hash)&(len(t.buckets)-1)]
	for *link != uint32(i+1) {
		link = &t.slot(int(*link - 1)).next
	}
	*link = s.next
	t.release(s.loc, t.recLen(t.record(s.loc)))
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
	t.maybeCompact()
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
				if s.loc != 0 {
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

// maybeCompact compacts the records once dead bytes are over half of the
// chunks' bytes, or free entries over half of bigs, so that memory stays
// within about twice the live records after any churn. The copying costs
// at most one byte per dead byte.
func (t *table) maybeCompact() {
	if (t.dead >= minCompactDead && 2*t.dead > t.chunkBytes) ||
		(len(t.bigFree) >= minBigFree && 2*len(t.bigFree) > len(t.bigs)) {
		t.compactRecords()
	}
}

// compactRecords copies the live records into fresh chunks, in slot
// order, and renumbers bigs without its free entries. Slots stay put.
func (t *table) compactRecords() {
	oldChunks, oldBigs := t.chunks, t.bigs
	remaining := t.chunkBytes - t.dead
	t.chunks, t.chunkBytes, t.dead, t.chunkAlloc = nil, 0, 0, 0
	t.bigs, t.bigFree = make([][]byte, 0, len(oldBigs)-len(t.bigFree)), nil
	for _, pg := range t.pages {
		for j := range pg {
			s := &pg[j]
			switch {
			case s.loc == 0:
			case s.loc >= bigLoc:
				t.bigs = append(t.bigs, oldBigs[s.loc-bigLoc])
				s.loc = bigLoc + uint32(len(t.bigs)-1)
			default:
				r := recordIn(oldChunks, nil, s.loc)
				n := t.recLen(r)
				remaining -= n
				if c := len(t.chunks) - 1; c >= 0 && len(t.chunks[c])+n <= cap(t.chunks[c]) {
					// alloc's common case, without the call.
					s.loc = 1 + uint32(c)<<chunkBits + uint32(len(t.chunks[c]))
					t.chunks[c] = append(t.chunks[c], r[:n]...)
					t.chunkBytes += n
					continue
				}
				// The last chunk gets room for a little more than as many
				// bytes again as it holds, where the next compaction comes
				// at the earliest, so that it need not regrow in between.
				loc, nr := t.alloc(n, max(2*(remaining+n)+(remaining+n)/4, minChunk))
				copy(nr, r[:n])
				s.loc = loc
			}
		}
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
		c.pages[p] = append(make([]slot, 0, cap(pg)), pg...)
	}
	c.chunks = make([][]byte, len(t.chunks))
	for i, ch := range t.chunks {
		c.chunks[i] = append(make([]byte, 0, cap(ch)), ch...)
	}
	c.bigs = make([][]byte, len(t.bigs))
	for i, b := range t.bigs {
		if b != nil {
			c.bigs[i] = append(make([]byte, 0, cap(b)), b...)
		}
	}
	c.bigFree = append([]uint32(nil), t.bigFree...)
	return &c
}

// memoryUsage is the bytes the table holds: its header, buckets, slab and
// records, dead ones included, each allocation as the heap holds it. The
// last chunk counts whole, spare room included: the room is allocated,
// and it can be more than half of a small table's records (a chunk grows
// by doubling, and compaction leaves room for as much again), so the
// figure moves in steps as the table grows.
func (t *table) memoryUsage() int {
	const sliceHeader = int(unsafe.Sizeof([]byte(nil)))
	const slotSize = int(unsafe.Sizeof(slot{}))
	// Only page 0 is allocated short of a whole page.
	pages := AllocSize(slotSize*cap(t.pages[0])) + (len(t.pages)-1)*AllocSize(slotSize*pageSize)
	return AllocSize(int(unsafe.Sizeof(*t))) + AllocSize(4*cap(t.buckets)) +
		ptrAllocSize(sliceHeader*cap(t.pages)) + pages +
		ptrAllocSize(sliceHeader*cap(t.chunks)) + t.chunkAlloc +
		ptrAllocSize(sliceHeader*cap(t.bigs)) + t.bigAlloc + AllocSize(4*cap(t.bigFree))
}
