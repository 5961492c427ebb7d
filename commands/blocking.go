package commands

import (
	"container/list"
	"time"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/resp"
)

// Blocking list and sorted set commands (BLPOP, BRPOP, BLMOVE,
// BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP), as Redis's blocked.c:
//
//   - A handler that finds nothing to pop calls block, which records
//     the client as a waiter on each of its keys and writes no reply.
//   - Exec, once the command is over, flushes the replies of the commands
//     before it in the pipeline and parks the client's connection
//     goroutine with the keyspace lock released (waitUnblocked), watching
//     the socket so that a client that goes away leaves at once.
//   - A command that creates a list or sorted set a client waits for (a
//     push, LMOVE, ZADD, RENAME, MOVE, COPY, SWAPDB, or EXEC or a script
//     doing any of these) makes the key ready. When the top-level command is over, Exec
//     serves the waiters of each ready key in the order they blocked
//     (serveReady): their pop runs under the lock as their own command,
//     replying into their writer and recording the non-blocking form as
//     the effect, until the value is empty. Their goroutine then wakes and
//     sends the reply.
//   - A timeout, CLIENT UNBLOCK, CLIENT KILL, the connection closing and
//     the server stopping end the wait too.
//
// A command never blocks inside EXEC or for a client without a connection
// (a script's, the replay's): it replies as on a timeout instead.

// blockKey is a key some clients wait for, in database db.
type blockKey struct {
	db  int
	key string
}

// waiter is a client blocked by a list or sorted set command. Guarded by the keyspace
// lock, except the channels.
type waiter struct {
	cl  *Client
	cmd *Command
	db  int
	// keys are the keys waited for, each with the waiter's element in
	// that key's queue.
	keys []waitedKey
	// deadline is when the wait times out; zero for never.
	deadline time.Time
	// serve pops for the waiter from v, the value at key, replies and
	// records the effect, as the command would have if the value had been
	// there, and reports true; it reports false, doing nothing, if v is not
	// a non-empty value of the type the waiter waits for.
	serve func(c *Ctx, key []byte, v datatypes.Value) bool
	// done is set when the wait is over: served, unblocked or given up.
	done bool
	// woken is closed when another client ended the wait (served it or
	// CLIENT UNBLOCK); the reply is in the client's writer.
	woken chan struct{}
	// gone is closed by the server when the connection fails while the
	// client waits.
	gone chan struct{}
	// ran is how long the command took when it blocked, and args a copy
	// of its arguments: as Redis 7.0, a blocked command's duration enters
	// its histogram and the slow log (commandDone) when it is served or
	// CLIENT UNBLOCKed, with the time its reply took, and not at all if
	// it times out.
	ran  time.Duration
	args [][]byte
}

type waitedKey struct {
	bk blockKey
	el *list.Element
}

// blocking is the engine's registry of waiters. Guarded by the keyspace
// lock.
type blocking struct {
	// queues holds the waiters of each key in the order they blocked
	// (elements are *waiter); a key without waiters has no queue.
	queues map[blockKey]*list.List
	// ready are the keys made ready since they were last served, in the
	// order they became so; readySet indexes them.
	ready    []blockKey
	readySet map[blockKey]struct{}
}

// mayBlock reports whether the command may block its client: not inside
// EXEC, and only for a connection's client.
func (c *Ctx) mayBlock() bool {
	cl := c.Client
	return cl.Flush != nil && cl.Watch != nil && !cl.InExec()
}

// poppable is a value a blocking command pops from: a list or a sorted
// set.
type poppable interface {
	datatypes.Value
	Len() int
}

// block makes the client wait for one of keys to hold a non-empty T (a
// list or a sorted set), until deadline (zero for ever); serve will pop
// for it. The caller has checked mayBlock and writes no reply.
func block[T poppable](c *Ctx, keys [][]byte, deadline time.Time, serve func(c *Ctx, key []byte, v T)) {
	b := &c.Engine.blocking
	if b.queues == nil {
		b.queues = map[blockKey]*list.List{}
		b.readySet = map[blockKey]struct{}{}
	}
	w := &waiter{cl: c.Client, cmd: c.Cmd, db: c.DB.Index(), deadline: deadline,
		woken: make(chan struct{}), gone: make(chan struct{})}
	w.serve = func(c *Ctx, key []byte, v datatypes.Value) bool {
		t, ok := v.(T)
		if !ok || t.Len() == 0 {
			return false
		}
		serve(c, key, t)
		return true
	}
next:
	for _, key := range keys {
		bk := blockKey{db: w.db, key: string(key)}
		for _, wk := range w.keys {
			if wk.bk == bk {
				continue next
			}
		}
		q := b.queues[bk]
		if q == nil {
			q = list.New()
			b.queues[bk] = q
		}
		w.keys = append(w.keys, waitedKey{bk: bk, el: q.PushBack(w)})
	}
	c.Client.blocked = w
	c.Client.waiting = true
}

