package persistence

import (
	"bytes"
	"testing"

	"github.com/cairn-db/cairn/keyspace"
)

func TestRecordRoundTrip(t *testing.T) {
	cases := [][]keyspace.Effect{
		nil,
		{{DB: 0, Args: [][]byte{[]byte("DEL"), []byte("k")}}},
		{
			{DB: 3, Args: [][]byte{[]byte("SET"), []byte("k"), {}, []byte("PXAT"), []byte("1700000000000")}},
			{DB: 15, Args: [][]byte{[]byte("FLUSHALL")}},
			{DB: 0, Args: [][]byte{[]byte("SET"), bytes.Repeat([]byte{0, '\r', '\n'}, 1000), []byte("v")}},
		},
	}
	for _, effects := range cases {
		got, err := DecodeRecord(AppendRecord(nil, effects))
		if err != nil {
			t.Fatalf("decode %v: %v", effects, err)
		}
		if !equalEffects(got, effects) {
			t.Fatalf("round trip: got %v, want %v", got, effects)
		}
	}
}

func TestDecodeRecordRejectsCorruption(t *testing.T) {
	good := AppendRecord(nil, []keyspace.Effect{{DB: 1, Args: [][]byte{[]byte("DEL"), []byte("key")}}})
	for i := range good {
		if _, err := DecodeRecord(good[:i]); err == nil {
			t.Errorf("truncated to %d bytes: decoded without error", i)
		}
	}
	if _, err := DecodeRecord(append(good, 0)); err == nil {
		t.Error("trailing byte: decoded without error")
	}
	if _, err := DecodeRecord([]byte{0xff, 0xff, 0xff, 0xff, 0x0f}); err == nil {
		t.Error("huge count: decoded without error")
	}
}

func FuzzDecodeRecord(f *testing.F) {
	f.Add(AppendRecord(nil, []keyspace.Effect{{DB: 2, Args: [][]byte{[]byte("SET"), []byte("a"), []byte("b")}}}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		effects, err := DecodeRecord(b)
		if err != nil {
			return
		}
		// Whatever decodes must survive a round trip unchanged.
		again, err := DecodeRecord(AppendRecord(nil, effects))
		if err != nil || !equalEffects(again, effects) {
			t.Fatalf("round trip of %x: %v, %v", b, again, err)
		}
	})
}

func equalEffects(a, b []keyspace.Effect) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].DB != b[i].DB || len(a[i].Args) != len(b[i].Args) {
			return false
		}
		for j := range a[i].Args {
			if !bytes.Equal(a[i].Args[j], b[i].Args[j]) {
				return false
			}
		}
	}
	return true
}
