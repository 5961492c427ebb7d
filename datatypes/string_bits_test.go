package datatypes

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/resp"
)

func TestStringWritableBits(t *testing.T) {
	s := NewString([]byte("12"))
	b := s.WritableBits(1)
	if string(b) != "12" || s.Encoding() != "raw" {
		t.Fatalf("no growth: %q %s", b, s.Encoding())
	}
	b[0] = 'x'
	if string(s.Bytes()) != "x2" {
		t.Fatalf("not in place: %q", s.Bytes())
	}
	// Growth pads with zero bytes, whatever the spare capacity held.
	s = &String{b: []byte("abcdefgh")[:2]}
	if b := s.WritableBits(5); string(b) != "ab\x00\x00\x00" {
		t.Fatalf("padded in place: %q", b)
	}
	s = NewString([]byte("ab"))
	if b := s.WritableBits(100); !bytes.Equal(b, append([]byte("ab"), make([]byte, 98)...)) {
		t.Fatalf("grown: %q", b)
	}
}

// TestStringWritableBitsLent checks that bytes a pending reply holds are
// not changed under it.
func TestStringWritableBitsLent(t *testing.T) {
	v := strings.Repeat("v", resp.BorrowMin)
	s := NewString([]byte(v))
	w := resp.NewWriter()
	w.Borrow = true
	w.BulkBorrowed(s.Lend())
	defer w.Reset()
	s.WritableBits(10)[0] = 'x'
	if got := string(w.Bytes()); got != fmt.Sprintf("$%d\r\n%s\r\n", len(v), v) {
		t.Fatalf("reply changed: %.10q", got[len(got)-len(v)-2:])
	}
	if s.Bytes()[0] != 'x' {
		t.Fatalf("value %.10q", s.Bytes())
	}
}

func TestAdoptRawString(t *testing.T) {
	for _, v := range []string{"", "1", strings.Repeat("x", 30)} {
		if got := AdoptRawString([]byte(v)); got.Encoding() != "raw" || string(got.Bytes()) != v {
			t.Errorf("%q: %q %s", v, got.Bytes(), got.Encoding())
		}
	}
}
