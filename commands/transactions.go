package commands

import (
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/acl"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/resp"
)

// The transactions group: MULTI, EXEC, DISCARD, WATCH and UNWATCH.
//
// The dispatcher queues a client's commands between MULTI and EXEC
// (queueCommand); EXEC runs them with the keyspace lock it already holds,
// so nothing runs in between and their effects reach the log in the same
// unit. WATCH needs no help from the handlers: every change to the
// keyspace is recorded as an effect, and the keyspace hands each one to
// onEffect, which finds the keys it wrote from the command table.

func transactionCommands() []*Command {
	const flags = FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy
	return []*Command{
		{Name: "discard", Arity: 1, Flags: flags, Group: "transactions", Since: "2.0.0",
			Complexity: "O(N), when N is the number of queued commands",
			Summary:    "Discard all commands issued after MULTI", Run: discardCommand},
		{Name: "exec", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagSkipSlowlog,
			Group: "transactions", Since: "1.2.0", Complexity: "Depends on commands in the transaction",
			Summary: "Execute all commands issued after MULTI", Run: execCommand},
		{Name: "multi", Arity: 1, Flags: flags, Group: "transactions", Since: "1.2.0", Complexity: "O(1)",
			Summary: "Mark the start of a transaction block", Run: multiCommand},
		{Name: "unwatch", Arity: 1, Flags: flags, Group: "transactions", Since: "2.2.0", Complexity: "O(1)",
			Summary: "Forget about all watched keys", Run: unwatchCommand},
		{Name: "watch", Arity: -2, Flags: flags, FirstKey: 1, LastKey: -1, Step: 1,
			Group: "transactions", Since: "2.2.0", Complexity: "O(1) for every key.",
			Summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
			Syntax:  "key [key ...]", Run: watchCommand},
	}
}

// txState is a client's transaction: the commands queued since MULTI and
// the keys it watches. Guarded by the keyspace lock.
type txState struct {
	// multi is set from MULTI until EXEC, DISCARD or RESET.
	multi bool
	// queue holds the commands to run at EXEC; flags is the union of
	// their flags (CLIENT PAUSE WRITE holds back an EXEC that writes) and
	// mem their size as CLIENT LIST's multi-mem counts it.
	queue []queuedCommand
	flags Flag
	mem   int
	// aborted is set when a command was refused while queueing: EXEC
	// then discards the transaction with EXECABORT.
	aborted bool
	// execing is set while EXEC runs the queue.
	execing bool
	// dirty is set when a watched key was changed: EXEC then fails. It
	// stays set, with nothing watched any more, until EXEC, DISCARD,
	// UNWATCH or RESET.
	dirty bool
	// watched are the client's watches, each also listed in
	// Engine.tx.byDB.
	watched []*watchedKey
}

type queuedCommand struct {
	cmd  *Command
	args [][]byte
}

// watchedKey is one key a client watches.
type watchedKey struct {
	cl  *Client
	db  int
	key string
	// stored is whether the key was in the database, live or not yet
	// reclaimed, when last known. FLUSHDB and SWAPDB must know whether a
	// watched key existed before them, and their effects are recorded
	// after the fact; any other change of the key makes the client dirty.
	stored bool
	// expired is Redis's flag for a key that was already expired when
	// watched (or that SWAPDB brought in expired): reclaiming it changes
	// nothing logically, and EXEC does not fail for it.
	expired bool
}

// txEngine is the engine's transaction state. Guarded by the keyspace
// lock.
type txEngine struct {
	// byDB[db][key] are the watches on key in database db; byDB is nil
	// until the first WATCH. count is the number of watches, so that
	// effects cost nothing while nobody watches.
	byDB  []map[string][]*watchedKey
	count int
	// execing is the client whose EXEC is running, if any: nothing may
	// wait for a CLIENT PAUSE until it is over.
	execing *Client
	// dirtied collects the clients an effect makes dirty, reused.
	dirtied []*Client
}

