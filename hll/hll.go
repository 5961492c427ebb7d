// Package hll is Redis 7.0's HyperLogLog, byte for byte: the same string
// value (header, dense and sparse encodings), the same hash, the same
// register updates and sparse-to-dense promotion, and the same cardinality
// estimator, so that an HLL moves between Redis and cairn as a plain string
// and counts the same on both. It is a port of Redis's src/hyperloglog.c,
// function by function (the Redis names are given in each comment); it
// knows nothing of keys or connections.
//
// An HLL is a string of a 16-byte header followed by the registers:
//
//	+------+---+-----+----------+------------------------------+
//	| HYLL | E | N/U | Cardin.  | registers (dense or sparse)  |
//	+------+---+-----+----------+------------------------------+
//
// "HYLL" is the magic, E the encoding (Dense or Sparse), N/U three unused
// bytes, and Cardin. the last cardinality computed, little endian, whose
// most significant bit set means that the registers changed since.
//
// The dense encoding is 16384 registers of 6 bits, least significant bits
// first. The sparse encoding is a run-length code of three opcodes: ZERO
// (00xxxxxx: 1 to 64 registers at 0), XZERO (01xxxxxx yyyyyyyy: 1 to 16384
// registers at 0) and VAL (1vvvvvxx: 1 to 4 registers at a value of 1 to
// 32). A sparse HLL becomes dense when a register needs a value above 32
// or when the string would grow past hll-sparse-max-bytes.
package hll

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// The geometry of Redis's HLL (HLL_P, HLL_Q, HLL_REGISTERS...).
const (
	// P is the number of hash bits that pick a register.
	P = 14
	// Q is the number of hash bits whose run of zeroes is counted.
	Q = 64 - P
	// Registers is the number of registers.
	Registers = 1 << P
	// Bits is the width of a dense register.
	Bits = 6
	// RegisterMax is the largest value a dense register holds.
	RegisterMax = 1<<Bits - 1
	// HeaderSize is the size of the header.
	HeaderSize = 16
	// DenseSize is the length of a dense HLL.
	DenseSize = HeaderSize + (Registers*Bits+7)/8
)

// The encodings, as the header's encoding byte holds them.
const (
	Dense  = 0
	Sparse = 1
	// maxEncoding is HLL_MAX_ENCODING: a larger encoding byte is not an
	// HLL.
	maxEncoding = 1
)

// Errors, worded as Redis replies them.
var (
	// ErrNotHLL is the reply to a string that is not an HLL
	// (isHLLObjectOrReply).
	ErrNotHLL = errors.New("WRONGTYPE Key is not a valid HyperLogLog string value.")
	// ErrInvalid is the reply to an HLL whose sparse registers do not
	// decode (invalid_hll_err).
	ErrInvalid = errors.New("INVALIDOBJ Corrupted HLL object detected")
)

// seed is the seed Redis hashes elements with.
const seed = 0xadc83b19

// Valid reports whether b is an HLL as isHLLObjectOrReply checks it: at
// least a header, the magic, a known encoding, and the exact length if
// dense. The sparse registers are checked only when they are read.
func Valid(b []byte) bool {
	if len(b) < HeaderSize {
		return false
	}
	if b[0] != 'H' || b[1] != 'Y' || b[2] != 'L' || b[3] != 'L' {
		return false
	}
	if b[4] > maxEncoding {
		return false
	}
	return b[4] != Dense || len(b) == DenseSize
}

// Encoding returns the encoding of a valid HLL: Dense or Sparse.
func Encoding(b []byte) byte { return b[4] }

// New returns an empty HLL as Redis creates it (createHLLObject): sparse,
// its registers one XZERO opcode per 16384 of them, the cached
// cardinality 0 and valid.
func New() []byte {
	b := make([]byte, HeaderSize, HeaderSize+2*((Registers+xzeroMaxLen-1)/xzeroMaxLen)+extraRoom)
	copy(b, "HYLL")
	b[4] = Sparse
	for left := Registers; left > 0; {
		n := min(left, xzeroMaxLen)
		b = appendXZero(b, n)
		left -= n
	}
	return b
}

// CachedCard returns the cached cardinality and whether it is valid
// (HLL_VALID_CACHE).
func CachedCard(b []byte) (uint64, bool) {
	if b[15]&0x80 != 0 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[8:16]), true
}

// SetCachedCard stores card as the cached cardinality, as PFCOUNT does
// after computing it.
func SetCachedCard(b []byte, card uint64) {
	binary.LittleEndian.PutUint64(b[8:16], card)
}

// InvalidateCache marks the cached cardinality stale
// (HLL_INVALIDATE_CACHE).
func InvalidateCache(b []byte) { b[15] |= 0x80 }

// MurmurHash64A is Redis's hash of the elements: MurmurHash2, 64-bit
// version, reading the input as little endian whatever the machine.
func MurmurHash64A(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ uint64(len(key))*m
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := binary.LittleEndian.Uint64(key[i:])
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	// The last 1 to 7 bytes, little endian, as the C switch's fallthroughs
	// take them.
	if tail := key[n:]; len(tail) > 0 {
		for i := len(tail) - 1; i >= 0; i-- {
			h ^= uint64(tail[i]) << (8 * i)
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// PatLen returns the register an element belongs to and the length of the
// 000...1 pattern of its hash past the index bits, 1 to Q+1 (hllPatLen).
func PatLen(ele []byte) (index int, count uint8) {
	hash := MurmurHash64A(ele, seed)
	index = int(hash & (Registers - 1))
	hash >>= P
	hash |= 1 << Q // the run ends by Q+1 at the latest
	return index, uint8(bits.TrailingZeros64(hash) + 1)
}
