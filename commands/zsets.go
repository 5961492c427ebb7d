package commands

import (
	"bytes"
	"cmp"
	"iter"
	"math"
	"slices"
	"strconv"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/resp"
)

// Complexity texts shared by several sorted set commands.
const (
	complexityZRangeLimit = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."
	complexityZRange      = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."
	complexityZRemRange   = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."
	complexityZDiff       = "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."
	complexityZInter      = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."
	complexityZPop        = "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."
	complexityZMPop       = "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."
	complexityBZPop       = "O(log(N)) with N being the number of elements in the sorted set."
	complexityZLog        = "O(log(N)) with N being the number of elements in the sorted set."
)

func zsetCommands() []*Command {
	const (
		read  = FlagReadonly
		write = FlagWrite
	)
	return []*Command{
		{Name: "bzmpop", Arity: -5, Flags: write | FlagBlocking, Keys: bzmpopKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyDelete, Index: 2, KeyNum: true, FirstKey: 1},
			},
			Group: "sorted-set", Since: "7.0.0", Complexity: complexityZMPop,
			Summary: "Remove and return members with scores in a sorted set or block until one is available",
			Syntax:  "timeout numkeys key [key ...] <where: MIN | MAX> [COUNT count]", Run: bzmpopCommand},
		{Name: "bzpopmax", Arity: -3, Flags: write | FlagNoScript | FlagBlocking | FlagFast, FirstKey: 1, LastKey: -2, Step: 1,
			KeyFlags: KeyRW | KeyAccess | KeyDelete, Group: "sorted-set", Since: "5.0.0", Complexity: complexityBZPop,
			Summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
			Syntax:  "key [key ...] timeout", Run: func(c *Ctx) { bzpopCommand(c, true) }},
		{Name: "bzpopmin", Arity: -3, Flags: write | FlagNoScript | FlagBlocking | FlagFast, FirstKey: 1, LastKey: -2, Step: 1,
			KeyFlags: KeyRW | KeyAccess | KeyDelete, Group: "sorted-set", Since: "5.0.0", Complexity: complexityBZPop,
			Summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available",
			Syntax:  "key [key ...] timeout", Run: func(c *Ctx) { bzpopCommand(c, false) }},
		{Name: "zadd", Arity: -4, Flags: write | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyUpdate, Group: "sorted-set", Since: "1.2.0", Complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
			Summary: "Add one or more members to a sorted set, or update its score if it already exists",
			Syntax:  "key [condition: NX | XX] [comparison: GT | LT] [change: CH] [increment: INCR] <score member [score member ...]>",
			Run:     func(c *Ctx) { zaddGeneric(c, false) }},
		{Name: "zcard", Arity: 2, Flags: read | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRO,
			Group: "sorted-set", Since: "1.2.0", Complexity: "O(1)", Summary: "Get the number of members in a sorted set",
			Syntax: "key", Run: zcardCommand},
		{Name: "zcount", Arity: 4, Flags: read | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "2.0.0", Complexity: complexityZLog,
			Summary: "Count the members in a sorted set with scores within the given values",
			Syntax:  "key min max", Run: func(c *Ctx) { zcountCommand(c, zrangeScore) }},
		{Name: "zdiff", Arity: -3, Flags: read, Keys: zsetOpKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRO | KeyAccess, Index: 1, KeyNum: true, FirstKey: 1},
			},
			Group: "sorted-set", Since: "6.2.0", Complexity: complexityZDiff, Summary: "Subtract multiple sorted sets",
			Syntax: "numkeys key [key ...] [WITHSCORES]", Run: func(c *Ctx) { zsetOpCommand(c, zsetDiff, false) }},
		{Name: "zdiffstore", Arity: -4, Flags: write | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Keys: zsetOpStoreKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyOW | KeyUpdate, Index: 1},
				{Flags: KeyRO | KeyAccess, Index: 2, KeyNum: true, FirstKey: 1},
			},
			Group: "sorted-set", Since: "6.2.0", Complexity: complexityZDiff,
			Summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key",
			Syntax:  "destination numkeys key [key ...]", Run: func(c *Ctx) { zsetOpCommand(c, zsetDiff, true) }},
		{Name: "zincrby", Arity: 4, Flags: write | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "1.2.0", Complexity: "O(log(N)) where N is the number of elements in the sorted set.",
			Summary: "Increment the score of a member in a sorted set",
			Syntax:  "key increment member", Run: func(c *Ctx) { zaddGeneric(c, true) }},
		{Name: "zinter", Arity: -3, Flags: read, Keys: zsetOpKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRO | KeyAccess, Index: 1, KeyNum: true, FirstKey: 1},
			},
			Group: "sorted-set", Since: "6.2.0", Complexity: complexityZInter, Summary: "Intersect multiple sorted sets",
			Syntax: "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <aggregate: SUM | MIN | MAX>] [WITHSCORES]",
			Run:    func(c *Ctx) { zsetOpCommand(c, zsetInter, false) }},
		{Name: "zintercard", Arity: -3, Flags: read, Keys: zsetOpKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRO | KeyAccess, Index: 1, KeyNum: true, FirstKey: 1},
			},
			Group: "sorted-set", Since: "7.0.0",
			Complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
			Summary:    "Intersect multiple sorted sets and return the cardinality of the result",
			Syntax:     "numkeys key [key ...] [LIMIT limit]", Run: func(c *Ctx) { zsetOpCommand(c, zsetInterCard, false) }},
		{Name: "zinterstore", Arity: -4, Flags: write | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Keys: zsetOpStoreKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyOW | KeyUpdate, Index: 1},
				{Flags: KeyRO | KeyAccess, Index: 2, KeyNum: true, FirstKey: 1},
			},
			Group: "sorted-set", Since: "2.0.0", Complexity: complexityZInter,
			Summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key",
			Syntax:  "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <aggregate: SUM | MIN | MAX>]",
			Run:     func(c *Ctx) { zsetOpCommand(c, zsetInter, true) }},
		{Name: "zlexcount", Arity: 4, Flags: read | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "2.8.9", Complexity: complexityZLog,
			Summary: "Count the number of members in a sorted set between a given lexicographical range",
			Syntax:  "key min max", Run: func(c *Ctx) { zcountCommand(c, zrangeLex) }},
		{Name: "zmpop", Arity: -4, Flags: write, Keys: zmpopKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyDelete, Index: 1, KeyNum: true, FirstKey: 1},
			},
			Group: "sorted-set", Since: "7.0.0", Complexity: complexityZMPop,
			Summary: "Remove and return members with scores in a sorted set",
			Syntax:  "numkeys key [key ...] <where: MIN | MAX> [COUNT count]", Run: zmpopCommand},
		{Name: "zmscore", Arity: -3, Flags: read | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "6.2.0", Complexity: "O(N) where N is the number of members being requested.",
			Summary: "Get the score associated with the given members in a sorted set",
			Syntax:  "key member [member ...]", Run: zmscoreCommand},
		{Name: "zpopmax", Arity: -2, Flags: write | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyAccess | KeyDelete, Group: "sorted-set", Since: "5.0.0", Complexity: complexityZPop,
			Summary: "Remove and return members with the highest scores in a sorted set",
			Syntax:  "key [count]", Run: func(c *Ctx) { zpopCommand(c, true) }},
		{Name: "zpopmin", Arity: -2, Flags: write | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyAccess | KeyDelete, Group: "sorted-set", Since: "5.0.0", Complexity: complexityZPop,
			Summary: "Remove and return members with the lowest scores in a sorted set",
			Syntax:  "key [count]", Run: func(c *Ctx) { zpopCommand(c, false) }},
		{Name: "zrandmember", Arity: -2, Flags: read, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "6.2.0", Complexity: "O(N) where N is the number of elements returned",
			Summary: "Get one or multiple random elements from a sorted set",
			Syntax:  "key [options: count [WITHSCORES]]", Run: zrandmemberCommand},
		{Name: "zrange", Arity: -4, Flags: read, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "1.2.0", Complexity: complexityZRange,
			Summary: "Return a range of members in a sorted set",
			Syntax:  "key start stop [sortby: BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
			Run:     func(c *Ctx) { zrangeGeneric(c, zrangeAuto, false, false) }},
		{Name: "zrangebylex", Arity: -4, Flags: read, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "2.8.9", Complexity: complexityZRangeLimit,
			Summary:         "Return a range of members in a sorted set, by lexicographical range",
			DeprecatedSince: "6.2.0", ReplacedBy: "`ZRANGE` with the `BYLEX` argument",
			Syntax: "key min max [LIMIT offset count]", Run: func(c *Ctx) { zrangeGeneric(c, zrangeLex, false, false) }},
		{Name: "zrangebyscore", Arity: -4, Flags: read, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "1.0.5", Complexity: complexityZRangeLimit,
			Summary:         "Return a range of members in a sorted set, by score",
			DeprecatedSince: "6.2.0", ReplacedBy: "`ZRANGE` with the `BYSCORE` argument",
			Syntax: "key min max [WITHSCORES] [LIMIT offset count]", Run: func(c *Ctx) { zrangeGeneric(c, zrangeScore, false, false) }},
		{Name: "zrangestore", Arity: -5, Flags: write | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyOW | KeyUpdate, Index: 1},
				{Flags: KeyRO | KeyAccess, Index: 2},
			},
			Group: "sorted-set", Since: "6.2.0",
			Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
			Summary:    "Store a range of members from sorted set into another key",
			Syntax:     "dst src min max [sortby: BYSCORE | BYLEX] [REV] [LIMIT offset count]",
			Run:        func(c *Ctx) { zrangeGeneric(c, zrangeAuto, false, true) }},
		{Name: "zrank", Arity: 3, Flags: read | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "2.0.0", Complexity: "O(log(N))", Summary: "Determine the index of a member in a sorted set",
			Syntax: "key member", Run: func(c *Ctx) { zrankCommand(c, false) }},
		{Name: "zrem", Arity: -3, Flags: write | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyDelete, Group: "sorted-set", Since: "1.2.0",
			Complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
			Summary:    "Remove one or more members from a sorted set", Syntax: "key member [member ...]", Run: zremCommand},
		{Name: "zremrangebylex", Arity: 4, Flags: write, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRW | KeyDelete,
			Group: "sorted-set", Since: "2.8.9", Complexity: complexityZRemRange,
			Summary: "Remove all members in a sorted set between the given lexicographical range",
			Syntax:  "key min max", Run: func(c *Ctx) { zremrangeCommand(c, zrangeLex) }},
		{Name: "zremrangebyrank", Arity: 4, Flags: write, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRW | KeyDelete,
			Group: "sorted-set", Since: "2.0.0", Complexity: complexityZRemRange,
			Summary: "Remove all members in a sorted set within the given indexes",
			Syntax:  "key start stop", Run: func(c *Ctx) { zremrangeCommand(c, zrangeRank) }},
		{Name: "zremrangebyscore", Arity: 4, Flags: write, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyDelete, Group: "sorted-set", Since: "1.2.0", Complexity: complexityZRemRange,
			Summary: "Remove all members in a sorted set within the given scores",
			Syntax:  "key min max", Run: func(c *Ctx) { zremrangeCommand(c, zrangeScore) }},
		{Name: "zrevrange", Arity: -4, Flags: read, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "1.2.0", Complexity: complexityZRange,
			Summary:         "Return a range of members in a sorted set, by index, with scores ordered from high to low",
			DeprecatedSince: "6.2.0", ReplacedBy: "`ZRANGE` with the `REV` argument",
			Syntax: "key start stop [WITHSCORES]", Run: func(c *Ctx) { zrangeGeneric(c, zrangeRank, true, false) }},
		{Name: "zrevrangebylex", Arity: -4, Flags: read, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "2.8.9", Complexity: complexityZRangeLimit,
			Summary:         "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
			DeprecatedSince: "6.2.0", ReplacedBy: "`ZRANGE` with the `REV` and `BYLEX` arguments",
			Syntax: "key max min [LIMIT offset count]", Run: func(c *Ctx) { zrangeGeneric(c, zrangeLex, true, false) }},
		{Name: "zrevrangebyscore", Arity: -4, Flags: read, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "2.2.0", Complexity: complexityZRangeLimit,
			Summary:         "Return a range of members in a sorted set, by score, with scores ordered from high to low",
			DeprecatedSince: "6.2.0", ReplacedBy: "`ZRANGE` with the `REV` and `BYSCORE` arguments",
			Syntax: "key max min [WITHSCORES] [LIMIT offset count]", Run: func(c *Ctx) { zrangeGeneric(c, zrangeScore, true, false) }},
		{Name: "zrevrank", Arity: 3, Flags: read | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "2.0.0", Complexity: "O(log(N))",
			Summary: "Determine the index of a member in a sorted set, with scores ordered from high to low",
			Syntax:  "key member", Run: func(c *Ctx) { zrankCommand(c, true) }},
		{Name: "zscan", Arity: -3, Flags: read, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "2.8.0", Complexity: complexityScan,
			Summary: "Incrementally iterate sorted sets elements and associated scores",
			Syntax:  "key cursor [MATCH pattern] [COUNT count]", Run: zscanCommand},
		{Name: "zscore", Arity: 3, Flags: read | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: "1.2.0", Complexity: "O(1)",
			Summary: "Get the score associated with the given member in a sorted set",
			Syntax:  "key member", Run: zscoreCommand},
		{Name: "zunion", Arity: -3, Flags: read, Keys: zsetOpKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRO | KeyAccess, Index: 1, KeyNum: true, FirstKey: 1},
			},
			Group: "sorted-set", Since: "6.2.0",
			Complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
			Summary:    "Add multiple sorted sets",
			Syntax:     "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <aggregate: SUM | MIN | MAX>] [WITHSCORES]",
			Run:        func(c *Ctx) { zsetOpCommand(c, zsetUnion, false) }},
		{Name: "zunionstore", Arity: -4, Flags: write | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Keys: zsetOpStoreKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyOW | KeyUpdate, Index: 1},
				{Flags: KeyRO | KeyAccess, Index: 2, KeyNum: true, FirstKey: 1},
			},
			Group: "sorted-set", Since: "2.0.0",
			Complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
			Summary:    "Add multiple sorted sets and store the resulting sorted set in a new key",
			Syntax:     "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <aggregate: SUM | MIN | MAX>]",
			Run:        func(c *Ctx) { zsetOpCommand(c, zsetUnion, true) }},
	}
}