// InExec reports whether the client's EXEC is running its queue. A
// blocking command then must not block: it replies at once as it would
// on timeout, as Redis's commands do for a client with
// CLIENT_DENY_BLOCKING.
func (cl *Client) InExec() bool { return cl.tx.execing }

// queuedCount is CLIENT LIST's multi: the number of queued commands, -1
// outside MULTI.
func (t *txState) queuedCount() int {
	if !t.multi {
		return -1
	}
	return len(t.queue)
}

// queueCommand queues cmd if cl is between MULTI and EXEC, replying
// QUEUED, and reports whether it did. The commands that act on the
// transaction or the connection themselves run at once, as in Redis's
// processCommand. Once the transaction is aborted nothing more is kept,
// as EXEC will only discard it. It touches nothing but cl: ExecBusy
// calls it too.
//
// The arguments are kept as they are, not copied: no caller of Exec
// reuses them. redcon copies each command out of its read buffer and
// slices its arguments from that copy (Reader.readCommands), the replay's
// effects are never transactions, and a script cannot queue (MULTI is
// no-script).
func (e *Engine) queueCommand(cl *Client, cmd *Command, args [][]byte, flags Flag) bool {
	t := &cl.tx
	if !t.multi || t.execing {
		return false
	}
	switch cmd.Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return false
	}
	if !t.aborted {
		t.queue = append(t.queue, queuedCommand{cmd: cmd, args: args})
		t.flags |= flags
		// Redis counts the argument bytes and a pointer per argument.
		t.mem += 8 * len(args)
		for _, a := range args {
			t.mem += len(a)
		}
	}
	cl.W.Status("QUEUED")
	return true
}

// cloneArgs copies arguments into one allocation, for a caller that keeps
// them past the command. Exec's arguments are not reused (see
// queueCommand), so the copy only detaches them from the request's
// other bytes.
func cloneArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		out[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	return out
}

// reject writes the error that refuses a command before it runs (unknown
// command, wrong arity, not authenticated...). As Redis's rejectCommand
// it aborts the transaction being queued, and a refused EXEC discards
// the transaction, in MULTI or not, with an EXECABORT that gives the
// reason. cmd is nil for an unknown command or subcommand.
func (e *Engine) reject(cl *Client, cmd *Command, msg string) {
	rejectCommand(cl, cmd, msg, e.discardTransaction)
}

// rejectCommand is reject with the way to discard the transaction: while
// a script is busy, ExecBusy leaves the watches to the end of the script.
func rejectCommand(cl *Client, cmd *Command, msg string, discard func(*Client)) {
	if cl.tx.multi {
		cl.tx.aborted = true
	}
	if cmd != nil && cmd.Name == "exec" {
		discard(cl)
		// Redis formats its own errors without the "ERR " it adds when
		// replying, and keeps the code of the others (NOAUTH).
		cl.W.Error(resp.ErrExecAbortedBecause(strings.TrimPrefix(msg, "ERR ")))
		return
	}
	cl.W.Error(msg)
}

// rejectNoMulti refuses a command flagged no-multi inside MULTI and
// reports whether it did.
func (e *Engine) rejectNoMulti(cl *Client, cmd *Command) bool {
	if !cl.tx.multi || cmd.Flags&FlagNoMulti == 0 {
		return false
	}
	cmd.Stats.RejectedCalls++
	e.reject(cl, cmd, resp.ErrNotInMulti)
	return true
}

// pausedForExec reports whether CLIENT PAUSE WRITE holds back cmd because
// it is an EXEC whose queue writes, as Redis 7.0 does. It is asked after
// pausedFor, which lifts a pause whose time is up.
func (e *Engine) pausedForExec(cl *Client, cmd *Command) bool {
	return e.pause.mode == pauseWrite && cmd.Name == "exec" && cl.tx.multi &&
		cl.tx.flags&(FlagWrite|FlagMayReplicate) != 0
}

