package scripting

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// bit is LuaBitOp 1.0.2: bitwise operations on 32-bit integers, results
// signed.

func openBit(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	unary := map[string]func(uint32) uint32{
		"tobit": func(b uint32) uint32 { return b },
		"bnot":  func(b uint32) uint32 { return ^b },
		"bswap": func(b uint32) uint32 { return b>>24 | b>>8&0xff00 | b&0xff00<<8 | b<<24 },
	}
	for name, op := range unary {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			return pushBits(L, op(bitArg(L, 1, name)))
		}))
	}
	variadic := map[string]func(a, b uint32) uint32{
		"band": func(a, b uint32) uint32 { return a & b },
		"bor":  func(a, b uint32) uint32 { return a | b },
		"bxor": func(a, b uint32) uint32 { return a ^ b },
	}
	for name, op := range variadic {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			b := bitArg(L, 1, name)
			for i := 2; i <= L.GetTop(); i++ {
				b = op(b, bitArg(L, i, name))
			}
			return pushBits(L, b)
		}))
	}
	shifts := map[string]func(b uint32, n uint) uint32{
		"lshift":  func(b uint32, n uint) uint32 { return b << n },
		"rshift":  func(b uint32, n uint) uint32 { return b >> n },
		"arshift": func(b uint32, n uint) uint32 { return uint32(int32(b) >> n) },
		"rol":     func(b uint32, n uint) uint32 { return b<<n | b>>(32-n) },
		"ror":     func(b uint32, n uint) uint32 { return b>>n | b<<(32-n) },
	}
	for name, op := range shifts {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			b := bitArg(L, 1, name)
			n := uint(bitArg(L, 2, name) & 31)
			return pushBits(L, op(b, n))
		}))
	}
	t.RawSetString("tohex", L.NewFunction(bitTohex))
	return t
}

// bitArg converts an argument as LuaBitOp's barg: the number plus 2^52+2^51
// keeps the integer part, rounded to nearest even, in the low 32 bits of
// the double.
func bitArg(L *lua.LState, n int, fname string) uint32 {
	f := checkNumber(L, n, fname)
	return uint32(math.Float64bits(f + 6755399441055744.0))
}

func pushBits(L *lua.LState, b uint32) int {
	L.Push(lua.LNumber(int32(b)))
	return 1
}

func bitTohex(L *lua.LState) int {
	b := bitArg(L, 1, "tohex")
	n := int32(8)
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		n = int32(bitArg(L, 2, "tohex"))
	}
	digits := "0123456789abcdef"
	if n < 0 {
		n = -n
		digits = "0123456789ABCDEF"
	}
	if n > 8 {
		n = 8
	}
	out := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = digits[b&15]
		b >>= 4
	}
	L.Push(lua.LString(out))
	return 1
}