// lookupZSet returns the sorted set at key for a read command; ok is false
// and WRONGTYPE has been written if the key holds another type.
func lookupZSet(c *Ctx, key []byte) (z *datatypes.ZSet, found, ok bool) {
	v, found := c.DB.Lookup(key)
	return asType[*datatypes.ZSet](c, v, found)
}

// lookupZSetWrite is lookupZSet for a command about to change the key.
func lookupZSetWrite(c *Ctx, key []byte) (z *datatypes.ZSet, found, ok bool) {
	v, found := c.DB.LookupWrite(key)
	return asType[*datatypes.ZSet](c, v, found)
}

// scoreArg parses argument i as a score (getDoubleFromObjectOrReply),
// replying with msg if it is not a float.
func scoreArg(c *Ctx, i int, msg string) (float64, bool) {
	f, ok := resp.ParseDouble(c.Args[i])
	if !ok {
		c.W.Error(msg)
	}
	return f, ok
}

// zaddGeneric is ZADD, and ZINCRBY (incr), as Redis's
// zaddGenericCommand: ZINCRBY's increment goes through ZADD's option
// parsing too.
func zaddGeneric(c *Ctx, incr bool) {
	var flags datatypes.ZAddFlags
	if incr {
		flags = datatypes.ZAddIncr
	}
	ch := false
	i := 2
options:
	for ; i < len(c.Args); i++ {
		switch a := c.Args[i]; {
		case tokenIs(a, "nx"):
			flags |= datatypes.ZAddNX
		case tokenIs(a, "xx"):
			flags |= datatypes.ZAddXX
		case tokenIs(a, "ch"):
			ch = true
		case tokenIs(a, "incr"):
			flags |= datatypes.ZAddIncr
		case tokenIs(a, "gt"):
			flags |= datatypes.ZAddGT
		case tokenIs(a, "lt"):
			flags |= datatypes.ZAddLT
		default:
			break options
		}
	}
	pairs := c.Args[i:]
	nx, gt, lt := flags&datatypes.ZAddNX != 0, flags&datatypes.ZAddGT != 0, flags&datatypes.ZAddLT != 0
	incr = flags&datatypes.ZAddIncr != 0
	switch {
	case len(pairs) == 0 || len(pairs)%2 != 0:
		c.W.Error(resp.ErrSyntax)
		return
	case nx && flags&datatypes.ZAddXX != 0:
		c.W.Error("ERR XX and NX options at the same time are not compatible")
		return
	case (gt && nx) || (lt && nx) || (gt && lt):
		c.W.Error("ERR GT, LT, and/or NX options at the same time are not compatible")
		return
	case incr && len(pairs) > 2:
		c.W.Error("ERR INCR option supports a single increment-element pair")
		return
	}
	scores := make([]float64, len(pairs)/2)
	for j := range scores {
		s, ok := scoreArg(c, i+2*j, resp.ErrNotFloat)
		if !ok {
			return
		}
		scores[j] = s
	}
	zaddTo(c, flags, ch, scores, func(j int) []byte { return pairs[2*j+1] })
}

