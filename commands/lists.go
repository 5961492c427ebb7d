package commands

import (
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/resp"
)

// The list group. The blocking commands pop at once when they can, as
// their non-blocking forms do, and record the non-blocking form as their
// effect; otherwise they block (blocking.go), and the client that is
// served later runs the same pop as if it were its own command.

// Texts shared by several list commands.
const (
	complexityPush = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."
	complexityPop  = "O(N) where N is the number of elements returned"
	complexityMPop = "O(N+M) where N is the number of provided keys and M is the number of elements returned."
	summaryBLMove  = "Pop an element from a list, push it to another list and return it; or block until one is available"
)

func listCommands() []*Command {
	const (
		push  = FlagWrite | FlagDenyOOM | FlagFast
		block = FlagWrite | FlagNoScript | FlagBlocking
	)
	return []*Command{
		{Name: "blmove", Arity: 6, Flags: block | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyDelete, Index: 1},
				{Flags: KeyRW | KeyInsert, Index: 2},
			},
			Group: "list", Since: "6.2.0", Complexity: "O(1)", Summary: summaryBLMove,
			Syntax: "source destination <wherefrom: LEFT | RIGHT> <whereto: LEFT | RIGHT> timeout", Run: blmoveCommand},
		{Name: "blmpop", Arity: -5, Flags: FlagWrite | FlagBlocking, Keys: blmpopKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyDelete, Index: 2, KeyNum: true, FirstKey: 1},
			},
			Group: "list", Since: "7.0.0", Complexity: complexityMPop, Summary: "Pop elements from a list, or block until one is available",
			Syntax: "timeout numkeys key [key ...] <where: LEFT | RIGHT> [COUNT count]", Run: blmpopCommand},
		{Name: "blpop", Arity: -3, Flags: block, FirstKey: 1, LastKey: -2, Step: 1,
			KeyFlags: KeyRW | KeyAccess | KeyDelete, Group: "list", Since: "2.0.0", Complexity: "O(N) where N is the number of provided keys.",
			Summary: "Remove and get the first element in a list, or block until one is available",
			Syntax:  "key [key ...] timeout", Run: func(c *Ctx) { blockingPop(c, listHead) }},
		{Name: "brpop", Arity: -3, Flags: block, FirstKey: 1, LastKey: -2, Step: 1,
			KeyFlags: KeyRW | KeyAccess | KeyDelete, Group: "list", Since: "2.0.0", Complexity: "O(N) where N is the number of provided keys.",
			Summary: "Remove and get the last element in a list, or block until one is available",
			Syntax:  "key [key ...] timeout", Run: func(c *Ctx) { blockingPop(c, listTail) }},
		{Name: "brpoplpush", Arity: 4, Flags: block | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyDelete, Index: 1},
				{Flags: KeyRW | KeyInsert, Index: 2},
			},
			Group: "list", Since: "2.2.0", Complexity: "O(1)", Summary: summaryBLMove,
			DeprecatedSince: "6.2.0", ReplacedBy: "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
			Syntax: "source destination timeout", Run: brpoplpushCommand},
		{Name: "lindex", Arity: 3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "list", Since: "1.0.0", Summary: "Get an element from a list by its index",
			Complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
			Syntax:     "key index", Run: lindexCommand},
		{Name: "linsert", Arity: 5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyInsert, Group: "list", Since: "2.2.0", Summary: "Insert an element before or after another element in a list",
			Complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
			Syntax:     "key <where: BEFORE | AFTER> pivot element", Run: linsertCommand},
		{Name: "llen", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRO,
			Group: "list", Since: "1.0.0", Complexity: "O(1)", Summary: "Get the length of a list",
			Syntax: "key", Run: llenCommand},
		{Name: "lmove", Arity: 5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyDelete, Index: 1},
				{Flags: KeyRW | KeyInsert, Index: 2},
			},
			Group: "list", Since: "6.2.0", Complexity: "O(1)",
			Summary: "Pop an element from a list, push it to another list and return it",
			Syntax:  "source destination <wherefrom: LEFT | RIGHT> <whereto: LEFT | RIGHT>", Run: lmoveCommand},
		{Name: "lmpop", Arity: -4, Flags: FlagWrite, Keys: lmpopKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyDelete, Index: 1, KeyNum: true, FirstKey: 1},
			},
			Group: "list", Since: "7.0.0", Complexity: complexityMPop, Summary: "Pop elements from a list",
			Syntax: "numkeys key [key ...] <where: LEFT | RIGHT> [COUNT count]", Run: lmpopCommand},
		{Name: "lpop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyAccess | KeyDelete, Group: "list", Since: "1.0.0", Complexity: complexityPop, Summary: "Remove and get the first elements in a list",
			Syntax: "key [count]", Run: func(c *Ctx) { popCommand(c, listHead) }},
		{Name: "lpos", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "list", Since: "6.0.6", Summary: "Return the index of matching elements on a list",
			Complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
			Syntax:     "key element [RANK rank] [COUNT num-matches] [MAXLEN len]", Run: lposCommand},
		{Name: "lpush", Arity: -3, Flags: push, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRW | KeyInsert,
			Group: "list", Since: "1.0.0", Complexity: complexityPush, Summary: "Prepend one or multiple elements to a list",
			Syntax: "key element [element ...]", Run: func(c *Ctx) { pushCommand(c, listHead, false) }},
		{Name: "lpushx", Arity: -3, Flags: push, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRW | KeyInsert,
			Group: "list", Since: "2.2.0", Complexity: complexityPush, Summary: "Prepend an element to a list, only if the list exists",
			Syntax: "key element [element ...]", Run: func(c *Ctx) { pushCommand(c, listHead, true) }},
		{Name: "lrange", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "list", Since: "1.0.0", Summary: "Get a range of elements from a list",
			Complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
			Syntax:     "key start stop", Run: lrangeCommand},
		{Name: "lrem", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRW | KeyDelete,
			Group: "list", Since: "1.0.0", Summary: "Remove elements from a list",
			Complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
			Syntax:     "key count element", Run: lremCommand},
		{Name: "lset", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyUpdate, Group: "list", Since: "1.0.0", Summary: "Set the value of an element in a list by its index",
			Complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
			Syntax:     "key index element", Run: lsetCommand},
		{Name: "ltrim", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRW | KeyDelete,
			Group: "list", Since: "1.0.0", Summary: "Trim a list to the specified range",
			Complexity: "O(N) where N is the number of elements to be removed by the operation.",
			Syntax:     "key start stop", Run: ltrimCommand},
		{Name: "rpop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyAccess | KeyDelete, Group: "list", Since: "1.0.0", Complexity: complexityPop, Summary: "Remove and get the last elements in a list",
			Syntax: "key [count]", Run: func(c *Ctx) { popCommand(c, listTail) }},
		{Name: "rpoplpush", Arity: 3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyDelete, Index: 1},
				{Flags: KeyRW | KeyInsert, Index: 2},
			},
			Group: "list", Since: "1.2.0", Complexity: "O(1)",
			Summary:         "Remove the last element in a list, prepend it to another list and return it",
			DeprecatedSince: "6.2.0", ReplacedBy: "`LMOVE` with the `RIGHT` and `LEFT` arguments",
			Syntax: "source destination", Run: rpoplpushCommand},
		{Name: "rpush", Arity: -3, Flags: push, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRW | KeyInsert,
			Group: "list", Since: "1.0.0", Complexity: complexityPush, Summary: "Append one or multiple elements to a list",
			Syntax: "key element [element ...]", Run: func(c *Ctx) { pushCommand(c, listTail, false) }},
		{Name: "rpushx", Arity: -3, Flags: push, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRW | KeyInsert,
			Group: "list", Since: "2.2.0", Complexity: complexityPush, Summary: "Append an element to a list, only if the list exists",
			Syntax: "key element [element ...]", Run: func(c *Ctx) { pushCommand(c, listTail, true) }},
	}
}

