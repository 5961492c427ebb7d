package scripting

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// cjson is lua-cjson 2.1.0 as Redis ships it: JSON encoding with Lua's
// array/object rules and its exact error messages.

// cjsonConfig is one cjson module's settings (cjson.new() makes another).
type cjsonConfig struct {
	sparseConvert  bool
	sparseRatio    int64
	sparseSafe     int64
	encodeMaxDepth int64
	decodeMaxDepth int64
	precision      int64
	// encodeInvalid is 0 (refuse NaN and Inf), 1 (write them as
	// inf/nan) or 2 (write null).
	encodeInvalid int
	decodeInvalid bool
	keepBuffer    bool
}

func defaultCjsonConfig() *cjsonConfig {
	return &cjsonConfig{sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
		precision: 14, decodeInvalid: true, keepBuffer: true}
}

// cjsonNull is cjson.null, a NULL light userdata in lua-cjson.
func cjsonNull(L *lua.LState) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = nil
	return ud
}

func openCjson(L *lua.LState) *lua.LTable {
	return newCjson(L, defaultCjsonConfig(), cjsonNull(L))
}

func newCjson(L *lua.LState, cfg *cjsonConfig, null *lua.LUserData) *lua.LTable {
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int { return cjsonEncode(L, cfg, null) },
		"decode": func(L *lua.LState) int { return cjsonDecode(L, cfg, null) },
		"new": func(L *lua.LState) int {
			L.Push(newCjson(L, defaultCjsonConfig(), null))
			return 1
		},
		"encode_sparse_array": func(L *lua.LState) int {
			if L.GetTop() >= 1 {
				cfg.sparseConvert = lua.LVAsBool(L.Get(1))
			}
			if L.GetTop() >= 2 {
				cfg.sparseRatio = checkRange(L, 2, "encode_sparse_array", 0, math.MaxInt32)
			}
			if L.GetTop() >= 3 {
				cfg.sparseSafe = checkRange(L, 3, "encode_sparse_array", 0, math.MaxInt32)
			}
			L.Push(lua.LBool(cfg.sparseConvert))
			L.Push(lua.LNumber(cfg.sparseRatio))
			L.Push(lua.LNumber(cfg.sparseSafe))
			return 3
		},
		"encode_max_depth":        intSetting(&cfg.encodeMaxDepth, "encode_max_depth", 1, math.MaxInt32),
		"decode_max_depth":        intSetting(&cfg.decodeMaxDepth, "decode_max_depth", 1, math.MaxInt32),
		"encode_number_precision": intSetting(&cfg.precision, "encode_number_precision", 1, 14),
		"encode_keep_buffer":      boolSetting(&cfg.keepBuffer),
		"decode_invalid_numbers":  boolSetting(&cfg.decodeInvalid),
		"encode_invalid_numbers": func(L *lua.LState) int {
			if L.GetTop() >= 1 {
				switch v := L.Get(1); {
				case v == lua.LString("null"):
					cfg.encodeInvalid = 2
				case lua.LVAsBool(v):
					cfg.encodeInvalid = 1
				default:
					cfg.encodeInvalid = 0
				}
			}
			switch cfg.encodeInvalid {
			case 1:
				L.Push(lua.LTrue)
			case 2:
				L.Push(lua.LString("null"))
			default:
				L.Push(lua.LFalse)
			}
			return 1
		},
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	t.RawSetString("null", null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

func checkRange(L *lua.LState, n int, fname string, lo, hi int64) int64 {
	v := checkInt(L, n, fname)
	if v < lo || v > hi {
		argError(L, n, fname, "expected integer between "+strconv.FormatInt(lo, 10)+" and "+strconv.FormatInt(hi, 10))
	}
	return v
}

func intSetting(p *int64, fname string, lo, hi int64) lua.LGFunction {
	return func(L *lua.LState) int {
		if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
			*p = checkRange(L, 1, fname, lo, hi)
		}
		L.Push(lua.LNumber(*p))
		return 1
	}
}

func boolSetting(p *bool) lua.LGFunction {
	return func(L *lua.LState) int {
		if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
			*p = lua.LVAsBool(L.Get(1))
		}
		L.Push(lua.LBool(*p))
		return 1
	}
}

