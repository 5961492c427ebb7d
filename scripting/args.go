package scripting

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Argument checks with Lua 5.1's messages (lauxlib.c), which Redis's
// libraries produce: "bad argument #1 to 'encode' (expected 1 argument)".
// gopher-lua's own checks word them differently.

func argError(L *lua.LState, n int, fname, msg string) {
	L.RaiseError("bad argument #%d to '%s' (%s)", n, fname, msg)
}

// typeName is luaL_typename: "no value" for a missing argument.
func typeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return L.Get(n).Type().String()
}

func typeError(L *lua.LState, n int, fname, want string) {
	argError(L, n, fname, want+" expected, got "+typeName(L, n))
}

// toNumber converts as lua_tonumber: numbers, and strings that read as
// one (decimal or hexadecimal, surrounded by spaces).
func toNumber(v lua.LValue) (float64, bool) {
	switch v := v.(type) {
	case lua.LNumber:
		return float64(v), true
	case lua.LString:
		return parseNumber(string(v))
	}
	return 0, false
}

// parseNumber is Lua 5.1's luaO_str2d: strtod (decimal, hexadecimal,
// inf, nan) after optional spaces, with nothing but spaces after it. C
// reads the string only up to a NUL byte.
func parseNumber(s string) (float64, bool) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	f, n := strtod(s)
	if n == 0 || strings.Trim(s[n:], " \t\n\v\f\r") != "" {
		return 0, false
	}
	return f, true
}

func checkNumber(L *lua.LState, n int, fname string) float64 {
	f, ok := toNumber(L.Get(n))
	if !ok {
		typeError(L, n, fname, "number")
	}
	return f
}

func checkInt(L *lua.LState, n int, fname string) int64 {
	return truncInt(checkNumber(L, n, fname))
}

func optInt(L *lua.LState, n int, fname string, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkInt(L, n, fname)
}

// checkString is luaL_checklstring: strings, and numbers converted.
func checkString(L *lua.LState, n int, fname string) string {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return formatNumber(float64(v))
	}
	typeError(L, n, fname, "string")
	return ""
}

// truncInt converts a Lua number to an integer as C's cast does on x86-64:
// toward zero, with NaN and values out of range becoming the minimum.
func truncInt(f float64) int64 {
	if math.IsNaN(f) || f >= 1<<63 || f < -(1<<63) {
		return math.MinInt64
	}
	return int64(f)
}
