package keyspace

import (
	"math"
	"math/rand/v2"
)

// Policy is what goes when memory is over the limit: Redis's
// maxmemory-policy.
type Policy uint8

const (
	NoEviction Policy = iota
	VolatileLRU
	VolatileLFU
	VolatileRandom
	VolatileTTL
	AllKeysLRU
	AllKeysLFU
	AllKeysRandom
)

var policyNames = [...]string{"noeviction", "volatile-lru", "volatile-lfu", "volatile-random",
	"volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random"}

// ParsePolicy returns the policy named as Redis names it.
func ParsePolicy(name string) (Policy, bool) {
	for i, n := range policyNames {
		if n == name {
			return Policy(i), true
		}
	}
	return NoEviction, false
}

func (p Policy) String() string { return policyNames[p] }

// LFU reports whether the policy counts accesses rather than timing them:
// keys' access fields then hold LFU counters, and OBJECT FREQ answers.
func (p Policy) LFU() bool { return p == VolatileLFU || p == AllKeysLFU }

func (p Policy) allKeys() bool { return p >= AllKeysLRU }

// Eviction configures what EvictOne takes, and how accesses are counted.
type Eviction struct {
	Policy Policy
	// Samples is how many keys each database offers the eviction pool
	// per round (maxmemory-samples).
	Samples int
	// LFULogFactor and LFUDecayMinutes shape the LFU counter
	// (lfu-log-factor, lfu-decay-time).
	LFULogFactor    int
	LFUDecayMinutes int
}

// SetEviction changes the eviction settings. Switching between LRU and
// LFU reinterprets every key's access field, as in Redis: the figures
// take a while to mean something again. The caller holds the lock.
func (ks *Keyspace) SetEviction(ev Eviction) {
	ev.Samples = max(ev.Samples, 1)
	ks.ev = ev
}

// Eviction returns the eviction settings. The caller holds the lock.
func (ks *Keyspace) Eviction() Eviction { return ks.ev }

// An entry's 24-bit access field is, as Redis's robj.lru, either the LRU
// clock (seconds) or, under an LFU policy, the minute of the last decrement
// (16 bits) above a logarithmic access counter (8 bits).
const (
	lfuInitVal = 5
	lfuMaxTime = 1<<16 - 1
)

// newAccess is the access field of a key created now.
func (ks *Keyspace) newAccess() uint32 {
	if ks.ev.Policy.LFU() {
		return lfuMinutes(ks.now)<<8 | lfuInitVal
	}
	return lruClock(ks.now)
}

// accessed is the access field of a key accessed now whose field was a.
func (ks *Keyspace) accessed(a uint32) uint32 {
	if !ks.ev.Policy.LFU() {
		return lruClock(ks.now)
	}
	return lfuMinutes(ks.now)<<8 | ks.lfuIncr(ks.lfuCounter(a))
}

func lfuMinutes(nowMillis int64) uint32 { return uint32(nowMillis/60000) & lfuMaxTime }

// lfuCounter is the counter in a, decremented once per decay period
// elapsed since its last decrement, as Redis's LFUDecrAndReturn.
func (ks *Keyspace) lfuCounter(a uint32) uint32 {
	counter := a & 0xff
	if ks.ev.LFUDecayMinutes == 0 {
		return counter
	}
	now, ldt := lfuMinutes(ks.now), a>>8
	elapsed := now - ldt
	if now < ldt {
		elapsed = lfuMaxTime - ldt + now
	}
	periods := elapsed / uint32(ks.ev.LFUDecayMinutes)
	if periods >= counter {
		return 0
	}
	return counter - periods
}

// lfuIncr counts one access, less and less likely to add one the higher
// the counter, as Redis's LFULogIncr.
func (ks *Keyspace) lfuIncr(counter uint32) uint32 {
	if counter == 255 {
		return 255
	}
	base := max(float64(counter)-lfuInitVal, 0)
	if rand.Float64() < 1/(base*float64(ks.ev.LFULogFactor)+1) {
		counter++
	}
	return counter
}

// evictionPoolSize is the number of candidates kept across rounds, as
// Redis's EVPOOL_SIZE.
const evictionPoolSize = 16

// poolEntry is an eviction candidate: a key of database db, and how
// good a choice it is (higher is better).
type poolEntry struct {
	score uint64
	key   []byte
	db    int
	used  bool
}

