package datatypes

import (
	"bytes"
	"iter"
	"strconv"
	"strings"
	"unsafe"
)

// List is a sequence of binary-safe strings. Redis 7.0 stores every list
// as a quicklist (a linked list of listpack nodes) and OBJECT ENCODING
// always says "quicklist", even for one element (checked against
// redis-server 7.0.15); the "listpack" list encoding came in 7.2. So List
// has one encoding, a quicklist-like chunked list, and never converts:
//
//	nodes (a ring buffer of nodes; a list of 1 node holds 1 slot)
//	+--------+--------+-----+--------+
//	| node 0 | node 1 | ... | node k |     head first
//	+--------+--------+-----+--------+
//	    |
//	    v   listNode{buf, off, n}
//	+----------------+---------+---------+-----+---------+
//	| room for LPUSH | entry 0 | entry 1 | ... | entry m | room for RPUSH
//	+----------------+---------+---------+-----+---------+
//	 buf[:off]         two-way entries (see listpack.go)
//
// A node holds as many entries as the fill limit (ListMaxListpackSize,
// fixed when the list is created, as Redis's quicklist does) allows:
// -1..-5 bound its bytes to 4..64 KiB; a positive fill bounds its entry
// count, and its bytes to 8 KiB. A single entry always fits.
//
// Pushes and pops at either end are O(1) amortised: they use or make room
// at that end of the end node (LPOP moves off forward instead of moving
// the rest of the node as a listpack would). Reaching index i walks node
// counts from the nearer end of the list, then entries from the nearer end
// of the node. Nodes that grow past the limit (LSET, LINSERT) are split;
// neighbours that fit in one node after LREM are merged.
//
// Byte slices returned by a List are valid until its next modification
// and must not be modified; popped values are copies.
type List struct {
	// nodes is a ring whose length is a power of two (or 0); the list's
	// nodes are the cnt slots from head on.
	nodes     []listNode
	head, cnt int32
	// fill is list-max-listpack-size when the list was created.
	fill int32
	// n is the number of entries.
	n int
	// bufs is the sum of AllocSize(cap(buf)) over the nodes, kept as
	// they change so that MemoryUsage is O(1).
	bufs int
}

type listNode struct {
	// buf[off:] holds the node's entries; buf[:off] is room to push at
	// the front.
	buf []byte
	off int
	n   int
}

const (
	// nodeSafetyLimit is quicklist's SIZE_SAFETY_LIMIT: the byte bound of a
	// node under a positive fill.
	nodeSafetyLimit = 8192
	// fillMax is quicklist's FILL_MAX.
	fillMax = 1<<15 - 1
)

var _ Value = (*List)(nil)

// NewList returns an empty list whose nodes follow lim's
// ListMaxListpackSize.
func NewList(lim Limits) *List {
	return &List{fill: int32(min(max(lim.ListMaxListpackSize, -5), fillMax))}
}

// Type implements Value.
func (l *List) Type() string { return "list" }

// Encoding implements Value.
func (l *List) Encoding() string { return "quicklist" }

// MemoryUsage implements Value.
func (l *List) MemoryUsage() int {
	return AllocSize(int(unsafe.Sizeof(*l))) +
		ptrAllocSize(int(unsafe.Sizeof(listNode{}))*cap(l.nodes)) + l.bufs
}

// Clone implements Value.
func (l *List) Clone() Value {
	c := &List{fill: l.fill, n: l.n, cnt: l.cnt, nodes: make([]listNode, len(l.nodes))}
	for i := range int(l.cnt) {
		nd := l.node(i)
		c.nodes[i] = listNode{buf: append([]byte(nil), nd.buf[nd.off:]...), n: nd.n}
		c.bufs += AllocSize(cap(c.nodes[i].buf))
	}
	return c
}

