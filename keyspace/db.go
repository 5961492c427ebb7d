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
	// snap is the epoch of the last snapshot that has this entry's state:
	// written to it, or created after it began (snapshot.go).
	snap uint32
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
	// for the active expiry cycle.
	volatile []int32
	// expireCursor is where the active expiry sweep of volatile resumes;
	// see ExpireStep.
	expireCursor int
	// snapOrigin and snapCursor are the running snapshot's view of these
	// contents (snapshot.go); they move with them on SWAPDB.
	snapOrigin int
	snapCursor int
}

func newDB(ks *Keyspace, index int) *DB {
	return &DB{ks: ks, index: index, pos: make(map[string]int32), snapOrigin: -1}
}

// Index is the database number.
func (db *DB) Index() int { return db.index }

// Len is the number of keys, including expired keys not yet reclaimed.
func (db *DB) Len() int { return len(db.entries) }

// VolatileLen is the number of keys with an expiry time.
func (db *DB) VolatileLen() int { return len(db.volatile) }

// expired reports whether the entry's time has come; never while loading.
func (db *DB) expired(e *entry) bool {
	return e.expireAt != 0 && db.ks.IsExpired(e.expireAt)
}

// find returns the position of a live key, deleting it first if it has
// expired.
func (db *DB) find(key []byte) (int32, bool) {
	p, ok := db.pos[string(key)]
	if !ok {
		return 0, false
	}
	if db.expired(&db.entries[p]) {
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
	db.preserve(p)
	e := &db.entries[p]
	e.access = lruClock(db.ks.now)
	return e.val, true
}

// LookupNoTouch returns the value of a key for a read that counts a hit
// or a miss but leaves the access time alone, as Redis's LOOKUP_NOTOUCH
// (EXISTS, TYPE, TTL, OBJECT).
func (db *DB) LookupNoTouch(key []byte) (datatypes.Value, bool) {
	p, ok := db.find(key)
	if !ok {
		db.ks.Stats.KeyspaceMisses++
		return nil, false
	}
	db.ks.Stats.KeyspaceHits++
	return db.entries[p].val, true
}

// Peek returns the value of a key without touching its access time or the
// statistics.
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
		db.preserve(p)
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
		db.preserve(p)
		e := &db.entries[p]
		e.val = v
		e.access = lruClock(db.ks.now)
		return
	}
	db.insert(string(key), v)
}

// SetWithExpire stores a value with an expiry time in Unix milliseconds
// (0 for none), replacing the key if it exists, as COPY does.
func (db *DB) SetWithExpire(key []byte, v datatypes.Value, at int64) {
	db.Set(key, v)
	if at != 0 {
		db.setExpireAt(db.pos[string(key)], at)
	}
}

// Rename gives the live key src the name dst, keeping its value, expiry
// time and access time; a key dst is replaced. It reports whether src
// existed.
func (db *DB) Rename(src, dst []byte) bool {
	if _, ok := db.find(src); !ok {
		return false
	}
	if string(src) == string(dst) {
		return true
	}
	if q, ok := db.find(dst); ok {
		db.removeAt(q)
	}
	// Removing dst may have moved src: look its position up again.
	p := db.pos[string(src)]
	db.preserve(p)
	delete(db.pos, string(src))
	db.entries[p].key = string(dst)
	db.pos[string(dst)] = p
	return true
}

// Move moves the live key to database to, keeping its value, expiry time
// and access time. It reports false, changing nothing, if the key does
// not exist here or exists in to.
func (db *DB) Move(key []byte, to *DB) bool {
	p, ok := db.find(key)
	if !ok || to.Exists(key) {
		return false
	}
	e := db.entries[p]
	db.removeAt(p)
	q := to.insert(e.key, e.val)
	to.entries[q].access = e.access
	if e.expireAt != 0 {
		to.setExpireAt(q, e.expireAt)
	}
	return true
}

