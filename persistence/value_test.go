package persistence

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/datatypes"
)

// smallLimits make every conversion happen with a handful of elements.
var smallLimits = datatypes.Limits{
	ListMaxListpackSize:    3,
	SetMaxIntsetEntries:    4,
	HashMaxListpackEntries: 4,
	HashMaxListpackValue:   8,
}

func str(s string) *datatypes.String { return datatypes.NewString([]byte(s)) }

func listOf(lim datatypes.Limits, elems ...string) *datatypes.List {
	l := datatypes.NewList(lim)
	for _, e := range elems {
		l.PushBack([]byte(e))
	}
	return l
}

func setOf(lim datatypes.Limits, members ...string) *datatypes.Set {
	s := datatypes.NewSet()
	for _, m := range members {
		s.Add(lim, []byte(m))
	}
	return s
}

// hashOf builds a hash from field, value, field, value...
func hashOf(lim datatypes.Limits, kv ...string) *datatypes.Hash {
	h := datatypes.NewHash()
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(lim, []byte(kv[i]), []byte(kv[i+1]))
	}
	return h
}

func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

// ints returns the decimal forms of from, from+1, ... (n of them).
func ints(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(from + i)
	}
	return out
}

func pairs(n, valueLen int) []string {
	out := make([]string, 0, 2*n)
	for i := range n {
		out = append(out, "f"+strconv.Itoa(i), strings.Repeat("v", valueLen))
	}
	return out
}

// contents renders a value's elements: in order for strings, lists and
// listpack hashes (whose order HGETALL shows), sorted for sets and
// hashtable hashes.
func contents(v datatypes.Value) []string {
	var out []string
	switch v := v.(type) {
	case *datatypes.String:
		out = append(out, string(v.Bytes()))
	case *datatypes.List:
		for _, e := range v.Forward(0) {
			out = append(out, string(e))
		}
		if len(out) != v.Len() {
			out = append(out, fmt.Sprintf("<Len %d>", v.Len()))
		}
	case *datatypes.Set:
		for m := range v.All() {
			out = append(out, string(m))
		}
		slices.Sort(out)
		if len(out) != v.Len() {
			out = append(out, fmt.Sprintf("<Len %d>", v.Len()))
		}
	case *datatypes.Hash:
		for f, val := range v.All() {
			out = append(out, strconv.Quote(string(f))+":"+strconv.Quote(string(val)))
		}
		if v.Encoding() != "listpack" {
			slices.Sort(out)
		}
		if len(out) != v.Len() {
			out = append(out, fmt.Sprintf("<Len %d>", v.Len()))
		}
	default:
		panic(fmt.Sprintf("unexpected value %T", v))
	}
	return out
}

// equalValues reports whether a and b have the same type, encoding and
// contents. It is sameValue without the report, and cheap enough for the
// fuzzer.
func equalValues(a, b datatypes.Value) bool {
	if a.Type() != b.Type() || a.Encoding() != b.Encoding() {
		return false
	}
	switch a := a.(type) {
	case *datatypes.Set:
		b := b.(*datatypes.Set)
		if a.Len() != b.Len() {
			return false
		}
		for m := range a.All() {
			if !b.Has(m) {
				return false
			}
		}
		return true
	case *datatypes.Hash:
		b := b.(*datatypes.Hash)
		if a.Len() != b.Len() {
			return false
		}
		if a.Encoding() == "listpack" {
			break // ordered: compare encodings
		}
		for f, v := range a.All() {
			if w, ok := b.Get(f); !ok || !bytes.Equal(v, w) {
				return false
			}
		}
		return true
	}
	// Strings, lists and listpack hashes encode their contents in order.
	return bytes.Equal(AppendValue(nil, a), AppendValue(nil, b))
}

