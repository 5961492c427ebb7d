package keyspace

import (
	"time"

	"github.com/cairn-db/cairn/keyspace/arena"
)

// What the databases' contents cost, as used_memory and INFO's allocator
// figures count it, and the slab pages given back (docs/architecture.md,
// "Memory accounting and eviction").

// UsedMemory is what the databases' contents cost (used_memory_dataset
// and the index overhead). The caller holds the lock.
func (ks *Keyspace) UsedMemory() int64 {
	var n int64
	for _, db := range ks.dbs {
		n += int64(db.st.memory())
	}
	return n
}

// MemoryOverhead is the part of the database's share of UsedMemory that
// is not keys and values, split as Redis's MEMORY STATS splits a
// database's: main, the index, the entries and the table of objects;
// expires, the volatile index. The caller holds the lock.
func (db *DB) MemoryOverhead() (main, expires int64) {
	expires = int64(db.st.volatile.bytes())
	return int64(db.st.overhead()) - expires, expires
}

// ShrinkSlabs gives back, until deadline, the slab pages that deletions
// and evictions left mostly free in a size class that no longer needs
// them, moving the records they still hold: memory freed in one class
// goes back to the arena for the others and the Go heap. The cron calls
// it; the caller holds the lock.
func (ks *Keyspace) ShrinkSlabs(deadline time.Time) {
	for _, db := range ks.dbs {
		if !db.st.shrinkSlab(deadline) {
			return
		}
	}
}

// ArenaMemory is what the databases' arena pages hold: allocated, the
// bytes of their records, entries and indexes; held, the pages they take
// (free slab slots included). The caller holds the lock.
func (ks *Keyspace) ArenaMemory() (allocated, held int64) {
	for _, db := range ks.dbs {
		st := db.st
		structure := st.structure()
		allocated += int64(structure + st.slab.used - st.slab.bigUsed)
		held += int64(structure)
		for i := range st.slab.classes {
			held += int64(len(st.slab.classes[i].pages)) * arena.PageSize
		}
	}
	return allocated, held
}
