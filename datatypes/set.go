package datatypes

import (
	"iter"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cairn-db/cairn/resp"
)

// Set is an unordered set of binary-safe strings, encoded as Redis 7.0
// encodes sets:
//
//	encoding   representation                      used while
//	---------  ----------------------------------  ------------------------------
//	intset     sorted integers in one string       every member is an integer in
//	           (see intset)                        canonical form (string2ll: no
//	                                               "+1", "01", "-0", " 1") and
//	                                               Len <= SetMaxIntsetEntries
//	hashtable  chained hash table (see table)      otherwise
//
// Conversion rules (t_set.c, checked against redis-server 7.0.15):
//   - A new set starts as an intset.
//   - Adding a non-integer member converts to hashtable; adding a new
//     integer that makes Len exceed SetMaxIntsetEntries (capped at 2^30)
//     converts too. Re-adding an existing member never converts, even if
//     the limit was lowered since.
//   - Removing members never converts back.
//   - The one way back is PopN's rebuild (SPOP with a count that leaves at
//     most a fifth of what it pops): the remaining members go into a new
//     set, which is an intset if they all qualify.
//
// Redis 7.0 has no listpack sets; those came in 7.2.
//
// Byte slices returned by a Set are valid until its next modification,
// and must not be modified.
type Set struct {
	// ints holds the members while ht is nil.
	ints intset
	// ht holds the members once the set is a hashtable.
	ht *table
}

// spopMoveStrategyMul is Redis's SPOP_MOVE_STRATEGY_MUL: SPOP with a
// count rebuilds the set when remaining*5 <= count.
const spopMoveStrategyMul = 5

// maxIntsetEntries caps set-max-intset-entries as Redis does, for the
// sake of intset internals.
const maxIntsetEntries = 1 << 30

var _ Value = (*Set)(nil)

// NewSet returns an empty set (an intset).
func NewSet() *Set { return &Set{} }

// Type implements Value.
func (s *Set) Type() string { return "set" }

// Encoding implements Value.
func (s *Set) Encoding() string {
	if s.ht != nil {
		return "hashtable"
	}
	return "intset"
}

// MemoryUsage implements Value.
func (s *Set) MemoryUsage() int {
	header := AllocSize(int(unsafe.Sizeof(*s)))
	if s.ht != nil {
		return header + s.ht.memoryUsage()
	}
	return header + AllocSize(len(s.ints))
}

// Clone implements Value.
func (s *Set) Clone() Value {
	if s.ht != nil {
		return &Set{ht: s.ht.clone()}
	}
	// The intset is immutable, so sharing it is a deep copy.
	return &Set{ints: s.ints}
}

// String renders the encoding and the members, sorted, so that equal
// sets print alike (fmt's %v uses it, as the replay test does).
func (s *Set) String() string {
	var ms []string
	for m := range s.All() {
		ms = append(ms, strconv.Quote(string(m)))
	}
	slices.Sort(ms)
	return s.Encoding() + "{" + strings.Join(ms, " ") + "}"
}

// IntsetWidth is the byte width of an intset's members, 2, 4 or 8: the
// widest any member has needed, since an intset never narrows. It is 0
// for a hashtable.
func (s *Set) IntsetWidth() int {
	if s.ht != nil {
		return 0
	}
	return s.ints.width()
}

// Len is the number of members (SCARD).
func (s *Set) Len() int {
	if s.ht != nil {
		return s.ht.n
	}
	return s.ints.len()
}

// Add adds m and reports whether it was missing (SADD).
func (s *Set) Add(lim Limits, m []byte) bool {
	if s.ht == nil {
		v, ok := resp.ParseInt(m)
		if ok {
			var added bool
			s.ints, added = s.ints.add(v)
			if added && s.ints.len() > min(lim.SetMaxIntsetEntries, maxIntsetEntries) {
				s.convert()
			}
			return added
		}
		s.convert()
	}
	if s.ht.find(m) >= 0 {
		return false
	}
	s.ht.insert(m, nil)
	return true
}

// convert moves the members of the intset into a hashtable.
func (s *Set) convert() {
	n := s.ints.len()
	t := newTable(n+1, false)
	var buf []byte
	for i := range n {
		buf = strconv.AppendInt(buf[:0], s.ints.at(i), 10)
		t.insert(buf, nil)
	}
	s.ht, s.ints = t, ""
}

// Remove deletes m and reports whether it was there (SREM).
func (s *Set) Remove(m []byte) bool {
	if s.ht != nil {
		return s.ht.remove(m)
	}
	v, ok := resp.ParseInt(m)
	if !ok {
		return false
	}
	var removed bool
	s.ints, removed = s.ints.remove(v)
	return removed
}

