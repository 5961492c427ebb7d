package datatypes

import (
	"fmt"
	"strconv"
	"testing"
)

// buildFromOps makes a value of the kind ops[0] picks by applying the
// rest of ops: small limits so that a few bytes of input reach every
// encoding and conversion.
func buildFromOps(ops []byte) Value {
	lim := Limits{ListMaxListpackSize: 4, SetMaxIntsetEntries: 8, HashMaxListpackEntries: 8, HashMaxListpackValue: 8}
	if len(ops) == 0 {
		return NewHash()
	}
	member := func(b byte) []byte {
		if b&1 == 0 {
			return strconv.AppendInt(nil, int64(b>>1)-30, 10)
		}
		return fmt.Appendf(nil, "m%0*d", int(b>>5), b>>1)
	}
	switch kind, ops := ops[0]%4, ops[1:]; kind {
	case 0:
		h := NewHash()
		for i := 0; i+1 < len(ops); i += 2 {
			if ops[i]&0x80 != 0 {
				h.Delete(member(ops[i] & 0x7f))
			} else {
				h.Set(lim, member(ops[i]), member(ops[i+1]))
			}
		}
		return h
	case 1:
		s := NewSet()
		for _, b := range ops {
			if b&0x80 != 0 {
				s.Remove(member(b & 0x7f))
			} else {
				s.Add(lim, member(b))
			}
		}
		return s
	case 3:
		zlim := Limits{ZSetMaxListpackEntries: 8, ZSetMaxListpackValue: 8}
		z := NewZSet()
		for _, b := range ops {
			if b&0x80 != 0 {
				z.Remove(member(b & 0x7f))
			} else {
				z.Add(zlim, member(b), float64(b%7)/2-1, 0)
			}
		}
		return z
	default:
		l := NewList(lim)
		for _, b := range ops {
			switch {
			case b&0xc0 == 0xc0:
				l.PopFront()
			case b&0x80 != 0:
				l.PushFront(member(b & 0x7f))
			default:
				l.PushBack(member(b))
			}
		}
		return l
	}
}

// FuzzCompact: a value that has a compact form comes back from it equal,
// with the same encoding, and a value made from it behaves as the
// original under further changes.
func FuzzCompact(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4})
	f.Add([]byte{1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20})
	f.Add([]byte{1, 3, 5, 7, 0x83})
	f.Add([]byte{2, 1, 2, 3, 0x85, 0xc0})
	f.Add([]byte{3, 1, 2, 3, 4, 0x82, 9})
	f.Fuzz(func(t *testing.T, ops []byte) {
		v := buildFromOps(ops)
		b, kind := AppendCompact(nil, v, 2048)
		if kind == CompactNone {
			return
		}
		back := FromCompact(kind, b)
		if got, want := fmt.Sprint(back), fmt.Sprint(v); got != want {
			t.Fatalf("from compact form %d: %s, want %s", kind, got, want)
		}
		if back.Encoding() != v.Encoding() {
			t.Fatalf("encoding %s, want %s", back.Encoding(), v.Encoding())
		}
		// The copy owns its bytes: changing the form's buffer changes
		// nothing.
		clear(b)
		if got, want := fmt.Sprint(back), fmt.Sprint(v); got != want {
			t.Fatalf("copy shares the form's bytes: %s, want %s", got, want)
		}
		// The same change on both gives the same value.
		for _, x := range []Value{v, back} {
			lim := DefaultLimits()
			switch x := x.(type) {
			case *Hash:
				x.Set(lim, []byte("extra"), []byte("1"))
			case *Set:
				x.Add(lim, []byte("extra"))
			case *List:
				x.PushFront([]byte("extra"))
			case *ZSet:
				x.Add(lim, []byte("extra"), 1.5, 0)
			}
		}
		if got, want := fmt.Sprint(back), fmt.Sprint(v); got != want {
			t.Fatalf("after a change: %s, want %s", got, want)
		}
	})
}

func TestCompactKinds(t *testing.T) {
	lim := DefaultLimits()
	h := NewHash()
	h.Set(lim, []byte("f"), []byte("v"))
	ints := NewSet()
	ints.Add(lim, []byte("1"))
	strs := NewSet()
	strs.Add(lim, []byte("a"))
	big := NewSet()
	for i := range maxCompactSetMembers + 1 {
		big.Add(lim, fmt.Appendf(nil, "m%d", i))
	}
	l := NewList(lim)
	l.PushBack([]byte("x"))
	z := NewZSet()
	z.Add(lim, []byte("m"), 1, 0)
	bigZ := NewZSetSized(lim, 1000, 0)
	bigZ.Add(lim, []byte("m"), 1, 0)
	for _, tt := range []struct {
		v    Value
		want CompactKind
	}{
		{h, CompactHash}, {ints, CompactIntset}, {strs, CompactSet}, {big, CompactNone},
		{l, CompactList}, {NewString([]byte("s")), CompactNone},
		{z, CompactZSet}, {bigZ, CompactNone},
	} {
		if _, kind := AppendCompact(nil, tt.v, 2048); kind != tt.want {
			t.Errorf("%v: kind %d, want %d", tt.v, kind, tt.want)
		}
	}
	if _, kind := AppendCompact(nil, h, 2); kind != CompactNone {
		t.Errorf("a form over the limit: kind %d", kind)
	}
}
