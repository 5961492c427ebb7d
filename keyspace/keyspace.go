// Package keyspace holds the databases: keys, their values and expiry
// times, lookup with lazy expiry, and the record of every change.
//
// One mutex guards the whole keyspace. Its owner (the command dispatcher,
// the active expiry cycle) holds it for a unit of work: a pipeline batch, an
// expiry tick. Every change made under the lock is recorded as an Effect,
// and Unlock hands the unit's effects to the sink in one call, so the
// persistence log can write each unit atomically.
package keyspace

import (
	"hash/maphash"
	"runtime"
	"sync"
	"time"
)

// Effect is one deterministic change to the keyspace, in the form the
// append-only log stores: a command that, replayed against the state before
// it, produces the state after it. Relative times are already absolute
// (SET EX becomes SET PXAT) and expiries appear as DEL.
type Effect struct {
	DB   int
	Args [][]byte
	// Cause is what made the change: the command running (CauseCommand),
	// or the expiry or eviction of a key. The log ignores it; keyspace
	// notifications name their events from it.
	Cause Cause
}

// Cause is what made a change.
type Cause uint8

// The causes of a change.
const (
	// CauseCommand is the command being run.
	CauseCommand Cause = iota
	// CauseExpired is a key whose time had come, deleted lazily or by the
	// active cycle.
	CauseExpired
	// CauseEvicted is a key evicted for maxmemory.
	CauseEvicted
)

// Options configure a Keyspace.
type Options struct {
	// Databases is the number of databases (SELECT 0..Databases-1).
	Databases int
	// Clock returns the current time; tests replace it.
	Clock func() time.Time
	// Sink receives the effects of each unit of work when the lock is
	// released, in order; it owns the slice. Nil disables recording.
	Sink func([]Effect)
}

// Stats are counters that INFO reports. They are guarded by the keyspace
// lock.
type Stats struct {
	ExpiredKeys    int64
	EvictedKeys    int64
	KeyspaceHits   int64
	KeyspaceMisses int64
	// Dirty counts changes since start, as Redis's server.dirty.
	Dirty int64
}

// Keyspace is the set of databases.
type Keyspace struct {
	mu sync.Mutex

	// dbs are the databases; the slice itself never changes but SWAPDB
	// swaps contents. Guarded by mu.
	dbs []*DB
	// now is the time in Unix milliseconds used for expiry decisions
	// during the current command, so that a key cannot expire half-way
	// through one. Guarded by mu.
	now   int64
	clock func() time.Time
	// pending holds the effects of the unit of work in progress. Guarded
	// by mu.
	pending []Effect
	sink    func([]Effect)
	// loading is set while effects are replayed from the log: nothing
	// expires then, as in Redis, so that a replay reproduces the recorded
	// state whatever the time of the replay. Guarded by mu.
	loading bool
	// Stats is guarded by mu.
	Stats Stats
	// onEffect sees every effect as it is recorded; see OnEffect.
	onEffect func(Effect)
	// onNew and onMiss, if set, see every key added to a database and
	// every read lookup that finds no key; see SetKeyHooks.
	onNew, onMiss func(db int, key []byte)
	// snap is the snapshot in progress, nil if none; snapEpoch numbers
	// snapshots (snapshot.go). Guarded by mu.
	snap      *snapshot
	snapEpoch uint8
	// abandoned counts the snapshots abandoned since one last completed
	// (snapshot.go).
	abandoned int
	// seed keys the hash of every database's index.
	seed maphash.Seed
	// stores are the databases' contents that hold arena pages.
	stores *stores
	// dirty is set when a database holds values to write back, or objects
	// to measure, at the end of the command (DB.dirty, store.touched).
	dirty bool
	// ev is the eviction policy and its settings; pool the best eviction
	// candidates seen, nextEvictDB the database the random policies take
	// from next (evict.go). Guarded by mu.
	ev          Eviction
	pool        [evictionPoolSize]poolEntry
	nextEvictDB int
}

// New returns an empty keyspace.
func New(opts Options) *Keyspace {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	ks := &Keyspace{clock: opts.Clock, sink: opts.Sink, seed: maphash.MakeSeed(),
		stores: &stores{all: map[*store]struct{}{}},
		ev:     Eviction{Samples: 5, LFULogFactor: 10, LFUDecayMinutes: 1}}
	// A keyspace dropped with keys in it (tests make many) gives its pages
	// back.
	runtime.AddCleanup(ks, (*stores).releaseAll, ks.stores)
	ks.dbs = make([]*DB, opts.Databases)
	for i := range ks.dbs {
		ks.dbs[i] = newDB(ks, i)
	}
	ks.Tick()
	return ks
}

// Lock takes the keyspace lock and refreshes the cached time.
func (ks *Keyspace) Lock() {
	ks.mu.Lock()
	ks.Tick()
}

