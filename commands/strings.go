package commands

import (
	"math"
	"strconv"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/resp"
)

// Complexity texts shared by several string commands.
const (
	complexityGetRange = "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."
	complexityMSet     = "O(N) where N is the number of keys to set."
)

func stringCommands() []*Command {
	return []*Command{
		{Name: "append", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyInsert, Group: "string", Since: "2.0.0", Summary: "Append a value to a key",
			Complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
			Syntax:     "key value", Run: appendCommand},
		{Name: "decr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "string", Since: "1.0.0", Complexity: "O(1)", Summary: "Decrement the integer value of a key by one",
			Syntax: "key", Run: decrCommand},
		{Name: "decrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "string", Since: "1.0.0", Complexity: "O(1)", Summary: "Decrement the integer value of a key by the given number",
			Syntax: "key decrement", Run: decrbyCommand},
		{Name: "get", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "string", Since: "1.0.0", Complexity: "O(1)", Summary: "Get the value of a key",
			Syntax: "key", Run: getCommand},
		{Name: "getdel", Arity: 2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyAccess | KeyDelete, Group: "string", Since: "6.2.0", Complexity: "O(1)", Summary: "Get the value of a key and delete the key",
			Syntax: "key", Run: getdelCommand},
		{Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyUpdate, Index: 1,
					Notes: "RW and UPDATE because it changes the TTL"},
			},
			Group: "string", Since: "6.2.0", Complexity: "O(1)", Summary: "Get the value of a key and optionally set its expiration",
			Syntax: "key [expiration: EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]",
			Run:    getexCommand},
		{Name: "getrange", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "string", Since: "2.4.0", Complexity: complexityGetRange, Summary: "Get a substring of the string stored at a key",
			Syntax: "key start end", Run: getrangeCommand},
		{Name: "getset", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "string", Since: "1.0.0", Complexity: "O(1)", Summary: "Set the string value of a key and return its old value",
			DeprecatedSince: "6.2.0", ReplacedBy: "`SET` with the `!GET` argument",
			Syntax: "key value", Run: getsetCommand},
		{Name: "incr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "string", Since: "1.0.0", Complexity: "O(1)", Summary: "Increment the integer value of a key by one",
			Syntax: "key", Run: incrCommand},
		{Name: "incrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "string", Since: "1.0.0", Complexity: "O(1)", Summary: "Increment the integer value of a key by the given amount",
			Syntax: "key increment", Run: incrbyCommand},
		{Name: "incrbyfloat", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "string", Since: "2.6.0", Complexity: "O(1)", Summary: "Increment the float value of a key by the given amount",
			Syntax: "key increment", Run: incrbyfloatCommand},
		{Name: "lcs", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 2, Step: 1,
			Group: "string", Since: "7.0.0", Complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
			Summary: "Find longest common substring", Syntax: "key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]",
			Run: lcsCommand},
		{Name: "mget", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1,
			Group: "string", Since: "1.0.0", Complexity: "O(N) where N is the number of keys to retrieve.",
			Summary: "Get the values of all the given keys", Syntax: "key [key ...]", Run: mgetCommand},
		{Name: "mset", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 2,
			KeyFlags: KeyOW | KeyUpdate, Group: "string", Since: "1.0.1", Complexity: complexityMSet, Summary: "Set multiple keys to multiple values",
			Syntax: "key value [key value ...]", Run: msetCommand},
		{Name: "msetnx", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 2,
			KeyFlags: KeyOW | KeyInsert, Group: "string", Since: "1.0.1", Complexity: complexityMSet,
			Summary: "Set multiple keys to multiple values, only if none of the keys exist",
			Syntax:  "key value [key value ...]", Run: msetnxCommand},
		{Name: "psetex", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyOW | KeyUpdate, Group: "string", Since: "2.6.0", Complexity: "O(1)", Summary: "Set the value and expiration in milliseconds of a key",
			Syntax: "key milliseconds value", Run: psetexCommand},
		{Name: "set", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyUpdate | KeyVariableFlags, Index: 1, FlagsOf: setKeyFlags,
					Notes: "RW and ACCESS due to the optional `GET` argument"},
			},
			Group: "string", Since: "1.0.0", Complexity: "O(1)", Summary: "Set the string value of a key",
			Syntax: "key value [condition: NX | XX] [GET] [expiration: EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]",
			Run:    setCommand},
		{Name: "setex", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyOW | KeyUpdate, Group: "string", Since: "2.0.0", Complexity: "O(1)", Summary: "Set the value and expiration of a key",
			Syntax: "key seconds value", Run: setexCommand},
		{Name: "setnx", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyOW | KeyInsert, Group: "string", Since: "1.0.0", Complexity: "O(1)", Summary: "Set the value of a key, only if the key does not exist",
			Syntax: "key value", Run: setnxCommand},
		{Name: "setrange", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyUpdate, Group: "string", Since: "2.2.0", Summary: "Overwrite part of a string at key starting at the specified offset",
			Complexity: "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
			Syntax:     "key offset value", Run: setrangeCommand},
		{Name: "strlen", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyRO,
			Group: "string", Since: "2.2.0", Complexity: "O(1)", Summary: "Get the length of the value stored in a key",
			Syntax: "key", Run: strlenCommand},
		{Name: "substr", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "string", Since: "1.0.0", Complexity: complexityGetRange, Summary: "Get a substring of the string stored at a key",
			DeprecatedSince: "2.0.0", ReplacedBy: "`GETRANGE`",
			Syntax: "key start end", Run: getrangeCommand},
	}
}