// String renders the encoding and the elements, so that equal lists
// print alike whatever their node layout (fmt's %v uses it, as the replay
// test does).
func (l *List) String() string {
	es := make([]string, 0, l.n)
	for _, v := range l.Forward(0) {
		es = append(es, strconv.Quote(string(v)))
	}
	return l.Encoding() + "[" + strings.Join(es, " ") + "]"
}

// Len is the number of elements (LLEN).
func (l *List) Len() int { return l.n }

// Fill is the list-max-listpack-size the list was created with, which
// decides how Redis would split it into nodes (DUMP).
func (l *List) Fill() int { return int(l.fill) }

func (l *List) node(i int) *listNode {
	return &l.nodes[(int(l.head)+i)&(len(l.nodes)-1)]
}

func (nd *listNode) size() int { return len(nd.buf) - nd.off }

// resized accounts for a change to the buffer of nd, one of the list's
// nodes, which had capacity old. Every change to a node in the ring is
// followed by it; insertNode and removeNode count whole nodes.
func (l *List) resized(nd *listNode, old int) {
	if c := cap(nd.buf); c != old {
		l.bufs += AllocSize(c) - AllocSize(old)
	}
}

// fits reports whether a node of size bytes and count entries is within
// the fill limit.
func (l *List) fits(size, count int) bool {
	if count <= 1 {
		return true
	}
	if l.fill >= 0 {
		return count <= int(l.fill) && size <= nodeSafetyLimit
	}
	return size <= 4096<<(-l.fill-1)
}

// insertNode makes nd the i-th node, moving the nodes on the shorter side.
func (l *List) insertNode(i int, nd listNode) {
	cnt := int(l.cnt)
	if cnt == len(l.nodes) {
		l.reshape(max(1, 2*cnt))
	}
	if i < cnt/2 {
		l.head = int32((int(l.head) - 1) & (len(l.nodes) - 1))
		for k := 0; k < i; k++ {
			*l.node(k) = *l.node(k + 1)
		}
	} else {
		for k := cnt; k > i; k-- {
			*l.node(k) = *l.node(k - 1)
		}
	}
	l.cnt++
	*l.node(i) = nd
	l.bufs += AllocSize(cap(nd.buf))
}

// removeNode deletes the i-th node, moving the nodes on the shorter side.
func (l *List) removeNode(i int) {
	l.bufs -= AllocSize(cap(l.node(i).buf))
	cnt := int(l.cnt)
	if i < cnt/2 {
		for k := i; k > 0; k-- {
			*l.node(k) = *l.node(k - 1)
		}
		*l.node(0) = listNode{}
		l.head = int32((int(l.head) + 1) & (len(l.nodes) - 1))
	} else {
		for k := i; k < cnt-1; k++ {
			*l.node(k) = *l.node(k + 1)
		}
		*l.node(cnt - 1) = listNode{}
	}
	l.cnt--
	if l.cnt == 0 {
		l.nodes, l.head = nil, 0
	} else if len(l.nodes) >= 8 && int(l.cnt)*4 <= len(l.nodes) {
		l.reshape(len(l.nodes) / 2)
	}
}

// reshape moves the nodes into a new ring of size slots, head first.
func (l *List) reshape(size int) {
	nodes := make([]listNode, size)
	for k := range int(l.cnt) {
		nodes[k] = *l.node(k)
	}
	l.nodes, l.head = nodes, 0
}

// grownCap is the capacity a node buffer gets when it must grow to size:
// a quarter to spare, so that pushes one by one reallocate rarely.
func grownCap(size int) int { return size + size/4 }

func (nd *listNode) pushBack(v []byte) {
	es := entrySize(v)
	if cap(nd.buf)-len(nd.buf) < es {
		size := nd.size()
		nb := make([]byte, size, grownCap(size+es))
		copy(nb, nd.buf[nd.off:])
		nd.buf, nd.off = nb, 0
	}
	k := len(nd.buf)
	nd.buf = nd.buf[:k+es]
	putEntry(nd.buf[k:], v)
	nd.n++
}

