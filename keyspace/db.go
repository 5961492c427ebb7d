package keyspace

import (
	"math"
	"math/rand/v2"

	"github.com/cairn-db/cairn/datatypes"
)

// DB is one numbered database: its contents (a store, see store.go) and
// the state that walks them.
type DB struct {
	ks    *Keyspace
	index int
	st    *store
	// expireCursor is where the active expiry sweep of the volatile index
	// resumes; see ExpireStep.
	expireCursor int
	// snapOrigin and snapCursor are the running snapshot's view of these
	// contents (snapshot.go); they move with them on SWAPDB.
	snapOrigin int
	snapCursor int
	// dirty are the values this command looked up to change (or stored,
	// for a collection) that the store keeps as bytes: short strings and
	// small collections in compact form. A command changes such a Value
	// in place, so the keyspace writes them back when the command ends
	// (Keyspace.FlushDirty); until then lookups of the key return the same
	// Value.
	dirty []dirtyValue
}

type dirtyValue struct {
	key []byte
	v   datatypes.Value
}

// valueAt returns the value at p, the command's own copy if it has one.
func (db *DB) valueAt(p uint32) datatypes.Value {
	if len(db.dirty) > 0 {
		if i := db.dirtyIndex(db.st.key(p)); i >= 0 {
			return db.dirty[i].v
		}
	}
	return db.st.value(p)
}

// dirtyIndex returns the index of key's copy in dirty, -1 if none.
func (db *DB) dirtyIndex(key []byte) int {
	for i := range db.dirty {
		if string(db.dirty[i].key) == string(key) {
			return i
		}
	}
	return -1
}

// forget drops the command's copy of key, which is about to be replaced
// or deleted.
func (db *DB) forget(key []byte) {
	if i := db.dirtyIndex(key); i >= 0 {
		last := len(db.dirty) - 1
		db.dirty[i] = db.dirty[last]
		db.dirty[last] = dirtyValue{}
		db.dirty = db.dirty[:last]
	}
}

// stored notes that v was just stored at p for key: a collection kept in
// compact form is the command's copy until it ends, since commands fill a
// new collection after storing it. A string is never changed once stored.
func (db *DB) stored(key []byte, p uint32, v datatypes.Value) {
	db.forget(key)
	if db.st.record(p)[0]&kindMask > kindObject {
		db.keep(key, v)
	}
}

// keep makes v the command's copy of key.
func (db *DB) keep(key []byte, v datatypes.Value) {
	db.dirty = append(db.dirty, dirtyValue{key: append([]byte(nil), key...), v: v})
	db.ks.dirty = true
}

// flushDirty writes the command's copies back.
func (db *DB) flushDirty() {
	for i, d := range db.dirty {
		if p, ok := db.st.find(d.key); ok {
			db.st.setValue(p, d.v)
		}
		db.dirty[i] = dirtyValue{}
	}
	db.dirty = db.dirty[:0]
}

func newDB(ks *Keyspace, index int) *DB {
	return &DB{ks: ks, index: index, st: ks.newStore(), snapOrigin: -1}
}

// Index is the database number.
func (db *DB) Index() int { return db.index }

// Len is the number of keys, including expired keys not yet reclaimed.
func (db *DB) Len() int { return db.st.len() }

// VolatileLen is the number of keys with an expiry time.
func (db *DB) VolatileLen() int { return db.st.volatile.n }

// expired reports whether the key at pos has an expiry time that has
// come; never while loading.
func (db *DB) expired(pos uint32) bool {
	if db.st.entry(pos).vidx == 0 {
		return false
	}
	return db.ks.IsExpired(db.st.expireAt(pos))
}

// find returns the position of a live key, deleting it first if it has
// expired.
func (db *DB) find(key []byte) (uint32, bool) {
	p, ok := db.st.find(key)
	if !ok {
		return 0, false
	}
	if db.expired(p) {
		db.ks.expire(db, p)
		return 0, false
	}
	return p, true
}

// touch records an access to the key at p: its LRU clock or LFU counter.
func (db *DB) touch(p uint32) {
	e := db.st.entry(p)
	e.setAccess(db.ks.accessed(e.access()))
}

