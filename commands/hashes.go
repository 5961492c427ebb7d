package commands

import (
	"bytes"
	"math"
	"strconv"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/resp"
)

func hashCommands() []*Command {
	return []*Command{
		{Name: "hdel", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyDelete, Group: "hash", Since: "2.0.0", Complexity: "O(N) where N is the number of fields to be removed.",
			Summary: "Delete one or more hash fields", Syntax: "key field [field ...]", Run: hdelCommand},
		{Name: "hexists", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRO,
			Group: "hash", Since: "2.0.0", Complexity: "O(1)", Summary: "Determine if a hash field exists",
			Syntax: "key field", Run: hexistsCommand},
		{Name: "hget", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "hash", Since: "2.0.0", Complexity: "O(1)", Summary: "Get the value of a hash field",
			Syntax: "key field", Run: hgetCommand},
		{Name: "hgetall", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "hash", Since: "2.0.0", Complexity: "O(N) where N is the size of the hash.",
			Summary: "Get all the fields and values in a hash", Syntax: "key", Run: hgetallCommand},
		{Name: "hincrby", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "hash", Since: "2.0.0", Complexity: "O(1)",
			Summary: "Increment the integer value of a hash field by the given number",
			Syntax:  "key field increment", Run: hincrbyCommand},
		{Name: "hincrbyfloat", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "hash", Since: "2.6.0", Complexity: "O(1)",
			Summary: "Increment the float value of a hash field by the given amount",
			Syntax:  "key field increment", Run: hincrbyfloatCommand},
		{Name: "hkeys", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "hash", Since: "2.0.0", Complexity: "O(N) where N is the size of the hash.",
			Summary: "Get all the fields in a hash", Syntax: "key", Run: hkeysCommand},
		{Name: "hlen", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRO,
			Group: "hash", Since: "2.0.0", Complexity: "O(1)", Summary: "Get the number of fields in a hash",
			Syntax: "key", Run: hlenCommand},
		{Name: "hmget", Arity: -3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "hash", Since: "2.0.0", Complexity: "O(N) where N is the number of fields being requested.",
			Summary: "Get the values of all the given hash fields", Syntax: "key field [field ...]", Run: hmgetCommand},
		{Name: "hmset", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyUpdate, Group: "hash", Since: "2.0.0", Complexity: "O(N) where N is the number of fields being set.",
			Summary: "Set multiple hash fields to multiple values", Syntax: "key <field value [field value ...]>",
			DeprecatedSince: "4.0.0", ReplacedBy: "`HSET` with multiple field-value pairs",
			Run: hmsetCommand},
		{Name: "hrandfield", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "hash", Since: "6.2.0", Complexity: "O(N) where N is the number of fields returned",
			Summary: "Get one or multiple random fields from a hash", Syntax: "key [options: count [WITHVALUES]]",
			Run: hrandfieldCommand},
		{Name: "hscan", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "hash", Since: "2.8.0", Complexity: complexityScan,
			Summary: "Incrementally iterate hash fields and associated values",
			Syntax:  "key cursor [MATCH pattern] [COUNT count]", Run: hscanCommand},
		{Name: "hset", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyUpdate, Group: "hash", Since: "2.0.0", Summary: "Set the string value of a hash field",
			Complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
			Syntax:     "key <field value [field value ...]>", Run: hsetCommand},
		{Name: "hsetnx", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyInsert, Group: "hash", Since: "2.0.0", Complexity: "O(1)",
			Summary: "Set the value of a hash field, only if the field does not exist",
			Syntax:  "key field value", Run: hsetnxCommand},
		{Name: "hstrlen", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRO,
			Group: "hash", Since: "3.2.0", Complexity: "O(1)", Summary: "Get the length of the value of a hash field",
			Syntax: "key field", Run: hstrlenCommand},
		{Name: "hvals", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "hash", Since: "2.0.0", Complexity: "O(N) where N is the size of the hash.",
			Summary: "Get all the values in a hash", Syntax: "key", Run: hvalsCommand},
	}
}

// lookupHash returns the hash at key for a read command; ok is false and
// WRONGTYPE has been written if the key holds another type.
func lookupHash(c *Ctx, key []byte) (h *datatypes.Hash, found, ok bool) {
	v, found := c.DB.Lookup(key)
	return asType[*datatypes.Hash](c, v, found)
}

// lookupHashWrite is lookupHash for a command about to change the key.
func lookupHashWrite(c *Ctx, key []byte) (h *datatypes.Hash, found, ok bool) {
	v, found := c.DB.LookupWrite(key)
	return asType[*datatypes.Hash](c, v, found)
}

