package rdb

import "testing"

func TestCRC64(t *testing.T) {
	// crc64.c's self test.
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"123456789", 0xe9c6d914c4b8d9ca},
		{"", 0},
	} {
		if got := crc64Update(0, []byte(tc.in)); got != tc.want {
			t.Errorf("crc64(%q) = %#x, want %#x", tc.in, got, tc.want)
		}
	}
	// Continuing a checksum equals checksumming the whole.
	whole := crc64Update(0, []byte("123456789"))
	if got := crc64Update(crc64Update(0, []byte("1234")), []byte("56789")); got != whole {
		t.Errorf("split crc = %#x, want %#x", got, whole)
	}
}
