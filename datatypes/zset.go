package datatypes

import (
	"encoding/binary"
	"iter"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cairn-db/cairn/resp"
)

// ZSet is a sorted set: binary-safe members, each with a float64 score,
// ordered by score and then by member bytes (memcmp), encoded as Redis 7.0
// encodes sorted sets:
//
//	encoding   representation                      used while
//	---------  ----------------------------------  ----------------------------
//	listpack   the entries in order in one []byte  Len <= ZSetMaxListpackEntries
//	           (format in zset_entry.go)           and every member is at most
//	                                               ZSetMaxListpackValue bytes
//	skiplist   a counted B+tree of the entries     otherwise
//	           (see ztree) and a table from
//	           member to score (see table)
//
// The "skiplist" is no skiplist, but offers what Redis's does at less
// memory: O(log N) insert, delete and rank, ranges from a rank or a score
// or lex bound, and O(1) member -> score. Its leaves and the table are
// pointer-free byte runs, so the collector has about one pointer per 25
// members to scan.
//
// Scores are never NaN (Add refuses one); -inf and +inf are kept as
// given, -0 by a skiplist only (a listpack stores 0, as Redis's does).
// -0 and 0 are equal for ordering (members decide), as in Redis.
//
// Conversion rules (t_zset.c, redis-server 7.0):
//   - NewZSet starts as a listpack; NewZSetSized picks the encoding from a
//     size and member length as zsetTypeCreate does (ZADD on a new key:
//     size 1 and the first member's length; ZRANGESTORE: the result's
//     length; ZUNIONSTORE and the like: the result's length and longest
//     member, as zsetConvertToListpackIfNeeded decides).
//   - Adding a new member that makes Len exceed ZSetMaxListpackEntries, or
//     is longer than ZSetMaxListpackValue, converts to skiplist before
//     the add. Updating the score of a member never converts.
//   - Removing members never converts back; SORT converts a listpack to
//     a skiplist (ConvertToSkiplist), as Redis's sortCommandGeneric does.
//
// Byte slices returned by a ZSet are valid until its next modification,
// and must not be modified, nor passed back to a method that modifies it.
type ZSet struct {
	// lp holds the entries while tree is nil; nil when empty.
	lp []byte
	// n is the number of entries of lp.
	n int
	// tree and dict hold the entries once the set is a skiplist: dict
	// maps a member to its score's bits, little endian.
	tree *ztree
	dict *table
}

// ZEntry is a member and its score.
type ZEntry struct {
	Member []byte
	Score  float64
}

var _ Value = (*ZSet)(nil)

// NewZSet returns an empty sorted set (a listpack).
func NewZSet() *ZSet { return &ZSet{} }

// NewZSetSized returns an empty sorted set for about size members of at
// most maxLen bytes: a listpack if that fits the limits, else a skiplist
// sized for them (Redis's zsetTypeCreate).
func NewZSetSized(lim Limits, size, maxLen int) *ZSet {
	if size <= lim.ZSetMaxListpackEntries && maxLen <= lim.ZSetMaxListpackValue {
		return &ZSet{}
	}
	return &ZSet{tree: newZTree(), dict: newTable(size, true)}
}

// Type implements Value.
func (z *ZSet) Type() string { return "zset" }

// Encoding implements Value.
func (z *ZSet) Encoding() string {
	if z.tree != nil {
		return "skiplist"
	}
	return "listpack"
}

// MemoryUsage implements Value.
func (z *ZSet) MemoryUsage() int {
	header := AllocSize(int(unsafe.Sizeof(*z)))
	if z.tree == nil {
		return header + AllocSize(cap(z.lp))
	}
	t := z.tree
	return header + z.dict.memoryUsage() + ptrAllocSize(int(unsafe.Sizeof(*t))) + t.mem + AllocSize(8*cap(t.offs))
}

