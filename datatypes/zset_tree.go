package datatypes

import "unsafe"

// ztree is the ordered half of a sorted set's "skiplist" encoding (the
// other half is a table from member to score, see ZSet): a B+tree counted
// by entries, whose leaves are runs of entries in the format of
// zset_entry.go, up to zleafMax bytes each. An inner node holds, for each
// child, its entry count and the score of its first entry, so that
// descending by score or by rank reads only the inner node; a comparison
// that needs the member (a tie on scores, a lex bound) reads the child's
// leftmost leaf.
//
//	inner:  kids []zkid   +------+---+-------+------+---+-------+----
//	                      | node | n | score | node | n | score | ...
//	                      +------+---+-------+------+---+-------+----
//	leaf:   buf []byte    entry entry entry ...  (sorted, <= zleafMax bytes)
//
// Every leaf is at the same depth (height, 0 when the root is a leaf).
// Rank, select, insert and delete cost O(log N) node visits and a scan of
// one leaf; counting a score or lex range is two such descents. The
// collector sees one small node and one byte slice per leaf: about 25
// entries of 10-byte members per pointer.
//
// A leaf over zleafMax splits in two (an entry bigger than that is a leaf
// of its own); a node over zinnerMax children splits in two. Appending at
// the end of the tree (or the start) splits unevenly, leaving the full
// leaf full, so that sets built in score order (timestamps) are packed. A
// leaf under zleafMin bytes, or a node under zinnerMin children, merges
// with a sibling or takes half of their sum.
type ztree struct {
	root   zkid
	height int
	// mem is the bytes of the nodes, leaves and child arrays, as the heap
	// holds them.
	mem int
	// offs is scratch for walking a leaf backwards.
	offs []int
}

type znode struct {
	// buf holds a leaf's entries.
	buf []byte
	// kids are an inner node's children.
	kids []zkid
}

type zkid struct {
	node *znode
	// n is the number of entries under node.
	n int
	// score is the score of the first of them.
	score float64
}

const (
	zleafMax  = 256
	zleafMin  = zleafMax / 4
	zleafFill = zleafMax * 7 / 8
	zinnerMax = 64
	zinnerMin = zinnerMax / 4
	// zinnerFill is the children per node of a tree built in one go.
	zinnerFill = zinnerMax * 3 / 4
)

// zkidSize is the size of a child entry. (The allocation of a node,
// znodeAlloc, is a function: AllocSize's tables are built in init, after
// package variables.)
const zkidSize = int(unsafe.Sizeof(zkid{}))

func znodeAlloc() int { return ptrAllocSize(int(unsafe.Sizeof(znode{}))) }

func kidsAlloc(c int) int {
	if c == 0 {
		return 0
	}
	return ptrAllocSize(c * zkidSize)
}

func newZTree() *ztree {
	t := &ztree{}
	t.root = zkid{node: t.newLeaf(nil)}
	return t
}

func (t *ztree) len() int { return t.root.n }

func (t *ztree) newLeaf(buf []byte) *znode {
	t.mem += znodeAlloc() + AllocSize(cap(buf))
	return &znode{buf: buf}
}

func (t *ztree) newInner(kids []zkid) *znode {
	t.mem += znodeAlloc() + kidsAlloc(cap(kids))
	return &znode{kids: kids}
}

func (t *ztree) freeNode(nd *znode) {
	t.mem -= znodeAlloc() + AllocSize(cap(nd.buf)) + kidsAlloc(cap(nd.kids))
	*nd = znode{}
}

func (t *ztree) setBuf(nd *znode, b []byte) {
	t.mem += AllocSize(cap(b)) - AllocSize(cap(nd.buf))
	nd.buf = b
}

func (t *ztree) setKids(nd *znode, k []zkid) {
	t.mem += kidsAlloc(cap(k)) - kidsAlloc(cap(nd.kids))
	nd.kids = k
}

