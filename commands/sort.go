package commands

import (
	"bytes"
	"math"
	"math/big"
	"slices"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/pqsort"
	"github.com/cairn-db/cairn/resp"
)

// SORT and SORT_RO, after Redis 7.0's sort.c.

const (
	sortSyntax     = "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [order: ASC | DESC] [sorting: ALPHA]"
	sortComplexity = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."
)

func sortCommands() []*Command {
	// The key sorted, and the keys BY and GET patterns name.
	sortKeySpec := KeySpec{Flags: KeyRO | KeyAccess, Index: 1}
	sortPatternsSpec := KeySpec{Flags: KeyRO | KeyAccess, Arg: "pattern",
		Notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"}
	return []*Command{
		{Name: "sort", Arity: -2, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Keys: sortKeys,
			KeySpecs: []KeySpec{sortKeySpec, sortPatternsSpec, {Flags: KeyOW | KeyUpdate,
				Notes: "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array"}},
			Group: "generic", Since: "1.0.0", Complexity: sortComplexity,
			Summary: "Sort the elements in a list, set or sorted set",
			Syntax:  sortSyntax + " [STORE destination]", Run: func(c *Ctx) { sortGeneric(c, false) }},
		// SORT_RO's keys are its first argument, but Redis reports it
		// movablekeys: its BY and GET key spec is "unknown".
		{Name: "sort_ro", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			KeySpecs: []KeySpec{sortKeySpec, sortPatternsSpec},
			Keys:     func([][]byte) []int { return []int{1} },
			Group:    "generic", Since: "7.0.0", Complexity: sortComplexity,
			Summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
			Syntax:  sortSyntax, Run: func(c *Ctx) { sortGeneric(c, true) }},
	}
}

// sortKeys finds SORT's keys as Redis's sortGetKeys does: the key, and
// the argument after the last STORE. It skips the arguments of LIMIT, BY
// and GET, but not STORE's, which is looked at as an option in turn.
// BY and GET patterns name keys too, but only the sorted values tell
// which.
func sortKeys(args [][]byte) []int {
	pos := []int{1}
	store := 0
	for i := 2; i < len(args); i++ {
		switch {
		case tokenIs(args[i], "limit"):
			i += 2
		case tokenIs(args[i], "store") && i+1 < len(args):
			store = i + 1
		case tokenIs(args[i], "get"), tokenIs(args[i], "by"):
			i++
		}
	}
	if store > 0 {
		pos = append(pos, store)
	}
	return pos
}

// sortOptions are SORT's parsed arguments.
type sortOptions struct {
	desc, alpha bool
	// offset and count are LIMIT's; count -1 means all.
	offset, count int64
	// by is the last BY pattern, nil without one. dontSort is set by any
	// BY pattern without '*' (BY nosort), which no element can change,
	// even if a later BY has one, as in Redis.
	by       []byte
	dontSort bool
	gets     [][]byte
	// store is the STORE destination, nil without one.
	store []byte
}

// parseSortOptions parses the options after the key, replying with
// Redis's error if one is wrong. SORT_RO (readOnly) knows no STORE.
func parseSortOptions(c *Ctx, readOnly bool) (o sortOptions, ok bool) {
	o.count = -1
	args := c.Args
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		switch a := args[j]; {
		case tokenIs(a, "asc"):
			o.desc = false
		case tokenIs(a, "desc"):
			o.desc = true
		case tokenIs(a, "alpha"):
			o.alpha = true
		case tokenIs(a, "limit") && left >= 2:
			if o.offset, ok = c.Int(j + 1); !ok {
				return o, false
			}
			if o.count, ok = c.Int(j + 2); !ok {
				return o, false
			}
			j += 2
		case !readOnly && tokenIs(a, "store") && left >= 1:
			o.store = args[j+1]
			j++
		case tokenIs(a, "by") && left >= 1:
			o.by = args[j+1]
			if bytes.IndexByte(cString(o.by), '*') < 0 {
				o.dontSort = true
			} else if !c.readsAllKeys() {
				c.W.Error("ERR BY option of SORT denied due to insufficient ACL permissions.")
				return o, false
			}
			j++
		case tokenIs(a, "get") && left >= 1:
			if !c.readsAllKeys() {
				c.W.Error("ERR GET option of SORT denied due to insufficient ACL permissions.")
				return o, false
			}
			o.gets = append(o.gets, args[j+1])
			j++
		default:
			c.W.Error(resp.ErrSyntax)
			return o, false
		}
	}
	return o, true
}

// sortItem is an element to sort and what it sorts by: score for a
// numeric sort, cmp (hasCmp false if the BY key is missing) for ALPHA
// with BY.
type sortItem struct {
	elem   []byte
	score  float64
	cmp    []byte
	hasCmp bool
}

// sorter holds what sortCompare reads from Redis's globals.
type sorter struct {
	desc, alpha, byPattern, store bool
}