// EvictOne deletes the key the policy picks, recording it as DEL as an
// expiry is recorded, and returns the memory that freed. It reports false
// if the policy has nothing to take: noeviction, no keys, or no key with
// an expiry time under a volatile policy.
//
// LRU, LFU and TTL policies work as Redis's performEvictions: every
// database offers Samples random keys to a pool of the best candidates
// seen so far, and the best of the pool that still exists goes.
func (ks *Keyspace) EvictOne() (freed int, ok bool) {
	switch ks.ev.Policy {
	case NoEviction:
		return 0, false
	case AllKeysRandom, VolatileRandom:
		for range ks.dbs {
			ks.nextEvictDB = (ks.nextEvictDB + 1) % len(ks.dbs)
			db := ks.dbs[ks.nextEvictDB]
			if n := db.candidates(); n > 0 {
				return ks.evict(db, db.candidate(rand.IntN(n))), true
			}
		}
		return 0, false
	}
	for {
		total := 0
		for _, db := range ks.dbs {
			if n := db.candidates(); n > 0 {
				total += n
				db.offer(&ks.pool, n)
			}
		}
		if total == 0 {
			return 0, false
		}
		for k := evictionPoolSize - 1; k >= 0; k-- {
			e := &ks.pool[k]
			if !e.used {
				continue
			}
			e.used = false
			db := ks.dbs[e.db]
			if p, found := db.st.find(e.key); found && (ks.ev.Policy.allKeys() || db.st.entry(p).vidx != 0) {
				return ks.evict(db, p), true
			}
			// Gone since it was offered: try the next best.
		}
	}
}

// candidates is the number of keys the policy may take from db.
func (db *DB) candidates() int {
	if db.ks.ev.Policy.allKeys() {
		return db.st.len()
	}
	return db.st.volatile.n
}

// candidate returns the position of candidate i of candidates().
func (db *DB) candidate(i int) uint32 {
	if db.ks.ev.Policy.allKeys() {
		return uint32(i)
	}
	return *db.st.volatile.at(i)
}

// offer samples the database's n candidates into the pool, kept sorted
// by score, best last, as Redis's evictionPoolPopulate. A database with
// no more candidates than samples offers them all, as Redis's
// dictGetSomeKeys returns every key of a small dict.
func (db *DB) offer(pool *[evictionPoolSize]poolEntry, n int) {
	all := db.ks.ev.Samples >= n
	for i := range min(db.ks.ev.Samples, n) {
		if !all {
			i = rand.IntN(n)
		}
		p := db.candidate(i)
		score := db.evictionScore(p)
		k := 0
		for k < evictionPoolSize && pool[k].used && pool[k].score < score {
			k++
		}
		switch {
		case k == 0 && pool[evictionPoolSize-1].used:
			// Worse than every candidate of a full pool.
			continue
		case k < evictionPoolSize && !pool[k].used:
		case !pool[evictionPoolSize-1].used:
			// Make room at k, keeping the free entry's key buffer.
			spare := pool[evictionPoolSize-1].key
			copy(pool[k+1:], pool[k:evictionPoolSize-1])
			pool[k].key = spare
		default:
			// Full: drop the worst to make room before k.
			k--
			spare := pool[0].key
			copy(pool[:k], pool[1:k+1])
			pool[k].key = spare
		}
		pool[k] = poolEntry{score: score, key: append(pool[k].key[:0], db.st.key(p)...), db: db.index, used: true}
	}
}

// evictionScore is how good a choice the key at p is under the policy.
func (db *DB) evictionScore(p uint32) uint64 {
	switch a := db.st.entry(p).access(); db.ks.ev.Policy {
	case VolatileTTL:
		return math.MaxUint64 - uint64(db.st.expireAt(p))
	case VolatileLFU, AllKeysLFU:
		return 255 - uint64(db.ks.lfuCounter(a))
	default:
		return uint64(lruIdleMillis(db.ks.now, a))
	}
}

// evict deletes the key at p as evicted and returns the memory freed.
func (ks *Keyspace) evict(db *DB, p uint32) int {
	before := db.st.memory()
	key := append([]byte(nil), db.st.key(p)...)
	db.removeAt(p)
	ks.Stats.EvictedKeys++
	ks.emit(CauseEvicted, db.index, [][]byte{[]byte("DEL"), key})
	return before - db.st.memory()
}