func (nd *listNode) pushFront(v []byte) {
	es := entrySize(v)
	if nd.off < es {
		size := nd.size()
		c := grownCap(size + es)
		nb := make([]byte, c)
		copy(nb[c-size:], nd.buf[nd.off:])
		nd.buf, nd.off = nb, c-size
	}
	nd.off -= es
	putEntry(nd.buf[nd.off:], v)
	nd.n++
}

// compact gives back a buffer mostly made of room.
func (nd *listNode) compact() {
	if cap(nd.buf) > 64 && nd.size() < cap(nd.buf)/2 {
		nd.buf, nd.off = append([]byte(nil), nd.buf[nd.off:]...), 0
	}
}

// trim gives back the room of a node that is full, once pushes have
// moved on to a new node.
func (nd *listNode) trim() {
	if cap(nd.buf)-nd.size() > nd.size()/16 {
		nd.buf, nd.off = append([]byte(nil), nd.buf[nd.off:]...), 0
	}
}

// PushBack appends v (RPUSH).
func (l *List) PushBack(v []byte) {
	l.n++
	if l.cnt > 0 {
		nd := l.node(int(l.cnt) - 1)
		old := cap(nd.buf)
		if l.fits(nd.size()+entrySize(v), nd.n+1) {
			nd.pushBack(v)
			l.resized(nd, old)
			return
		}
		nd.trim()
		l.resized(nd, old)
	}
	var nd listNode
	nd.pushBack(v)
	l.insertNode(int(l.cnt), nd)
}

// PushFront prepends v (LPUSH).
func (l *List) PushFront(v []byte) {
	l.n++
	if l.cnt > 0 {
		nd := l.node(0)
		old := cap(nd.buf)
		if l.fits(nd.size()+entrySize(v), nd.n+1) {
			nd.pushFront(v)
			l.resized(nd, old)
			return
		}
		nd.trim()
		l.resized(nd, old)
	}
	var nd listNode
	nd.pushFront(v)
	l.insertNode(0, nd)
}

// PopFront removes and returns the first element (LPOP).
func (l *List) PopFront() ([]byte, bool) {
	if l.n == 0 {
		return nil, false
	}
	nd := l.node(0)
	d, next := entryAt(nd.buf, nd.off)
	v := append([]byte(nil), d...)
	nd.off = next
	nd.n--
	l.n--
	if nd.n == 0 {
		l.removeNode(0)
	}
	return v, true
}

// PopBack removes and returns the last element (RPOP).
func (l *List) PopBack() ([]byte, bool) {
	if l.n == 0 {
		return nil, false
	}
	last := int(l.cnt) - 1
	nd := l.node(last)
	d, start := entryBefore(nd.buf, len(nd.buf))
	v := append([]byte(nil), d...)
	nd.buf = nd.buf[:start]
	nd.n--
	l.n--
	if nd.n == 0 {
		l.removeNode(last)
	}
	return v, true
}

// PopFrontN removes and returns up to count elements from the head (LPOP
// with a count).
func (l *List) PopFrontN(count int) [][]byte {
	out := make([][]byte, 0, min(count, l.n))
	for len(out) < count {
		v, ok := l.PopFront()
		if !ok {
			break
		}
		out = append(out, v)
	}
	return out
}

// PopBackN removes and returns up to count elements from the tail (RPOP
// with a count), last first.
func (l *List) PopBackN(count int) [][]byte {
	out := make([][]byte, 0, min(count, l.n))
	for len(out) < count {
		v, ok := l.PopBack()
		if !ok {
			break
		}
		out = append(out, v)
	}
	return out
}

