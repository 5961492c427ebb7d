package datatypes

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func hset(h *Hash, lim Limits, pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Set(lim, []byte(pairs[i]), []byte(pairs[i+1]))
	}
}

// TestHashEncoding mirrors what redis-server 7.0.15 reports.
func TestHashEncoding(t *testing.T) {
	def := DefaultLimits()
	short := def
	short.HashMaxListpackValue = 3
	two := def
	two.HashMaxListpackEntries = 2
	tests := []struct {
		name  string
		build func(h *Hash)
		want  string
	}{
		{"small", func(h *Hash) { hset(h, def, "a", "1", "b", "2") }, "listpack"},
		{"field of 64", func(h *Hash) { hset(h, def, strings.Repeat("x", 64), "v") }, "listpack"},
		{"field of 65", func(h *Hash) { hset(h, def, strings.Repeat("x", 65), "v") }, "hashtable"},
		{"value of 65", func(h *Hash) { hset(h, def, "f", strings.Repeat("x", 65)) }, "hashtable"},
		{"512 fields", func(h *Hash) {
			for i := range 512 {
				hset(h, def, fmt.Sprint(i), "v")
			}
		}, "listpack"},
		{"513 fields", func(h *Hash) {
			for i := range 513 {
				hset(h, def, fmt.Sprint(i), "v")
			}
		}, "hashtable"},
		{"3 fields, limit 2", func(h *Hash) { hset(h, two, "a", "1", "b", "2", "c", "3") }, "hashtable"},
		{"deleted back under", func(h *Hash) {
			hset(h, two, "a", "1", "b", "2", "c", "3")
			h.Delete([]byte("c"))
			h.Delete([]byte("b"))
		}, "hashtable"},
		{"update after limit lowered", func(h *Hash) {
			hset(h, def, "a", "1", "b", "2", "c", "3", "d", "4", "e", "5")
			hset(h, two, "a", "9")
		}, "hashtable"},
		{"setnx existing long value", func(h *Hash) {
			hset(h, short, "f", "abc")
			h.SetNX(short, []byte("f"), []byte("abcdef"))
		}, "listpack"},
		{"setnx new long value", func(h *Hash) {
			hset(h, short, "f", "abc")
			h.SetNX(short, []byte("g"), []byte("abcdef"))
		}, "hashtable"},
		{"incr result too long", func(h *Hash) { hset(h, short, "f", "1", "f", "12346") }, "hashtable"},
		{"incr result fits", func(h *Hash) { hset(h, short, "f", "1", "f", "1.5") }, "listpack"},
		{"update short value after limit lowered", func(h *Hash) {
			hset(h, def, "a", "1", "b", "2")
			hset(h, Limits{HashMaxListpackEntries: 512, HashMaxListpackValue: 1}, "a", "1")
		}, "listpack"},
	}
	for _, tt := range tests {
		h := NewHash()
		tt.build(h)
		if got := h.Encoding(); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestHashBasics(t *testing.T) {
	lim := DefaultLimits()
	for _, big := range []bool{false, true} {
		h := NewHash()
		if big {
			hset(h, lim, strings.Repeat("k", 100), "long")
		}
		if !h.Set(lim, []byte("a"), []byte("1")) || h.Set(lim, []byte("a"), []byte("22")) {
			t.Fatalf("%s: Set new/update", h.Encoding())
		}
		if v, ok := h.Get([]byte("a")); !ok || string(v) != "22" || h.StrLen([]byte("a")) != 2 {
			t.Fatalf("%s: Get %q %v", h.Encoding(), v, ok)
		}
		if _, ok := h.Get([]byte("zz")); ok || h.Has([]byte("zz")) || h.StrLen([]byte("zz")) != 0 {
			t.Fatalf("%s: missing field found", h.Encoding())
		}
		if h.SetNX(lim, []byte("a"), []byte("x")) || !h.SetNX(lim, []byte("b"), []byte("")) {
			t.Fatalf("%s: SetNX", h.Encoding())
		}
		if v, ok := h.Get([]byte("b")); !ok || len(v) != 0 {
			t.Fatalf("%s: empty value %q %v", h.Encoding(), v, ok)
		}
		c := h.Clone().(*Hash)
		if !h.Delete([]byte("a")) || h.Delete([]byte("a")) || h.Has([]byte("a")) {
			t.Fatalf("%s: Delete", h.Encoding())
		}
		if !c.Has([]byte("a")) || c.Len() != h.Len()+1 {
			t.Fatalf("%s: clone shares state", h.Encoding())
		}
	}
}

func TestHashListpackOrder(t *testing.T) {
	lim := DefaultLimits()
	h := NewHash()
	hset(h, lim, "c", "1", "a", "2", "b", "3", "a", "4")
	h.Delete([]byte("c"))
	hset(h, lim, "c", "5")
	var got []string
	for f, v := range h.All() {
		got = append(got, string(f)+"="+string(v))
	}
	if want := []string{"a=4", "b=3", "c=5"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestHashRandomFields(t *testing.T) {
	lim := DefaultLimits()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, big := range []bool{false, true} {
		h := NewHash()
		for i := range 20 {
			hset(h, lim, fmt.Sprint("f", i), fmt.Sprint("v", i))
		}
		if big {
			hset(h, lim, strings.Repeat("k", 100), "v")
		}
		n := h.Len()
		for _, tt := range []struct{ count, wantLen int }{{0, 0}, {3, 3}, {n - 1, n - 1}, {n + 1, n}, {-4, 4}, {-3 * n, 3 * n}} {
			seen := map[string]bool{}
			got := 0
			h.RandomFields(tt.count, rng, func(f, v []byte) {
				got++
				if want, _ := h.Get(f); string(want) != string(v) {
					t.Fatalf("%s: pair %q=%q", h.Encoding(), f, v)
				}
				if tt.count > 0 && seen[string(f)] {
					t.Fatalf("%s count %d: %q twice", h.Encoding(), tt.count, f)
				}
				seen[string(f)] = true
			})
			if got != tt.wantLen {
				t.Fatalf("%s count %d: %d pairs", h.Encoding(), tt.count, got)
			}
		}
		f, v, ok := h.RandomField(rng)
		if want, _ := h.Get(f); !ok || !h.Has(f) || string(v) != string(want) {
			t.Fatalf("%s: RandomField %q=%q", h.Encoding(), f, v)
		}
	}
	if _, _, ok := NewHash().RandomField(rng); ok {
		t.Fatal("RandomField of an empty hash")
	}
}

// hashModel is what a Hash should hold (in listpack order) and which
// encoding Redis would give it.
type hashModel struct {
	fields []string
	values map[string]string
	lp     bool
}

// FuzzHash applies random operations to a Hash and to a model, and checks
// every result, the encoding, the order while a listpack, and the contents.
func FuzzHash(f *testing.F) {
	f.Add([]byte("\x04\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"), uint64(1))
	f.Add([]byte("\x00\x10\x20\x30\x41\x52\x63\x74\x85\x96\xa7\xb8\xc9\xda\xeb\xfc"), uint64(2))
	f.Add([]byte("\x08\x0f\x00\x08\x10\x18\x20\x28\x33\x45\x5e\x07\x4f"), uint64(3))
	f.Fuzz(hashOps)
}

// TestHashOps runs FuzzHash's checks on fixed pseudo-random inputs.
func TestHashOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		ops := make([]byte, 2+rng.IntN(300))
		for i := range ops {
			ops[i] = byte(rng.Uint32())
		}
		hashOps(t, ops, uint64(i))
	}
}

// hashOps interprets ops: the first two bytes choose the limits, each
// next one an operation and its arguments.
func hashOps(t *testing.T, ops []byte, seed uint64) {
	if len(ops) < 2 {
		return
	}
	{
		lim := Limits{HashMaxListpackEntries: int(ops[0] % 16), HashMaxListpackValue: int(ops[1] % 16)}
		rng := rand.New(rand.NewPCG(seed, 9))
		h := NewHash()
		m := &hashModel{values: map[string]string{}, lp: true}
		for i, op := range ops[2:] {
			field := strings.Repeat("f", int(op>>5)) + fmt.Sprint(op>>3&3)
			value := strings.Repeat("v", i%20)
			switch op % 8 {
			case 0, 1, 2:
				nx := op%8 == 2
				_, had := m.values[field]
				var got bool
				if nx {
					got = h.SetNX(lim, []byte(field), []byte(value))
				} else {
					got = h.Set(lim, []byte(field), []byte(value))
				}
				if got == had {
					t.Fatalf("Set(%s, nx %v) = %v", field, nx, got)
				}
				if nx && had {
					break
				}
				if len(field) > lim.HashMaxListpackValue || len(value) > lim.HashMaxListpackValue {
					m.lp = false
				}
				if !had {
					m.fields = append(m.fields, field)
				}
				m.values[field] = value
				if len(m.values) > lim.HashMaxListpackEntries {
					m.lp = false
				}
			case 3, 4:
				_, had := m.values[field]
				if got := h.Delete([]byte(field)); got != had {
					t.Fatalf("Delete(%s) = %v", field, got)
				}
				delete(m.values, field)
				m.fields = slices.DeleteFunc(m.fields, func(f string) bool { return f == field })
			case 5:
				v, ok := h.Get([]byte(field))
				want, had := m.values[field]
				if ok != had || string(v) != want || h.StrLen([]byte(field)) != len(want) || h.Has([]byte(field)) != had {
					t.Fatalf("Get(%s) = %q %v", field, v, ok)
				}
			case 6:
				count := int(op>>3) - 16
				h.RandomFields(count, rng, func(f, v []byte) {
					if want, ok := m.values[string(f)]; !ok || want != string(v) {
						t.Fatalf("RandomFields gave %q=%q", f, v)
					}
				})
			case 7:
				c := h.Clone().(*Hash)
				checkHashContents(t, c, m)
			}
			if want := map[bool]string{true: "listpack", false: "hashtable"}[m.lp]; h.Encoding() != want {
				t.Fatalf("after op %d: %s, want %s", op, h.Encoding(), want)
			}
			if h.Len() != len(m.values) {
				t.Fatalf("Len %d, want %d", h.Len(), len(m.values))
			}
		}
		checkHashContents(t, h, m)
	}
}

func checkHashContents(t *testing.T, h *Hash, m *hashModel) {
	t.Helper()
	var order []string
	got := map[string]string{}
	for f, v := range h.All() {
		order = append(order, string(f))
		got[string(f)] = string(v)
	}
	if h.Encoding() == "listpack" && !slices.Equal(order, m.fields) {
		t.Fatalf("order %v, want %v", order, m.fields)
	}
	scanned := map[string]string{}
	cursor := uint64(0)
	for {
		cursor = h.Scan(cursor, 2, func(f, v []byte) { scanned[string(f)] = string(v) })
		if cursor == 0 {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(m.values) || fmt.Sprint(scanned) != fmt.Sprint(m.values) {
		t.Fatalf("contents %v, scan %v, want %v", got, scanned, m.values)
	}
}

func TestEmptyStrings(t *testing.T) {
	lim := DefaultLimits()
	s := NewSet()
	if !s.Add(lim, nil) || !s.Has([]byte{}) || s.Len() != 1 || s.Encoding() != "hashtable" {
		t.Fatalf("set with the empty member: %v", s)
	}
	if !s.Remove([]byte{}) || s.Len() != 0 {
		t.Fatal("empty member not removed")
	}
	for _, big := range []bool{false, true} {
		h := NewHash()
		if big {
			hset(h, lim, strings.Repeat("k", 100), "v")
		}
		if !h.Set(lim, nil, nil) || !h.Has([]byte{}) {
			t.Fatalf("%s: empty field not set", h.Encoding())
		}
		if v, ok := h.Get([]byte{}); !ok || len(v) != 0 {
			t.Fatalf("%s: empty field = %q %v", h.Encoding(), v, ok)
		}
		if !h.Delete(nil) || h.Has(nil) {
			t.Fatalf("%s: empty field not deleted", h.Encoding())
		}
	}
	l := NewList(lim)
	l.PushBack(nil)
	l.PushFront([]byte{})
	if v, ok := l.PopBack(); !ok || len(v) != 0 || l.Len() != 1 {
		t.Fatalf("list of empty strings: %q %v", v, ok)
	}
}
