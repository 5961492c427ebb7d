package commands

import (
	"bytes"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/resp"
)

// The bitmap commands: bit-level reads and writes of string values
// (Redis's bitops.c). The bit work itself is in bitops.go.

// Error texts of the bitmap commands.
const (
	errBitValue     = "ERR bit is not an integer or out of range"
	errBitArg       = "ERR The bit argument must be 1 or 0."
	errBitopNot     = "ERR BITOP NOT must be called with a single source key."
	errBitfieldType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	errOverflowType = "ERR Invalid OVERFLOW type specified"
	errBitfieldRO   = "ERR BITFIELD_RO only supports the GET subcommand"
)

const complexityBitfield = "O(1) for each subcommand specified"

func bitmapCommands() []*Command {
	return []*Command{
		{Name: "bitcount", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "bitmap", Since: "2.6.0", Complexity: "O(N)", Summary: "Count set bits in a string",
			Syntax: "key [index: start end [index_unit: BYTE | BIT]]", Run: bitcountCommand},
		{Name: "bitfield", Arity: -2, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyUpdate | KeyVariableFlags, Index: 1, FlagsOf: bitfieldKeyFlags,
					Notes: "This command allows both access and modification of the key"},
			},
			Group: "bitmap", Since: "3.2.0", Complexity: complexityBitfield,
			Summary: "Perform arbitrary bitfield integer operations on strings",
			Syntax:  "key [operation: GET encoding offset | <write: [OVERFLOW <WRAP | SAT | FAIL>] <write_operation: SET encoding offset value | INCRBY encoding offset increment>> [GET encoding offset | <write: [OVERFLOW <WRAP | SAT | FAIL>] <write_operation: SET encoding offset value | INCRBY encoding offset increment>> ...]]",
			Run:     bitfieldCommand},
		{Name: "bitfield_ro", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "bitmap", Since: "6.0.0", Complexity: complexityBitfield,
			Summary: "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
			Syntax:  "key [GET encoding offset [GET encoding offset ...]]", Run: bitfieldRoCommand},
		{Name: "bitop", Arity: -4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 2, LastKey: -1, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyOW | KeyUpdate, Index: 2},
				{Flags: KeyRO | KeyAccess, Index: 3, LastKey: -1},
			},
			Group: "bitmap", Since: "2.6.0", Complexity: "O(N)", Summary: "Perform bitwise operations between strings",
			Syntax: "operation destkey key [key ...]", Run: bitopCommand},
		{Name: "bitpos", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "bitmap", Since: "2.8.7", Complexity: "O(N)", Summary: "Find first bit set or clear in a string",
			Syntax: "key bit [index: start [end_index: end [index_unit: BYTE | BIT]]]", Run: bitposCommand},
		{Name: "getbit", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "bitmap", Since: "2.2.0", Complexity: "O(1)",
			Summary: "Returns the bit value at offset in the string value stored at key",
			Syntax:  "key offset", Run: getbitCommand},
		{Name: "setbit", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "bitmap", Since: "2.2.0", Complexity: "O(1)",
			Summary: "Sets or clears the bit at offset in the string value stored at key",
			Syntax:  "key offset value", Run: setbitCommand},
	}
}

// bitOffset parses a bit offset as Redis's getBitOffsetFromArgument: a
// non-negative integer addressing a byte below proto-max-bulk-len. For a
// BITFIELD field of width bits (0 otherwise), "#N" means N*bits, the
// product wrapping as Redis's does. The replay of the log does not apply
// the limit, which may have been lowered since (Redis's mustObeyClient).
func bitOffset(c *Ctx, arg []byte, bits uint) (uint64, bool) {
	hash := bits > 0 && len(arg) > 0 && arg[0] == '#'
	if hash {
		arg = arg[1:]
	}
	n, ok := resp.ParseInt(arg)
	if hash {
		n *= int64(bits)
	}
	if !ok || n < 0 || (!c.Client.replaying && n>>3 >= maxBulkLen(c)) {
		c.W.Error(resp.ErrBitOffset)
		return 0, false
	}
	return uint64(n), true
}

