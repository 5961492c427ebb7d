package scripting

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// strFormat is Lua 5.1's string.format (lstrlib.c str_format), which
// hands each conversion to C's sprintf: gopher-lua's uses Go's fmt, whose
// %g, %x of negative numbers, %q and widths (in runes) differ.
func strFormat(L *lua.LState) int {
	f := checkString(L, 1, "format")
	top := L.GetTop()
	arg := 1
	var b []byte
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b = append(b, f[i])
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			b = append(b, '%')
			continue
		}
		arg++
		if arg > top {
			argError(L, arg, "format", "no value")
		}
		spec, n := scanFormat(L, f[i:])
		i += n
		var verb byte
		if i < len(f) {
			verb = f[i]
		}
		switch verb {
		case 'c':
			c := byte(truncInt32(checkNumber(L, arg, "format")))
			s := ""
			if c != 0 { // Lua takes the strlen of sprintf's output
				s = string([]byte{c})
			}
			b = spec.pad(b, "", s, false)
		case 'd', 'i':
			n := truncInt(checkNumber(L, arg, "format"))
			u := uint64(n)
			if n < 0 {
				u = -u
			}
			b = spec.integer(b, spec.sign(n < 0), strconv.FormatUint(u, 10), "")
		case 'o', 'u', 'x', 'X':
			u := truncUint(checkNumber(L, arg, "format"))
			var digits, prefix string
			switch verb {
			case 'o':
				digits = strconv.FormatUint(u, 8)
				if spec.alt && digits[0] != '0' {
					prefix = "0"
				}
			case 'u':
				digits = strconv.FormatUint(u, 10)
			default:
				digits = strconv.FormatUint(u, 16)
				if spec.alt && u != 0 {
					prefix = "0x"
				}
				if verb == 'X' {
					digits, prefix = strings.ToUpper(digits), strings.ToUpper(prefix)
				}
			}
			b = spec.integer(b, "", digits, prefix)
		case 'e', 'E', 'f', 'g', 'G':
			b = spec.float(b, verb, checkNumber(L, arg, "format"))
		case 'q':
			b = appendQuoted(b, checkString(L, arg, "format"))
		case 's':
			s := checkString(L, arg, "format")
			if spec.prec < 0 && len(s) >= 100 {
				b = append(b, s...) // as Lua: kept whole, width ignored
				break
			}
			if i := strings.IndexByte(s, 0); i >= 0 {
				s = s[:i] // sprintf's %s stops at a NUL
			}
			if spec.prec >= 0 && len(s) > spec.prec {
				s = s[:spec.prec]
			}
			b = spec.pad(b, "", s, false)
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", verb)
		}
	}
	L.Push(lua.LString(b))
	return 1
}

// formatSpec is one conversion's flags, width and precision (-1: none).
type formatSpec struct {
	minus, plus, space, alt, zero bool
	width, prec                   int
}

// scanFormat parses the flags, width and precision of a conversion with
// Lua 5.1's limits (scanformat): at most five flags, two digits each for
// width and precision, which also keeps a script from asking for a
// gigabyte of padding. It returns the spec and the bytes it took.
func scanFormat(L *lua.LState, f string) (formatSpec, int) {
	spec := formatSpec{prec: -1}
	i := 0
	for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
		switch f[i] {
		case '-':
			spec.minus = true
		case '+':
			spec.plus = true
		case ' ':
			spec.space = true
		case '#':
			spec.alt = true
		case '0':
			spec.zero = true
		}
		i++
	}
	if i > 5 {
		L.RaiseError("invalid format (repeated flags)")
	}
	digits := func() (int, bool) {
		start := i
		for i < len(f) && isDigit(f[i]) {
			i++
		}
		if i-start > 2 {
			L.RaiseError("invalid format (width or precision too long)")
		}
		n, _ := strconv.Atoi(f[start:i])
		return n, i > start
	}
	spec.width, _ = digits()
	if i < len(f) && f[i] == '.' {
		i++
		spec.prec, _ = digits()
	}
	return spec, i
}

// sign is what a signed conversion writes before its digits.
func (s formatSpec) sign(neg bool) string {
	switch {
	case neg:
		return "-"
	case s.plus:
		return "+"
	case s.space:
		return " "
	}
	return ""
}