// Lookup returns the value of a key for a read command, counting a hit or
// a miss and updating the key's access time. A value the store keeps as
// bytes is returned as a new Value, which a read command does not change.
func (db *DB) Lookup(key []byte) (datatypes.Value, bool) {
	p, ok := db.find(key)
	if !ok {
		db.ks.Stats.KeyspaceMisses++
		db.missed(key)
		return nil, false
	}
	db.ks.Stats.KeyspaceHits++
	db.touch(p)
	return db.valueAt(p), true
}

// LookupString returns the bytes of a string value for a read command,
// counting a hit or a miss and updating the key's access time, as Lookup,
// without making a String of a short one. The bytes are valid until the
// keyspace next changes; obj is the String they belong to if it is one of
// the store's objects (nil for a short string), for a reply that holds
// them by reference. isString is false, with found true, for a value of
// another type.
func (db *DB) LookupString(key []byte) (b []byte, obj *datatypes.String, found, isString bool) {
	p, ok := db.find(key)
	if !ok {
		db.ks.Stats.KeyspaceMisses++
		db.missed(key)
		return nil, nil, false, false
	}
	db.ks.Stats.KeyspaceHits++
	db.touch(p)
	b, obj, isString = db.st.stringAt(p)
	return b, obj, true, isString
}

// LookupStringWrite is LookupString for a write command that computes a
// new string from the old one (INCR): the access time is updated but no
// hit or miss is counted.
func (db *DB) LookupStringWrite(key []byte) (b []byte, found, isString bool) {
	p, ok := db.find(key)
	if !ok {
		return nil, false, false
	}
	db.preserve(p)
	db.touch(p)
	b, _, isString = db.st.stringAt(p)
	return b, true, isString
}

// LookupWrite returns the value of a key for a write command: the access
// time is updated but no hit or miss is counted. A value the store keeps
// as bytes (a short string, a small collection) is returned as a new
// Value that the command may change in place: it is written back when the
// command ends (see DB.dirty). Other values are the stored objects.
func (db *DB) LookupWrite(key []byte) (datatypes.Value, bool) {
	p, ok := db.find(key)
	if !ok {
		return nil, false
	}
	db.preserve(p)
	db.touch(p)
	if i := db.dirtyIndex(key); i >= 0 {
		return db.dirty[i].v, true
	}
	v := db.st.value(p)
	if obj, isObj := objectOf(db.st.record(p)); isObj {
		db.st.measureLater(obj)
	} else {
		db.keep(key, v)
	}
	return v, true
}

// ExistsWrite is LookupWrite for a write command that needs to know only
// whether the key exists.
func (db *DB) ExistsWrite(key []byte) bool {
	p, ok := db.find(key)
	if ok {
		db.preserve(p)
		db.touch(p)
	}
	return ok
}

// LookupNoTouch returns the value of a key for a read that counts a hit
// or a miss but leaves the access time alone, as Redis's LOOKUP_NOTOUCH
// (EXISTS, TYPE, TTL, OBJECT).
func (db *DB) LookupNoTouch(key []byte) (datatypes.Value, bool) {
	p, ok := db.find(key)
	if !ok {
		db.ks.Stats.KeyspaceMisses++
		db.missed(key)
		return nil, false
	}
	db.ks.Stats.KeyspaceHits++
	return db.valueAt(p), true
}

// Peek returns the value of a key without touching its access time or the
// statistics.
func (db *DB) Peek(key []byte) (datatypes.Value, bool) {
	p, ok := db.find(key)
	if !ok {
		return nil, false
	}
	return db.valueAt(p), true
}

// Exists reports whether a live key exists.
func (db *DB) Exists(key []byte) bool {
	_, ok := db.find(key)
	return ok
}

// Set stores a value and clears any expiry time, as a plain SET does.
func (db *DB) Set(key []byte, v datatypes.Value) {
	db.SetWithExpire(key, v, 0)
}

// SetKeepTTL stores a value and keeps the key's expiry time, if any.
func (db *DB) SetKeepTTL(key []byte, v datatypes.Value) {
	p, ok := db.find(key)
	if ok {
		db.preserve(p)
		db.touch(p)
		db.st.setValue(p, v)
	} else {
		p = db.insert(key, v, 0)
	}
	db.stored(key, p, v)
}