func cjsonEncode(L *lua.LState, cfg *cjsonConfig, null *lua.LUserData) int {
	if L.GetTop() != 1 {
		argError(L, 1, "encode", "expected 1 argument")
	}
	e := jsonEncoder{L: L, cfg: cfg, null: null}
	e.value(L.Get(1), 0)
	L.Push(lua.LString(e.buf))
	return 1
}

type jsonEncoder struct {
	L    *lua.LState
	cfg  *cjsonConfig
	null *lua.LUserData
	buf  []byte
}

func (e *jsonEncoder) fail(v lua.LValue, reason string) {
	e.L.RaiseError("Cannot serialise %s: %s", v.Type().String(), reason)
}

func (e *jsonEncoder) value(v lua.LValue, depth int64) {
	switch v := v.(type) {
	case lua.LString:
		e.buf = appendJSONString(e.buf, string(v))
	case lua.LNumber:
		e.number(v)
	case lua.LBool:
		if v {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case *lua.LNilType:
		e.buf = append(e.buf, "null"...)
	case *lua.LTable:
		depth++
		if depth > e.cfg.encodeMaxDepth {
			e.L.RaiseError("Cannot serialise, excessive nesting (%d)", depth)
		}
		if n := e.arrayLength(v); n > 0 {
			e.array(v, n, depth)
		} else {
			e.object(v, depth)
		}
	case *lua.LUserData:
		if v == e.null || v.Value == nil {
			e.buf = append(e.buf, "null"...)
			return
		}
		e.fail(v, "type not supported")
	default:
		e.fail(v, "type not supported")
	}
}

func (e *jsonEncoder) number(v lua.LNumber) {
	f := float64(v)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		switch e.cfg.encodeInvalid {
		case 0:
			e.fail(v, "must not be NaN or Inf")
		case 2:
			e.buf = append(e.buf, "null"...)
			return
		}
		if math.IsNaN(f) {
			e.buf = append(e.buf, "nan"...)
			return
		}
	}
	e.buf = append(e.buf, formatG(f, int(e.cfg.precision))...)
}

// arrayLength is lua_array_length: the largest key of a table whose keys
// are all positive integers, -1 for any other table, and an error (or -1
// with encode_sparse_array(true)) for an excessively sparse array.
func (e *jsonEncoder) arrayLength(t *lua.LTable) int {
	max, items := 0.0, 0.0
	sparse := false
	forEach(t, func(k, _ lua.LValue) bool {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) < 1 || math.Floor(float64(n)) != float64(n) {
			max = -1
			return false
		}
		if float64(n) > max {
			max = float64(n)
		}
		items++
		return true
	})
	if max < 0 {
		return -1
	}
	ratio, safe := float64(e.cfg.sparseRatio), float64(e.cfg.sparseSafe)
	if ratio > 0 && max > items*ratio && max > safe {
		sparse = true
	}
	if sparse {
		if !e.cfg.sparseConvert {
			e.fail(t, "excessively sparse array")
		}
		return -1
	}
	return int(max)
}

func (e *jsonEncoder) array(t *lua.LTable, n int, depth int64) {
	e.buf = append(e.buf, '[')
	for i := 1; i <= n; i++ {
		if i > 1 {
			e.buf = append(e.buf, ',')
		}
		e.value(t.RawGetInt(i), depth)
	}
	e.buf = append(e.buf, ']')
}