// pad writes sign and body padded to the width: with zeros after the sign
// when zeros is set, else with spaces on the left (or right with '-').
func (s formatSpec) pad(b []byte, sign, body string, zeros bool) []byte {
	fill := s.width - len(sign) - len(body)
	switch {
	case fill <= 0:
		return append(append(b, sign...), body...)
	case s.minus:
		b = append(append(b, sign...), body...)
		return append(b, strings.Repeat(" ", fill)...)
	case zeros:
		b = append(append(b, sign...), strings.Repeat("0", fill)...)
		return append(b, body...)
	}
	b = append(b, strings.Repeat(" ", fill)...)
	return append(append(b, sign...), body...)
}

// integer writes an integer conversion: the precision is the least number
// of digits (and turns the '0' flag off), a zero with precision 0 prints
// nothing.
func (s formatSpec) integer(b []byte, sign, digits, prefix string) []byte {
	if s.prec >= 0 {
		if digits == "0" && s.prec == 0 {
			digits = ""
			if prefix == "0" { // %#.0o of 0 is "0"
				digits, prefix = "0", ""
			}
		}
		if n := s.prec - len(digits); n > 0 {
			digits = strings.Repeat("0", n) + digits
			if prefix == "0" {
				prefix = ""
			}
		}
	}
	return s.pad(b, sign+prefix, digits, s.zero && s.prec < 0)
}

// float writes %e, %f and %g as glibc does, infinities and NaNs included
// (0/0 is a NaN with its sign bit set: "-nan").
func (s formatSpec) float(b []byte, verb byte, f float64) []byte {
	sign := s.sign(math.Signbit(f))
	upper := verb == 'E' || verb == 'G'
	if math.IsInf(f, 0) || math.IsNaN(f) {
		body := "inf"
		if math.IsNaN(f) {
			body = "nan"
		}
		if upper {
			body = strings.ToUpper(body)
		}
		return s.pad(b, sign, body, false)
	}
	prec := s.prec
	if prec < 0 {
		prec = 6
	}
	f = math.Abs(f)
	var body string
	switch verb | 0x20 {
	case 'e':
		body = strconv.FormatFloat(f, 'e', prec, 64)
	case 'f':
		body = strconv.FormatFloat(f, 'f', prec, 64)
	default:
		body = formatGeneral(f, prec, s.alt)
	}
	if s.alt && verb|0x20 != 'g' {
		body = withPoint(body)
	}
	if upper {
		body = strings.ToUpper(body)
	}
	return s.pad(b, sign, body, s.zero)
}

// formatGeneral is C's %g of a finite, non-negative f: %e if the exponent
// is below -4 or not below the precision, else %f, then without trailing
// zeros unless alt ('#').
func formatGeneral(f float64, prec int, alt bool) string {
	if prec == 0 {
		prec = 1
	}
	e := strconv.FormatFloat(f, 'e', prec-1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	var body string
	if exp < -4 || exp >= prec {
		body = e
	} else {
		body = strconv.FormatFloat(f, 'f', prec-1-exp, 64)
	}
	if alt {
		return withPoint(body)
	}
	mant, expPart := body, ""
	if i := strings.IndexByte(body, 'e'); i >= 0 {
		mant, expPart = body[:i], body[i:]
	}
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	return mant + expPart
}

// withPoint is the '#' flag's rule: the mantissa always has a decimal point.
func withPoint(body string) string {
	if strings.IndexByte(body, '.') >= 0 {
		return body
	}
	i := strings.IndexByte(body, 'e')
	if i < 0 {
		i = len(body)
	}
	return body[:i] + "." + body[i:]
}

// appendQuoted is %q (addquoted): quotes, backslashes and newlines escaped
// with a backslash, \r as "\r", NUL as "\000", other bytes as they are.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '\n':
			b = append(b, '\\', c)
		case '\r':
			b = append(b, '\\', 'r')
		case 0:
			b = append(b, '\\', '0', '0', '0')
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// truncUint converts as C's (unsigned long) cast compiled for x86-64:
// below 2^63 (NaN included) through the signed conversion, above it by
// subtracting 2^63 first, so that 2^64 and beyond wrap to 0.
func truncUint(f float64) uint64 {
	if !(f >= 1<<63) {
		return uint64(truncInt(f))
	}
	return uint64(truncInt(f-(1<<63))) ^ 1<<63
}

// truncInt32 converts as C's (int) cast on x86-64: out of range and NaN
// become the minimum.
func truncInt32(f float64) int32 {
	if math.IsNaN(f) || f >= 1<<31 || f < -(1<<31) {
		return math.MinInt32
	}
	return int32(f)
}
