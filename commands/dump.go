package commands

import (
	"errors"
	"strconv"

	"github.com/cairn-db/cairn/rdb"
	"github.com/cairn-db/cairn/resp"
)

// DUMP and RESTORE, with Redis 7.0's payload (package rdb).
func dumpCommands() []*Command {
	return []*Command{
		{Name: "dump", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "generic", Since: "2.6.0", Summary: "Return a serialized version of the value stored at the specified key.",
			Complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
			Syntax:     "key", Run: dumpCommand},
		{Name: "restore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: KeyOW | KeyUpdate,
			Group: "generic", Since: "2.6.0", Summary: "Create a key using the provided serialized value, previously obtained using DUMP.",
			Complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
			Syntax:     "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]", Run: restoreCommand},
	}
}

func dumpCommand(c *Ctx) {
	v, found := c.DB.Lookup(c.Args[1])
	if !found {
		c.W.Null()
		return
	}
	c.W.Bulk(c.dumper.Dump(v))
}

// restoreArgs are RESTORE's options.
type restoreArgs struct {
	replace, absTTL bool
	// idle and freq are IDLETIME's and FREQ's values, -1 if not given.
	idle, freq int64
}

// parseRestore reads the options after the payload as Redis does: an
// IDLETIME after a FREQ, or the reverse, is a syntax error, and values
// are checked as they come.
func parseRestore(c *Ctx) (restoreArgs, bool) {
	a := restoreArgs{idle: -1, freq: -1}
	for i := 4; i < len(c.Args); i++ {
		more := i+1 < len(c.Args)
		switch arg := c.Args[i]; {
		case tokenIs(arg, "replace"):
			a.replace = true
		case tokenIs(arg, "absttl"):
			a.absTTL = true
		case tokenIs(arg, "idletime") && more && a.freq == -1:
			n, ok := c.Int(i + 1)
			if !ok {
				return a, false
			}
			if n < 0 {
				c.W.Error(resp.ErrRestoreIdle)
				return a, false
			}
			a.idle = n
			i++
		case tokenIs(arg, "freq") && more && a.idle == -1:
			n, ok := c.Int(i + 1)
			if !ok {
				return a, false
			}
			if n < 0 || n > 255 {
				c.W.Error(resp.ErrRestoreFreq)
				return a, false
			}
			a.freq = n
			i++
		default:
			c.W.Error(resp.ErrSyntax)
			return a, false
		}
	}
	return a, true
}

// restoreCommand checks in Redis's order: options, an existing key, the
// TTL, the payload's footer, then its contents. A TTL already past
// creates nothing (deleting the key it replaces, recorded as DEL); a
// relative TTL is recorded as an absolute one with ABSTTL, so that replay
// sets the same expiry time.
func restoreCommand(c *Ctx) {
	a, ok := parseRestore(c)
	if !ok {
		return
	}
	key := c.Args[1]
	if !a.replace && c.DB.ExistsWrite(key) {
		c.W.Error(resp.ErrBusyKey)
		return
	}
	ttl, ok := c.Int(2)
	if !ok {
		return
	}
	if ttl < 0 {
		c.W.Error(resp.ErrRestoreTTL)
		return
	}
	v, err := rdb.Restore(c.Args[3], c.Limits())
	if err != nil {
		if errors.Is(err, rdb.ErrPayload) {
			c.W.Error(resp.ErrDumpPayload)
		} else {
			c.W.Error(resp.ErrBadDataFormat)
		}
		return
	}
	deleted := a.replace && c.DB.Delete(key)
	at := ttl
	if ttl != 0 && !a.absTTL {
		at += c.KS.Now()
	}
	if ttl != 0 && c.KS.IsExpired(at) {
		if deleted {
			c.Emit([]byte("DEL"), key)
		}
		c.W.OK()
		return
	}
	c.DB.SetWithExpire(key, v, at)
	c.DB.RestoreAccess(key, a.idle, a.freq)
	if ttl != 0 && !a.absTTL {
		args := append([][]byte{}, c.Args...)
		args[2] = strconv.AppendInt(nil, at, 10)
		c.Emit(append(args, []byte("ABSTTL"))...)
	} else {
		c.Propagate()
	}
	c.W.OK()
}