func (e *jsonEncoder) object(t *lua.LTable, depth int64) {
	e.buf = append(e.buf, '{')
	first := true
	forEach(t, func(k, v lua.LValue) bool {
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		switch k := k.(type) {
		case lua.LString:
			e.buf = appendJSONString(e.buf, string(k))
		case lua.LNumber:
			e.buf = append(e.buf, '"')
			e.number(k)
			e.buf = append(e.buf, '"')
		default:
			e.fail(k, "table key must be a number or string")
		}
		e.buf = append(e.buf, ':')
		e.value(v, depth)
		return true
	})
	e.buf = append(e.buf, '}')
}

// appendJSONString appends s quoted with lua-cjson's escapes: control
// characters, DEL, '"', '\' and '/'. Other bytes pass through, UTF-8 or
// not.
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '/':
			dst = append(dst, '\\', '/')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c < 0x20 || c == 0x7f {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

// formatG formats f as C's "%.<prec>g".
func formatG(f float64, prec int) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return formatNumber(f) // glibc's spelling, whatever the precision
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// JSON decoding, following lua-cjson's tokenizer and its messages.

type jsonToken int

const (
	tObjBegin jsonToken = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tWhitespace
	tError
	tUnknown
)

var jsonTokenNames = [...]string{
	"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING", "T_NUMBER", "T_BOOLEAN",
	"T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR", "T_UNKNOWN",
}

type token struct {
	typ   jsonToken
	index int // 0-based offset of the token
	str   string
	num   float64
	b     bool
	err   string // what was found, for T_ERROR
}

type jsonDecoder struct {
	L     *lua.LState
	cfg   *cjsonConfig
	null  *lua.LUserData
	data  string
	pos   int
	depth int64
}

func cjsonDecode(L *lua.LState, cfg *cjsonConfig, null *lua.LUserData) int {
	if L.GetTop() != 1 {
		argError(L, 1, "decode", "expected 1 argument")
	}
	d := jsonDecoder{L: L, cfg: cfg, null: null, data: checkString(L, 1, "decode")}
	tok := d.next()
	v := d.value(tok)
	if tok = d.next(); tok.typ != tEnd {
		d.fail("the end", tok)
	}
	L.Push(v)
	return 1
}

// at returns the byte at i, or NUL past the end: lua-cjson reads a
// NUL-terminated buffer, so an embedded NUL also ends the input.
func (d *jsonDecoder) at(i int) byte {
	if i < len(d.data) {
		return d.data[i]
	}
	return 0
}

func (d *jsonDecoder) fail(expected string, tok token) {
	found := tok.err
	if tok.typ != tError {
		found = jsonTokenNames[tok.typ]
	}
	d.L.RaiseError("Expected %s but found %s at character %d", expected, found, tok.index+1)
}

func (d *jsonDecoder) errorToken(msg string) token {
	return token{typ: tError, index: d.pos, err: msg}
}

func (d *jsonDecoder) next() token {
	for {
		c := d.at(d.pos)
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			break
		}
		d.pos++
	}
	c := d.at(d.pos)
	tok := token{index: d.pos}
	switch c {
	case 0:
		tok.typ = tEnd
		return tok
	case '{':
		tok.typ = tObjBegin
	case '}':
		tok.typ = tObjEnd
	case '[':
		tok.typ = tArrBegin
	case ']':
		tok.typ = tArrEnd
	case ':':
		tok.typ = tColon
	case ',':
		tok.typ = tComma
	case '"':
		return d.stringToken()
	default:
		return d.otherToken(c)
	}
	d.pos++
	return tok
}

func (d *jsonDecoder) otherToken(c byte) token {
	rest := d.data[d.pos:]
	switch {
	case c == '-' || isDigit(c):
		if !d.cfg.decodeInvalid && d.invalidNumber() {
			return d.errorToken("invalid number")
		}
		return d.numberToken()
	case strings.HasPrefix(rest, "true"):
		d.pos += 4
		return token{typ: tBoolean, index: d.pos - 4, b: true}
	case strings.HasPrefix(rest, "false"):
		d.pos += 5
		return token{typ: tBoolean, index: d.pos - 5}
	case strings.HasPrefix(rest, "null"):
		d.pos += 4
		return token{typ: tNull, index: d.pos - 4}
	case d.cfg.decodeInvalid && d.invalidNumber():
		return d.numberToken()
	}
	return d.errorToken("invalid token")
}

