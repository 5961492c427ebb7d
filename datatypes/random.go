package datatypes

import "math/rand/v2"

// distinctIndexes returns count distinct values drawn uniformly from the
// n ids that all lists, in random order; draw returns a uniformly chosen
// id. It needs 0 < count < n.
//
// Like Redis's SRANDMEMBER, it shuffles every id when count is a large
// share of n, and otherwise draws until it has count different ones, so
// that a small sample of a big collection costs O(count).
func distinctIndexes(n, count int, rng *rand.Rand, all func() []int, draw func() int) []int {
	if count*3 > n {
		ids := all()
		for i := range count {
			j := i + rng.IntN(len(ids)-i)
			ids[i], ids[j] = ids[j], ids[i]
		}
		return ids[:count]
	}
	seen := make(map[int]struct{}, count)
	out := make([]int, 0, count)
	for len(out) < count {
		id := draw()
		if _, dup := seen[id]; !dup {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}

// upTo returns the ids 0..n-1.
func upTo(n int) []int {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i
	}
	return ids
}
