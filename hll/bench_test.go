package hll

import (
	"strconv"
	"testing"
)

// filled returns an HLL of n elements, kept sparse up to sparseMax bytes.
func filled(n int, sparseMax int64) []byte {
	var x Buffer
	x.LoadNew()
	for i := range n {
		x.Add([]byte(strconv.Itoa(i)), sparseMax)
	}
	return append([]byte(nil), x.Bytes()...)
}

func BenchmarkAdd(b *testing.B) {
	for _, bc := range []struct {
		name      string
		n         int
		sparseMax int64
	}{
		{"sparse", 1000, 3000},
		{"dense", 100000, 3000},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := filled(bc.n, bc.sparseMax)
			var x Buffer
			x.Load(h)
			elems := make([][]byte, 4096)
			for i := range elems {
				elems[i] = []byte("new:" + strconv.Itoa(i))
			}
			i := 0
			for b.Loop() {
				if i%len(elems) == 0 {
					x.Load(h) // the same HLL again: a sparse one stays sparse
				}
				x.Add(elems[i%len(elems)], bc.sparseMax)
				i++
			}
		})
	}
}

func BenchmarkCount(b *testing.B) {
	for _, bc := range []struct {
		name string
		h    []byte
	}{
		{"sparse", filled(1000, 3000)},
		{"dense", filled(100000, 3000)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Count(bc.h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMerge(b *testing.B) {
	for _, bc := range []struct {
		name string
		h    []byte
	}{
		{"sparse", filled(1000, 3000)},
		{"dense", filled(100000, 3000)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var max [Registers]uint8
			for b.Loop() {
				if err := Merge(&max, bc.h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