// compare is Redis's sortCompare. Equal scores fall back to the elements,
// so that a numeric sort is deterministic. Without STORE, ALPHA compares
// as strcoll, which in the C and C.UTF-8 locales is strcmp: C strings,
// that end at a NUL byte; with STORE it compares the bytes.
func (s *sorter) compare(a, b *sortItem) int {
	var cmp int
	switch {
	case !s.alpha:
		switch {
		case a.score > b.score:
			cmp = 1
		case a.score < b.score:
			cmp = -1
		default:
			cmp = bytes.Compare(a.elem, b.elem)
		}
	case s.byPattern:
		switch {
		case !a.hasCmp || !b.hasCmp:
			cmp = boolCmp(a.hasCmp, b.hasCmp)
		case s.store:
			cmp = bytes.Compare(a.cmp, b.cmp)
		default:
			cmp = bytes.Compare(cString(a.cmp), cString(b.cmp))
		}
	case s.store:
		cmp = bytes.Compare(a.elem, b.elem)
	default:
		cmp = bytes.Compare(cString(a.elem), cString(b.elem))
	}
	if s.desc {
		return -cmp
	}
	return cmp
}

// boolCmp orders false before true.
func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// cString is b as C sees it: up to its first NUL byte.
func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// sortGeneric is SORT, or SORT_RO if readOnly.
func sortGeneric(c *Ctx, readOnly bool) {
	o, ok := parseSortOptions(c, readOnly)
	if !ok {
		return
	}
	key := c.Args[1]
	v, found := c.DB.Lookup(key)
	switch v.(type) {
	case nil, *datatypes.List, *datatypes.Set:
	case *datatypes.ZSet:
		if v.Encoding() == "listpack" {
			// Redis converts the sorted set for good, read-only or not.
			v, _ = c.DB.LookupWrite(key)
			v.(*datatypes.ZSet).ConvertToSkiplist()
		}
	default:
		c.W.Error(resp.ErrWrongType)
		return
	}
	if !found {
		v = datatypes.NewList(datatypes.Limits{})
	}
	_, isSet := v.(*datatypes.Set)
	// Sorted, a set's order is the same for a STORE that replays and in
	// a script; its own order is neither.
	if o.dontSort && isSet && (o.store != nil || c.Client == c.scripts.client) {
		o.dontSort, o.alpha, o.by = false, true, nil
	}

	start, end := sortRange(o, v.(interface{ Len() int }).Len())
	items, first, last := loadSortItems(v, o, start, end)
	if !o.dontSort {
		if (!o.alpha || o.by != nil) && !weighSortItems(c, o, items) {
			c.W.Error(resp.ErrSortScore)
			return
		}
		s := &sorter{desc: o.desc, alpha: o.alpha, byPattern: o.by != nil, store: o.store != nil}
		if o.by != nil && (first != 0 || last != len(items)-1) {
			pqsort.Sort(items, first, last, s.compare)
		} else {
			// glibc's qsort is a merge sort: stable.
			slices.SortStableFunc(items, func(a, b sortItem) int { return s.compare(&a, &b) })
		}
	}
	if last < first {
		items = nil
	} else {
		items = items[first : last+1]
	}
	if o.store != nil {
		// Ties of ALPHA BY keep a set's or sorted set's own order.
		sortStore(c, o, items, !o.dontSort && o.alpha && o.by != nil && v.Type() != "list")
		return
	}
	if len(o.gets) == 0 {
		c.W.Array(len(items))
	} else {
		c.W.Array(len(items) * len(o.gets))
	}
	for i := range items {
		if len(o.gets) == 0 {
			c.W.Bulk(items[i].elem)
		}
		for _, p := range o.gets {
			if b, ok := lookupByPattern(c, p, items[i].elem); ok {
				c.W.Bulk(b)
			} else {
				c.W.Null()
			}
		}
	}
}

// sortRange clamps LIMIT to n elements as Redis does: the positions of
// the first and last elements to output, end < start for none.
func sortRange(o sortOptions, n int) (start, end int) {
	start = int(min(max(o.offset, 0), int64(n)))
	count := int(min(max(o.count, -1), int64(n)))
	end = n - 1
	if count >= 0 {
		end = start + count - 1
	}
	if start >= n {
		start, end = n-1, n-2
	}
	return start, min(end, n-1)
}

// weighSortItems sets what each element sorts by: its BY value for
// ALPHA, else its score, from the BY value or the element itself. A
// missing BY value leaves the element's score 0, or its ALPHA value
// unset. ok is false if a score is not a number; every element is still
// weighed, as Redis does.
func weighSortItems(c *Ctx, o sortOptions, items []sortItem) (ok bool) {
	ok = true
	var arena []byte
	for i := range items {
		it := &items[i]
		by, found := it.elem, true
		if o.by != nil {
			if by, found = lookupByPattern(c, o.by, it.elem); !found {
				continue
			}
		}
		if o.alpha {
			// The next lookup may change the keyspace: keep a copy, which
			// stays valid when the arena grows.
			at := len(arena)
			arena = append(arena, by...)
			it.cmp, it.hasCmp = arena[at:len(arena):len(arena)], true
			continue
		}
		var scored bool
		if it.score, scored = sortScore(by); !scored {
			ok = false
		}
	}
	return ok
}

