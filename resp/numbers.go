package resp

import (
	"math"
	"math/big"
	"strconv"
)

// ParseInt parses b with the rules of Redis's string2ll: an optional minus
// sign, no plus sign, no spaces, no leading zeros, and the value must fit
// in an int64. Clients rely on "01" and " 1" being rejected.
func ParseInt(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n > 20 {
		return 0, false
	}
	if n == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	i := 0
	if b[0] == '-' {
		neg = true
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-9)/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// AppendDouble formats f as Redis 7.0 formats doubles in replies (%.17g,
// with "inf" and "-inf" spelled out).
func AppendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case f == 0 && math.Signbit(f):
		return append(dst, "-0"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// ParseDouble parses b as Redis's string2d does (strtod): no leading
// space, nothing trailing, "inf" accepted, NaN rejected.
func ParseDouble(b []byte) (float64, bool) {
	if !isStrtodSyntax(b) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		// strtod reports overflow as ERANGE, which Redis rejects; Go
		// reports it as an error too, with f = ±Inf.
		return 0, false
	}
	if math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// LongDouble is the 64-bit mantissa extended precision float that Redis
// uses for INCRBYFLOAT and HINCRBYFLOAT (x86-64 long double). Go has no
// such type; big.Float at 64 bits of precision rounds the same way.
type LongDouble = *big.Float

// longDoublePrec is the mantissa width of an x87 extended precision float.
const longDoublePrec = 64

// Exponent bounds of the x87 extended format (base 2, as big.Float counts
// them): values beyond are ERANGE for strtold.
const (
	longDoubleMaxExp = 16384
	longDoubleMinExp = -16445
)

// ParseLongDouble parses b as Redis's string2ld (strtold).
func ParseLongDouble(b []byte) (LongDouble, bool) {
	if len(b) == 0 || len(b) >= 5*1024 || !isStrtodSyntax(b) {
		return nil, false
	}
	f, _, err := big.ParseFloat(string(b), 0, longDoublePrec, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	if !f.IsInf() && f.Sign() != 0 {
		exp := f.MantExp(nil)
		if exp > longDoubleMaxExp || exp < longDoubleMinExp {
			return nil, false
		}
	}
	return f, true
}

// AddLongDouble returns a+b rounded to long double precision, and false if
// the result overflows to infinity.
func AddLongDouble(a, b LongDouble) (LongDouble, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	sum := new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven).Add(a, b)
	if sum.Sign() != 0 && sum.MantExp(nil) > longDoubleMaxExp {
		return nil, false
	}
	return sum, true
}

// AppendLongDouble formats f as Redis's ld2string in human mode: %.17Lf
// with trailing zeros (and a trailing dot) removed, and "-0" written "0".
func AppendLongDouble(dst []byte, f LongDouble) []byte {
	start := len(dst)
	dst = f.Append(dst, 'f', 17)
	i := len(dst)
	for i > start && dst[i-1] == '0' {
		i--
	}
	if i > start && dst[i-1] == '.' {
		i--
	}
	dst = dst[:i]
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

// isStrtodSyntax accepts what strtod accepts minus leading spaces: a
// decimal or hexadecimal float with optional sign and exponent, or inf /
// infinity / nan in any case. It rejects what Go's parsers accept beyond
// that (underscores, "0b" and "0o" prefixes).
func isStrtodSyntax(b []byte) bool {
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	rest := string(b[i:])
	switch lower(rest) {
	case "inf", "infinity", "nan":
		return true
	case "":
		return false
	}
	hex := len(rest) > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X')
	if hex {
		i += 2
	}
	digits := 0
	for i < len(b) && isDigit(b[i], hex) {
		i++
		digits++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && isDigit(b[i], hex) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(b) && ((!hex && (b[i] == 'e' || b[i] == 'E')) || (hex && (b[i] == 'p' || b[i] == 'P'))) {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		expDigits := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			expDigits++
		}
		if expDigits == 0 {
			return false
		}
	} else if hex {
		// Go requires a 'p' exponent on hex floats; strtod does not.
		return false
	}
	return i == len(b)
}

func isDigit(c byte, hex bool) bool {
	if c >= '0' && c <= '9' {
		return true
	}
	return hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
}

func lower(s string) string {
	if len(s) > 8 {
		return s
	}
	var buf [8]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return string(buf[:len(s)])
}
