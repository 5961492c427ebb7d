package hll

import (
	"errors"
	"testing"
)

// FuzzHLLSparse feeds arbitrary bytes to every reader and writer of sparse
// HLLs, as the opcodes of a sparse HLL (or, with raw, as the whole string,
// header included). Nothing may panic; the readers must agree on whether
// the registers decode, and say so with ErrInvalid; a valid HLL must count
// the same sparse, merged and dense; and one updated must stay valid with
// the register raised.
func FuzzHLLSparse(f *testing.F) {
	f.Add(false, New()[HeaderSize:], uint16(0), uint8(1), uint16(3000))
	f.Add(false, cat(xz(1000), []byte{valOp(3, 2), 0x05}, xz(15378)), uint16(1001), uint8(7), uint16(3000))
	f.Add(false, cat(xz(16383), []byte{0x40}), uint16(16383), uint8(2), uint16(3000))
	f.Add(false, cat(xz(16384), []byte{0x80}), uint16(5), uint8(2), uint16(20))
	f.Add(false, []byte{0x7f}, uint16(100), uint8(40), uint16(3000))
	f.Add(false, cat(xz(8192), xz(8192), xz(8192)), uint16(9000), uint8(1), uint16(0))
	f.Add(true, New(), uint16(3), uint8(3), uint16(3000))
	f.Fuzz(func(t *testing.T, raw bool, data []byte, index uint16, count uint8, sparseMax uint16) {
		b := data
		if !raw {
			b = append(header(Sparse), data...)
		}
		if !Valid(b) {
			return
		}
		idx := int(index) % Registers
		cnt := count%(Q+1) + 1

		c, errCount := Count(b)
		var max [Registers]uint8
		errMerge := Merge(&max, b)
		var x Buffer
		x.Load(b)
		_, errDense := x.ToDense()
		for _, err := range []error{errCount, errMerge, errDense} {
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v", err)
			}
		}
		if (errCount == nil) != (errMerge == nil) || (errMerge == nil) != (errDense == nil) {
			t.Fatalf("Count: %v, Merge: %v, ToDense: %v", errCount, errMerge, errDense)
		}
		if Encoding(b) == Sparse {
			Decode(b)
		}
		valid := errCount == nil
		if valid {
			if m := CountRegisters(&max); m != c {
				t.Fatalf("Count %d, merged %d", c, m)
			}
			if d, err := Count(x.Bytes()); err != nil || d != c {
				t.Fatalf("Count %d, dense %d (%v)", c, d, err)
			}
		}

		x.Load(b)
		changed, err := x.Set(idx, cnt, int64(sparseMax))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Set: %v", err)
			}
			if valid {
				t.Fatalf("Set(%d, %d) of a valid HLL: %v", idx, cnt, err)
			}
			return
		}
		after := x.Bytes()
		if !Valid(after) {
			t.Fatalf("Set made %q", after)
		}
		if !valid || endsCut(b) {
			// An XZERO cut short by the end is rewritten past the end,
			// as in Redis: what was there may be lost.
			return
		}
		var regs [Registers]uint8
		if err := Merge(&regs, after); err != nil {
			t.Fatalf("after Set(%d, %d): %v", idx, cnt, err)
		}
		if regs[idx] < cnt || changed != (max[idx] < cnt) {
			t.Fatalf("Set(%d, %d) = %v: register %d, was %d", idx, cnt, changed, regs[idx], max[idx])
		}
		for i := range regs {
			if i != idx && regs[i] != max[i] {
				t.Fatalf("Set(%d, %d) changed register %d: %d, was %d", idx, cnt, i, regs[i], max[i])
			}
		}
		if Encoding(after) == Sparse && int64(len(after)) > max64(int64(sparseMax), int64(len(b))) {
			t.Fatalf("sparse HLL of %d bytes past %d", len(after), sparseMax)
		}
	})
}

// endsCut reports whether the last opcode of a sparse HLL is an XZERO cut
// short by the end of the string.
func endsCut(b []byte) bool {
	if Encoding(b) != Sparse {
		return false
	}
	p := HeaderSize
	for p < len(b) {
		if isXZero(b[p]) {
			p += 2
		} else {
			p++
		}
	}
	return p > len(b)
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