// serveOrBlock ends a blocking pop: serve pops from the first of keys
// that holds a T (first finds it, or writes WRONGTYPE and reports false);
// if none does the client blocks on keys until deadline, or, where it may
// not block, gets the null array a timeout gives.
func serveOrBlock[T poppable](c *Ctx, keys [][]byte, deadline time.Time,
	first func(*Ctx, [][]byte) ([]byte, T, bool), serve func(c *Ctx, key []byte, v T)) {
	key, v, ok := first(c, keys)
	switch {
	case !ok:
	case key != nil:
		serve(c, key, v)
	case !c.mayBlock():
		c.W.NullArray()
	default:
		block(c, keys, deadline, serve)
	}
}

// unblock ends w's wait: it leaves every queue and its client is no
// longer blocked. The caller holds the keyspace lock.
func (e *Engine) unblock(w *waiter) {
	b := &e.blocking
	for _, wk := range w.keys {
		q := b.queues[wk.bk]
		q.Remove(wk.el)
		if q.Len() == 0 {
			delete(b.queues, wk.bk)
		}
	}
	w.keys = nil
	w.done = true
	w.cl.blocked = nil
	w.cl.waiting = false
}

// signalReady notes that key in database db changed, if anyone waits for
// it: serveKey serves its waiters if it now holds a list. The caller
// holds the keyspace lock.
func (e *Engine) signalReady(db int, key []byte) {
	b := &e.blocking
	if len(b.queues) == 0 {
		return
	}
	bk := blockKey{db: db, key: string(key)}
	if _, waited := b.queues[bk]; !waited {
		return
	}
	if _, dup := b.readySet[bk]; !dup {
		b.readySet[bk] = struct{}{}
		b.ready = append(b.ready, bk)
	}
}

// afterCommand runs after each command of Exec. For a command a
// connection sent (not one a script or the replay runs inside another),
// it serves the clients the command unblocked; then, if the command
// blocked, it waits for its own client to be served and returns where
// its reply starts in cl.W, which the wait flushes. The caller holds the
// keyspace lock.
func (e *Engine) afterCommand(cl *Client, start int) int {
	if cl.Flush == nil {
		return start
	}
	e.serveReady()
	if cl.blocked == nil {
		return start
	}
	return e.waitUnblocked(cl)
}

// signalReadyInDB notes that every waited key of database db may have
// changed: SWAPDB brought in another database. An emptied one holds no
// list for anyone.
func (e *Engine) signalReadyInDB(db int, swapped bool) {
	if !swapped {
		return
	}
	for bk := range e.blocking.queues {
		if bk.db == db {
			e.signalReady(db, []byte(bk.key))
		}
	}
}

// serveReady serves the waiters of the ready keys, key by key in the
// order they became ready; serving may make more keys ready (BLMOVE's
// destination). The caller holds the keyspace lock.
func (e *Engine) serveReady() {
	b := &e.blocking
	for i := 0; i < len(b.ready); i++ {
		bk := b.ready[i]
		delete(b.readySet, bk)
		e.serveKey(bk)
	}
	clear(b.ready)
	b.ready = b.ready[:0]
}