// listEnd is the end of a list a command pushes to or pops from.
type listEnd bool

const (
	listHead listEnd = false // LEFT
	listTail listEnd = true  // RIGHT
)

// parseListEnd parses LEFT or RIGHT, in any case.
func parseListEnd(b []byte) (listEnd, bool) {
	switch {
	case tokenIs(b, "left"):
		return listHead, true
	case tokenIs(b, "right"):
		return listTail, true
	}
	return listHead, false
}

// token is the end as LMPOP and LMOVE name it.
func (end listEnd) token() []byte {
	if end == listTail {
		return []byte("RIGHT")
	}
	return []byte("LEFT")
}

// popName is the command that pops one element from the end.
func (end listEnd) popName() []byte {
	if end == listTail {
		return []byte("RPOP")
	}
	return []byte("LPOP")
}

func (end listEnd) push(l *datatypes.List, v []byte) {
	if end == listTail {
		l.PushBack(v)
	} else {
		l.PushFront(v)
	}
}

func (end listEnd) pop(l *datatypes.List) []byte {
	var v []byte
	if end == listTail {
		v, _ = l.PopBack()
	} else {
		v, _ = l.PopFront()
	}
	return v
}

// popN pops up to n elements, in the order they leave the list.
func (end listEnd) popN(l *datatypes.List, n int) [][]byte {
	if end == listTail {
		return l.PopBackN(n)
	}
	return l.PopFrontN(n)
}

