package keyspace

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"time"

	"github.com/cairn-db/cairn/datatypes"
)

// store is one database's contents, kept where the collector does not
// look (see docs/architecture.md, "The keyspace's memory"):
//
//	index     key hash -> entry position                 (index.go)
//	entries   dense array of 16-byte entries              (paged.go)
//	volatile  positions of the entries with an expiry time
//	slab      one record per key: its name, expiry time, and its value if
//	          it is a short string, else the value's object number (slab.go)
//	objs      the values that are Go objects: lists, sets, hashes and
//	          long strings
//
// Everything but objs is pointer-free and lives in arena pages.
//
// Entries are dense: deleting moves the last entry into the hole. This
// gives O(1) random sampling (RANDOMKEY, active expiry) and lets SCAN and
// snapshots walk positions from the end down: a moved entry always comes
// from the already-visited end.
type store struct {
	seed     maphash.Seed
	index    index
	entries  paged[entry]
	volatile paged[uint32]
	slab     *slab
	objs     []datatypes.Value
	// objFree are numbers of objs that are free.
	objFree []uint32
	// objSize is each object's MemoryUsage when last measured, objBytes
	// their sum. An object is measured when stored, and again when the
	// command that may have changed it in place ends (touched).
	objSize  []int
	objBytes int
	// touched are the numbers of the objects to measure again when the
	// command ends; *dirty is set with it, so that it does (FlushDirty).
	touched []uint32
	dirty   *bool
	// hint is 1 + the position find last returned: a command that looks
	// a key up and then stores it finds it without hashing again.
	hint uint32
	// scratch is where a compact form is made before it is copied into
	// its record; scratchString is snapshotValue's String.
	scratch       []byte
	scratchString *datatypes.String
}

// entry is a key's place in the store.
type entry struct {
	// loc is the location of the key's record in the slab.
	loc uint64
	// meta is the access clock (seconds, 24 bits, wrapping as Redis's
	// LRU clock) above the epoch of the last snapshot that has this key's
	// state: written to it, or created after it began (snapshot.go).
	meta uint32
	// vidx is 1 + the entry's position in volatile, 0 without expiry.
	vidx uint32
}

func (e *entry) access() uint32 { return e.meta >> 8 }
func (e *entry) epoch() uint8   { return uint8(e.meta) }
func (e *entry) setAccess(c uint32) {
	e.meta = c<<8 | e.meta&0xff
}
func (e *entry) setEpoch(ep uint8) { e.meta = e.meta&^0xff | uint32(ep) }

// A record in the slab:
//
//	+-------+----------------+-----+-------------------+----------------------+
//	| flags | uvarint keylen | key | [expireAt: 8, LE] | value                |
//	+-------+----------------+-----+-------------------+----------------------+
//	value: object number (4 bytes, LE) for kindObject, else uvarint len +
//	       bytes: a string's, or a collection's compact form
//	       (datatypes.AppendCompact)
//	flags: bits 0-2 kind, bit 3 has expiry, bits 4-6 a string's StringMeta
const (
	kindString = 0
	kindObject = 1
	// kindCompact + k is a value in compact form of datatypes.CompactKind k.
	kindCompact = 1
	kindMask    = 7
	recExpire   = 1 << 3
	metaShift   = 4
)

// MaxInlineString is the longest string value kept in its record, and
// maxCompact the longest compact form of a collection; longer ones are
// objects on the Go heap, which a reply can be written from without a
// copy, and which change in place. Strings up to 16 KB stay out of the
// Go heap, which a cache of values of a few KB would otherwise fill: its
// collector then works in proportion, and under a memory limit it runs
// all the time. A collection changed in place is decoded and encoded
// again by each command that changes it, which bounds its compact form.
const (
	MaxInlineString = 16000
	maxCompact      = 2048
)

func newStore(seed maphash.Seed, dirty *bool) *store {
	return &store{seed: seed, slab: newSlab(), dirty: dirty}
}

