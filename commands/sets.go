package commands

import (
	"bytes"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/glob"
	"github.com/cairn-db/cairn/resp"
)

// Complexity texts shared by several set commands.
const (
	complexitySInter = "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."
	complexitySUnion = "O(N) where N is the total number of elements in all given sets."
	// complexityScan is SSCAN's and HSCAN's, with Redis's doubled period.
	complexityScan = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."
)

func setCommands() []*Command {
	return []*Command{
		{Name: "sadd", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "set", Since: "1.0.0", Summary: "Add one or more members to a set",
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			Syntax:     "key member [member ...]", Run: saddCommand},
		{Name: "scard", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "set", Since: "1.0.0", Complexity: "O(1)", Summary: "Get the number of members in a set",
			Syntax: "key", Run: scardCommand},
		{Name: "sdiff", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1,
			Group: "set", Since: "1.0.0", Complexity: complexitySUnion, Summary: "Subtract multiple sets",
			Syntax: "key [key ...]", Run: sdiffCommand},
		{Name: "sdiffstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1,
			Group: "set", Since: "1.0.0", Complexity: complexitySUnion,
			Summary: "Subtract multiple sets and store the resulting set in a key",
			Syntax:  "destination key [key ...]", Run: sdiffstoreCommand},
		{Name: "sinter", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1,
			Group: "set", Since: "1.0.0", Complexity: complexitySInter, Summary: "Intersect multiple sets",
			Syntax: "key [key ...]", Run: sinterCommand},
		{Name: "sintercard", Arity: -3, Flags: FlagReadonly, Keys: sintercardKeys,
			Group: "set", Since: "7.0.0", Complexity: complexitySInter,
			Summary: "Intersect multiple sets and return the cardinality of the result",
			Syntax:  "numkeys key [key ...] [LIMIT limit]", Run: sintercardCommand},
		{Name: "sinterstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1,
			Group: "set", Since: "1.0.0", Complexity: complexitySInter,
			Summary: "Intersect multiple sets and store the resulting set in a key",
			Syntax:  "destination key [key ...]", Run: sinterstoreCommand},
		{Name: "sismember", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "set", Since: "1.0.0", Complexity: "O(1)", Summary: "Determine if a given value is a member of a set",
			Syntax: "key member", Run: sismemberCommand},
		{Name: "smembers", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "set", Since: "1.0.0", Complexity: "O(N) where N is the set cardinality.",
			Summary: "Get all the members in a set", Syntax: "key", Run: smembersCommand},
		{Name: "smismember", Arity: -3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "set", Since: "6.2.0", Complexity: "O(N) where N is the number of elements being checked for membership",
			Summary: "Returns the membership associated with the given elements for a set",
			Syntax:  "key member [member ...]", Run: smismemberCommand},
		{Name: "smove", Arity: 4, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 2, Step: 1,
			Group: "set", Since: "1.0.0", Complexity: "O(1)", Summary: "Move a member from one set to another",
			Syntax: "source destination member", Run: smoveCommand},
		{Name: "spop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "set", Since: "1.0.0", Summary: "Remove and return one or multiple random members from a set",
			Complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
			Syntax:     "key [count]", Run: spopCommand},
		{Name: "srandmember", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "set", Since: "1.0.0", Summary: "Get one or multiple random members from a set",
			Complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
			Syntax:     "key [count]", Run: srandmemberCommand},
		{Name: "srem", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "set", Since: "1.0.0", Complexity: "O(N) where N is the number of members to be removed.",
			Summary: "Remove one or more members from a set", Syntax: "key member [member ...]", Run: sremCommand},
		{Name: "sscan", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "set", Since: "2.8.0", Complexity: complexityScan, Summary: "Incrementally iterate Set elements",
			Syntax: "key cursor [MATCH pattern] [COUNT count]", Run: sscanCommand},
		{Name: "sunion", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: -1, Step: 1,
			Group: "set", Since: "1.0.0", Complexity: complexitySUnion, Summary: "Add multiple sets",
			Syntax: "key [key ...]", Run: sunionCommand},
		{Name: "sunionstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1,
			Group: "set", Since: "1.0.0", Complexity: complexitySUnion,
			Summary: "Add multiple sets and store the resulting set in a key",
			Syntax:  "destination key [key ...]", Run: sunionstoreCommand},
	}
}

