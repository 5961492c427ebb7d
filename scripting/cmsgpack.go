package scripting

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// cmsgpack is lua-cmsgpack 0.4.0 as Redis ships it: MessagePack with the
// encodings that library picks (smallest integer form, float32 when the
// value survives it, tables as arrays when their keys are exactly 1..n).

// msgpackMaxNesting is how deep tables are encoded; deeper ones become nil.
const msgpackMaxNesting = 16

func openCmsgpack(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	for name, fn := range map[string]lua.LGFunction{
		"pack": msgpackPack, "unpack": msgpackUnpack, "unpack_one": msgpackUnpackOne,
		"unpack_limit": msgpackUnpackLimit,
	} {
		t.RawSetString(name, L.NewFunction(fn))
	}
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

func msgpackPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		argError(L, 0, "pack", "MessagePack pack needs input.")
	}
	var buf []byte
	for i := 1; i <= n; i++ {
		buf = msgpackEncode(buf, L.Get(i), 0)
	}
	L.Push(lua.LString(buf))
	return 1
}

func msgpackEncode(buf []byte, v lua.LValue, level int) []byte {
	switch v := v.(type) {
	case lua.LString:
		return msgpackString(buf, string(v))
	case lua.LBool:
		if v {
			return append(buf, 0xc3)
		}
		return append(buf, 0xc2)
	case lua.LNumber:
		f := float64(v)
		if !math.IsInf(f, 0) && !math.IsNaN(f) && f >= -(1<<63) && f < 1<<63 && float64(int64(f)) == f {
			return msgpackInt(buf, int64(f))
		}
		if float64(float32(f)) == f {
			buf = append(buf, 0xca)
			return binary.BigEndian.AppendUint32(buf, math.Float32bits(float32(f)))
		}
		buf = append(buf, 0xcb)
		return binary.BigEndian.AppendUint64(buf, math.Float64bits(f))
	case *lua.LTable:
		if level >= msgpackMaxNesting {
			return append(buf, 0xc0)
		}
		if n, ok := msgpackArrayLen(v); ok {
			buf = msgpackHeader(buf, n, 0x90, 0xdc, 0xdd)
			for i := 1; i <= n; i++ {
				buf = msgpackEncode(buf, v.RawGetInt(i), level+1)
			}
			return buf
		}
		n := 0
		forEach(v, func(_, _ lua.LValue) bool { n++; return true })
		buf = msgpackHeader(buf, n, 0x80, 0xde, 0xdf)
		forEach(v, func(k, val lua.LValue) bool {
			buf = msgpackEncode(buf, k, level+1)
			buf = msgpackEncode(buf, val, level+1)
			return true
		})
		return buf
	}
	return append(buf, 0xc0)
}

// msgpackArrayLen is table_is_an_array: every key a positive integer and
// the largest equal to their number, which is the array's length.
func msgpackArrayLen(t *lua.LTable) (int, bool) {
	max, count := 0.0, 0.0
	ok := true
	forEach(t, func(k, _ lua.LValue) bool {
		n, isNum := k.(lua.LNumber)
		if !isNum || n <= 0 || float64(n) != math.Trunc(float64(n)) {
			ok = false
			return false
		}
		max = math.Max(max, float64(n))
		count++
		return true
	})
	return int(count), ok && max == count
}

func msgpackHeader(buf []byte, n int, fix, b16, b32 byte) []byte {
	switch {
	case n <= 15:
		return append(buf, fix|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(buf, b16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(buf, b32), uint32(n))
}

func msgpackString(buf []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		buf = append(buf, 0xa0|byte(n))
	case n <= 0xff:
		buf = append(buf, 0xd9, byte(n))
	case n <= 0xffff:
		buf = binary.BigEndian.AppendUint16(append(buf, 0xda), uint16(n))
	default:
		buf = binary.BigEndian.AppendUint32(append(buf, 0xdb), uint32(n))
	}
	return append(buf, s...)
}

func msgpackInt(buf []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n <= 127:
			return append(buf, byte(n))
		case n <= 0xff:
			return append(buf, 0xcc, byte(n))
		case n <= 0xffff:
			return binary.BigEndian.AppendUint16(append(buf, 0xcd), uint16(n))
		case n <= 0xffffffff:
			return binary.BigEndian.AppendUint32(append(buf, 0xce), uint32(n))
		}
		return binary.BigEndian.AppendUint64(append(buf, 0xcf), uint64(n))
	}
	switch {
	case n >= -32:
		return append(buf, byte(n))
	case n >= -128:
		return append(buf, 0xd0, byte(n))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(buf, 0xd1), uint16(n))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(buf, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(buf, 0xd3), uint64(n))
}

func msgpackUnpack(L *lua.LState) int { return msgpackUnpackFull(L, 0, 0) }

func msgpackUnpackOne(L *lua.LState) int {
	offset := optInt(L, 2, "unpack_one", 0)
	L.SetTop(1)
	return msgpackUnpackFull(L, 1, offset)
}

func msgpackUnpackLimit(L *lua.LState) int {
	limit := checkInt(L, 2, "unpack_limit")
	offset := optInt(L, 3, "unpack_limit", 0)
	L.SetTop(1)
	return msgpackUnpackFull(L, limit, offset)
}