func (st *store) tag(key []byte) uint32 {
	return uint32(maphash.Bytes(st.seed, key) >> 32)
}

func (st *store) len() int { return st.entries.n }

func (st *store) entry(pos uint32) *entry { return st.entries.at(int(pos)) }

func (st *store) record(pos uint32) []byte { return st.slab.slot(st.entry(pos).loc) }

// recordKey returns the key in a record.
func recordKey(r []byte) []byte {
	n, w := binary.Uvarint(r[1:])
	return r[1+w : 1+w+int(n)]
}

// recordExpire returns the expiry time in a record, 0 if none, and the
// offset of the value.
func recordExpire(r []byte) (at int64, val int) {
	n, w := binary.Uvarint(r[1:])
	off := 1 + w + int(n)
	if r[0]&recExpire == 0 {
		return 0, off
	}
	return int64(binary.LittleEndian.Uint64(r[off:])), off + 8
}

func (st *store) find(key []byte) (uint32, bool) {
	// Keys are unique, so the entry at the hint is the key's if it holds
	// the key, however entries have moved since.
	if h := st.hint - 1; h < uint32(st.len()) && string(recordKey(st.record(h))) == string(key) {
		return h, true
	}
	pos, ok := st.index.find(st.tag(key), func(pos uint32) bool {
		return string(recordKey(st.record(pos))) == string(key)
	})
	if ok {
		st.hint = pos + 1
	}
	return pos, ok
}

func (st *store) key(pos uint32) []byte { return recordKey(st.record(pos)) }

func (st *store) expireAt(pos uint32) int64 {
	at, _ := recordExpire(st.record(pos))
	return at
}

// recordValue returns a record's kind and its value: the object number
// for kindObject, else the value's bytes.
func recordValue(r []byte) (kind byte, b []byte, obj uint32) {
	_, off := recordExpire(r)
	kind = r[0] & kindMask
	if kind == kindObject {
		return kind, nil, binary.LittleEndian.Uint32(r[off:])
	}
	n, w := binary.Uvarint(r[off:])
	return kind, r[off+w : off+w+int(n)], 0
}

// value returns the value at pos: the object itself, or a new Value made
// from the record's bytes.
func (st *store) value(pos uint32) datatypes.Value {
	r := st.record(pos)
	switch kind, b, obj := recordValue(r); kind {
	case kindObject:
		return st.objs[obj]
	case kindString:
		return datatypes.RestoreString(b, datatypes.StringMeta(r[0]>>metaShift))
	default:
		return datatypes.FromCompact(datatypes.CompactKind(kind-kindCompact), b)
	}
}

// snapshotValue is value for a caller that does not keep the result past
// its next call (a snapshot): an inline string is made in one String the
// store reuses.
func (st *store) snapshotValue(pos uint32) datatypes.Value {
	r := st.record(pos)
	kind, b, _ := recordValue(r)
	if kind != kindString {
		return st.value(pos)
	}
	if st.scratchString == nil {
		st.scratchString = &datatypes.String{}
	}
	st.scratchString.Restore(b, datatypes.StringMeta(r[0]>>metaShift))
	return st.scratchString
}

// stringAt returns the bytes of the string at pos, valid until the store
// next changes, and the String itself if it is an object; isString is
// false for a value of another type.
func (st *store) stringAt(pos uint32) (b []byte, obj *datatypes.String, isString bool) {
	kind, b, n := recordValue(st.record(pos))
	switch kind {
	case kindString:
		return b, nil, true
	case kindObject:
		if s, ok := st.objs[n].(*datatypes.String); ok {
			return s.Bytes(), s, true
		}
	}
	return nil, nil, false
}

// objectOf returns the object number in a record, if it has one.
func objectOf(r []byte) (uint32, bool) {
	if r[0]&kindMask != kindObject {
		return 0, false
	}
	_, _, obj := recordValue(r)
	return obj, true
}

