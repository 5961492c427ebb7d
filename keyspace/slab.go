package keyspace

import (
	"encoding/binary"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/keyspace/arena"
)

// slab stores records (a key, its expiry time and a small value; see
// store.go) in arena pages carved into slots of a few size classes, as
// memcached's slab allocator does: a record takes the smallest class it
// fits, a freed slot goes on its class's free list and the next record of
// that class reuses it. Class sizes grow by about a sixteenth, which bounds
// the space lost to rounding. Memory freed by deletions is reused by later
// writes of the class; a class left with many free slots (a workload that
// moved to other sizes) gives pages back, its records moved (shrink).
//
// A record is addressed by a location:
//
//	+----------+---------------------+----------------------+
//	| class: 8 | page in class: 40   | offset in page: 16   |
//	+----------+---------------------+----------------------+
//
// Records larger than the largest class (long keys) are Go byte slices
// of their own, class bigClass, page = their index in bigs.
type slab struct {
	classes [len(classSizes)]slabClass
	bigs    [][]byte
	// bigFree are indexes of bigs that are free.
	bigFree []uint32
	// used is the bytes of the slots handed out, big records' included:
	// what the records cost, as a malloc counts it (the free slots and
	// pages' unused ends are the slab's fragmentation); bigUsed is the
	// big records' part, which is on the Go heap.
	used, bigUsed int
}

type slabClass struct {
	pages []*[arena.PageSize]byte
	// free is the location of the first free slot, noLoc if none; a free
	// slot's first 8 bytes hold the next one's.
	free uint64
	// next is the offset of the first never-used slot in the last page.
	next int
	// nfree counts the slots on the free list.
	nfree int
}

const (
	noLoc    = ^uint64(0)
	bigClass = 0xff
)

// classSizes are the slot sizes: every multiple of 8 up to 256, then
// steps of about a sixteenth up to 4 KiB, so that rounding a record up to
// its class wastes about 3% on average; past that, the sizes that divide
// a page in 15, 14, ... 4 slots (5 to 20% apart), so that no page loses
// more than a few bytes at its end.
var classSizes = [...]uint16{
	16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 136,
	144, 152, 160, 168, 176, 184, 192, 200, 208, 216, 224, 232, 240, 248, 256, 272,
	288, 304, 320, 336, 352, 368, 384, 408, 432, 456, 480, 504, 528, 560, 592, 624,
	656, 696, 736, 776, 824, 872, 920, 976, 1032, 1096, 1160, 1232, 1304, 1384, 1464, 1552,
	1648, 1744, 1848, 1960, 2080, 2208, 2344, 2488, 2640, 2800, 2968, 3152, 3344, 3552, 3768, 4000,
	4096, 4368, 4680, 5040, 5456, 5952, 6552, 7280, 8192, 9360, 10920, 13104, 16384,
}

// maxClassSize is the largest record a slab slot holds.
const maxClassSize = 16384

// classFor returns the smallest class whose slots hold n bytes, n at most
// maxClassSize: a table lookup, as every record written asks.
func classFor(n int) int { return int(classOf[(n+7)/8]) }

// classOf maps a size in 8-byte units to its class.
var classOf = func() (t [maxClassSize/8 + 1]uint8) {
	ci := 0
	for u := range t {
		for int(classSizes[ci]) < 8*u {
			ci++
		}
		t[u] = uint8(ci)
	}
	return t
}()

func newSlab() *slab {
	s := &slab{}
	for i := range s.classes {
		s.classes[i].free = noLoc
	}
	return s
}

// alloc returns the location of a slot of at least n bytes and the slot.
func (s *slab) alloc(n int) (uint64, []byte) {
	if n > maxClassSize {
		b := make([]byte, n)
		s.used += datatypes.AllocSize(n)
		s.bigUsed += datatypes.AllocSize(n)
		if k := len(s.bigFree); k > 0 {
			i := s.bigFree[k-1]
			s.bigFree = s.bigFree[:k-1]
			s.bigs[i] = b
			return bigClass<<56 | uint64(i)<<16, b
		}
		s.bigs = append(s.bigs, b)
		return bigClass<<56 | uint64(len(s.bigs)-1)<<16, b
	}
	ci := classFor(n)
	c := &s.classes[ci]
	size := int(classSizes[ci])
	s.used += size
	if c.free != noLoc {
		return c.pop(s)
	}
	if len(c.pages) == 0 || c.next+size > arena.PageSize {
		c.pages = append(c.pages, arena.Get())
		c.next = 0
	}
	loc := uint64(ci)<<56 | uint64(len(c.pages)-1)<<16 | uint64(c.next)
	c.next += size
	return loc, s.slot(loc)
}