// leafBuf returns a buffer of length n with room for want bytes, its
// capacity the whole allocation.
func leafBuf(n, want int) []byte {
	return make([]byte, n, AllocSize(max(n, want)))
}

// makeKids returns an empty child array with room for n children.
func makeKids(n int) []zkid {
	c := kidsAlloc(n) / zkidSize
	if n > ptrHeaderMin/zkidSize {
		c = (kidsAlloc(n) - mallocHeader) / zkidSize
	}
	return make([]zkid, 0, max(c, n))
}

// firstScore is the score of the first entry under nd, which is not
// empty.
func firstScore(nd *znode, h int) float64 {
	if h > 0 {
		return nd.kids[0].score
	}
	_, s, _ := zentryAt(nd.buf, 0)
	return s
}

// refresh sets k's score from its node, if it has entries.
func (k *zkid) refresh(h int) {
	if k.n > 0 {
		k.score = firstScore(k.node, h)
	}
}

// firstMember is the member of the first entry under nd.
func firstMember(nd *znode, h int) []byte {
	for ; h > 0; h-- {
		nd = nd.kids[0].node
	}
	m, _, _ := zentryAt(nd.buf, 0)
	return m
}

// kidHolds reports whether p holds for the first entry under k.
func kidHolds(k *zkid, h int, p *zpred) bool {
	if !p.needsMember(k.score) {
		return p.holds(k.score, nil)
	}
	return p.holds(k.score, firstMember(k.node, h))
}

// descend returns the child of kids (at height h) to look in for the
// entries where p stops holding: the last whose first entry p holds for,
// or the first.
func descend(kids []zkid, h int, p *zpred) int {
	lo, hi := 1, len(kids)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if kidHolds(&kids[mid], h, p) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1
}

// prefix counts the entries p holds for: the rank of the first it does
// not.
func (t *ztree) prefix(p *zpred) int {
	k, total := &t.root, 0
	for h := t.height; h > 0; h-- {
		kids := k.node.kids
		i := descend(kids, h-1, p)
		if i == 0 && !kidHolds(&kids[0], h-1, p) {
			return total
		}
		for j := range i {
			total += kids[j].n
		}
		k = &kids[i]
	}
	_, idx := zprefix(k.node.buf, p)
	return total + idx
}

// rank returns the rank of (score, member), which must be present.
func (t *ztree) rank(member []byte, score float64) int {
	return t.prefix(&zpred{kind: predKey, score: score, member: member})
}

// seek returns the leaf holding the entry of rank r < len and the offset
// of the entry in it.
func (t *ztree) seek(r int) (*znode, int) {
	nd := t.root.node
	for h := t.height; h > 0; h-- {
		for _, k := range nd.kids {
			if r < k.n {
				nd = k.node
				break
			}
			r -= k.n
		}
	}
	return nd, zskip(nd.buf, 0, r)
}

// at returns the entry of rank r.
func (t *ztree) at(r int) ([]byte, float64) {
	nd, off := t.seek(r)
	m, s, _ := zentryAt(nd.buf, off)
	return m, s
}

// walk yields the entries under nd (at height h) from the one skip
// entries in, in order; it reports whether yield wanted more.
func (t *ztree) walk(nd *znode, h, skip int, yield func([]byte, float64) bool) bool {
	if h == 0 {
		for off := zskip(nd.buf, 0, skip); off < len(nd.buf); {
			m, s, next := zentryAt(nd.buf, off)
			if !yield(m, s) {
				return false
			}
			off = next
		}
		return true
	}
	for _, k := range nd.kids {
		if skip >= k.n {
			skip -= k.n
			continue
		}
		if !t.walk(k.node, h-1, skip, yield) {
			return false
		}
		skip = 0
	}
	return true
}