// lookupList returns the list at key for a read command: nil if there is
// none, and ok false after replying WRONGTYPE if the key holds another
// type.
func lookupList(c *Ctx, key []byte) (l *datatypes.List, ok bool) {
	v, found := c.DB.Lookup(key)
	l, _, ok = asType[*datatypes.List](c, v, found)
	return l, ok
}

// lookupListWrite is lookupList for a command about to change the key.
func lookupListWrite(c *Ctx, key []byte) (l *datatypes.List, ok bool) {
	v, found := c.DB.LookupWrite(key)
	l, _, ok = asType[*datatypes.List](c, v, found)
	return l, ok
}

// unlendList returns the list at key ready for LSET or LINSERT to rewrite,
// in place, the node of an element of v's length. LRANGE and LINDEX reply
// with large elements by reference (resp.Writer.BulkBorrowed), which is
// safe because an element of resp.BorrowMin bytes or more is alone in its
// node (no fill limit lets a node of two elements exceed 64 KiB), and
// such a node is rewritten in place only by these two commands: while a
// reply may hold such an element, the list is replaced by a copy first.
func unlendList(c *Ctx, key []byte, l *datatypes.List, v []byte) *datatypes.List {
	if len(v) < resp.BorrowMin || !resp.Borrowing() {
		return l
	}
	l = l.Clone().(*datatypes.List)
	c.DB.SetKeepTTL(key, l)
	return l
}

// newList stores a new empty list at key, with the node size the
// configuration asks for now. The command's effect readies the key for
// the clients waiting for it (onEffect).
func newList(c *Ctx, key []byte) *datatypes.List {
	l := datatypes.NewList(c.Limits())
	c.DB.Set(key, l)
	return l
}

// intArg parses argument i as a long, replying with Redis's error if it
// is not one.
func intArg(c *Ctx, i int) (int, bool) {
	n, ok := c.Int(i)
	return int(n), ok
}

// pushCommand is LPUSH, RPUSH and, if onlyIfExists, LPUSHX and RPUSHX.
func pushCommand(c *Ctx, end listEnd, onlyIfExists bool) {
	key := c.Args[1]
	l, ok := lookupListWrite(c, key)
	if !ok {
		return
	}
	if l == nil {
		if onlyIfExists {
			c.W.Int(0)
			return
		}
		l = newList(c, key)
	}
	for _, v := range c.Args[2:] {
		end.push(l, v)
	}
	c.Propagate()
	c.W.Int(int64(l.Len()))
}

// popCommand is LPOP and RPOP key [count]: without a count it replies
// with one element, with one with an array, and a count of 0 pops
// nothing.
func popCommand(c *Ctx, end listEnd) {
	if len(c.Args) > 3 {
		c.W.Error(resp.ErrWrongArgs(c.Cmd.Name))
		return
	}
	hasCount := len(c.Args) == 3
	count := 0
	if hasCount {
		n, ok := resp.ParseInt(c.Args[2])
		if !ok || n < 0 {
			c.W.Error(resp.ErrNotPositive)
			return
		}
		count = int(n)
	}
	key := c.Args[1]
	l, ok := lookupListWrite(c, key)
	switch {
	case !ok:
		return
	case l == nil && hasCount:
		c.W.NullArray()
		return
	case l == nil:
		c.W.Null()
		return
	case hasCount && count == 0:
		c.W.Array(0)
		return
	}
	if hasCount {
		writeBulks(c, end.popN(l, count))
	} else {
		c.W.Bulk(end.pop(l))
	}
	dropIfEmpty(c, key, l)
	c.Propagate()
}