// lookupString returns the string at key for a read command; ok is false
// and WRONGTYPE has been written if the key holds another type.
func lookupString(c *Ctx, key []byte) (s *datatypes.String, found, ok bool) {
	v, found := c.DB.Lookup(key)
	return asType[*datatypes.String](c, v, found)
}

// lookupStringBytes is lookupString for a command that only reads the
// bytes, which are valid until the keyspace next changes: no String is
// made of a short value (DB.LookupString).
func lookupStringBytes(c *Ctx, key []byte) (b []byte, found, ok bool) {
	b, _, found, isString := c.DB.LookupString(key)
	if found && !isString {
		c.W.Error(resp.ErrWrongType)
		return nil, true, false
	}
	return b, found, true
}

// lookupStringWrite is lookupString for a command about to change the key:
// it counts no keyspace hit or miss.
func lookupStringWrite(c *Ctx, key []byte) (s *datatypes.String, found, ok bool) {
	v, found := c.DB.LookupWrite(key)
	return asType[*datatypes.String](c, v, found)
}

// getGeneric replies with the string at key, or null, as GET does; ok is
// false if the key holds another type (Redis's getGenericCommand).
func getGeneric(c *Ctx, key []byte) (found, ok bool) {
	b, obj, found, isString := c.DB.LookupString(key)
	switch {
	case !found:
		c.W.Null()
	case !isString:
		c.W.Error(resp.ErrWrongType)
		return true, false
	default:
		replyString(c, obj, b)
	}
	return found, true
}

// replyString replies with part, which is s's value or a slice of it, held
// by reference if it is large (String.Lend) rather than copied. s is nil
// for the bytes of a short string the keyspace keeps itself
// (DB.LookupString), which are copied.
func replyString(c *Ctx, s *datatypes.String, part []byte) {
	if s == nil || !c.W.Borrows(len(part)) {
		c.W.Bulk(part)
		return
	}
	s.Lend()
	c.W.BulkBorrowed(part)
}

// stringArg returns a string value holding arg, to be stored at once:
// arg itself if the server read it into a buffer of its own
// (Client.Owned), which the value then owns; else the engine's scratch
// String wrapping arg, which the keyspace copies what it keeps of.
func stringArg(c *Ctx, arg []byte) *datatypes.String {
	owned := c.Client.Owned
	for i, o := range owned {
		if len(o) == len(arg) && &o[0] == &arg[0] {
			c.Client.Owned = append(owned[:i], owned[i+1:]...)
			return datatypes.AdoptString(arg)
		}
	}
	c.scratchString.Wrap(arg, 0)
	return &c.scratchString
}

func getCommand(c *Ctx) { getGeneric(c, c.Args[1]) }

// expiryUnit says how an EX/PX/EXAT/PXAT argument counts time.
type expiryUnit uint8