// walkRev yields the entries under nd in reverse order, from the one
// skip entries from the end.
func (t *ztree) walkRev(nd *znode, h, skip int, yield func([]byte, float64) bool) bool {
	if h == 0 {
		offs := t.offs[:0]
		for p := 0; p < len(nd.buf); p = zentryEnd(nd.buf, p) {
			offs = append(offs, p)
		}
		t.offs = offs[:0]
		for i := len(offs) - 1 - skip; i >= 0; i-- {
			m, s, _ := zentryAt(nd.buf, offs[i])
			if !yield(m, s) {
				return false
			}
		}
		return true
	}
	for i := len(nd.kids) - 1; i >= 0; i-- {
		k := nd.kids[i]
		if skip >= k.n {
			skip -= k.n
			continue
		}
		if !t.walkRev(k.node, h-1, skip, yield) {
			return false
		}
		skip = 0
	}
	return true
}

// insert adds (score, member), which must be absent.
func (t *ztree) insert(member []byte, score float64) {
	p := zpred{kind: predKey, score: score, member: member}
	split, ok := t.ins(&t.root, t.height, &p, true, true)
	if !ok {
		return
	}
	old := t.root
	kids := append(makeKids(4), old, split)
	t.root = zkid{node: t.newInner(kids), n: old.n + split.n, score: old.score}
	t.height++
}

// ins inserts p's key under k (at height h); left and right tell whether
// k is the first or last node of its level. It returns the right half if
// k's node split.
func (t *ztree) ins(k *zkid, h int, p *zpred, left, right bool) (zkid, bool) {
	nd := k.node
	k.n++
	if h == 0 {
		off, idx := zprefix(nd.buf, p)
		t.leafInsert(nd, off, p.member, p.score)
		if idx == 0 {
			k.score = p.score
		}
		if len(nd.buf) <= zleafMax || k.n < 2 {
			return zkid{}, false
		}
		var at, cnt int
		switch {
		case right && idx == k.n-1:
			at, cnt = off, idx
		case left && idx == 0:
			at, cnt = zentryEnd(nd.buf, 0), 1
		default:
			at, cnt = zhalf(nd.buf)
		}
		return t.splitLeaf(k, at, cnt), true
	}
	i := descend(nd.kids, h-1, p)
	split, ok := t.ins(&nd.kids[i], h-1, p, left && i == 0, right && i == len(nd.kids)-1)
	k.score = nd.kids[0].score
	if !ok {
		return zkid{}, false
	}
	t.insertKid(nd, i+1, split)
	if len(nd.kids) <= zinnerMax {
		return zkid{}, false
	}
	at := len(nd.kids) / 2
	switch {
	case right && i+1 == len(nd.kids)-1:
		at = len(nd.kids) - 1
	case left && i == 0:
		at = 1
	}
	return t.splitInner(k, at), true
}

// leafInsert writes the entry of member and score at off in nd's buffer.
func (t *ztree) leafInsert(nd *znode, off int, member []byte, score float64) {
	sz := zentrySize(member, score)
	b := nd.buf
	n := len(b) + sz
	if n > cap(b) {
		want := n + n/4
		if n <= zleafMax {
			want = min(want, zleafMax)
		}
		nb := leafBuf(len(b), want)
		copy(nb, b)
		t.setBuf(nd, nb)
		b = nb
	}
	b = b[:n]
	copy(b[off+sz:], b[off:n-sz])
	putZEntry(b[off:], member, score)
	nd.buf = b
}

// zhalf returns the entry boundary of b nearest its middle, and the
// entries before it, with at least one entry on each side (b holds two
// or more).
func zhalf(b []byte) (at, cnt int) {
	half := len(b) / 2
	at, cnt = zentryEnd(b, 0), 1
	for {
		next := zentryEnd(b, at)
		if next >= len(b) || at >= half || next-half >= half-at {
			return at, cnt
		}
		at = next
		cnt++
	}
}