// writeBulks replies with an array of bulk strings.
func writeBulks(c *Ctx, vs [][]byte) {
	c.W.Array(len(vs))
	for _, v := range vs {
		c.W.Bulk(v)
	}
}

func llenCommand(c *Ctx) {
	l, ok := lookupList(c, c.Args[1])
	switch {
	case !ok:
	case l == nil:
		c.W.Int(0)
	default:
		c.W.Int(int64(l.Len()))
	}
}

// lindexCommand looks the key up before it parses the index, as Redis
// does: a missing key is null whatever the index.
func lindexCommand(c *Ctx) {
	l, ok := lookupList(c, c.Args[1])
	switch {
	case !ok:
		return
	case l == nil:
		c.W.Null()
		return
	}
	i, ok := intArg(c, 2)
	if !ok {
		return
	}
	if v, found := l.Index(i); found {
		c.W.BulkBorrowed(v)
	} else {
		c.W.Null()
	}
}

func lsetCommand(c *Ctx) {
	key := c.Args[1]
	l, ok := lookupListWrite(c, key)
	switch {
	case !ok:
		return
	case l == nil:
		c.W.Error(resp.ErrNoSuchKey)
		return
	}
	i, ok := intArg(c, 2)
	if !ok {
		return
	}
	if v, found := l.Index(i); found {
		l = unlendList(c, key, l, v)
	}
	if !l.Set(i, c.Args[3]) {
		c.W.Error(resp.ErrIndexRange)
		return
	}
	c.Propagate()
	c.W.OK()
}

func linsertCommand(c *Ctx) {
	var after bool
	switch where := c.Args[2]; {
	case tokenIs(where, "after"):
		after = true
	case tokenIs(where, "before"):
	default:
		c.W.Error(resp.ErrSyntax)
		return
	}
	l, ok := lookupListWrite(c, c.Args[1])
	switch {
	case !ok:
		return
	case l == nil:
		c.W.Int(0)
		return
	}
	l = unlendList(c, c.Args[1], l, c.Args[3])
	n := l.Insert(c.Args[3], c.Args[4], after)
	if n > 0 {
		c.Propagate()
	}
	c.W.Int(int64(n))
}

// rangeArgs parses LRANGE's and LTRIM's start and stop, before the key is
// looked up, as Redis does.
func rangeArgs(c *Ctx) (start, stop int, ok bool) {
	if start, ok = intArg(c, 2); !ok {
		return 0, 0, false
	}
	stop, ok = intArg(c, 3)
	return start, stop, ok
}

func lrangeCommand(c *Ctx) {
	start, stop, ok := rangeArgs(c)
	if !ok {
		return
	}
	l, ok := lookupList(c, c.Args[1])
	switch {
	case !ok:
		return
	case l == nil:
		c.W.Array(0)
		return
	}
	c.W.Array(l.RangeLen(start, stop))
	l.Range(start, stop, func(v []byte) bool {
		c.W.BulkBorrowed(v)
		return true
	})
}

func ltrimCommand(c *Ctx) {
	start, stop, ok := rangeArgs(c)
	if !ok {
		return
	}
	key := c.Args[1]
	l, ok := lookupListWrite(c, key)
	if !ok {
		return
	}
	if l != nil {
		before := l.Len()
		l.Trim(start, stop)
		if l.Len() != before {
			dropIfEmpty(c, key, l)
			c.Propagate()
		} else {
			// Redis signals the key even when nothing was trimmed.
			c.signalUnchanged(key, "ltrim")
		}
	}
	c.W.OK()
}

func lremCommand(c *Ctx) {
	count, ok := intArg(c, 2)
	if !ok {
		return
	}
	key := c.Args[1]
	l, ok := lookupListWrite(c, key)
	switch {
	case !ok:
		return
	case l == nil:
		c.W.Int(0)
		return
	}
	n := l.Remove(count, c.Args[3])
	if n > 0 {
		dropIfEmpty(c, key, l)
		c.Propagate()
	}
	c.W.Int(int64(n))
}

// lposOptions are LPOS's options; count is -1 when COUNT is not given.
type lposOptions struct {
	rank, count, maxlen int
}