// runtimeSource is a rand.Source over the runtime's random generator, so
// that handlers draw random members without a generator of their own.
type runtimeSource struct{}

func (runtimeSource) Uint64() uint64 { return rand.Uint64() }

func newRand() *rand.Rand { return rand.New(runtimeSource{}) }

// lookupSet returns the set at key for a read command; ok is false and
// WRONGTYPE has been written if the key holds another type.
func lookupSet(c *Ctx, key []byte) (s *datatypes.Set, found, ok bool) {
	v, found := c.DB.Lookup(key)
	return asType[*datatypes.Set](c, v, found)
}

// lookupSetWrite is lookupSet for a command about to change the key.
func lookupSetWrite(c *Ctx, key []byte) (s *datatypes.Set, found, ok bool) {
	v, found := c.DB.LookupWrite(key)
	return asType[*datatypes.Set](c, v, found)
}

func saddCommand(c *Ctx) {
	key := c.Args[1]
	s, found, ok := lookupSetWrite(c, key)
	if !ok {
		return
	}
	if !found {
		s = datatypes.NewSet()
		c.DB.Set(key, s)
	}
	lim := c.Limits()
	var added int64
	for _, m := range c.Args[2:] {
		if s.Add(lim, m) {
			added++
		}
	}
	// Adding a member already there never converts the set, so nothing
	// added is nothing changed.
	if added > 0 {
		c.Propagate()
	}
	c.W.Int(added)
}

func sremCommand(c *Ctx) {
	key := c.Args[1]
	s, found, ok := lookupSetWrite(c, key)
	if !ok {
		return
	}
	var removed int64
	if found {
		for _, m := range c.Args[2:] {
			if !s.Remove(m) {
				continue
			}
			removed++
			if s.Len() == 0 {
				c.DB.Delete(key)
				break
			}
		}
	}
	if removed > 0 {
		c.Propagate()
	}
	c.W.Int(removed)
}

func scardCommand(c *Ctx) {
	s, found, ok := lookupSet(c, c.Args[1])
	switch {
	case !ok:
	case !found:
		c.W.Int(0)
	default:
		c.W.Int(int64(s.Len()))
	}
}

func sismemberCommand(c *Ctx) {
	s, found, ok := lookupSet(c, c.Args[1])
	if ok {
		c.W.Int(boolInt(found && s.Has(c.Args[2])))
	}
}

func smismemberCommand(c *Ctx) {
	s, found, ok := lookupSet(c, c.Args[1])
	if !ok {
		return
	}
	members := c.Args[2:]
	c.W.Array(len(members))
	for _, m := range members {
		c.W.Int(boolInt(found && s.Has(m)))
	}
}

// writeSet replies with every member of s as a RESP3 set, in the set's
// order (ascending for an intset).
func writeSet(c *Ctx, s *datatypes.Set) {
	c.W.Set(s.Len())
	for m := range s.All() {
		c.W.Bulk(m)
	}
}

func smembersCommand(c *Ctx) {
	s, found, ok := lookupSet(c, c.Args[1])
	switch {
	case !ok:
	case !found:
		c.W.Set(0)
	default:
		writeSet(c, s)
	}
}

func smoveCommand(c *Ctx) {
	srcKey, dstKey, member := c.Args[1], c.Args[2], c.Args[3]
	srcV, srcFound := c.DB.LookupWrite(srcKey)
	dstV, dstFound := c.DB.LookupWrite(dstKey)
	if !srcFound {
		c.W.Int(0)
		return
	}
	src, _, ok := asType[*datatypes.Set](c, srcV, true)
	if !ok {
		return
	}
	dst, _, ok := asType[*datatypes.Set](c, dstV, dstFound)
	if !ok {
		return
	}
	if src == dst {
		c.W.Int(boolInt(src.Has(member)))
		return
	}
	if !src.Remove(member) {
		c.W.Int(0)
		return
	}
	dropIfEmpty(c, srcKey, src)
	if !dstFound {
		dst = datatypes.NewSet()
		c.DB.Set(dstKey, dst)
	}
	dst.Add(c.Limits(), member)
	c.Propagate()
	c.W.Int(1)
}