// splitLeaf moves the entries of k's leaf from offset at (the first cnt
// stay) to a new leaf, and returns it.
func (t *ztree) splitLeaf(k *zkid, at, cnt int) zkid {
	nd := k.node
	rest := nd.buf[at:]
	rb := leafBuf(len(rest), len(rest))
	copy(rb, rest)
	// The buffer grew past zleafMax for the entry that made it split:
	// what stays gets a buffer its size, with an eighth to spare (an
	// appended-to leaf, left full, would otherwise keep a third unused).
	if cap(nd.buf) > AllocSize(at+at/8) {
		lb := leafBuf(at, at+at/8)
		copy(lb, nd.buf)
		t.setBuf(nd, lb)
	} else {
		nd.buf = nd.buf[:at]
	}
	r := zkid{node: t.newLeaf(rb), n: k.n - cnt}
	r.refresh(0)
	k.n = cnt
	return r
}

// shrinkBuf cuts nd's buffer to n bytes, reallocating it once it is more
// than half spare.
func (t *ztree) shrinkBuf(nd *znode, n int) {
	if cap(nd.buf) > 64 && 2*n < cap(nd.buf) {
		nb := leafBuf(n, n+n/8)
		copy(nb, nd.buf)
		t.setBuf(nd, nb)
		return
	}
	nd.buf = nd.buf[:n]
}

// insertKid puts k at index i of nd's children.
func (t *ztree) insertKid(nd *znode, i int, k zkid) {
	kids := nd.kids
	if len(kids) == cap(kids) {
		nk := makeKids(min(len(kids)+len(kids)/2+2, zinnerMax+1))
		nk = append(nk, kids...)
		t.setKids(nd, nk)
		kids = nk
	}
	kids = append(kids, zkid{})
	copy(kids[i+1:], kids[i:])
	kids[i] = k
	nd.kids = kids
}

// splitInner moves the children of k's node from index at to a new node,
// and returns it.
func (t *ztree) splitInner(k *zkid, at int) zkid {
	nd := k.node
	rk := append(makeKids(len(nd.kids)-at+1), nd.kids[at:]...)
	clear(nd.kids[at:])
	nd.kids = nd.kids[:at]
	r := zkid{node: t.newInner(rk), score: rk[0].score}
	for _, c := range rk {
		r.n += c.n
	}
	k.n -= r.n
	return r
}

// delete removes (score, member), which must be present.
func (t *ztree) delete(member []byte, score float64) {
	p := zpred{kind: predKey, score: score, member: member, orEq: true}
	t.del(&t.root, t.height, &p)
	for t.height > 0 && len(t.root.node.kids) == 1 {
		old := t.root.node
		t.root = old.kids[0]
		t.freeNode(old)
		t.height--
	}
}

func (t *ztree) del(k *zkid, h int, p *zpred) {
	nd := k.node
	k.n--
	if h == 0 {
		lt := *p
		lt.orEq = false
		off, idx := zprefix(nd.buf, &lt)
		end := zentryEnd(nd.buf, off)
		b := nd.buf
		copy(b[off:], b[end:])
		t.shrinkBuf(nd, len(b)-(end-off))
		if idx == 0 {
			k.refresh(0)
		}
		return
	}
	i := descend(nd.kids, h-1, p)
	t.del(&nd.kids[i], h-1, p)
	nd.kids[i].refresh(h - 1)
	if c := &nd.kids[i]; (h == 1 && len(c.node.buf) < zleafMin) || (h > 1 && len(c.node.kids) < zinnerMin) {
		t.rebalance(nd, i, h-1)
	}
	k.score = nd.kids[0].score
}

