package persistence

import (
	"reflect"
	"testing"
)

// TestSnapshotInfoEncoding: a description round-trips with and without
// function libraries, one without them has no trace of the field, and
// damaged ones are refused.
func TestSnapshotInfoEncoding(t *testing.T) {
	plain := SnapshotInfo{ID: 3, Seq: 99, Time: 1_700_000_000_000, Keys: 10, Chunks: 2, Bytes: 4096,
		DBKeys: map[int]uint64{0: 7, 5: 3}}
	withLibs := plain
	withLibs.Libraries = [][]byte{[]byte("#!lua name=a\nredis.register_function('a', function() end)"), []byte("#!lua name=b\n")}
	for _, info := range []SnapshotInfo{plain, withLibs} {
		got, err := decodeSnapshotInfo(info.encode())
		if err != nil {
			t.Fatalf("%+v: %v", info, err)
		}
		if !reflect.DeepEqual(got, info) {
			t.Errorf("decoded %+v, want %+v", got, info)
		}
	}
	base := plain.encode()
	full := withLibs.encode()
	if string(full[:len(base)]) != string(base) {
		t.Error("the libraries are not a field after the others")
	}
	for _, b := range [][]byte{
		append(append([]byte(nil), base...), 0),         // zero libraries
		append(append([]byte(nil), base...), 1, 9, 'x'), // a library longer than what is left
		full[:len(full)-1],                              // truncated
		append(append([]byte(nil), full...), 0),         // trailing byte
	} {
		if _, err := decodeSnapshotInfo(b); err == nil {
			t.Errorf("%q decoded", b)
		}
	}
}