func setbitCommand(c *Ctx) {
	key := c.Args[1]
	off, ok := bitOffset(c, c.Args[2], 0)
	if !ok {
		return
	}
	on, ok := resp.ParseInt(c.Args[3])
	if !ok || on&^1 != 0 {
		c.W.Error(errBitValue)
		return
	}
	s, found, ok := lookupStringWrite(c, key)
	if !ok {
		return
	}
	i := int(off >> 3)
	var b []byte
	grew := !found || i >= s.Len()
	if found {
		b = s.WritableBits(i + 1)
	} else {
		b = make([]byte, i+1)
	}
	mask := byte(0x80) >> (off & 7)
	old := b[i] & mask
	if on == 1 {
		b[i] |= mask
	} else {
		b[i] &^= mask
	}
	if !found {
		c.DB.Set(key, datatypes.AdoptRawString(b))
	}
	// As Redis 7.0: an unchanged bit of a string long enough is no write
	// (no WATCH touched, nothing recorded), though the value became raw.
	if grew || (old != 0) != (on == 1) {
		c.Propagate()
	}
	if old != 0 {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

func getbitCommand(c *Ctx) {
	off, ok := bitOffset(c, c.Args[2], 0)
	if !ok {
		return
	}
	b, _, ok := lookupStringBytes(c, c.Args[1])
	if !ok {
		return
	}
	bit := int64(0)
	if i := off >> 3; i < uint64(len(b)) && b[i]&(0x80>>(off&7)) != 0 {
		bit = 1
	}
	c.W.Int(bit)
}

// bitRange turns BITCOUNT's and BITPOS's start and end, in bytes or in
// bits (negative ones counting from the end), into a range of bits within
// b, clamped as Redis does; empty is true if nothing is left of it.
func bitRange(b []byte, start, end int64, inBits bool) (first, last int64, empty bool) {
	total := int64(len(b))
	if inBits {
		total *= 8
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start, end = max(start, 0), max(end, 0)
	end = min(end, total-1)
	if start > end {
		return 0, 0, true
	}
	if !inBits {
		start, end = start*8, end*8+7
	}
	return start, end, false
}

// unitArg parses BYTE or BIT; ok is false, and a syntax error written,
// for anything else.
func unitArg(c *Ctx, arg []byte) (inBits, ok bool) {
	switch {
	case tokenIs(arg, "bit"):
		return true, true
	case tokenIs(arg, "byte"):
		return false, true
	}
	c.W.Error(resp.ErrSyntax)
	return false, false
}

// BITCOUNT key [start end [BYTE | BIT]]. Redis 7.0 looks the key up before
// it parses the range: a missing key counts 0 whatever the arguments.
func bitcountCommand(c *Ctx) {
	b, found, ok := lookupStringBytes(c, c.Args[1])
	switch {
	case !ok:
		return
	case !found:
		c.W.Int(0)
		return
	}
	switch len(c.Args) {
	case 2:
		c.W.Int(popcount(b))
		return
	case 4, 5:
	default:
		c.W.Error(resp.ErrSyntax)
		return
	}
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	if start < 0 && end < 0 && start > end {
		c.W.Int(0)
		return
	}
	inBits := false
	if len(c.Args) == 5 {
		if inBits, ok = unitArg(c, c.Args[4]); !ok {
			return
		}
	}
	first, last, empty := bitRange(b, start, end, inBits)
	if empty {
		c.W.Int(0)
		return
	}
	c.W.Int(countBits(b, first, last))
}

// BITPOS key bit [start [end [BYTE | BIT]]]. The bit is checked first,
// then the key is looked up (a missing one is all zeros: 0 for a 0, -1
// for a 1), then the range, its unit before its end.
func bitposCommand(c *Ctx) {
	bit, ok := c.Int(2)
	if !ok {
		return
	}
	if bit != 0 && bit != 1 {
		c.W.Error(errBitArg)
		return
	}
	b, found, ok := lookupStringBytes(c, c.Args[1])
	switch {
	case !ok:
		return
	case !found:
		c.W.Int(-bit)
		return
	}
	start, end := int64(0), int64(len(b))-1
	endGiven, inBits := false, false
	switch len(c.Args) {
	case 3:
	case 4, 5, 6:
		if start, ok = c.Int(3); !ok {
			return
		}
		if len(c.Args) == 6 {
			if inBits, ok = unitArg(c, c.Args[5]); !ok {
				return
			}
		}
		if len(c.Args) >= 5 {
			if end, ok = c.Int(4); !ok {
				return
			}
			endGiven = true
		}
	default:
		c.W.Error(resp.ErrSyntax)
		return
	}
	first, last, empty := bitRange(b, start, end, inBits)
	if empty {
		c.W.Int(-1)
		return
	}
	pos := firstBit(b, first, last, int(bit))
	// Without an end, the string continues with zeros: looking for a 0
	// past an all-ones range finds the bit after it.
	if pos < 0 && bit == 0 && !endGiven {
		pos = last + 1
	}
	c.W.Int(pos)
}

// BITOP <AND | OR | XOR | NOT> destkey key [key ...]
func bitopCommand(c *Ctx) {
	var op string
	switch name := c.Args[1]; {
	case tokenIs(name, "and"):
		op = "and"
	case tokenIs(name, "or"):
		op = "or"
	case tokenIs(name, "xor"):
		op = "xor"
	case tokenIs(name, "not"):
		op = "not"
	default:
		c.W.Error(resp.ErrSyntax)
		return
	}
	if op == "not" && len(c.Args) != 4 {
		c.W.Error(errBitopNot)
		return
	}
	dest, keys := c.Args[2], c.Args[3:]
	srcs := make([][]byte, len(keys))
	size := 0
	for i, key := range keys {
		b, _, ok := lookupStringBytes(c, key)
		if !ok {
			return
		}
		srcs[i] = b
		size = max(size, len(b))
	}
	if size == 0 {
		// An empty result deletes the destination, whatever it holds.
		if c.DB.Delete(dest) {
			c.Emit([]byte("DEL"), dest)
		}
		c.W.Int(0)
		return
	}
	res := make([]byte, size)
	bitop(op, res, srcs)
	c.DB.Set(dest, datatypes.AdoptRawString(res))
	// Replayed as it ran, from the same sources; WATCH sees the
	// destination change only (writtenKeys).
	c.Propagate()
	c.W.Int(int64(size))
}

// BITFIELD operations.
const (
	bitfieldGet = iota
	bitfieldSet
	bitfieldIncrBy
)

// bitfieldOp is one GET, SET or INCRBY of BITFIELD, with the overflow
// behaviour in force where it was given.
type bitfieldOp struct {
	kind     int
	signed   bool
	bits     uint
	offset   uint64
	value    int64
	overflow int
}

// bitfieldType parses a field type, i1..i64 or u1..u63, as Redis's
// getBitfieldTypeFromArgument (which reads the width as a C string).
func bitfieldType(arg []byte) (signed bool, bits uint, ok bool) {
	if i := bytes.IndexByte(arg, 0); i >= 0 {
		arg = arg[:i]
	}
	if len(arg) == 0 || (arg[0] != 'i' && arg[0] != 'u') {
		return false, 0, false
	}
	signed = arg[0] == 'i'
	n, ok := resp.ParseInt(arg[1:])
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		return false, 0, false
	}
	return signed, uint(n), true
}

// parseBitfield parses BITFIELD's operations, replying with the first
// error. writes reports whether there is a SET or INCRBY, highest the last
// bit one writes.
func parseBitfield(c *Ctx) (ops []bitfieldOp, writes bool, highest uint64, ok bool) {
	args := c.Args
	overflow := overflowWrap
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		var op bitfieldOp
		switch sub := args[j]; {
		case tokenIs(sub, "get") && left >= 2:
			op.kind = bitfieldGet
		case tokenIs(sub, "set") && left >= 3:
			op.kind = bitfieldSet
		case tokenIs(sub, "incrby") && left >= 3:
			op.kind = bitfieldIncrBy
		case tokenIs(sub, "overflow") && left >= 1:
			j++
			switch t := args[j]; {
			case tokenIs(t, "wrap"):
				overflow = overflowWrap
			case tokenIs(t, "sat"):
				overflow = overflowSat
			case tokenIs(t, "fail"):
				overflow = overflowFail
			default:
				c.W.Error(errOverflowType)
				return nil, false, 0, false
			}
			continue
		default:
			c.W.Error(resp.ErrSyntax)
			return nil, false, 0, false
		}
		if op.signed, op.bits, ok = bitfieldType(args[j+1]); !ok {
			c.W.Error(errBitfieldType)
			return nil, false, 0, false
		}
		if op.offset, ok = bitOffset(c, args[j+2], op.bits); !ok {
			return nil, false, 0, false
		}
		if op.kind != bitfieldGet {
			writes = true
			highest = max(highest, op.offset+uint64(op.bits)-1)
			if op.value, ok = c.Int(j + 3); !ok {
				return nil, false, 0, false
			}
			j++
		}
		op.overflow = overflow
		ops = append(ops, op)
		j += 2
	}
	return ops, writes, highest, true
}

// bitfieldKeyFlags are the flags of BITFIELD's key in a call: read-only
// when it has only GETs and OVERFLOWs. As in Redis, a malformed call
// counts as a write.
func bitfieldKeyFlags(args [][]byte) KeyFlag {
	for i := 2; i < len(args); i++ {
		rest := len(args) - i - 1
		switch op := args[i]; {
		case tokenIs(op, "get") && rest >= 2:
			i += 2
		case tokenIs(op, "overflow") && rest >= 1:
			i++
		default:
			return KeyRW | KeyAccess | KeyUpdate
		}
	}
	return KeyRO | KeyAccess
}

func bitfieldCommand(c *Ctx)   { bitfieldGeneric(c, false) }
func bitfieldRoCommand(c *Ctx) { bitfieldGeneric(c, true) }

// bitfieldGeneric runs BITFIELD, or BITFIELD_RO (readonly), as Redis's
// bitfieldGeneric: the operations are all parsed first; with a SET or
// INCRBY the string is created, or padded with zeros, up to the last bit
// any of them writes before the first runs, even if none then does
// (OVERFLOW FAIL).
func bitfieldGeneric(c *Ctx, readonly bool) {
	ops, writes, highest, ok := parseBitfield(c)
	if !ok {
		return
	}
	key := c.Args[1]
	var b []byte
	var found, grew bool
	if !writes {
		if b, found, ok = lookupStringBytes(c, key); !ok {
			return
		}
	} else {
		if readonly {
			c.W.Error(errBitfieldRO)
			return
		}
		var s *datatypes.String
		if s, found, ok = lookupStringWrite(c, key); !ok {
			return
		}
		if n := int(highest>>3) + 1; found {
			grew = n > s.Len()
			b = s.WritableBits(n)
		} else {
			b = make([]byte, n)
		}
	}
	c.W.Array(len(ops))
	changed := false
	for _, op := range ops {
		changed = runBitfieldOp(c, b, op) || changed
	}
	if !found && writes {
		c.DB.Set(key, datatypes.AdoptRawString(b))
	}
	// As Redis 7.0, writes of the values already there are no change;
	// but a string created or padded must be recorded. The operations
	// replay as they ran, given the same string.
	if changed || (writes && (!found || grew)) {
		c.Propagate()
	}
}

// runBitfieldOp runs one operation on b, which holds any field written,
// and writes its reply: GET's value, SET's old value, INCRBY's new one, or
// a null for a SET or INCRBY that OVERFLOW FAIL stopped.
func runBitfieldOp(c *Ctx, b []byte, op bitfieldOp) (changed bool) {
	var overflow int
	var reply int64
	var store uint64
	if op.signed {
		old := getSignedBitfield(b, op.offset, op.bits)
		var limit, val int64
		switch op.kind {
		case bitfieldGet:
			c.W.Int(old)
			return false
		case bitfieldIncrBy:
			overflow, limit = checkSignedOverflow(old, op.value, op.bits, op.overflow)
			val = old + op.value
			if overflow != 0 {
				val = limit
			}
			reply = val
		default:
			overflow, limit = checkSignedOverflow(op.value, 0, op.bits, op.overflow)
			val = op.value
			if overflow != 0 {
				val = limit
			}
			reply = old
		}
		store = uint64(val)
	} else {
		old := getBitfield(b, op.offset, op.bits)
		var limit uint64
		switch op.kind {
		case bitfieldGet:
			c.W.Int(int64(old))
			return false
		case bitfieldIncrBy:
			overflow, limit = checkUnsignedOverflow(old, op.value, op.bits, op.overflow)
			store = old + uint64(op.value)
			if overflow != 0 {
				store = limit
			}
			reply = int64(store)
		default:
			overflow, limit = checkUnsignedOverflow(uint64(op.value), 0, op.bits, op.overflow)
			store = uint64(op.value)
			if overflow != 0 {
				store = limit
			}
			reply = int64(old)
		}
	}
	if overflow != 0 && op.overflow == overflowFail {
		c.W.Null()
		return false
	}
	before := getBitfield(b, op.offset, op.bits)
	setBitfield(b, op.offset, op.bits, store)
	c.W.Int(reply)
	return getBitfield(b, op.offset, op.bits) != before
}