const (
	expiryNone expiryUnit = iota
	expiryEX              // relative seconds
	expiryPX              // relative milliseconds
	expiryEXAT            // absolute Unix seconds
	expiryPXAT            // absolute Unix milliseconds
)

// expiryArg is an expire option as given. It is converted to a time only
// when used: GETEX reports a bad value only for an existing string key.
type expiryArg struct {
	Unit  expiryUnit
	Value []byte
}

// deadline converts the option to an absolute time in Unix milliseconds
// with Redis's checks (getExpireMillisecondsOrReply): not an integer, not
// positive, or overflowing when made milliseconds or absolute is an
// error. cmd is the command name the error quotes.
func (e expiryArg) deadline(now int64, cmd string) (int64, string) {
	n, ok := resp.ParseInt(e.Value)
	if !ok {
		return 0, resp.ErrNotInteger
	}
	seconds := e.Unit == expiryEX || e.Unit == expiryEXAT
	if n <= 0 || (seconds && n > math.MaxInt64/1000) {
		return 0, resp.ErrInvalidExpire(cmd)
	}
	if seconds {
		n *= 1000
	}
	if e.Unit == expiryEX || e.Unit == expiryPX {
		if n > math.MaxInt64-now {
			return 0, resp.ErrInvalidExpire(cmd)
		}
		n += now
	}
	return n, ""
}

// absolute reports whether the option names a point in time, which may
// already have passed.
func (e expiryArg) absolute() bool { return e.Unit == expiryEXAT || e.Unit == expiryPXAT }

// setCondition is SET's NX or XX.
type setCondition uint8

const (
	setAlways setCondition = iota
	setNX                  // only if the key does not exist
	setXX                  // only if the key exists
)

// setOptions are SET's options.
type setOptions struct {
	Cond    setCondition
	Get     bool
	KeepTTL bool
	Expire  expiryArg
}

// parseSet parses the options of SET key value [options], as Redis's
// parseExtendedStringArgumentsOrReply: an option may repeat (the last
// value wins) but not meet a conflicting one, and an expire option needs
// a value. It returns Redis's error text on failure.
func parseSet(args [][]byte) (setOptions, string) {
	var o setOptions
	for j := 3; j < len(args); j++ {
		hasNext := j+1 < len(args)
		switch opt := args[j]; {
		case tokenIs(opt, "nx") && o.Cond != setXX:
			o.Cond = setNX
		case tokenIs(opt, "xx") && o.Cond != setNX:
			o.Cond = setXX
		case tokenIs(opt, "get"):
			o.Get = true
		case tokenIs(opt, "keepttl") && o.Expire.Unit == expiryNone:
			o.KeepTTL = true
		default:
			unit := expiryUnitOf(opt)
			if unit == expiryNone || o.KeepTTL || (o.Expire.Unit != expiryNone && o.Expire.Unit != unit) || !hasNext {
				return setOptions{}, resp.ErrSyntax
			}
			j++
			o.Expire = expiryArg{Unit: unit, Value: args[j]}
		}
	}
	return o, ""
}

// getExOptions are GETEX's options.
type getExOptions struct {
	Persist bool
	Expire  expiryArg
}

// parseGetEx parses the options of GETEX key [options] with the rules of
// parseSet.
func parseGetEx(args [][]byte) (getExOptions, string) {
	var o getExOptions
	for j := 2; j < len(args); j++ {
		hasNext := j+1 < len(args)
		opt := args[j]
		if tokenIs(opt, "persist") && o.Expire.Unit == expiryNone {
			o.Persist = true
			continue
		}
		unit := expiryUnitOf(opt)
		if unit == expiryNone || o.Persist || (o.Expire.Unit != expiryNone && o.Expire.Unit != unit) || !hasNext {
			return getExOptions{}, resp.ErrSyntax
		}
		j++
		o.Expire = expiryArg{Unit: unit, Value: args[j]}
	}
	return o, ""
}

func expiryUnitOf(opt []byte) expiryUnit {
	switch {
	case tokenIs(opt, "ex"):
		return expiryEX
	case tokenIs(opt, "px"):
		return expiryPX
	case tokenIs(opt, "exat"):
		return expiryEXAT
	case tokenIs(opt, "pxat"):
		return expiryPXAT
	}
	return expiryNone
}

