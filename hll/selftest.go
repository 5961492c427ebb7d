package hll

import (
	"encoding/binary"
	"fmt"
	"math"
)

// SelfTest is PFSELFTEST: it checks that the dense registers keep what is
// written to each without touching the others, then adds ten million
// elements to a dense and a sparse HLL at once and checks at 1, 10, 100...
// that the sparse one is still sparse while it is small (below half of
// sparseMax), that both count the same, and that the count is within six
// standard errors. rnd supplies the random register values and the seed
// of the elements. The error is Redis's reply ("TESTFAILED ...").
func SelfTest(sparseMax int64, rnd func() uint32) error {
	dense := make([]byte, DenseSize)
	copy(dense, "HYLL")
	regs := dense[HeaderSize:]
	var want [Registers]uint8

	// Test 1: the registers.
	for range 1000 {
		for i := range want {
			r := uint8(rnd() & RegisterMax)
			want[i] = r
			setDenseRegister(regs, i, r)
		}
		for i, w := range want {
			if v := DenseRegister(regs, i); v != w {
				return fmt.Errorf("TESTFAILED Register %d should be %d but is %d", i, w, v)
			}
		}
	}

	// Test 2: the approximation error.
	clear(regs)
	var sparse Buffer
	sparse.LoadNew()
	relerr := 1.04 / math.Sqrt(Registers)
	checkpoint := int64(1)
	seed := uint64(rnd()) | uint64(rnd())<<32
	var ele [8]byte
	for j := int64(1); j <= 10000000; j++ {
		binary.LittleEndian.PutUint64(ele[:], uint64(j)^seed)
		DenseAdd(regs, ele[:])
		if _, err := sparse.Add(ele[:], sparseMax); err != nil {
			return err
		}
		if j != checkpoint {
			continue
		}
		if j < sparseMax/2 && Encoding(sparse.Bytes()) != Sparse {
			return fmt.Errorf("TESTFAILED sparse encoding not used")
		}
		card, _ := Count(dense)
		if sc, _ := Count(sparse.Bytes()); sc != card {
			return fmt.Errorf("TESTFAILED dense/sparse disagree")
		}
		abserr := checkpoint - int64(card)
		maxerr := int64(math.Ceil(relerr * 6 * float64(checkpoint)))
		if j == 10 {
			// A collision makes a larger error likely enough at 10.
			maxerr = 1
		}
		if abserr < 0 {
			abserr = -abserr
		}
		if abserr > maxerr {
			return fmt.Errorf("TESTFAILED Too big error. card:%d abserr:%d", checkpoint, abserr)
		}
		checkpoint *= 10
	}
	return nil
}
