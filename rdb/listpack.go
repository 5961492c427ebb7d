package rdb

import (
	"encoding/binary"
	"strconv"

	"github.com/cairn-db/cairn/resp"
)

// This file writes and reads Redis's listpack (listpack.c), the encoding
// of small hashes and sorted sets and of list nodes:
//
//	+--------------+------------+---------+-----+---------+------+
//	| total uint32 | count u16  | entry 0 | ... | entry n | 0xff |
//	+--------------+------------+---------+-----+---------+------+
//	 little endian; count is 65535 once there are that many entries
//
// An entry is its encoding, its data, then its backlen: the size of the
// encoding and data, in 1 to 5 bytes of 7 bits, most significant first,
// every byte but the first with its top bit set, so that it reads from
// its end backwards. Encodings:
//
//	0xxxxxxx                   7-bit unsigned integer
//	10LLLLLL + L bytes         string of up to 63 bytes
//	110xxxxx xxxxxxxx          13-bit signed integer
//	1110LLLL LLLLLLLL + data   string of up to 4095 bytes
//	0xf0 + 4-byte len + data   longer string
//	0xf1 / 0xf2 / 0xf3 / 0xf4  16, 24, 32, 64-bit signed integer (LE)
//
// A string that string2ll accepts is stored as an integer.

const (
	lpHeaderSize = 6
	lpEOF        = 0xff
	// lpCountUnknown is the header's count once it no longer fits.
	lpCountUnknown = 65535
)

// lpWriter builds a listpack as successive lpAppend calls do.
type lpWriter struct {
	b []byte
	n int
}

func (w *lpWriter) reset(buf []byte) {
	w.b = append(buf[:0], make([]byte, lpHeaderSize)...)
	w.n = 0
}

// appendString appends s, as an integer if it is one.
func (w *lpWriter) appendString(s []byte) {
	if v, ok := resp.ParseInt(s); ok {
		w.appendInt(v)
		return
	}
	start := len(w.b)
	switch n := len(s); {
	case n < 64:
		w.b = append(w.b, 0x80|byte(n))
	case n < 4096:
		w.b = append(w.b, 0xe0|byte(n>>8), byte(n))
	default:
		w.b = append(w.b, 0xf0)
		w.b = binary.LittleEndian.AppendUint32(w.b, uint32(n))
	}
	w.b = append(w.b, s...)
	w.finishEntry(start)
}