// locate returns the node holding element i (0 <= i < Len) and the
// offset of the element's entry in it.
func (l *List) locate(i int) (ni, p int) {
	if i < l.n/2 {
		for ni = 0; i >= l.node(ni).n; ni++ {
			i -= l.node(ni).n
		}
	} else {
		j := l.n - 1 - i
		for ni = int(l.cnt) - 1; j >= l.node(ni).n; ni-- {
			j -= l.node(ni).n
		}
		i = l.node(ni).n - 1 - j
	}
	nd := l.node(ni)
	if i < nd.n/2 {
		p = nd.off
		for range i {
			_, p = entryAt(nd.buf, p)
		}
	} else {
		p = len(nd.buf)
		for range nd.n - i {
			_, p = entryBefore(nd.buf, p)
		}
	}
	return ni, p
}

// normIndex turns a possibly negative index into a position, reporting
// whether it is in range.
func (l *List) normIndex(i int) (int, bool) {
	if i < 0 {
		i += l.n
	}
	return i, i >= 0 && i < l.n
}

// Index returns the element at i, counting from the tail if i is negative
// (LINDEX).
func (l *List) Index(i int) ([]byte, bool) {
	i, ok := l.normIndex(i)
	if !ok {
		return nil, false
	}
	ni, p := l.locate(i)
	d, _ := entryAt(l.node(ni).buf, p)
	return d, true
}

// Set replaces the element at i, counting from the tail if i is negative,
// and reports whether i was in range (LSET).
func (l *List) Set(i int, v []byte) bool {
	i, ok := l.normIndex(i)
	if !ok {
		return false
	}
	ni, p := l.locate(i)
	nd := l.node(ni)
	_, q := entryAt(nd.buf, p)
	entry := make([]byte, entrySize(v))
	putEntry(entry, v)
	old := cap(nd.buf)
	nd.buf = splice(nd.buf, p, q, entry)
	l.resized(nd, old)
	l.split(ni)
	return true
}

// Insert inserts v before or after the first element equal to pivot and
// returns the new length, or -1 if there is no such element (LINSERT).
func (l *List) Insert(pivot, v []byte, after bool) int {
	for ni := range int(l.cnt) {
		nd := l.node(ni)
		for p := nd.off; p < len(nd.buf); {
			d, next := entryAt(nd.buf, p)
			if bytes.Equal(d, pivot) {
				at := p
				if after {
					at = next
				}
				l.insertAt(ni, at, v)
				return l.n
			}
			p = next
		}
	}
	return -1
}

// insertAt inserts v into node ni at offset p, using a neighbour when the
// node is full and p is at its edge, as quicklist does.
func (l *List) insertAt(ni, p int, v []byte) {
	l.n++
	nd := l.node(ni)
	es := entrySize(v)
	if !l.fits(nd.size()+es, nd.n+1) {
		if p == len(nd.buf) && ni+1 < int(l.cnt) {
			if next := l.node(ni + 1); l.fits(next.size()+es, next.n+1) {
				old := cap(next.buf)
				next.pushFront(v)
				l.resized(next, old)
				return
			}
		}
		if p == nd.off && ni > 0 {
			if prev := l.node(ni - 1); l.fits(prev.size()+es, prev.n+1) {
				old := cap(prev.buf)
				prev.pushBack(v)
				l.resized(prev, old)
				return
			}
		}
	}
	entry := make([]byte, es)
	putEntry(entry, v)
	old := cap(nd.buf)
	nd.buf = splice(nd.buf, p, p, entry)
	nd.n++
	l.resized(nd, old)
	l.split(ni)
}

// split breaks node ni into nodes within the fill limit, if it is not.
func (l *List) split(ni int) {
	nd := *l.node(ni)
	if l.fits(nd.size(), nd.n) {
		return
	}
	var parts []listNode
	start, size, count := nd.off, 0, 0
	for p := nd.off; p < len(nd.buf); {
		_, next := entryAt(nd.buf, p)
		if count > 0 && !l.fits(size+next-p, count+1) {
			parts = append(parts, listNode{buf: append([]byte(nil), nd.buf[start:p]...), n: count})
			start, size, count = p, 0, 0
		}
		size += next - p
		count++
		p = next
	}
	parts = append(parts, listNode{buf: append([]byte(nil), nd.buf[start:]...), n: count})
	*l.node(ni) = parts[0]
	l.resized(l.node(ni), cap(nd.buf))
	for k, part := range parts[1:] {
		l.insertNode(ni+1+k, part)
	}
}

