package commands

import (
	"bytes"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// The bit helpers against slow references that follow Redis's bit-by-bit
// loops (bitops.c).

func refGetBit(b []byte, pos uint64) uint64 {
	if pos>>3 >= uint64(len(b)) {
		return 0
	}
	return uint64(b[pos>>3]>>(7-pos&7)) & 1
}

func refSetBit(b []byte, pos uint64, v uint64) {
	mask := byte(1) << (7 - pos&7)
	if v != 0 {
		b[pos>>3] |= mask
	} else {
		b[pos>>3] &^= mask
	}
}

// refGetBitfield is Redis's getUnsignedBitfield, reading past the end as
// zeros as BITFIELD's GET does.
func refGetBitfield(b []byte, off uint64, n uint) uint64 {
	var v uint64
	for j := uint64(0); j < uint64(n); j++ {
		v = v<<1 | refGetBit(b, off+j)
	}
	return v
}

func refGetSignedBitfield(b []byte, off uint64, n uint) int64 {
	v := int64(refGetBitfield(b, off, n))
	if n < 64 && v&(1<<(n-1)) != 0 {
		v |= -1 << n
	}
	return v
}

// refSetBitfield is Redis's setUnsignedBitfield.
func refSetBitfield(b []byte, off uint64, n uint, v uint64) {
	for j := uint64(0); j < uint64(n); j++ {
		refSetBit(b, off+j, v>>(uint64(n)-1-j)&1)
	}
}

func refCount(b []byte, start, end int64) int64 {
	var n int64
	for i := start; i <= end; i++ {
		n += int64(refGetBit(b, uint64(i)))
	}
	return n
}

func refFirstBit(b []byte, start, end int64, bit int) int64 {
	for i := start; i <= end; i++ {
		if int(refGetBit(b, uint64(i))) == bit {
			return i
		}
	}
	return -1
}

func refBitop(op string, srcs [][]byte) []byte {
	size := 0
	for _, s := range srcs {
		size = max(size, len(s))
	}
	out := make([]byte, size)
	for i := range out {
		at := func(s []byte) byte {
			if i < len(s) {
				return s[i]
			}
			return 0
		}
		v := at(srcs[0])
		if op == "not" {
			v = ^v
		}
		for _, s := range srcs[1:] {
			switch op {
			case "and":
				v &= at(s)
			case "or":
				v |= at(s)
			case "xor":
				v ^= at(s)
			}
		}
		out[i] = v
	}
	return out
}

// randomBits returns n random bytes biased towards runs of zeros and of
// ones, which the word-skipping code must cross.
func randomBits(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; {
		run := 1 + r.IntN(24)
		var fill byte
		switch r.IntN(3) {
		case 0:
			fill = 0xff
		case 1:
			fill = byte(r.Uint32())
		}
		for ; run > 0 && i < n; run-- {
			b[i] = fill
			if fill != 0 && fill != 0xff {
				fill = byte(r.Uint32())
			}
			i++
		}
	}
	return b
}

func TestCountAndFirstBit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		b := randomBits(r, 1+r.IntN(80))
		bitsLen := int64(len(b)) * 8
		start := r.Int64N(bitsLen)
		end := start + r.Int64N(bitsLen-start)
		if got, want := countBits(b, start, end), refCount(b, start, end); got != want {
			t.Fatalf("countBits(%x, %d, %d) = %d, want %d", b, start, end, got, want)
		}
		if got, want := popcount(b), refCount(b, 0, bitsLen-1); got != want {
			t.Fatalf("popcount(%x) = %d, want %d", b, got, want)
		}
		for bit := range 2 {
			if got, want := firstBit(b, start, end, bit), refFirstBit(b, start, end, bit); got != want {
				t.Fatalf("firstBit(%x, %d, %d, %d) = %d, want %d", b, start, end, bit, got, want)
			}
		}
	}
}

func TestBitop(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		op := []string{"and", "or", "xor", "not"}[r.IntN(4)]
		n := 1 + r.IntN(4)
		if op == "not" {
			n = 1
		}
		srcs := make([][]byte, n)
		for i := range srcs {
			if r.IntN(5) > 0 {
				srcs[i] = randomBits(r, r.IntN(70))
			}
		}
		want := refBitop(op, srcs)
		got := make([]byte, len(want))
		bitop(op, got, srcs)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s %x:\n got %x\nwant %x", op, srcs, got, want)
		}
	}
}