// maxRandomCount is the largest count of repeated random elements a
// reply may hold: each costs at least 6 bytes ("$0\r\n\r\n"), and the
// reply may not pass proto-max-bulk-len.
func maxRandomCount(c *Ctx) uint64 { return uint64(maxBulkLen(c)) / 6 }

// randomCountArg parses the count of SRANDMEMBER and HRANDFIELD, which
// may be any long but LONG_MIN.
func randomCountArg(c *Ctx, i int) (int64, bool) {
	n, ok := c.Int(i)
	if ok && n == math.MinInt64 {
		c.W.Error(resp.ErrCountRange)
		return 0, false
	}
	return n, ok
}

func srandmemberCommand(c *Ctx) {
	switch {
	case len(c.Args) > 3:
		c.W.Error(resp.ErrSyntax)
		return
	case len(c.Args) == 3:
		srandmemberWithCount(c)
		return
	}
	s, found, ok := lookupSet(c, c.Args[1])
	switch {
	case !ok:
	case !found:
		c.W.Null()
	default:
		m, _ := s.RandomMember(newRand())
		c.W.Bulk(m)
	}
}

// srandmemberWithCount replies with an array (not a set, since a
// negative count repeats members), as Redis 7.0 does.
func srandmemberWithCount(c *Ctx) {
	count, ok := randomCountArg(c, 2)
	if !ok {
		return
	}
	s, found, ok := lookupSet(c, c.Args[1])
	switch {
	case !ok:
		return
	case !found || count == 0:
		c.W.Array(0)
		return
	case count < 0 && uint64(-count) > maxRandomCount(c):
		c.W.Error(resp.ErrReplyTooLarge)
		return
	case count < 0:
		c.W.Array(int(-count))
	default:
		c.W.Array(int(min(count, int64(s.Len()))))
	}
	s.RandomMembers(int(count), newRand(), func(m []byte) { c.W.Bulk(m) })
}

func spopCommand(c *Ctx) {
	switch {
	case len(c.Args) > 3:
		c.W.Error(resp.ErrSyntax)
		return
	case len(c.Args) == 3:
		spopWithCount(c)
		return
	}
	key := c.Args[1]
	s, found, ok := lookupSetWrite(c, key)
	switch {
	case !ok:
		return
	case !found:
		c.W.Null()
		return
	}
	m, _ := s.Pop(newRand())
	dropIfEmpty(c, key, s)
	c.Emit([]byte("SREM"), key, m)
	c.W.Bulk(m)
}

// spopWithCount pops count members. Its effect is an SREM of the popped
// members, or a DEL when it pops them all. When Set.PopN rebuilds the set
// into another encoding, which an SREM would not do, the effect is the
// rebuild itself: DEL, SADD of the members left, and the key's expiry
// time again.
func spopWithCount(c *Ctx) {
	count, ok := resp.ParseInt(c.Args[2])
	if !ok || count < 0 {
		c.W.Error(resp.ErrNotPositive)
		return
	}
	key := c.Args[1]
	s, found, ok := lookupSetWrite(c, key)
	switch {
	case !ok:
		return
	case !found || count == 0:
		c.W.Set(0)
		return
	}
	enc := s.Encoding()
	popped := s.PopN(c.Limits(), int(min(count, math.MaxInt)), newRand())
	switch {
	case s.Len() == 0:
		c.DB.Delete(key)
		c.Emit([]byte("DEL"), key)
	case s.Encoding() != enc:
		c.Emit([]byte("DEL"), key)
		sadd := [][]byte{[]byte("SADD"), key}
		for m := range s.All() {
			sadd = append(sadd, append([]byte(nil), m...))
		}
		c.Emit(sadd...)
		if at, ok := c.DB.ExpireAt(key); ok {
			c.Emit([]byte("PEXPIREAT"), key, strconv.AppendInt(nil, at, 10))
		}
	default:
		c.Emit(append([][]byte{[]byte("SREM"), key}, popped...)...)
	}
	c.W.Set(len(popped))
	for _, m := range popped {
		c.W.Bulk(m)
	}
}