// sameValue reports how got differs from want in type, encoding (which
// must be wantEnc, or want's if wantEnc is empty) or contents, or "" if
// it does not.
func sameValue(got, want datatypes.Value, wantEnc string) string {
	if got.Type() != want.Type() {
		return fmt.Sprintf("type %s, want %s", got.Type(), want.Type())
	}
	if wantEnc == "" {
		wantEnc = want.Encoding()
	}
	if got.Encoding() != wantEnc {
		return fmt.Sprintf("encoding %s, want %s", got.Encoding(), wantEnc)
	}
	// Compare lengths first: failures of large values stay readable.
	g, w := contents(got), contents(want)
	if len(g) != len(w) {
		return fmt.Sprintf("%d elements, want %d", len(g), len(w))
	}
	for i := range g {
		if g[i] != w[i] {
			return fmt.Sprintf("element %d is %.80q, want %.80q", i, g[i], w[i])
		}
	}
	return ""
}

// describe summarises v for a failure message: values can be large.
func describe(v datatypes.Value) string {
	if v == nil {
		return "nil"
	}
	c := contents(v)
	s := fmt.Sprintf("%s %s of %d", v.Type(), v.Encoding(), len(c))
	if len(c) > 0 {
		s += fmt.Sprintf(", first %.40q", c[0])
	}
	return s
}

type valueCase struct {
	name string
	v    datatypes.Value
	// lim is what DecodeValue gets; DefaultLimits if zero.
	lim datatypes.Limits
	// enc is the encoding expected after decoding; v's if empty.
	enc string
}