// Has reports whether m is a member (SISMEMBER).
func (s *Set) Has(m []byte) bool {
	if s.ht != nil {
		return s.ht.find(m) >= 0
	}
	v, ok := resp.ParseInt(m)
	if !ok || intWidth(v) > s.ints.width() {
		return false
	}
	_, found := s.ints.find(v)
	return found
}

// All yields every member: in ascending numeric order for an intset, in
// no particular order for a hashtable. A yielded slice is only valid
// during the yield. The set must not change during the iteration.
func (s *Set) All() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		if s.ht != nil {
			for i := range s.ht.used {
				if s.ht.live(i) && !yield(s.ht.key(i)) {
					return
				}
			}
			return
		}
		var buf []byte
		for i := range s.ints.len() {
			buf = strconv.AppendInt(buf[:0], s.ints.at(i), 10)
			if !yield(buf) {
				return
			}
		}
	}
}

// member returns the member with id i: a slab index for a hashtable, a
// position for an intset.
func (s *Set) member(i int) []byte {
	if s.ht != nil {
		return s.ht.key(i)
	}
	return strconv.AppendInt(nil, s.ints.at(i), 10)
}

func (s *Set) randomID(rng *rand.Rand) int {
	if s.ht != nil {
		return s.ht.randomSlot(rng)
	}
	return rng.IntN(s.ints.len())
}

func (s *Set) allIDs() []int {
	if s.ht != nil {
		return s.ht.liveSlots()
	}
	return upTo(s.ints.len())
}

// RandomMember returns a uniformly chosen member (SRANDMEMBER).
func (s *Set) RandomMember(rng *rand.Rand) ([]byte, bool) {
	if s.Len() == 0 {
		return nil, false
	}
	return s.member(s.randomID(rng)), true
}

// RandomMembers implements SRANDMEMBER's count, calling fn for each
// chosen member: a negative count chooses -count members that may
// repeat; a count at least Len chooses every member; otherwise count
// distinct members. The slice fn gets is only valid during the call.
func (s *Set) RandomMembers(count int, rng *rand.Rand, fn func(member []byte)) {
	n := s.Len()
	if n == 0 || count == 0 {
		return
	}
	switch {
	case count < 0:
		for ; count < 0; count++ {
			fn(s.member(s.randomID(rng)))
		}
	case count >= n:
		for m := range s.All() {
			fn(m)
		}
	default:
		for _, id := range distinctIndexes(n, count, rng, s.allIDs, func() int { return s.randomID(rng) }) {
			fn(s.member(id))
		}
	}
}

// Pop removes and returns a uniformly chosen member (SPOP).
func (s *Set) Pop(rng *rand.Rand) ([]byte, bool) {
	if s.Len() == 0 {
		return nil, false
	}
	id := s.randomID(rng)
	if s.ht != nil {
		m := append([]byte(nil), s.ht.key(id)...)
		s.ht.removeAt(id)
		return m, true
	}
	v := s.ints.at(id)
	s.ints, _ = s.ints.remove(v)
	return strconv.AppendInt(nil, v, 10), true
}

// PopN removes and returns count random members, as SPOP with a count
// does (count > 0). A count of at least Len empties the set. Like Redis,
// it pops one member at a time while many would remain, and otherwise
// rebuilds the set from the members it keeps, which may turn a hashtable
// back into an intset. Replaying SREMs of the popped members would not do
// that, so a caller that logs effects should compare Encoding before and
// after, and log the rebuild (DEL, then SADD of the rest) if it changed.
func (s *Set) PopN(lim Limits, count int, rng *rand.Rand) [][]byte {
	n := s.Len()
	if count <= 0 || n == 0 {
		return nil
	}
	if count >= n {
		out := make([][]byte, 0, n)
		for m := range s.All() {
			out = append(out, append([]byte(nil), m...))
		}
		*s = Set{}
		return out
	}
	remaining := n - count
	if remaining*spopMoveStrategyMul > count {
		out := make([][]byte, 0, count)
		for range count {
			m, _ := s.Pop(rng)
			out = append(out, m)
		}
		return out
	}
	kept := NewSet()
	for range remaining {
		m, _ := s.Pop(rng)
		kept.Add(lim, m)
	}
	out := make([][]byte, 0, count)
	for m := range s.All() {
		out = append(out, append([]byte(nil), m...))
	}
	*s = *kept
	return out
}

// Scan implements SSCAN: it calls fn for some members and returns the
// cursor to continue from, 0 when done. The slice fn gets is only valid
// during the call. An intset reports every member in
// one call and returns 0, whatever the cursor, as Redis does. A hashtable
// reports about count members a call; every member present for the whole
// scan is reported at least once.
func (s *Set) Scan(cursor uint64, count int, fn func(member []byte)) uint64 {
	if s.ht == nil {
		for m := range s.All() {
			fn(m)
		}
		return 0
	}
	return s.ht.scan(cursor, count, func(i int) { fn(s.ht.key(i)) })
}