// appendInt appends v in the smallest integer encoding.
func (w *lpWriter) appendInt(v int64) {
	start := len(w.b)
	switch {
	case v >= 0 && v <= 127:
		w.b = append(w.b, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint64(v) & (1<<13 - 1)
		w.b = append(w.b, 0xc0|byte(u>>8), byte(u))
	case v >= -1<<15 && v < 1<<15:
		w.b = append(w.b, 0xf1, byte(v), byte(v>>8))
	case v >= -1<<23 && v < 1<<23:
		w.b = append(w.b, 0xf2, byte(v), byte(v>>8), byte(v>>16))
	case v >= -1<<31 && v < 1<<31:
		w.b = append(w.b, 0xf3)
		w.b = binary.LittleEndian.AppendUint32(w.b, uint32(v))
	default:
		w.b = append(w.b, 0xf4)
		w.b = binary.LittleEndian.AppendUint64(w.b, uint64(v))
	}
	w.finishEntry(start)
}

// finishEntry appends the backlen of the entry that starts at start.
func (w *lpWriter) finishEntry(start int) {
	w.b = appendBacklen(w.b, len(w.b)-start)
	w.n++
}

// size is what the listpack takes once finished.
func (w *lpWriter) size() int { return len(w.b) + 1 }

// finish terminates the listpack, fills its header and returns it.
func (w *lpWriter) finish() []byte {
	w.b = append(w.b, lpEOF)
	binary.LittleEndian.PutUint32(w.b, uint32(len(w.b)))
	binary.LittleEndian.PutUint16(w.b[4:], uint16(min(w.n, lpCountUnknown)))
	return w.b
}

// backlenSize is lpEncodeBacklen's size for an entry of l bytes.
func backlenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// appendBacklen appends lpEncodeBacklen's bytes for an entry of l bytes:
// 7 bits each, most significant first, the top bit set on all but the
// first.
func appendBacklen(b []byte, l int) []byte {
	k := backlenSize(l)
	for i := k - 1; i >= 0; i-- {
		c := byte(l>>(7*i)) & 127
		if i != k-1 {
			c |= 128
		}
		b = append(b, c)
	}
	return b
}

// lpEntry is an entry read from a listpack or ziplist: a string, or an
// integer if s is nil.
type lpEntry struct {
	s     []byte
	v     int64
	isInt bool
}

// bytes returns the entry as a string: an integer is formatted into
// *scratch, a string is returned as it is (aliasing the listpack), so
// that scratch never aliases the listpack.
func (e lpEntry) bytes(scratch *[]byte) []byte {
	if e.isInt {
		*scratch = strconv.AppendInt((*scratch)[:0], e.v, 10)
		return *scratch
	}
	return e.s
}

// readListpack validates lp entirely, as lpValidateIntegrity with deep
// checks, and calls fn for each entry in order; the strings fn gets alias
// lp.
func readListpack(lp []byte, fn func(e lpEntry) error) error {
	if len(lp) < lpHeaderSize+1 {
		return corrupt("listpack of %d bytes", len(lp))
	}
	if int(binary.LittleEndian.Uint32(lp)) != len(lp) || lp[len(lp)-1] != lpEOF {
		return corrupt("listpack header or terminator")
	}
	count := int(binary.LittleEndian.Uint16(lp[4:]))
	n := 0
	for p := lpHeaderSize; ; n++ {
		if p >= len(lp) {
			return corrupt("listpack entry past the end")
		}
		if lp[p] == lpEOF {
			if p != len(lp)-1 {
				return corrupt("listpack terminator before the end")
			}
			break
		}
		e, size, err := lpEntryAt(lp[p : len(lp)-1])
		if err != nil {
			return err
		}
		bl := backlenSize(size)
		if size+bl > len(lp)-1-p {
			return corrupt("listpack entry past the end")
		}
		var want [5]byte
		if string(appendBacklen(want[:0], size)) != string(lp[p+size:p+size+bl]) {
			return corrupt("listpack backlen")
		}
		if err := fn(e); err != nil {
			return err
		}
		p += size + bl
	}
	if count != lpCountUnknown && count != n {
		return corrupt("listpack count %d, %d entries", count, n)
	}
	return nil
}

// lpEntryAt decodes the entry at the start of b (which ends before the
// terminator) and returns it and the size of its encoding and data.
func lpEntryAt(b []byte) (lpEntry, int, error) {
	c := b[0]
	var e lpEntry
	var size, strLen int
	switch {
	case c&0x80 == 0:
		return lpEntry{v: int64(c), isInt: true}, 1, nil
	case c&0xc0 == 0x80:
		size, strLen = 1, int(c&0x3f)
	case c&0xe0 == 0xc0:
		if len(b) < 2 {
			return e, 0, corrupt("truncated listpack integer")
		}
		u := int64(c&0x1f)<<8 | int64(b[1])
		if u >= 1<<12 {
			u -= 1 << 13
		}
		return lpEntry{v: u, isInt: true}, 2, nil
	case c&0xf0 == 0xe0:
		if len(b) < 2 {
			return e, 0, corrupt("truncated listpack string length")
		}
		size, strLen = 2, int(c&0x0f)<<8|int(b[1])
	case c == 0xf0:
		if len(b) < 5 {
			return e, 0, corrupt("truncated listpack string length")
		}
		size, strLen = 5, int(binary.LittleEndian.Uint32(b[1:]))
	case c >= 0xf1 && c <= 0xf4:
		w := [...]int{2, 3, 4, 8}[c-0xf1]
		if len(b) < 1+w {
			return e, 0, corrupt("truncated listpack integer")
		}
		var u uint64
		for i := w; i >= 1; i-- {
			u = u<<8 | uint64(b[i])
		}
		// Sign-extend from w bytes.
		shift := 64 - 8*w
		return lpEntry{v: int64(u<<shift) >> shift, isInt: true}, 1 + w, nil
	default:
		return e, 0, corrupt("listpack encoding %#x", c)
	}
	if strLen > len(b)-size {
		return e, 0, corrupt("listpack string past the end")
	}
	return lpEntry{s: b[size : size+strLen]}, size + strLen, nil
}