// SetWithExpire stores a value with an expiry time in Unix milliseconds
// (0 for none), replacing the key if it exists, as SET EX and COPY do.
func (db *DB) SetWithExpire(key []byte, v datatypes.Value, at int64) {
	p, ok := db.find(key)
	if ok {
		db.preserve(p)
		db.touch(p)
		db.st.rewrite(p, key, at, v)
	} else {
		p = db.insert(key, v, at)
	}
	db.stored(key, p, v)
}

// Rename gives the live key src the name dst, keeping its value, expiry
// time and access time; a key dst is replaced. It reports whether src
// existed.
func (db *DB) Rename(src, dst []byte) bool {
	db.ks.FlushDirty()
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
	p, _ := db.st.find(src)
	db.preserve(p)
	st := db.st
	st.index.remove(st.tag(src), p)
	st.reshape(p, dst, st.expireAt(p))
	st.index.insert(st.tag(dst), p)
	return true
}

// Move moves the live key to database to, keeping its value, expiry time
// and access time. It reports false, changing nothing, if the key does
// not exist here or exists in to.
func (db *DB) Move(key []byte, to *DB) bool {
	db.ks.FlushDirty()
	p, ok := db.find(key)
	if !ok || to.Exists(key) {
		return false
	}
	v, at, access := db.st.value(p), db.st.expireAt(p), db.st.entry(p).access()
	db.removeAt(p)
	q := to.insert(key, v, at)
	to.st.entry(q).setAccess(access)
	return true
}

func (db *DB) insert(key []byte, v datatypes.Value, expireAt int64) uint32 {
	p := db.st.add(key, v, expireAt, db.ks.newAccess()<<8|uint32(db.ks.snapEpoch))
	if db.ks.onNew != nil && !db.ks.loading {
		db.ks.onNew(db.index, key)
	}
	return p
}

