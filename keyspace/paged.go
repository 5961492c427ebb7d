package keyspace

import "github.com/cairn-db/cairn/keyspace/arena"

// paged is a growable array of pointer-free values in arena pages: it
// grows a page at a time, never copying what it holds, and gives a page
// back when the last of its values is removed.
type paged[T any] struct {
	pages [][]T
	n     int
	// shift is log2 of the values per page, which is a power of two for
	// the types used here.
	shift uint
}

func (a *paged[T]) at(i int) *T {
	return &a.pages[i>>a.shift][i&(1<<a.shift-1)]
}

func (a *paged[T]) push(v T) int {
	if a.n == len(a.pages)<<a.shift {
		p := arena.GetSlice[T]()
		if a.shift == 0 {
			for 1<<a.shift < len(p) {
				a.shift++
			}
		}
		a.pages = append(a.pages, p)
	}
	i := a.n
	a.n++
	*a.at(i) = v
	return i
}

// pop removes the last value. An emptied last page is given back once the
// page before it is half empty, so that a count going back and forth
// across a page boundary does not take and give a page each time.
func (a *paged[T]) pop() {
	a.n--
	var zero T
	*a.at(a.n) = zero
	if last := len(a.pages) - 1; a.n == 0 || a.n == last<<a.shift-(1<<a.shift)/2 {
		arena.PutSlice(a.pages[last])
		a.pages[last] = nil
		a.pages = a.pages[:last]
	}
}

func (a *paged[T]) release() {
	for _, p := range a.pages {
		arena.PutSlice(p)
	}
	*a = paged[T]{}
}

func (a *paged[T]) bytes() int { return len(a.pages) * arena.PageSize }
