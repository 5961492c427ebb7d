package commands

import (
	"math"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/glob"
	"github.com/cairn-db/cairn/resp"
)

func keyCommands() []*Command {
	return []*Command{
		{Name: "copy", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRO | KeyAccess, Index: 1},
				{Flags: KeyOW | KeyUpdate, Index: 2},
			},
			Group: "generic", Since: "6.2.0", Summary: "Copy a key",
			Complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
			Syntax:     "source destination [DB destination-db] [REPLACE]", Run: copyCommand},
		{Name: "del", Arity: -2, Flags: FlagWrite, FirstKey: 1, LastKey: -1, Step: 1, KeyFlags: KeyRM | KeyDelete,
			Group: "generic", Since: "1.0.0", Summary: "Delete a key",
			Complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
			Syntax:     "key [key ...]", Run: delCommand},
		{Name: "exists", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, KeyFlags: KeyRO,
			Group: "generic", Since: "1.0.0", Complexity: "O(N) where N is the number of keys to check.",
			Summary: "Determine if a key exists", Syntax: "key [key ...]", Run: existsCommand},
		{Name: "keys", Arity: 2, Flags: FlagReadonly,
			Group: "generic", Since: "1.0.0", Summary: "Find all keys matching the given pattern",
			Complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
			Syntax:     "pattern", Run: keysCommand},
		{Name: "move", Arity: 3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "generic", Since: "1.0.0", Complexity: "O(1)", Summary: "Move a key to another database",
			Syntax: "key db", Run: moveCommand},
		{Name: "object", Arity: -2, Group: "generic", Since: "2.2.3", Complexity: "Depends on subcommand.",
			Summary: "A container for object introspection commands",
			Subcommands: map[string]*Command{
				"encoding": {Arity: 3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, KeyFlags: KeyRO,
					Group: "generic", Since: "2.2.3", Complexity: "O(1)", Summary: "Inspect the internal encoding of a Redis object",
					Syntax: "key", Run: objectEncodingCommand},
				"freq": {Arity: 3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, KeyFlags: KeyRO,
					Group: "generic", Since: "4.0.0", Complexity: "O(1)", Summary: "Get the logarithmic access frequency counter of a Redis object",
					Syntax: "key", Run: objectFreqCommand},
				"help": {Arity: 2, Flags: FlagLoading | FlagStale,
					Group: "generic", Since: "6.2.0", Complexity: "O(1)", Summary: "Show helpful text about the different subcommands",
					Run: objectHelpCommand},
				"idletime": {Arity: 3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, KeyFlags: KeyRO,
					Group: "generic", Since: "2.2.3", Complexity: "O(1)", Summary: "Get the time since a Redis object was last accessed",
					Syntax: "key", Run: objectIdletimeCommand},
				"refcount": {Arity: 3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, KeyFlags: KeyRO,
					Group: "generic", Since: "2.2.3", Complexity: "O(1)", Summary: "Get the number of references to the value of the key",
					Syntax: "key", Run: objectRefcountCommand},
			}},
		{Name: "randomkey", Arity: 1, Flags: FlagReadonly,
			Group: "generic", Since: "1.0.0", Complexity: "O(1)", Summary: "Return a random key from the keyspace",
			Run: randomkeyCommand},
		{Name: "rename", Arity: 3, Flags: FlagWrite, FirstKey: 1, LastKey: 2, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyDelete, Index: 1},
				{Flags: KeyOW | KeyUpdate, Index: 2},
			},
			Group: "generic", Since: "1.0.0", Complexity: "O(1)", Summary: "Rename a key",
			Syntax: "key newkey", Run: renameCommand},
		{Name: "renamenx", Arity: 3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 2, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyDelete, Index: 1},
				{Flags: KeyOW | KeyInsert, Index: 2},
			},
			Group: "generic", Since: "1.0.0", Complexity: "O(1)", Summary: "Rename a key, only if the new key does not exist",
			Syntax: "key newkey", Run: renamenxCommand},
		{Name: "scan", Arity: -2, Flags: FlagReadonly,
			Group: "generic", Since: "2.8.0", Summary: "Incrementally iterate the keys space",
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
			Syntax:     "cursor [MATCH pattern] [COUNT count] [TYPE type]", Run: scanCommand},
		{Name: "touch", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, KeyFlags: KeyRO,
			Group: "generic", Since: "3.2.1", Complexity: "O(N) where N is the number of keys that will be touched.",
			Summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.",
			Syntax:  "key [key ...]", Run: touchCommand},
		{Name: "type", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRO,
			Group: "generic", Since: "1.0.0", Complexity: "O(1)", Summary: "Determine the type stored at key",
			Syntax: "key", Run: typeCommand},
		{Name: "unlink", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: -1, Step: 1,
			KeyFlags: KeyRM | KeyDelete, Group: "generic", Since: "4.0.0", Summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
			Complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
			Syntax:     "key [key ...]", Run: delCommand},
	}
}

