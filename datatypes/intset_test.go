package datatypes

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestIntsetWidth(t *testing.T) {
	tests := []struct {
		name  string
		add   []int64
		width int
	}{
		{"empty", nil, 2},
		{"int16", []int64{math.MaxInt16, math.MinInt16}, 2},
		{"int32 above", []int64{1, math.MaxInt16 + 1}, 4},
		{"int32 below", []int64{1, math.MinInt16 - 1}, 4},
		{"int64", []int64{5, math.MaxInt64, math.MinInt64}, 8},
	}
	for _, tt := range tests {
		var s intset
		for _, v := range tt.add {
			s, _ = s.add(v)
		}
		if s.width() != tt.width {
			t.Errorf("%s: width %d, want %d", tt.name, s.width(), tt.width)
		}
		want := slices.Clone(tt.add)
		slices.Sort(want)
		for i, v := range want {
			if s.at(i) != v {
				t.Errorf("%s: at(%d) = %d, want %d", tt.name, i, s.at(i), v)
			}
		}
	}
}

func TestIntsetModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s intset
	model := map[int64]bool{}
	for range 5000 {
		var v int64
		switch rng.IntN(3) {
		case 0:
			v = int64(rng.IntN(100)) - 50
		case 1:
			v = int64(rng.Int32())
		default:
			v = int64(rng.Uint64())
		}
		var changed bool
		if rng.IntN(3) == 0 {
			s, changed = s.remove(v)
			if changed != model[v] {
				t.Fatalf("remove(%d) = %v", v, changed)
			}
			delete(model, v)
		} else {
			s, changed = s.add(v)
			if changed == model[v] {
				t.Fatalf("add(%d) = %v", v, changed)
			}
			model[v] = true
		}
	}
	if s.len() != len(model) {
		t.Fatalf("len %d, want %d", s.len(), len(model))
	}
	for i := 1; i < s.len(); i++ {
		if s.at(i-1) >= s.at(i) {
			t.Fatalf("not sorted at %d", i)
		}
	}
	for v := range model {
		if _, ok := s.find(v); !ok {
			t.Fatalf("%d missing", v)
		}
	}
}
