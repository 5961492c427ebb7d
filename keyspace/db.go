package keyspace

import (
	"math/rand/v2"

	"github.com/cairn-db/cairn/datatypes"
)

// entry is a key with its value and metadata.
type entry struct {
	key string
	val datatypes.Value
	// expireAt is the expiry time in Unix milliseconds; 0 means none.
	expireAt int64
	// vidx is the entry's index in DB.volatile, or -1 without expiry.
	vidx int32
	// access is the LRU clock of the last access, in seconds.
	access uint32
}

// DB is one numbered database.
//
// Entries are stored densely in a slice with a map from key to position.
// Deleting moves the last entry into the hole. This gives O(1) random
// sampling (RANDOMKEY, active expiry) and a SCAN that walks positions from
// the end down: a moved entry always comes from the already-visited end,
// so every key present for a whole SCAN is returned at least once.
type DB struct {
	ks    *Keyspace
	index int
	pos   map[string]int32
	// entries holds every key; positions in pos index it.
	entries []entry
	// volatile holds the positions of entries that have an expiry time,
	// for sampling by the active expiry cycle.
	volatile []int32
}

func newDB(ks *Keyspace, index int) *DB {
	return &DB{ks: ks, index: index, pos: make(map[string]int32)}
}

// Index is the database number.
func (db *DB) Index() int { return db.index }

// Len is the number of keys, including expired keys not yet reclaimed.
func (db *DB) Len() int { return len(db.entries) }

// VolatileLen is the number of keys with an expiry time.
func (db *DB) VolatileLen() int { return len(db.volatile) }

// find returns the position of a live key, deleting it first if it has
// expired.
func (db *DB) find(key []byte) (int32, bool) {
	p, ok := db.pos[string(key)]
	if !ok {
		return 0, false
	}
	if e := &db.entries[p]; e.expireAt != 0 && db.ks.IsExpired(e.expireAt) {
		db.ks.expire(db, p)
		return 0, false
	}
	return p, true
}

// Lookup returns the value of a key for a read command, counting a hit or
// a miss and updating the key's access time.
func (db *DB) Lookup(key []byte) (datatypes.Value, bool) {
	p, ok := db.find(key)
	if !ok {
		db.ks.Stats.KeyspaceMisses++
		return nil, false
	}
	db.ks.Stats.KeyspaceHits++
	e := &db.entries[p]
	e.access = lruClock(db.ks.now)
	return e.val, true
}

// LookupWrite returns the value of a key for a write command: the access
// time is updated but no hit or miss is counted.
func (db *DB) LookupWrite(key []byte) (datatypes.Value, bool) {
	p, ok := db.find(key)
	if !ok {
		return nil, false
	}
	e := &db.entries[p]
	e.access = lruClock(db.ks.now)
	return e.val, true
}

// Peek returns the value of a key without touching its access time or the
// statistics (TYPE, OBJECT, EXISTS-like checks).
func (db *DB) Peek(key []byte) (datatypes.Value, bool) {
	p, ok := db.find(key)
	if !ok {
		return nil, false
	}
	return db.entries[p].val, true
}

// Exists reports whether a live key exists.
func (db *DB) Exists(key []byte) bool {
	_, ok := db.find(key)
	return ok
}

// Set stores a value and clears any expiry time, as a plain SET does.
func (db *DB) Set(key []byte, v datatypes.Value) {
	if p, ok := db.find(key); ok {
		e := &db.entries[p]
		e.val = v
		e.access = lruClock(db.ks.now)
		db.clearExpire(p)
		return
	}
	db.insert(string(key), v)
}

// SetKeepTTL stores a value and keeps the key's expiry time, if any.
func (db *DB) SetKeepTTL(key []byte, v datatypes.Value) {
	if p, ok := db.find(key); ok {
		e := &db.entries[p]
		e.val = v
		e.access = lruClock(db.ks.now)
		return
	}
	db.insert(string(key), v)
}

func (db *DB) insert(key string, v datatypes.Value) int32 {
	p := int32(len(db.entries))
	db.entries = append(db.entries, entry{key: key, val: v, vidx: -1, access: lruClock(db.ks.now)})
	db.pos[key] = p
	return p
}

// Delete removes a key and reports whether it existed (and was live).
func (db *DB) Delete(key []byte) bool {
	p, ok := db.find(key)
	if !ok {
		return false
	}
	db.removeAt(p)
	return true
}

// removeAt deletes the entry at p by moving the last entry into its place.
func (db *DB) removeAt(p int32) {
	db.clearExpire(p)
	delete(db.pos, db.entries[p].key)
	last := int32(len(db.entries) - 1)
	if p != last {
		db.entries[p] = db.entries[last]
		moved := &db.entries[p]
		db.pos[moved.key] = p
		if moved.vidx >= 0 {
			db.volatile[moved.vidx] = p
		}
	}
	db.entries[last] = entry{}
	db.entries = db.entries[:last]
	if cap(db.entries) > 1024 && len(db.entries) < cap(db.entries)/4 {
		db.entries = append(make([]entry, 0, cap(db.entries)/2), db.entries...)
	}
}