// delCommand is DEL and UNLINK (values are freed by the garbage collector
// either way). It records one DEL of the keys that existed: a key named
// twice is deleted once, and an expired key was already recorded as
// deleted by the lookup that reclaimed it.
func delCommand(c *Ctx) {
	deleted := [][]byte{[]byte("DEL")}
	for _, key := range c.Args[1:] {
		if c.DB.Delete(key) {
			deleted = append(deleted, key)
		}
	}
	if len(deleted) > 1 {
		c.Emit(deleted...)
	}
	c.W.Int(int64(len(deleted) - 1))
}

// existsCommand counts a key as often as it is named, as Redis does.
func existsCommand(c *Ctx) {
	var n int64
	for _, key := range c.Args[1:] {
		if _, ok := c.DB.LookupNoTouch(key); ok {
			n++
		}
	}
	c.W.Int(n)
}

func touchCommand(c *Ctx) {
	var n int64
	for _, key := range c.Args[1:] {
		if _, ok := c.DB.Lookup(key); ok {
			n++
		}
	}
	c.W.Int(n)
}

func typeCommand(c *Ctx) {
	v, ok := c.DB.LookupNoTouch(c.Args[1])
	if !ok {
		c.W.Status("none")
		return
	}
	c.W.Status(v.Type())
}

// keysCommand lists live keys matching the pattern without reclaiming
// the expired ones, as Redis's KEYS does. "*" lists every key without
// matching: the matcher itself does not match "*" against an empty key.
func keysCommand(c *Ctx) {
	pattern := c.Args[1]
	all := string(pattern) == "*"
	var keys []string
	c.DB.ForEach(func(key string, _ datatypes.Value) {
		if all || glob.Match(pattern, []byte(key), false) {
			keys = append(keys, key)
		}
	})
	c.W.BulkStrings(keys)
}

func randomkeyCommand(c *Ctx) {
	key, ok := c.DB.RandomKey()
	if !ok {
		c.W.Null()
		return
	}
	c.W.BulkString(key)
}

// scanOptions are SCAN's parsed arguments.
type scanOptions struct {
	cursor  uint64
	count   int
	pattern []byte // nil matches every key
	typ     []byte // nil for any type
}

// parseScan parses SCAN's arguments, writing Redis's error if they are
// invalid. The cursor is checked before the options, as Redis does.
func parseScan(c *Ctx) (scanOptions, bool) {
	cursor, ok := parseScanCursor(c.Args[1])
	if !ok {
		c.W.Error(resp.ErrCursor)
		return scanOptions{}, false
	}
	return parseScanOptions(c, cursor, 2, true)
}

// parseScanOptions parses the MATCH, COUNT and, for SCAN only, TYPE
// options of SCAN, SSCAN and HSCAN from argument first on, as Redis's
// scanGenericCommand does for all three.
func parseScanOptions(c *Ctx, cursor uint64, first int, withType bool) (scanOptions, bool) {
	opts := scanOptions{cursor: cursor, count: 10}
	for i := first; i < len(c.Args); i += 2 {
		switch opt := c.Args[i]; {
		case i+1 >= len(c.Args):
			c.W.Error(resp.ErrSyntax)
			return opts, false
		case tokenIs(opt, "count"):
			n, ok := c.Int(i + 1)
			if !ok {
				return opts, false
			}
			if n < 1 {
				c.W.Error(resp.ErrSyntax)
				return opts, false
			}
			opts.count = int(min(n, math.MaxInt))
		case tokenIs(opt, "match"):
			opts.pattern = c.Args[i+1]
			if string(opts.pattern) == "*" {
				opts.pattern = nil
			}
		case withType && tokenIs(opt, "type"):
			opts.typ = c.Args[i+1]
		default:
			c.W.Error(resp.ErrSyntax)
			return opts, false
		}
	}
	return opts, true
}

