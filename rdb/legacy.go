package rdb

import (
	"encoding/binary"
	"math"
)

// This file reads the encodings Redis 7.0 still loads but no longer
// writes, ziplists and zipmaps, and the intset, which it still writes.

// readZiplist validates a ziplist (ziplist.c) entirely and calls fn for
// each entry in order; the strings fn gets alias zl.
//
//	+--------------+-------------+-------------+---------+-----+------+
//	| bytes uint32 | tail uint32 | count u16   | entry 0 | ... | 0xff |
//	+--------------+-------------+-------------+---------+-----+------+
//
// An entry is the previous entry's size (1 byte, or 0xfe and 4 bytes),
// an encoding, then data: strings of 6, 14 or 32-bit length, integers of
// 8, 16, 24, 32 or 64 bits, or 0..12 in the encoding byte itself.
func readZiplist(zl []byte, fn func(e lpEntry) error) error {
	const header = 10
	if len(zl) < header+1 {
		return corrupt("ziplist of %d bytes", len(zl))
	}
	if int(binary.LittleEndian.Uint32(zl)) != len(zl) || zl[len(zl)-1] != 0xff {
		return corrupt("ziplist header or terminator")
	}
	tail := int(binary.LittleEndian.Uint32(zl[4:]))
	count := int(binary.LittleEndian.Uint16(zl[8:]))
	body := zl[:len(zl)-1]
	n, prev, last := 0, 0, header
	for p := header; p < len(body); n++ {
		start := p
		var prevLen int
		if body[p] < 0xfe {
			prevLen = int(body[p])
			p++
		} else if body[p] == 0xfe && len(body)-p >= 5 {
			prevLen = int(binary.LittleEndian.Uint32(body[p+1:]))
			p += 5
		} else {
			return corrupt("ziplist entry prevlen")
		}
		if prevLen != prev {
			return corrupt("ziplist prevlen %d, previous entry %d bytes", prevLen, prev)
		}
		if p >= len(body) {
			return corrupt("truncated ziplist entry")
		}
		e, size, err := ziplistEntryAt(body[p:])
		if err != nil {
			return err
		}
		p += size
		if err := fn(e); err != nil {
			return err
		}
		prev, last = p-start, start
	}
	if tail != last {
		return corrupt("ziplist tail offset")
	}
	if count != 0xffff && count != n {
		return corrupt("ziplist count %d, %d entries", count, n)
	}
	return nil
}

// ziplistEntryAt decodes the encoding and data at the start of b.
func ziplistEntryAt(b []byte) (lpEntry, int, error) {
	c := b[0]
	var size, strLen int
	switch {
	case c>>6 == 0:
		size, strLen = 1, int(c&0x3f)
	case c>>6 == 1:
		if len(b) < 2 {
			return lpEntry{}, 0, corrupt("truncated ziplist string length")
		}
		size, strLen = 2, int(c&0x3f)<<8|int(b[1])
	case c>>6 == 2:
		if len(b) < 5 {
			return lpEntry{}, 0, corrupt("truncated ziplist string length")
		}
		size, strLen = 5, int(binary.BigEndian.Uint32(b[1:]))
	case c >= 0xf1 && c <= 0xfd:
		return lpEntry{v: int64(c&0x0f) - 1, isInt: true}, 1, nil
	default:
		var w int
		switch c {
		case 0xfe:
			w = 1
		case 0xc0:
			w = 2
		case 0xf0:
			w = 3
		case 0xd0:
			w = 4
		case 0xe0:
			w = 8
		default:
			return lpEntry{}, 0, corrupt("ziplist encoding %#x", c)
		}
		if len(b) < 1+w {
			return lpEntry{}, 0, corrupt("truncated ziplist integer")
		}
		var u uint64
		for i := w; i >= 1; i-- {
			u = u<<8 | uint64(b[i])
		}
		shift := 64 - 8*w
		return lpEntry{v: int64(u<<shift) >> shift, isInt: true}, 1 + w, nil
	}
	if strLen > len(b)-size {
		return lpEntry{}, 0, corrupt("ziplist string past the end")
	}
	return lpEntry{s: b[size : size+strLen]}, size + strLen, nil
}

// readZipmap validates a zipmap (zipmap.c, Redis 2.4's small hashes) and
// calls fn for each field and value:
//
//	count(1) { len field len free(1) value <free bytes> }... 0xff
//
// A len is one byte below 254, or 254 and 4 bytes little endian.
func readZipmap(zm []byte, fn func(field, value []byte) error) error {
	if len(zm) < 2 || zm[len(zm)-1] != 0xff {
		return corrupt("zipmap header or terminator")
	}
	count := int(zm[0])
	body := zm[:len(zm)-1]
	n := 0
	readLen := func(p int) (int, int, error) {
		if p >= len(body) {
			return 0, 0, corrupt("truncated zipmap")
		}
		switch c := body[p]; {
		case c < 254:
			return int(c), p + 1, nil
		case c == 254 && len(body)-p >= 5:
			return int(binary.LittleEndian.Uint32(body[p+1:])), p + 5, nil
		}
		return 0, 0, corrupt("zipmap length")
	}
	for p := 1; p < len(body); n++ {
		kl, q, err := readLen(p)
		if err != nil {
			return err
		}
		if kl > len(body)-q {
			return corrupt("zipmap field past the end")
		}
		field := body[q : q+kl]
		vl, q, err := readLen(q + kl)
		if err != nil {
			return err
		}
		if q >= len(body) {
			return corrupt("truncated zipmap")
		}
		free := int(body[q])
		q++
		if vl > len(body)-q || free > len(body)-q-vl {
			return corrupt("zipmap value past the end")
		}
		if err := fn(field, body[q:q+vl]); err != nil {
			return err
		}
		p = q + vl + free
	}
	if count < 254 && count != n {
		return corrupt("zipmap count %d, %d entries", count, n)
	}
	return nil
}

// readIntset validates an intset (intset.c) as intsetValidateIntegrity
// does with deep checks and calls fn with its members, ascending:
//
//	+-----------------+---------------+----------------------------+
//	| encoding uint32 | length uint32 | length x int of encoding B |
//	+-----------------+---------------+----------------------------+
//	 little endian; encoding is 2, 4 or 8; members strictly ascending
func readIntset(is []byte, fn func(v int64) error) error {
	if len(is) < 8 {
		return corrupt("intset of %d bytes", len(is))
	}
	w := int(binary.LittleEndian.Uint32(is))
	count := uint64(binary.LittleEndian.Uint32(is[4:]))
	if w != 2 && w != 4 && w != 8 {
		return corrupt("intset encoding %d", w)
	}
	if count == 0 || count*uint64(w)+8 != uint64(len(is)) {
		return corrupt("intset length %d for %d bytes", count, len(is))
	}
	prev := int64(math.MinInt64)
	for i := 8; i < len(is); i += w {
		var v int64
		switch w {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(is[i:])))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(is[i:])))
		default:
			v = int64(binary.LittleEndian.Uint64(is[i:]))
		}
		if i > 8 && v <= prev {
			return corrupt("intset not in ascending order")
		}
		prev = v
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// appendIntset appends the intset of members (ascending) of width w.
func appendIntset(b []byte, w int, members []int64) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(w))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(members)))
	for _, v := range members {
		for k := range w {
			b = append(b, byte(v>>(8*k)))
		}
	}
	return b
}
