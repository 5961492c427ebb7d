// Package arena hands out fixed-size pages of memory that live outside the
// Go heap, for the keyspace's pointer-free storage.
//
// The collector neither scans nor counts these pages: a keyspace of ten
// million keys costs it nothing to mark, and the heap target that GOGC
// sets (twice the live heap by default) applies only to what is still on
// the Go heap. Pages hold no Go pointers, and a page is only reused or
// returned to the kernel when its owner gives it back.
//
// Memory is reserved from the kernel in chunks of many pages, so that a
// large keyspace does not run into the limit on memory mappings
// (vm.max_map_count). Pages given back are kept for reuse up to idleLimit;
// past that, the kernel gets the surplus back with MADV_DONTNEED, one call
// per run of adjacent pages (a call per page made dropping a large
// keyspace take seconds). The mapping stays: a stale reference to a
// returned page reads zeros, it never faults.
package arena

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// PageSize is the size of every page.
const PageSize = 64 << 10

// chunkPages is how many pages one reservation from the kernel holds.
const chunkPages = 256

// Pages given back are kept for reuse up to a sixty-fourth of those in
// use, between minIdle and maxIdle (1 to 64 MiB): a keyspace under a
// memory limit must not keep much more than it uses.
const (
	minIdle = 16
	maxIdle = 1024
)

// idleLimit is how many pages given back are kept now.
func idleLimit() int { return int(min(max(inUse.Load()/64, minIdle), maxIdle)) }

// pool is the process's one source of pages. It is shared, as the heap
// is, by every keyspace in the process (tests run many).
var pool struct {
	mu sync.Mutex
	// free are pages given back and still resident: handed out again
	// once cleared.
	free []*[PageSize]byte
	// returned are pages given back to the kernel, which read as zeros.
	returned []*[PageSize]byte
	// chunk is the unused rest of the latest reservation.
	chunk []byte
}

// inUse counts the pages handed out and not given back.
var inUse atomic.Int64

// Get returns a zeroed page.
func Get() *[PageSize]byte {
	inUse.Add(1)
	pool.mu.Lock()
	defer pool.mu.Unlock()
	if n := len(pool.free); n > 0 {
		p := pool.free[n-1]
		pool.free = pool.free[:n-1]
		clear(p[:])
		return p
	}
	if n := len(pool.returned); n > 0 {
		p := pool.returned[n-1]
		pool.returned = pool.returned[:n-1]
		return p
	}
	if len(pool.chunk) == 0 {
		pool.chunk = reserve(chunkPages * PageSize)
	}
	p := (*[PageSize]byte)(pool.chunk[:PageSize])
	pool.chunk = pool.chunk[PageSize:]
	return p
}

// Put gives a page back.
func Put(p *[PageSize]byte) {
	inUse.Add(-1)
	pool.mu.Lock()
	defer pool.mu.Unlock()
	pool.free = append(pool.free, p)
	if len(pool.free) > 2*idleLimit() {
		trim(idleLimit())
	}
}

// Purge returns every idle page to the kernel (MEMORY PURGE).
func Purge() {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	trim(0)
}

// trim returns the idle pages past the first keep to the kernel,
// coalescing adjacent ones. The caller holds pool.mu.
func trim(keep int) {
	addr := func(p *[PageSize]byte) uintptr { return uintptr(unsafe.Pointer(p)) }
	slices.SortFunc(pool.free, func(a, b *[PageSize]byte) int { return cmp.Compare(addr(a), addr(b)) })
	surplus := pool.free[keep:]
	for i := 0; i < len(surplus); {
		j := i + 1
		for j < len(surplus) && addr(surplus[j]) == addr(surplus[j-1])+PageSize {
			j++
		}
		release(unsafe.Slice(&surplus[i][0], (j-i)*PageSize))
		i = j
	}
	pool.returned = append(pool.returned, surplus...)
	clear(surplus)
	pool.free = pool.free[:keep]
}

// InUse is the number of bytes in pages handed out and not given back.
func InUse() int64 { return inUse.Load() * PageSize }

// Resident is the number of bytes in pages handed out or kept for reuse:
// what the arena adds to the process's resident set, at most.
func Resident() int64 {
	pool.mu.Lock()
	idle := int64(len(pool.free))
	pool.mu.Unlock()
	return (inUse.Load() + idle) * PageSize
}

// GetAs returns a zeroed page as a *A, where A is a pointer-free array
// type of PageSize bytes.
func GetAs[A any]() *A {
	var a A
	if unsafe.Sizeof(a) != PageSize {
		panic("arena: type is not the size of a page")
	}
	return (*A)(unsafe.Pointer(Get()))
}

// PutAs gives back a page that GetAs returned.
func PutAs[A any](a *A) { Put((*[PageSize]byte)(unsafe.Pointer(a))) }

// GetSlice returns a zeroed page as a slice of pointer-free values of type
// T, as many as fit.
func GetSlice[T any]() []T {
	var t T
	return unsafe.Slice((*T)(unsafe.Pointer(Get())), PageSize/unsafe.Sizeof(t))
}

// PutSlice gives back a page that GetSlice returned.
func PutSlice[T any](s []T) { Put((*[PageSize]byte)(unsafe.Pointer(unsafe.SliceData(s)))) }
