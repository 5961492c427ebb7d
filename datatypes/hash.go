package datatypes

import (
	"bytes"
	"encoding/binary"
	"iter"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// Hash maps binary-safe fields to binary-safe values, encoded as Redis
// 7.0 encodes hashes:
//
//	encoding   representation                    used while
//	---------  --------------------------------  --------------------------------
//	listpack   one []byte, fields and values     Len <= HashMaxListpackEntries and
//	           in insertion order (below)        every field and value is at most
//	                                             HashMaxListpackValue bytes
//	hashtable  chained hash table (see table)    otherwise
//
// The listpack:
//
//	+--------------+----------+----------+----------+----------+-----
//	| count uint32 | field 0  | value 0  | field 1  | value 1  | ...
//	+--------------+----------+----------+----------+----------+-----
//	 little endian  each "uvarint(len) bytes"
//
// A new field goes at the end, a changed value stays in place and a
// deleted pair closes up, so iteration follows insertion order as
// HGETALL does in Redis. Lookups are linear, as in Redis.
//
// Conversion rules (t_hash.c, checked against redis-server 7.0.15):
//   - A new hash starts as a listpack.
//   - Setting a field or value longer than HashMaxListpackValue converts
//     before the set (so HINCRBY's results count too); after any set,
//     including an update of an existing field, a Len above
//     HashMaxListpackEntries converts. SetNX of an existing field changes
//     nothing and never converts.
//   - A hash never converts back.
//
// Byte slices returned by a Hash are valid until its next modification,
// and must not be modified.
type Hash struct {
	// lp holds the pairs while ht is nil; nil when empty.
	lp []byte
	// ht holds the pairs once the hash is a hashtable.
	ht *table
}

const lpHeader = 4

var _ Value = (*Hash)(nil)

// NewHash returns an empty hash (a listpack).
func NewHash() *Hash { return &Hash{} }

// Type implements Value.
func (h *Hash) Type() string { return "hash" }

// Encoding implements Value.
func (h *Hash) Encoding() string {
	if h.ht != nil {
		return "hashtable"
	}
	return "listpack"
}

// MemoryUsage implements Value.
func (h *Hash) MemoryUsage() int {
	header := AllocSize(int(unsafe.Sizeof(*h)))
	if h.ht != nil {
		return header + h.ht.memoryUsage()
	}
	return header + AllocSize(cap(h.lp))
}

// Clone implements Value.
func (h *Hash) Clone() Value {
	if h.ht != nil {
		return &Hash{ht: h.ht.clone()}
	}
	return &Hash{lp: append([]byte(nil), h.lp...)}
}

// String renders the encoding and the pairs, in order for a listpack
// (where the order is visible to HGETALL) and sorted for a hashtable, so
// that equal hashes print alike (fmt's %v uses it, as the replay test
// does).
func (h *Hash) String() string {
	var ps []string
	for f, v := range h.All() {
		ps = append(ps, strconv.Quote(string(f))+":"+strconv.Quote(string(v)))
	}
	if h.ht != nil {
		slices.Sort(ps)
	}
	return h.Encoding() + "{" + strings.Join(ps, " ") + "}"
}

// Len is the number of fields (HLEN).
func (h *Hash) Len() int {
	if h.ht != nil {
		return h.ht.n
	}
	return h.lpLen()
}

func (h *Hash) lpLen() int {
	if len(h.lp) == 0 {
		return 0
	}
	return int(binary.LittleEndian.Uint32(h.lp))
}

func (h *Hash) setLPLen(n int) {
	binary.LittleEndian.PutUint32(h.lp, uint32(n))
}

// lpFind returns the offsets of field's entry and of its value's entry,
// or -1.
func (h *Hash) lpFind(field []byte) (fp, vp int) {
	for p := lpHeader; p < len(h.lp); {
		start, next := fieldSpan(h.lp, p)
		if next-start == len(field) && bytes.Equal(h.lp[start:next], field) {
			return p, next
		}
		_, p = fieldSpan(h.lp, next)
	}
	return -1, -1
}

// Get returns the value of field (HGET).
func (h *Hash) Get(field []byte) ([]byte, bool) {
	if h.ht != nil {
		return h.ht.get(field)
	}
	_, vp := h.lpFind(field)
	if vp < 0 {
		return nil, false
	}
	v, _ := fieldAt(h.lp, vp)
	return v, true
}

// Has reports whether field exists (HEXISTS).
func (h *Hash) Has(field []byte) bool {
	_, ok := h.Get(field)
	return ok
}

// StrLen is the length of field's value, 0 if it is missing (HSTRLEN).
func (h *Hash) StrLen(field []byte) int {
	v, _ := h.Get(field)
	return len(v)
}

// Set sets field to value and reports whether the field is new (HSET,
// HINCRBY, HINCRBYFLOAT).
func (h *Hash) Set(lim Limits, field, value []byte) bool {
	if h.ht == nil && (len(field) > lim.HashMaxListpackValue || len(value) > lim.HashMaxListpackValue ||
		len(h.lp)+len(field)+len(value) > listpackSafetyLimit) {
		h.convert()
	}
	if h.ht != nil {
		if i := h.ht.find(field); i >= 0 {
			h.ht.setValue(i, value)
			return false
		}
		h.ht.insert(field, value)
		return true
	}
	isNew := h.lpSet(field, value)
	if h.lpLen() > lim.HashMaxListpackEntries {
		h.convert()
	}
	return isNew
}

// SetNX sets field to value if it is missing and reports whether it did
// (HSETNX).
func (h *Hash) SetNX(lim Limits, field, value []byte) bool {
	if h.Has(field) {
		return false
	}
	return h.Set(lim, field, value)
}

// lpSet sets a pair in the listpack and reports whether it is new.
func (h *Hash) lpSet(field, value []byte) bool {
	if _, vp := h.lpFind(field); vp >= 0 {
		_, end := fieldAt(h.lp, vp)
		entry := make([]byte, fieldSize(value))
		putField(entry, value)
		h.lp = splice(h.lp, vp, end, entry)
		return false
	}
	if len(h.lp) == 0 {
		h.lp = growBytes(nil, lpHeader+fieldSize(field)+fieldSize(value))
		h.lp = h.lp[:lpHeader]
	}
	n := len(h.lp)
	h.lp = growBytes(h.lp, fieldSize(field)+fieldSize(value))
	h.lp = h.lp[:n+fieldSize(field)+fieldSize(value)]
	putField(h.lp[n+putField(h.lp[n:], field):], value)
	h.setLPLen(h.lpLen() + 1)
	return true
}

// convert moves the pairs of the listpack into a hashtable.
func (h *Hash) convert() {
	t := newTable(h.lpLen()+1, true)
	// A table record is a listpack pair.
	t.reserve(len(h.lp) - lpHeader)
	for f, v := range h.All() {
		t.insert(f, v)
	}
	h.ht, h.lp = t, nil
}

// Delete removes field and reports whether it existed (HDEL).
func (h *Hash) Delete(field []byte) bool {
	if h.ht != nil {
		return h.ht.remove(field)
	}
	fp, vp := h.lpFind(field)
	if fp < 0 {
		return false
	}
	_, end := fieldAt(h.lp, vp)
	n := h.lpLen() - 1
	if n == 0 {
		h.lp = nil
		return true
	}
	h.lp = splice(h.lp, fp, end, nil)
	h.setLPLen(n)
	return true
}

// All yields every field and value: in insertion order for a listpack, in
// no particular order for a hashtable. The hash must not change during
// the iteration.
func (h *Hash) All() iter.Seq2[[]byte, []byte] {
	return func(yield func(field, value []byte) bool) {
		if h.ht != nil {
			for i := range h.ht.used {
				if h.ht.live(i) && !yield(h.ht.pair(i)) {
					return
				}
			}
			return
		}
		for p := lpHeader; p < len(h.lp); {
			f, next := fieldAt(h.lp, p)
			v, after := fieldAt(h.lp, next)
			if !yield(f, v) {
				return
			}
			p = after
		}
	}
}

// pairs returns the offsets of the fields of a listpack, in order.
func (h *Hash) pairs() []int {
	out := make([]int, 0, h.lpLen())
	for p := lpHeader; p < len(h.lp); {
		out = append(out, p)
		_, next := fieldAt(h.lp, p)
		_, p = fieldAt(h.lp, next)
	}
	return out
}

// pair returns the field and value with id i: a slab index for a
// hashtable, a field offset for a listpack.
func (h *Hash) pair(i int) (field, value []byte) {
	if h.ht != nil {
		return h.ht.pair(i)
	}
	f, next := fieldAt(h.lp, i)
	v, _ := fieldAt(h.lp, next)
	return f, v
}

// RandomField returns a uniformly chosen field and its value (HRANDFIELD).
func (h *Hash) RandomField(rng *rand.Rand) (field, value []byte, ok bool) {
	if h.Len() == 0 {
		return nil, nil, false
	}
	if h.ht != nil {
		f, v := h.pair(h.ht.randomSlot(rng))
		return f, v, true
	}
	ps := h.pairs()
	f, v := h.pair(ps[rng.IntN(len(ps))])
	return f, v, true
}

// RandomFields implements HRANDFIELD's count, calling fn for each chosen
// pair: a negative count chooses -count pairs that may repeat; a count at
// least Len chooses every pair; otherwise count distinct pairs.
func (h *Hash) RandomFields(count int, rng *rand.Rand, fn func(field, value []byte)) {
	n := h.Len()
	if n == 0 || count == 0 {
		return
	}
	var draw func() int
	var all func() []int
	if h.ht != nil {
		draw = func() int { return h.ht.randomSlot(rng) }
		all = h.ht.liveSlots
	} else {
		ps := h.pairs()
		draw = func() int { return ps[rng.IntN(len(ps))] }
		all = func() []int { return append([]int(nil), ps...) }
	}
	var ids []int
	switch {
	case count < 0:
		for range -count {
			fn(h.pair(draw()))
		}
		return
	case count >= n:
		ids = all()
	default:
		ids = distinctIndexes(n, count, rng, all, draw)
	}
	for _, id := range ids {
		fn(h.pair(id))
	}
}

// Scan implements HSCAN: it calls fn for some pairs and returns the
// cursor to continue from, 0 when done. A listpack reports every pair in
// one call and returns 0, whatever the cursor, as Redis does. A hashtable
// reports about count pairs a call; every field present for the whole
// scan is reported at least once.
func (h *Hash) Scan(cursor uint64, count int, fn func(field, value []byte)) uint64 {
	if h.ht == nil {
		for f, v := range h.All() {
			fn(f, v)
		}
		return 0
	}
	return h.ht.scan(cursor, count, func(i int) { fn(h.pair(i)) })
}
