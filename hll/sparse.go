package hll

import (
	"strconv"
	"strings"
)

// The sparse opcodes (HLL_SPARSE_*).
const (
	xzeroBit    = 0x40 // 01xxxxxx yyyyyyyy
	valBit      = 0x80 // 1vvvvvxx
	valMaxValue = 32
	valMaxLen   = 4
	zeroMaxLen  = 64
	xzeroMaxLen = 16384
)

func isZero(op byte) bool  { return op&0xc0 == 0 }
func isXZero(op byte) bool { return op&0xc0 == xzeroBit }
func isVal(op byte) bool   { return op&valBit != 0 }

func zeroLen(op byte) int      { return int(op&0x3f) + 1 }
func valValue(op byte) int     { return int(op>>2&0x1f) + 1 }
func valLen(op byte) int       { return int(op&0x3) + 1 }
func valOp(v, n int) byte      { return byte((v-1)<<2|(n-1)) | valBit }
func zeroOp(n int) byte        { return byte(n - 1) }
func xzeroLen(hi, lo byte) int { return (int(hi&0x3f)<<8 | int(lo)) + 1 }

func appendXZero(b []byte, n int) []byte {
	l := n - 1
	return append(b, byte(l>>8)|xzeroBit, byte(l))
}

// The functions below read a sparse HLL as Redis reads its string, whose
// byte past the end is the terminator of the SDS string (term): an XZERO
// opcode cut short by the end of a corrupt HLL takes its second byte from
// there. The terminator is zero, except in the middle of a command that
// wrote an opcode across the end (see Buffer.sparseSet).

// at returns b[i], or term at the end.
func at(b []byte, i int, term byte) byte {
	if i < len(b) {
		return b[i]
	}
	return term
}

// Reading the sparse registers, Redis stops at the first opcode that
// would take them past Registers: the HLL is corrupt (that is the fix of
// CVE-2025-32023, which Debian's Redis 7.0.15 has: before it an opcode
// past the registers could write past them). So a sparse HLL is valid if
// its opcodes add up to exactly Registers registers.

// sparseToDense returns the dense form of the sparse HLL b, its header
// copied (the cached cardinality included), or false if the registers do
// not decode (hllSparseToDense).
func sparseToDense(b []byte, term byte, room int) ([]byte, bool) {
	d := make([]byte, DenseSize, DenseSize+room)
	copy(d, b[:HeaderSize])
	d[4] = Dense
	regs := d[HeaderSize:]
	idx := 0
	for p := HeaderSize; p < len(b); {
		op := b[p]
		switch {
		case isZero(op):
			n := zeroLen(op)
			if idx+n > Registers {
				return nil, false
			}
			idx += n
			p++
		case isXZero(op):
			n := xzeroLen(op, at(b, p+1, term))
			if idx+n > Registers {
				return nil, false
			}
			idx += n
			p += 2
		default:
			n, v := valLen(op), uint8(valValue(op))
			if idx+n > Registers {
				return nil, false
			}
			for ; n > 0; n-- {
				setDenseRegister(regs, idx, v)
				idx++
			}
			p++
		}
	}
	if idx != Registers {
		return nil, false
	}
	return d, true
}

// sparseHisto adds to h the number of sparse registers at each value and
// reports whether they decode (hllSparseRegHisto).
func sparseHisto(b []byte, term byte, h *[64]int) bool {
	idx := 0
	for p := HeaderSize; p < len(b); {
		op := b[p]
		var n, v int
		switch {
		case isZero(op):
			n = zeroLen(op)
			p++
		case isXZero(op):
			n = xzeroLen(op, at(b, p+1, term))
			p += 2
		default:
			n, v = valLen(op), valValue(op)
			p++
		}
		if idx+n > Registers {
			return false
		}
		idx += n
		h[v] += n
	}
	return idx == Registers
}

// sparseMerge raises each of max to the sparse register of b if it is
// larger, and reports whether the registers decode (hllMerge).
func sparseMerge(max *[Registers]uint8, b []byte, term byte) bool {
	i := 0
	for p := HeaderSize; p < len(b); {
		op := b[p]
		switch {
		case isZero(op):
			n := zeroLen(op)
			if i+n > Registers {
				return false
			}
			i += n
			p++
		case isXZero(op):
			n := xzeroLen(op, at(b, p+1, term))
			if i+n > Registers {
				return false
			}
			i += n
			p += 2
		default:
			n, v := valLen(op), uint8(valValue(op))
			if i+n > Registers {
				return false
			}
			for ; n > 0; n-- {
				if v > max[i] {
					max[i] = v
				}
				i++
			}
			p++
		}
	}
	return i == Registers
}

// Decode lists the opcodes of the sparse HLL b as PFDEBUG DECODE does:
// "z:N" for ZERO, "Z:N" for XZERO, "v:VALUE,N" for VAL, separated by
// spaces.
func Decode(b []byte) string {
	var s strings.Builder
	for p := HeaderSize; p < len(b); {
		op := b[p]
		switch {
		case isZero(op):
			s.WriteString("z:")
			s.WriteString(strconv.Itoa(zeroLen(op)))
			p++
		case isXZero(op):
			s.WriteString("Z:")
			s.WriteString(strconv.Itoa(xzeroLen(op, at(b, p+1, 0))))
			p += 2
		default:
			s.WriteString("v:")
			s.WriteString(strconv.Itoa(valValue(op)))
			s.WriteByte(',')
			s.WriteString(strconv.Itoa(valLen(op)))
			p++
		}
		s.WriteByte(' ')
	}
	return strings.TrimRight(s.String(), " ")
}