// Unlock hands the effects recorded since Lock to the sink, then releases
// the lock. Handing them over before releasing keeps the log in the order
// the changes were made.
func (ks *Keyspace) Unlock() {
	ks.FlushDirty()
	ks.EndUnit()
	ks.mu.Unlock()
}

// EndUnit hands the effects recorded so far to the sink as one unit of
// work, as Unlock does, without releasing the lock.
func (ks *Keyspace) EndUnit() {
	if len(ks.pending) > 0 {
		ks.sink(ks.pending)
		ks.pending = nil
	}
}

// FlushDirty writes back the collections the command in progress changed
// in place; the dispatcher calls it when each command ends, and Unlock
// does. Code that changes the keyspace outside the dispatcher calls it
// after each change, or the values waiting to be written back pile up.
func (ks *Keyspace) FlushDirty() {
	if !ks.dirty {
		return
	}
	for _, db := range ks.dbs {
		db.flushDirty()
		db.st.measureTouched()
	}
	ks.dirty = false
}

// Tick refreshes the cached time and returns it; the dispatcher calls it
// before each command.
func (ks *Keyspace) Tick() time.Time {
	now := ks.clock()
	ks.now = now.UnixMilli()
	return now
}

// Now is the cached time in Unix milliseconds.
func (ks *Keyspace) Now() int64 { return ks.now }

// SetLoading switches replay mode on or off; see Keyspace.loading.
func (ks *Keyspace) SetLoading(on bool) { ks.loading = on }

// SetSink replaces the sink; see Options.Sink. The caller holds the lock.
func (ks *Keyspace) SetSink(sink func([]Effect)) { ks.sink = sink }

// IsExpired reports whether an expiry time (Unix ms, non-zero) has come.
// Handlers use it to decide whether an absolute expiry time given to them
// is already in the past; it is never true while loading.
func (ks *Keyspace) IsExpired(at int64) bool {
	return !ks.loading && at <= ks.now
}

// NumDBs is the number of databases.
func (ks *Keyspace) NumDBs() int { return len(ks.dbs) }

// DB returns database i; i must be in range.
func (ks *Keyspace) DB(i int) *DB { return ks.dbs[i] }

// Emit records an effect. Handlers call it for every change they make,
// with their arguments rewritten into deterministic form where needed.
func (ks *Keyspace) Emit(db int, args ...[]byte) {
	ks.emit(CauseCommand, db, args)
}

func (ks *Keyspace) emit(cause Cause, db int, args [][]byte) {
	ks.Stats.Dirty++
	if ks.sink != nil && !ks.loading {
		ks.pending = append(ks.pending, Effect{DB: db, Args: args, Cause: cause})
	}
	if ks.onEffect != nil {
		ks.onEffect(Effect{DB: db, Args: args, Cause: cause})
	}
}

// SetKeyHooks sets the functions called, with the lock held, when a key
// is added to a database (Redis's dbAdd; not while loading, and not by
// Rename, which moves a key) and when a read lookup (Lookup, LookupString,
// LookupNoTouch) finds no key: keyspace notifications' new and keymiss
// events. Either may be nil. They must not change the keyspace.
func (ks *Keyspace) SetKeyHooks(onNew, onMiss func(db int, key []byte)) {
	ks.onNew, ks.onMiss = onNew, onMiss
}

// OnEffect sets a function that Emit calls with every effect, with the
// lock held, whether a sink records them or not: the command engine
// learns from it which WATCHed keys changed. fn must not change the
// keyspace, nor reclaim expired keys (see DB.Stored).
func (ks *Keyspace) OnEffect(fn func(Effect)) { ks.onEffect = fn }

// Stored reports whether key is stored in db, live or expired but not yet
// reclaimed, and whether its time has come. Unlike the lookups it
// reclaims nothing and records no effect, so an effect hook may call it.
func (db *DB) Stored(key []byte) (stored, expired bool) {
	p, ok := db.st.find(key)
	if !ok {
		return false, false
	}
	return true, db.expired(p)
}

// SwapDB exchanges the contents of databases a and b.
func (ks *Keyspace) SwapDB(a, b int) {
	ks.FlushDirty()
	ks.dbs[a].swap(ks.dbs[b])
}

// FlushAll empties every database.
func (ks *Keyspace) FlushAll() {
	for _, db := range ks.dbs {
		db.Flush()
	}
}

// expire deletes a key whose time has come. It is the one path by which
// expiry removes keys, lazy or active, and it records the deletion as DEL
// so that the log and replicas see it.
func (ks *Keyspace) expire(db *DB, pos uint32) {
	key := append([]byte(nil), db.st.key(pos)...)
	db.removeAt(pos)
	ks.Stats.ExpiredKeys++
	ks.emit(CauseExpired, db.index, [][]byte{[]byte("DEL"), key})
}

func (ks *Keyspace) newStore() *store {
	st := newStore(ks.seed, &ks.dirty)
	ks.stores.track(st)
	return st
}
