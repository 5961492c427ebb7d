package datatypes

import (
	"strings"
	"testing"

	"github.com/cairn-db/cairn/resp"
)

func TestStringEncoding(t *testing.T) {
	tests := []struct {
		name string
		s    *String
		want string
	}{
		{"small int", NewString([]byte("123")), "int"},
		{"zero", NewString([]byte("0")), "int"},
		{"negative", NewString([]byte("-5")), "int"},
		{"max int64", NewString([]byte("9223372036854775807")), "int"},
		{"min int64", NewString([]byte("-9223372036854775808")), "int"},
		{"past int64", NewString([]byte("9223372036854775808")), "embstr"},
		{"plus sign", NewString([]byte("+1")), "embstr"},
		{"leading zero", NewString([]byte("01")), "embstr"},
		{"minus zero", NewString([]byte("-0")), "embstr"},
		{"space", NewString([]byte(" 1")), "embstr"},
		{"float", NewString([]byte("1.5")), "embstr"},
		{"empty", NewString(nil), "embstr"},
		{"44 bytes", NewString([]byte(strings.Repeat("x", 44))), "embstr"},
		{"45 bytes", NewString([]byte(strings.Repeat("x", 45))), "raw"},
		{"from int", NewStringInt(-42), "int"},
		{"no int", NewStringNoInt([]byte("3")), "embstr"},
		{"no int long", NewStringNoInt([]byte(strings.Repeat("1", 45))), "raw"},
	}
	for _, tt := range tests {
		if got := tt.s.Encoding(); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestStringModifyInPlace(t *testing.T) {
	s := NewString([]byte("12"))
	if n := s.Append([]byte("3")); n != 3 || string(s.Bytes()) != "123" {
		t.Fatalf("Append: %d %q", n, s.Bytes())
	}
	if got := s.Encoding(); got != "raw" {
		t.Errorf("after Append: %s, want raw", got)
	}

	s = NewString([]byte("hello"))
	if n := s.SetRange(0, []byte("J")); n != 5 || string(s.Bytes()) != "Jello" {
		t.Fatalf("SetRange inside: %d %q", n, s.Bytes())
	}
	if n := s.SetRange(7, []byte("xy")); n != 9 || string(s.Bytes()) != "Jello\x00\x00xy" {
		t.Fatalf("SetRange past the end: %d %q", n, s.Bytes())
	}
	if got := s.Encoding(); got != "raw" {
		t.Errorf("after SetRange: %s, want raw", got)
	}
}

func TestStringSetRangePadsWithZeros(t *testing.T) {
	// Spare capacity holding other bytes must not leak into the padding.
	s := &String{b: []byte("abcdefgh")[:2]}
	s.SetRange(5, []byte("z"))
	if got := string(s.Bytes()); got != "ab\x00\x00\x00z" {
		t.Fatalf("got %q", got)
	}
}

func TestStringCopies(t *testing.T) {
	in := []byte("abc")
	s := NewString(in)
	in[0] = 'x'
	if string(s.Bytes()) != "abc" {
		t.Fatalf("NewString shares its argument: %q", s.Bytes())
	}
	s.Append([]byte("d"))
	c := s.Clone().(*String)
	s.SetRange(0, []byte("z"))
	if string(c.Bytes()) != "abcd" || c.Encoding() != "raw" {
		t.Fatalf("clone %q %s", c.Bytes(), c.Encoding())
	}
	n := NewStringNoInt([]byte("5")).Clone()
	if n.Encoding() != "embstr" {
		t.Fatalf("clone of a no-int string: %s", n.Encoding())
	}
}

// TestStringLend checks that bytes lent to a reply are not rewritten in
// place while a reply may hold them, and are once none can.
func TestStringLend(t *testing.T) {
	s := AdoptString([]byte(strings.Repeat("a", 2*resp.BorrowMin)))
	s.Append([]byte("a")) // makes room to append in place
	var w resp.Writer
	w.Borrow = true
	lent := s.Lend()
	w.BulkBorrowed(lent)
	s.Append([]byte("b")) // past the lent bytes: in place
	if &s.Bytes()[0] != &lent[0] || string(s.Bytes()[len(lent):]) != "b" {
		t.Fatal("Append moved the value")
	}
	s.SetRange(0, []byte("c"))
	s.SetRange(1, []byte("d"))
	if lent[0] != 'a' || string(s.Bytes()[:3]) != "cda" {
		t.Fatalf("SetRange while borrowed: lent %q, value %q", lent[:3], s.Bytes()[:3])
	}
	w.Reset() // no reply holds anything now
	lent = s.Lend()
	s.SetRange(0, []byte("e"))
	if lent[0] != 'e' {
		t.Fatal("SetRange made a copy while nothing was borrowed")
	}
}

// TestStringGrowth checks APPEND's spare room: doubled below 1 MiB, 1 MiB
// past that, a sixteenth past 16 MiB; and that the large arrays left
// behind are counted.
func TestStringGrowth(t *testing.T) {
	tests := []struct{ from, add, wantCap int }{
		{100, 100, 400},
		{1 << 20, 1, 2<<20 + 1},
		{32 << 20, 1, 34<<20 + 1},
	}
	for _, tt := range tests {
		s := AdoptString(make([]byte, tt.from))
		DroppedBytes()
		s.Append(make([]byte, tt.add))
		if cap(s.b) != tt.wantCap {
			t.Errorf("%d + %d: capacity %d, want %d", tt.from, tt.add, cap(s.b), tt.wantCap)
		}
		want := int64(0)
		if tt.from >= 1<<20 {
			want = int64(tt.from)
		}
		if got := DroppedBytes(); got != want {
			t.Errorf("%d + %d: %d bytes dropped, want %d", tt.from, tt.add, got, want)
		}
	}
	in := []byte(strings.Repeat("x", 30))
	if s := AdoptString(in); &s.Bytes()[0] != &in[0] || s.Encoding() != "embstr" {
		t.Fatal("AdoptString copied its argument")
	}
}