func valueCases() []valueCase {
	def := datatypes.DefaultLimits()
	appended := str("12")
	appended.Append([]byte("3"))
	appendedText := str("ab")
	appendedText.Append([]byte("c"))
	shrunkSet := setOf(def, "a", "1", "2", "3")
	shrunkSet.Remove([]byte("a"))
	shrunkHash := hashOf(def, pairs(600, 1)...)
	for _, f := range numbered("f", 597) {
		shrunkHash.Delete([]byte(f))
	}
	binary := []byte{0, '\r', '\n', 0xff, 0x80, 0x7f, 's', 'l'}
	bigElems := []string{strings.Repeat("x", 127), strings.Repeat("y", 128), strings.Repeat("z", 20000), "", "a"}

	return []valueCase{
		// Strings: Redis stores integers as integers and loads strings
		// through tryObjectEncoding, so the encoding depends on the
		// content only.
		{name: "string int", v: str("12345"), enc: "int"},
		{name: "string int zero", v: str("0"), enc: "int"},
		{name: "string int min", v: str(strconv.FormatInt(math.MinInt64, 10)), enc: "int"},
		{name: "string int max", v: datatypes.NewStringInt(math.MaxInt64), enc: "int"},
		{name: "string past int64", v: str("9223372036854775808"), enc: "embstr"},
		{name: "string plus sign", v: str("+1"), enc: "embstr"},
		{name: "string leading zero", v: str("01"), enc: "embstr"},
		{name: "string minus zero", v: str("-0"), enc: "embstr"},
		{name: "string embstr", v: str("hello"), enc: "embstr"},
		{name: "string embstr 44", v: str(strings.Repeat("e", 44)), enc: "embstr"},
		{name: "string raw 45", v: str(strings.Repeat("r", 45)), enc: "raw"},
		{name: "string raw 1MiB", v: str(strings.Repeat("R", 1<<20)), enc: "raw"},
		{name: "string empty", v: str(""), enc: "embstr"},
		{name: "string binary", v: datatypes.NewString(binary), enc: "embstr"},
		{name: "string type bytes only", v: str("lShs"), enc: "embstr"},
		// APPEND makes "raw" and INCRBYFLOAT "embstr" in memory; Redis
		// loads either as an int if it is one.
		{name: "string appended int", v: appended, enc: "int"},
		{name: "string appended text", v: appendedText, enc: "embstr"},
		{name: "string noint number", v: datatypes.NewStringNoInt([]byte("10")), enc: "int"},
		{name: "string noint float", v: datatypes.NewStringNoInt([]byte("10.5")), enc: "embstr"},

		// Lists.
		{name: "list empty", v: listOf(def)},
		{name: "list one", v: listOf(def, "a")},
		{name: "list binary", v: listOf(def, string(binary), "", "0", "-1")},
		{name: "list many small nodes", v: listOf(smallLimits, numbered("e", 10000)...), lim: smallLimits},
		{name: "list many default nodes", v: listOf(def, numbered("element-", 50000)...)},
		{name: "list 64KiB nodes", v: listOf(datatypes.Limits{ListMaxListpackSize: -5}, numbered("e", 50000)...), lim: datatypes.Limits{ListMaxListpackSize: -5}},
		{name: "list big elements", v: listOf(def, bigElems...)},
		{name: "list big elements small nodes", v: listOf(smallLimits, bigElems...), lim: smallLimits},

		// Sets.
		{name: "set empty", v: setOf(def), enc: "intset"},
		{name: "set intset", v: setOf(def, "3", "1", "2"), enc: "intset"},
		{name: "set intset wide", v: setOf(def, "-1", strconv.FormatInt(math.MinInt64, 10), strconv.FormatInt(math.MaxInt64, 10), "70000", "-70000"), enc: "intset"},
		{name: "set intset at limit", v: setOf(def, ints(-256, 512)...), enc: "intset"},
		{name: "set hashtable past limit", v: setOf(def, ints(0, 513)...), enc: "hashtable"},
		{name: "set hashtable strings", v: setOf(def, "a", "b", "", string(binary)), enc: "hashtable"},
		{name: "set hashtable non-canonical ints", v: setOf(def, "1", "01", "+2", "-0"), enc: "hashtable"},
		{name: "set hashtable mixed", v: setOf(def, append(ints(0, 100), "x")...), enc: "hashtable"},
		{name: "set large", v: setOf(def, numbered("member:", 100000)...), enc: "hashtable"},
		{name: "set large ints", v: setOf(def, ints(-50000, 100000)...), enc: "hashtable"},
		// Redis loads a set as an intset whenever it qualifies, however
		// it was encoded before, and by the current limit.
		{name: "set shrunk back to intset", v: shrunkSet, enc: "intset"},
		{name: "set intset under lower limit", v: setOf(def, "1", "2", "3", "4", "5"), lim: smallLimits, enc: "hashtable"},
		{name: "set intset at small limit", v: setOf(def, "1", "2", "3", "4"), lim: smallLimits, enc: "intset"},
		{name: "set hashtable under higher limit", v: setOf(smallLimits, ints(0, 5)...), enc: "intset"},

		// Hashes.
		{name: "hash empty", v: hashOf(def), enc: "listpack"},
		{name: "hash listpack", v: hashOf(def, "b", "2", "a", "1", "c", "3"), enc: "listpack"},
		{name: "hash listpack binary", v: hashOf(def, "", "", string(binary), string(binary), "k", ""), enc: "listpack"},
		{name: "hash listpack value at limit", v: hashOf(def, "f", strings.Repeat("v", 64), strings.Repeat("f", 64), "v"), enc: "listpack"},
		{name: "hash listpack entries at limit", v: hashOf(def, pairs(512, 10)...), enc: "listpack"},
		{name: "hash hashtable long value", v: hashOf(def, "f", "v", "g", strings.Repeat("v", 65)), enc: "hashtable"},
		{name: "hash hashtable long field", v: hashOf(def, strings.Repeat("f", 65), "v"), enc: "hashtable"},
		{name: "hash hashtable entries past limit", v: hashOf(def, pairs(513, 10)...), enc: "hashtable"},
		{name: "hash large", v: hashOf(def, pairs(100000, 20)...), enc: "hashtable"},
		{name: "hash large values", v: hashOf(def, pairs(1000, 300)...), enc: "hashtable"},
		{name: "hash shrunk back to listpack", v: shrunkHash, enc: "listpack"},
		{name: "hash listpack under lower limit", v: hashOf(def, pairs(5, 1)...), lim: smallLimits, enc: "hashtable"},
		{name: "hash listpack under lower value limit", v: hashOf(def, "f", "123456789"), lim: smallLimits, enc: "hashtable"},
		{name: "hash hashtable under higher limit", v: hashOf(smallLimits, pairs(5, 1)...), enc: "listpack"},
	}
}

func (c valueCase) limits() datatypes.Limits {
	if c.lim == (datatypes.Limits{}) {
		return datatypes.DefaultLimits()
	}
	return c.lim
}

// otherValue is a Value that is none of the datatypes'.
type otherValue struct{ datatypes.Value }

