package keyspace

import "github.com/cairn-db/cairn/datatypes"

// A point-in-time snapshot without fork and without copying the keyspace:
// copy-on-write at the level of keys, as Dragonfly does it.
//
// BeginSnapshot starts a new epoch. From then on every key's state as of
// that moment is passed to the snapshot's SnapshotFunc exactly once:
// either by SnapshotStep, which walks the databases a few keys per call,
// or, if a command is about to change or delete a key that the walk has not
// reached yet, by the change itself (preserve), just before it happens.
// Keys created after the start carry the new epoch and are never passed.
// The extra memory is what the SnapshotFunc holds of keys passed but not
// yet written, and clients wait at most for one step or one key's
// encoding, never for the whole keyspace.
//
// The walk goes from the end of each database's entries down, as SCAN
// does: a deletion moves the last entry into the hole, so entries only
// ever move down, and every entry present at the start is either passed
// through preserve or found below the cursor. SWAPDB swaps the walk's
// state with the contents; FLUSHDB hands the old contents to the walk.
//
// An entry keeps the epoch in 8 bits. A completed snapshot leaves every
// entry at its epoch, so only abandoned snapshots let an entry fall
// behind; before 255 of them in a row could make an old epoch look
// current, BeginSnapshot brings every entry up to date.

// SnapshotFunc receives the state of one key as of the snapshot's start:
// its database then, name, value and absolute expiry time in Unix
// milliseconds (0 for none; the key may be past it). It runs with the
// keyspace lock held and must not keep key or v beyond the call, since
// the caller is about to change them.
type SnapshotFunc func(db int, key []byte, v datatypes.Value, expireAt int64)

// snapshot is the snapshot in progress.
type snapshot struct {
	fn SnapshotFunc
	// detached are contents flushed away before the walk had passed
	// them; nothing else refers to them any more.
	detached []detached
}

type detached struct {
	origin int
	st     *store
	// left is how many of st's entries, from the start, are still to walk.
	left int
}

// BeginSnapshot starts a snapshot of every database as it is now. The
// effects recorded so far in this unit of work are handed to the sink
// first, so that the snapshot covers exactly the units already handed
// over. Any snapshot in progress is abandoned. The caller holds the lock.
func (ks *Keyspace) BeginSnapshot(fn SnapshotFunc) {
	ks.EndUnit()
	if ks.snap != nil {
		ks.AbandonSnapshot()
	}
	if ks.abandoned >= 254 {
		for _, db := range ks.dbs {
			for p := range uint32(db.st.len()) {
				db.st.entry(p).setEpoch(ks.snapEpoch)
			}
		}
		ks.abandoned = 0
	}
	ks.snapEpoch++
	ks.snap = &snapshot{fn: fn}
	for i, db := range ks.dbs {
		db.snapOrigin = i
		db.snapCursor = db.st.len()
	}
}

// AbandonSnapshot stops the snapshot in progress, if any. The caller holds
// the lock.
func (ks *Keyspace) AbandonSnapshot() {
	if ks.snap == nil {
		return
	}
	for _, d := range ks.snap.detached {
		ks.stores.release(d.st)
	}
	ks.snap = nil
	ks.abandoned++
	for _, db := range ks.dbs {
		db.snapOrigin, db.snapCursor = -1, 0
	}
}

// SnapshotStep passes up to n more keys to the snapshot and reports
// whether every key has now been passed, which ends the snapshot. The
// caller holds the lock.
func (ks *Keyspace) SnapshotStep(n int) (done bool) {
	s := ks.snap
	if s == nil {
		return true
	}
	for n > 0 && len(s.detached) > 0 {
		d := &s.detached[len(s.detached)-1]
		for n > 0 && d.left > 0 {
			d.left--
			s.pass(ks.snapEpoch, d.origin, d.st, uint32(d.left))
			n--
		}
		if d.left == 0 {
			ks.stores.release(d.st)
			s.detached = s.detached[:len(s.detached)-1]
		}
	}
	for _, db := range ks.dbs {
		if db.snapOrigin < 0 {
			continue
		}
		db.snapCursor = min(db.snapCursor, db.st.len())
		for n > 0 && db.snapCursor > 0 {
			db.snapCursor--
			db.preserve(uint32(db.snapCursor))
			n--
		}
		if db.snapCursor > 0 {
			return false
		}
		db.snapOrigin = -1
	}
	if len(s.detached) > 0 {
		return false
	}
	ks.snap = nil
	ks.abandoned = 0
	return true
}

// preserve passes the entry at p to the snapshot in progress if it has
// not been yet; every change to an entry calls it first.
func (db *DB) preserve(p uint32) {
	// Outside a snapshot this is the whole cost on the write path.
	if db.snapOrigin < 0 {
		return
	}
	db.ks.snap.pass(db.ks.snapEpoch, db.snapOrigin, db.st, p)
}

// pass hands the entry at p of st, then in database origin, to the
// snapshot of epoch unless it has it already.
func (s *snapshot) pass(epoch uint8, origin int, st *store, p uint32) {
	e := st.entry(p)
	if e.epoch() == epoch {
		return
	}
	e.setEpoch(epoch)
	s.fn(origin, st.key(p), st.snapshotValue(p), st.expireAt(p))
}

// detachFromSnapshot hands the contents to the snapshot if it has not
// walked them all yet, before the database is emptied, and otherwise
// releases them.
func (db *DB) detachFromSnapshot() {
	if db.snapOrigin >= 0 {
		if c := min(db.snapCursor, db.st.len()); c > 0 {
			db.ks.snap.detached = append(db.ks.snap.detached, detached{origin: db.snapOrigin, st: db.st, left: c})
			db.snapOrigin, db.snapCursor = -1, 0
			return
		}
	}
	db.snapOrigin, db.snapCursor = -1, 0
	db.ks.stores.release(db.st)
}

// Reserve makes room for n more keys, as a snapshot about to be loaded
// says it holds: the entries and the index then grow once, not by
// doubling.
func (db *DB) Reserve(n int) {
	if db.st.len() > 0 || n <= 0 {
		return
	}
	db.st.index.reserve(n)
}

// Insert adds a key loaded from a snapshot, with its absolute expiry time
// (0 for none). It records no effect. The caller holds the lock and the
// key must not exist.
func (db *DB) Insert(key []byte, v datatypes.Value, expireAt int64) {
	db.insert(key, v, expireAt)
}