// writeRecord stores a record for key, expireAt and v, reusing the
// object number obj (if the value is an object and obj is not noObject),
// and returns the slot's location: old's (noLoc for none) if the record
// belongs in the same size class, where it is written over the old one
// (key may be the old record's own), else a new slot's.
func (st *store) writeRecord(key []byte, expireAt int64, v datatypes.Value, obj uint32, old uint64) (loc uint64, isObj bool) {
	flags, inline := st.inlineForm(v)
	if flags == kindObject {
		if obj == noObject {
			obj = st.newObject(v)
		} else {
			st.setObject(obj, v)
		}
	}
	size := headSize(key, expireAt)
	if flags == kindObject {
		size += 4
	} else {
		size += uvarintLen(uint64(len(inline))) + len(inline)
	}
	var r []byte
	if old != noLoc && st.slab.sameClass(old, size) {
		loc, r = old, st.slab.slot(old)
	} else {
		loc, r = st.slab.alloc(size)
	}
	off := putHead(r, flags, key, expireAt)
	if flags == kindObject {
		binary.LittleEndian.PutUint32(r[off:], obj)
	} else {
		off += binary.PutUvarint(r[off:], uint64(len(inline)))
		copy(r[off:], inline)
	}
	return loc, flags == kindObject
}

// headSize is the size of a record's head: flags, key and expiry time.
func headSize(key []byte, expireAt int64) int {
	n := 1 + uvarintLen(uint64(len(key))) + len(key)
	if expireAt != 0 {
		n += 8
	}
	return n
}

// putHead writes a record's head into r, flags with recExpire set if
// expireAt is not 0, and returns the offset of the value. key may be r's
// own key at the same place.
func putHead(r []byte, flags byte, key []byte, expireAt int64) int {
	r[0] = flags &^ recExpire
	off := 1 + binary.PutUvarint(r[1:], uint64(len(key)))
	off += copy(r[off:], key)
	if expireAt != 0 {
		r[0] |= recExpire
		binary.LittleEndian.PutUint64(r[off:], uint64(expireAt))
		off += 8
	}
	return off
}

// inlineForm returns the flags of a record holding v (kind and string
// meta) and the bytes it holds of v, unless v is to be an object.
func (st *store) inlineForm(v datatypes.Value) (flags byte, inline []byte) {
	if s, isString := v.(*datatypes.String); isString {
		if s.Len() > MaxInlineString {
			return kindObject, nil
		}
		return kindString | byte(s.Meta())<<metaShift, s.Bytes()
	}
	b, kind := datatypes.AppendCompact(st.scratch[:0], v, maxCompact)
	st.scratch = b
	if kind == datatypes.CompactNone {
		return kindObject, nil
	}
	return kindCompact + byte(kind), b
}

const noObject = ^uint32(0)

func (st *store) newObject(v datatypes.Value) uint32 {
	var i uint32
	if n := len(st.objFree); n > 0 {
		i = st.objFree[n-1]
		st.objFree = st.objFree[:n-1]
	} else {
		st.objs = append(st.objs, nil)
		st.objSize = append(st.objSize, 0)
		i = uint32(len(st.objs) - 1)
	}
	st.setObject(i, v)
	return i
}

// setObject makes v object i and measures it. A String stored is never
// changed afterwards, and one that wraps its caller's bytes is copied
// (String.Kept); a collection is measured again when the command ends, as
// commands fill one after storing it.
func (st *store) setObject(i uint32, v datatypes.Value) {
	s, isString := v.(*datatypes.String)
	if isString {
		v = s.Kept()
	}
	st.objs[i] = v
	st.measure(i)
	if !isString {
		st.measureLater(i)
	}
}

// measureLater has object i measured again when the command ends.
func (st *store) measureLater(i uint32) {
	st.touched = append(st.touched, i)
	*st.dirty = true
}

