package pqsort

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

type item struct{ key, id int }

func byKey(a, b *item) int { return cmp.Compare(a.key, b.key) }

// TestSortRange checks that the ranks asked for hold the keys of a full
// sort, for sizes around the insertion sort and median thresholds.
func TestSortRange(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 6, 7, 8, 40, 41, 100, 1000} {
		for _, keys := range []int{2, 10, 1 << 30} {
			for range 20 {
				v := make([]item, n)
				for i := range v {
					v[i] = item{r.IntN(keys), i}
				}
				want := slices.Clone(v)
				slices.SortStableFunc(want, func(a, b item) int { return byKey(&a, &b) })
				lo := r.IntN(n)
				hi := lo + r.IntN(n-lo)
				Sort(v, lo, hi, byKey)
				for i := lo; i <= hi; i++ {
					if v[i].key != want[i].key {
						t.Fatalf("n=%d range %d..%d: rank %d has key %d, want %d", n, lo, hi, i, v[i].key, want[i].key)
					}
				}
			}
		}
	}
}

// TestSortTies pins the order in which Redis's algorithm leaves equal
// elements, which GEOSEARCH's replies show; the expected orders are those
// of Redis's pqsort.c compiled with gcc.
func TestSortTies(t *testing.T) {
	tests := []struct {
		keys   []int
		lo, hi int
		want   []int // ids in the range
	}{
		{[]int{1, 1, 1}, 0, 1, []int{0, 1}},
		{[]int{2, 1, 1, 2, 1, 1, 2, 1}, 0, 2, []int{7, 1, 2}},
		{[]int{1, 2, 1, 1, 0, 0, 2, 0, 1, 2, 1, 2, 0, 1, 2, 2, 2, 0, 2, 1, 0, 2, 1, 2, 1, 0, 0, 0, 0, 0, 0, 2, 2, 0, 2,
			1, 2, 0, 1, 0, 2, 0, 2, 1, 0, 1, 0, 1, 1, 1}, 3, 7, []int{28, 7, 27, 46, 25}},
	}
	for _, tt := range tests {
		v := make([]item, len(tt.keys))
		for i, k := range tt.keys {
			v[i] = item{k, i}
		}
		Sort(v, tt.lo, tt.hi, byKey)
		var got []int
		for _, it := range v[tt.lo : tt.hi+1] {
			got = append(got, it.id)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%v %d..%d: ids %v, want %v", tt.keys, tt.lo, tt.hi, got, tt.want)
		}
	}
}