// invalidNumber is json_is_invalid_number: numbers JSON does not allow but
// strtod reads (a leading +, hex, leading zeros, inf, nan).
func (d *jsonDecoder) invalidNumber() bool {
	p := d.pos
	if d.at(p) == '+' {
		return true
	}
	if d.at(p) == '-' {
		p++
	}
	if c := d.at(p); c == '0' {
		c2 := d.at(p + 1)
		return c2|0x20 == 'x' || isDigit(c2)
	} else if c <= '9' {
		return false
	}
	rest := d.data[min(p, len(d.data)):]
	return hasPrefixFold(rest, "inf") || hasPrefixFold(rest, "nan")
}

func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if s[i]|0x20 != p[i] {
			return false
		}
	}
	return true
}

func (d *jsonDecoder) numberToken() token {
	f, n := strtod(d.data[d.pos:])
	if n == 0 {
		return d.errorToken("invalid number")
	}
	tok := token{typ: tNumber, index: d.pos, num: f}
	d.pos += n
	return tok
}

func (d *jsonDecoder) stringToken() token {
	start := d.pos
	d.pos++
	var out []byte
	for {
		c := d.at(d.pos)
		if c == '"' {
			break
		}
		if c == 0 {
			return d.errorToken("unexpected end of string")
		}
		if c == '\\' {
			switch esc := d.at(d.pos + 1); esc {
			case '"', '\\', '/':
				c = esc
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'u':
				var ok bool
				if out, ok = d.unicodeEscape(out); !ok {
					return d.errorToken("invalid unicode escape code")
				}
				continue
			default:
				return d.errorToken("invalid escape code")
			}
			d.pos++
		}
		out = append(out, c)
		d.pos++
	}
	d.pos++
	return token{typ: tString, index: start, str: string(out)}
}

// unicodeEscape decodes \uXXXX (and a following low surrogate) at pos
// into UTF-8.
func (d *jsonDecoder) unicodeEscape(out []byte) ([]byte, bool) {
	cp := d.hex4(d.pos + 2)
	if cp < 0 {
		return out, false
	}
	n := 6
	if cp&0xF800 == 0xD800 {
		if cp&0x400 != 0 || d.at(d.pos+6) != '\\' || d.at(d.pos+7) != 'u' {
			return out, false
		}
		low := d.hex4(d.pos + 8)
		if low < 0 || low&0xFC00 != 0xDC00 {
			return out, false
		}
		cp = ((cp&0x3FF)<<10 | low&0x3FF) + 0x10000
		n = 12
	}
	d.pos += n
	return utf8.AppendRune(out, rune(cp)), true
}

func (d *jsonDecoder) hex4(p int) int {
	v := 0
	for i := 0; i < 4; i++ {
		c := d.at(p + i)
		if !isHex(c) {
			return -1
		}
		v = v<<4 | hexVal(c)
	}
	return v
}

func (d *jsonDecoder) value(tok token) lua.LValue {
	switch tok.typ {
	case tString:
		return lua.LString(tok.str)
	case tNumber:
		return lua.LNumber(tok.num)
	case tBoolean:
		return lua.LBool(tok.b)
	case tNull:
		return d.null
	case tObjBegin:
		return d.object()
	case tArrBegin:
		return d.array()
	}
	d.fail("value", tok)
	return nil
}

func (d *jsonDecoder) descend() {
	d.depth++
	if d.depth > d.cfg.decodeMaxDepth {
		d.L.RaiseError("Found too many nested data structures (%d) at character %d", d.depth, d.pos)
	}
}

