package resp

import (
	"math"
	"math/big"
	"strconv"
	"strings"
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
// space, nothing trailing, "inf" accepted, NaN rejected, and a result that
// overflows or underflows to zero (ERANGE) rejected.
func ParseDouble(b []byte) (float64, bool) {
	if !isStrtodSyntax(b) {
		return 0, false
	}
	s := string(b)
	if isHexFloat(b) && !strings.ContainsAny(s, "pP") {
		// strtod takes a hexadecimal float without exponent; Go does not.
		s += "p0"
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Overflow: Go reports it as an error, strtod as ERANGE.
		return 0, false
	}
	if math.IsNaN(f) || (f == 0 && hasNonZeroMantissa(b)) {
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

// Exponent bounds of the x87 extended format, as big.Float's MantExp
// counts them (x = mant × 2^exp, 0.5 <= |mant| < 1): the largest finite
// value has exp 16384, the smallest subnormal (2^-16445) has exp -16444.
const (
	longDoubleMaxExp = 16384
	// longDoubleHalfMinExp is the base-2 exponent of half the smallest
	// subnormal: strtold rounds anything up to it (a tie goes to even) to
	// zero, which is ERANGE and rejected.
	longDoubleHalfMinExp = -16446
)

// maxLongDoubleChars is Redis's MAX_LONG_DOUBLE_CHARS, the buffer string2ld
// copies its input to.
const maxLongDoubleChars = 5 * 1024

// ParseLongDouble parses b as Redis's string2ld (glibc's strtold on
// x86-64): the exact value of the literal rounded once to 64 bits of
// mantissa. Results that overflow, or underflow to zero, are rejected
// (ERANGE), as are NaN and anything strtod would not consume entirely.
//
// big.ParseFloat is not used because it rounds long mantissas before
// scaling them, which is off by one unit in the last place now and then.
// Subnormal results keep 64 bits where the x87 format keeps fewer: they
// print as 0 at 17 decimals and vanish in any sum with a normal number, so
// the difference cannot be observed.
func ParseLongDouble(b []byte) (LongDouble, bool) {
	if len(b) == 0 || len(b) >= maxLongDoubleChars || !isStrtodSyntax(b) {
		return nil, false
	}
	lit := splitLiteral(b)
	switch lit.special {
	case "nan":
		return nil, false
	case "inf":
		return new(big.Float).SetPrec(longDoublePrec).SetInf(lit.neg), true
	}
	mant := lit.mant
	for len(mant) > 0 && mant[0] == '0' {
		mant = mant[1:]
	}
	if len(mant) == 0 {
		z := new(big.Float).SetPrec(longDoublePrec)
		if lit.neg {
			z.Neg(z)
		}
		return z, true
	}
	n := int64(len(mant))
	var num, den big.Int
	num.SetString(string(mant), lit.base)
	den.SetInt64(1)
	// exact is num/den × 2^exp2, the literal's exact value.
	var exp2 int64
	if lit.base == 16 {
		// The value is below 2^(4n+scale) and at least 2^(4(n-1)+scale).
		if 4*n+lit.scale <= longDoubleHalfMinExp {
			return nil, false
		}
		if 4*(n-1)+lit.scale >= longDoubleMaxExp {
			return nil, false
		}
		exp2 = lit.scale
	} else {
		// The value is below 10^(n+scale) and at least 10^(n-1+scale);
		// LDBL_MAX is 1.19e4932 and half the smallest subnormal 1.8e-4951.
		if n+lit.scale <= -4951 {
			return nil, false
		}
		if n-1+lit.scale >= 4933 {
			return nil, false
		}
		if lit.scale >= 0 {
			num.Mul(&num, pow10(lit.scale))
		} else {
			den.Set(pow10(-lit.scale))
		}
	}
	var a, d big.Float
	a.SetInt(&num)
	d.SetInt(&den)
	z := new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven).Quo(&a, &d)
	z.SetMantExp(z, int(exp2))
	exp := z.MantExp(nil)
	if exp > longDoubleMaxExp {
		return nil, false
	}
	if exp <= longDoubleHalfMinExp+1 && !aboveHalfMinSubnormal(&num, &den, exp2) {
		return nil, false
	}
	if lit.neg {
		z.Neg(z)
	}
	return z, true
}

// ZeroLongDouble returns +0, the value INCRBYFLOAT starts a missing key
// from.
func ZeroLongDouble() LongDouble { return new(big.Float).SetPrec(longDoublePrec) }

// AddLongDouble returns a+b rounded to long double precision, and false if
// the result is infinite (an infinite operand, or overflow) or NaN.
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
// (exact decimal expansion, rounded half to even) with trailing zeros and
// a trailing dot removed, and "-0" written "0".
func AppendLongDouble(dst []byte, f LongDouble) []byte {
	start := len(dst)
	return trimHuman(f.Append(dst, 'f', 17), start)
}

// AppendHumanDouble formats a double as Redis's ld2string in human mode
// (GEOPOS's coordinates): as AppendLongDouble, since a double converts
// to a long double exactly.
func AppendHumanDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	start := len(dst)
	return trimHuman(strconv.AppendFloat(dst, f, 'f', 17, 64), start)
}

// trimHuman removes the trailing zeros and dot of the number formatted
// from dst[start:], and writes "-0" as "0".
func trimHuman(dst []byte, start int) []byte {
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

// aboveHalfMinSubnormal reports whether num/den × 2^exp2 is greater than
// 2^-16446, exactly.
func aboveHalfMinSubnormal(num, den *big.Int, exp2 int64) bool {
	// num × 2^(exp2+16446) > den
	shift := exp2 - longDoubleHalfMinExp
	l, r := new(big.Int).Set(num), new(big.Int).Set(den)
	if shift >= 0 {
		l.Lsh(l, uint(shift))
	} else {
		r.Lsh(r, uint(-shift))
	}
	return l.Cmp(r) > 0
}

func pow10(n int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil)
}

// literal is a float literal taken apart: its value is mant (digits in
// base, without the point) × base^scale for base 10, or × 2^scale for
// base 16.
type literal struct {
	neg bool
	// special is "inf" or "nan" for those spellings, else empty.
	special string
	base    int
	mant    []byte
	scale   int64
}

// maxExponent bounds the exponent read from a literal; beyond it every
// mantissa that fits in maxLongDoubleChars has overflowed or underflowed
// already, and the bound keeps the arithmetic from overflowing.
const maxExponent = 1 << 30

// splitLiteral takes apart b, which isStrtodSyntax accepted.
func splitLiteral(b []byte) literal {
	var lit literal
	i := 0
	if b[0] == '+' || b[0] == '-' {
		lit.neg = b[0] == '-'
		i++
	}
	switch lower(string(b[i:])) {
	case "inf", "infinity":
		lit.special = "inf"
		return lit
	case "nan":
		lit.special = "nan"
		return lit
	}
	lit.base = 10
	digitScale := int64(1)
	if isHexFloat(b) {
		lit.base = 16
		digitScale = 4
		i += 2
	}
	hex := lit.base == 16
	for ; i < len(b) && isDigit(b[i], hex); i++ {
		lit.mant = append(lit.mant, b[i])
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && isDigit(b[i], hex); i++ {
			lit.mant = append(lit.mant, b[i])
			lit.scale -= digitScale
		}
	}
	if i < len(b) {
		// An exponent: e or p, an optional sign and digits.
		i++
		expNeg := false
		if b[i] == '+' || b[i] == '-' {
			expNeg = b[i] == '-'
			i++
		}
		var e int64
		for ; i < len(b); i++ {
			if e < maxExponent {
				e = e*10 + int64(b[i]-'0')
			}
		}
		if expNeg {
			e = -e
		}
		lit.scale += e
	}
	return lit
}

// isHexFloat reports whether b, after its sign, starts with "0x".
func isHexFloat(b []byte) bool {
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		b = b[1:]
	}
	return len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')
}

// hasNonZeroMantissa reports whether the mantissa of a literal that
// isStrtodSyntax accepted has a non-zero digit: if so and it parsed as
// zero, it underflowed.
func hasNonZeroMantissa(b []byte) bool {
	lit := splitLiteral(b)
	for _, c := range lit.mant {
		if c != '0' {
			return true
		}
	}
	return false
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