// free gives a slot back.
func (s *slab) free(loc uint64) {
	ci := loc >> 56
	if ci == bigClass {
		i := uint32(loc >> 16)
		s.used -= datatypes.AllocSize(len(s.bigs[i]))
		s.bigUsed -= datatypes.AllocSize(len(s.bigs[i]))
		s.bigs[i] = nil
		s.bigFree = append(s.bigFree, i)
		return
	}
	c := &s.classes[ci]
	s.used -= int(classSizes[ci])
	binary.LittleEndian.PutUint64(s.slot(loc), c.free)
	c.free = loc
	c.nfree++
}

// pop takes the first slot off the free list.
func (c *slabClass) pop(s *slab) (uint64, []byte) {
	loc := c.free
	b := s.slot(loc)
	c.free = binary.LittleEndian.Uint64(b)
	c.nfree--
	return loc, b
}

// sparse reports whether class ci holds enough free slots to give a page
// back: two pages' worth, and a thirty-second of its slots. Free slots are
// reused by records of their class only, so a class that shrank keeps
// its pages while others grow (a workload that moves from small values
// to large ones) unless they are given back.
func (s *slab) sparse(ci int) bool {
	c := &s.classes[ci]
	perPage := arena.PageSize / int(classSizes[ci])
	return c.nfree >= 2*perPage && c.nfree*32 >= len(c.pages)*perPage
}

// shrink gives class ci's last page back to the arena, after moving the
// records it holds into free slots of the class's other pages; moved is
// called with each record's old and new location, for the owner to update
// its reference. The class must be sparse.
func (s *slab) shrink(ci int, moved func(from, to uint64)) {
	c := &s.classes[ci]
	size := int(classSizes[ci])
	last := uint64(len(c.pages) - 1)
	onLast := func(loc uint64) bool { return loc>>16&(1<<40-1) == last }
	// Take the last page's slots off the free list, noting which are free.
	free := make([]bool, c.next/size)
	prev := noLoc
	for loc := c.free; loc != noLoc; {
		next := binary.LittleEndian.Uint64(s.slot(loc))
		if onLast(loc) {
			free[int(loc&0xffff)/size] = true
			if prev == noLoc {
				c.free = next
			} else {
				binary.LittleEndian.PutUint64(s.slot(prev), next)
			}
			c.nfree--
		} else {
			prev = loc
		}
		loc = next
	}
	base := uint64(ci)<<56 | last<<16
	for i, isFree := range free {
		if isFree {
			continue
		}
		from := base | uint64(i*size)
		to, b := c.pop(s)
		copy(b, s.slot(from))
		moved(from, to)
	}
	arena.Put(c.pages[last])
	c.pages[last] = nil
	c.pages = c.pages[:last]
	// The page before was carved to its end before the last one began.
	c.next = 0
	if last > 0 {
		c.next = arena.PageSize / size * size
	}
}

// slot returns the bytes of the slot at loc.
func (s *slab) slot(loc uint64) []byte {
	ci := loc >> 56
	if ci == bigClass {
		return s.bigs[uint32(loc>>16)]
	}
	p := s.classes[ci].pages[loc>>16&(1<<40-1)]
	off := int(loc & 0xffff)
	return p[off : off+int(classSizes[ci]) : off+int(classSizes[ci])]
}

// sameClass reports whether a record of n bytes belongs in the class of
// the slot at loc.
func (s *slab) sameClass(loc uint64, n int) bool {
	ci := loc >> 56
	return ci != bigClass && n <= maxClassSize && uint64(classFor(n)) == ci
}

// slotSize is the size of the slot at loc.
func (s *slab) slotSize(loc uint64) int {
	if ci := loc >> 56; ci != bigClass {
		return int(classSizes[ci])
	}
	return len(s.bigs[uint32(loc>>16)])
}

// release gives every page back to the arena.
func (s *slab) release() {
	for i := range s.classes {
		for _, p := range s.classes[i].pages {
			arena.Put(p)
		}
	}
	*s = *newSlab()
}