// msgpackUnpackFull decodes up to limit objects (all when limit and offset
// are 0) from offset. With a limit, the offset to continue from comes
// first (-1 once everything is read).
func msgpackUnpackFull(L *lua.LState, limit, offset int64) int {
	s := checkString(L, 1, "unpack")
	all := limit == 0 && offset == 0
	if offset < 0 || limit < 0 {
		L.RaiseError("Invalid request to unpack with offset of %d and limit of %d.", offset, len(s))
	}
	if offset > int64(len(s)) {
		L.RaiseError("Start offset %d greater than input length %d.", offset, len(s))
	}
	if all {
		limit = math.MaxInt32
	}
	d := msgpackDecoder{L: L, b: []byte(s[offset:])}
	var out []lua.LValue
	for n := int64(0); d.pos < len(d.b) && n < limit; n++ {
		v, err := d.value()
		switch err {
		case errMsgpackEOF:
			L.RaiseError("Missing bytes in input.")
		case errMsgpackFormat:
			L.RaiseError("Bad data format in input.")
		}
		out = append(out, v)
	}
	if !all {
		next := lua.LNumber(int64(len(s)) - int64(len(d.b)-d.pos))
		if d.pos == len(d.b) {
			next = -1
		}
		L.Push(next)
	}
	for _, v := range out {
		L.Push(v)
	}
	if !all {
		return len(out) + 1
	}
	return len(out)
}

type msgpackError int

const (
	errMsgpackEOF msgpackError = iota + 1
	errMsgpackFormat
)

func (e msgpackError) Error() string {
	if e == errMsgpackEOF {
		return "Missing bytes in input."
	}
	return "Bad data format in input."
}

type msgpackDecoder struct {
	L   *lua.LState
	b   []byte
	pos int
}

func (d *msgpackDecoder) take(n int) ([]byte, error) {
	if n < 0 || len(d.b)-d.pos < n {
		return nil, errMsgpackEOF
	}
	p := d.b[d.pos : d.pos+n]
	d.pos += n
	return p, nil
}

func (d *msgpackDecoder) uint(n int) (uint64, error) {
	p, err := d.take(n)
	if err != nil {
		return 0, err
	}
	var v uint64
	for _, c := range p {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

func (d *msgpackDecoder) value() (lua.LValue, error) {
	p, err := d.take(1)
	if err != nil {
		return nil, err
	}
	c := p[0]
	switch {
	case c <= 0x7f:
		return lua.LNumber(c), nil
	case c >= 0xe0:
		return lua.LNumber(int8(c)), nil
	case c&0xe0 == 0xa0:
		return d.str(int(c & 0x1f))
	case c&0xf0 == 0x90:
		return d.array(int(c & 0x0f))
	case c&0xf0 == 0x80:
		return d.table(int(c & 0x0f))
	}
	switch c {
	case 0xc0:
		return lua.LNil, nil
	case 0xc2:
		return lua.LFalse, nil
	case 0xc3:
		return lua.LTrue, nil
	case 0xca:
		v, err := d.uint(4)
		return lua.LNumber(math.Float32frombits(uint32(v))), err
	case 0xcb:
		v, err := d.uint(8)
		return lua.LNumber(math.Float64frombits(v)), err
	case 0xcc, 0xcd, 0xce:
		v, err := d.uint(1 << (c - 0xcc))
		return lua.LNumber(v), err
	case 0xcf:
		// lua-cmsgpack reads a uint64 as a signed integer.
		v, err := d.uint(8)
		return lua.LNumber(int64(v)), err
	case 0xd0:
		v, err := d.uint(1)
		return lua.LNumber(int8(v)), err
	case 0xd1:
		v, err := d.uint(2)
		return lua.LNumber(int16(v)), err
	case 0xd2:
		v, err := d.uint(4)
		return lua.LNumber(int32(v)), err
	case 0xd3:
		v, err := d.uint(8)
		return lua.LNumber(int64(v)), err
	case 0xd9, 0xda, 0xdb:
		n, err := d.uint(1 << (c - 0xd9))
		if err != nil {
			return nil, err
		}
		return d.str(int(n))
	case 0xdc, 0xdd:
		n, err := d.uint(2 << (c - 0xdc))
		if err != nil {
			return nil, err
		}
		return d.array(int(n))
	case 0xde, 0xdf:
		n, err := d.uint(2 << (c - 0xde))
		if err != nil {
			return nil, err
		}
		return d.table(int(n))
	}
	return nil, errMsgpackFormat
}

func (d *msgpackDecoder) str(n int) (lua.LValue, error) {
	p, err := d.take(n)
	if err != nil {
		return nil, err
	}
	return lua.LString(p), nil
}

func (d *msgpackDecoder) array(n int) (lua.LValue, error) {
	if n > len(d.b)-d.pos {
		return nil, errMsgpackEOF
	}
	t := d.L.CreateTable(n, 0)
	for i := 1; i <= n; i++ {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		t.RawSetInt(i, v)
	}
	return t, nil
}

func (d *msgpackDecoder) table(n int) (lua.LValue, error) {
	if n > len(d.b)-d.pos {
		return nil, errMsgpackEOF
	}
	t := d.L.NewTable()
	for i := 0; i < n; i++ {
		k, err := d.value()
		if err != nil {
			return nil, err
		}
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		if k == lua.LNil {
			d.L.Error(lua.LString("table index is nil"), 0)
		}
		t.RawSet(k, v)
	}
	return t, nil
}
