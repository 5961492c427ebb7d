package commands

import (
	"strconv"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/keyspace"
)

// Keyspace notifications (notify-keyspace-events): every change is
// published as Redis publishes it, on __keyspace@<db>__:<key> with the
// event as the message and on __keyevent@<db>__:<event> with the key.
//
// The events come from the effects every change records, not from the
// handlers: onEffect passes each effect to notifyEffect, which names its
// events from the effect's arguments and its cause, the command running
// (notifyState.cmd) or the expiry or eviction of a key. An expiry is
// recorded as DEL whether the active cycle or a lookup found it, so both
// send expired. The keyspace's hooks add the two events no effect records:
// new, when a key is added to a database, and keymiss, when a read finds
// no key. With notify-keyspace-events empty none of this runs: onEffect
// tests one field, and the keyspace has no hooks.

// notifyState is the engine's side of keyspace notifications. Guarded by
// the keyspace lock.
type notifyState struct {
	// flags are the classes notify-keyspace-events enables.
	flags config.KeyspaceEvents
	// cmd is the command running, the cause of the effects it records;
	// nil outside commands (the active expiry cycle, eviction).
	cmd *Command
	// created are the keys added to a database since the last effect
	// (keyspace hooks' onNew), whose new events wait for it: Redis sends
	// new when the key is added, before the command's own event, and a
	// few commands (SMOVE) send events for other keys first.
	created []dbKey
	// channel is a scratch buffer for channel names.
	channel []byte
}

type dbKey struct {
	db  int
	key string
}

// applyNotify takes notify-keyspace-events from the configuration, when
// the engine starts and after CONFIG SET, and sets the keyspace's hooks
// for the classes that need them. The caller holds the keyspace lock.
func (e *Engine) applyNotify(cfg *config.Config) {
	n := &e.notify
	n.flags = cfg.NotifyKeyspaceEvents
	if n.flags&(config.NotifyKeyspace|config.NotifyKeyevent) == 0 {
		// No channel to send anything on.
		n.flags = 0
	}
	var onNew, onMiss func(int, []byte)
	if n.flags&config.NotifyNew != 0 {
		onNew = e.keyCreated
	}
	if n.flags&config.NotifyKeyMiss != 0 {
		onMiss = e.keyMissed
	}
	e.KS.SetKeyHooks(onNew, onMiss)
	n.created = n.created[:0]
}

// keyCreated is the keyspace's hook for a key added to a database.
func (e *Engine) keyCreated(db int, key []byte) {
	n := &e.notify
	if n.cmd != nil {
		switch n.cmd.Name {
		case "copy", "restore", "rename", "renamenx":
			// Their effects send new themselves: Redis sends it even
			// for a key they replace.
			return
		}
	}
	n.created = append(n.created, dbKey{db, string(key)})
}

// keyMissed is the keyspace's hook for a read lookup that found no key.
func (e *Engine) keyMissed(db int, key []byte) {
	e.notifyEvent(config.NotifyKeyMiss, "keymiss", db, key)
}

// notifyEvent publishes one event, as Redis's notifyKeyspaceEvent: on
// the key's keyspace channel first, then on the event's keyevent channel.
func (e *Engine) notifyEvent(class config.KeyspaceEvents, event string, db int, key []byte) {
	n := &e.notify
	if n.flags&class == 0 {
		return
	}
	if n.flags&config.NotifyKeyspace != 0 {
		e.Publish(n.channelName("__keyspace@", db, key), []byte(event))
	}
	if n.flags&config.NotifyKeyevent != 0 {
		e.Publish(n.channelName("__keyevent@", db, []byte(event)), key)
	}
}

// channelName is prefix<db>__:name in the scratch buffer.
func (n *notifyState) channelName(prefix string, db int, name []byte) []byte {
	n.channel = append(n.channel[:0], prefix...)
	n.channel = strconv.AppendInt(n.channel, int64(db), 10)
	n.channel = append(append(n.channel, "__:"...), name...)
	return n.channel
}

// eventClasses are the classes of the events, other than the generic
// ones (del, expire, rename_from...).
var eventClasses = map[string]config.KeyspaceEvents{
	"set": config.NotifyString, "setrange": config.NotifyString, "incrby": config.NotifyString,
	"incrbyfloat": config.NotifyString, "append": config.NotifyString, "setbit": config.NotifyString,
	"pfadd": config.NotifyString,

	"lpush": config.NotifyList, "rpush": config.NotifyList, "lpop": config.NotifyList,
	"rpop": config.NotifyList, "linsert": config.NotifyList, "lset": config.NotifyList,
	"ltrim": config.NotifyList, "lrem": config.NotifyList, "sortstore": config.NotifyList,

	"sadd": config.NotifySet, "srem": config.NotifySet, "spop": config.NotifySet,
	"sinterstore": config.NotifySet, "sunionstore": config.NotifySet, "sdiffstore": config.NotifySet,

	"hset": config.NotifyHash, "hdel": config.NotifyHash, "hincrby": config.NotifyHash,
	"hincrbyfloat": config.NotifyHash,

	"zadd": config.NotifyZSet, "zincr": config.NotifyZSet, "zrem": config.NotifyZSet,
	"zremrangebyscore": config.NotifyZSet, "zremrangebyrank": config.NotifyZSet, "zremrangebylex": config.NotifyZSet,
	"zpopmin": config.NotifyZSet, "zpopmax": config.NotifyZSet, "zunionstore": config.NotifyZSet,
	"zinterstore": config.NotifyZSet, "zdiffstore": config.NotifyZSet, "zrangestore": config.NotifyZSet,
	"georadiusstore": config.NotifyZSet, "geosearchstore": config.NotifyZSet,
}