// zaddTo adds member(j) with scores[j] to the sorted set at the first
// key with ZADD's flags, and records and replies as ZADD does. GEOADD,
// which Redis runs as a ZADD of the scores it computed, ends here too.
func zaddTo(c *Ctx, flags datatypes.ZAddFlags, ch bool, scores []float64, member func(j int) []byte) {
	incr := flags&datatypes.ZAddIncr != 0
	key := c.Args[1]
	z, found, ok := lookupZSetWrite(c, key)
	if !ok {
		return
	}
	var added, updated, processed int64
	var score float64
	if found || flags&datatypes.ZAddXX == 0 {
		if !found {
			z = datatypes.NewZSet()
			c.DB.Set(key, z)
		}
		lim := c.Limits()
		for j, s := range scores {
			out, newScore := z.Add(lim, member(j), s, flags)
			if out&datatypes.ZAddNaN != 0 {
				c.W.Error(resp.ErrZScoreNaN)
				return
			}
			if out&datatypes.ZAddAdded != 0 {
				added++
			}
			if out&datatypes.ZAddUpdated != 0 {
				updated++
			}
			if out&datatypes.ZAddNop == 0 {
				processed++
			}
			score = newScore
		}
	}
	if added+updated > 0 {
		c.Propagate()
	}
	switch {
	case incr && processed > 0:
		c.W.Double(score)
	case incr:
		c.W.Null()
	case ch:
		c.W.Int(added + updated)
	default:
		c.W.Int(added)
	}
}