// Clone implements Value.
func (z *ZSet) Clone() Value {
	if z.tree == nil {
		return &ZSet{lp: append([]byte(nil), z.lp...), n: z.n}
	}
	bd := newZBuilder()
	for m, s := range z.All() {
		bd.add(m, s)
	}
	return &ZSet{tree: bd.finish(), dict: z.dict.clone()}
}

// String renders the encoding and the entries in order, with scores as
// Redis replies with them (fmt's %v uses it, as the replay test does).
func (z *ZSet) String() string {
	var es []string
	var buf []byte
	for m, s := range z.All() {
		buf = resp.AppendDouble(append(append(buf[:0], strconv.Quote(string(m))...), ':'), s)
		es = append(es, string(buf))
	}
	return z.Encoding() + "{" + strings.Join(es, " ") + "}"
}

// Len is the number of members (ZCARD).
func (z *ZSet) Len() int {
	if z.tree != nil {
		return z.tree.len()
	}
	return z.n
}

func scoreBits(s float64) []byte {
	return binary.LittleEndian.AppendUint64(nil, math.Float64bits(s))
}

func scoreFromBits(b []byte) float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

// lpFind returns the offset, rank and score of member in the listpack, or
// an offset of -1.
func (z *ZSet) lpFind(member []byte) (off, rank int, score float64) {
	for p := 0; p < len(z.lp); rank++ {
		start, end := fieldSpan(z.lp, p)
		var next int
		score, next = zscoreAt(z.lp, end)
		if end-start == len(member) && string(z.lp[start:end]) == string(member) {
			return p, rank, score
		}
		p = next
	}
	return -1, -1, 0
}

// Score returns the score of member (ZSCORE).
func (z *ZSet) Score(member []byte) (float64, bool) {
	if z.tree != nil {
		v, ok := z.dict.get(member)
		if !ok {
			return 0, false
		}
		return scoreFromBits(v), true
	}
	off, _, s := z.lpFind(member)
	return s, off >= 0
}

// ZAddFlags are ZADD's options.
type ZAddFlags uint8

const (
	// ZAddNX: only add new members.
	ZAddNX ZAddFlags = 1 << iota
	// ZAddXX: only update existing members.
	ZAddXX
	// ZAddGT: only update to a greater score.
	ZAddGT
	// ZAddLT: only update to a lower score.
	ZAddLT
	// ZAddIncr: add the score to the current one (0 for a new member).
	ZAddIncr
)

// ZAddOut is what Add did, Redis's ZADD_OUT_* flags. Zero means the
// member exists with the given score already: nothing changed, but it
// counts as processed (ZADD INCR replies with the score).
type ZAddOut uint8

const (
	// ZAddAdded: the member is new.
	ZAddAdded ZAddOut = 1 << iota
	// ZAddUpdated: the member's score changed.
	ZAddUpdated
	// ZAddNop: an option (NX, XX, GT, LT) prevented the operation.
	ZAddNop
	// ZAddNaN: the score, or the result of the increment, is NaN
	// (resp.ErrZScoreNaN); nothing changed.
	ZAddNaN
)

// Add adds member with score, or updates its score, with ZADD's options,
// as Redis's zsetAdd does; it returns what it did and the member's new
// score (the score, or the sum with INCR), which is meaningful unless the
// outcome has ZAddNop or ZAddNaN. The caller checks the options'
// compatibility (NX with XX, GT or LT...).
func (z *ZSet) Add(lim Limits, member []byte, score float64, flags ZAddFlags) (ZAddOut, float64) {
	if math.IsNaN(score) {
		return ZAddNaN, 0
	}
	cur, exists := z.Score(member)
	if exists {
		if flags&ZAddNX != 0 {
			return ZAddNop, 0
		}
		if flags&ZAddIncr != 0 {
			score += cur
			if math.IsNaN(score) {
				return ZAddNaN, 0
			}
		}
		if (flags&ZAddLT != 0 && score >= cur) || (flags&ZAddGT != 0 && score <= cur) {
			return ZAddNop, 0
		}
		if score == cur {
			return 0, score
		}
		z.update(member, cur, score)
		return ZAddUpdated, score
	}
	if flags&ZAddXX != 0 {
		return ZAddNop, 0
	}
	if z.tree == nil && (z.n+1 > lim.ZSetMaxListpackEntries || len(member) > lim.ZSetMaxListpackValue ||
		len(z.lp)+len(member) > listpackSafetyLimit) {
		z.convert()
	}
	if z.tree != nil {
		z.dict.insert(member, scoreBits(score))
		z.tree.insert(member, score)
	} else {
		z.lpInsert(member, score)
	}
	return ZAddAdded, score
}

