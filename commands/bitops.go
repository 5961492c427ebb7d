package commands

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// The bit-level work of the bitmap commands (bitmaps.go), on byte slices.
// A string is a sequence of bits numbered from 0, the most significant
// bit of its first byte, as in Redis; bits past its end read as 0.

// popcount counts the set bits of b, a word at a time.
func popcount(b []byte) int64 {
	var c0, c1, c2, c3 int
	for len(b) >= 32 {
		c0 += bits.OnesCount64(binary.LittleEndian.Uint64(b))
		c1 += bits.OnesCount64(binary.LittleEndian.Uint64(b[8:]))
		c2 += bits.OnesCount64(binary.LittleEndian.Uint64(b[16:]))
		c3 += bits.OnesCount64(binary.LittleEndian.Uint64(b[24:]))
		b = b[32:]
	}
	for len(b) >= 8 {
		c0 += bits.OnesCount64(binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	for _, x := range b {
		c0 += bits.OnesCount8(x)
	}
	return int64(c0 + c1 + c2 + c3)
}

// countBits counts the set bits of b from bit start to bit end inclusive;
// 0 <= start <= end < 8*len(b).
func countBits(b []byte, start, end int64) int64 {
	first, last := start>>3, end>>3
	n := popcount(b[first : last+1])
	// Take off the bits of the first and last bytes outside the range.
	n -= int64(bits.OnesCount8(b[first] & ^(0xff >> (start & 7))))
	n -= int64(bits.OnesCount8(b[last] & (0xff >> (end&7 + 1))))
	return n
}

// firstBit returns the position of the first bit equal to bit (0 or 1)
// in b from bit start to bit end inclusive, or -1 if there is none;
// 0 <= start <= end < 8*len(b). Whole words are skipped while they hold
// only the other value.
func firstBit(b []byte, start, end int64, bit int) int64 {
	// flip makes the bit looked for a 1.
	var flip uint64
	if bit == 0 {
		flip = math.MaxUint64
	}
	first, last := start>>3, end>>3
	// headMask and tailMask keep the bits of the first and last bytes that
	// are in the range.
	headMask := byte(0xff >> (start & 7))
	tailMask := byte(0xff << (7 - end&7))
	if first == last {
		if x := (b[first] ^ byte(flip)) & headMask & tailMask; x != 0 {
			return first<<3 + int64(bits.LeadingZeros8(x))
		}
		return -1
	}
	if x := (b[first] ^ byte(flip)) & headMask; x != 0 {
		return first<<3 + int64(bits.LeadingZeros8(x))
	}
	i := first + 1
	for ; i+8 <= last; i += 8 {
		if w := binary.BigEndian.Uint64(b[i:]) ^ flip; w != 0 {
			return i<<3 + int64(bits.LeadingZeros64(w))
		}
	}
	for ; i < last; i++ {
		if x := b[i] ^ byte(flip); x != 0 {
			return i<<3 + int64(bits.LeadingZeros8(x))
		}
	}
	if x := (b[last] ^ byte(flip)) & tailMask; x != 0 {
		return last<<3 + int64(bits.LeadingZeros8(x))
	}
	return -1
}

// getBitfield reads the n-bit unsigned integer (1 <= n <= 64) at bit
// offset off of b, most significant bit first; bits past the end of b
// read as 0.
func getBitfield(b []byte, off uint64, n uint) uint64 {
	// The 9 bytes from the one holding bit off hold any field.
	var window [9]byte
	if i := off >> 3; i < uint64(len(b)) {
		copy(window[:], b[i:])
	}
	shift := off & 7
	v := binary.BigEndian.Uint64(window[:8])<<shift | uint64(window[8])>>(8-shift)
	return v >> (64 - n)
}

// getSignedBitfield reads the n-bit two's complement integer at bit
// offset off of b.
func getSignedBitfield(b []byte, off uint64, n uint) int64 {
	// Shifting the field to the top and back extends its sign.
	return int64(getBitfield(b, off, n)<<(64-n)) >> (64 - n)
}

// setBitfield writes the low n bits of v (1 <= n <= 64) at bit offset off
// of b, most significant first; b must hold them.
func setBitfield(b []byte, off uint64, n uint, v uint64) {
	end := off + uint64(n) // one past the field's last bit
	for i := off >> 3; i<<3 < end; i++ {
		// The field's bits in byte i: lo to hi exclusive, as positions in
		// the string.
		lo, hi := max(off, i<<3), min(end, i<<3+8)
		ones := byte(0xff >> (8 - (hi - lo)))
		shift := i<<3 + 8 - hi
		chunk := byte(v>>(end-hi)) & ones
		b[i] = b[i]&^(ones<<shift) | chunk<<shift
	}
}

// BITFIELD's overflow behaviours.
const (
	overflowWrap = iota
	overflowSat
	overflowFail
)

// checkUnsignedOverflow is Redis's checkUnsignedBitfieldOverflow: whether
// value+incr overflows (1) or underflows (-1) an n-bit unsigned integer
// (n <= 63), or fits (0); on overflow, limit is the value to store for
// WRAP (the sum modulo 2^n) or SAT (the bound passed). The arithmetic
// wraps as Redis's does, which decides the odd cases (SET of a negative
// value is an overflow).
func checkUnsignedOverflow(value uint64, incr int64, n uint, ow int) (overflow int, limit uint64) {
	maxVal := uint64(1)<<n - 1
	maxIncr := int64(maxVal - value)
	minIncr := -int64(value)
	switch {
	case value > maxVal || (incr > 0 && incr > maxIncr):
		overflow, limit = 1, maxVal
	case incr < 0 && incr < minIncr:
		overflow, limit = -1, 0
	default:
		return 0, 0
	}
	if ow == overflowWrap {
		limit = (value + uint64(incr)) &^ (math.MaxUint64 << n)
	}
	return overflow, limit
}

// checkSignedOverflow is Redis's checkSignedBitfieldOverflow for an n-bit
// two's complement integer (n <= 64), as checkUnsignedOverflow. WRAP
// wraps into the signed range.
func checkSignedOverflow(value, incr int64, n uint, ow int) (overflow int, limit int64) {
	maxVal := int64(math.MaxInt64)
	if n < 64 {
		maxVal = 1<<(n-1) - 1
	}
	minVal := -maxVal - 1
	// Either may wrap; Redis only uses them once value is known to be in
	// range, or where it does not matter.
	maxIncr := int64(uint64(maxVal) - uint64(value))
	minIncr := minVal - value
	switch {
	case value > maxVal || (n != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr):
		overflow, limit = 1, maxVal
	case value < minVal || (n != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr):
		overflow, limit = -1, minVal
	default:
		return 0, 0
	}
	if ow == overflowWrap {
		c := uint64(value) + uint64(incr)
		if n < 64 {
			// Extend the sign bit of the n-bit result.
			c = uint64(int64(c<<(64-n)) >> (64 - n))
		}
		limit = int64(c)
	}
	return overflow, limit
}

// bitop computes BITOP op over srcs into dst, which is as long as the
// longest of them: missing bytes of shorter sources count as zero bytes.
// op is one of "and", "or", "xor", "not" (one source).
func bitop(op string, dst []byte, srcs [][]byte) {
	if op == "not" {
		src := srcs[0]
		i := 0
		for ; i+8 <= len(src); i += 8 {
			binary.LittleEndian.PutUint64(dst[i:], ^binary.LittleEndian.Uint64(src[i:]))
		}
		for ; i < len(src); i++ {
			dst[i] = ^src[i]
		}
		return
	}
	n := copy(dst, srcs[0])
	clear(dst[n:])
	for _, src := range srcs[1:] {
		i := 0
		switch op {
		case "and":
			for ; i+8 <= len(src); i += 8 {
				w := binary.LittleEndian.Uint64(dst[i:]) & binary.LittleEndian.Uint64(src[i:])
				binary.LittleEndian.PutUint64(dst[i:], w)
			}
			for ; i < len(src); i++ {
				dst[i] &= src[i]
			}
			// Past its end the source is zeros.
			clear(dst[len(src):])
		case "or":
			for ; i+8 <= len(src); i += 8 {
				w := binary.LittleEndian.Uint64(dst[i:]) | binary.LittleEndian.Uint64(src[i:])
				binary.LittleEndian.PutUint64(dst[i:], w)
			}
			for ; i < len(src); i++ {
				dst[i] |= src[i]
			}
		case "xor":
			for ; i+8 <= len(src); i += 8 {
				w := binary.LittleEndian.Uint64(dst[i:]) ^ binary.LittleEndian.Uint64(src[i:])
				binary.LittleEndian.PutUint64(dst[i:], w)
			}
			for ; i < len(src); i++ {
				dst[i] ^= src[i]
			}
		}
	}
}