// event publishes a key's event, preceded by its new event if the key was
// just added.
func (e *Engine) event(event string, db int, key []byte) {
	e.sendCreated(db, key)
	class, ok := eventClasses[event]
	if !ok {
		class = config.NotifyGeneric
	}
	e.notifyEvent(class, event, db, key)
}

// notifyUnchanged publishes the event of a command that changed nothing
// (signalUnchanged).
func (c *Ctx) notifyUnchanged(event string, key []byte) {
	if c.notify.flags != 0 {
		c.event(event, c.DB.Index(), key)
	}
}

// notifySetExpired publishes the events of a SET, of a key that did not
// exist, with a time already past, which records no effect: Redis adds
// the key (new, set, expire) and expires it when it next finds it, cairn
// never adds it.
func (c *Ctx) notifySetExpired(key []byte) {
	if c.notify.flags == 0 {
		return
	}
	c.notifyEvent(config.NotifyNew, "new", c.DB.Index(), key)
	c.setExpiredEvents(c.DB.Index(), key)
}

// setExpiredEvents are the events of a SET with a time already past:
// Redis stores the key and expires it when it next finds it; cairn
// never keeps it.
func (e *Engine) setExpiredEvents(db int, key []byte) {
	e.event("set", db, key)
	e.event("expire", db, key)
	e.notifyEvent(config.NotifyExpired, "expired", db, key)
}

// sendCreated publishes the new event waiting for key, if there is one.
func (e *Engine) sendCreated(db int, key []byte) {
	n := &e.notify
	for i, c := range n.created {
		if c.db == db && c.key == string(key) {
			n.created = append(n.created[:i], n.created[i+1:]...)
			e.notifyEvent(config.NotifyNew, "new", db, key)
			return
		}
	}
}

// sendAllCreated publishes the new events still waiting.
func (e *Engine) sendAllCreated() {
	n := &e.notify
	for len(n.created) > 0 {
		c := n.created[0]
		n.created = n.created[1:]
		e.notifyEvent(config.NotifyNew, "new", c.db, []byte(c.key))
	}
	n.created = n.created[:0]
}

// elementEvent publishes the event of a command that took elements out
// of a collection, then del if that emptied it, as Redis's commands do.
func (e *Engine) elementEvent(event string, db int, key []byte) {
	e.event(event, db, key)
	if stored, _ := e.KS.DB(db).Stored(key); !stored {
		e.notifyEvent(config.NotifyGeneric, "del", db, key)
	}
}