// Remove deletes elements equal to v and returns how many (LREM): the
// first count from the head if count > 0, the last -count from the tail
// if count < 0, all if count is 0.
func (l *List) Remove(count int, v []byte) int {
	limit := count
	if count < 0 {
		limit = -count
		if limit < 0 { // -MinInt
			limit = l.n
		}
	}
	removed := 0
	left := func() int {
		if limit == 0 {
			return 0
		}
		return limit - removed
	}
	if count >= 0 {
		for ni := 0; ni < int(l.cnt) && (limit == 0 || removed < limit); {
			k := l.removeInNode(ni, v, left(), false)
			removed += k
			switch {
			case k == 0:
				ni++
			case l.node(ni).n == 0:
				l.removeNode(ni)
			case ni > 0 && l.merge(ni-1):
			default:
				ni++
			}
		}
	} else {
		for ni := int(l.cnt) - 1; ni >= 0 && removed < limit; ni-- {
			k := l.removeInNode(ni, v, left(), true)
			removed += k
			switch {
			case k == 0:
			case l.node(ni).n == 0:
				l.removeNode(ni)
			case ni+1 < int(l.cnt):
				l.merge(ni)
			}
		}
	}
	l.n -= removed
	return removed
}

// removeInNode deletes the entries of node ni equal to v, at most limit of
// them if limit > 0 (the last ones if fromBack), and returns how many.
func (l *List) removeInNode(ni int, v []byte, limit int, fromBack bool) int {
	nd := l.node(ni)
	type span struct{ start, end int }
	var hits []span
	for p := nd.off; p < len(nd.buf); {
		d, next := entryAt(nd.buf, p)
		if bytes.Equal(d, v) {
			hits = append(hits, span{p, next})
			if limit > 0 && !fromBack && len(hits) == limit {
				break
			}
		}
		p = next
	}
	if len(hits) == 0 {
		return 0
	}
	if limit > 0 && len(hits) > limit {
		hits = hits[len(hits)-limit:]
	}
	w := hits[0].start
	for j, h := range hits {
		end := len(nd.buf)
		if j+1 < len(hits) {
			end = hits[j+1].start
		}
		w += copy(nd.buf[w:], nd.buf[h.end:end])
	}
	nd.buf = nd.buf[:w]
	nd.n -= len(hits)
	old := cap(nd.buf)
	nd.compact()
	l.resized(nd, old)
	return len(hits)
}

// merge joins node i+1 into node i if together they fit, and reports
// whether it did.
func (l *List) merge(i int) bool {
	a, b := l.node(i), l.node(i+1)
	if !l.fits(a.size()+b.size(), a.n+b.n) {
		return false
	}
	old := cap(a.buf)
	a.buf = append(growBytes(a.buf, b.size()), b.buf[b.off:]...)
	a.n += b.n
	l.resized(a, old)
	l.removeNode(i + 1)
	return true
}

// rangeBounds applies LRANGE's and LTRIM's index rules: negative indexes
// count from the tail, start is clamped to 0 and stop to the last index.
// ok is false when the range is empty.
func (l *List) rangeBounds(start, stop int) (int, int, bool) {
	if start < 0 {
		start += l.n
	}
	if stop < 0 {
		stop += l.n
	}
	start = max(start, 0)
	if start > stop || start >= l.n {
		return 0, 0, false
	}
	return start, min(stop, l.n-1), true
}