func zremCommand(c *Ctx) {
	key := c.Args[1]
	z, found, ok := lookupZSetWrite(c, key)
	if !ok {
		return
	}
	var removed int64
	if found {
		for _, m := range c.Args[2:] {
			if z.Remove(m) {
				removed++
				if z.Len() == 0 {
					break
				}
			}
		}
		dropIfEmpty(c, key, z)
	}
	if removed > 0 {
		c.Propagate()
	}
	c.W.Int(removed)
}

func zcardCommand(c *Ctx) {
	z, _, ok := lookupZSet(c, c.Args[1])
	if ok {
		c.W.Int(int64(zlen(z)))
	}
}

// zlen is the length of z, 0 for a missing key.
func zlen(z *datatypes.ZSet) int {
	if z == nil {
		return 0
	}
	return z.Len()
}

func zscoreCommand(c *Ctx) {
	z, found, ok := lookupZSet(c, c.Args[1])
	if !ok {
		return
	}
	if found {
		if s, ok := z.Score(c.Args[2]); ok {
			c.W.Double(s)
			return
		}
	}
	c.W.Null()
}

func zmscoreCommand(c *Ctx) {
	z, found, ok := lookupZSet(c, c.Args[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if found {
			if s, ok := z.Score(m); ok {
				c.W.Double(s)
				continue
			}
		}
		c.W.Null()
	}
}

func zrankCommand(c *Ctx, reverse bool) {
	z, found, ok := lookupZSet(c, c.Args[1])
	if !ok {
		return
	}
	if found {
		if r, _, ok := z.Rank(c.Args[2], reverse); ok {
			c.W.Int(int64(r))
			return
		}
	}
	c.W.Null()
}

// zcountCommand is ZCOUNT (kind zrangeScore) and ZLEXCOUNT (zrangeLex).
func zcountCommand(c *Ctx, kind zrangeKind) {
	a := zrangeArgs{kind: kind}
	if !a.parseBounds(c, 2, 3) {
		return
	}
	z, found, ok := lookupZSet(c, c.Args[1])
	switch {
	case !ok:
	case !found:
		c.W.Int(0)
	case kind == zrangeScore:
		c.W.Int(int64(z.CountScore(a.score)))
	default:
		c.W.Int(int64(z.CountLex(a.lex)))
	}
}

// zrangeKind is how a ZRANGE-like command reads its min and max.
type zrangeKind uint8

const (
	// zrangeAuto: ranks unless BYSCORE or BYLEX says otherwise (ZRANGE,
	// ZRANGESTORE).
	zrangeAuto zrangeKind = iota
	zrangeRank
	zrangeScore
	zrangeLex
)

// zrangeArgs is a parsed ZRANGE-like command.
type zrangeArgs struct {
	kind       zrangeKind
	reverse    bool
	withScores bool
	// start and stop are a rank range's ends.
	start, stop int64
	score       datatypes.ScoreRange
	lex         datatypes.LexRange
	// offset and limit are LIMIT's, -1 for no limit.
	offset, limit int64
}

// zrangeGeneric is ZRANGE, ZRANGESTORE and the deprecated
// Z[REV]RANGE[BYSCORE|BYLEX], as Redis's zrangeGenericCommand: kind and
// reverse are fixed by the older commands, chosen by options in the
// newer ones.
func zrangeGeneric(c *Ctx, kind zrangeKind, reverse, store bool) {
	src := 1
	if store {
		src = 2
	}
	a := zrangeArgs{kind: kind, reverse: reverse, limit: -1}
	auto := kind == zrangeAuto
	for j := src + 3; j < len(c.Args); j++ {
		switch arg := c.Args[j]; {
		case !store && tokenIs(arg, "withscores"):
			a.withScores = true
		case tokenIs(arg, "limit") && len(c.Args)-j-1 >= 2:
			var ok bool
			if a.offset, ok = c.Int(j + 1); !ok {
				return
			}
			if a.limit, ok = c.Int(j + 2); !ok {
				return
			}
			j += 2
		case auto && !a.reverse && tokenIs(arg, "rev"):
			a.reverse = true
		case a.kind == zrangeAuto && tokenIs(arg, "bylex"):
			a.kind = zrangeLex
		case a.kind == zrangeAuto && tokenIs(arg, "byscore"):
			a.kind = zrangeScore
		default:
			c.W.Error(resp.ErrSyntax)
			return
		}
	}
	if a.kind == zrangeAuto {
		a.kind = zrangeRank
	}
	if a.limit != -1 && a.kind == zrangeRank {
		c.W.Error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		return
	}
	if a.withScores && a.kind == zrangeLex {
		c.W.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
		return
	}
	lo, hi := src+1, src+2
	if a.reverse && a.kind != zrangeRank {
		lo, hi = hi, lo
	}
	if !a.parseBounds(c, lo, hi) {
		return
	}
	z, found, ok := lookupZSet(c, c.Args[src])
	switch {
	case !ok:
		return
	case store:
		zrangeStore(c, c.Args[1], z, &a)
	case !found:
		c.W.Array(0)
	default:
		from, n := a.span(z)
		writeZRange(c, z, from, n, a.reverse, a.withScores)
	}
}

// parseBounds parses arguments lo and hi as the min and max (or start
// and stop) of a's kind, replying with Redis's error if they do not
// parse.
func (a *zrangeArgs) parseBounds(c *Ctx, lo, hi int) bool {
	var ok bool
	switch a.kind {
	case zrangeRank:
		if a.start, ok = c.Int(lo); ok {
			a.stop, ok = c.Int(hi)
		}
	case zrangeScore:
		if a.score, ok = datatypes.ParseScoreRange(c.Args[lo], c.Args[hi]); !ok {
			c.W.Error(resp.ErrZMinMaxNotFloat)
		}
	default:
		if a.lex, ok = datatypes.ParseLexRange(c.Args[lo], c.Args[hi]); !ok {
			c.W.Error(resp.ErrZLexRange)
		}
	}
	return ok
}

// span returns the ranks of a's result in z: n members from rank from,
// counted from the highest score if a is reversed.
func (a *zrangeArgs) span(z *datatypes.ZSet) (from, n int) {
	switch a.kind {
	case zrangeRank:
		start, stop, ok := datatypes.NormRankRange(clampInt(a.start), clampInt(a.stop), z.Len())
		if !ok {
			return 0, 0
		}
		return start, stop - start + 1
	case zrangeScore:
		s, e := z.ScoreSpan(a.score)
		return z.LimitSpan(s, e, a.reverse, clampInt(a.offset), clampInt(a.limit))
	default:
		s, e := z.LexSpan(a.lex, a.reverse)
		return z.LimitSpan(s, e, a.reverse, clampInt(a.offset), clampInt(a.limit))
	}
}

// clampInt converts an int64 argument to int (a no-op on 64-bit hosts).
func clampInt(n int64) int { return int(max(min(n, math.MaxInt), math.MinInt)) }

// writeZRange replies with the n members of z from rank from: an array
// of members, with scores a flat array in RESP2 and [member, score]
// pairs in RESP3.
func writeZRange(c *Ctx, z *datatypes.ZSet, from, n int, reverse, withScores bool) {
	writeZHeader(c, n, withScores)
	if n == 0 {
		return
	}
	z.Range(from, from+n-1, reverse, func(m []byte, s float64) bool {
		writeZEntry(c, m, s, withScores)
		return true
	})
}

// writeZHeader starts a reply of n members, with or without scores.
func writeZHeader(c *Ctx, n int, withScores bool) {
	if withScores && c.W.Proto < 3 {
		n *= 2
	}
	c.W.Array(n)
}

// writeZEntry writes one member of a reply writeZHeader started.
func writeZEntry(c *Ctx, m []byte, s float64, withScores bool) {
	if withScores && c.W.Proto >= 3 {
		c.W.Array(2)
	}
	c.W.Bulk(m)
	if withScores {
		c.W.Double(s)
	}
}

// zrangeStore is ZRANGESTORE's end: the range of z (nil for a missing
// source) replaces dst, or deletes it if empty.
func zrangeStore(c *Ctx, dst []byte, z *datatypes.ZSet, a *zrangeArgs) {
	var from, n int
	if z != nil {
		from, n = a.span(z)
	}
	var out *datatypes.ZSet
	if n > 0 {
		lim := c.Limits()
		out = datatypes.NewZSetSized(lim, n, 0)
		z.Range(from, from+n-1, a.reverse, func(m []byte, s float64) bool {
			out.Add(lim, m, s, 0)
			return true
		})
	}
	storeZSet(c, dst, out)
}

// storeZSet ends a command that stores a computed sorted set: z replaces
// whatever dst held (and its TTL), or an empty or nil z deletes dst; the
// command is recorded if it changed anything, and replies with z's size.
func storeZSet(c *Ctx, dst []byte, z *datatypes.ZSet) {
	n := zlen(z)
	switch {
	case n > 0:
		c.DB.Set(dst, z)
	case !c.DB.Delete(dst):
		c.W.Int(0)
		return
	}
	// Recorded as given: the result follows from the sources, and only
	// the destination is written (writtenKeys).
	c.Propagate()
	c.W.Int(int64(n))
}

func zremrangeCommand(c *Ctx, kind zrangeKind) {
	a := zrangeArgs{kind: kind, limit: -1}
	if !a.parseBounds(c, 2, 3) {
		return
	}
	key := c.Args[1]
	z, found, ok := lookupZSetWrite(c, key)
	if !ok {
		return
	}
	var removed int
	if found {
		from, n := a.span(z)
		removed = z.DeleteSpan(from, from+n)
	}
	if removed > 0 {
		dropIfEmpty(c, key, z)
		c.Propagate()
	}
	c.W.Int(int64(removed))
}

// zsetOp is the operation of ZUNION, ZINTER, ZDIFF and their STORE forms.
type zsetOp uint8

const (
	zsetUnion zsetOp = iota
	zsetInter
	zsetInterCard
	zsetDiff
)

// Aggregates of ZUNION and ZINTER.
const (
	aggregateSum = iota
	aggregateMin
	aggregateMax
)

// zsetSource is one input of a zsetOp: a sorted set, a set (every member
// scores 1) or nothing (a missing key), with its weight.
type zsetSource struct {
	z      *datatypes.ZSet
	s      *datatypes.Set
	weight float64
}

func (src *zsetSource) len() int {
	switch {
	case src.z != nil:
		return src.z.Len()
	case src.s != nil:
		return src.s.Len()
	}
	return 0
}

// all yields every member and its score.
func (src *zsetSource) all() iter.Seq2[[]byte, float64] {
	return func(yield func([]byte, float64) bool) {
		switch {
		case src.z != nil:
			src.z.All()(yield)
		case src.s != nil:
			for m := range src.s.All() {
				if !yield(m, 1) {
					return
				}
			}
		}
	}
}

// score returns member's score in the source.
func (src *zsetSource) score(m []byte) (float64, bool) {
	switch {
	case src.z != nil:
		return src.z.Score(m)
	case src.s != nil && src.s.Has(m):
		return 1, true
	}
	return 0, false
}

// weighted is a source score times its weight, with NaN (0 * inf) as 0.
func (src *zsetSource) weighted(s float64) float64 {
	s *= src.weight
	if math.IsNaN(s) {
		return 0
	}
	return s
}

// aggregate combines two scores as Redis's zunionInterAggregate does: a
// sum of inf and -inf is 0.
func aggregate(how int, acc, v float64) float64 {
	switch how {
	case aggregateMin:
		// Comparisons, not min and max: a NaN v leaves acc, as in C.
		if v < acc {
			return v
		}
		return acc
	case aggregateMax:
		if v > acc {
			return v
		}
		return acc
	}
	acc += v
	if math.IsNaN(acc) {
		return 0
	}
	return acc
}

// zsetOpKeys finds the keys of ZUNION, ZINTER, ZINTERCARD and ZDIFF
// (numkeys at argument 1).
func zsetOpKeys(args [][]byte) []int { return mpopKeys(args, 1) }

// zsetOpStoreKeys finds the keys of the STORE forms: the destination,
// then the sources (numkeys at argument 2).
func zsetOpStoreKeys(args [][]byte) []int {
	if len(args) < 2 {
		return nil
	}
	return append([]int{1}, mpopKeys(args, 2)...)
}

// zsetOpCommand is ZUNION, ZINTER, ZINTERCARD, ZDIFF and, with store,
// ZUNIONSTORE, ZINTERSTORE and ZDIFFSTORE, as Redis's
// zunionInterDiffGenericCommand, with its checks in its order.
func zsetOpCommand(c *Ctx, op zsetOp, store bool) {
	numkeysIdx := 1
	if store {
		numkeysIdx = 2
	}
	n, ok := c.Int(numkeysIdx)
	if !ok {
		return
	}
	if n < 1 {
		c.W.Error("ERR at least 1 input key is needed for '" + c.Cmd.Name + "' command")
		return
	}
	if n > int64(len(c.Args)-numkeysIdx-1) {
		c.W.Error(resp.ErrSyntax)
		return
	}
	srcs := make([]zsetSource, n)
	j := numkeysIdx + 1
	for i := range srcs {
		v, found := c.DB.Lookup(c.Args[j])
		j++
		srcs[i].weight = 1
		if !found {
			continue
		}
		switch v := v.(type) {
		case *datatypes.ZSet:
			srcs[i].z = v
		case *datatypes.Set:
			srcs[i].s = v
		default:
			c.W.Error(resp.ErrWrongType)
			return
		}
	}
	how, withScores, limit := aggregateSum, false, int64(0)
	combines := op == zsetUnion || op == zsetInter
	for j < len(c.Args) {
		left := len(c.Args) - j
		switch arg := c.Args[j]; {
		case combines && left >= len(srcs)+1 && tokenIs(arg, "weights"):
			j++
			for i := range srcs {
				w, ok := scoreArg(c, j, "ERR weight value is not a float")
				if !ok {
					return
				}
				srcs[i].weight = w
				j++
			}
		case combines && left >= 2 && tokenIs(arg, "aggregate"):
			switch a := c.Args[j+1]; {
			case tokenIs(a, "sum"):
				how = aggregateSum
			case tokenIs(a, "min"):
				how = aggregateMin
			case tokenIs(a, "max"):
				how = aggregateMax
			default:
				c.W.Error(resp.ErrSyntax)
				return
			}
			j += 2
		case !store && op != zsetInterCard && tokenIs(arg, "withscores"):
			withScores = true
			j++
		case op == zsetInterCard && left >= 2 && tokenIs(arg, "limit"):
			// One error for a negative limit and for none at all, as
			// Redis's getPositiveLongFromObjectOrReply with a message.
			l, ok := resp.ParseInt(c.Args[j+1])
			if !ok || l < 0 {
				c.W.Error("ERR LIMIT can't be negative")
				return
			}
			limit = l
			j += 2
		default:
			c.W.Error(resp.ErrSyntax)
			return
		}
	}
	if op != zsetDiff {
		// Smallest first, as Redis's qsort (a stable merge sort in glibc):
		// the order sums are taken in.
		slices.SortStableFunc(srcs, func(a, b zsetSource) int { return cmp.Compare(a.len(), b.len()) })
	}
	var out []datatypes.ZEntry
	switch op {
	case zsetUnion:
		out = zunion(srcs, how)
	case zsetInter:
		out = zinter(srcs, how, -1)
	case zsetInterCard:
		c.W.Int(int64(len(zinter(srcs, how, int(min(limit, math.MaxInt))))))
		return
	case zsetDiff:
		out = zdiff(srcs)
	}
	if store {
		storeZSet(c, c.Args[1], newZSetOf(c.Limits(), out))
		return
	}
	slices.SortFunc(out, func(a, b datatypes.ZEntry) int {
		if r := cmp.Compare(a.Score, b.Score); r != 0 {
			return r
		}
		return bytes.Compare(a.Member, b.Member)
	})
	writeZHeader(c, len(out), withScores)
	for _, e := range out {
		writeZEntry(c, e.Member, e.Score, withScores)
	}
}

// zunion adds up the weighted scores of each member over srcs.
func zunion(srcs []zsetSource, how int) []datatypes.ZEntry {
	idx := map[string]int{}
	var out []datatypes.ZEntry
	for i := range srcs {
		src := &srcs[i]
		for m, s := range src.all() {
			s = src.weighted(s)
			if k, dup := idx[string(m)]; dup {
				out[k].Score = aggregate(how, out[k].Score, s)
				continue
			}
			idx[string(m)] = len(out)
			out = append(out, datatypes.ZEntry{Member: bytes.Clone(m), Score: s})
		}
	}
	return out
}

// zinter returns the members of the first (smallest) source found in
// all the others, with their aggregated weighted scores; it stops after
// limit members unless limit is 0 or negative.
func zinter(srcs []zsetSource, how, limit int) []datatypes.ZEntry {
	var out []datatypes.ZEntry
	first := &srcs[0]
next:
	for m, s := range first.all() {
		score := first.weighted(s)
		for i := 1; i < len(srcs); i++ {
			v, ok := srcs[i].score(m)
			if !ok {
				continue next
			}
			// Unlike the first score, Redis does not map a NaN weighted
			// score to 0 here: aggregate's sum does, MIN and MAX ignore it.
			score = aggregate(how, score, v*srcs[i].weight)
		}
		out = append(out, datatypes.ZEntry{Member: bytes.Clone(m), Score: score})
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out
}

// zdiff returns the members of the first source found in none of the
// others, with their scores.
func zdiff(srcs []zsetSource) []datatypes.ZEntry {
	var out []datatypes.ZEntry
next:
	for m, s := range srcs[0].all() {
		for i := 1; i < len(srcs); i++ {
			if _, ok := srcs[i].score(m); ok {
				continue next
			}
		}
		out = append(out, datatypes.ZEntry{Member: bytes.Clone(m), Score: s})
	}
	return out
}

// newZSetOf builds the sorted set of entries with the encoding Redis's
// zsetConvertToListpackIfNeeded gives a computed result; nil for none.
func newZSetOf(lim datatypes.Limits, entries []datatypes.ZEntry) *datatypes.ZSet {
	if len(entries) == 0 {
		return nil
	}
	maxLen := 0
	for _, e := range entries {
		maxLen = max(maxLen, len(e.Member))
	}
	z := datatypes.NewZSetSized(lim, len(entries), maxLen)
	for _, e := range entries {
		z.Add(lim, e.Member, e.Score, 0)
	}
	return z
}

// zpopCount parses ZPOPMIN's and ZPOPMAX's optional count: -1 without
// one.
func zpopCount(c *Ctx) (int64, bool) {
	switch len(c.Args) {
	case 2:
		return -1, true
	case 3:
		// getPositiveLongFromObjectOrReply: one error for both.
		n, ok := resp.ParseInt(c.Args[2])
		if !ok || n < 0 {
			c.W.Error(resp.ErrNotPositive)
			return 0, false
		}
		return n, true
	}
	c.W.Error(resp.ErrSyntax)
	return 0, false
}

func zpopCommand(c *Ctx, highest bool) {
	count, ok := zpopCount(c)
	if !ok {
		return
	}
	key := c.Args[1]
	z, found, ok := lookupZSetWrite(c, key)
	switch {
	case !ok:
		return
	case !found || count == 0:
		c.W.Array(0)
		return
	}
	// RESP3 pairs only when a count was given, even a count of 1.
	pairs := c.W.Proto >= 3 && count != -1
	popped := zpop(c, key, z, highest, int(min(max(count, 1), math.MaxInt)))
	if pairs {
		c.W.Array(len(popped))
	} else {
		c.W.Array(2 * len(popped))
	}
	for _, e := range popped {
		if pairs {
			c.W.Array(2)
		}
		c.W.Bulk(e.Member)
		c.W.Double(e.Score)
	}
	c.Propagate()
}

// zpop pops up to count members of the lowest, or the highest, scores
// from z at key, deleting the key once it is empty.
func zpop(c *Ctx, key []byte, z *datatypes.ZSet, highest bool, count int) []datatypes.ZEntry {
	var popped []datatypes.ZEntry
	if highest {
		popped = z.PopMax(count)
	} else {
		popped = z.PopMin(count)
	}
	dropIfEmpty(c, key, z)
	return popped
}

// zpopName is the command a blocking or multi-key pop is recorded as.
func zpopName(highest bool) []byte {
	if highest {
		return []byte("ZPOPMAX")
	}
	return []byte("ZPOPMIN")
}

// writeZMPop replies as ZMPOP: the key, then [member, score] pairs.
func writeZMPop(c *Ctx, key []byte, popped []datatypes.ZEntry) {
	c.W.Array(2)
	c.W.Bulk(key)
	c.W.Array(len(popped))
	for _, e := range popped {
		c.W.Array(2)
		c.W.Bulk(e.Member)
		c.W.Double(e.Score)
	}
}

// parseZMinMax parses ZMPOP's MIN or MAX: highest is true for MAX.
func parseZMinMax(b []byte) (highest, ok bool) {
	switch {
	case tokenIs(b, "min"):
		return false, true
	case tokenIs(b, "max"):
		return true, true
	}
	return false, false
}

func zmpopKeys(args [][]byte) []int  { return mpopKeys(args, 1) }
func bzmpopKeys(args [][]byte) []int { return mpopKeys(args, 2) }

// firstZSet returns the first of keys that holds a sorted set, with it;
// ok is false after WRONGTYPE for a key of another type met first.
func firstZSet(c *Ctx, keys [][]byte) (key []byte, z *datatypes.ZSet, ok bool) {
	for _, key := range keys {
		z, found, ok := lookupZSetWrite(c, key)
		if !ok {
			return nil, nil, false
		}
		if found {
			return key, z, true
		}
	}
	return nil, nil, true
}

func zmpopCommand(c *Ctx) {
	a, ok := parseMpop(c, 1, parseZMinMax)
	if !ok {
		return
	}
	key, z, ok := firstZSet(c, a.keys)
	switch {
	case !ok:
	case z == nil:
		c.W.NullArray()
	default:
		serveZMPop(c, key, z, a.where, a.count)
	}
}

// serveZMPop pops for ZMPOP and BZMPOP, replies and records the pop as
// ZPOPMIN or ZPOPMAX with the count popped, as Redis does.
func serveZMPop(c *Ctx, key []byte, z *datatypes.ZSet, highest bool, count int) {
	popped := zpop(c, key, z, highest, count)
	writeZMPop(c, key, popped)
	c.Emit(zpopName(highest), key, strconv.AppendInt(nil, int64(len(popped)), 10))
}

// bzpopCommand is BZPOPMIN and BZPOPMAX: the first key holding a sorted
// set is popped from, recorded as ZPOPMIN or ZPOPMAX; if none does the
// client blocks.
func bzpopCommand(c *Ctx, highest bool) {
	deadline, ok := timeoutArg(c, len(c.Args)-1)
	if !ok {
		return
	}
	keys := c.Args[1 : len(c.Args)-1]
	serve := func(c *Ctx, key []byte, z *datatypes.ZSet) {
		e := zpop(c, key, z, highest, 1)[0]
		c.W.Array(3)
		c.W.Bulk(key)
		c.W.Bulk(e.Member)
		c.W.Double(e.Score)
		c.Emit(zpopName(highest), key)
	}
	serveOrBlock(c, keys, deadline, firstZSet, serve)
}

func bzmpopCommand(c *Ctx) {
	a, ok := parseMpop(c, 2, parseZMinMax)
	if !ok {
		return
	}
	deadline, ok := timeoutArg(c, 1)
	if !ok {
		return
	}
	serve := func(c *Ctx, key []byte, z *datatypes.ZSet) { serveZMPop(c, key, z, a.where, a.count) }
	serveOrBlock(c, a.keys, deadline, firstZSet, serve)
}

func zrandmemberCommand(c *Ctx) {
	if len(c.Args) == 2 {
		z, found, ok := lookupZSet(c, c.Args[1])
		switch {
		case !ok:
		case !found:
			c.W.Null()
		default:
			m, _, _ := z.RandomMember(newRand())
			c.W.Bulk(m)
		}
		return
	}
	count, ok := c.Int(2)
	if !ok {
		return
	}
	if count == math.MinInt64 {
		c.W.Error(resp.ErrCountRange)
		return
	}
	if len(c.Args) > 4 || (len(c.Args) == 4 && !tokenIs(c.Args[3], "withscores")) {
		c.W.Error(resp.ErrSyntax)
		return
	}
	withScores := len(c.Args) == 4
	// Redis halves the range with scores, so that the RESP2 reply's
	// 2*count elements cannot overflow.
	if withScores && (count < -math.MaxInt64/2 || count > math.MaxInt64/2) {
		c.W.Error(resp.ErrOutOfRange)
		return
	}
	z, found, ok := lookupZSet(c, c.Args[1])
	switch {
	case !ok:
		return
	case !found || count == 0:
		c.W.Array(0)
		return
	case count < 0 && uint64(-count) > maxRandomCount(c):
		c.W.Error(resp.ErrReplyTooLarge)
		return
	}
	n := int(min(count, int64(z.Len())))
	if count < 0 {
		n = int(-count)
	}
	writeZHeader(c, n, withScores)
	z.RandomMembers(int(count), newRand(), func(m []byte, s float64) {
		writeZEntry(c, m, s, withScores)
	})
}

func zscanCommand(c *Ctx) {
	scanCollection(c, func(z *datatypes.ZSet, o scanOptions) (uint64, [][]byte) {
		var items [][]byte
		next := z.Scan(o.cursor, o.count, func(m []byte, s float64) {
			if o.matches(m) {
				items = append(items, bytes.Clone(m), resp.AppendDouble(nil, s))
			}
		})
		return next, items
	})
}
