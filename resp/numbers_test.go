package resp

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
)

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1", 1, true},
		{"-1", -1, true},
		{"123", 123, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551615", 0, false},
		{"18446744073709551616", 0, false},
		{"99999999999999999999", 0, false},
		{"-99999999999999999999", 0, false},
		{"100000000000000000000", 0, false}, // 21 characters
		{"-0", 0, false},
		{"00", 0, false},
		{"01", 0, false},
		{"-01", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"1.0", 0, false},
		{"1e3", 0, false},
		{"0x10", 0, false},
		{"1\x00", 0, false},
		{"abc", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseInt([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseInt(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseDouble(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true},
		{"-0", math.Copysign(0, -1), true},
		{"1.5", 1.5, true},
		{"-1.5e3", -1500, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"+.5", 0.5, true},
		{"1E5", 1e5, true},
		{"1e+5", 1e5, true},
		{"0x10", 16, true},
		{"0x.8", 0.5, true},
		{"0X1P3", 8, true},
		{"0x1.8p1", 3, true},
		{"inf", math.Inf(1), true},
		{"-Infinity", math.Inf(-1), true},
		{"inF", math.Inf(1), true},
		{"1e-310", 1e-310, true},                  // subnormal: ERANGE but not zero
		{"2.4703282292062328e-324", 5e-324, true}, // rounds up to the smallest subnormal
		{"0e-400", 0, true},                       // zero written small is no underflow
		{"2.4703282292062327e-324", 0, false},     // rounds to zero: underflow
		{"1e-400", 0, false},
		{"0x1p-1080", 0, false},
		{"1e309", 0, false},
		{"1e5000", 0, false},
		{"nan", 0, false},
		{"-nan", 0, false},
		{"", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"+", 0, false},
		{".", 0, false},
		{"1e", 0, false},
		{"1.5ee5", 0, false},
		{"0x", 0, false},
		{"0x1p", 0, false},
		{"1_0", 0, false},
		{"0b1", 0, false},
		{"infinit", 0, false},
		{"1\x00", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseDouble([]byte(tt.in))
		if ok != tt.ok || (ok && (got != tt.want || math.Signbit(got) != math.Signbit(tt.want))) {
			t.Errorf("ParseDouble(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAppendDouble(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{0.5, "0.5"},
		{1.5, "1.5"},
		{0.1, "0.10000000000000001"},
		{123.456, "123.456"},
		{1e16, "10000000000000000"},
		{1e17, "1e+17"},
		{1e20, "1e+20"},
		{1e-5, "1.0000000000000001e-05"},
		{1e-4, "0.0001"},
		{-2.5e-300, "-2.5e-300"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{5e-324, "4.9406564584124654e-324"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
	}
	for _, tt := range tests {
		if got := string(AppendDouble(nil, tt.in)); got != tt.want {
			t.Errorf("AppendDouble(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// incrByFloat is INCRBYFLOAT's arithmetic: parse both, add, format.
func incrByFloat(value, incr string) (string, bool) {
	a, ok := ParseLongDouble([]byte(value))
	if !ok {
		return "", false
	}
	b, ok := ParseLongDouble([]byte(incr))
	if !ok {
		return "", false
	}
	sum, ok := AddLongDouble(a, b)
	if !ok {
		return "", false
	}
	return string(AppendLongDouble(nil, sum)), true
}

// TestLongDouble checks INCRBYFLOAT results against the replies of
// redis-server 7.0 on x86-64 ("" means an error reply).
// TestAppendHumanDouble checks the coordinates GEOPOS gives in
// redis-server 7.0 (%.17Lf without trailing zeros).
func TestAppendHumanDouble(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{13.361389338970184, "13.36138933897018433"},
		{85.05112878, "85.0511287799999991"},
		{2.682209014892578e-06, "0.00000268220901489"},
		{-179.99999731779099, "-179.99999731779098511"},
		{180, "180"},
		{0.5, "0.5"},
		{math.Copysign(0, -1), "0"},
		{-1e-20, "0"},
		{math.Inf(-1), "-inf"},
	}
	for _, tt := range tests {
		if got := string(AppendHumanDouble(nil, tt.in)); got != tt.want {
			t.Errorf("AppendHumanDouble(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLongDouble(t *testing.T) {
	// LDBL_MAX, (2^64-1) × 2^16320, printed in full.
	ldblMax := new(big.Int).Lsh(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 64), big.NewInt(1)), 16320).String()
	tests := []struct {
		value, incr string
		want        string
	}{
		{"0", "10.5", "10.5"},
		{"10.5", "0.1", "10.6"},
		{"10.6", "-5.0e3", "-4989.39999999999999991"},
		{"0", "3.0e3", "3000"},
		{"3000", "5.0e3", "8000"},
		{"0.1", "0.2", "0.3"},
		{"0.3", "-0.3", "0"},
		{"1e20", "1", "100000000000000000000"},
		{"0", "-0", "0"},
		{"-0", "-0.0", "0"},
		{"0", "1.23456789012345678901234567890", "1.23456789012345679"},
		{"0", "123456789012345678901234567890.5", "123456789012345678899921813504"},
		{"0", "1.1e-17", "0.00000000000000001"},
		{"0", "-1.1e-17", "-0.00000000000000001"},
		{"0", "5e-18", "0"}, // a little under 5e-18 in binary
		{"0", "4.9999999999999999e-18", "0"},
		{"0", "-4.9999999999999999e-18", "0"},
		{"0", "1e308", "99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048"},
		// Exact halfway cases, rounded to even; big.ParseFloat gets these
		// wrong.
		{"0", "922337203685477580850000000000000000000000000000000000000000000000000000000e-56", "9223372036854775808"},
		{"0", "92233720368547758095000000000000000000000000000000000000000000000000000000000000000000000e-70", "9223372036854775810"},
		{"0", "1844674407370955161700000000000000000000000000000000000000000000000000000000000000e-62", "18446744073709551616"},
		{"0", "184467440737095516190000000000000000000000000000000000000000000000000000000000000000000000000000e-76", "18446744073709551620"},
		{"0", "0x10", "16"},
		{"16", "0x.8", "16.5"},
		{"0", "0X1P3", "8"},
		{"0", ".5", "0.5"},
		{"0", "5.", "5"},
		{"0", "+.5", "0.5"},
		{"0", "1e+2", "100"},
		// Subnormals: accepted unless they round to zero.
		{"0", "1e-4940", "0"},
		{"0", "1.8225997659412374e-4951", "0"},
		{"0", "1.8225997659412373e-4951", ""}, // at most half the smallest subnormal
		{"0", "1.8225997659412372e-4951", ""},
		{"0", "0x1p-16446", ""},
		{"0", "0x1.00001p-16446", "0"},
		{"0", "0x1p-16445", "0"},
		{"0", "1e-5000", ""},
		// The largest finite value and just past it.
		{"0", "0x1.fffffffffffffffep16383", ldblMax},
		{"0", "1.18973149535723176502e+4932", ldblMax},
		{"0", "0x1.ffffffffffffffffp16383", ""},
		{"0", "1.18973149535723176508e+4932", ""},
		{"1e4932", "1e4932", ""},
		{"0", "1e4933", ""},
		{"0", "inf", ""},
		{"0", "-Infinity", ""},
		{"inf", "1", ""},
		{"0", "nan", ""},
		{"0", "abc", ""},
		{"0", " 1", ""},
		{"0", "1 ", ""},
		{"0", "", ""},
		{"0", "1e", ""},
		{"0", "0x", ""},
		{"0", "0x1p", ""},
		{"0", "--1", ""},
		{"0", "1_0", ""},
		{"0", "1\x00", ""},
		{"0", "1" + strings.Repeat("0", 5119), ""}, // 5120 characters: too long
	}
	for _, tt := range tests {
		got, ok := incrByFloat(tt.value, tt.incr)
		if !ok {
			got = ""
		}
		if got != tt.want {
			t.Errorf("%.40q + %.40q = %.60q, want %.60q", tt.value, tt.incr, got, tt.want)
		}
	}
}

func TestParseLongDoubleLongInput(t *testing.T) {
	// 5119 characters is the most string2ld takes.
	in := "1" + strings.Repeat("0", 5118)
	got, ok := ParseLongDouble([]byte(in))
	if ok {
		t.Fatalf("1e5118 accepted as %v", got)
	}
	in = "0." + strings.Repeat("0", 5000) + "1e5000"
	got, ok = ParseLongDouble([]byte(in))
	if !ok || got.Cmp(big.NewFloat(0.1)) == 0 || string(AppendLongDouble(nil, got)) != "0.1" {
		t.Fatalf("%.20s... = %v, %v; want 0.1", in, got, ok)
	}
}

// FuzzParseInt compares ParseInt with strconv.ParseInt restricted to
// string2ll's rules: no '+', no leading zeros, no "-0".
func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"0", "-1", "+1", "01", "-0", "9223372036854775807", "-9223372036854775808", "9223372036854775808", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseInt([]byte(s))
		want, err := strconv.ParseInt(s, 10, 64)
		wantOK := err == nil && len(s) > 0 && s[0] != '+' && strconv.FormatInt(want, 10) == s
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("ParseInt(%q) = %d, %v; strconv says %d, %v", s, got, ok, want, wantOK)
		}
	})
}

// FuzzLongDouble checks that parsing never panics and that a parsed value
// printed and parsed again prints the same.
func FuzzLongDouble(f *testing.F) {
	for _, s := range []string{"0", "1.5", "-0", "1e4932", "0x1p-16445", "inf", "1e-5000", ".5", "0x.8", "123456789012345678901234567890.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, ok := ParseLongDouble([]byte(s))
		if !ok || x.IsInf() {
			return
		}
		printed := AppendLongDouble(nil, x)
		y, ok := ParseLongDouble(printed)
		if !ok {
			t.Fatalf("%q printed as %q, which does not parse", s, printed)
		}
		if again := AppendLongDouble(nil, y); string(again) != string(printed) {
			t.Fatalf("%q printed as %q, then as %q", s, printed, again)
		}
		if _, ok := AddLongDouble(x, y); !ok && x.MantExp(nil) < longDoubleMaxExp {
			t.Fatalf("%q doubled overflows", s)
		}
	})
}