func TestValueRoundTrip(t *testing.T) {
	for _, c := range valueCases() {
		t.Run(c.name, func(t *testing.T) {
			enc := AppendValue(nil, c.v)
			got, err := DecodeValue(enc, c.limits())
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if d := sameValue(got, c.v, c.enc); d != "" {
				t.Fatalf("decoded %s", d)
			}
			if c.enc == "" && !equalValues(got, c.v) {
				t.Fatal("sameValue and equalValues disagree")
			}
			// The result must not alias the buffer, which Pebble reuses.
			for i := range enc {
				enc[i] = 0xaa
			}
			if d := sameValue(got, c.v, c.enc); d != "" {
				t.Fatalf("after overwriting the buffer: %s", d)
			}
			// Appending to a non-empty buffer changes nothing.
			prefix := []byte("prefix")
			enc2 := AppendValue(prefix, got)
			if !bytes.Equal(enc2[:len(prefix)], []byte("prefix")) {
				t.Fatalf("AppendValue overwrote dst: %q", enc2[:len(prefix)])
			}
			again, err := DecodeValue(enc2[len(prefix):], c.limits())
			if err != nil {
				t.Fatalf("decode again: %v", err)
			}
			if d := sameValue(again, got, ""); d != "" {
				t.Fatalf("second round trip: %s", d)
			}
		})
	}
}

// TestValueEncodingIsStable pins the format: snapshots written by one
// version must load in the next.
func TestValueEncodingIsStable(t *testing.T) {
	def := datatypes.DefaultLimits()
	cases := []struct {
		v    datatypes.Value
		want string
	}{
		{str(""), "s"},
		{str("42"), "s42"},
		{listOf(def, "a", "bc"), "l\x02\x01a\x02bc"},
		{setOf(def, "10", "-1"), "S\x02\x02-1\x0210"},
		{hashOf(def, "f", "v", "", "x"), "h\x02\x01f\x01v\x00\x01x"},
		{listOf(def, strings.Repeat("x", 200)), "l\x01\xc8\x01" + strings.Repeat("x", 200)},
	}
	for _, c := range cases {
		if got := AppendValue(nil, c.v); string(got) != c.want {
			t.Errorf("AppendValue(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestDecodeValueRejectsCorruption(t *testing.T) {
	lim := datatypes.DefaultLimits()
	for _, c := range valueCases() {
		good := AppendValue(nil, c.v)
		// A string runs to the end of the buffer, so only the empty
		// prefix is detectably truncated; every strict prefix of a
		// collection must fail.
		n := len(good)
		if c.v.Type() == "string" {
			n = 1
		}
		for i := 0; i < n; i++ {
			if n > 2000 && i >= 300 && i < n-16 {
				// Decoding a prefix of a large value costs about as much
				// as the value: try the first 300, 20 in the middle and
				// the last 16.
				i += max((n-316)/20-1, 0)
				i = min(i, n-16)
			}
			if v, err := DecodeValue(good[:i], lim); err == nil {
				t.Errorf("%s truncated to %d of %d bytes: decoded %s", c.name, i, len(good), describe(v))
			} else if !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s truncated to %d bytes: error %v does not wrap ErrCorrupt", c.name, i, err)
			}
		}
		if c.v.Type() != "string" {
			if v, err := DecodeValue(append(good, 0), lim); !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s with a trailing byte: got %s, %v", c.name, describe(v), err)
			}
		}
	}

	huge := binary.AppendUvarint(nil, math.MaxUint64)
	bad := []struct {
		name string
		b    string
	}{
		{"empty", ""},
		{"unknown type", "x"},
		{"unknown type with data", "L\x01\x01a"},
		{"list without count", "l"},
		{"set without count", "S"},
		{"hash without count", "h"},
		{"varint overflow", "l\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"},
		{"varint unterminated", "S\x80\x80"},
		{"huge list count", "l" + string(huge)},
		{"huge set count", "S" + string(huge) + "\x01a"},
		{"huge hash count", "h" + string(huge) + "\x01a\x01b"},
		{"hash count over half the bytes", "h\x02\x00\x00\x00"},
		{"huge element length", "l\x01" + string(huge) + "a"},
		{"element length past end", "l\x01\x05abcd"},
		{"element length overflow", "l\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"},
		{"count too small", "l\x01\x01a\x01b"},
		{"count too large", "S\x03\x01a\x01b"},
		{"hash missing value", "h\x01\x01f"},
		{"duplicate intset member", "S\x02\x011\x011"},
		{"duplicate hashtable member", "S\x02\x01a\x01a"},
		{"duplicate large set member", "S" + string(binary.AppendUvarint(nil, 600)) + dupElements(600)},
		{"duplicate listpack field", "h\x02\x01f\x01v\x01f\x01w"},
		{"duplicate hashtable field", "h\x02\x01f\x01v\x01f\x41" + strings.Repeat("w", 65)},
	}
	for _, c := range bad {
		if v, err := DecodeValue([]byte(c.b), lim); err == nil {
			t.Errorf("%s: decoded %s", c.name, describe(v))
		} else if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: error %v does not wrap ErrCorrupt", c.name, err)
		}
	}
}