// lookupSets finds the sets at keys, nil for a missing key. Every key is
// type checked, missing ones or not, as Redis 7.0 does; ok is false if
// one is not a set and WRONGTYPE has been written. A command that stores
// its result looks its sources up as a write command does.
func lookupSets(c *Ctx, keys [][]byte, store bool) ([]*datatypes.Set, bool) {
	sets := make([]*datatypes.Set, len(keys))
	for i, key := range keys {
		var v datatypes.Value
		var found bool
		if store {
			v, found = c.DB.LookupWrite(key)
		} else {
			v, found = c.DB.Lookup(key)
		}
		s, _, ok := asType[*datatypes.Set](c, v, found)
		if !ok {
			return nil, false
		}
		sets[i] = s
	}
	return sets, true
}

// intersect calls fn for each member of the intersection of sets, none of
// them nil, until fn returns false. It walks the smallest set (the first
// of the smallest, as glibc's stable qsort orders them in Redis), so the
// members come in its order.
func intersect(sets []*datatypes.Set, fn func(m []byte) bool) {
	sorted := append([]*datatypes.Set(nil), sets...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Len() < sorted[j].Len() })
	first := sorted[0]
	for m := range first.All() {
		inAll := true
		for _, s := range sorted[1:] {
			if s != first && !s.Has(m) {
				inAll = false
				break
			}
		}
		if inAll && !fn(m) {
			return
		}
	}
}

func hasNil(sets []*datatypes.Set) bool {
	for _, s := range sets {
		if s == nil {
			return true
		}
	}
	return false
}

func sinterCommand(c *Ctx) {
	sets, ok := lookupSets(c, c.Args[1:], false)
	if !ok {
		return
	}
	if hasNil(sets) {
		c.W.Set(0)
		return
	}
	// The length comes first: collect the members.
	var members [][]byte
	intersect(sets, func(m []byte) bool {
		members = append(members, append([]byte(nil), m...))
		return true
	})
	c.W.Set(len(members))
	for _, m := range members {
		c.W.Bulk(m)
	}
}

// sintercardKeys finds SINTERCARD's keys: numkeys of them after numkeys.
func sintercardKeys(args [][]byte) []int {
	if len(args) < 2 {
		return nil
	}
	n, ok := resp.ParseInt(args[1])
	if !ok || n <= 0 || n > int64(len(args)-2) {
		return nil
	}
	pos := make([]int, n)
	for i := range pos {
		pos[i] = 2 + i
	}
	return pos
}

func sintercardCommand(c *Ctx) {
	n, ok := resp.ParseInt(c.Args[1])
	if !ok || n <= 0 {
		c.W.Error(resp.ErrNumKeysNotPositive)
		return
	}
	if n > int64(len(c.Args)-2) {
		c.W.Error(resp.ErrNumKeysTooMany)
		return
	}
	keys := c.Args[2 : 2+n]
	var limit int64
	for j := 2 + int(n); j < len(c.Args); j++ {
		if !tokenIs(c.Args[j], "limit") || j+1 >= len(c.Args) {
			c.W.Error(resp.ErrSyntax)
			return
		}
		j++
		if limit, ok = resp.ParseInt(c.Args[j]); !ok || limit < 0 {
			c.W.Error(resp.ErrLimitNegative)
			return
		}
	}
	sets, ok := lookupSets(c, keys, false)
	if !ok {
		return
	}
	var card int64
	if !hasNil(sets) {
		intersect(sets, func([]byte) bool {
			card++
			return limit == 0 || card < limit
		})
	}
	c.W.Int(card)
}

// storeSet replaces dst with the result of a *STORE command, or deletes
// it when the result is empty, and replies with the result's size.
func storeSet(c *Ctx, dst []byte, result *datatypes.Set) {
	if result.Len() == 0 {
		if c.DB.Delete(dst) {
			c.Emit([]byte("DEL"), dst)
		}
		c.W.Int(0)
		return
	}
	c.DB.Set(dst, result)
	c.Propagate()
	c.W.Int(int64(result.Len()))
}