func (d *jsonDecoder) object() lua.LValue {
	d.descend()
	t := d.L.NewTable()
	tok := d.next()
	if tok.typ == tObjEnd {
		d.depth--
		return t
	}
	for {
		if tok.typ != tString {
			d.fail("object key string", tok)
		}
		key := lua.LString(tok.str)
		if tok = d.next(); tok.typ != tColon {
			d.fail("colon", tok)
		}
		t.RawSet(key, d.value(d.next()))
		tok = d.next()
		if tok.typ == tObjEnd {
			d.depth--
			return t
		}
		if tok.typ != tComma {
			d.fail("comma or object end", tok)
		}
		tok = d.next()
	}
}

func (d *jsonDecoder) array() lua.LValue {
	d.descend()
	t := d.L.NewTable()
	tok := d.next()
	if tok.typ == tArrEnd {
		d.depth--
		return t
	}
	for i := 1; ; i++ {
		t.RawSetInt(i, d.value(tok))
		tok = d.next()
		if tok.typ == tArrEnd {
			d.depth--
			return t
		}
		if tok.typ != tComma {
			d.fail("comma or array end", tok)
		}
		tok = d.next()
	}
}

// cNaN is the NaN glibc's strtod returns for "nan": quiet, with no
// payload. Go's math.NaN() has a payload bit set, which the bit library's
// conversion (bit.tobit(tonumber("nan"))) would show.
var cNaN = math.Float64frombits(0x7ff8000000000000)

// strtod reads the longest prefix of s that C's strtod accepts (decimal,
// hexadecimal, inf, infinity, nan) and returns its value and length; 0
// when there is none.
func strtod(s string) (float64, int) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	sign := func(f float64) float64 {
		if neg {
			return -f
		}
		return f
	}
	rest := s[i:]
	switch {
	case hasPrefixFold(rest, "infinity"):
		return sign(math.Inf(1)), i + 8
	case hasPrefixFold(rest, "inf"):
		return sign(math.Inf(1)), i + 3
	case hasPrefixFold(rest, "nan"):
		n := i + 3
		if n < len(s) && s[n] == '(' {
			j := n + 1
			for j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
				j++
			}
			if j < len(s) && s[j] == ')' {
				n = j + 1
			}
		}
		return sign(cNaN), n
	case len(rest) > 2 && rest[0] == '0' && rest[1]|0x20 == 'x' && isHex(rest[2]):
		return strtodHex(s[:i], rest)
	}
	start := i
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if i < len(s) && s[i]|0x20 == 'e' {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	f, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil && !isRangeErr(err) {
		return 0, 0
	}
	return sign(f), i
}

// strtodHex reads a hexadecimal number (with an optional fraction and
// binary exponent) after its sign.
func strtodHex(signPart, s string) (float64, int) {
	i := 2
	mant := 0.0
	for i < len(s) && isHex(s[i]) {
		mant = mant*16 + float64(hexVal(s[i]))
		i++
	}
	scale := 0
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isHex(s[i]) {
			mant = mant*16 + float64(hexVal(s[i]))
			scale -= 4
			i++
		}
	}
	if i < len(s) && s[i]|0x20 == 'p' {
		j := i + 1
		neg := false
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			neg = s[j] == '-'
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			e := 0
			for j < len(s) && isDigit(s[j]) {
				if e < 100000 {
					e = e*10 + int(s[j]-'0')
				}
				j++
			}
			if neg {
				e = -e
			}
			scale += e
			i = j
		}
	}
	f := math.Ldexp(mant, scale)
	if signPart == "-" {
		f = -f
	}
	return f, len(signPart) + i
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }
func isAlnum(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }

func hexVal(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return int(c|0x20-'a') + 10
}

// forEach visits a table's pairs in next() order, which, unlike
// LTable.ForEach's, is the same on every call; fn returns false to stop.
func forEach(t *lua.LTable, fn func(k, v lua.LValue) bool) {
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		if !fn(k, v) {
			return
		}
	}
}