// rebalance merges nd's child i (at height h), which is under its
// minimum, with a sibling, or shares their sum between them.
func (t *ztree) rebalance(nd *znode, i, h int) {
	if len(nd.kids) < 2 {
		return
	}
	l := min(i, len(nd.kids)-2)
	a, b := &nd.kids[l], &nd.kids[l+1]
	if h == 0 {
		ab, bb := a.node.buf, b.node.buf
		n := len(ab) + len(bb)
		if n <= zleafMax || a.n == 0 || b.n == 0 {
			if n > cap(ab) {
				nb := leafBuf(len(ab), n)
				copy(nb, ab)
				t.setBuf(a.node, nb)
			}
			a.node.buf = append(a.node.buf, bb...)
			a.n += b.n
			t.removeKid(nd, l+1)
			a.refresh(0)
			return
		}
		all := append(append(make([]byte, 0, n), ab...), bb...)
		at, cnt := zhalf(all)
		na, nb := leafBuf(at, at), leafBuf(n-at, n-at)
		copy(na, all[:at])
		copy(nb, all[at:])
		t.setBuf(a.node, na)
		t.setBuf(b.node, nb)
		a.n, b.n = cnt, a.n+b.n-cnt
		a.refresh(0)
		b.refresh(0)
		return
	}
	ak, bk := a.node.kids, b.node.kids
	if len(ak)+len(bk) <= zinnerMax {
		if len(ak)+len(bk) > cap(ak) {
			nk := append(makeKids(len(ak)+len(bk)), ak...)
			t.setKids(a.node, nk)
		}
		a.node.kids = append(a.node.kids, bk...)
		a.n += b.n
		t.removeKid(nd, l+1)
		return
	}
	all := append(append(make([]zkid, 0, len(ak)+len(bk)), ak...), bk...)
	half := len(all) / 2
	t.setKids(a.node, append(makeKids(half), all[:half]...))
	t.setKids(b.node, append(makeKids(len(all)-half), all[half:]...))
	a.n, b.n = 0, 0
	for _, c := range all[:half] {
		a.n += c.n
	}
	for _, c := range all[half:] {
		b.n += c.n
	}
	a.score, b.score = all[0].score, all[half].score
}

// removeKid drops child i of nd, freeing its node.
func (t *ztree) removeKid(nd *znode, i int) {
	t.freeNode(nd.kids[i].node)
	copy(nd.kids[i:], nd.kids[i+1:])
	nd.kids[len(nd.kids)-1] = zkid{}
	nd.kids = nd.kids[:len(nd.kids)-1]
	if c := cap(nd.kids); c > 8 && 3*len(nd.kids) < c {
		t.setKids(nd, append(makeKids(len(nd.kids)+len(nd.kids)/2), nd.kids...))
	}
}

// zbuilder builds a ztree from entries given in order, with leaves
// zleafFill bytes full and zinnerFill children per node.
type zbuilder struct {
	t      *ztree
	leaves []zkid
	buf    []byte
	n      int
}

func newZBuilder() *zbuilder { return &zbuilder{t: &ztree{}} }

func (bd *zbuilder) add(member []byte, score float64) {
	if bd.n > 0 && len(bd.buf)+zentrySize(member, score) > zleafFill {
		bd.flush()
	}
	bd.buf = appendZEntry(bd.buf, member, score)
	bd.n++
}

func (bd *zbuilder) flush() {
	b := leafBuf(len(bd.buf), len(bd.buf))
	copy(b, bd.buf)
	k := zkid{node: bd.t.newLeaf(b), n: bd.n}
	k.refresh(0)
	bd.leaves = append(bd.leaves, k)
	bd.buf, bd.n = bd.buf[:0], 0
}

// finish returns the tree.
func (bd *zbuilder) finish() *ztree {
	t := bd.t
	if bd.n > 0 {
		bd.flush()
	}
	level := bd.leaves
	if len(level) == 0 {
		t.root = zkid{node: t.newLeaf(nil)}
		return t
	}
	for len(level) > 1 {
		groups := (len(level) + zinnerFill - 1) / zinnerFill
		next := make([]zkid, 0, groups)
		for g := range groups {
			part := level[g*len(level)/groups : (g+1)*len(level)/groups]
			kids := append(makeKids(len(part)), part...)
			k := zkid{node: t.newInner(kids), score: part[0].score}
			for _, c := range part {
				k.n += c.n
			}
			next = append(next, k)
		}
		level = next
		t.height++
	}
	t.root = level[0]
	return t
}