// dupElements encodes n elements, the last a repeat of the first.
func dupElements(n int) string {
	var b []byte
	for i := range n - 1 {
		b = appendBytes(b, []byte(strconv.Itoa(i)))
	}
	return string(appendBytes(b, []byte("0")))
}

func TestAppendValueRejectsUnknownTypes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("AppendValue of an unknown value did not panic")
		}
	}()
	AppendValue(nil, otherValue{str("x")})
}

func FuzzDecodeValue(f *testing.F) {
	// Small seeds only: the fuzzer minimises each new input it finds, at
	// a cost that grows fast with its size.
	for _, c := range valueCases() {
		if enc := AppendValue(nil, c.v); len(enc) <= 256 {
			f.Add(enc)
		}
	}
	small := []string{"", "x", "l\x00", "S\x05\x011\x012\x013\x014\x015", "h\x05\x01a\x00\x01b\x00\x01c\x00\x01d\x00\x01e\x00"}
	for _, s := range small {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, lim := range []datatypes.Limits{smallLimits, datatypes.DefaultLimits()} {
			v, err := DecodeValue(b, lim)
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("error %v does not wrap ErrCorrupt", err)
				}
				continue
			}
			// Whatever decodes must survive a round trip unchanged,
			// encoding included.
			enc := AppendValue(nil, v)
			again, err := DecodeValue(enc, lim)
			if err != nil {
				t.Fatalf("re-encoding of %q (%q) does not decode: %v", b, enc, err)
			}
			if !equalValues(again, v) {
				t.Fatalf("round trip of %q: %s", b, sameValue(again, v, ""))
			}
		}
	})
}

func benchmarkDecodeValue(b *testing.B, v datatypes.Value) {
	lim := datatypes.DefaultLimits()
	enc := AppendValue(nil, v)
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeValue(enc, lim); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeValue(b *testing.B) {
	def := datatypes.DefaultLimits()
	b.Run("string", func(b *testing.B) { benchmarkDecodeValue(b, str("some cached value")) })
	b.Run("list1000", func(b *testing.B) { benchmarkDecodeValue(b, listOf(def, numbered("element-", 1000)...)) })
	b.Run("intset512", func(b *testing.B) { benchmarkDecodeValue(b, setOf(def, ints(0, 512)...)) })
	b.Run("set1000", func(b *testing.B) { benchmarkDecodeValue(b, setOf(def, numbered("m", 1000)...)) })
	b.Run("hash16", func(b *testing.B) { benchmarkDecodeValue(b, hashOf(def, pairs(16, 10)...)) })
	b.Run("hash512", func(b *testing.B) { benchmarkDecodeValue(b, hashOf(def, pairs(512, 10)...)) })
	b.Run("hash1000", func(b *testing.B) { benchmarkDecodeValue(b, hashOf(def, pairs(1000, 10)...)) })
}

func BenchmarkAppendValue(b *testing.B) {
	def := datatypes.DefaultLimits()
	for _, c := range []struct {
		name string
		v    datatypes.Value
	}{
		{"list1000", listOf(def, numbered("element-", 1000)...)},
		{"intset512", setOf(def, ints(0, 512)...)},
		{"hash1000", hashOf(def, pairs(1000, 10)...)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				buf = AppendValue(buf[:0], c.v)
			}
		})
	}
}