// serveKey serves the waiters of bk in the order they blocked while the
// key holds a non-empty value of the type they wait for; a waiter for
// another type (BLPOP and BZPOPMIN on one key) stays blocked. A waiter
// whose client was killed or whose connection failed is skipped: its
// goroutine removes it.
func (e *Engine) serveKey(bk blockKey) {
	q := e.blocking.queues[bk]
	if q == nil {
		return
	}
	db := e.KS.DB(bk.db)
	key := []byte(bk.key)
	for el := q.Front(); el != nil; {
		next := el.Next()
		w := el.Value.(*waiter)
		if w.cl.killed || isClosed(w.gone) {
			el = next
			continue
		}
		v, found := db.LookupWrite(key)
		if !found {
			return
		}
		// The reply follows what was pushed to the waiter so far.
		w.cl.Out.Claim(&w.cl.W)
		c := &Ctx{Engine: e, Client: w.cl, DB: db, W: &w.cl.W, Cmd: w.cmd}
		t0 := time.Now()
		outer := e.notify.cmd
		e.notify.cmd = w.cmd // the cause of its effects (notify.go)
		served := w.serve(c, key, v)
		e.notify.cmd = outer
		if !served {
			el = next
			continue
		}
		// Served as a command: what it changed is written back now, before
		// the next waiter looks the value up.
		e.KS.FlushDirty()
		e.unblock(w)
		reply := time.Since(t0)
		e.commandDone(w.cl, w.cmd, w.args, w.ran+reply)
		e.LatencySample("command-unblocking", reply)
		close(w.woken)
		el = next
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// waitUnblocked parks cl's goroutine, with the keyspace lock released,
// until its blocking command is served, times out, is unblocked, or its
// client goes: killed, disconnected, or the server stopping. Replies
// written before the command are sent first. It returns where the
// command's reply starts in cl.W. The caller holds the keyspace lock.
func (e *Engine) waitUnblocked(cl *Client) int {
	w := cl.blocked
	out := append([]byte(nil), cl.W.Bytes()...)
	cl.W.Reset()
	errorsBefore := cl.W.Errors
	var timeout <-chan time.Time
	if !w.deadline.IsZero() {
		t := time.NewTimer(time.Until(w.deadline))
		defer t.Stop()
		timeout = t.C
	}
	// While it waits, pushes to the client are written as they come.
	cl.running = false
	e.KS.Unlock()
	if len(out) > 0 {
		cl.Flush(out)
	}
	cl.Out.Release()
	stop := cl.Watch(w.gone)
	select {
	case <-w.woken:
	case <-timeout:
	case <-w.gone:
	case <-cl.done:
	case <-e.stopped:
	}
	stop()
	e.KS.Lock()
	cl.Out.Claim(&cl.W)
	cl.running = true
	if !w.done {
		e.unblock(w)
		switch {
		case cl.killed:
		case e.isStopped():
			cl.Closing = true
		case isClosed(w.gone):
			e.killClient(cl)
		default:
			cl.W.NullArray()
		}
	}
	if cl.W.Errors != errorsBefore {
		w.cmd.Stats.FailedCalls++
	}
	cl.LastInteraction = time.Now()
	return 0
}

// clientUnblockCommand is CLIENT UNBLOCK client-id [TIMEOUT | ERROR]: a
// client blocked by a list command gets the reply of a timeout, or an
// UNBLOCKED error. A client waiting for a CLIENT PAUSE to end is not
// unblocked.
func clientUnblockCommand(c *Ctx) {
	if len(c.Args) > 4 {
		c.W.Error(resp.ErrSubcommandSyntax(c.Args[1], c.Args[0]))
		return
	}
	asError := false
	if len(c.Args) == 4 {
		switch reason := c.Args[3]; {
		case tokenIs(reason, "timeout"):
		case tokenIs(reason, "error"):
			asError = true
		default:
			c.W.Error(resp.ErrUnblockReason)
			return
		}
	}
	id, ok := c.Int(2)
	if !ok {
		return
	}
	target := c.clients[id]
	if target == nil || target.blocked == nil {
		c.W.Int(0)
		return
	}
	w := target.blocked
	if asError {
		target.W.Error(resp.ErrUnblockedByCommand)
	} else {
		// Redis counts the command as failed either way; the error
		// reply counts itself when the client wakes.
		w.cmd.Stats.FailedCalls++
		target.W.NullArray()
	}
	c.unblock(w)
	c.commandDone(target, w.cmd, w.args, w.ran)
	close(w.woken)
	c.W.Int(1)
}

// blockedClients is INFO's blocked_clients: the clients blocked by a
// list command or waiting for a CLIENT PAUSE to end, which Redis 7.0
// counts alike; inTimeoutTable counts those blocked with a timeout.
func (e *Engine) blockedClients() (blocked, inTimeoutTable int64) {
	for _, cl := range e.clients {
		if cl.waiting {
			blocked++
		}
		if cl.blocked != nil && !cl.blocked.deadline.IsZero() {
			inTimeoutTable++
		}
	}
	return blocked, inTimeoutTable
}