// update moves member from score cur to score.
func (z *ZSet) update(member []byte, cur, score float64) {
	if z.tree != nil {
		z.dict.setValue(z.dict.find(member), scoreBits(score))
		z.tree.delete(member, cur)
		z.tree.insert(member, score)
		return
	}
	off, _, _ := z.lpFind(member)
	z.lpDeleteRange(off, zentryEnd(z.lp, off), 1)
	z.lpInsert(member, score)
}

// lpInsert puts a new entry in the listpack, in order. A score of -0
// becomes 0, as Redis's listpack stores an integral score as an integer
// (double2ll): only a skiplist keeps -0.
func (z *ZSet) lpInsert(member []byte, score float64) {
	if score == 0 {
		score = 0
	}
	off, _ := zprefix(z.lp, &zpred{kind: predKey, score: score, member: member})
	entry := make([]byte, zentrySize(member, score))
	putZEntry(entry, member, score)
	z.lp = splice(z.lp, off, off, entry)
	z.n++
}

// lpDeleteRange removes the cnt entries between offsets p and q.
func (z *ZSet) lpDeleteRange(p, q, cnt int) {
	z.n -= cnt
	if z.n == 0 {
		z.lp = nil
		return
	}
	z.lp = splice(z.lp, p, q, nil)
}

// convert moves the entries of the listpack into a skiplist.
func (z *ZSet) convert() {
	bd := newZBuilder()
	d := newTable(z.n+1, true)
	d.reserve(len(z.lp) + 9*z.n)
	for p := 0; p < len(z.lp); {
		m, s, next := zentryAt(z.lp, p)
		bd.add(m, s)
		d.insert(m, scoreBits(s))
		p = next
	}
	*z = ZSet{tree: bd.finish(), dict: d}
}

// ConvertToSkiplist turns a listpack into a skiplist, as SORT does to
// every sorted set it reads (Redis's sortCommand calls zsetConvert).
func (z *ZSet) ConvertToSkiplist() {
	if z.tree == nil {
		z.convert()
	}
}

// Remove deletes member and reports whether it was there (ZREM).
func (z *ZSet) Remove(member []byte) bool {
	if z.tree != nil {
		i, rec := z.dict.lookup(member)
		if i < 0 {
			return false
		}
		v, _ := fieldAt(rec, fieldSize(member))
		score := scoreFromBits(v)
		z.dict.removeAt(i)
		z.tree.delete(member, score)
		return true
	}
	off, _, _ := z.lpFind(member)
	if off < 0 {
		return false
	}
	z.lpDeleteRange(off, zentryEnd(z.lp, off), 1)
	return true
}

// Rank returns the rank of member, 0 for the lowest score (or the
// highest if reverse), and its score (ZRANK, ZREVRANK).
func (z *ZSet) Rank(member []byte, reverse bool) (int, float64, bool) {
	var rank int
	var score float64
	if z.tree != nil {
		v, ok := z.dict.get(member)
		if !ok {
			return 0, 0, false
		}
		score = scoreFromBits(v)
		rank = z.tree.rank(member, score)
	} else {
		var off int
		if off, rank, score = z.lpFind(member); off < 0 {
			return 0, 0, false
		}
	}
	if reverse {
		rank = z.Len() - 1 - rank
	}
	return rank, score, true
}