// measure updates objBytes with object i's present size.
func (st *store) measure(i uint32) {
	n := 0
	if v := st.objs[i]; v != nil {
		n = v.MemoryUsage()
	}
	st.objBytes += n - st.objSize[i]
	st.objSize[i] = n
}

// measureTouched measures the objects touched by the command that ends.
func (st *store) measureTouched() {
	for _, i := range st.touched {
		st.measure(i)
	}
	st.touched = st.touched[:0]
}

func (st *store) freeObject(i uint32) {
	st.objs[i] = nil
	st.measure(i)
	st.objFree = append(st.objFree, i)
}

// add appends an entry for a key that is not present.
func (st *store) add(key []byte, v datatypes.Value, expireAt int64, meta uint32) uint32 {
	loc, _ := st.writeRecord(key, expireAt, v, noObject, noLoc)
	pos := uint32(st.entries.push(entry{loc: loc, meta: meta}))
	st.setVolatile(pos, expireAt != 0)
	st.index.insert(st.tag(key), pos)
	return pos
}

// rewrite replaces the record at pos by one with the given key, expiry
// time and value, keeping the volatile index in step.
func (st *store) rewrite(pos uint32, key []byte, expireAt int64, v datatypes.Value) {
	e := st.entry(pos)
	old := e.loc
	obj, hasObj := objectOf(st.slab.slot(old))
	if !hasObj {
		obj = noObject
	}
	loc, isObj := st.writeRecord(key, expireAt, v, obj, old)
	e.loc = loc
	if hasObj && !isObj {
		st.freeObject(obj)
	}
	if e.loc != old {
		st.slab.free(old)
	}
	st.setVolatile(pos, expireAt != 0)
}

// setValue replaces the value at pos, keeping the key and expiry time.
func (st *store) setValue(pos uint32, v datatypes.Value) {
	r := st.record(pos)
	if obj, ok := objectOf(r); ok {
		if flags, _ := st.inlineForm(v); flags == kindObject {
			// The record does not change: only the object it names.
			st.setObject(obj, v)
			return
		}
	}
	at, _ := recordExpire(r)
	st.rewrite(pos, recordKey(r), at, v)
}

// setExpire sets the expiry time at pos (0 for none).
func (st *store) setExpire(pos uint32, at int64) {
	r := st.record(pos)
	switch old, val := recordExpire(r); {
	case old == at:
	case old != 0 && at != 0:
		binary.LittleEndian.PutUint64(r[val-8:], uint64(at))
	default:
		st.reshape(pos, recordKey(r), at)
	}
}

// reshape rebuilds the record at pos with key and the expiry time at (0
// for none), its value bytes copied as they are: no Value is made, and an
// object keeps its number. key may be the record's own.
func (st *store) reshape(pos uint32, key []byte, at int64) {
	e := st.entry(pos)
	r := st.slab.slot(e.loc)
	_, val := recordExpire(r)
	tail := r[val:recordLen(r)]
	loc, n := st.slab.alloc(headSize(key, at) + len(tail))
	copy(n[putHead(n, r[0], key, at):], tail)
	st.slab.free(e.loc)
	e.loc = loc
	st.setVolatile(pos, at != 0)
}

// setVolatile puts pos in the volatile index or takes it out.
func (st *store) setVolatile(pos uint32, has bool) {
	e := st.entry(pos)
	switch {
	case has && e.vidx == 0:
		e.vidx = uint32(st.volatile.push(pos)) + 1
	case !has && e.vidx != 0:
		st.unvolatile(pos)
	}
}

// recordLen is the length of the record at the start of r.
func recordLen(r []byte) int {
	_, off := recordExpire(r)
	if r[0]&kindMask == kindObject {
		return off + 4
	}
	n, w := binary.Uvarint(r[off:])
	return off + w + int(n)
}

