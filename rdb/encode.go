package rdb

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/resp"
)

// Encoder writes values as Redis 7.0 writes them (rdbSaveObjectType and
// rdbSaveObject), with rdbcompression on. The zero value is ready to use;
// reusing one spares the LZF compressor's table and the scratch buffers.
type Encoder struct {
	lzf *lzfState
	lp  lpWriter
	// nodes holds a list's listpacks until their count is known.
	nodes [][]byte
	ints  []int64
}

// packedThreshold is quicklist's packed_threshold: an element of 1 GiB or
// more gets a plain node of its own.
const packedThreshold = 1 << 30

// AppendValue appends v's type byte and object to dst, choosing the RDB
// type from v's encoding as Redis does. v must be one of datatypes'
// values; anything else is a programming error and panics.
func (e *Encoder) AppendValue(dst []byte, v datatypes.Value) []byte {
	return e.appendObject(append(dst, typeOf(v)), v)
}

// typeOf is rdbSaveObjectType: v's RDB type.
func typeOf(v datatypes.Value) byte {
	switch v := v.(type) {
	case *datatypes.String:
		return TypeString
	case *datatypes.List:
		return TypeListQuicklist2
	case *datatypes.Set:
		if v.IntsetWidth() != 0 {
			return TypeSetIntset
		}
		return TypeSet
	case *datatypes.Hash:
		if v.Encoding() == "listpack" {
			return TypeHashListpack
		}
		return TypeHash
	case *datatypes.ZSet:
		if v.Encoding() == "listpack" {
			return TypeZSetListpack
		}
		return TypeZSet2
	}
	panic(fmt.Sprintf("rdb: cannot encode a value of type %T", v))
}

// appendObject is rdbSaveObject: v's object in the form of typeOf(v).
func (e *Encoder) appendObject(dst []byte, v datatypes.Value) []byte {
	switch typ := typeOf(v); v := v.(type) {
	case *datatypes.String:
		return e.appendString(dst, v.Bytes())
	case *datatypes.List:
		return e.appendList(dst, v)
	case *datatypes.Set:
		if typ == TypeSetIntset {
			e.ints = e.ints[:0]
			for m := range v.All() {
				n, _ := resp.ParseInt(m)
				e.ints = append(e.ints, n)
			}
			e.lp.b = appendIntset(e.lp.b[:0], v.IntsetWidth(), e.ints)
			return e.appendString(dst, e.lp.b)
		}
		dst = appendLen(dst, uint64(v.Len()))
		for m := range v.All() {
			dst = e.appendString(dst, m)
		}
		return dst
	case *datatypes.Hash:
		if typ == TypeHashListpack {
			e.lp.reset(e.lp.b)
			for f, val := range v.All() {
				e.lp.appendString(f)
				e.lp.appendString(val)
			}
			return e.appendString(dst, e.lp.finish())
		}
		dst = appendLen(dst, uint64(v.Len()))
		for f, val := range v.All() {
			dst = e.appendString(dst, f)
			dst = e.appendString(dst, val)
		}
		return dst
	case *datatypes.ZSet:
		if typ == TypeZSetListpack {
			e.lp.reset(e.lp.b)
			var buf []byte
			for m, s := range v.All() {
				e.lp.appendString(m)
				buf = appendScore(buf[:0], s)
				e.lp.appendString(buf)
			}
			return e.appendString(dst, e.lp.finish())
		}
		// Highest first, as Redis walks its skiplist from the tail.
		dst = appendLen(dst, uint64(v.Len()))
		for m, s := range v.Iter(0, true) {
			dst = e.appendString(dst, m)
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(s))
		}
		return dst
	}
	panic("unreachable")
}

