package commands

import (
	"cmp"
	"slices"

	"github.com/cairn-db/cairn/config"
)

// Client eviction (maxmemory-clients), as Redis 7.0's: once the memory of
// all clients together reaches the limit, clients are closed, the largest
// first, until it is under it again. A client's memory is what CLIENT
// LIST's tot-mem counts: its query buffer, its reply buffer, its replies
// not yet written, the arguments of its command, its MULTI queue and what
// was pushed to it and not yet written. Clients that sent CLIENT NO-EVICT
// on count in the total but are never closed, as in Redis.
//
// The engine keeps a running total of the figures last counted for each
// client: a client's own is counted again after each of its commands and
// after each push to it (while there is a limit), so that checking costs
// little while under the limit. Replies written and input read since then
// leave a figure wrong until the cron counts every client again; so does
// closing anyone.

// minClientEviction is the least maxmemory-clients limit Redis applies,
// so that a tiny value does not cut every client off.
const minClientEviction = 128 << 10

// clientEvictState is client eviction's state. Guarded by the keyspace
// lock.
type clientEvictState struct {
	// total is the sum of the registered clients' figures (Client.mem).
	total int64
	// evicted counts the clients closed (INFO's evicted_clients).
	evicted int64
	// stuckAt is the total, at its lowest since closing every client
	// that may be closed was not enough, so that the clients are not all
	// counted again at every command until it grows; 0 otherwise.
	stuckAt int64
}

// clientEvictionLimit is the memory limit of all clients together, 0 for
// none: maxmemory-clients in bytes, or its percentage of maxmemory (none
// without maxmemory), at least minClientEviction.
func clientEvictionLimit(cfg *config.Config) int64 {
	var limit int64
	switch m := cfg.MaxMemoryClients; {
	case m < 0 && cfg.MaxMemory > 0:
		limit = int64(float64(cfg.MaxMemory) * float64(-m) / 100)
	case m > 0:
		limit = m
	default:
		return 0
	}
	return max(limit, minClientEviction)
}

// memory is cl's memory as CLIENT LIST's tot-mem counts it.
func (cl *Client) memory() int64 {
	return cl.query.Load() + replyBufferSize + int64(cl.argvMem) + cl.unsent.Load() + int64(cl.tx.mem) + int64(cl.Out.Pending())
}

// SetQueryBuffer records the size of what cl sent that has not run yet;
// its goroutine calls it, without the keyspace lock, as it reads. The
// cron then counts it (recountClients), as do cl's own commands.
func (cl *Client) SetQueryBuffer(n int) { cl.query.Store(int64(n)) }

// replyBufferSize is CLIENT LIST's rbs: the reply buffer every client
// has, Redis's smallest.
const replyBufferSize = 1024

// RepliesWritten records that cl's replies so far are written; its
// goroutine calls it, without the keyspace lock, once they are.
func (cl *Client) RepliesWritten() { cl.unsent.Store(0) }

// countClient counts cl's memory again into the total, and closes clients
// if the total reaches the limit. Without a limit it does nothing, as it
// runs after every command: the cron keeps the total (recountClients),
// and a limit set later counts every client again before closing any.
// The caller holds the keyspace lock.
func (e *Engine) countClient(cl *Client) {
	if e.Config.Load().MaxMemoryClients == 0 {
		return
	}
	e.recount(cl)
	e.checkClientMemory()
}

// checkClientMemory closes clients if the total reaches the limit, unless
// it did not grow since closing every client that may be closed was not
// enough. The caller holds the keyspace lock.
func (e *Engine) checkClientMemory() {
	ev := &e.clientEvict
	limit := clientEvictionLimit(e.Config.Load())
	switch {
	case limit == 0 || ev.total < limit:
		ev.stuckAt = 0
	case ev.stuckAt == 0 || ev.total > ev.stuckAt:
		e.evictClients(limit)
	default:
		ev.stuckAt = ev.total
	}
}

// recount counts cl's memory again into the total: none once it is
// killed, as it is about to go.
func (e *Engine) recount(cl *Client) {
	n := int64(0)
	if !cl.killed {
		n = cl.memory()
	}
	e.clientEvict.total += n - cl.mem
	cl.mem = n
}

// forgetClientMemory takes a client that is gone out of the total.
func (e *Engine) forgetClientMemory(cl *Client) {
	e.clientEvict.total -= cl.mem
	cl.mem = 0
}

// evictClients closes the largest clients that may be evicted until the
// total is under limit, as Redis's evictClients. The caller holds the
// keyspace lock.
func (e *Engine) evictClients(limit int64) {
	ev := &e.clientEvict
	var candidates []*Client
	for _, cl := range e.clients {
		e.recount(cl)
		if !cl.NoEvict && !cl.killed {
			candidates = append(candidates, cl)
		}
	}
	slices.SortFunc(candidates, func(a, b *Client) int { return cmp.Compare(b.mem, a.mem) })
	for _, cl := range candidates {
		if ev.total < limit {
			break
		}
		e.Log.Info("Evicting client", "id", cl.ID, "addr", cl.Addr, "name", cl.Name, "tot-mem", cl.mem)
		ev.evicted++
		e.forgetClientMemory(cl)
		// As Redis's freeClientAsync (see checkOutputLimit): a PUBLISH
		// may be going over the client's subscriptions.
		delete(e.clients, cl.ID)
		cl.markKilled()
		cl.kill()
	}
	switch {
	case ev.total < limit:
		ev.stuckAt = 0
	case ev.stuckAt == 0: // logged once until under the limit again
		e.Log.Warn("Over client maxmemory after evicting all evictable clients", "clients-memory", ev.total, "maxmemory-clients", limit)
		fallthrough
	default:
		ev.stuckAt = ev.total
	}
}

// recountClients counts every client's memory again, correcting the
// total, and closes clients if it reaches the limit; the cron calls it.
// The caller holds the keyspace lock.
func (e *Engine) recountClients() {
	for _, cl := range e.clients {
		e.recount(cl)
	}
	e.checkClientMemory()
}
