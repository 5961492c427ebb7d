package commands

import (
	"math"
	"slices"
	"testing"

	"github.com/cairn-db/cairn/pqsort"
)

// TestSortScore checks SORT's strtod against what redis-server 7.0 (glibc)
// takes and refuses.
func TestSortScore(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true},
		{"-2.5", -2.5, true},
		{" 1", 1, true},
		{"\t\n\v\f\r 3", 3, true},
		{"", 0, true},
		{"1e3", 1000, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"0x10", 16, true},
		{"0X1P3", 8, true},
		{"0x1.8", 1.5, true},
		{"inf", math.Inf(1), true},
		{"-INFINITY", math.Inf(-1), true},
		{"-0", math.Copysign(0, -1), true},
		{"0e-400", 0, true},
		{"3\x00junk", 3, true},
		{"\x00", 0, true},
		{"2.2250738585072014e-308", 0x1p-1022, true},
		// Exact subnormals set no ERANGE.
		{"0x1p-1074", 0x1p-1074, true},
		{"0x1.8p-1030", 0x1.8p-1030, true},
		{"1 ", 0, false},
		{" ", 0, false},
		{"+", 0, false},
		{"abc", 0, false},
		{"0x", 0, false},
		{"1e", 0, false},
		{"1_0", 0, false},
		{"1,5", 0, false},
		{"nan", 0, false},
		{"-nan", 0, false},
		{"nan(1)", 0, false},
		{"infinit", 0, false},
		{"1e400", 0, false},
		{"-1e400", 0, false},
		{"1e-400", 0, false},
		{"1e-310", 0, false},
		{"4.9406564584124654e-324", 0, false},
		{"2.2250738585072011e-308", 0, false},
		{"0x1p-1080", 0, false},
	}
	for _, tt := range tests {
		got, ok := sortScore([]byte(tt.in))
		if ok != tt.ok || ok && math.Float64bits(got) != math.Float64bits(tt.want) {
			t.Errorf("sortScore(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestPqsortRange checks that the partial quicksort puts in the range what
// a full sort does, for vectors of the sizes that take each of its paths
// (insertion sort, median of three, median of medians).
func TestPqsortRange(t *testing.T) {
	s := &sorter{}
	for _, n := range []int{0, 1, 6, 7, 8, 40, 41, 100, 257} {
		for _, r := range [][2]int{{0, 0}, {0, n / 3}, {n / 2, n - 1}, {n - 1, n - 1}, {n / 4, n / 4}, {1, 0}} {
			lo, hi := r[0], r[1]
			if n == 0 {
				lo, hi = -1, -2
			}
			v := make([]sortItem, n)
			for i := range v {
				// Many equal scores, told apart by the elements.
				v[i] = sortItem{elem: []byte{byte(i * 7919 % 251)}, score: float64(i * 31 % 13)}
			}
			want := slices.Clone(v)
			slices.SortStableFunc(want, func(a, b sortItem) int { return s.compare(&a, &b) })
			pqsort.Sort(v, lo, hi, s.compare)
			for i := max(lo, 0); i <= hi; i++ {
				if s.compare(&v[i], &want[i]) != 0 {
					t.Errorf("n %d range %d-%d: position %d holds %v, want %v", n, lo, hi, i, v[i], want[i])
				}
			}
		}
	}
}

func TestSortKeys(t *testing.T) {
	tests := []struct {
		args []string
		want []int
	}{
		{[]string{"sort", "k"}, []int{1}},
		{[]string{"sort", "k", "STORE", "d"}, []int{1, 3}},
		{[]string{"sort", "k", "store", "d1", "store", "d2"}, []int{1, 5}},
		// STORE's argument is looked at as an option in turn.
		{[]string{"sort", "k", "STORE", "limit", "1", "2"}, []int{1, 3}},
		{[]string{"sort", "k", "BY", "store", "x"}, []int{1}},
		{[]string{"sort", "k", "GET", "store", "store", "x"}, []int{1, 5}},
		{[]string{"sort", "k", "LIMIT", "store", "x", "store", "y"}, []int{1, 6}},
		{[]string{"sort", "k", "STORE"}, []int{1}},
		{[]string{"sort", "k", "store", "store"}, []int{1, 3}},
	}
	for _, tt := range tests {
		args := make([][]byte, len(tt.args))
		for i, a := range tt.args {
			args[i] = []byte(a)
		}
		if got := sortKeys(args); !slices.Equal(got, tt.want) {
			t.Errorf("sortKeys(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}
