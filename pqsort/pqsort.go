// Package pqsort is Redis's partial quicksort (pqsort.c: NetBSD's qsort,
// after Bentley and McIlroy, that skips the parts of the array outside a
// range). Redis sorts with it when only some ranks are wanted (GEOSEARCH
// with COUNT), and it is ported as it is so that elements that compare
// equal come out in Redis's order.
package pqsort

// Sort orders v enough that positions lo to hi (inclusive) hold what a
// full sort by cmp would put there.
func Sort[T any](v []T, lo, hi int, cmp func(a, b *T) int) {
	s := sorter[T]{v: v, cmp: cmp, lo: lo, hi: hi}
	s.sort(0, len(v))
}

type sorter[T any] struct {
	v      []T
	cmp    func(a, b *T) int
	lo, hi int
}

func (s *sorter[T]) compare(i, j int) int { return s.cmp(&s.v[i], &s.v[j]) }

func (s *sorter[T]) swap(i, j int) { s.v[i], s.v[j] = s.v[j], s.v[i] }

// vecswap swaps the n elements from i with the n from j.
func (s *sorter[T]) vecswap(i, j, n int) {
	for k := range n {
		s.swap(i+k, j+k)
	}
}

func (s *sorter[T]) med3(a, b, c int) int {
	if s.compare(a, b) < 0 {
		switch {
		case s.compare(b, c) < 0:
			return b
		case s.compare(a, c) < 0:
			return c
		}
		return a
	}
	switch {
	case s.compare(b, c) > 0:
		return b
	case s.compare(a, c) < 0:
		return a
	}
	return c
}

// overlaps reports whether the n elements from a meet the range lo..hi.
func (s *sorter[T]) overlaps(a, n int) bool {
	return !(s.lo < a && s.hi < a || s.lo >= a+n && s.hi >= a+n)
}

// sort sorts the n elements from a.
func (s *sorter[T]) sort(a, n int) {
	for {
		if n < 7 {
			for m := a + 1; m < a+n; m++ {
				for l := m; l > a && s.compare(l-1, l) > 0; l-- {
					s.swap(l, l-1)
				}
			}
			return
		}
		m := a + n/2
		if n > 7 {
			l, r := a, a+n-1
			if n > 40 {
				d := n / 8
				l = s.med3(l, l+d, l+2*d)
				m = s.med3(m-d, m, m+d)
				r = s.med3(r-2*d, r-d, r)
			}
			m = s.med3(l, m, r)
		}
		s.swap(a, m)
		pa, pb := a+1, a+1
		pc, pd := a+n-1, a+n-1
		for {
			for pb <= pc {
				c := s.compare(pb, a)
				if c > 0 {
					break
				}
				if c == 0 {
					s.swap(pa, pb)
					pa++
				}
				pb++
			}
			for pb <= pc {
				c := s.compare(pc, a)
				if c < 0 {
					break
				}
				if c == 0 {
					s.swap(pc, pd)
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			s.swap(pb, pc)
			pb++
			pc--
		}
		pn := a + n
		r := min(pa-a, pb-pa)
		s.vecswap(a, pb-r, r)
		r = min(pd-pc, pn-pd-1)
		s.vecswap(pb, pn-r, r)
		if r = pb - pa; r > 1 && s.overlaps(a, r) {
			s.sort(a, r)
		}
		r = pd - pc
		if r <= 1 {
			return
		}
		// Iterate rather than recurse, as Redis does.
		a, n = pn-r, r
		if !s.overlaps(a, n) {
			return
		}
	}
}