// setKeyFlags are the flags of SET's key in a call: it reads the old
// value only with GET. Like Redis, any argument after the value counts.
func setKeyFlags(args [][]byte) KeyFlag {
	for _, a := range args[3:] {
		if tokenIs(a, "get") {
			return KeyRW | KeyAccess | KeyUpdate
		}
	}
	return KeyOW | KeyUpdate
}

func setCommand(c *Ctx) {
	opts, errMsg := parseSet(c.Args)
	if errMsg != "" {
		c.W.Error(errMsg)
		return
	}
	var at int64
	if opts.Expire.Unit != expiryNone {
		if at, errMsg = opts.Expire.deadline(c.KS.Now(), c.Cmd.Name); errMsg != "" {
			c.W.Error(errMsg)
			return
		}
	}
	done, ok := setGeneric(c, c.Args[1], c.Args[2], opts, at)
	switch {
	case !ok || opts.Get:
		// The error or GET's reply has been written.
	case done:
		c.W.OK()
	default:
		c.W.Null()
	}
}

func setnxCommand(c *Ctx) {
	if done, _ := setGeneric(c, c.Args[1], c.Args[2], setOptions{Cond: setNX}, 0); done {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

func setexCommand(c *Ctx)  { setWithTTL(c, expiryEX) }
func psetexCommand(c *Ctx) { setWithTTL(c, expiryPX) }

// setWithTTL is SETEX and PSETEX: key ttl value.
func setWithTTL(c *Ctx, unit expiryUnit) {
	opts := setOptions{Expire: expiryArg{Unit: unit, Value: c.Args[2]}}
	at, errMsg := opts.Expire.deadline(c.KS.Now(), c.Cmd.Name)
	if errMsg != "" {
		c.W.Error(errMsg)
		return
	}
	setGeneric(c, c.Args[1], c.Args[3], opts, at)
	c.W.OK()
}

// setGeneric stores val at key as SET does with opts (Redis's
// setGenericCommand); at is the expiry time in Unix milliseconds when
// opts has an expire option. It writes no reply but GET's. done reports
// whether the key was set; ok is false if GET met another type.
//
// A time that has already passed (EXAT/PXAT) deletes the key at once:
// Redis stores it and lets the next lookup delete it, which only key
// counts (DBSIZE, SCAN) can tell apart, and which would leave a SET with
// a past time in the log.
func setGeneric(c *Ctx, key, val []byte, opts setOptions, at int64) (done, ok bool) {
	if opts.Get {
		if _, ok := getGeneric(c, key); !ok {
			return false, false
		}
	}
	found := c.DB.ExistsWrite(key)
	if (opts.Cond == setNX && found) || (opts.Cond == setXX && !found) {
		return false, true
	}
	v := stringArg(c, val)
	switch {
	case opts.Expire.absolute() && c.KS.IsExpired(at):
		if found {
			c.DB.Delete(key)
			c.Emit([]byte("DEL"), key)
		} else {
			c.notifySetExpired(key)
		}
	case opts.Expire.Unit != expiryNone:
		c.DB.SetWithExpire(key, v, at)
		c.Emit([]byte("SET"), key, val, []byte("PXAT"), strconv.AppendInt(nil, at, 10))
	case opts.KeepTTL:
		c.DB.SetKeepTTL(key, v)
		c.Emit([]byte("SET"), key, val, []byte("KEEPTTL"))
	default:
		c.DB.Set(key, v)
		if c.Cmd.Name == "set" && len(c.Args) == 3 {
			// Already in its deterministic form: record the request
			// itself rather than build a copy, on the hottest write.
			c.Propagate()
		} else {
			c.Emit([]byte("SET"), key, val)
		}
	}
	return true, true
}

func getsetCommand(c *Ctx) {
	key, val := c.Args[1], c.Args[2]
	if _, ok := getGeneric(c, key); !ok {
		return
	}
	c.DB.Set(key, stringArg(c, val))
	c.Emit([]byte("SET"), key, val)
}

func getdelCommand(c *Ctx) {
	key := c.Args[1]
	if found, ok := getGeneric(c, key); found && ok {
		c.DB.Delete(key)
		c.Emit([]byte("DEL"), key)
	}
}

func getexCommand(c *Ctx) {
	key := c.Args[1]
	opts, errMsg := parseGetEx(c.Args)
	if errMsg != "" {
		c.W.Error(errMsg)
		return
	}
	s, found, ok := lookupString(c, key)
	if !ok {
		return
	}
	if !found {
		c.W.Null()
		return
	}
	var at int64
	if opts.Expire.Unit != expiryNone {
		if at, errMsg = opts.Expire.deadline(c.KS.Now(), c.Cmd.Name); errMsg != "" {
			c.W.Error(errMsg)
			return
		}
	}
	replyString(c, s, s.Bytes())
	switch {
	case opts.Expire.absolute() && c.KS.IsExpired(at):
		c.DB.Delete(key)
		c.Emit([]byte("DEL"), key)
	case opts.Expire.Unit != expiryNone:
		c.DB.SetExpire(key, at)
		c.Emit([]byte("PEXPIREAT"), key, strconv.AppendInt(nil, at, 10))
	case opts.Persist:
		if c.DB.Persist(key) {
			c.Emit([]byte("PERSIST"), key)
		}
	}
}

func getrangeCommand(c *Ctx) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	s, found, ok := lookupString(c, c.Args[1])
	if !ok {
		return
	}
	if !found {
		c.W.Bulk(nil)
		return
	}
	replyString(c, s, substring(s.Bytes(), start, end))
}

// substring is GETRANGE's slice of b from start to end inclusive, where
// negative indexes count from the end and out-of-range ones are clamped.
func substring(b []byte, start, end int64) []byte {
	n := int64(len(b))
	if start < 0 && end < 0 && start > end {
		return nil
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	end = max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		return nil
	}
	return b[start : end+1]
}

func mgetCommand(c *Ctx) {
	keys := c.Args[1:]
	c.W.Array(len(keys))
	for _, key := range keys {
		if b, obj, _, isString := c.DB.LookupString(key); isString {
			replyString(c, obj, b)
		} else {
			c.W.Null()
		}
	}
}

// checkPairs replies with the arity error unless the arguments after the
// name are key value pairs.
func checkPairs(c *Ctx) bool {
	if len(c.Args)%2 == 0 {
		c.W.Error(resp.ErrWrongArgs(c.Cmd.Name))
		return false
	}
	return true
}

func msetCommand(c *Ctx) {
	if !checkPairs(c) {
		return
	}
	msetAll(c)
	c.W.OK()
}

func msetnxCommand(c *Ctx) {
	if !checkPairs(c) {
		return
	}
	for j := 1; j < len(c.Args); j += 2 {
		if found := c.DB.ExistsWrite(c.Args[j]); found {
			c.W.Int(0)
			return
		}
	}
	msetAll(c)
	c.W.Int(1)
}

// msetAll sets every key value pair of the arguments; a key given twice
// ends with its last value.
func msetAll(c *Ctx) {
	for j := 1; j < len(c.Args); j += 2 {
		c.DB.Set(c.Args[j], stringArg(c, c.Args[j+1]))
	}
	c.Propagate()
}

func strlenCommand(c *Ctx) {
	s, found, ok := lookupString(c, c.Args[1])
	switch {
	case !ok:
	case !found:
		c.W.Int(0)
	default:
		c.W.Int(int64(s.Len()))
	}
}

func incrCommand(c *Ctx) { incrDecr(c, 1) }
func decrCommand(c *Ctx) { incrDecr(c, -1) }

func incrbyCommand(c *Ctx) {
	if incr, ok := c.Int(2); ok {
		incrDecr(c, incr)
	}
}

func decrbyCommand(c *Ctx) {
	decr, ok := c.Int(2)
	if !ok {
		return
	}
	if decr == math.MinInt64 {
		// Its negation does not fit.
		c.W.Error(resp.ErrDecrementOverflow)
		return
	}
	incrDecr(c, -decr)
}

// incrDecr adds delta to the integer at key (0 if missing), keeping the
// key's TTL.
func incrDecr(c *Ctx, delta int64) {
	key := c.Args[1]
	b, found, isString := c.DB.LookupStringWrite(key)
	if found && !isString {
		c.W.Error(resp.ErrWrongType)
		return
	}
	var n int64
	if found {
		var ok bool
		if n, ok = resp.ParseInt(b); !ok {
			c.W.Error(resp.ErrNotInteger)
			return
		}
	}
	if (delta < 0 && n < 0 && delta < math.MinInt64-n) || (delta > 0 && n > 0 && delta > math.MaxInt64-n) {
		c.W.Error(resp.ErrOverflow)
		return
	}
	n += delta
	// Redis updates an unshared integer in place, or stores a new one:
	// either way an int-encoded string that is no copy.
	c.DB.SetKeepTTL(key, datatypes.NewStringInt(n))
	c.Propagate()
	c.W.Int(n)
}

func incrbyfloatCommand(c *Ctx) {
	key := c.Args[1]
	b, found, isString := c.DB.LookupStringWrite(key)
	if found && !isString {
		c.W.Error(resp.ErrWrongType)
		return
	}
	cur, ok := resp.ZeroLongDouble(), true
	if found {
		if cur, ok = resp.ParseLongDouble(b); !ok {
			c.W.Error(resp.ErrNotFloat)
			return
		}
	}
	incr, ok := resp.ParseLongDouble(c.Args[2])
	if !ok {
		c.W.Error(resp.ErrNotFloat)
		return
	}
	sum, ok := resp.AddLongDouble(cur, incr)
	if !ok {
		c.W.Error(resp.ErrNaNOrInf)
		return
	}
	// The effect is a SET of the printed result, so that a replay does not
	// depend on how the sum was computed.
	val := resp.AppendLongDouble(nil, sum)
	c.DB.SetKeepTTL(key, datatypes.NewStringNoInt(val))
	c.Emit([]byte("SET"), key, val, []byte("KEEPTTL"))
	c.W.Bulk(val)
}

// maxBulkLen is the longest string a command may create
// (proto-max-bulk-len).
func maxBulkLen(c *Ctx) int64 { return c.Config.Load().ProtoMaxBulkLen }

func appendCommand(c *Ctx) {
	key, tail := c.Args[1], c.Args[2]
	s, found, ok := lookupStringWrite(c, key)
	switch {
	case !ok:
		return
	case !found:
		s = stringArg(c, tail)
		c.DB.Set(key, s)
	default:
		if int64(s.Len())+int64(len(tail)) > maxBulkLen(c) {
			c.W.Error(resp.ErrStringTooLong)
			return
		}
		s.Append(tail)
	}
	c.Propagate()
	c.W.Int(int64(s.Len()))
}

func setrangeCommand(c *Ctx) {
	key, val := c.Args[1], c.Args[3]
	offset, ok := c.Int(2)
	if !ok {
		return
	}
	if offset < 0 {
		c.W.Error(resp.ErrOffsetRange)
		return
	}
	s, found, ok := lookupStringWrite(c, key)
	if !ok {
		return
	}
	if len(val) == 0 {
		// Nothing to write: nothing is created or changed.
		if found {
			c.W.Int(int64(s.Len()))
		} else {
			c.W.Int(0)
		}
		return
	}
	if offset > maxBulkLen(c)-int64(len(val)) {
		c.W.Error(resp.ErrStringTooLong)
		return
	}
	if !found {
		s = datatypes.NewString(nil)
	}
	s.SetRange(int(offset), val)
	if !found {
		// Stored once made: a string is not changed after it is stored.
		c.DB.Set(key, s)
	}
	c.Propagate()
	c.W.Int(int64(s.Len()))
}

// lcsOptions are LCS's options.
type lcsOptions struct {
	Len          bool
	Idx          bool
	MinMatchLen  int64
	WithMatchLen bool
}

// parseLCS parses the options of LCS key1 key2 [options]: the first bad
// option is reported, a MINMATCHLEN that is not an integer when met.
func parseLCS(args [][]byte) (lcsOptions, string) {
	var o lcsOptions
	for j := 3; j < len(args); j++ {
		opt := args[j]
		switch {
		case tokenIs(opt, "idx"):
			o.Idx = true
		case tokenIs(opt, "len"):
			o.Len = true
		case tokenIs(opt, "withmatchlen"):
			o.WithMatchLen = true
		case tokenIs(opt, "minmatchlen") && j+1 < len(args):
			j++
			n, ok := resp.ParseInt(args[j])
			if !ok {
				return lcsOptions{}, resp.ErrNotInteger
			}
			o.MinMatchLen = max(n, 0)
		default:
			return lcsOptions{}, resp.ErrSyntax
		}
	}
	if o.Idx && o.Len {
		return lcsOptions{}, resp.ErrLCSLenAndIdx
	}
	return o, ""
}

func lcsCommand(c *Ctx) {
	// Redis checks the keys' types before the options.
	var strs [2][]byte
	for i := range strs {
		v, found := c.DB.Lookup(c.Args[1+i])
		if !found {
			continue
		}
		s, isString := v.(*datatypes.String)
		if !isString {
			c.W.Error(resp.ErrLCSNotStrings)
			return
		}
		strs[i] = s.Bytes()
	}
	opts, errMsg := parseLCS(c.Args)
	if errMsg != "" {
		c.W.Error(errMsg)
		return
	}
	a, b := strs[0], strs[1]
	// The table takes (len(a)+1)*(len(b)+1) 32-bit cells.
	cells := uint64(len(a)+1) * uint64(len(b)+1)
	if cells > uint64(maxBulkLen(c))/4 {
		c.W.Error(resp.ErrLCSTooMuchMemory)
		return
	}
	writeLCS(c, a, b, opts)
}

// lcsRange is one matching range of LCS IDX, inclusive.
type lcsRange struct {
	aStart, aEnd, bStart, bEnd int
}

// writeLCS computes the longest common subsequence of a and b by dynamic
// programming and replies with it, its length, or its matching ranges,
// walking the table back from the end exactly as Redis does so that ties
// resolve the same way.
func writeLCS(c *Ctx, a, b []byte, opts lcsOptions) {
	width := len(b) + 1
	dp := make([]uint32, (len(a)+1)*width)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				dp[i*width+j] = dp[(i-1)*width+j-1] + 1
			} else {
				dp[i*width+j] = max(dp[(i-1)*width+j], dp[i*width+j-1])
			}
		}
	}
	total := int(dp[len(a)*width+len(b)])
	if opts.Len {
		c.W.Int(int64(total))
		return
	}

	result := make([]byte, total)
	var ranges []lcsRange
	idx := total
	// cur is the range being extended; cur.aStart < 0 when there is none.
	cur := lcsRange{aStart: -1}
	for i, j := len(a), len(b); i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			if cur.aStart < 0 {
				cur = lcsRange{aStart: i - 1, aEnd: i - 1, bStart: j - 1, bEnd: j - 1}
			} else {
				// A match right after a match always continues the range.
				cur.aStart--
				cur.bStart--
			}
			// The range ends at the start of either string.
			emit = cur.aStart == 0 || cur.bStart == 0
			idx--
			i--
			j--
		} else {
			if dp[(i-1)*width+j] > dp[i*width+j-1] {
				i--
			} else {
				j--
			}
			emit = cur.aStart >= 0
		}
		if emit {
			if n := int64(cur.aEnd - cur.aStart + 1); opts.MinMatchLen == 0 || n >= opts.MinMatchLen {
				ranges = append(ranges, cur)
			}
			cur.aStart = -1
		}
	}
	if !opts.Idx {
		c.W.Bulk(result)
		return
	}
	c.W.Map(2)
	c.W.BulkString("matches")
	c.W.Array(len(ranges))
	for _, r := range ranges {
		if opts.WithMatchLen {
			c.W.Array(3)
		} else {
			c.W.Array(2)
		}
		c.W.Array(2)
		c.W.Int(int64(r.aStart))
		c.W.Int(int64(r.aEnd))
		c.W.Array(2)
		c.W.Int(int64(r.bStart))
		c.W.Int(int64(r.bEnd))
		if opts.WithMatchLen {
			c.W.Int(int64(r.aEnd - r.aStart + 1))
		}
	}
	c.W.BulkString("len")
	c.W.Int(int64(total))
}