// nestedExec reports whether an EXEC is running its queue: whatever runs
// then is part of it and must neither wait nor let other clients in.
func (e *Engine) nestedExec() bool { return e.tx.execing != nil }

// discardTransaction ends cl's transaction and forgets its watches. The
// caller holds the keyspace lock.
func (e *Engine) discardTransaction(cl *Client) {
	e.unwatchAll(cl)
	cl.tx = txState{watched: cl.tx.watched[:0]}
}

func multiCommand(c *Ctx) {
	t := &c.Client.tx
	if t.multi {
		c.W.Error(resp.ErrMultiNested)
		return
	}
	t.multi = true
	c.W.OK()
}

func discardCommand(c *Ctx) {
	if !c.Client.tx.multi {
		c.W.Error(resp.ErrDiscardWithoutMulti)
		return
	}
	c.discardTransaction(c.Client)
	c.W.OK()
}

// execCommand runs the queued commands in order and replies with the
// array of their replies; a command that fails does not undo the others.
// A watched key that was changed, or has expired since, makes EXEC reply
// with the null array instead, and a command refused while queueing with
// EXECABORT; either way nothing runs. The lock is held throughout.
func execCommand(c *Ctx) {
	// A queued EVAL reuses the engine's Ctx, which c may be: keep what
	// is needed and put c back at the end.
	saved := *c
	e, cl := c.Engine, c.Client
	t := &cl.tx
	switch {
	case !t.multi:
		c.W.Error(resp.ErrExecWithoutMulti)
		return
	case t.aborted:
		e.discardTransaction(cl)
		c.W.Error(resp.ErrExecAbort)
		return
	case t.dirty || e.watchedKeyExpired(cl):
		e.discardTransaction(cl)
		c.W.NullArray()
		return
	}
	e.unwatchAll(cl)
	t.execing = true
	e.tx.execing = cl
	cl.W.Array(len(t.queue))
	var nc Ctx
	for _, q := range t.queue {
		// The rules may have changed since the command was queued.
		if d, pos := checkACL(cl, cl.User, q.cmd, q.args); d != acl.Allowed {
			e.logDenial(cl, d, acl.Multi, q.cmd, q.args, pos)
			cl.W.Error("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. " +
				"This command is no longer allowed for the following reason: " + denialTexts[d].exec)
			continue
		}
		e.runQueued(&nc, cl, q)
	}
	e.tx.execing = nil
	e.discardTransaction(cl)
	*c = saved
}

// runQueued runs one queued command as the dispatcher runs a command,
// statistics included, but without its checks (done when it was queued),
// its wait for a CLIENT PAUSE, or a new time: the whole transaction sees
// one time, as in Redis, so no key expires half-way through it.
func (e *Engine) runQueued(c *Ctx, cl *Client, q queuedCommand) {
	*c = Ctx{Engine: e, Args: q.args, Client: cl, DB: e.KS.DB(cl.DB), W: &cl.W, Cmd: q.cmd}
	cl.argvMem = 0
	for _, a := range q.args {
		cl.argvMem += len(a)
	}
	e.runCounted(c)
	cl.argvMem = 0
}

func watchCommand(c *Ctx) {
	cl := c.Client
	if cl.tx.multi {
		c.W.Error(resp.ErrWatchInMulti)
		return
	}
	// A dirty client's EXEC fails whatever it watches.
	if !cl.tx.dirty {
		for _, key := range c.Args[1:] {
			c.watch(cl, c.DB, key)
		}
	}
	c.W.OK()
}

func unwatchCommand(c *Ctx) {
	c.unwatchAll(c.Client)
	c.Client.tx.dirty = false
	c.W.OK()
}

