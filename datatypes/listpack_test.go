package datatypes

import (
	"bytes"
	"testing"
)

func TestEntryBothWays(t *testing.T) {
	// Lengths either side of each varint size.
	var b []byte
	var want [][]byte
	for _, n := range []int{0, 1, 127, 128, 16383, 16384, 70000} {
		d := bytes.Repeat([]byte{byte(n)}, n)
		want = append(want, d)
		b = appendEntry(b, d)
		if got := entrySize(d); got != 2*uvarintLen(n)+n {
			t.Fatalf("entrySize(%d) = %d", n, got)
		}
	}
	var fwd [][]byte
	for p := 0; p < len(b); {
		var d []byte
		d, p = entryAt(b, p)
		fwd = append(fwd, d)
	}
	var back [][]byte
	for p := len(b); p > 0; {
		var d []byte
		d, p = entryBefore(b, p)
		back = append([][]byte{d}, back...)
	}
	for i := range want {
		if !bytes.Equal(fwd[i], want[i]) || !bytes.Equal(back[i], want[i]) {
			t.Fatalf("entry %d (len %d): forward len %d, backward len %d", i, len(want[i]), len(fwd[i]), len(back[i]))
		}
	}
}

func TestSplice(t *testing.T) {
	tests := []struct {
		in   string
		p, q int
		ins  string
		want string
	}{
		{"abcdef", 2, 4, "XY", "abXYef"},
		{"abcdef", 2, 4, "", "abef"},
		{"abcdef", 2, 2, "XYZ", "abXYZcdef"},
		{"abcdef", 0, 6, "Z", "Z"},
		{"", 0, 0, "new", "new"},
		{"abc", 3, 3, "d", "abcd"},
	}
	for _, tt := range tests {
		got := splice([]byte(tt.in), tt.p, tt.q, []byte(tt.ins))
		if string(got) != tt.want {
			t.Errorf("splice(%q, %d, %d, %q) = %q, want %q", tt.in, tt.p, tt.q, tt.ins, got, tt.want)
		}
	}
}
