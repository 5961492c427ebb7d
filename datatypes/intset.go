package datatypes

import (
	"encoding/binary"
	"math"
	"sort"
)

// intset is the "intset" encoding of sets: sorted integers of one width,
// in a single byte slice, as Redis's intset.c.
//
//	+-------+------+------+-----+----------+
//	| width |  v0  |  v1  | ... |  v(n-1)  |   v0 < v1 < ... (little endian)
//	+-------+------+------+-----+----------+
//	 1 byte  width bytes each (2, 4 or 8)
//
// The width is the smallest that holds every member; adding a member that
// does not fit re-encodes the whole set wider, and it never narrows again
// (as in Redis). The empty intset is the nil slice.
type intset []byte

// intWidth is the number of bytes needed to store v.
func intWidth(v int64) int {
	switch {
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 2
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 4
	}
	return 8
}

func (s intset) width() int {
	if len(s) == 0 {
		return 2
	}
	return int(s[0])
}

func (s intset) len() int {
	if len(s) == 0 {
		return 0
	}
	return (len(s) - 1) / int(s[0])
}

// at returns the i-th smallest member.
func (s intset) at(i int) int64 {
	w := int(s[0])
	p := 1 + i*w
	switch w {
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(s[p:])))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(s[p:])))
	}
	return int64(binary.LittleEndian.Uint64(s[p:]))
}

func putInt(b []byte, w int, v int64) {
	switch w {
	case 2:
		binary.LittleEndian.PutUint16(b, uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b, uint32(v))
	default:
		binary.LittleEndian.PutUint64(b, uint64(v))
	}
}

// find returns the position of v, or where it would be inserted.
func (s intset) find(v int64) (int, bool) {
	n := s.len()
	if n == 0 || v < s.at(0) {
		return 0, false
	}
	if v > s.at(n-1) {
		return n, false
	}
	i := sort.Search(n, func(i int) bool { return s.at(i) >= v })
	return i, i < n && s.at(i) == v
}

// add inserts v and reports whether it was missing.
func (s intset) add(v int64) (intset, bool) {
	w := max(s.width(), intWidth(v))
	if w > s.width() {
		return s.upgradeAndAdd(v, w), true
	}
	i, ok := s.find(v)
	if ok {
		return s, false
	}
	n := s.len()
	if len(s) == 0 {
		s = intset(growBytes(nil, 1+w))
		s = append(s, byte(w))
	}
	s = intset(growBytes(s, w))
	s = s[:len(s)+w]
	p := 1 + i*w
	copy(s[p+w:], s[p:1+n*w])
	putInt(s[p:], w, v)
	return s, true
}

// upgradeAndAdd re-encodes s with width w and adds v, which does not fit
// the old width and so is smaller or larger than every member.
func (s intset) upgradeAndAdd(v int64, w int) intset {
	n := s.len()
	out := make(intset, 1+(n+1)*w)
	out[0] = byte(w)
	off := 0
	if v < 0 {
		putInt(out[1:], w, v)
		off = 1
	} else {
		putInt(out[1+n*w:], w, v)
	}
	for i := range n {
		putInt(out[1+(i+off)*w:], w, s.at(i))
	}
	return out
}

// remove deletes v and reports whether it was there.
func (s intset) remove(v int64) (intset, bool) {
	if intWidth(v) > s.width() {
		return s, false
	}
	i, ok := s.find(v)
	if !ok {
		return s, false
	}
	w := s.width()
	p := 1 + i*w
	copy(s[p:], s[p+w:])
	s = s[:len(s)-w]
	if s.len() == 0 {
		// Keep the width, as Redis does: only the members go.
		return s, true
	}
	return intset(shrinkBytes(s)), true
}
