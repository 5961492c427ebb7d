package scripting

import (
	"crypto/sha1"
	"hash/maphash"
)

// scriptTable is the cache's index of scripts by SHA1: an open-addressed
// table of pointers, at most 3/4 full, probed linearly from a seeded hash
// of the SHA1 (clients choose the scripts, and could aim them at the
// slots of a fixed hash). It costs 11 to 21 bytes a script; a Go map of
// SHA1 to *Script, 50 to 85.
type scriptTable struct {
	seed  maphash.Seed
	slots []*Script // a power of 2 of them
	n     int
}

func newScriptTable() scriptTable { return scriptTable{seed: maphash.MakeSeed()} }

// get returns the script with the given SHA1, or nil.
func (t *scriptTable) get(sum *[sha1.Size]byte) *Script {
	if t.n == 0 {
		return nil
	}
	mask := uint64(len(t.slots) - 1)
	for i := maphash.Comparable(t.seed, *sum) & mask; ; i = (i + 1) & mask {
		if s := t.slots[i]; s == nil || s.sum == *sum {
			return s
		}
	}
}

// add adds s, whose SHA1 the table does not hold.
func (t *scriptTable) add(s *Script) {
	if 4*(t.n+1) > 3*len(t.slots) {
		old := t.slots
		t.slots = make([]*Script, max(16, 2*len(old)))
		for _, o := range old {
			if o != nil {
				t.put(o)
			}
		}
	}
	t.put(s)
	t.n++
}

func (t *scriptTable) put(s *Script) {
	mask := uint64(len(t.slots) - 1)
	i := maphash.Comparable(t.seed, s.sum) & mask
	for t.slots[i] != nil {
		i = (i + 1) & mask
	}
	t.slots[i] = s
}

// memoryUsage is the bytes of the table's slots.
func (t *scriptTable) memoryUsage() int { return 8 * len(t.slots) }
