package rdb

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/datatypes"
)

// fuzzValues are values in every encoding, whose payloads seed the fuzzer.
func fuzzValues() []datatypes.Value {
	lim := datatypes.DefaultLimits()
	var vs []datatypes.Value
	for _, s := range []string{"", "1", "-70000", "hello", strings.Repeat("ab", 40), "\x00\xff"} {
		vs = append(vs, datatypes.NewString([]byte(s)))
	}
	l := datatypes.NewList(lim)
	for i := range 300 {
		l.PushBack([]byte(fmt.Sprint(i*31, "x")))
	}
	set, intset := datatypes.NewSet(), datatypes.NewSet()
	h, big := datatypes.NewHash(), datatypes.NewHash()
	z, skip := datatypes.NewZSet(), datatypes.NewZSet()
	for i := range 20 {
		set.Add(lim, []byte(fmt.Sprint("m", i)))
		intset.Add(lim, []byte(fmt.Sprint(i*1000-5000)))
		h.Set(lim, []byte(fmt.Sprint("f", i)), []byte(fmt.Sprint(i)))
		z.Add(lim, []byte(fmt.Sprint("z", i)), float64(i)/4, 0)
	}
	big.Set(lim, []byte("f"), bytes.Repeat([]byte("v"), 100))
	skip.Add(lim, bytes.Repeat([]byte("m"), 100), 1.5, 0)
	return append(vs, l, set, intset, h, big, z, skip)
}

// legacyPayloads are payloads of the encodings Redis 7.0 only reads,
// made as Redis 2.x to 6.x wrote them (see integration/testdata/dump.txt).
var legacyPayloads = []string{
	"\x0a\x1b\x1b\x00\x00\x00\x16\x00\x00\x00\x04\x00\x00\x01a\x03\xf2\x02\x05hello\x07\xc0\xd4\xfe\xff\x0a\x00\xa9\x9e4\xe5\xe4k\xfaf",
	"\x0d\x19\x19\x00\x00\x00\x16\x00\x00\x00\x04\x00\x00\x02f1\x04\x02v1\x04\x02f2\x04\xf8\xff\x0a\x00\x1f[\x8b%e\x04<\x27",
	"\x0c\x1a\x1a\x00\x00\x00\x17\x00\x00\x00\x04\x00\x00\x02m1\x04\x031.5\x05\x02m2\x04\xf3\xff\x0a\x00\x18\xe0\x82\xde\xb7mXU",
	"\x09\x14\x02\x04name\x03\x00Bob\x03age\x02\x0012\xff\x0a\x00\xb6T\xd2\xf4J\xd6De",
	"\x0e\x02\x11\x11\x00\x00\x00\x0d\x00\x00\x00\x02\x00\x00\x01x\x03\x01y\xff\x0d\x0d\x00\x00\x00\x0a\x00\x00\x00\x01\x00\x00\xf4\xff\x0a\x00\x14\xd6\xc2\x0b4>\xb5\x0c",
	"\x01\x02\x01p\x01q\x0a\x00\x1a\xb0zO\xd6\xf4\xee\x8a",
	"\x03\x03\x01a\x031.5\x01b\xfe\x01c\xff\x0a\x00\x06\xd6\xb5\xd1\x1b\xd0\x08O",
}

func TestLegacyPayloads(t *testing.T) {
	want := []string{
		`quicklist["a" "1" "hello" "-300"]`,
		`listpack{"f1":"v1" "f2":"7"}`,
		`listpack{"m1":1.5 "m2":2}`,
		`listpack{"name":"Bob" "age":"12"}`,
		`quicklist["x" "y" "3"]`,
		`quicklist["p" "q"]`,
		`listpack{"c":-inf "a":1.5 "b":inf}`,
	}
	for i, p := range legacyPayloads {
		v, err := Restore([]byte(p), datatypes.DefaultLimits())
		if err != nil {
			t.Errorf("payload %d: %v", i, err)
			continue
		}
		if got := fmt.Sprint(v); got != want[i] {
			t.Errorf("payload %d = %s, want %s", i, got, want[i])
		}
	}
}

// FuzzRestore decodes arbitrary payloads: corrupt ones must fail, never
// panic; what decodes must encode to a payload that decodes to the same.
func FuzzRestore(f *testing.F) {
	var enc Encoder
	for _, v := range fuzzValues() {
		f.Add(enc.Dump(v))
	}
	for _, p := range legacyPayloads {
		f.Add([]byte(p))
	}
	lim := datatypes.DefaultLimits()
	// One encoder for every input: a fresh one allocates its LZF table.
	var reenc Encoder
	f.Fuzz(func(t *testing.T, payload []byte) {
		// Skip the checksum so that the fuzzer reaches the decoder.
		if len(payload) < 10 {
			return
		}
		v, _, err := DecodeValue(payload[0], payload[1:], lim)
		if err != nil {
			return
		}
		again, err := Restore(reenc.Dump(v), lim)
		if err != nil {
			t.Fatalf("%s does not decode again: %v", v, err)
		}
		if fmt.Sprint(again) != fmt.Sprint(v) && v.Type() != "set" && v.Encoding() != "hashtable" {
			t.Fatalf("decoded %s, then %s", v, again)
		}
	})
}

// FuzzLZF compresses and decompresses arbitrary data, and decompresses it
// as if it were compressed.
func FuzzLZF(f *testing.F) {
	f.Add([]byte(strings.Repeat("abc", 50)))
	f.Add([]byte("\x00\x01\x02\xe0\xff\x05"))
	f.Fuzz(func(t *testing.T, in []byte) {
		lzfDecompress(in, len(in)*4)
		if len(in) < 2 {
			return
		}
		var st lzfState
		out, ok := st.compress(nil, in, len(in)+len(in)/16+64)
		if !ok {
			t.Fatalf("cannot compress %d bytes into more room", len(in))
		}
		back, err := lzfDecompress(out, len(in))
		if err != nil || !bytes.Equal(back, in) {
			t.Fatalf("round trip of %q: %q, %v", in, back, err)
		}
	})
}

// FuzzLoad reads arbitrary files: corrupt ones must fail, never panic.
func FuzzLoad(f *testing.F) {
	var w bytes.Buffer
	fw := NewFileWriter(&w)
	fw.Aux("redis-ver", "7.0.15")
	fw.SelectDB(3, 1, 1)
	for i, v := range fuzzValues() {
		fw.Key([]byte(fmt.Sprint("k", i)), v, int64(i))
	}
	fw.Close()
	f.Add(w.Bytes())
	f.Add([]byte("REDIS0010\x13\x01s\x01\x10" + strings.Repeat("\x00", 16) + "\x01x\x01\x00\x00\x00\x00\x00\x00\x01\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l := Loader{Limits: datatypes.DefaultLimits(),
			Key:         func(Entry) error { return nil },
			Unsupported: func(Unsupported) error { return nil }}
		l.Load(data)
	})
}
