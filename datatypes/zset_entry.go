package datatypes

import (
	"bytes"
	"encoding/binary"
	"math"
)

// This file holds the entry format shared by a sorted set's listpack and
// the leaves of its tree (see ZSet): a run of entries sorted by score,
// then member bytes, each
//
//	+----------------------+--------+-------+
//	| uvarint(len(member)) | member | score |
//	+----------------------+--------+-------+
//
// score is uvarint(zigzag(i) << 1) when the score is an integer i with
// |i| <= 2^53 (not -0), else the byte 0x01 then the float64's bits, little
// endian. Scores are kept exactly, -0 included (a skiplist keeps it; the
// listpack turns it into 0 before it gets here, as Redis's does).

// zscoreFloat is the first byte of a score kept as float64 bits.
const zscoreFloat = 0x01

// zscoreInt returns f as an integer if the short form holds it exactly.
func zscoreInt(f float64) (int64, bool) {
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 || (f == 0 && math.Signbit(f)) {
		return 0, false
	}
	return int64(f), true
}

// zscoreSize is the size of score's encoding.
func zscoreSize(score float64) int {
	if i, ok := zscoreInt(score); ok {
		return uvarintLen(int(zigzag(i) << 1))
	}
	return 9
}

func zigzag(i int64) uint64 { return uint64(i<<1) ^ uint64(i>>63) }

func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// putZScore writes score's encoding at the start of dst and returns its
// size.
func putZScore(dst []byte, score float64) int {
	if i, ok := zscoreInt(score); ok {
		return binary.PutUvarint(dst, zigzag(i)<<1)
	}
	dst[0] = zscoreFloat
	binary.LittleEndian.PutUint64(dst[1:9], math.Float64bits(score))
	return 9
}

// zscoreAt decodes the score at p and returns it and the offset past it.
func zscoreAt(b []byte, p int) (float64, int) {
	c := b[p]
	if c < 0x80 && c != zscoreFloat {
		return float64(unzigzag(uint64(c) >> 1)), p + 1
	}
	if c == zscoreFloat {
		return math.Float64frombits(binary.LittleEndian.Uint64(b[p+1:])), p + 9
	}
	u, k := binary.Uvarint(b[p:])
	return float64(unzigzag(u >> 1)), p + k
}

// zentrySize is the size of the entry of member and score.
func zentrySize(member []byte, score float64) int {
	return fieldSize(member) + zscoreSize(score)
}

// putZEntry writes the entry at the start of dst, which has room for it,
// and returns its size.
func putZEntry(dst, member []byte, score float64) int {
	n := putField(dst, member)
	return n + putZScore(dst[n:], score)
}

// appendZEntry appends the entry of member and score to b.
func appendZEntry(b, member []byte, score float64) []byte {
	n := len(b)
	b = append(b, make([]byte, zentrySize(member, score))...)
	putZEntry(b[n:], member, score)
	return b
}

// zentryAt decodes the entry at p: its member, score and the offset past
// it.
func zentryAt(b []byte, p int) (member []byte, score float64, next int) {
	start, end := fieldSpan(b, p)
	score, next = zscoreAt(b, end)
	return b[start:end:end], score, next
}

// zentryEnd is the offset past the entry at p.
func zentryEnd(b []byte, p int) int {
	_, end := fieldSpan(b, p)
	c := b[end]
	switch {
	case c == zscoreFloat:
		return end + 9
	case c < 0x80:
		return end + 1
	}
	_, k := binary.Uvarint(b[end:])
	return end + k
}

// zcmp orders (s1, m1) and (s2, m2) as Redis's skiplist does: by score
// (so -0 and 0 are equal), then by member bytes.
func zcmp(s1 float64, m1 []byte, s2 float64, m2 []byte) int {
	switch {
	case s1 < s2:
		return -1
	case s1 > s2:
		return 1
	}
	return bytes.Compare(m1, m2)
}

// zoffsets returns the offsets of the entries of b, in order.
func zoffsets(b []byte, n int) []int {
	out := make([]int, 0, n)
	for p := 0; p < len(b); p = zentryEnd(b, p) {
		out = append(out, p)
	}
	return out
}

// zcount is the number of entries in b.
func zcount(b []byte) int {
	n := 0
	for p := 0; p < len(b); p = zentryEnd(b, p) {
		n++
	}
	return n
}

// zpred is a condition that holds for a prefix of a sorted run of entries:
// the entries before a key, or before a score or lex bound. Searches count
// the entries it holds for.
type zpred struct {
	kind uint8
	// score and member are the bound; orEq makes it inclusive.
	score  float64
	member []byte
	orEq   bool
	// inf is, for a lex bound, -1 for "-" (it holds for nothing) or +1
	// for "+" (it holds for everything).
	inf int8
}

const (
	// predKey: (s, m) < (score, member), or <= with orEq.
	predKey = iota
	// predScore: s < score, or <= with orEq.
	predScore
	// predLex: m < member, or <= with orEq.
	predLex
)

// holds reports whether the entry (s, m) is in the prefix.
func (p *zpred) holds(s float64, m []byte) bool {
	var c int
	switch p.kind {
	case predKey:
		c = zcmp(s, m, p.score, p.member)
	case predScore:
		switch {
		case s < p.score:
			return true
		case s > p.score:
			return false
		}
		return p.orEq
	default:
		if p.inf != 0 {
			return p.inf > 0
		}
		c = bytes.Compare(m, p.member)
	}
	return c < 0 || (c == 0 && p.orEq)
}

// needsMember reports whether holds looks at the member of an entry of
// score s.
func (p *zpred) needsMember(s float64) bool {
	switch p.kind {
	case predKey:
		return s == p.score
	case predScore:
		return false
	}
	return p.inf == 0
}

// zprefix scans the entries of b for the first where p does not hold, and
// returns its offset and index (len(b) and the count if p holds for all).
func zprefix(b []byte, p *zpred) (off, idx int) {
	for off < len(b) {
		m, s, next := zentryAt(b, off)
		if !p.holds(s, m) {
			return off, idx
		}
		off = next
		idx++
	}
	return off, idx
}

// zskip returns the offset of the entry k entries after the one at off.
func zskip(b []byte, off, k int) int {
	for ; k > 0; k-- {
		off = zentryEnd(b, off)
	}
	return off
}
