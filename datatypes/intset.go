package datatypes

import (
	"math"
	"strings"
)

// intset is the "intset" encoding of sets: sorted integers of one width
// in a single string, as Redis's intset.c.
//
//	+-------+------+------+-----+----------+
//	| width |  v0  |  v1  | ... |  v(n-1)  |   v0 < v1 < ... (little endian)
//	+-------+------+------+-----+----------+
//	 1 byte  width bytes each (2, 4 or 8)
//
// The width is the smallest that holds every member; adding a member that
// does not fit re-encodes the whole set wider, and it never narrows again
// (as in Redis). The empty intset is "".
//
// It is a string rather than a []byte to keep Set at 24 bytes: 100,000
// sets of 10 integers then take 72 bytes each, against Redis's 64 (a
// 16-byte robj and a 48-byte intset). Every change builds a new string
// of the exact size, as every Redis intset change reallocs.
type intset string

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
		return int64(int16(uint16(s[p]) | uint16(s[p+1])<<8))
	case 4:
		return int64(int32(uint32(s[p]) | uint32(s[p+1])<<8 | uint32(s[p+2])<<16 | uint32(s[p+3])<<24))
	}
	var u uint64
	for k := 7; k >= 0; k-- {
		u = u<<8 | uint64(s[p+k])
	}
	return int64(u)
}

// writeInt appends v's w low bytes, little endian.
func writeInt(b *strings.Builder, w int, v int64) {
	for k := range w {
		b.WriteByte(byte(v >> (8 * k)))
	}
}

// find returns the position of v, or where it would be inserted.
func (s intset) find(v int64) (int, bool) {
	lo, hi := 0, s.len()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch x := s.at(mid); {
		case x == v:
			return mid, true
		case x < v:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return lo, false
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
	var b strings.Builder
	if len(s) == 0 {
		b.Grow(1 + w)
		b.WriteByte(byte(w))
		writeInt(&b, w, v)
		return intset(b.String()), true
	}
	p := 1 + i*w
	b.Grow(len(s) + w)
	b.WriteString(string(s[:p]))
	writeInt(&b, w, v)
	b.WriteString(string(s[p:]))
	return intset(b.String()), true
}

// upgradeAndAdd re-encodes s with width w and adds v, which does not fit
// the old width and so is smaller or larger than every member.
func (s intset) upgradeAndAdd(v int64, w int) intset {
	n := s.len()
	var b strings.Builder
	b.Grow(1 + (n+1)*w)
	b.WriteByte(byte(w))
	if v < 0 {
		writeInt(&b, w, v)
	}
	for i := range n {
		writeInt(&b, w, s.at(i))
	}
	if v >= 0 {
		writeInt(&b, w, v)
	}
	return intset(b.String())
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
	// The width stays, as in Redis: only the member goes.
	return s[:p] + s[p+w:], true
}
