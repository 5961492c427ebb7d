package integration

import (
	"strconv"
	"strings"
	"testing"
)

// TestBitmapRandomDifferential is TestRandomDifferential for the bitmap
// commands: random sequences of SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD and BITFIELD_RO over strings of random bits (runs of zeros and
// ones, short ones and ones of several KB), with ranges, offsets, field
// types and values from edge domains, compared with redis-server. The
// environment variables of TestRandomDifferential make a long run.
func TestBitmapRandomDifferential(t *testing.T) {
	seed, commands := randomSettings(t, 1, 3000)
	newRandomRunner(t).hunt(seed, commands, func(g *cmdGen, n int) []step {
		b := bitGen{g}
		seq := make([]step, 0, n)
		for range n {
			seq = append(seq, step{args: b.command()})
		}
		return seq
	})
}

type bitGen struct{ *cmdGen }

var (
	bitKeys = []string{"b0", "b1", "b2", "b3", "nokey", "list"}
	// bitRanges are BITCOUNT's and BITPOS's starts and ends.
	bitRanges = []string{"0", "1", "2", "3", "7", "8", "9", "15", "16", "17", "63", "64", "100", "1000",
		"-1", "-2", "-7", "-8", "-9", "-16", "-100", "-1000",
		"9223372036854775807", "-9223372036854775808", "x"}
	bitTypes = []string{"u1", "i1", "u2", "i3", "u7", "i8", "u8", "i9", "u15", "i16", "u31", "i32",
		"u33", "i47", "u62", "u63", "i63", "i64"}
	bitBadTypes = []string{"u64", "i65", "u0", "x8", "U8", "", "i08"}
	bitValues   = []string{"0", "1", "-1", "2", "-2", "127", "128", "-128", "-129", "255", "256",
		"32767", "-32768", "65535", "2147483647", "-2147483648", "4294967295",
		"4611686018427387903", "-4611686018427387904",
		"9223372036854775807", "-9223372036854775808"}
)

func (b bitGen) key() string { return b.pick(bitKeys) }

// offset is a bit offset: mostly within the first bytes, sometimes a few
// KB in, rarely invalid. Only reads go as far as the last offset allowed:
// a write there would make both servers allocate 512 MB.
func (b bitGen) offset(read bool) string {
	switch n := b.r.IntN(20); {
	case n < 13:
		return strconv.Itoa(b.r.IntN(130))
	case n < 18:
		return strconv.Itoa(b.r.IntN(70000))
	case n < 19:
		if read {
			return b.pick([]string{"4294967295", "4294967296", "-1", "x", ""})
		}
		return b.pick([]string{"4294967296", "-1", "x", ""})
	}
	return strconv.Itoa(b.r.IntN(8))
}

// bits returns a string of random bytes, biased to runs of 0x00 and 0xff,
// or all zeros or all ones.
func (b bitGen) bits() string {
	if b.chance(0.3) {
		return strings.Repeat(b.pick([]string{"\x00", "\xff"}), b.r.IntN(20))
	}
	var s strings.Builder
	for n := b.r.IntN(40); n > 0; n-- {
		switch b.r.IntN(4) {
		case 0:
			s.WriteByte(0)
		case 1:
			s.WriteByte(0xff)
		default:
			s.WriteByte(byte(b.r.IntN(256)))
		}
	}
	return s.String()
}

func (b bitGen) rangeArgs(max int) []string {
	var args []string
	n := b.r.IntN(max + 1)
	for i := range n {
		if i == 2 {
			args = append(args, b.pick([]string{"BIT", "BYTE", "bit", "byte", "BITS"}))
			continue
		}
		if b.chance(0.3) {
			args = append(args, b.pick(bitRanges))
		} else {
			args = append(args, strconv.Itoa(b.r.IntN(41)-20))
		}
	}
	if b.chance(0.02) {
		args = append(args, "extra")
	}
	return args
}

func (b bitGen) fieldOps(readonly bool) []string {
	var args []string
	for n := b.r.IntN(5); n > 0; n-- {
		typ := b.pick(bitTypes)
		if b.chance(0.03) {
			typ = b.pick(bitBadTypes)
		}
		off := b.offset(readonly)
		if b.chance(0.3) {
			off = "#" + strconv.Itoa(b.r.IntN(20))
		}
		val := b.pick(bitValues)
		if b.chance(0.02) {
			val = "x"
		}
		switch k := b.r.IntN(6); {
		case k == 0:
			args = append(args, "OVERFLOW", b.pick([]string{"WRAP", "SAT", "FAIL", "wrap", "sat", "fail", "FOO"}))
		case k <= 2 || (readonly && !b.chance(0.05)):
			args = append(args, "GET", typ, off)
		case k == 3:
			args = append(args, "SET", typ, off, val)
		default:
			args = append(args, "INCRBY", typ, off, val)
		}
	}
	if b.chance(0.02) {
		args = append(args, "GET")
	}
	return args
}

func (b bitGen) command() []string {
	switch b.r.IntN(18) {
	case 0, 16:
		return []string{"SET", b.key(), b.bits()}
	case 1:
		return []string{"RPUSH", "list", "a"}
	case 2, 3:
		return []string{"SETBIT", b.key(), b.offset(false), b.pick([]string{"0", "1", "1", "0", "2", "x"})}
	case 4:
		return []string{"GETBIT", b.key(), b.offset(true)}
	case 5, 6:
		return append([]string{"BITCOUNT", b.key()}, b.rangeArgs(3)...)
	case 7, 8:
		return append([]string{"BITPOS", b.key(), b.pick([]string{"0", "1", "1", "0", "2"})}, b.rangeArgs(3)...)
	case 9, 10:
		op := b.pick([]string{"AND", "OR", "XOR", "NOT", "and", "FOO"})
		args := []string{"BITOP", op, b.key(), b.key()}
		if op != "NOT" || b.chance(0.05) {
			for n := b.r.IntN(3); n > 0; n-- {
				args = append(args, b.key())
			}
		}
		return args
	case 11, 12, 13:
		return append([]string{"BITFIELD", b.key()}, b.fieldOps(false)...)
	case 14:
		return append([]string{"BITFIELD_RO", b.key()}, b.fieldOps(true)...)
	case 15:
		return []string{"GET", b.key()}
	}
	if b.chance(0.5) {
		return []string{"OBJECT", "ENCODING", b.key()}
	}
	return []string{b.pick([]string{"STRLEN", "TYPE"}), b.key()}
}