// parseLpos parses LPOS's options in order, with Redis's errors: a value
// is checked as soon as it is read, so a later syntax error is not
// reported if an earlier value is bad.
func parseLpos(c *Ctx) (lposOptions, bool) {
	o := lposOptions{rank: 1, count: -1}
	for j := 3; j < len(c.Args); j++ {
		opt, more := c.Args[j], j+1 < len(c.Args)
		switch {
		case tokenIs(opt, "rank") && more:
			j++
			n, ok := c.Int(j)
			if !ok {
				return o, false
			}
			if n == 0 {
				c.W.Error(resp.ErrRankZero)
				return o, false
			}
			o.rank = int(n)
		case tokenIs(opt, "count") && more:
			j++
			n, ok := resp.ParseInt(c.Args[j])
			if !ok || n < 0 {
				c.W.Error(resp.ErrCountNegative)
				return o, false
			}
			o.count = int(n)
		case tokenIs(opt, "maxlen") && more:
			j++
			n, ok := resp.ParseInt(c.Args[j])
			if !ok || n < 0 {
				c.W.Error(resp.ErrMaxlenNegative)
				return o, false
			}
			o.maxlen = int(n)
		default:
			c.W.Error(resp.ErrSyntax)
			return o, false
		}
	}
	return o, true
}

// lposCommand replies with the first match, or null, without COUNT, and
// with an array of matches with it.
func lposCommand(c *Ctx) {
	o, ok := parseLpos(c)
	if !ok {
		return
	}
	l, ok := lookupList(c, c.Args[1])
	switch {
	case !ok:
		return
	case l == nil && o.count >= 0:
		c.W.Array(0)
		return
	case l == nil:
		c.W.Null()
		return
	}
	rank, count := o.rank, o.count
	if rank == math.MinInt {
		// Redis negates the rank, which stays LONG_MIN: every match
		// qualifies from the tail, and its count check overflows so that
		// COUNT no longer stops the scan.
		rank, count = -1, min(count, 0)
	}
	if o.count < 0 {
		count = 1
	}
	matches := l.Pos(c.Args[2], rank, count, o.maxlen)
	if o.count >= 0 {
		c.W.Array(len(matches))
		for _, i := range matches {
			c.W.Int(int64(i))
		}
		return
	}
	if len(matches) == 0 {
		c.W.Null()
		return
	}
	c.W.Int(int64(matches[0]))
}

// listMove pops an element from the src end of the list at src and
// pushes it to the dst end of the list at dst, creating it, and replies
// with it; a missing source replies null. It reports whether it moved
// an element: the caller records the effect.
func listMove(c *Ctx, src, dst []byte, from, to listEnd) bool {
	sl, ok := lookupListWrite(c, src)
	switch {
	case !ok:
		return false
	case sl == nil:
		c.W.Null()
		return false
	}
	// The destination is looked up before the pop: when it is the source,
	// the element goes back into the same list, which must not be
	// deleted in between.
	dl, ok := lookupListWrite(c, dst)
	if !ok {
		return false
	}
	v := from.pop(sl)
	if dl == nil {
		dl = newList(c, dst)
	}
	to.push(dl, v)
	dropIfEmpty(c, src, sl)
	c.W.Bulk(v)
	return true
}

func lmoveCommand(c *Ctx) {
	from, ok1 := parseListEnd(c.Args[3])
	to, ok2 := parseListEnd(c.Args[4])
	if !ok1 || !ok2 {
		c.W.Error(resp.ErrSyntax)
		return
	}
	if listMove(c, c.Args[1], c.Args[2], from, to) {
		c.Propagate()
	}
}

func rpoplpushCommand(c *Ctx) {
	if listMove(c, c.Args[1], c.Args[2], listTail, listHead) {
		c.Propagate()
	}
}

// mpopArgs are the parsed arguments of LMPOP and BLMPOP (W is the list
// end) and of ZMPOP and BZMPOP (W is MIN or MAX).
type mpopArgs[W any] struct {
	keys  [][]byte
	where W
	count int
}

