package arena

import "testing"

// TestPagesComeBackZeroed: a page handed out again, kept resident or
// returned to the kernel, reads as zeros, and InUse follows Get and Put.
func TestPagesComeBackZeroed(t *testing.T) {
	base := InUse()
	var pages []*[PageSize]byte
	// More than twice maxIdle, so that Put trims some back to the kernel.
	for range 2*maxIdle + 100 {
		p := Get()
		p[0], p[PageSize-1] = 1, 2
		pages = append(pages, p)
	}
	if got := InUse() - base; got != int64(len(pages))*PageSize {
		t.Fatalf("InUse grew by %d, want %d", got, len(pages)*PageSize)
	}
	for _, p := range pages {
		Put(p)
	}
	if got := InUse(); got != base {
		t.Fatalf("InUse = %d after giving everything back, want %d", got, base)
	}
	pool.mu.Lock()
	idle, returned := len(pool.free), len(pool.returned)
	pool.mu.Unlock()
	if idle > 2*maxIdle || returned == 0 {
		t.Fatalf("%d pages idle, %d returned: the surplus was not given back", idle, returned)
	}
	for range len(pages) {
		p := Get()
		if p[0] != 0 || p[PageSize-1] != 0 {
			t.Fatal("a page came back dirty")
		}
		defer Put(p)
	}
}

func TestGetAsAndSlice(t *testing.T) {
	a := GetAs[[PageSize / 8]uint64]()
	a[len(a)-1] = 7
	PutAs(a)
	s := GetSlice[[16]byte]()
	if len(s) != PageSize/16 {
		t.Fatalf("GetSlice gave %d values, want %d", len(s), PageSize/16)
	}
	PutSlice(s)
}

// TestPurge: Purge gives every idle page back, so the arena's resident
// pages are those in use, and a page handed out again reads as zeros.
func TestPurge(t *testing.T) {
	p := Get()
	p[0] = 1
	Put(p)
	Purge()
	if got, want := Resident(), InUse(); got != want {
		t.Fatalf("Resident = %d after Purge, want InUse %d", got, want)
	}
	p = Get()
	defer Put(p)
	if p[0] != 0 {
		t.Fatal("a purged page came back dirty")
	}
}
