package commands

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/resp"
)

func splitArgs(s string) [][]byte {
	var out [][]byte
	for _, f := range strings.Fields(s) {
		out = append(out, []byte(f))
	}
	return out
}

func ex(unit expiryUnit, v string) expiryArg { return expiryArg{Unit: unit, Value: []byte(v)} }

func TestParseSet(t *testing.T) {
	tests := []struct {
		args    string
		want    setOptions
		wantErr string
	}{
		{"SET k v", setOptions{}, ""},
		{"SET k v NX", setOptions{Cond: setNX}, ""},
		{"SET k v xx", setOptions{Cond: setXX}, ""},
		{"SET k v nX nx", setOptions{Cond: setNX}, ""},
		{"SET k v NX XX", setOptions{}, resp.ErrSyntax},
		{"SET k v XX NX", setOptions{}, resp.ErrSyntax},
		{"SET k v GET", setOptions{Get: true}, ""},
		{"SET k v GET get", setOptions{Get: true}, ""},
		{"SET k v NX GET", setOptions{Cond: setNX, Get: true}, ""},
		{"SET k v KEEPTTL", setOptions{KeepTTL: true}, ""},
		{"SET k v keepttl KEEPTTL", setOptions{KeepTTL: true}, ""},
		{"SET k v EX 10", setOptions{Expire: ex(expiryEX, "10")}, ""},
		{"SET k v px 10", setOptions{Expire: ex(expiryPX, "10")}, ""},
		{"SET k v EXAT 10", setOptions{Expire: ex(expiryEXAT, "10")}, ""},
		{"SET k v PXAT 10", setOptions{Expire: ex(expiryPXAT, "10")}, ""},
		// A repeated expire option wins with its last value.
		{"SET k v EX 10 EX 20", setOptions{Expire: ex(expiryEX, "20")}, ""},
		// The value is not checked while parsing: the syntax comes first.
		{"SET k v EX abc", setOptions{Expire: ex(expiryEX, "abc")}, ""},
		{"SET k v EX NX", setOptions{Expire: ex(expiryEX, "NX")}, ""},
		{"SET k v EX abc NX XX", setOptions{}, resp.ErrSyntax},
		{"SET k v EX 10 PX 10", setOptions{}, resp.ErrSyntax},
		{"SET k v EXAT 10 PXAT 10", setOptions{}, resp.ErrSyntax},
		{"SET k v EX 10 KEEPTTL", setOptions{}, resp.ErrSyntax},
		{"SET k v KEEPTTL EX 10", setOptions{}, resp.ErrSyntax},
		{"SET k v KEEPTTL PXAT 10", setOptions{}, resp.ErrSyntax},
		{"SET k v EX", setOptions{}, resp.ErrSyntax},
		{"SET k v NX PX", setOptions{}, resp.ErrSyntax},
		{"SET k v PERSIST", setOptions{}, resp.ErrSyntax},
		{"SET k v XX abc", setOptions{}, resp.ErrSyntax},
		{"SET k v N", setOptions{}, resp.ErrSyntax},
		{"SET k v NXX", setOptions{}, resp.ErrSyntax},
		{"SET k v XX GET PXAT 5", setOptions{Cond: setXX, Get: true, Expire: ex(expiryPXAT, "5")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			got, errMsg := parseSet(splitArgs(tt.args))
			if errMsg != tt.wantErr {
				t.Fatalf("error %q, want %q", errMsg, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseOptionsAsCStrings(t *testing.T) {
	args := [][]byte{[]byte("SET"), []byte("k"), []byte("v"), []byte("nx\x00junk"), []byte("EX\x00"), []byte("10")}
	got, errMsg := parseSet(args)
	if want := (setOptions{Cond: setNX, Expire: ex(expiryEX, "10")}); errMsg != "" || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %q; want %+v", got, errMsg, want)
	}
	if _, errMsg := parseSet([][]byte{[]byte("SET"), []byte("k"), []byte("v"), []byte("\x00NX")}); errMsg != resp.ErrSyntax {
		t.Fatalf("leading NUL: %q", errMsg)
	}
}

func TestParseGetEx(t *testing.T) {
	tests := []struct {
		args    string
		want    getExOptions
		wantErr string
	}{
		{"GETEX k", getExOptions{}, ""},
		{"GETEX k PERSIST", getExOptions{Persist: true}, ""},
		{"GETEX k persist PERSIST", getExOptions{Persist: true}, ""},
		{"GETEX k EX 10", getExOptions{Expire: ex(expiryEX, "10")}, ""},
		{"GETEX k PX 10", getExOptions{Expire: ex(expiryPX, "10")}, ""},
		{"GETEX k exat 10", getExOptions{Expire: ex(expiryEXAT, "10")}, ""},
		{"GETEX k PXAT 10", getExOptions{Expire: ex(expiryPXAT, "10")}, ""},
		{"GETEX k EX 10 EX 20", getExOptions{Expire: ex(expiryEX, "20")}, ""},
		{"GETEX k EX abc", getExOptions{Expire: ex(expiryEX, "abc")}, ""},
		{"GETEX k EX 10 PX 10", getExOptions{}, resp.ErrSyntax},
		{"GETEX k EX 10 PERSIST", getExOptions{}, resp.ErrSyntax},
		{"GETEX k PERSIST EX 10", getExOptions{}, resp.ErrSyntax},
		{"GETEX k EX", getExOptions{}, resp.ErrSyntax},
		{"GETEX k KEEPTTL", getExOptions{}, resp.ErrSyntax},
		{"GETEX k NX", getExOptions{}, resp.ErrSyntax},
		{"GETEX k XX", getExOptions{}, resp.ErrSyntax},
		{"GETEX k GET", getExOptions{}, resp.ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			got, errMsg := parseGetEx(splitArgs(tt.args))
			if errMsg != tt.wantErr {
				t.Fatalf("error %q, want %q", errMsg, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestExpiryDeadline(t *testing.T) {
	const now = 1_700_000_000_000
	invalid := resp.ErrInvalidExpire("set")
	tests := []struct {
		unit    expiryUnit
		value   string
		want    int64
		wantErr string
	}{
		{expiryEX, "10", now + 10_000, ""},
		{expiryPX, "10", now + 10, ""},
		{expiryEXAT, "10", 10_000, ""},
		{expiryPXAT, "10", 10, ""},
		{expiryPXAT, "1", 1, ""},
		{expiryEX, "abc", 0, resp.ErrNotInteger},
		{expiryEX, "1.5", 0, resp.ErrNotInteger},
		{expiryEX, " 1", 0, resp.ErrNotInteger},
		{expiryEX, "9223372036854775808", 0, resp.ErrNotInteger},
		{expiryEX, "0", 0, invalid},
		{expiryPX, "0", 0, invalid},
		{expiryEXAT, "0", 0, invalid},
		{expiryPXAT, "0", 0, invalid},
		{expiryEX, "-1", 0, invalid},
		{expiryPXAT, "-1", 0, invalid},
		// Seconds that overflow when made milliseconds.
		{expiryEXAT, "9223372036854776", 0, invalid},
		{expiryEXAT, "9223372036854775", 9223372036854775000, ""},
		// Relative times that overflow when made absolute.
		{expiryEX, "9223372036854775", 0, invalid},
		{expiryPX, "9223372036854775807", 0, invalid},
		{expiryPX, "9223370336854775807", math.MaxInt64, ""},
		{expiryPX, "9223370336854775808", 0, invalid},
		{expiryPXAT, "9223372036854775807", math.MaxInt64, ""},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got, errMsg := ex(tt.unit, tt.value).deadline(now, "set")
			if errMsg != tt.wantErr || got != tt.want {
				t.Fatalf("deadline(%d, %q) = %d, %q; want %d, %q", tt.unit, tt.value, got, errMsg, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseLCS(t *testing.T) {
	tests := []struct {
		args    string
		want    lcsOptions
		wantErr string
	}{
		{"LCS a b", lcsOptions{}, ""},
		{"LCS a b LEN", lcsOptions{Len: true}, ""},
		{"LCS a b idx", lcsOptions{Idx: true}, ""},
		{"LCS a b IDX WITHMATCHLEN MINMATCHLEN 4", lcsOptions{Idx: true, WithMatchLen: true, MinMatchLen: 4}, ""},
		{"LCS a b MINMATCHLEN -5", lcsOptions{}, ""},
		{"LCS a b MINMATCHLEN 3 MINMATCHLEN 7", lcsOptions{MinMatchLen: 7}, ""},
		{"LCS a b LEN LEN", lcsOptions{Len: true}, ""},
		{"LCS a b IDX LEN", lcsOptions{}, resp.ErrLCSLenAndIdx},
		{"LCS a b LEN IDX", lcsOptions{}, resp.ErrLCSLenAndIdx},
		{"LCS a b MINMATCHLEN", lcsOptions{}, resp.ErrSyntax},
		{"LCS a b MINMATCHLEN x", lcsOptions{}, resp.ErrNotInteger},
		// The first problem met is reported.
		{"LCS a b MINMATCHLEN x FOO", lcsOptions{}, resp.ErrNotInteger},
		{"LCS a b FOO MINMATCHLEN x", lcsOptions{}, resp.ErrSyntax},
		{"LCS a b MINMATCHLEN x IDX LEN", lcsOptions{}, resp.ErrNotInteger},
		{"LCS a b IDX LEN FOO", lcsOptions{}, resp.ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			got, errMsg := parseLCS(splitArgs(tt.args))
			if errMsg != tt.wantErr {
				t.Fatalf("error %q, want %q", errMsg, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSubstring(t *testing.T) {
	const s = "This is a string"
	tests := []struct {
		start, end int64
		want       string
	}{
		{0, 3, "This"},
		{-3, -1, "ing"},
		{0, -1, s},
		{10, 100, "string"},
		{5, 3, ""},
		{-1, -5, ""},
		{-100, -1, s},
		// Both ends clamp to 0: Redis returns the first byte.
		{-100, -50, "T"},
		{-100, 2, "Thi"},
		{100, 200, ""},
		{15, 15, "g"},
		{16, 16, ""},
		{math.MaxInt64, math.MinInt64, ""},
		{math.MinInt64, math.MaxInt64, s},
	}
	for _, tt := range tests {
		if got := substring([]byte(s), tt.start, tt.end); string(got) != tt.want {
			t.Errorf("substring(%d, %d) = %q, want %q", tt.start, tt.end, got, tt.want)
		}
	}
	if got := substring(nil, 0, -1); len(got) != 0 {
		t.Errorf("substring of empty = %q", got)
	}
}

// FuzzParseSet checks that the option parsers never panic and that what
// SET's accepts is consistent: KEEPTTL excludes an expire option, an
// expire option has its value, and an accepted expiry time is positive.
func FuzzParseSet(f *testing.F) {
	for _, seed := range []string{
		"NX", "XX GET", "EX 10", "PX 1 PX 2", "KEEPTTL", "EXAT", "NX XX", "EX 1 KEEPTTL", "GET PXAT 5 NX",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		args := [][]byte{[]byte("SET"), []byte("k"), []byte("v")}
		for _, a := range bytes.Fields(in) {
			args = append(args, a)
		}
		o, errMsg := parseSet(args)
		if errMsg != "" {
			if errMsg != resp.ErrSyntax {
				t.Fatalf("unexpected error %q", errMsg)
			}
			return
		}
		if o.KeepTTL && o.Expire.Unit != expiryNone {
			t.Fatalf("KEEPTTL with an expire option: %+v", o)
		}
		if o.Expire.Unit != expiryNone && o.Expire.Value == nil {
			t.Fatalf("expire option without a value: %+v", o)
		}
		if o.Expire.Unit != expiryNone {
			if at, errMsg := o.Expire.deadline(1_700_000_000_000, "set"); errMsg == "" && at <= 0 {
				t.Fatalf("deadline %d accepted for %q", at, o.Expire.Value)
			}
		}
		getex, _ := parseGetEx(append([][]byte{[]byte("GETEX"), []byte("k")}, args[3:]...))
		if getex.Persist && getex.Expire.Unit != expiryNone {
			t.Fatalf("PERSIST with an expire option: %+v", getex)
		}
		parseLCS(append([][]byte{[]byte("LCS"), []byte("a"), []byte("b")}, args[3:]...))
	})
}