// prefix counts the entries, from the first, that p holds for.
func (z *ZSet) prefix(p *zpred) int {
	if z.tree != nil {
		return z.tree.prefix(p)
	}
	_, idx := zprefix(z.lp, p)
	return idx
}

// ScoreSpan returns the ranks [start, end) of the members whose score is
// in r. It costs O(log N) in a skiplist.
func (z *ZSet) ScoreSpan(r ScoreRange) (start, end int) {
	if r.empty() {
		return 0, 0
	}
	start = z.prefix(&zpred{kind: predScore, score: r.Min, orEq: r.MinEx})
	end = z.prefix(&zpred{kind: predScore, score: r.Max, orEq: !r.MaxEx})
	return start, max(start, end)
}

// LexSpan returns the ranks [start, end) of the members in r, found as
// Redis finds them walking forward (ZRANGEBYLEX, ZLEXCOUNT,
// ZREMRANGEBYLEX) or, with reverse, backward (ZREVRANGEBYLEX). Like
// Redis's lex ranges, it supposes that all members have the same score.
// When they do not, a listpack gives Redis's answer (zzlFirstInLexRange
// and zzlLastInLexRange: a run from the first member found, so the two
// directions may differ); a skiplist gives some run, as Redis's does
// (whose answer then depends on its random levels). It costs O(log N) in
// a skiplist.
func (z *ZSet) LexSpan(r LexRange, reverse bool) (start, end int) {
	if r.empty() {
		return 0, 0
	}
	if z.tree == nil {
		return z.lpLexSpan(r, reverse)
	}
	lo := zpred{kind: predLex, member: r.Min.Member, orEq: r.Min.Ex, inf: r.Min.Inf}
	if r.Min.Inf > 0 {
		return 0, 0
	}
	hi := zpred{kind: predLex, member: r.Max.Member, orEq: !r.Max.Ex, inf: r.Max.Inf}
	start = z.tree.prefix(&lo)
	end = z.tree.prefix(&hi)
	return start, max(start, end)
}

// lpLexSpan is LexSpan for a listpack, walking it as Redis's zzl
// functions do.
func (z *ZSet) lpLexSpan(r LexRange, reverse bool) (start, end int) {
	offs := zoffsets(z.lp, z.n)
	member := func(i int) []byte {
		m, _, _ := zentryAt(z.lp, offs[i])
		return m
	}
	// zzlIsInLexRange: the last member >= min, the first <= max.
	if len(offs) == 0 || !r.aboveMin(member(len(offs)-1)) || !r.belowMax(member(0)) {
		return 0, 0
	}
	if reverse {
		j := len(offs) - 1
		for !r.belowMax(member(j)) {
			j--
		}
		i := j
		for i >= 0 && r.aboveMin(member(i)) {
			i--
		}
		return i + 1, j + 1
	}
	i := 0
	for !r.aboveMin(member(i)) {
		i++
	}
	j := i
	for j < len(offs) && r.belowMax(member(j)) {
		j++
	}
	return i, j
}

// CountScore is the number of members whose score is in r (ZCOUNT).
func (z *ZSet) CountScore(r ScoreRange) int {
	s, e := z.ScoreSpan(r)
	return e - s
}

// CountLex is the number of members in r (ZLEXCOUNT).
func (z *ZSet) CountLex(r LexRange) int {
	s, e := z.LexSpan(r, false)
	return e - s
}

// At returns the member of rank r, 0 <= r < Len, and its score.
func (z *ZSet) At(r int) ([]byte, float64) {
	if z.tree != nil {
		return z.tree.at(r)
	}
	m, s, _ := zentryAt(z.lp, zskip(z.lp, 0, r))
	return m, s
}

