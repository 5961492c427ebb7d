package commands

import (
	"math"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/resp"
)

const expireConditionSyntax = " [condition: NX | XX | GT | LT]"

func expireCommands() []*Command {
	return []*Command{
		{Name: "expire", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyUpdate, Group: "generic", Since: "1.0.0", Complexity: "O(1)", Summary: "Set a key's time to live in seconds",
			Syntax: "key seconds" + expireConditionSyntax, Run: expireCommand},
		{Name: "expireat", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyUpdate, Group: "generic", Since: "1.2.0", Complexity: "O(1)", Summary: "Set the expiration for a key as a UNIX timestamp",
			Syntax: "key unix-time-seconds" + expireConditionSyntax, Run: expireatCommand},
		{Name: "expiretime", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "generic", Since: "7.0.0", Complexity: "O(1)", Summary: "Get the expiration Unix timestamp for a key",
			Syntax: "key", Run: expiretimeCommand},
		{Name: "persist", Arity: 2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyUpdate, Group: "generic", Since: "2.2.0", Complexity: "O(1)", Summary: "Remove the expiration from a key",
			Syntax: "key", Run: persistCommand},
		{Name: "pexpire", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyUpdate, Group: "generic", Since: "2.6.0", Complexity: "O(1)", Summary: "Set a key's time to live in milliseconds",
			Syntax: "key milliseconds" + expireConditionSyntax, Run: pexpireCommand},
		{Name: "pexpireat", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyUpdate, Group: "generic", Since: "2.6.0", Complexity: "O(1)",
			Summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
			Syntax:  "key unix-time-milliseconds" + expireConditionSyntax, Run: pexpireatCommand},
		{Name: "pexpiretime", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "generic", Since: "7.0.0", Complexity: "O(1)", Summary: "Get the expiration Unix timestamp for a key in milliseconds",
			Syntax: "key", Run: pexpiretimeCommand},
		{Name: "pttl", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "generic", Since: "2.6.0", Complexity: "O(1)", Summary: "Get the time to live for a key in milliseconds",
			Syntax: "key", Run: pttlCommand},
		{Name: "ttl", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "generic", Since: "1.0.0", Complexity: "O(1)", Summary: "Get the time to live for a key in seconds",
			Syntax: "key", Run: ttlCommand},
	}
}

// expireCondition is the NX/XX/GT/LT option of the EXPIRE family.
type expireCondition uint8

const (
	expireNX expireCondition = 1 << iota
	expireXX
	expireGT
	expireLT
)

// parseExpireCondition parses the options after the time, writing Redis's
// error if they are unknown or contradict each other. Repeating an option
// is allowed.
func parseExpireCondition(c *Ctx) (expireCondition, bool) {
	var cond expireCondition
	for _, opt := range c.Args[3:] {
		switch strings.ToLower(string(opt)) {
		case "nx":
			cond |= expireNX
		case "xx":
			cond |= expireXX
		case "gt":
			cond |= expireGT
		case "lt":
			cond |= expireLT
		default:
			c.W.Error(resp.ErrUnsupportedOption(opt))
			return 0, false
		}
	}
	if cond&expireNX != 0 && cond&(expireXX|expireGT|expireLT) != 0 {
		c.W.Error(resp.ErrExpireNXAndOthers)
		return 0, false
	}
	if cond&expireGT != 0 && cond&expireLT != 0 {
		c.W.Error(resp.ErrExpireGTAndLT)
		return 0, false
	}
	return cond, true
}

// allows reports whether the condition lets a key whose expiry time is
// current (0 for none) get the new time when.
func (cond expireCondition) allows(current, when int64) bool {
	switch {
	case cond&expireNX != 0 && current != 0:
		return false
	case cond&expireXX != 0 && current == 0:
		return false
	case cond&expireGT != 0 && (current == 0 || when <= current):
		// No expiry time counts as an infinite one, which nothing exceeds.
		return false
	case cond&expireLT != 0 && current != 0 && when >= current:
		return false
	}
	return true
}

// expireGeneric is Redis's expireGenericCommand: the time argument is
// relative to base (0 for the absolute forms) in seconds or milliseconds.
// A time already past deletes the key and records DEL; otherwise the
// effect is PEXPIREAT with the absolute time in milliseconds.
func expireGeneric(c *Ctx, base int64, seconds bool) {
	cond, ok := parseExpireCondition(c)
	if !ok {
		return
	}
	when, ok := c.Int(2)
	if !ok {
		return
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.W.Error(resp.ErrInvalidExpire(c.Cmd.Name))
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		c.W.Error(resp.ErrInvalidExpire(c.Cmd.Name))
		return
	}
	when += base

	key := c.Args[1]
	if found := c.DB.ExistsWrite(key); !found {
		c.W.Int(0)
		return
	}
	if cond != 0 {
		current, _ := c.DB.ExpireAt(key)
		if !cond.allows(current, when) {
			c.W.Int(0)
			return
		}
	}
	if c.KS.IsExpired(when) {
		c.DB.Delete(key)
		c.Emit([]byte("DEL"), key)
		c.W.Int(1)
		return
	}
	c.DB.SetExpire(key, when)
	c.Emit([]byte("PEXPIREAT"), key, strconv.AppendInt(nil, when, 10))
	c.W.Int(1)
}

func expireCommand(c *Ctx)    { expireGeneric(c, c.KS.Now(), true) }
func pexpireCommand(c *Ctx)   { expireGeneric(c, c.KS.Now(), false) }
func expireatCommand(c *Ctx)  { expireGeneric(c, 0, true) }
func pexpireatCommand(c *Ctx) { expireGeneric(c, 0, false) }

// ttlGeneric is Redis's ttlGenericCommand: -2 for a missing key, -1 for
// one without expiry time, else the time left (or the absolute time) in
// milliseconds or in seconds rounded to the nearest.
func ttlGeneric(c *Ctx, ms, absolute bool) {
	key := c.Args[1]
	if _, found := c.DB.LookupNoTouch(key); !found {
		c.W.Int(-2)
		return
	}
	at, _ := c.DB.ExpireAt(key)
	if at == 0 {
		c.W.Int(-1)
		return
	}
	t := at
	if !absolute {
		t = max(at-c.KS.Now(), 0)
	}
	if !ms {
		t = roundToSeconds(t)
	}
	c.W.Int(t)
}

// roundToSeconds is Redis's (ms+500)/1000 without its overflow: EXPIRETIME
// of a key expiring at math.MaxInt64 ms reports 9223372036854776 there.
func roundToSeconds(ms int64) int64 {
	if ms < 0 {
		return (ms + 500) / 1000
	}
	return ms/1000 + (ms%1000+500)/1000
}

func ttlCommand(c *Ctx)         { ttlGeneric(c, false, false) }
func pttlCommand(c *Ctx)        { ttlGeneric(c, true, false) }
func expiretimeCommand(c *Ctx)  { ttlGeneric(c, false, true) }
func pexpiretimeCommand(c *Ctx) { ttlGeneric(c, true, true) }

func persistCommand(c *Ctx) {
	key := c.Args[1]
	if found := c.DB.ExistsWrite(key); !found || !c.DB.Persist(key) {
		c.W.Int(0)
		return
	}
	c.Propagate()
	c.W.Int(1)
}