// notifyEffect publishes the events of one effect, in Redis's order.
func (e *Engine) notifyEffect(ef keyspace.Effect) {
	args := ef.Args
	if len(args) < 2 {
		e.sendAllCreated()
		return
	}
	db, key := ef.DB, args[1]
	switch ef.Cause {
	case keyspace.CauseExpired:
		e.notifyEvent(config.NotifyExpired, "expired", db, key)
		return
	case keyspace.CauseEvicted:
		e.notifyEvent(config.NotifyEvicted, "evicted", db, key)
		return
	}
	cause := ""
	if e.notify.cmd != nil {
		cause = e.notify.cmd.Name
	}
	switch name := lowerASCII(args[0]); name {
	case "del", "unlink":
		switch cause {
		case "set":
			// SET of a key with a time already past.
			e.setExpiredEvents(db, key)
			return
		case "sort", "spop":
			// SORT STORE records its result as DEL and RPUSH, and SPOP a
			// set it re-encoded as DEL, SADD and PEXPIREAT: a DEL that
			// leaves the key begins such a rewrite.
			if stored, _ := e.KS.DB(db).Stored(key); stored {
				return
			}
			if cause == "spop" {
				e.elementEvent("spop", db, key)
				return
			}
		}
		for _, k := range args[1:] {
			e.event("del", db, k)
		}
	case "set", "setnx", "getset":
		ev := "set"
		switch cause {
		case "incrbyfloat", "setrange", "append", "setbit":
			ev = cause
		case "bitfield":
			ev = "setbit"
		}
		e.event(ev, db, key)
		for _, a := range args[3:] {
			if tokenIs(a, "pxat") || tokenIs(a, "px") || tokenIs(a, "ex") || tokenIs(a, "exat") {
				e.event("expire", db, key)
			}
		}
	case "setex", "psetex":
		e.event("set", db, key)
		e.event("expire", db, key)
	case "mset", "msetnx":
		for i := 1; i < len(args); i += 2 {
			e.event("set", db, args[i])
		}
	case "incr", "decr", "incrby", "decrby":
		e.event("incrby", db, key)
	case "incrbyfloat", "append", "setrange", "setbit", "persist":
		e.event(name, db, key)
	case "bitfield":
		e.event("setbit", db, key)
	case "bitop":
		if len(args) > 2 {
			e.event("set", db, args[2])
		}
	case "expire", "pexpire", "expireat", "pexpireat":
		if cause != "spop" {
			e.event("expire", db, key)
		}
	case "rename", "renamenx":
		if len(args) > 2 {
			e.notifyEvent(config.NotifyNew, "new", db, args[2])
			e.event("rename_from", db, key)
			e.event("rename_to", db, args[2])
		}
	case "move":
		if len(args) < 3 {
			break
		}
		if to, ok := dbArg(args[2]); ok {
			e.sendCreated(to, key)
			e.event("move_from", db, key)
			e.event("move_to", to, key)
		}
	case "copy":
		if len(args) > 2 {
			to := db
			for i := 3; i+1 < len(args); i++ {
				if n, ok := dbArg(args[i+1]); ok && tokenIs(args[i], "db") {
					to = n
				}
			}
			e.notifyEvent(config.NotifyNew, "new", to, args[2])
			e.event("copy_to", to, args[2])
		}
	case "restore":
		e.notifyEvent(config.NotifyNew, "new", db, key)
		e.event("restore", db, key)
	case "lpush", "lpushx", "rpush", "rpushx":
		switch {
		case cause == "sort":
			e.event("sortstore", db, key)
		case name[0] == 'l':
			e.event("lpush", db, key)
		default:
			e.event("rpush", db, key)
		}
	case "lpop", "rpop", "linsert", "lset", "ltrim", "lrem":
		e.elementEvent(name, db, key)
	case "lmpop":
		// LMPOP numkeys key... LEFT|RIGHT [COUNT n], recorded with one key.
		if len(args) > 3 {
			ev := "rpop"
			if tokenIs(args[3], "left") {
				ev = "lpop"
			}
			e.elementEvent(ev, db, args[2])
		}
	case "lmove", "blmove", "rpoplpush", "brpoplpush":
		if len(args) < 3 {
			break
		}
		from, to := "rpop", "lpush"
		if len(args) > 4 {
			if tokenIs(args[3], "left") {
				from = "lpop"
			}
			if tokenIs(args[4], "right") {
				to = "rpush"
			}
		}
		e.event(to, db, args[2])
		e.elementEvent(from, db, key)
	case "sadd":
		if cause == "spop" {
			e.event("spop", db, key)
		} else {
			e.event("sadd", db, key)
		}
	case "srem", "spop":
		ev := "srem"
		if cause == "spop" {
			ev = "spop"
		}
		e.elementEvent(ev, db, key)
	case "smove":
		if len(args) > 2 {
			e.elementEvent("srem", db, key)
			e.event("sadd", db, args[2])
		}
	case "sort":
		if pos := sortKeys(args); len(pos) > 1 {
			e.event("sortstore", db, args[pos[1]])
		}
	case "sinterstore", "sunionstore", "sdiffstore", "zunionstore", "zinterstore", "zdiffstore", "zrangestore":
		// An empty result deleted the destination.
		if stored, _ := e.KS.DB(db).Stored(key); stored {
			e.event(name, db, key)
		} else {
			e.event("del", db, key)
		}
	case "hset", "hmset", "hsetnx":
		ev := "hset"
		if cause == "hincrbyfloat" {
			ev = cause
		}
		e.event(ev, db, key)
	case "hincrby", "hincrbyfloat":
		e.event(name, db, key)
	case "hdel":
		e.elementEvent("hdel", db, key)
	case "zadd":
		ev := "zadd"
	options:
		for _, a := range args[2:] {
			switch {
			case tokenIs(a, "incr"):
				ev = "zincr"
			case !tokenIs(a, "nx") && !tokenIs(a, "xx") && !tokenIs(a, "gt") && !tokenIs(a, "lt") && !tokenIs(a, "ch"):
				break options
			}
		}
		e.event(ev, db, key)
	case "zincrby":
		e.event("zincr", db, key)
	case "zrem", "zpopmin", "zpopmax", "zremrangebyscore", "zremrangebyrank", "zremrangebylex":
		e.elementEvent(name, db, key)
	case "geoadd":
		e.event("zadd", db, key)
	case "geosearchstore":
		ev := "geosearchstore"
		if cause == "georadius" || cause == "georadiusbymember" {
			ev = "georadiusstore"
		}
		e.event(ev, db, key)
	case "pfadd", "pfmerge":
		e.event("pfadd", db, key)
	}
	e.sendAllCreated()
}