// unvolatile removes pos from the volatile index.
func (st *store) unvolatile(pos uint32) {
	e := st.entry(pos)
	i := int(e.vidx - 1)
	last := st.volatile.n - 1
	if i != last {
		moved := *st.volatile.at(last)
		*st.volatile.at(i) = moved
		st.entry(moved).vidx = uint32(i) + 1
	}
	st.volatile.pop()
	e.vidx = 0
}

// remove deletes the entry at pos by moving the last entry into its
// place.
func (st *store) remove(pos uint32) {
	e := st.entry(pos)
	if e.vidx != 0 {
		st.unvolatile(pos)
	}
	r := st.slab.slot(e.loc)
	st.index.remove(st.tag(recordKey(r)), pos)
	if obj, ok := objectOf(r); ok {
		st.freeObject(obj)
	}
	st.slab.free(e.loc)
	last := uint32(st.entries.n - 1)
	if pos != last {
		moved := *st.entry(last)
		*e = moved
		st.index.move(st.tag(recordKey(st.slab.slot(moved.loc))), last, pos)
		if moved.vidx != 0 {
			*st.volatile.at(int(moved.vidx - 1)) = pos
		}
	}
	st.entries.pop()
}

// shrinkSlab gives back slab pages of classes with much free space
// (slab.sparse), moving the records they hold, until deadline; it reports
// false if it ran out of time.
func (st *store) shrinkSlab(deadline time.Time) bool {
	for ci := range st.slab.classes {
		for st.slab.sparse(ci) {
			if time.Now().After(deadline) {
				return false
			}
			st.slab.shrink(ci, func(from, to uint64) {
				key := recordKey(st.slab.slot(to))
				// The entry still points at from, whose bytes are intact
				// until the page goes.
				pos, _ := st.index.find(st.tag(key), func(pos uint32) bool { return st.entry(pos).loc == from })
				st.entry(pos).loc = to
			})
		}
	}
	return true
}

// release gives every page back; the store is empty after.
func (st *store) release() {
	st.index.release()
	st.entries.release()
	st.volatile.release()
	st.slab.release()
	st.objs, st.objFree, st.objSize, st.objBytes, st.touched = nil, nil, nil, 0, nil
}

// memory is what the store's contents cost as used_memory counts them:
// records, objects and overhead.
func (st *store) memory() int { return st.slab.used + st.objBytes + st.overhead() }

// overhead is what the store spends besides records and objects: the
// table of objects and the arena's structure.
func (st *store) overhead() int {
	const objSlot = 16 + 8 // objs' interface and objSize's int
	return objSlot*cap(st.objs) + 4*cap(st.objFree) + st.structure()
}

// structure is the arena pages of the index, the entries and the volatile
// index.
func (st *store) structure() int {
	return st.index.bytes() + st.entries.bytes() + st.volatile.bytes()
}

// keyBytes is what one key costs the store besides an object value: its
// record's slot, its entry, its share of the index (a slot at the
// average load) and of the volatile index.
func (st *store) keyBytes(pos uint32) int {
	e := st.entry(pos)
	n := st.slab.slotSize(e.loc) + 16 + 8*segSlots/(segMax*3/4)
	if e.vidx != 0 {
		n += 4
	}
	if obj, isObj := objectOf(st.slab.slot(e.loc)); isObj {
		n += 16 + 8 + st.objSize[obj]
	}
	return n
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// stores are the stores of one keyspace that hold pages, so that the
// pages go back to the arena when the keyspace is dropped without being
// emptied (tests make many).
type stores struct {
	mu  sync.Mutex
	all map[*store]struct{}
}

func (s *stores) track(st *store) {
	s.mu.Lock()
	s.all[st] = struct{}{}
	s.mu.Unlock()
}

func (s *stores) release(st *store) {
	st.release()
	s.mu.Lock()
	delete(s.all, st)
	s.mu.Unlock()
}

func (s *stores) releaseAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for st := range s.all {
		st.release()
	}
	s.all = nil
}