// ExpireAt returns the expiry time of a live key in Unix milliseconds, 0
// if it has none; ok is false if the key does not exist.
func (db *DB) ExpireAt(key []byte) (at int64, ok bool) {
	p, ok := db.find(key)
	if !ok {
		return 0, false
	}
	return db.entries[p].expireAt, true
}

// SetExpire sets the expiry time of an existing key in Unix milliseconds.
// A time that has already passed deletes the key. It reports whether the
// key existed.
func (db *DB) SetExpire(key []byte, at int64) bool {
	p, ok := db.find(key)
	if !ok {
		return false
	}
	e := &db.entries[p]
	e.expireAt = at
	if e.vidx < 0 {
		e.vidx = int32(len(db.volatile))
		db.volatile = append(db.volatile, p)
	}
	return true
}

// Persist removes the expiry time of a key and reports whether it had one.
func (db *DB) Persist(key []byte) bool {
	p, ok := db.find(key)
	if !ok || db.entries[p].expireAt == 0 {
		return false
	}
	db.clearExpire(p)
	return true
}

func (db *DB) clearExpire(p int32) {
	e := &db.entries[p]
	e.expireAt = 0
	if e.vidx < 0 {
		return
	}
	last := int32(len(db.volatile) - 1)
	if e.vidx != last {
		moved := db.volatile[last]
		db.volatile[e.vidx] = moved
		db.entries[moved].vidx = e.vidx
	}
	db.volatile = db.volatile[:last]
	e.vidx = -1
}

// Access returns the LRU clock value of a key's last access, for OBJECT
// IDLETIME.
func (db *DB) IdleMillis(key []byte) (int64, bool) {
	p, ok := db.find(key)
	if !ok {
		return 0, false
	}
	return lruIdleMillis(db.ks.now, db.entries[p].access), true
}

// Flush deletes every key.
func (db *DB) Flush() {
	db.pos = make(map[string]int32)
	db.entries = nil
	db.volatile = nil
}

func (db *DB) swap(other *DB) {
	db.pos, other.pos = other.pos, db.pos
	db.entries, other.entries = other.entries, db.entries
	db.volatile, other.volatile = other.volatile, db.volatile
}

// RandomKey returns a random live key, or false if the database is empty.
func (db *DB) RandomKey() (string, bool) {
	// Expired keys met on the way are reclaimed, as Redis does; the bound
	// keeps a database full of expired keys from looping for long.
	for tries := 0; len(db.entries) > 0 && tries < 100; tries++ {
		p := int32(rand.IntN(len(db.entries)))
		e := &db.entries[p]
		if e.expireAt != 0 && e.expireAt <= db.ks.now {
			db.ks.expire(db, p)
			continue
		}
		return e.key, true
	}
	if len(db.entries) == 0 {
		return "", false
	}
	return db.entries[rand.IntN(len(db.entries))].key, true
}

// Scan calls fn for up to count positions starting at cursor and returns
// the cursor to continue from, 0 when the walk is complete. Cursor 0
// starts a walk. Expired keys are skipped, not deleted, so that the walk
// does not move entries under itself.
func (db *DB) Scan(cursor uint64, count int, fn func(key string, v datatypes.Value)) uint64 {
	n := uint64(len(db.entries))
	if n == 0 {
		return 0
	}
	p := n
	if cursor != 0 && cursor < n {
		p = cursor
	}
	for ; p > 0 && count > 0; count-- {
		p--
		e := &db.entries[p]
		if e.expireAt != 0 && e.expireAt <= db.ks.now {
			continue
		}
		fn(e.key, e.val)
	}
	return p
}

// ForEach calls fn for every live key, in no particular order. fn must
// not change the database.
func (db *DB) ForEach(fn func(key string, v datatypes.Value)) {
	for i := range db.entries {
		e := &db.entries[i]
		if e.expireAt != 0 && e.expireAt <= db.ks.now {
			continue
		}
		fn(e.key, e.val)
	}
}

// ExpireSample looks at up to n random keys that have an expiry time and
// deletes those whose time has come. It returns how many it looked at and
// how many it deleted; the active expiry cycle uses the ratio to decide
// whether to go on.
func (db *DB) ExpireSample(n int) (sampled, expired int) {
	for ; sampled < n && len(db.volatile) > 0; sampled++ {
		p := db.volatile[rand.IntN(len(db.volatile))]
		if db.entries[p].expireAt <= db.ks.now {
			db.ks.expire(db, p)
			expired++
		}
	}
	return sampled, expired
}

// lruClock is the access clock: seconds, wrapping like Redis's 24-bit LRU
// clock would not need to, since 32 bits of seconds last 136 years.
func lruClock(nowMillis int64) uint32 { return uint32(nowMillis / 1000) }

func lruIdleMillis(nowMillis int64, access uint32) int64 {
	idle := int64(lruClock(nowMillis)) - int64(access)
	if idle < 0 {
		idle = 0
	}
	return idle * 1000
}