// loadSortItems copies the elements of v into a vector to sort, and
// returns it with the range of it to output. A list or sorted set that
// is not to be sorted gives the elements of the range only, in its own
// order or in reverse for DESC.
func loadSortItems(v datatypes.Value, o sortOptions, start, end int) ([]sortItem, int, int) {
	var items []sortItem
	var arena []byte
	// An element stays valid when the arena grows.
	add := func(elem []byte) {
		at := len(arena)
		arena = append(arena, elem...)
		items = append(items, sortItem{elem: arena[at:len(arena):len(arena)]})
	}
	switch v := v.(type) {
	case *datatypes.List:
		if !o.dontSort {
			for _, e := range v.Forward(0) {
				add(e)
			}
			break
		}
		if end < start {
			break
		}
		all := v.Forward(start)
		if o.desc {
			all = v.Backward(v.Len() - start - 1)
		}
		for _, e := range all {
			if len(items) > end-start {
				break
			}
			add(e)
		}
		start, end = 0, end-start
	case *datatypes.Set:
		for m := range v.All() {
			add(m)
		}
	case *datatypes.ZSet:
		if !o.dontSort {
			for m := range v.All() {
				add(m)
			}
			break
		}
		for m := range v.Iter(start, o.desc) {
			if len(items) > end-start {
				break
			}
			add(m)
		}
		start, end = 0, end-start
	}
	return items, start, end
}

// sortStore stores the elements, or what GET finds for them, as a list
// at o.store, deleting it for an empty result, and replies with the
// length. A STORE replays as it ran unless ownOrder, ties left in a set's
// or sorted set's own order, which is not the same after a restart: then
// its effect is the list itself.
func sortStore(c *Ctx, o sortOptions, items []sortItem, ownOrder bool) {
	l := datatypes.NewList(c.Limits())
	for i := range items {
		if len(o.gets) == 0 {
			l.PushBack(items[i].elem)
		}
		for _, p := range o.gets {
			b, _ := lookupByPattern(c, p, items[i].elem)
			l.PushBack(b)
		}
	}
	if l.Len() == 0 {
		if c.DB.Delete(o.store) {
			c.Emit([]byte("DEL"), o.store)
		}
		c.W.Int(0)
		return
	}
	c.DB.Set(o.store, l)
	if !ownOrder {
		c.Propagate()
	} else {
		c.Emit([]byte("DEL"), o.store)
		rpush := make([][]byte, 0, 2+l.Len())
		rpush = append(rpush, []byte("RPUSH"), o.store)
		for _, e := range l.Forward(0) {
			rpush = append(rpush, append([]byte(nil), e...))
		}
		c.Emit(rpush...)
	}
	c.W.Int(int64(l.Len()))
}

// lookupByPattern returns the value pattern names for elem, as Redis's
// lookupKeyByPattern: elem itself for "#"; else the first '*' replaced
// by elem names a string key, or, with "->field" after the '*', a hash
// key and its field. ok is false for a pattern without '*', a missing
// key or field, or a key of another type. The value is valid until the
// keyspace next changes.
func lookupByPattern(c *Ctx, pattern, elem []byte) (b []byte, ok bool) {
	p := cString(pattern)
	if len(p) == 1 && p[0] == '#' {
		return elem, true
	}
	star := bytes.IndexByte(p, '*')
	if star < 0 {
		return nil, false
	}
	end := len(pattern)
	var field []byte
	if f := bytes.Index(p[star+1:], []byte("->")); f >= 0 && star+1+f+2 < len(p) {
		end = star + 1 + f
		field = pattern[end+2:]
	}
	key := make([]byte, 0, star+len(elem)+end-star-1)
	key = append(append(append(key, pattern[:star]...), elem...), pattern[star+1:end]...)
	if field == nil {
		b, _, found, isString := c.DB.LookupString(key)
		return b, found && isString
	}
	v, _ := c.DB.Lookup(key)
	if h, isHash := v.(*datatypes.Hash); isHash {
		return h.Get(field)
	}
	return nil, false
}

// sortScore parses a value to sort by number as SORT does, with strtod
// over the C string: leading spaces are skipped and the empty string is
// 0, but anything left over, NaN, and a result out of range (ERANGE:
// overflow, underflow to zero, an inexact subnormal) are errors.
func sortScore(b []byte) (float64, bool) {
	b = cString(b)
	if len(b) == 0 {
		return 0, true
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	f, ok := resp.ParseDouble(b[i:])
	if !ok {
		return 0, false
	}
	if f != 0 && math.Abs(f) < 0x1p-1022 && !exactFloat(b[i:], f) {
		return 0, false
	}
	return f, true
}

// exactFloat reports whether the literal lit, which parsed as f, is f
// exactly; glibc's strtod sets ERANGE for a subnormal result that is not.
func exactFloat(lit []byte, f float64) bool {
	s := string(lit)
	if bytes.ContainsAny(lit, "xX") && !bytes.ContainsAny(lit, "pP") {
		// strtod's hexadecimal float without exponent.
		s += "p0"
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return false
	}
	return r.Cmp(new(big.Rat).SetFloat64(f)) == 0
}
