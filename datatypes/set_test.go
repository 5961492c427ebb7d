package datatypes

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func seq(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

func addAll(s *Set, lim Limits, ms ...string) {
	for _, m := range ms {
		s.Add(lim, []byte(m))
	}
}

// TestSetEncoding mirrors what redis-server 7.0.15 reports.
func TestSetEncoding(t *testing.T) {
	def := DefaultLimits()
	tests := []struct {
		name  string
		lim   Limits
		build func(s *Set, lim Limits)
		want  string
	}{
		{"integers", def, func(s *Set, lim Limits) { addAll(s, lim, "1", "2", "-3") }, "intset"},
		{"int64 bounds", def, func(s *Set, lim Limits) { addAll(s, lim, "9223372036854775807", "-9223372036854775808") }, "intset"},
		{"leading zero", def, func(s *Set, lim Limits) { addAll(s, lim, "01") }, "hashtable"},
		{"minus zero", def, func(s *Set, lim Limits) { addAll(s, lim, "-0") }, "hashtable"},
		{"plus sign", def, func(s *Set, lim Limits) { addAll(s, lim, "+1") }, "hashtable"},
		{"past int64", def, func(s *Set, lim Limits) { addAll(s, lim, "9223372036854775808") }, "hashtable"},
		{"text", def, func(s *Set, lim Limits) { addAll(s, lim, "1", "a") }, "hashtable"},
		{"text removed", def, func(s *Set, lim Limits) {
			addAll(s, lim, "1", "a")
			s.Remove([]byte("a"))
		}, "hashtable"},
		{"512 integers", def, func(s *Set, lim Limits) { addAll(s, lim, seq(1, 512)...) }, "intset"},
		{"513 integers", def, func(s *Set, lim Limits) { addAll(s, lim, seq(1, 513)...) }, "hashtable"},
		{"513 then removed", def, func(s *Set, lim Limits) {
			addAll(s, lim, seq(1, 513)...)
			s.Remove([]byte("1"))
			s.Remove([]byte("2"))
		}, "hashtable"},
		{"limit 0", Limits{SetMaxIntsetEntries: 0}, func(s *Set, lim Limits) { addAll(s, lim, "1") }, "hashtable"},
		{"limit lowered, existing member", def, func(s *Set, lim Limits) {
			addAll(s, lim, "1", "2", "3", "4", "5")
			s.Add(Limits{SetMaxIntsetEntries: 2}, []byte("1"))
		}, "intset"},
		{"limit lowered, new member", def, func(s *Set, lim Limits) {
			addAll(s, lim, "1", "2", "3", "4", "5")
			s.Add(Limits{SetMaxIntsetEntries: 2}, []byte("6"))
		}, "hashtable"},
		{"spop rebuild to intset", def, func(s *Set, lim Limits) {
			addAll(s, lim, seq(1, 600)...)
			s.PopN(lim, 550, rand.New(rand.NewPCG(1, 1)))
		}, "intset"},
		{"spop one by one keeps hashtable", def, func(s *Set, lim Limits) {
			addAll(s, lim, seq(1, 600)...)
			s.PopN(lim, 100, rand.New(rand.NewPCG(1, 1)))
		}, "hashtable"},
		{"spop rebuild keeps text", def, func(s *Set, lim Limits) {
			addAll(s, lim, "a", "b", "c", "d")
			addAll(s, lim, seq(1, 18)...)
			s.PopN(lim, 18, rand.New(rand.NewPCG(1, 1)))
		}, "hashtable"},
	}
	for _, tt := range tests {
		s := NewSet()
		tt.build(s, tt.lim)
		if got := s.Encoding(); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestSetBasics(t *testing.T) {
	lim := DefaultLimits()
	for _, members := range [][]string{{"3", "1", "2"}, {"b", "a", "1"}} {
		s := NewSet()
		for _, m := range members {
			if !s.Add(lim, []byte(m)) {
				t.Fatalf("%s: Add(%s) = false", s.Encoding(), m)
			}
		}
		if s.Add(lim, []byte(members[0])) {
			t.Fatalf("%s: re-Add = true", s.Encoding())
		}
		if s.Len() != 3 || !s.Has([]byte(members[1])) || s.Has([]byte("zz")) || s.Has([]byte("99999999999")) {
			t.Fatalf("%s: Len %d", s.Encoding(), s.Len())
		}
		if s.Remove([]byte("zz")) || !s.Remove([]byte(members[1])) || s.Has([]byte(members[1])) {
			t.Fatalf("%s: Remove", s.Encoding())
		}
		c := s.Clone().(*Set)
		s.Add(lim, []byte("4"))
		if c.Len() != 2 || s.Len() != 3 || c.Encoding() != s.Encoding() {
			t.Fatalf("%s: clone shares state", s.Encoding())
		}
	}
}

func TestSetIntsetOrder(t *testing.T) {
	s := NewSet()
	addAll(s, DefaultLimits(), "5", "-70000", "3", "9223372036854775807", "0")
	var got []string
	for m := range s.All() {
		got = append(got, string(m))
	}
	want := []string{"-70000", "0", "3", "5", "9223372036854775807"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestSetRandomMembers(t *testing.T) {
	lim := DefaultLimits()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, big := range []bool{false, true} {
		s := NewSet()
		addAll(s, lim, seq(1, 20)...)
		if big {
			addAll(s, lim, "x")
		}
		n := s.Len()
		tests := []struct {
			count    int
			wantLen  int
			distinct bool
		}{
			{0, 0, true},
			{3, 3, true},
			{n - 1, n - 1, true},
			{n, n, true},
			{n + 5, n, true},
			{-5, 5, false},
			{-(n * 3), n * 3, false},
		}
		for _, tt := range tests {
			var got [][]byte
			s.RandomMembers(tt.count, rng, func(m []byte) { got = append(got, append([]byte(nil), m...)) })
			if len(got) != tt.wantLen {
				t.Fatalf("%s count %d: %d members", s.Encoding(), tt.count, len(got))
			}
			seen := map[string]bool{}
			for _, m := range got {
				if !s.Has(m) {
					t.Fatalf("%s: %q not a member", s.Encoding(), m)
				}
				if tt.distinct && seen[string(m)] {
					t.Fatalf("%s count %d: %q twice", s.Encoding(), tt.count, m)
				}
				seen[string(m)] = true
			}
		}
	}
}

func TestSetPopN(t *testing.T) {
	lim := DefaultLimits()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, count := range []int{1, 3, 10, 16, 19, 20, 25} {
		for _, extra := range []string{"", "x"} {
			s := NewSet()
			addAll(s, lim, seq(1, 20)...)
			if extra != "" {
				addAll(s, lim, extra)
			}
			n := s.Len()
			before := map[string]bool{}
			for m := range s.All() {
				before[string(m)] = true
			}
			popped := s.PopN(lim, count, rng)
			if want := min(count, n); len(popped) != want || s.Len() != n-want {
				t.Fatalf("count %d: popped %d, left %d", count, len(popped), s.Len())
			}
			for _, m := range popped {
				if !before[string(m)] || s.Has(m) {
					t.Fatalf("count %d: popped %q wrongly", count, m)
				}
				delete(before, string(m))
			}
			for m := range before {
				if !s.Has([]byte(m)) {
					t.Fatalf("count %d: lost %q", count, m)
				}
			}
		}
	}
}

func TestSetScan(t *testing.T) {
	lim := DefaultLimits()
	s := NewSet()
	addAll(s, lim, seq(1, 10)...)
	var got []string
	if c := s.Scan(12345, 1, func(m []byte) { got = append(got, string(m)) }); c != 0 || len(got) != 10 {
		t.Fatalf("intset scan: cursor %d, %d members", c, len(got))
	}
	addAll(s, lim, "a")
	seen := map[string]bool{}
	cursor := uint64(0)
	for {
		cursor = s.Scan(cursor, 2, func(m []byte) { seen[string(m)] = true })
		if cursor == 0 {
			break
		}
	}
	if len(seen) != 11 {
		t.Fatalf("hashtable scan: %d members", len(seen))
	}
}

// setModel is what a Set should hold and which encoding Redis would give it.
type setModel struct {
	members map[string]bool
	intset  bool
}

func (m *setModel) allInts() bool {
	for k := range m.members {
		if _, err := strconv.ParseInt(k, 10, 64); err != nil || strconv.FormatInt(mustInt(k), 10) != k {
			return false
		}
	}
	return true
}

func mustInt(s string) int64 {
	v, _ := strconv.ParseInt(s, 10, 64)
	return v
}

// FuzzSet applies random operations to a Set and to a map, and checks
// every result, the encoding, and the contents.
func FuzzSet(f *testing.F) {
	f.Add([]byte("\x04\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"), uint64(1))
	f.Add([]byte("\x00\x10\x20\x30\x41\x52\x63\x74\x85\x96\xa7\xb8\xc9\xda\xeb\xfc"), uint64(2))
	f.Add([]byte("\x0f\x01\x09\x11\x19\x21\x29\x31\x05\x07\x0e\x0b"), uint64(3))
	f.Fuzz(setOps)
}

// TestSetOps runs FuzzSet's checks on fixed pseudo-random inputs.
func TestSetOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		ops := make([]byte, 1+rng.IntN(300))
		for i := range ops {
			ops[i] = byte(rng.Uint32())
		}
		setOps(t, ops, uint64(i))
	}
}

// setOps interprets ops: the first byte chooses the intset limit, each
// next one an operation and its argument.
func setOps(t *testing.T, ops []byte, seed uint64) {
	if len(ops) == 0 {
		return
	}
	{
		lim := Limits{SetMaxIntsetEntries: int(ops[0] % 16)}
		rng := rand.New(rand.NewPCG(seed, 9))
		s := NewSet()
		m := &setModel{members: map[string]bool{}, intset: true}
		vocab := func(b byte) string {
			v := int(b >> 3)
			switch v % 4 {
			case 0:
				return "m" + strconv.Itoa(v)
			case 1:
				return strconv.Itoa(v*40000 - 500000)
			}
			return strconv.Itoa(v)
		}
		for _, op := range ops[1:] {
			x := vocab(op)
			switch op % 8 {
			case 0, 1, 2:
				got := s.Add(lim, []byte(x))
				if got == m.members[x] {
					t.Fatalf("Add(%s) = %v", x, got)
				}
				m.members[x] = true
				if _, err := strconv.ParseInt(x, 10, 64); err != nil {
					m.intset = false
				} else if got && len(m.members) > lim.SetMaxIntsetEntries {
					m.intset = false
				}
			case 3:
				if got := s.Remove([]byte(x)); got != m.members[x] {
					t.Fatalf("Remove(%s) = %v", x, got)
				}
				delete(m.members, x)
			case 4:
				if got := s.Has([]byte(x)); got != m.members[x] {
					t.Fatalf("Has(%s) = %v", x, got)
				}
			case 5:
				v, ok := s.Pop(rng)
				if ok != (len(m.members) > 0) || (ok && !m.members[string(v)]) {
					t.Fatalf("Pop = %q %v", v, ok)
				}
				delete(m.members, string(v))
			case 6:
				count := int(op>>3) - 8
				got := 0
				s.RandomMembers(count, rng, func(v []byte) {
					got++
					if !m.members[string(v)] {
						t.Fatalf("RandomMembers(%d) gave %q", count, v)
					}
				})
				want := min(count, len(m.members))
				if count < 0 && len(m.members) > 0 {
					want = -count
				} else if count < 0 {
					want = 0
				}
				if got != want {
					t.Fatalf("RandomMembers(%d) of %d gave %d", count, len(m.members), got)
				}
			case 7:
				count := int(op >> 3)
				n := len(m.members)
				popped := s.PopN(lim, count, rng)
				if count > 0 && len(popped) != min(count, n) {
					t.Fatalf("PopN(%d) of %d = %d", count, n, len(popped))
				}
				for _, v := range popped {
					if !m.members[string(v)] {
						t.Fatalf("PopN gave %q", v)
					}
					delete(m.members, string(v))
				}
				if count > 0 && n > 0 && count >= n {
					m.intset = true
				} else if count > 0 && count < n && (n-count)*spopMoveStrategyMul <= count {
					m.intset = m.allInts() && len(m.members) <= lim.SetMaxIntsetEntries
				}
			}
			if want := map[bool]string{true: "intset", false: "hashtable"}[m.intset]; s.Encoding() != want {
				t.Fatalf("after op %d: %s, want %s", op, s.Encoding(), want)
			}
			if s.Len() != len(m.members) {
				t.Fatalf("Len %d, want %d", s.Len(), len(m.members))
			}
		}
		checkSetContents(t, s, m.members)
		checkSetContents(t, s.Clone().(*Set), m.members)
	}
}

func checkSetContents(t *testing.T, s *Set, want map[string]bool) {
	t.Helper()
	got := map[string]bool{}
	for v := range s.All() {
		if got[string(v)] {
			t.Fatalf("%q twice", v)
		}
		got[string(v)] = true
	}
	scanned := map[string]bool{}
	cursor := uint64(0)
	for {
		cursor = s.Scan(cursor, 3, func(v []byte) { scanned[string(v)] = true })
		if cursor == 0 {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(scanned) != fmt.Sprint(want) {
		t.Fatalf("contents %v, scan %v, want %v", got, scanned, want)
	}
}

func TestCollectionsPrintAlike(t *testing.T) {
	lim := DefaultLimits()
	a, b := NewSet(), NewSet()
	addAll(a, lim, "x", "2", "1")
	addAll(b, lim, "1", "x", "3", "2")
	b.Remove([]byte("3"))
	if fmt.Sprint(a) != fmt.Sprint(b) || fmt.Sprint(a) != `hashtable{"1" "2" "x"}` {
		t.Errorf("sets print %v and %v", a, b)
	}
	if s := NewSet(); fmt.Sprint(s) != "intset{}" || s.Type() != "set" {
		t.Errorf("empty set prints %v", s)
	}

	l1 := newListOf(2, "a", "b", "c")
	l2 := newListOf(2, "z", "a", "b", "c")
	l2.PopFront()
	if fmt.Sprint(l1) != fmt.Sprint(l2) || fmt.Sprint(l1) != `quicklist["a" "b" "c"]` {
		t.Errorf("lists print %v and %v", l1, l2)
	}

	h1, h2 := NewHash(), NewHash()
	hset(h1, lim, "f", "1", "g", "2")
	hset(h2, lim, "g", "2", "f", "1")
	if fmt.Sprint(h1) == fmt.Sprint(h2) || fmt.Sprint(h1) != `listpack{"f":"1" "g":"2"}` || h1.Type() != "hash" {
		t.Errorf("listpack hashes in different orders print %v and %v", h1, h2)
	}
	long := strings.Repeat("v", 100)
	hset(h1, lim, "h", long)
	hset(h2, lim, "h", long)
	if fmt.Sprint(h1) != fmt.Sprint(h2) {
		t.Errorf("hashtable hashes print %v and %v", h1, h2)
	}
}

// TestMemoryUsageGrows: as members are added, MemoryUsage never falls
// (it moves in steps, as allocations grow) and stays above the bytes of
// the members (2 at least in an intset) and of the fields and values.
func TestMemoryUsageGrows(t *testing.T) {
	lim := DefaultLimits()
	s, h := NewSet(), NewHash()
	prevS, prevH, bytes := s.MemoryUsage(), h.MemoryUsage(), 0
	for i := range 2000 {
		k := strconv.Itoa(i)
		s.Add(lim, []byte(k))
		h.Set(lim, []byte(k), []byte(k))
		bytes += len(k)
		if s.MemoryUsage() < max(prevS, 2*(i+1)) || h.MemoryUsage() < max(prevH, 2*bytes) {
			t.Fatalf("%d members of %d bytes: set %d (was %d, %s), hash %d (was %d, %s)", i+1, bytes,
				s.MemoryUsage(), prevS, s.Encoding(), h.MemoryUsage(), prevH, h.Encoding())
		}
		prevS, prevH = s.MemoryUsage(), h.MemoryUsage()
	}
	if r, ok := s.RandomMember(rand.New(rand.NewPCG(1, 1))); !ok || !s.Has(r) {
		t.Fatalf("RandomMember = %q", r)
	}
	if _, ok := NewSet().RandomMember(rand.New(rand.NewPCG(1, 1))); ok {
		t.Fatal("RandomMember of an empty set")
	}
}