// Trim keeps the elements from start to stop, inclusive, with LTRIM's
// index rules, and deletes the rest.
func (l *List) Trim(start, stop int) {
	start, stop, ok := l.rangeBounds(start, stop)
	if !ok {
		*l = List{fill: l.fill}
		return
	}
	l.deleteFront(start)
	l.deleteBack(l.n - (stop - start + 1))
}

func (l *List) deleteFront(k int) {
	l.n -= k
	for k > 0 {
		nd := l.node(0)
		if nd.n <= k {
			k -= nd.n
			l.removeNode(0)
			continue
		}
		for range k {
			_, nd.off = entryAt(nd.buf, nd.off)
		}
		nd.n -= k
		old := cap(nd.buf)
		nd.compact()
		l.resized(nd, old)
		return
	}
}

func (l *List) deleteBack(k int) {
	l.n -= k
	for k > 0 {
		last := int(l.cnt) - 1
		nd := l.node(last)
		if nd.n <= k {
			k -= nd.n
			l.removeNode(last)
			continue
		}
		p := len(nd.buf)
		for range k {
			_, p = entryBefore(nd.buf, p)
		}
		nd.buf = nd.buf[:p]
		nd.n -= k
		old := cap(nd.buf)
		nd.compact()
		l.resized(nd, old)
		return
	}
}

// Range calls fn for the elements from start to stop, inclusive, with
// LRANGE's index rules, until fn returns false.
func (l *List) Range(start, stop int, fn func(v []byte) bool) {
	start, stop, ok := l.rangeBounds(start, stop)
	if !ok {
		return
	}
	for i, v := range l.Forward(start) {
		if i > stop || !fn(v) {
			return
		}
	}
}

// RangeLen is the number of elements Range(start, stop) visits.
func (l *List) RangeLen(start, stop int) int {
	start, stop, ok := l.rangeBounds(start, stop)
	if !ok {
		return 0
	}
	return stop - start + 1
}

// Forward yields the index and value of each element from from (0 <=
// from) to the tail. The list must not change during the iteration.
func (l *List) Forward(from int) iter.Seq2[int, []byte] {
	return func(yield func(int, []byte) bool) {
		if from < 0 || from >= l.n {
			return
		}
		ni, p := l.locate(from)
		i := from
		for ; ni < int(l.cnt); ni++ {
			nd := l.node(ni)
			if p < 0 {
				p = nd.off
			}
			for p < len(nd.buf) {
				d, next := entryAt(nd.buf, p)
				if !yield(i, d) {
					return
				}
				i++
				p = next
			}
			p = -1
		}
	}
}

// Backward yields the index and value of each element from from (from <
// Len) to the head. The list must not change during the iteration.
func (l *List) Backward(from int) iter.Seq2[int, []byte] {
	return func(yield func(int, []byte) bool) {
		if from < 0 || from >= l.n {
			return
		}
		ni, p := l.locate(from)
		_, q := entryAt(l.node(ni).buf, p)
		i := from
		for ; ni >= 0; ni-- {
			nd := l.node(ni)
			if q < 0 {
				q = len(nd.buf)
			}
			for q > nd.off {
				d, start := entryBefore(nd.buf, q)
				if !yield(i, d) {
					return
				}
				i--
				q = start
			}
			q = -1
		}
	}
}

// Pos returns the indexes of the elements equal to v, as LPOS does: rank
// (not 0) skips the first rank-1 matches, scanning from the tail if rank
// is negative; count (0 = all) bounds the matches returned and maxlen (0
// = all) the elements compared. Indexes count from the head.
func (l *List) Pos(v []byte, rank, count, maxlen int) []int {
	var out []int
	skip := rank - 1
	walk := l.Forward(0)
	if rank < 0 {
		skip = -(rank + 1)
		walk = l.Backward(l.n - 1)
	}
	compared := 0
	for i, d := range walk {
		if maxlen > 0 && compared >= maxlen {
			break
		}
		compared++
		if !bytes.Equal(d, v) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, i)
		if count > 0 && len(out) >= count {
			break
		}
	}
	return out
}