// Iter yields the members and scores in order from rank from, or in
// reverse order from reverse rank from (0 is the highest score). A
// yielded slice is only valid during the yield. The set must not change
// during the iteration.
func (z *ZSet) Iter(from int, reverse bool) iter.Seq2[[]byte, float64] {
	return func(yield func([]byte, float64) bool) {
		if from < 0 || from >= z.Len() {
			return
		}
		switch {
		case z.tree != nil && reverse:
			z.tree.walkRev(z.tree.root.node, z.tree.height, from, yield)
		case z.tree != nil:
			z.tree.walk(z.tree.root.node, z.tree.height, from, yield)
		case reverse:
			offs := zoffsets(z.lp, z.n)
			for i := len(offs) - 1 - from; i >= 0; i-- {
				m, s, _ := zentryAt(z.lp, offs[i])
				if !yield(m, s) {
					return
				}
			}
		default:
			for p := zskip(z.lp, 0, from); p < len(z.lp); {
				m, s, next := zentryAt(z.lp, p)
				if !yield(m, s) {
					return
				}
				p = next
			}
		}
	}
}

// All yields every member and score in order (ZRANGE 0 -1, DUMP).
func (z *ZSet) All() iter.Seq2[[]byte, float64] { return z.Iter(0, false) }

// Range calls fn for the members of ranks start to stop, inclusive, as
// NormRankRange gives them (ZRANGE): in order, or with reverse in reverse
// order, ranks counting from the highest score (ZREVRANGE). It stops if
// fn returns false. The slice fn gets is only valid during the call.
func (z *ZSet) Range(start, stop int, reverse bool, fn func(member []byte, score float64) bool) {
	left := stop - start + 1
	for m, s := range z.Iter(start, reverse) {
		if left <= 0 || !fn(m, s) {
			return
		}
		left--
	}
}

// LimitSpan applies ZRANGEBYSCORE's LIMIT offset count to the span of
// ranks [start, end): the members to return are n from rank from, ranks
// counting from the highest score with reverse. A negative count means
// all; a negative offset gives nothing, as Redis's skipping loop runs off
// the end.
func (z *ZSet) LimitSpan(start, end int, reverse bool, offset, count int) (from, n int) {
	n = end - start - offset
	if count >= 0 {
		n = min(n, count)
	}
	if n <= 0 || offset < 0 {
		return 0, 0
	}
	from = start + offset
	if reverse {
		from = z.Len() - end + offset
	}
	return from, n
}

func (z *ZSet) rangeSpan(start, end int, reverse bool, offset, count int, fn func([]byte, float64) bool) {
	if from, n := z.LimitSpan(start, end, reverse, offset, count); n > 0 {
		z.Range(from, from+n-1, reverse, fn)
	}
}

// RangeByScore calls fn for the members whose score is in r, in order or
// reverse order, skipping offset of them and stopping after count (all
// if negative), as ZRANGEBYSCORE and ZREVRANGEBYSCORE with LIMIT do.
func (z *ZSet) RangeByScore(r ScoreRange, reverse bool, offset, count int, fn func(member []byte, score float64) bool) {
	s, e := z.ScoreSpan(r)
	z.rangeSpan(s, e, reverse, offset, count, fn)
}

// DeleteSpan removes the members of ranks [start, end) and returns how
// many it removed.
func (z *ZSet) DeleteSpan(start, end int) int {
	start, end = max(start, 0), min(end, z.Len())
	cnt := end - start
	if cnt <= 0 {
		return 0
	}
	if z.tree == nil {
		p := zskip(z.lp, 0, start)
		z.lpDeleteRange(p, zskip(z.lp, p, cnt), cnt)
		return cnt
	}
	t := z.tree
	if cnt*4 > t.len() {
		// A large share: build the tree anew from what stays.
		bd := newZBuilder()
		r := 0
		for m, s := range z.All() {
			if r >= start && r < end {
				z.dict.remove(m)
			} else {
				bd.add(m, s)
			}
			r++
		}
		z.tree = bd.finish()
		return cnt
	}
	gone := make([]ZEntry, 0, cnt)
	z.Range(start, end-1, false, func(m []byte, s float64) bool {
		gone = append(gone, ZEntry{append([]byte(nil), m...), s})
		return true
	})
	for _, e := range gone {
		z.dict.remove(e.Member)
		t.delete(e.Member, e.Score)
	}
	return cnt
}