func sinterstoreCommand(c *Ctx) {
	sets, ok := lookupSets(c, c.Args[2:], true)
	if !ok {
		return
	}
	result := datatypes.NewSet()
	if !hasNil(sets) {
		lim := c.Limits()
		intersect(sets, func(m []byte) bool {
			result.Add(lim, m)
			return true
		})
	}
	storeSet(c, c.Args[1], result)
}

// union adds the members of every set to a new set.
func union(lim datatypes.Limits, sets []*datatypes.Set) *datatypes.Set {
	out := datatypes.NewSet()
	for _, s := range sets {
		if s == nil {
			continue
		}
		for m := range s.All() {
			out.Add(lim, m)
		}
	}
	return out
}

// diff subtracts sets[1:] from sets[0] with the algorithm Redis 7.0 picks
// by the sizes, which shows in the result's encoding: the first adds only
// the members it keeps; the second adds all of sets[0] and removes the
// others', and a set never converts back to an intset.
func diff(lim datatypes.Limits, sets []*datatypes.Set) *datatypes.Set {
	out := datatypes.NewSet()
	first := sets[0]
	if first == nil {
		return out
	}
	var work1, work2 int
	for i, s := range sets {
		if i > 0 && s == first {
			// The same key as the first: the difference is empty.
			return out
		}
		if s != nil {
			work1 += first.Len()
			work2 += s.Len()
		}
	}
	if work1/2 <= work2 {
		for m := range first.All() {
			keep := true
			for _, s := range sets[1:] {
				if s != nil && s.Has(m) {
					keep = false
					break
				}
			}
			if keep {
				out.Add(lim, m)
			}
		}
		return out
	}
	for m := range first.All() {
		out.Add(lim, m)
	}
	for _, s := range sets[1:] {
		if s == nil {
			continue
		}
		for m := range s.All() {
			out.Remove(m)
		}
		if out.Len() == 0 {
			break
		}
	}
	return out
}

func sunionCommand(c *Ctx) {
	if sets, ok := lookupSets(c, c.Args[1:], false); ok {
		writeSet(c, union(c.Limits(), sets))
	}
}

func sunionstoreCommand(c *Ctx) {
	if sets, ok := lookupSets(c, c.Args[2:], true); ok {
		storeSet(c, c.Args[1], union(c.Limits(), sets))
	}
}

func sdiffCommand(c *Ctx) {
	if sets, ok := lookupSets(c, c.Args[1:], false); ok {
		writeSet(c, diff(c.Limits(), sets))
	}
}

func sdiffstoreCommand(c *Ctx) {
	if sets, ok := lookupSets(c, c.Args[2:], true); ok {
		storeSet(c, c.Args[1], diff(c.Limits(), sets))
	}
}

// scanCollection is SSCAN, HSCAN and ZSCAN on the T at the key: Redis
// checks the cursor before looking the key up, and parses the options
// only once it has found the key; step scans from the cursor and returns
// the next cursor and the items matched (members, or field-value and
// member-score pairs).
func scanCollection[T datatypes.Value](c *Ctx, step func(v T, o scanOptions) (uint64, [][]byte)) {
	cursor, ok := parseScanCursor(c.Args[2])
	if !ok {
		c.W.Error(resp.ErrCursor)
		return
	}
	v, found := c.DB.Lookup(c.Args[1])
	t, found, ok := asType[T](c, v, found)
	switch {
	case !ok:
		return
	case !found:
		writeScanReply(c, 0, nil)
		return
	}
	o, ok := parseScanOptions(c, cursor, 3, false)
	if !ok {
		return
	}
	next, items := step(t, o)
	writeScanReply(c, next, items)
}

// matches reports whether a member or field matches the MATCH pattern.
func (o *scanOptions) matches(m []byte) bool {
	return o.pattern == nil || glob.Match(o.pattern, m, false)
}

func sscanCommand(c *Ctx) {
	scanCollection(c, func(s *datatypes.Set, o scanOptions) (uint64, [][]byte) {
		var members [][]byte
		next := s.Scan(o.cursor, o.count, func(m []byte) {
			if o.matches(m) {
				members = append(members, bytes.Clone(m))
			}
		})
		return next, members
	})
}