func (db *DB) insert(key string, v datatypes.Value) int32 {
	p := int32(len(db.entries))
	db.entries = append(db.entries, entry{key: key, val: v, vidx: -1, access: lruClock(db.ks.now), snap: db.ks.snapEpoch})
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
	db.clearExpire(p) // passes the entry to a snapshot first
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

// SetExpire sets the expiry time of an existing key in Unix milliseconds
// and reports whether the key existed. A time that has already
// passed is stored as given, as Redis's setExpire does: the key then
// expires at its next lookup. Handlers that must delete such a key at once
// (EXPIRE, SET PXAT in the past) check Keyspace.IsExpired themselves and
// record a DEL.
func (db *DB) SetExpire(key []byte, at int64) bool {
	p, ok := db.find(key)
	if !ok {
		return false
	}
	db.setExpireAt(p, at)
	return true
}

func (db *DB) setExpireAt(p int32, at int64) {
	if at == 0 {
		// 0 means no expiry time in an entry. The epoch itself can only
		// come from PEXPIREAT while loading, where it is kept rather than
		// applied; a millisecond before it is just as much in the past.
		at = -1
	}
	db.preserve(p)
	e := &db.entries[p]
	e.expireAt = at
	if e.vidx < 0 {
		e.vidx = int32(len(db.volatile))
		db.volatile = append(db.volatile, p)
	}
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
	db.preserve(p)
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

// IdleMillis returns the time since a key's last access in milliseconds,
// at the access clock's resolution of a second, for OBJECT IDLETIME.
func (db *DB) IdleMillis(key []byte) (int64, bool) {
	p, ok := db.find(key)
	if !ok {
		return 0, false
	}
	return lruIdleMillis(db.ks.now, db.entries[p].access), true
}

// Flush deletes every key.
func (db *DB) Flush() {
	db.detachFromSnapshot()
	db.pos = make(map[string]int32)
	db.entries = nil
	db.volatile = nil
	db.expireCursor = 0
}

func (db *DB) swap(other *DB) {
	db.pos, other.pos = other.pos, db.pos
	db.entries, other.entries = other.entries, db.entries
	db.volatile, other.volatile = other.volatile, db.volatile
	db.expireCursor, other.expireCursor = other.expireCursor, db.expireCursor
	db.snapOrigin, other.snapOrigin = other.snapOrigin, db.snapOrigin
	db.snapCursor, other.snapCursor = other.snapCursor, db.snapCursor
}

// RandomKey returns a random live key, or false if the database is empty.
// Expired keys met on the way are reclaimed, as Redis does on a master;
// each miss removes a key, so the loop ends.
func (db *DB) RandomKey() (string, bool) {
	for len(db.entries) > 0 {
		p := int32(rand.IntN(len(db.entries)))
		e := &db.entries[p]
		if db.expired(e) {
			db.ks.expire(db, p)
			continue
		}
		return e.key, true
	}
	return "", false
}

// Scan calls fn with the keys at up to count positions below cursor and
// returns the cursor to continue from, 0 when the walk is complete. Cursor
// 0 starts a walk; a cursor past the end resumes at the end.
//
// Keys are passed whether or not they have expired: fn must not change the
// database, and the caller filters and reclaims expired keys through the
// lookups once Scan has returned.
//
// Guarantee: a key present for a whole walk is passed at least once, even
// if keys are added and removed between calls. Every such key not yet
// passed sits below the cursor, because entries only ever move down (a
// removal moves the last entry into the hole) and insertions append.
func (db *DB) Scan(cursor uint64, count int, fn func(key string)) uint64 {
	p := uint64(len(db.entries))
	if cursor != 0 && cursor < p {
		p = cursor
	}
	for ; p > 0 && count > 0; count-- {
		p--
		fn(db.entries[p].key)
	}
	return p
}

// ForEach calls fn for every live key, in no particular order. fn must
// not change the database.
func (db *DB) ForEach(fn func(key string, v datatypes.Value)) {
	for i := range db.entries {
		e := &db.entries[i]
		if db.expired(e) {
			continue
		}
		fn(e.key, e.val)
	}
}

// ExpireStep looks at the next n keys that have an expiry time and
// deletes those whose time has come. It returns how many it looked at and
// how many it deleted; the active expiry cycle uses the ratio to decide
// whether to go on.
//
// Successive steps sweep the volatile index from the end down, as SCAN
// walks the entries, rather than sampling it: a removal moves the last
// index entry, already looked at, into the hole, so one sweep looks at
// every key that had an expiry time when it began and no expired key is
// left behind for long, however few of them there are.
func (db *DB) ExpireStep(n int) (looked, expired int) {
	for ; looked < n && len(db.volatile) > 0; looked++ {
		if db.expireCursor <= 0 || db.expireCursor > len(db.volatile) {
			db.expireCursor = len(db.volatile)
		}
		db.expireCursor--
		p := db.volatile[db.expireCursor]
		if db.expired(&db.entries[p]) {
			db.ks.expire(db, p)
			expired++
		}
	}
	return looked, expired
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