// PopMin removes and returns the count members of lowest score, lowest
// first (ZPOPMIN); PopMax (ZPOPMAX) the highest, highest first.
func (z *ZSet) PopMin(count int) []ZEntry { return z.pop(count, false) }

// PopMax: see PopMin.
func (z *ZSet) PopMax(count int) []ZEntry { return z.pop(count, true) }

func (z *ZSet) pop(count int, reverse bool) []ZEntry {
	count = min(count, z.Len())
	if count <= 0 {
		return nil
	}
	out := make([]ZEntry, 0, count)
	z.Range(0, count-1, reverse, func(m []byte, s float64) bool {
		out = append(out, ZEntry{append([]byte(nil), m...), s})
		return true
	})
	if reverse {
		z.DeleteSpan(z.Len()-count, z.Len())
	} else {
		z.DeleteSpan(0, count)
	}
	return out
}

// RandomMember returns a uniformly chosen member and its score
// (ZRANDMEMBER without a count).
func (z *ZSet) RandomMember(rng *rand.Rand) ([]byte, float64, bool) {
	if z.Len() == 0 {
		return nil, 0, false
	}
	m, s := z.At(rng.IntN(z.Len()))
	return m, s, true
}

// RandomMembers implements ZRANDMEMBER's count as Redis 7.0 does, calling
// fn for each chosen member: a negative count chooses -count members that
// may repeat; a count at least Len gives every member, highest score
// first (Redis walks the set from its tail); a
// smaller count gives that many distinct members: in order for a
// listpack (selection sampling, Redis's lpRandomPairsUnique), in random
// order for a skiplist. The slice fn gets is only valid during the call.
func (z *ZSet) RandomMembers(count int, rng *rand.Rand, fn func(member []byte, score float64)) {
	n := z.Len()
	if n == 0 || count == 0 {
		return
	}
	var offs []int
	if z.tree == nil {
		offs = zoffsets(z.lp, z.n)
	}
	at := func(r int) ([]byte, float64) {
		if offs != nil {
			m, s, _ := zentryAt(z.lp, offs[r])
			return m, s
		}
		return z.tree.at(r)
	}
	switch {
	case count < 0:
		for range -count {
			fn(at(rng.IntN(n)))
		}
	case count >= n:
		for m, s := range z.Iter(0, true) {
			fn(m, s)
		}
	case offs != nil:
		remaining := count
		for i := 0; i < n && remaining > 0; i++ {
			if rng.Float64()*float64(n-i) < float64(remaining) {
				fn(at(i))
				remaining--
			}
		}
	default:
		for _, r := range distinctIndexes(n, count, rng, func() []int { return upTo(n) }, func() int { return rng.IntN(n) }) {
			fn(at(r))
		}
	}
}

// Scan implements ZSCAN: a listpack is returned whole, in order, with
// cursor 0; a skiplist is walked by its table with Redis's reverse-binary
// cursor. fn gets each member and its score; the slice is only valid
// during the call.
func (z *ZSet) Scan(cursor uint64, count int, fn func(member []byte, score float64)) uint64 {
	if z.tree == nil {
		for m, s := range z.All() {
			fn(m, s)
		}
		return 0
	}
	return z.dict.scan(cursor, count, func(i int) {
		m, v := z.dict.pair(i)
		fn(m, scoreFromBits(v))
	})
}