// parseMpop parses numkeys key [key ...] where [COUNT count] from
// argument i on, with Redis's checks in Redis's order; parseWhere reads
// the end to pop from (LEFT|RIGHT or MIN|MAX).
func parseMpop[W any](c *Ctx, i int, parseWhere func([]byte) (W, bool)) (mpopArgs[W], bool) {
	var a mpopArgs[W]
	numkeys, ok := resp.ParseInt(c.Args[i])
	if !ok || numkeys < 1 {
		c.W.Error(resp.ErrNumKeysPositive)
		return a, false
	}
	whereIdx := i + 1
	if numkeys >= int64(len(c.Args)-whereIdx) {
		c.W.Error(resp.ErrSyntax)
		return a, false
	}
	whereIdx += int(numkeys)
	a.keys = c.Args[i+1 : whereIdx]
	if a.where, ok = parseWhere(c.Args[whereIdx]); !ok {
		c.W.Error(resp.ErrSyntax)
		return a, false
	}
	a.count = -1
	for j := whereIdx + 1; j < len(c.Args); j++ {
		if a.count != -1 || !tokenIs(c.Args[j], "count") || j+1 == len(c.Args) {
			c.W.Error(resp.ErrSyntax)
			return a, false
		}
		j++
		n, ok := resp.ParseInt(c.Args[j])
		if !ok || n < 1 {
			c.W.Error(resp.ErrCountPositive)
			return a, false
		}
		a.count = int(n)
	}
	if a.count == -1 {
		a.count = 1
	}
	return a, true
}

// mpopKeys finds the keys of LMPOP (numkeys at argument i = 1) and BLMPOP
// (i = 2): none if numkeys is not a valid count.
func mpopKeys(args [][]byte, i int) []int {
	if len(args) <= i {
		return nil
	}
	n, ok := resp.ParseInt(args[i])
	if !ok || n < 1 || n > int64(len(args)-i-1) {
		return nil
	}
	pos := make([]int, n)
	for k := range pos {
		pos[k] = i + 1 + k
	}
	return pos
}

func lmpopKeys(args [][]byte) []int  { return mpopKeys(args, 1) }
func blmpopKeys(args [][]byte) []int { return mpopKeys(args, 2) }

// popRange pops up to count elements from the list at key and replies
// with the key and them, as LMPOP does; it returns how many it popped.
func popRange(c *Ctx, key []byte, l *datatypes.List, where listEnd, count int) int {
	vs := where.popN(l, count)
	c.W.Array(2)
	c.W.Bulk(key)
	writeBulks(c, vs)
	dropIfEmpty(c, key, l)
	return len(vs)
}

// firstNonEmpty returns the first of keys that holds a list, with the
// list; ok is false after WRONGTYPE for a key of another type met first.
func firstNonEmpty(c *Ctx, keys [][]byte) (key []byte, l *datatypes.List, ok bool) {
	for _, key := range keys {
		l, ok := lookupListWrite(c, key)
		if !ok {
			return nil, nil, false
		}
		if l != nil {
			return key, l, true
		}
	}
	return nil, nil, true
}

func lmpopCommand(c *Ctx) {
	a, ok := parseMpop(c, 1, parseListEnd)
	if !ok {
		return
	}
	key, l, ok := firstNonEmpty(c, a.keys)
	switch {
	case !ok:
	case l == nil:
		c.W.NullArray()
	default:
		// Recorded for the one key popped: as an effect the command
		// as given would also touch the WATCHes of the keys it only read.
		emitMpop(c, key, a.where, popRange(c, key, l, a.where, a.count))
	}
}

// emitMpop records what a blocking LMPOP did: LMPOP of the one key, with
// the count it popped.
func emitMpop(c *Ctx, key []byte, where listEnd, n int) {
	c.Emit([]byte("LMPOP"), []byte("1"), key, where.token(), []byte("COUNT"), strconv.AppendInt(nil, int64(n), 10))
}

// timeoutArg parses a blocking command's timeout, in seconds, as Redis
// 7.0's getTimeoutFromObjectOrReply does: a long double, times 1000,
// rounded up to a long long (a product out of range becomes LLONG_MIN, so
// a huge timeout is "negative"), then made absolute. 0 is forever, and so
// is a timeout that overflows when made absolute: Redis never times it
// out.
func timeoutArg(c *Ctx, i int) (deadline time.Time, ok bool) {
	f, ok := resp.ParseLongDouble(c.Args[i])
	if !ok {
		c.W.Error(resp.ErrTimeoutNotFloat)
		return time.Time{}, false
	}
	ms := timeoutMillis(f)
	if ms < 0 {
		c.W.Error(resp.ErrTimeoutNegative)
		return time.Time{}, false
	}
	now := time.Now()
	if ms == 0 || ms > math.MaxInt64-now.UnixMilli() {
		return time.Time{}, true
	}
	return now.Add(time.Duration(ms) * time.Millisecond), true
}

