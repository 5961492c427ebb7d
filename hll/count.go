package hll

import "math"

// alphaInf is HLL_ALPHA_INF, 0.5/ln(2).
const alphaInf = 0.721347520444481703680

// The estimator is Otmar Ertl's ("New cardinality estimation algorithms
// for HyperLogLog sketches", arXiv:1702.01284), as Redis 7.0 computes it
// from the histogram of the register values. The floating-point steps are
// those of Redis's C, each product rounded on its own (the conversions to
// float64 keep Go from fusing a multiplication and an addition, which
// Redis's build does not do either), so that the rounding, and so the
// count, is Redis's.

// sigma is hllSigma.
func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x = float64(x * x)
		zPrime := z
		z += float64(x * y)
		y += y
		if zPrime == z {
			return z
		}
	}
}

// tau is hllTau.
func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zPrime := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if zPrime == z {
			return z / 3
		}
	}
}

// estimate is the part of hllCount that works on the histogram h of the
// register values.
func estimate(h *[64]int) uint64 {
	const m = float64(Registers)
	z := float64(m * tau((m-float64(h[Q+1]))/m))
	for j := Q; j >= 1; j-- {
		z += float64(h[j])
		z *= 0.5
	}
	z += float64(m * sigma(float64(h[0])/m))
	// llroundl: to the nearest, halves away from zero. Registers of 50
	// and more (a corrupt HLL) make the estimate 2^63 or more, or
	// infinite when z is 0: llroundl cannot represent it and returns
	// LLONG_MIN, which Redis then makes unsigned, 2^63.
	e := math.Round(float64(float64(alphaInf*m)*m) / z)
	if !(e < 1<<63) {
		return 1 << 63
	}
	return uint64(e)
}

// Count returns the estimated cardinality of the valid HLL b (hllCount),
// or ErrInvalid if it is sparse and its registers do not decode.
func Count(b []byte) (uint64, error) {
	var h [64]int
	if b[4] == Dense {
		denseHisto(b[HeaderSize:], &h)
	} else if !sparseHisto(b, 0, &h) {
		return 0, ErrInvalid
	}
	return estimate(&h), nil
}

// Merge raises each of max to the matching register of the valid HLL b
// if that is larger (hllMerge), or returns ErrInvalid if b is sparse and
// its registers do not decode. PFCOUNT of several keys and PFMERGE merge
// every HLL into one max this way.
func Merge(max *[Registers]uint8, b []byte) error {
	if b[4] == Dense {
		regs := b[HeaderSize:]
		for i := range max {
			if v := DenseRegister(regs, i); v > max[i] {
				max[i] = v
			}
		}
		return nil
	}
	if !sparseMerge(max, b, 0) {
		return ErrInvalid
	}
	return nil
}

// CountRegisters returns the estimated cardinality of the registers max,
// one byte each (hllCount of Redis's internal HLL_RAW encoding, with
// hllRawRegHisto). Each must be at most 63, as Merge leaves them.
func CountRegisters(max *[Registers]uint8) uint64 {
	var h [64]int
	for _, v := range max {
		h[v&63]++
	}
	return estimate(&h)
}