// writeScanReply replies with a scan's next cursor and what it found.
func writeScanReply(c *Ctx, next uint64, items [][]byte) {
	c.W.Array(2)
	c.W.Bulk(strconv.AppendUint(nil, next, 10))
	c.W.Array(len(items))
	for _, b := range items {
		c.W.Bulk(b)
	}
}

// parseScanCursor parses a cursor as Redis does with strtoul: an optional
// sign (a negative cursor wraps around), decimal digits up to a NUL byte
// or the end, no leading space, and the empty string as 0.
func parseScanCursor(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	neg := false
	digits := b
	switch b[0] {
	case '+':
		digits = b[1:]
	case '-':
		neg = true
		digits = b[1:]
	}
	end := 0
	for end < len(digits) && digits[end] >= '0' && digits[end] <= '9' {
		end++
	}
	if end == 0 || (end < len(digits) && digits[end] != 0) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(digits[:end]), 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// scanCommand walks the keyspace with keyspace.DB.Scan and filters the
// keys it returns in Redis's order: pattern, then type, then expiry,
// reclaiming expired keys as it goes (after the walk, so that the walk's
// guarantee holds).
func scanCommand(c *Ctx) {
	opts, ok := parseScan(c)
	if !ok {
		return
	}
	var keys []string
	next := c.DB.Scan(opts.cursor, opts.count, func(key string) {
		if opts.pattern == nil || glob.Match(opts.pattern, []byte(key), false) {
			keys = append(keys, key)
		}
	})
	live := keys[:0]
	for _, key := range keys {
		if opts.typ != nil {
			v, found := c.DB.LookupNoTouch([]byte(key))
			typ := "none"
			if found {
				typ = v.Type()
			}
			if !strings.EqualFold(string(opts.typ), typ) {
				continue
			}
			if !found {
				// Redis's lookup has just reclaimed the key, so its own
				// expiry check finds nothing to filter: TYPE none returns
				// expired keys.
				live = append(live, key)
				continue
			}
		}
		if c.DB.Exists([]byte(key)) {
			live = append(live, key)
		}
	}
	c.W.Array(2)
	c.W.Bulk(strconv.AppendUint(nil, next, 10))
	c.W.BulkStrings(live)
}

// renameGeneric is RENAME and RENAMENX: it moves the value and its expiry
// time to the new name and reports whether it did.
func renameGeneric(c *Ctx, nx bool) (renamed, ok bool) {
	src, dst := c.Args[1], c.Args[2]
	if found := c.DB.ExistsWrite(src); !found {
		c.W.Error(resp.ErrNoSuchKey)
		return false, false
	}
	if string(src) == string(dst) {
		return false, true
	}
	if found := c.DB.ExistsWrite(dst); found && nx {
		return false, true
	}
	c.DB.Rename(src, dst)
	c.Propagate()
	return true, true
}

func renameCommand(c *Ctx) {
	if _, ok := renameGeneric(c, false); ok {
		c.W.OK()
	}
}

func renamenxCommand(c *Ctx) {
	if renamed, ok := renameGeneric(c, true); ok {
		c.W.Int(boolInt(renamed))
	}
}

// dbIndexArg parses a database number as Redis's getIntFromObjectOrReply
// and selectDb do, writing the error if it is not a valid index.
func dbIndexArg(c *Ctx, i int) (int, bool) {
	n, ok := c.Int(i)
	if !ok {
		return 0, false
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		c.W.Error(resp.ErrNotInt32)
		return 0, false
	}
	if n < 0 || n >= int64(c.KS.NumDBs()) {
		c.W.Error(resp.ErrDBIndex)
		return 0, false
	}
	return int(n), true
}

func copyCommand(c *Ctx) {
	src, dst := c.Args[1], c.Args[2]
	to := c.DB
	replace := false
	for i := 3; i < len(c.Args); i++ {
		switch opt := strings.ToLower(string(c.Args[i])); {
		case opt == "replace":
			replace = true
		case opt == "db" && i+1 < len(c.Args):
			n, ok := dbIndexArg(c, i+1)
			if !ok {
				return
			}
			to = c.KS.DB(n)
			i++
		default:
			c.W.Error(resp.ErrSyntax)
			return
		}
	}
	if to == c.DB && string(src) == string(dst) {
		c.W.Error(resp.ErrSameObject)
		return
	}
	v, found := c.DB.Lookup(src)
	if !found {
		c.W.Int(0)
		return
	}
	at, _ := c.DB.ExpireAt(src)
	if exists := to.ExistsWrite(dst); exists && !replace {
		c.W.Int(0)
		return
	}
	to.SetWithExpire(dst, v.Clone(), at)
	c.Propagate()
	c.W.Int(1)
}

func moveCommand(c *Ctx) {
	n, ok := dbIndexArg(c, 2)
	if !ok {
		return
	}
	to := c.KS.DB(n)
	if to == c.DB {
		c.W.Error(resp.ErrSameObject)
		return
	}
	key := c.Args[1]
	if found := c.DB.ExistsWrite(key); !found {
		c.W.Int(0)
		return
	}
	if exists := to.ExistsWrite(key); exists {
		c.W.Int(0)
		return
	}
	c.DB.Move(key, to)
	c.Propagate()
	c.W.Int(1)
}

// objectLookup finds the key an OBJECT subcommand inspects, replying null
// if there is none.
func objectLookup(c *Ctx) (datatypes.Value, bool) {
	v, ok := c.DB.LookupNoTouch(c.Args[2])
	if !ok {
		c.W.Null()
	}
	return v, ok
}

func objectEncodingCommand(c *Ctx) {
	if v, ok := objectLookup(c); ok {
		c.W.BulkString(v.Encoding())
	}
}

// objectFreqCommand reports the LFU counter, which only an LFU policy
// keeps.
func objectFreqCommand(c *Ctx) {
	if _, ok := objectLookup(c); !ok {
		return
	}
	if !c.KS.Eviction().Policy.LFU() {
		c.W.Error(resp.ErrLFUNotSelected)
		return
	}
	n, _ := c.DB.Freq(c.Args[2])
	c.W.Int(int64(n))
}

// objectIdletimeCommand reports the seconds since the last access, which
// an LFU policy does not keep.
func objectIdletimeCommand(c *Ctx) {
	if _, ok := objectLookup(c); !ok {
		return
	}
	if c.KS.Eviction().Policy.LFU() {
		c.W.Error(resp.ErrLFUSelected)
		return
	}
	ms, _ := c.DB.IdleMillis(c.Args[2])
	c.W.Int(ms / 1000)
}

// sharedIntegers is Redis's OBJ_SHARED_INTEGERS: strings holding 0..9999
// in the int encoding share one object whose reference count is
// OBJ_SHARED_REFCOUNT (INT_MAX); COPY duplicates the object, unshared.
const sharedIntegers = 10000

func objectRefcountCommand(c *Ctx) {
	v, ok := objectLookup(c)
	if !ok {
		return
	}
	c.W.Int(refcount(v))
}

func refcount(v datatypes.Value) int64 {
	if s, ok := v.(*datatypes.String); ok && s.Encoding() == "int" && !s.Copied() {
		if n, err := strconv.ParseInt(string(s.Bytes()), 10, 64); err == nil && n >= 0 && n < sharedIntegers {
			return math.MaxInt32
		}
	}
	return 1
}

func objectHelpCommand(c *Ctx) {
	help := []string{
		"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
		"HELP",
		"    Prints this help.",
	}
	c.W.Array(len(help))
	for _, line := range help {
		c.W.Status(line)
	}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