// watch adds a watch of key in db for cl, unless it has one.
func (e *Engine) watch(cl *Client, db *keyspace.DB, key []byte) {
	for _, wk := range cl.tx.watched {
		if wk.db == db.Index() && wk.key == string(key) {
			return
		}
	}
	if e.tx.byDB == nil {
		e.tx.byDB = make([]map[string][]*watchedKey, e.KS.NumDBs())
	}
	keys := e.tx.byDB[db.Index()]
	if keys == nil {
		keys = map[string][]*watchedKey{}
		e.tx.byDB[db.Index()] = keys
	}
	stored, expired := db.Stored(key)
	wk := &watchedKey{cl: cl, db: db.Index(), key: string(key), stored: stored, expired: expired}
	keys[wk.key] = append(keys[wk.key], wk)
	cl.tx.watched = append(cl.tx.watched, wk)
	e.tx.count++
}

// unwatchAll removes all of cl's watches; the dirty flag is the caller's
// business. The caller holds the keyspace lock.
func (e *Engine) unwatchAll(cl *Client) {
	for i, wk := range cl.tx.watched {
		keys := e.tx.byDB[wk.db]
		list := keys[wk.key]
		for j, other := range list {
			if other == wk {
				list[j] = list[len(list)-1]
				list[len(list)-1] = nil
				list = list[:len(list)-1]
				break
			}
		}
		if len(list) == 0 {
			delete(keys, wk.key)
		} else {
			keys[wk.key] = list
		}
		cl.tx.watched[i] = nil
		e.tx.count--
	}
	cl.tx.watched = cl.tx.watched[:0]
}

// watchedKeyExpired reports whether a key cl watches has expired since it
// was watched, which Redis 7.0 counts as a change even before the key is
// reclaimed.
func (e *Engine) watchedKeyExpired(cl *Client) bool {
	for _, wk := range cl.tx.watched {
		if wk.expired {
			continue
		}
		if stored, expired := e.KS.DB(wk.db).Stored([]byte(wk.key)); stored && expired {
			return true
		}
	}
	return false
}

// onEffect is the keyspace's effect hook: the keys an effect changed make
// dirty the clients that WATCH them, and ready the keys blocked pops wait
// for (blocking.go), which serveKey then serves if they hold a list. It
// runs inside Keyspace.Emit with the lock held and must not change the
// keyspace.
func (e *Engine) onEffect(ef keyspace.Effect) {
	if e.tx.count > 0 {
		e.effectKeys(ef, e.touchKey, func(db int, swapped bool) { e.touchAllInDB(db, swapped) })
		e.dirtyCollected()
	}
	if len(e.blocking.queues) > 0 {
		e.effectKeys(ef, e.signalReady, e.signalReadyInDB)
	}
	e.trackEffect(ef)
	if e.notify.flags != 0 {
		e.notifyEffect(ef)
	}
}

// effectKeys calls key for every key an effect changed, and whole for
// every database it changed as a whole: emptied (FLUSHDB, FLUSHALL), or
// swapped (SWAPDB). The keys come from the command table's key positions,
// except for the effects that change whole databases or keys in another
// database, and the commands that only write the first of their keys.
func (e *Engine) effectKeys(ef keyspace.Effect, key func(db int, k []byte), whole func(db int, swapped bool)) {
	args := ef.Args
	if len(args) == 0 {
		return
	}
	switch name := args[0]; {
	case tokenIs(name, "flushall"):
		for db := range e.KS.NumDBs() {
			whole(db, false)
		}
	case tokenIs(name, "flushdb"):
		whole(ef.DB, false)
	case tokenIs(name, "swapdb") && len(args) == 3:
		a, okA := dbArg(args[1])
		b, okB := dbArg(args[2])
		if okA && okB {
			whole(a, true)
			whole(b, true)
		}
	case tokenIs(name, "move") && len(args) == 3:
		key(ef.DB, args[1])
		if db, ok := dbArg(args[2]); ok {
			key(db, args[1])
		}
	case tokenIs(name, "copy") && len(args) >= 3:
		// COPY writes only its destination, maybe in another database.
		db := ef.DB
		for i := 3; i+1 < len(args); i++ {
			if n, ok := dbArg(args[i+1]); ok && tokenIs(args[i], "db") {
				db = n
			}
		}
		key(db, args[2])
	default:
		cmd := e.Table.Lookup(name)
		if cmd == nil {
			return
		}
		if cmd.Subcommands != nil && len(args) >= 2 {
			if cmd = cmd.Subcommands[lowerASCII(args[1])]; cmd == nil {
				return
			}
		}
		for _, p := range writtenKeys(cmd.Name, cmd.KeyPositions(args)) {
			key(ef.DB, args[p])
		}
	}
}