// missed passes a read lookup's miss to the hook, if any.
func (db *DB) missed(key []byte) {
	if db.ks.onMiss != nil {
		db.ks.onMiss(db.index, key)
	}
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

// removeAt deletes the entry at p, passing it to a snapshot first.
func (db *DB) removeAt(p uint32) {
	db.preserve(p)
	if len(db.dirty) > 0 {
		db.forget(db.st.key(p))
	}
	db.st.remove(p)
}

// ExpireAt returns the expiry time of a live key in Unix milliseconds, 0
// if it has none; ok is false if the key does not exist.
func (db *DB) ExpireAt(key []byte) (at int64, ok bool) {
	p, ok := db.find(key)
	if !ok {
		return 0, false
	}
	return db.st.expireAt(p), true
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
	if at == 0 {
		// 0 means no expiry time in a record. The epoch itself can only
		// come from PEXPIREAT while loading, where it is kept rather than
		// applied; a millisecond before it is just as much in the past.
		at = -1
	}
	db.preserve(p)
	db.st.setExpire(p, at)
	return true
}

// Persist removes the expiry time of a key and reports whether it had one.
func (db *DB) Persist(key []byte) bool {
	p, ok := db.find(key)
	if !ok || db.st.entry(p).vidx == 0 {
		return false
	}
	db.preserve(p)
	db.st.setExpire(p, 0)
	return true
}

// IdleMillis returns the time since a key's last access in milliseconds,
// at the access clock's resolution of a second, for OBJECT IDLETIME.
func (db *DB) IdleMillis(key []byte) (int64, bool) {
	p, ok := db.find(key)
	if !ok {
		return 0, false
	}
	return lruIdleMillis(db.ks.now, db.st.entry(p).access()), true
}

// RestoreAccess sets a key's eviction data as RESTORE's IDLETIME and FREQ
// do (objectSetLRUOrLFU): under an LFU policy the counter to freq if freq
// >= 0, under another policy the access time to idle seconds ago if idle
// >= 0. An idle time past what the clock holds leaves the key looking
// half a wrap of the clock old, as in Redis.
func (db *DB) RestoreAccess(key []byte, idle, freq int64) {
	p, ok := db.find(key)
	if !ok {
		return
	}
	e := db.st.entry(p)
	if db.ks.ev.Policy.LFU() {
		if freq >= 0 {
			e.setAccess(lfuMinutes(db.ks.now)<<8 | uint32(freq))
		}
		return
	}
	if idle >= 0 {
		clock := int64(lruClock(db.ks.now))
		at := clock - idle
		if idle > clock {
			at = (clock + lruMax/2) % lruMax
		}
		e.setAccess(uint32(at))
	}
}

// Freq returns a key's LFU counter, decayed to now, for OBJECT FREQ: the
// access field holds one only under an LFU policy.
func (db *DB) Freq(key []byte) (int, bool) {
	p, ok := db.find(key)
	if !ok {
		return 0, false
	}
	return int(db.ks.lfuCounter(db.st.entry(p).access())), true
}

// Flush deletes every key.
func (db *DB) Flush() {
	clear(db.dirty)
	db.dirty = db.dirty[:0]
	db.detachFromSnapshot()
	db.st = db.ks.newStore()
	db.expireCursor = 0
}

func (db *DB) swap(other *DB) {
	db.st, other.st = other.st, db.st
	db.expireCursor, other.expireCursor = other.expireCursor, db.expireCursor
	db.snapOrigin, other.snapOrigin = other.snapOrigin, db.snapOrigin
	db.snapCursor, other.snapCursor = other.snapCursor, db.snapCursor
}

// RandomKey returns a random live key, or false if the database is empty.
// Expired keys met on the way are reclaimed, as Redis does on a master;
// each miss removes a key, so the loop ends.
func (db *DB) RandomKey() (string, bool) {
	for db.st.len() > 0 {
		p := uint32(rand.IntN(db.st.len()))
		if db.expired(p) {
			db.ks.expire(db, p)
			continue
		}
		return string(db.st.key(p)), true
	}
	return "", false
}

// Scan calls fn with the keys at up to count positions below cursor and
// returns the cursor to continue from, 0 when the walk is complete. Cursor
// 0 starts a walk; a cursor past the end resumes at the end (keys were
// removed since). A cursor no walk can return (above 2^32, positions
// being uint32) ends the walk at once, as Redis answers one past its
// table's size with an empty page.
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
	if cursor > math.MaxUint32 {
		return 0
	}
	p := uint64(db.st.len())
	if cursor != 0 && cursor < p {
		p = cursor
	}
	for ; p > 0 && count > 0; count-- {
		p--
		fn(string(db.st.key(uint32(p))))
	}
	return p
}

// ForEach calls fn for every live key, in no particular order. fn must
// not change the database.
func (db *DB) ForEach(fn func(key string, v datatypes.Value)) {
	for p := range uint32(db.st.len()) {
		if db.expired(p) {
			continue
		}
		fn(string(db.st.key(p)), db.valueAt(p))
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
	vol := &db.st.volatile
	for ; looked < n && vol.n > 0; looked++ {
		if db.expireCursor <= 0 || db.expireCursor > vol.n {
			db.expireCursor = vol.n
		}
		db.expireCursor--
		p := *vol.at(db.expireCursor)
		if db.expired(p) {
			db.ks.expire(db, p)
			expired++
		}
	}
	return looked, expired
}

// MemoryUsage is what a live key costs: its share of the store and its
// value; false if there is no such key.
func (db *DB) MemoryUsage(key []byte) (int, bool) {
	p, ok := db.find(key)
	if !ok {
		return 0, false
	}
	// A value in compact form is counted in its record.
	return db.st.keyBytes(p), true
}

// lruClock is the access clock: seconds in 24 bits, as Redis's LRU clock,
// wrapping every 194 days.
func lruClock(nowMillis int64) uint32 { return uint32(nowMillis/1000) & lruMax }

const lruMax = 1<<24 - 1

// lruIdleMillis is the time since access, at most one wrap of the clock,
// as Redis's estimateObjectIdleTime.
func lruIdleMillis(nowMillis int64, access uint32) int64 {
	now := lruClock(nowMillis)
	if now >= access {
		return int64(now-access) * 1000
	}
	return int64(now+lruMax-access) * 1000
}