// setField sets field to value and reports whether the field is new and
// whether anything changed: the value, or the encoding (an update
// converts a listpack that a lowered limit no longer allows).
func setField(h *datatypes.Hash, lim datatypes.Limits, field, value []byte) (isNew, changed bool) {
	old, had := h.Get(field)
	same := had && bytes.Equal(old, value)
	enc := h.Encoding()
	isNew = h.Set(lim, field, value)
	return isNew, isNew || !same || h.Encoding() != enc
}

func hsetCommand(c *Ctx) {
	if created, ok := hsetGeneric(c); ok {
		c.W.Int(created)
	}
}

func hmsetCommand(c *Ctx) {
	if _, ok := hsetGeneric(c); ok {
		c.W.OK()
	}
}

// hsetGeneric sets the field value pairs of HSET and HMSET and returns
// the number of new fields; ok is false if an error has been written.
func hsetGeneric(c *Ctx) (created int64, ok bool) {
	if len(c.Args)%2 == 1 {
		c.W.Error(resp.ErrWrongArgs(c.Cmd.Name))
		return 0, false
	}
	key := c.Args[1]
	h, found, ok := lookupHashWrite(c, key)
	if !ok {
		return 0, false
	}
	if !found {
		h = datatypes.NewHash()
		c.DB.Set(key, h)
	}
	lim := c.Limits()
	changed := !found
	for j := 2; j < len(c.Args); j += 2 {
		isNew, ch := setField(h, lim, c.Args[j], c.Args[j+1])
		if isNew {
			created++
		}
		changed = changed || ch
	}
	if changed {
		c.Propagate()
	} else {
		c.signalUnchanged(key, "hset")
	}
	return created, true
}

func hsetnxCommand(c *Ctx) {
	key := c.Args[1]
	h, found, ok := lookupHashWrite(c, key)
	if !ok {
		return
	}
	if !found {
		h = datatypes.NewHash()
		c.DB.Set(key, h)
	}
	set := h.SetNX(c.Limits(), c.Args[2], c.Args[3])
	if set {
		c.Propagate()
	}
	c.W.Int(boolInt(set))
}

func hgetCommand(c *Ctx) {
	h, found, ok := lookupHash(c, c.Args[1])
	if !ok {
		return
	}
	if found {
		if v, has := h.Get(c.Args[2]); has {
			c.W.Bulk(v)
			return
		}
	}
	c.W.Null()
}

func hmgetCommand(c *Ctx) {
	h, found, ok := lookupHash(c, c.Args[1])
	if !ok {
		return
	}
	fields := c.Args[2:]
	c.W.Array(len(fields))
	for _, f := range fields {
		if found {
			if v, has := h.Get(f); has {
				c.W.Bulk(v)
				continue
			}
		}
		c.W.Null()
	}
}

func hdelCommand(c *Ctx) {
	key := c.Args[1]
	h, found, ok := lookupHashWrite(c, key)
	if !ok {
		return
	}
	var deleted int64
	if found {
		for _, f := range c.Args[2:] {
			if !h.Delete(f) {
				continue
			}
			deleted++
			if h.Len() == 0 {
				c.DB.Delete(key)
				break
			}
		}
	}
	if deleted > 0 {
		c.Propagate()
	}
	c.W.Int(deleted)
}

func hlenCommand(c *Ctx) {
	h, found, ok := lookupHash(c, c.Args[1])
	switch {
	case !ok:
	case !found:
		c.W.Int(0)
	default:
		c.W.Int(int64(h.Len()))
	}
}

func hstrlenCommand(c *Ctx) {
	h, found, ok := lookupHash(c, c.Args[1])
	switch {
	case !ok:
	case !found:
		c.W.Int(0)
	default:
		c.W.Int(int64(h.StrLen(c.Args[2])))
	}
}

func hexistsCommand(c *Ctx) {
	h, found, ok := lookupHash(c, c.Args[1])
	if ok {
		c.W.Int(boolInt(found && h.Has(c.Args[2])))
	}
}

// hashParts says what HKEYS, HVALS and HGETALL reply with.
type hashParts uint8

const (
	hashFields hashParts = 1 << iota
	hashValues
)

// hgetallGeneric replies with the fields, the values or both (a map) of
// the hash at the key, in the hash's order.
func hgetallGeneric(c *Ctx, parts hashParts) {
	h, found, ok := lookupHash(c, c.Args[1])
	if !ok {
		return
	}
	n := 0
	if found {
		n = h.Len()
	}
	if parts == hashFields|hashValues {
		c.W.Map(n)
	} else {
		c.W.Array(n)
	}
	if !found {
		return
	}
	for f, v := range h.All() {
		if parts&hashFields != 0 {
			c.W.Bulk(f)
		}
		if parts&hashValues != 0 {
			c.W.Bulk(v)
		}
	}
}

func hkeysCommand(c *Ctx)   { hgetallGeneric(c, hashFields) }
func hvalsCommand(c *Ctx)   { hgetallGeneric(c, hashValues) }
func hgetallCommand(c *Ctx) { hgetallGeneric(c, hashFields|hashValues) }