// appendList writes l's nodes as quicklistPushTail would have made them
// for its elements in order, under the fill l was created with.
func (e *Encoder) appendList(dst []byte, l *datatypes.List) []byte {
	fill := l.Fill()
	e.nodes = e.nodes[:0]
	open := false
	for _, v := range l.Forward(0) {
		if len(v) >= packedThreshold {
			if open {
				e.nodes = append(e.nodes, e.lp.finish())
				open = false
			}
			e.nodes = append(e.nodes, nil, v) // nil marks a plain node
			continue
		}
		if open && !allowInsert(e.lp.size(), e.lp.n, fill, len(v)) {
			e.nodes = append(e.nodes, e.lp.finish())
			open = false
		}
		if !open {
			e.lp.reset(nil) // each node keeps its own bytes
			open = true
		}
		e.lp.appendString(v)
	}
	if open {
		e.nodes = append(e.nodes, e.lp.finish())
	}
	count := 0
	for _, nd := range e.nodes {
		if nd != nil {
			count++
		}
	}
	dst = appendLen(dst, uint64(count))
	for i := 0; i < len(e.nodes); i++ {
		if e.nodes[i] == nil {
			i++
			dst = appendLen(dst, containerPlain)
		} else {
			dst = appendLen(dst, containerPacked)
		}
		dst = e.appendString(dst, e.nodes[i])
	}
	clear(e.nodes)
	e.lp.b = nil
	return dst
}

// allowInsert is Redis 7.0's _quicklistNodeAllowInsert: whether a node of
// size bytes and count entries takes an element of n bytes under fill.
// It estimates 8 bytes of overhead per entry.
func allowInsert(size, count, fill, n int) bool {
	newSize := size + n + 8
	if fill < 0 {
		return newSize <= 4096<<(-fill-1)
	}
	return newSize <= 8192 && count < fill
}

// appendScore formats a sorted set score as Redis 7.0's d2string does for
// a listpack: integers within 2^52 as integers, others as %.17g.
func appendScore(b []byte, s float64) []byte {
	switch {
	case math.IsInf(s, 1):
		return append(b, "inf"...)
	case math.IsInf(s, -1):
		return append(b, "-inf"...)
	case s > -4503599627370495 && s < 4503599627370496 && s == math.Trunc(s):
		return strconv.AppendInt(b, int64(s), 10)
	}
	return strconv.AppendFloat(b, s, 'g', 17, 64)
}

// appendLen appends n as rdbSaveLen does.
func appendLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, byte(n>>8)|len14Bit<<6, byte(n))
	case n <= math.MaxUint32:
		b = append(b, len32Bit)
		return binary.BigEndian.AppendUint32(b, uint32(n))
	}
	b = append(b, len64Bit)
	return binary.BigEndian.AppendUint64(b, n)
}

// appendString appends s as rdbSaveRawString does: as an integer of 8,
// 16 or 32 bits if it is one, LZF-compressed if it is over 20 bytes and
// that saves at least 4 bytes, else as a length and the bytes.
func (e *Encoder) appendString(b []byte, s []byte) []byte {
	if len(s) <= 11 {
		if v, ok := resp.ParseInt(s); ok && v >= math.MinInt32 && v <= math.MaxInt32 {
			return appendIntString(b, v)
		}
	}
	if len(s) > 20 {
		if e.lzf == nil {
			e.lzf = new(lzfState)
		}
		start := len(b)
		b = append(b, lenEncVal<<6|encLZF)
		// Room for the two lengths (at most 5 bytes each), placed once
		// the compressed size is known.
		mark := len(b)
		b = append(b, make([]byte, 10)...)
		out, ok := e.lzf.compress(b, s, len(s)-4)
		if ok {
			clen := len(out) - len(b)
			var hdr [10]byte
			h := appendLen(appendLen(hdr[:0], uint64(clen)), uint64(len(s)))
			copy(out[mark:], h)
			return append(out[:mark+len(h)], out[len(b):]...)
		}
		b = b[:start]
	}
	b = appendLen(b, uint64(len(s)))
	return append(b, s...)
}

// appendIntString appends v (a 32-bit value) as rdbEncodeInteger does.
func appendIntString(b []byte, v int64) []byte {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(b, lenEncVal<<6|encInt8, byte(v))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return append(b, lenEncVal<<6|encInt16, byte(v), byte(v>>8))
	}
	return append(b, lenEncVal<<6|encInt32, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}