// timeoutMillis is (long long) ceill(f * 1000.0) on x86-64: the product
// rounded to long double precision, rounded up to an integer, and
// LLONG_MIN (the x87's "integer indefinite") when that does not fit.
func timeoutMillis(f resp.LongDouble) int64 {
	ms := new(big.Float).SetPrec(f.Prec()).Mul(f, big.NewFloat(1000))
	if ms.IsInf() || ms.Cmp(new(big.Float).SetUint64(1<<63)) >= 0 {
		return math.MinInt64
	}
	n, acc := ms.Int64() // truncated toward zero
	if acc == big.Below {
		if n == math.MaxInt64 {
			return math.MinInt64
		}
		n++
	}
	return n
}

// blockingPop is BLPOP and BRPOP: the first key holding a list is popped
// from, recorded as LPOP or RPOP; if none does the client blocks.
func blockingPop(c *Ctx, end listEnd) {
	keys := c.Args[1 : len(c.Args)-1]
	deadline, ok := timeoutArg(c, len(c.Args)-1)
	if !ok {
		return
	}
	serve := func(c *Ctx, key []byte, l *datatypes.List) {
		v := end.pop(l)
		c.W.Array(2)
		c.W.Bulk(key)
		c.W.Bulk(v)
		dropIfEmpty(c, key, l)
		c.Emit(end.popName(), key)
	}
	serveOrBlock(c, keys, deadline, firstNonEmpty, serve)
}

func blmpopCommand(c *Ctx) {
	a, ok := parseMpop(c, 2, parseListEnd)
	if !ok {
		return
	}
	deadline, ok := timeoutArg(c, 1)
	if !ok {
		return
	}
	serve := func(c *Ctx, key []byte, l *datatypes.List) {
		n := popRange(c, key, l, a.where, a.count)
		emitMpop(c, key, a.where, n)
	}
	serveOrBlock(c, a.keys, deadline, firstNonEmpty, serve)
}

// blockingMove is BLMOVE and BRPOPLPUSH: an LMOVE if the source holds a
// list, recorded by effect (LMOVE or RPOPLPUSH), or else a block on the
// source. A client served later whose destination holds another type
// then gets WRONGTYPE, and the element stays.
func blockingMove(c *Ctx, from, to listEnd, deadline time.Time, effect func(c *Ctx)) {
	src, dst := c.Args[1], c.Args[2]
	l, ok := lookupListWrite(c, src)
	switch {
	case !ok:
	case l != nil:
		if listMove(c, src, dst, from, to) {
			effect(c)
		}
	case !c.mayBlock():
		c.W.Null()
	default:
		dst = append([]byte(nil), dst...)
		block(c, [][]byte{src}, deadline, func(c *Ctx, key []byte, _ *datatypes.List) {
			if listMove(c, key, dst, from, to) {
				effect(c)
			}
		})
	}
}

func blmoveCommand(c *Ctx) {
	from, ok1 := parseListEnd(c.Args[3])
	to, ok2 := parseListEnd(c.Args[4])
	if !ok1 || !ok2 {
		c.W.Error(resp.ErrSyntax)
		return
	}
	deadline, ok := timeoutArg(c, 5)
	if !ok {
		return
	}
	src, dst := c.Args[1], c.Args[2]
	effect := [][]byte{[]byte("LMOVE"), src, dst, from.token(), to.token()}
	blockingMove(c, from, to, deadline, emitting(effect))
}

func brpoplpushCommand(c *Ctx) {
	deadline, ok := timeoutArg(c, 3)
	if !ok {
		return
	}
	effect := [][]byte{[]byte("RPOPLPUSH"), c.Args[1], c.Args[2]}
	blockingMove(c, listTail, listHead, deadline, emitting(effect))
}

// emitting returns a function that records args, copied now: for a
// blocked client they are recorded later, by the command that serves it.
func emitting(args [][]byte) func(c *Ctx) {
	args = cloneArgs(args)
	return func(c *Ctx) { c.Emit(args...) }
}