func hincrbyCommand(c *Ctx) {
	incr, ok := c.Int(3)
	if !ok {
		return
	}
	key, field := c.Args[1], c.Args[2]
	h, found, ok := lookupHashWrite(c, key)
	if !ok {
		return
	}
	var n int64
	if found {
		if v, has := h.Get(field); has {
			if n, ok = resp.ParseInt(v); !ok {
				c.W.Error(resp.ErrHashNotInteger)
				return
			}
		}
	}
	if (incr < 0 && n < 0 && incr < math.MinInt64-n) || (incr > 0 && n > 0 && incr > math.MaxInt64-n) {
		c.W.Error(resp.ErrOverflow)
		return
	}
	n += incr
	if !found {
		h = datatypes.NewHash()
		c.DB.Set(key, h)
	}
	// Recorded even when the value stays (an increment of 0): Redis's
	// HINCRBY always counts as a write, for WATCH too.
	setField(h, c.Limits(), field, strconv.AppendInt(nil, n, 10))
	c.Propagate()
	c.W.Int(n)
}

func hincrbyfloatCommand(c *Ctx) {
	incr, ok := resp.ParseLongDouble(c.Args[3])
	if !ok {
		c.W.Error(resp.ErrNotFloat)
		return
	}
	if incr.IsInf() {
		c.W.Error(resp.ErrNaNOrInfValue)
		return
	}
	key, field := c.Args[1], c.Args[2]
	h, found, ok := lookupHashWrite(c, key)
	if !ok {
		return
	}
	cur := resp.ZeroLongDouble()
	if found {
		if v, has := h.Get(field); has {
			if cur, ok = resp.ParseLongDouble(v); !ok {
				c.W.Error(resp.ErrHashNotFloat)
				return
			}
		}
	}
	sum, ok := resp.AddLongDouble(cur, incr)
	if !ok {
		c.W.Error(resp.ErrNaNOrInf)
		return
	}
	val := resp.AppendLongDouble(nil, sum)
	if !found {
		h = datatypes.NewHash()
		c.DB.Set(key, h)
	}
	// The effect is an HSET of the printed result, so that a replay does
	// not depend on how the sum was computed; recorded even when the value
	// stays, as HINCRBY.
	setField(h, c.Limits(), field, val)
	c.Emit([]byte("HSET"), key, field, val)
	c.W.Bulk(val)
}

func hrandfieldCommand(c *Ctx) {
	if len(c.Args) >= 3 {
		count, ok := randomCountArg(c, 2)
		if !ok {
			return
		}
		if len(c.Args) > 4 || (len(c.Args) == 4 && !tokenIs(c.Args[3], "withvalues")) {
			c.W.Error(resp.ErrSyntax)
			return
		}
		withValues := len(c.Args) == 4
		// Redis halves the range with values, so that the RESP2 reply's
		// 2*count elements cannot overflow.
		if withValues && (count < -math.MaxInt64/2 || count > math.MaxInt64/2) {
			c.W.Error(resp.ErrOutOfRange)
			return
		}
		hrandfieldWithCount(c, count, withValues)
		return
	}
	h, found, ok := lookupHash(c, c.Args[1])
	switch {
	case !ok:
	case !found:
		c.W.Null()
	default:
		f, _, _ := h.RandomField(newRand())
		c.W.Bulk(f)
	}
}

// hrandfieldWithCount replies with count random fields: an array of
// fields, or with values a flat array of fields and values in RESP2 and
// an array of [field, value] pairs in RESP3.
func hrandfieldWithCount(c *Ctx, count int64, withValues bool) {
	h, found, ok := lookupHash(c, c.Args[1])
	switch {
	case !ok:
		return
	case !found || count == 0:
		c.W.Array(0)
		return
	}
	var n int
	switch {
	case count < 0 && uint64(-count) > maxRandomCount(c):
		c.W.Error(resp.ErrReplyTooLarge)
		return
	case count < 0:
		n = int(-count)
	default:
		n = int(min(count, int64(h.Len())))
	}
	pairs := withValues && c.W.Proto >= 3
	if withValues && !pairs {
		c.W.Array(2 * n)
	} else {
		c.W.Array(n)
	}
	h.RandomFields(int(count), newRand(), func(f, v []byte) {
		if pairs {
			c.W.Array(2)
		}
		c.W.Bulk(f)
		if withValues {
			c.W.Bulk(v)
		}
	})
}

func hscanCommand(c *Ctx) {
	scanCollection(c, func(h *datatypes.Hash, o scanOptions) (uint64, [][]byte) {
		var items [][]byte
		next := h.Scan(o.cursor, o.count, func(f, v []byte) {
			if o.matches(f) {
				items = append(items, bytes.Clone(f), bytes.Clone(v))
			}
		})
		return next, items
	})
}