// writtenKeys narrows the key positions of an effect recorded as it ran
// to the keys it writes. The commands that store a result computed from
// other keys, which they only read, touch the destination alone, as Redis
// does: their first key, or SORT's STORE destination, its last.
func writtenKeys(name string, pos []int) []int {
	if len(pos) < 2 {
		return pos
	}
	switch name {
	case "sinterstore", "sunionstore", "sdiffstore", "pfmerge", "bitop",
		"zunionstore", "zinterstore", "zdiffstore", "zrangestore", "geosearchstore":
		return pos[:1]
	case "sort":
		return pos[len(pos)-1:]
	}
	return pos
}

// dbArg parses a database number of an effect that is in range.
func dbArg(b []byte) (int, bool) {
	n, err := strconv.Atoi(string(b))
	return n, err == nil && n >= 0
}

// signalUnchanged is for a command that records no effect because it
// changed nothing, but that Redis reports as a change all the same (LTRIM
// of nothing, HSET of a field's value): it makes dirty the clients
// watching key in the selected database and invalidates key, as Redis's
// signalModifiedKey, and publishes the keyspace notification event.
func (c *Ctx) signalUnchanged(key []byte, event string) {
	c.notifyUnchanged(event, key)
	c.trackModified(key)
	if c.tx.count == 0 {
		return
	}
	c.touchKey(c.DB.Index(), key)
	c.dirtyCollected()
}

// touchKey collects the clients watching key in db, as Redis's
// touchWatchedKey: all of them, except that the reclaiming of a key that
// had already expired when watched is no change.
func (e *Engine) touchKey(db int, key []byte) {
	if db >= len(e.tx.byDB) || e.tx.byDB[db] == nil {
		return
	}
	list := e.tx.byDB[db][string(key)]
	for _, wk := range list {
		if wk.expired {
			if stored, _ := e.KS.DB(db).Stored(key); !stored {
				wk.expired, wk.stored = false, false
				continue
			}
		}
		e.tx.dirtied = append(e.tx.dirtied, wk.cl)
	}
}

// touchAllInDB collects the clients watching keys of database db that
// FLUSHDB, FLUSHALL or SWAPDB changed, as Redis's touchAllWatchedKeysInDb:
// a key that existed before (wk.stored), or, after a SWAPDB, that exists
// now (it came from the other database). A key that did not exist and
// still does not is not touched; nor, as Redis has it, one that was
// expired before and is gone or still expired after, or that was
// replaced by an expired key.
func (e *Engine) touchAllInDB(db int, swapped bool) {
	if db >= len(e.tx.byDB) {
		return
	}
	for key, list := range e.tx.byDB[db] {
		now, nowExpired := false, false
		if swapped {
			now, nowExpired = e.KS.DB(db).Stored([]byte(key))
		}
		for _, wk := range list {
			before := wk.stored
			wk.stored = now
			switch {
			case !before && !now:
				continue
			case wk.expired && (!now || nowExpired):
				wk.expired = now
				continue
			case !wk.expired && !before && nowExpired:
				wk.expired = true
				continue
			}
			e.tx.dirtied = append(e.tx.dirtied, wk.cl)
		}
	}
}

// dirtyCollected marks the collected clients dirty and drops their
// watches: their EXEC fails whatever happens next.
func (e *Engine) dirtyCollected() {
	for i, cl := range e.tx.dirtied {
		if !cl.tx.dirty {
			cl.tx.dirty = true
			e.unwatchAll(cl)
		}
		e.tx.dirtied[i] = nil
	}
	e.tx.dirtied = e.tx.dirtied[:0]
}
