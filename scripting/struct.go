package scripting

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// struct is Roberto Ierusalimschy's lua-struct as Redis ships it: packing
// and unpacking of C structures on x86-64 (little-endian native order;
// short 2 bytes, int 4, long and size_t 8; alignment up to 8).

const (
	structMaxIntSize = 32
	structMaxAlign   = 8
)

func openStruct(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	return t
}

// structFormat walks a format string.
type structFormat struct {
	L      *lua.LState
	fname  string
	fmt    string
	pos    int
	little bool
	align  int
}

func newStructFormat(L *lua.LState, fname string) *structFormat {
	return &structFormat{L: L, fname: fname, fmt: checkString(L, 1, fname), little: true, align: 1}
}

func (f *structFormat) more() bool { return f.pos < len(f.fmt) && f.fmt[f.pos] != 0 }

func (f *structFormat) num(def int) int {
	if f.pos >= len(f.fmt) || !isDigit(f.fmt[f.pos]) {
		return def
	}
	a := 0
	for f.pos < len(f.fmt) && isDigit(f.fmt[f.pos]) {
		d := int(f.fmt[f.pos] - '0')
		if a > (math.MaxInt32-d)/10 {
			f.L.RaiseError("integral size overflow")
		}
		a = a*10 + d
		f.pos++
	}
	return a
}

// option reads the next option and its size.
func (f *structFormat) option() (byte, int) {
	opt := f.fmt[f.pos]
	f.pos++
	switch opt {
	case 'B', 'b', 'x':
		return opt, 1
	case 'H', 'h':
		return opt, 2
	case 'L', 'l', 'T', 'd':
		return opt, 8
	case 'f':
		return opt, 4
	case 'c':
		return opt, f.num(1)
	case 'i', 'I':
		sz := f.num(4)
		if sz > structMaxIntSize {
			f.L.RaiseError("integral size %d is larger than limit of %d", sz, structMaxIntSize)
		}
		return opt, sz
	}
	return opt, 0
}

// byteOrder reads and appends in one byte order.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// order is the byte order floats are packed in.
func (f *structFormat) order() byteOrder {
	if f.little {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// toAlign is how many bytes align an item of size at offset.
func (f *structFormat) toAlign(offset int, opt byte, size int) int {
	if size == 0 || opt == 'c' {
		return 0
	}
	if size > f.align {
		size = f.align
	}
	return (size - (offset & (size - 1))) & (size - 1)
}

// control handles the options that change endianness and alignment.
func (f *structFormat) control(opt byte) {
	switch opt {
	case ' ':
	case '>':
		f.little = false
	case '<':
		f.little = true
	case '!':
		a := f.num(structMaxAlign)
		if a <= 0 || a&(a-1) != 0 {
			f.L.RaiseError("alignment %d is not a power of 2", a)
		}
		f.align = a
	default:
		argError(f.L, 1, f.fname, "invalid format option '"+string(opt)+"'")
	}
}

func isIntOption(opt byte) bool { return strings.IndexByte("bBhHlLTiI", opt) >= 0 }

func structPack(L *lua.LState) int {
	f := newStructFormat(L, "pack")
	// lua-struct pushes a nil before its buffer: the first missing
	// argument is that nil, not "no value".
	L.Push(lua.LNil)
	var out []byte
	arg := 2
	for f.more() {
		opt, size := f.option()
		pad := f.toAlign(len(out), opt, size)
		out = append(out, make([]byte, pad)...)
		switch {
		case isIntOption(opt):
			n := checkNumber(L, arg, "pack")
			arg++
			var v uint64
			if n < 0 {
				v = uint64(truncInt(n))
			} else {
				v = uint64(n)
			}
			buf := make([]byte, size)
			for i := 0; i < size; i++ {
				idx := size - 1 - i
				if f.little {
					idx = i
				}
				buf[idx] = byte(v)
				v >>= 8
			}
			out = append(out, buf...)
		case opt == 'x':
			out = append(out, 0)
		case opt == 'f':
			out = f.order().AppendUint32(out, math.Float32bits(float32(checkNumber(L, arg, "pack"))))
			arg++
		case opt == 'd':
			out = f.order().AppendUint64(out, math.Float64bits(checkNumber(L, arg, "pack")))
			arg++
		case opt == 'c' || opt == 's':
			s := checkString(L, arg, "pack")
			arg++
			if size == 0 {
				size = len(s)
			}
			if len(s) < size {
				argError(L, arg, "pack", "string too short")
			}
			out = append(out, s[:size]...)
			if opt == 's' {
				out = append(out, 0)
			}
		default:
			f.control(opt)
		}
	}
	L.Push(lua.LString(out))
	return 1
}

func structUnpack(L *lua.LState) int {
	f := newStructFormat(L, "unpack")
	data := checkString(L, 2, "unpack")
	pos := int(optInt(L, 3, "unpack", 1)) - 1
	if pos < 0 || pos > len(data) {
		argError(L, 3, "unpack", "offset must be 1 or greater")
	}
	var out []lua.LValue
	for f.more() {
		opt, size := f.option()
		pos += f.toAlign(pos, opt, size)
		if size > len(data) || pos > len(data)-size {
			argError(L, 2, "unpack", "data string too short")
		}
		switch {
		case isIntOption(opt):
			var v uint64
			for i := 0; i < size; i++ {
				idx := i
				if f.little {
					idx = size - 1 - i
				}
				v = v<<8 | uint64(data[pos+idx])
			}
			if opt >= 'a' && opt <= 'z' && size > 0 && size <= 8 {
				if mask := ^uint64(0) << (size*8 - 1); v&mask != 0 {
					v |= mask
				}
				out = append(out, lua.LNumber(int64(v)))
			} else {
				out = append(out, lua.LNumber(v))
			}
		case opt == 'x':
		case opt == 'f':
			bits := f.order().Uint32([]byte(data[pos : pos+4]))
			out = append(out, lua.LNumber(math.Float32frombits(bits)))
		case opt == 'd':
			bits := f.order().Uint64([]byte(data[pos : pos+8]))
			out = append(out, lua.LNumber(math.Float64frombits(bits)))
		case opt == 'c':
			if size == 0 {
				var prev lua.LNumber
				ok := false
				if len(out) > 0 {
					prev, ok = out[len(out)-1].(lua.LNumber)
				}
				if !ok {
					L.RaiseError("format 'c0' needs a previous size")
				}
				size = int(prev)
				out = out[:len(out)-1]
				if size < 0 || size > len(data) || pos > len(data)-size {
					argError(L, 2, "unpack", "data string too short")
				}
			}
			out = append(out, lua.LString(data[pos:pos+size]))
		case opt == 's':
			e := bytes.IndexByte([]byte(data[pos:]), 0)
			if e < 0 {
				L.RaiseError("unfinished string in data")
			}
			size = e + 1
			out = append(out, lua.LString(data[pos:pos+e]))
		default:
			f.control(opt)
		}
		pos += size
	}
	for _, v := range out {
		L.Push(v)
	}
	L.Push(lua.LNumber(pos + 1))
	return len(out) + 1
}

func structSize(L *lua.LState) int {
	f := newStructFormat(L, "size")
	pos := 0
	for f.more() {
		opt, size := f.option()
		pos += f.toAlign(pos, opt, size)
		switch {
		case opt == 's':
			argError(L, 1, "size", "option 's' has no fixed size")
		case opt == 'c' && size == 0:
			argError(L, 1, "size", "option 'c0' has no fixed size")
		}
		if !isAlnum(opt) {
			f.control(opt)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos))
	return 1
}
