package keyspace

import "github.com/cairn-db/cairn/keyspace/arena"

// index maps a key's hash to its entry's position: extendible hashing over
// segments of one arena page each, so that it grows one segment at a time
// (a split rehashes 8,192 slots, never the whole table) and the collector
// sees no part of it.
//
//	dir      []*segment   1<<depth pointers; a segment of local depth d
//	                      is pointed to by 1<<(depth-d) consecutive ones
//	segment  [8192]uint64 open addressing with linear probing
//	slot     +----------------+------------------+
//	         | tag: hash>>32  | 1 + entry position |   0 = empty
//	         +----------------+------------------+
//
// The tag picks the segment (its top bits) and the home slot (its low
// bits), and rejects most non-matching slots without reading the key;
// since it is stored, a split never rehashes a key. Deletion shifts the
// following slots back, so there are no tombstones.
type index struct {
	dir   []*segment
	depth uint
	// n counts slots in use, segments segments.
	n, segments int
}

type segment struct {
	slots *[segSlots]uint64
	depth uint
	n     int
}

const (
	segSlots = arena.PageSize / 8
	segMask  = segSlots - 1
	// segMax is the load at which a segment splits: linear probing stays
	// short below it, and segments are between 40% and 80% full.
	segMax = segSlots * 4 / 5
)

func (x *index) segmentFor(tag uint32) *segment {
	if x.depth == 0 {
		return x.dir[0]
	}
	return x.dir[tag>>(32-x.depth)]
}

// find returns the position of the entry whose tag is tag and for which
// eq is true.
func (x *index) find(tag uint32, eq func(pos uint32) bool) (uint32, bool) {
	if x.dir == nil {
		return 0, false
	}
	s := x.segmentFor(tag)
	for i := tag & segMask; ; i = (i + 1) & segMask {
		v := s.slots[i]
		if v == 0 {
			return 0, false
		}
		if uint32(v>>32) == tag && eq(uint32(v)-1) {
			return uint32(v) - 1, true
		}
	}
}

// insert adds a slot for an entry at pos; the key must not be present.
func (x *index) insert(tag uint32, pos uint32) {
	x.init()
	s := x.segmentFor(tag)
	if s.n >= segMax {
		x.split(s, tag)
		s = x.segmentFor(tag)
	}
	s.put(uint64(tag)<<32 | uint64(pos+1))
	x.n++
}

func (s *segment) put(v uint64) {
	i := uint32(v>>32) & segMask
	for s.slots[i] != 0 {
		i = (i + 1) & segMask
	}
	s.slots[i] = v
	s.n++
}

// move changes the position recorded for the entry at from to to.
func (x *index) move(tag uint32, from, to uint32) {
	s := x.segmentFor(tag)
	i := s.probe(uint64(tag)<<32 | uint64(from+1))
	s.slots[i] = uint64(tag)<<32 | uint64(to+1)
}

// probe returns the slot holding v, which must be present: a missing one
// is a broken index, reported as a panic (which the dispatcher turns into
// an error reply) rather than a probe that never ends.
func (s *segment) probe(v uint64) uint32 {
	i := uint32(v>>32) & segMask
	for range segSlots {
		if s.slots[i] == v {
			return i
		}
		i = (i + 1) & segMask
	}
	panic("keyspace: index slot missing")
}

// remove deletes the slot of the entry at pos.
func (x *index) remove(tag uint32, pos uint32) {
	s := x.segmentFor(tag)
	i := s.probe(uint64(tag)<<32 | uint64(pos+1))
	// Shift back every following slot that may sit at i: one whose home
	// is not cyclically in (i, j].
	for j := (i + 1) & segMask; ; j = (j + 1) & segMask {
		v := s.slots[j]
		if v == 0 {
			break
		}
		home := uint32(v>>32) & segMask
		if (j-home)&segMask >= (j-i)&segMask {
			s.slots[i] = v
			i = j
		}
	}
	s.slots[i] = 0
	s.n--
	x.n--
}

// split replaces s, the segment of tag, by two segments one bit deeper.
func (x *index) split(s *segment, tag uint32) {
	if s.depth == x.depth {
		dir := make([]*segment, 2*len(x.dir))
		for i, t := range x.dir {
			dir[2*i], dir[2*i+1] = t, t
		}
		x.dir = dir
		x.depth++
	}
	lo, hi := newSegment(s.depth+1), newSegment(s.depth+1)
	bit := 31 - s.depth
	for _, v := range s.slots {
		if v == 0 {
			continue
		}
		if uint32(v>>32)>>bit&1 == 0 {
			lo.put(v)
		} else {
			hi.put(v)
		}
	}
	// The directory entries of s are 1<<(depth-s.depth) consecutive ones;
	// the first half now point to lo, the rest to hi.
	span := uint32(1) << (x.depth - s.depth)
	first := tag >> (32 - x.depth) &^ (span - 1)
	for i := range span {
		if i < span/2 {
			x.dir[first+i] = lo
		} else {
			x.dir[first+i] = hi
		}
	}
	arena.PutAs(s.slots)
	x.segments++
}

func (x *index) init() {
	if x.dir == nil {
		x.dir = []*segment{newSegment(0)}
		x.segments = 1
	}
}

func newSegment(depth uint) *segment {
	return &segment{slots: arena.GetAs[[segSlots]uint64](), depth: depth}
}

// reserve splits segments ahead of time so that n keys fit without a
// split, as loading a snapshot of known size wants.
func (x *index) reserve(n int) {
	x.init()
	for x.segments*segMax*3/4 < n {
		// Split each segment once, finding it by the first tag it owns.
		for tag := uint64(0); tag < 1<<32; {
			s := x.segmentFor(uint32(tag))
			d := s.depth
			x.split(s, uint32(tag))
			tag += 1 << (32 - d)
		}
	}
}

// release gives every segment back to the arena.
func (x *index) release() {
	for i, s := range x.dir {
		if i == 0 || x.dir[i-1] != s {
			arena.PutAs(s.slots)
		}
	}
	*x = index{}
}

// bytes is the memory the index holds.
func (x *index) bytes() int {
	return x.segments*arena.PageSize + 8*len(x.dir)
}