// FuzzBitfield checks the field readers and writer against Redis's bit
// loops, and the overflow checks against exact arithmetic.
func FuzzBitfield(f *testing.F) {
	f.Add([]byte("\xff\x00\xaa\x55\x01\x80\x7f\xfe\x12"), uint16(0), uint8(8), int64(-1), int64(1))
	f.Add([]byte("\x00"), uint16(5), uint8(64), int64(math.MinInt64), int64(-1))
	f.Add([]byte{}, uint16(100), uint8(63), int64(math.MaxInt64), int64(math.MaxInt64))
	f.Add([]byte("abcdefghijk"), uint16(13), uint8(1), int64(2), int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, data []byte, offset uint16, width uint8, value, incr int64) {
		n := uint(width%64) + 1
		off := uint64(offset) % 200

		// Reads, past the end included.
		if got, want := getBitfield(data, off, n), refGetBitfield(data, off, n); got != want {
			t.Fatalf("getBitfield(%x, %d, %d) = %#x, want %#x", data, off, n, got, want)
		}
		if got, want := getSignedBitfield(data, off, n), refGetSignedBitfield(data, off, n); got != want {
			t.Fatalf("getSignedBitfield(%x, %d, %d) = %d, want %d", data, off, n, got, want)
		}

		// Writes, on a string long enough, leave every other bit alone.
		size := max(len(data), int((off+uint64(n)-1)>>3)+1)
		got := make([]byte, size)
		copy(got, data)
		want := bytes.Clone(got)
		setBitfield(got, off, n, uint64(value))
		refSetBitfield(want, off, n, uint64(value))
		if !bytes.Equal(got, want) {
			t.Fatalf("setBitfield(%x, %d, %d, %#x):\n got %x\nwant %x", data, off, n, uint64(value), got, want)
		}

		// INCRBY from a value in range: exact sums decide.
		for _, ow := range []int{overflowWrap, overflowSat, overflowFail} {
			old := getSignedBitfield(got, off, n)
			checkSigned(t, old, incr, n, ow)
			if n < 64 {
				checkUnsigned(t, getBitfield(got, off, n), incr, n, ow)
			}
		}
	})
}

// checkSigned compares checkSignedOverflow for a value in range with the
// exact sum.
func checkSigned(t *testing.T, value, incr int64, n uint, ow int) {
	t.Helper()
	lo := new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), n-1))
	hi := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), n-1), big.NewInt(1))
	sum := new(big.Int).Add(big.NewInt(value), big.NewInt(incr))
	wantOver := 0
	want := sum
	switch {
	case sum.Cmp(hi) > 0:
		wantOver, want = 1, hi
	case sum.Cmp(lo) < 0:
		wantOver, want = -1, lo
	}
	if wantOver != 0 && ow == overflowWrap {
		// The sum modulo 2^n, into [lo, hi].
		mod := new(big.Int).Lsh(big.NewInt(1), n)
		want = new(big.Int).Mod(new(big.Int).Sub(sum, lo), mod)
		want.Add(want, lo)
	}
	over, limit := checkSignedOverflow(value, incr, n, ow)
	if over != wantOver || (over != 0 && ow != overflowFail && limit != want.Int64()) {
		t.Fatalf("checkSignedOverflow(%d, %d, i%d, %d) = %d, %d; want %d, %s", value, incr, n, ow, over, limit, wantOver, want)
	}
}

// checkUnsigned is checkSigned for checkUnsignedOverflow.
func checkUnsigned(t *testing.T, value uint64, incr int64, n uint, ow int) {
	t.Helper()
	hi := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), n), big.NewInt(1))
	sum := new(big.Int).Add(new(big.Int).SetUint64(value), big.NewInt(incr))
	wantOver := 0
	want := sum
	switch {
	case sum.Cmp(hi) > 0:
		wantOver, want = 1, hi
	case sum.Sign() < 0:
		wantOver, want = -1, new(big.Int)
	}
	if wantOver != 0 && ow == overflowWrap {
		want = new(big.Int).Mod(sum, new(big.Int).Lsh(big.NewInt(1), n))
	}
	over, limit := checkUnsignedOverflow(value, incr, n, ow)
	if over != wantOver || (over != 0 && ow != overflowFail && limit != want.Uint64()) {
		t.Fatalf("checkUnsignedOverflow(%d, %d, u%d, %d) = %d, %d; want %d, %s", value, incr, n, ow, over, limit, wantOver, want)
	}
}

// FuzzBitRange checks BITCOUNT's and BITPOS's range arithmetic and scans
// against bit-by-bit references.
func FuzzBitRange(f *testing.F) {
	f.Add([]byte("\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x01"), int64(3), int64(-1), false)
	f.Add([]byte("foobar"), int64(-100), int64(5), true)
	f.Add([]byte{}, int64(0), int64(-1), false)
	f.Fuzz(func(t *testing.T, data []byte, start, end int64, inBits bool) {
		first, last, empty := bitRange(data, start, end, inBits)
		if empty {
			return
		}
		if first < 0 || last < first || last >= int64(len(data))*8 {
			t.Fatalf("bitRange(%d bytes, %d, %d, %v) = %d, %d", len(data), start, end, inBits, first, last)
		}
		if got, want := countBits(data, first, last), refCount(data, first, last); got != want {
			t.Fatalf("countBits(%x, %d, %d) = %d, want %d", data, first, last, got, want)
		}
		for bit := range 2 {
			if got, want := firstBit(data, first, last, bit), refFirstBit(data, first, last, bit); got != want {
				t.Fatalf("firstBit(%x, %d, %d, %d) = %d, want %d", data, first, last, bit, got, want)
			}
		}
	})
}
