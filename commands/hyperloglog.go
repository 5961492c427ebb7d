package commands

import (
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/hll"
	"github.com/cairn-db/cairn/resp"
)

// An HLL is a string value holding Redis's representation byte for byte
// (package hll): GET of an HLL returns what Redis's GET returns, and an
// HLL SET from one server counts the same on the other. The commands read
// the string where the keyspace keeps it, change a copy in an hll.Buffer,
// and store the result as a "raw" string, as Redis, which changes an HLL
// in place, leaves it (dbUnshareStringValue).

func hyperloglogCommands() []*Command {
	return []*Command{
		{Name: "pfadd", Arity: -2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyInsert, Group: "hyperloglog", Since: "2.8.9", Complexity: "O(1) to add every element.",
			Summary: "Adds the specified elements to the specified HyperLogLog.",
			Syntax:  "key [element [element ...]]", Run: pfaddCommand},
		// PFCOUNT is read-only but writes the cardinality it computes
		// into the HLL, and then propagates itself: may_replicate, as in
		// Redis 7.0 (CLIENT PAUSE WRITE holds it).
		{Name: "pfcount", Arity: -2, Flags: FlagReadonly | FlagMayReplicate, FirstKey: 1, LastKey: -1, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess, Index: 1, LastKey: -1,
					Notes: "RW because it may change the internal representation of the key, and propagate to replicas"},
			},
			Group: "hyperloglog", Since: "2.8.9",
			Complexity: "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
			Summary:    "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
			Syntax:     "key [key ...]", Run: pfcountCommand},
		{Name: "pfmerge", Arity: -2, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyInsert, Index: 1},
				{Flags: KeyRO | KeyAccess, Index: 2, LastKey: -1},
			},
			Group: "hyperloglog", Since: "2.8.9", Complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
			Summary: "Merge N different HyperLogLogs into a single one.",
			Syntax:  "destkey sourcekey [sourcekey ...]", Run: pfmergeCommand},
		{Name: "pfdebug", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagAdmin, FirstKey: 2, LastKey: 2, Step: 1,
			KeyFlags: KeyRW | KeyAccess, Group: "hyperloglog", Since: "2.8.9", Complexity: "N/A",
			Summary: "Internal commands for debugging HyperLogLog values",
			Syntax:  "subcommand key", Run: pfdebugCommand},
		{Name: "pfselftest", Arity: 1, Flags: FlagAdmin,
			Group: "hyperloglog", Since: "2.8.9", Complexity: "N/A",
			Summary: "An internal command for testing HyperLogLog values",
			Run:     pfselftestCommand},
	}
}

// hllBuffers recycles the buffers the commands change HLLs in: a dense
// one is 12 KB.
var hllBuffers = sync.Pool{New: func() any { return new(hll.Buffer) }}

// lookupHLL returns the HLL at key for a read (counting a hit or a miss),
// as lookupKeyRead and isHLLObjectOrReply: ok is false, and the error
// written, for a value that is not a string or a string that is not an
// HLL. The bytes are valid until the keyspace next changes.
func lookupHLL(c *Ctx, key []byte) (b []byte, found, ok bool) {
	b, _, found, isString := c.DB.LookupString(key)
	return checkHLL(c, b, found, isString)
}

// lookupHLLWrite is lookupHLL for a command that changes the key, as
// lookupKeyWrite: no hit or miss is counted.
func lookupHLLWrite(c *Ctx, key []byte) (b []byte, found, ok bool) {
	b, found, isString := c.DB.LookupStringWrite(key)
	return checkHLL(c, b, found, isString)
}

func checkHLL(c *Ctx, b []byte, found, isString bool) ([]byte, bool, bool) {
	switch {
	case !found:
		return nil, false, true
	case !isString:
		c.W.Error(resp.ErrWrongType)
		return nil, true, false
	case !hll.Valid(b):
		c.W.Error(hll.ErrNotHLL.Error())
		return nil, true, false
	}
	return b, true, true
}

// storeHLL stores b, an HLL, at key as a raw string: a new key if created,
// else in place of the value, keeping its TTL.
func storeHLL(c *Ctx, key, b []byte, created bool) {
	// The keyspace copies what it keeps of a wrapped String.
	s := &c.scratchString
	s.Wrap(b, datatypes.MetaRaw)
	if created {
		c.DB.Set(key, s)
	} else {
		c.DB.SetKeepTTL(key, s)
	}
}

// unshareHLL makes the HLL of length n at key a raw string if it is not
// one, as Redis's dbUnshareStringValue does to every HLL a command looks
// at (SET makes a string of up to 44 bytes embstr). Like Redis, it records
// no effect: the value does not change.
func unshareHLL(c *Ctx, key []byte, n int) {
	if n > 44 {
		return // raw already: Redis makes no longer string embstr
	}
	v, found := c.DB.Peek(key)
	s, isString := v.(*datatypes.String)
	if !found || !isString || s.Encoding() == "raw" {
		return
	}
	b := append([]byte(nil), s.Bytes()...)
	storeHLL(c, key, b, false)
}

// PFADD key [element ...]: 1 if the HLL was created or a register changed.
func pfaddCommand(c *Ctx) {
	key, elems := c.Args[1], c.Args[2:]
	b, found, ok := lookupHLLWrite(c, key)
	if !ok {
		return
	}
	if found && hll.Encoding(b) == hll.Dense && !anyDenseChange(b, elems) {
		// The common case of a large HLL: nothing to copy or store.
		c.W.Int(0)
		return
	}
	x := hllBuffers.Get().(*hll.Buffer)
	defer hllBuffers.Put(x)
	updated := false
	if found {
		x.Load(b)
	} else {
		x.LoadNew()
		updated = true
	}
	n := len(b)
	sparseMax := c.Config.Load().HLLSparseMaxBytes
	for j, e := range elems {
		changed, err := x.Add(e, sparseMax)
		if err != nil {
			// A corrupt sparse HLL: Redis keeps the registers it
			// updated before finding out, without propagating them.
			// Their effect is the PFADD of the elements before this
			// one, which replays to the same bytes.
			if updated {
				storeHLL(c, key, x.Bytes(), false)
				c.Emit(append([][]byte{[]byte("PFADD"), key}, elems[:j]...)...)
			} else {
				unshareHLL(c, key, n)
			}
			c.W.Error(err.Error())
			return
		}
		updated = updated || changed
	}
	if !updated {
		unshareHLL(c, key, n)
		c.W.Int(0)
		return
	}
	hll.InvalidateCache(x.Bytes())
	storeHLL(c, key, x.Bytes(), !found)
	c.Propagate()
	c.W.Int(1)
}

// anyDenseChange reports whether adding elems would change the dense HLL
// b.
func anyDenseChange(b []byte, elems [][]byte) bool {
	for _, e := range elems {
		if hll.DenseChanges(b, e) {
			return true
		}
	}
	return false
}

// PFCOUNT key [key ...]: the cardinality of one HLL, or of the union of
// several.
func pfcountCommand(c *Ctx) {
	if len(c.Args) > 2 {
		pfcountUnion(c)
		return
	}
	key := c.Args[1]
	b, found, ok := lookupHLL(c, key)
	if !ok {
		return
	}
	if !found {
		c.W.Int(0)
		return
	}
	n := len(b)
	if card, valid := hll.CachedCard(b); valid {
		unshareHLL(c, key, n)
		c.W.Int(int64(card))
		return
	}
	card, err := hll.Count(b)
	if err != nil {
		unshareHLL(c, key, n)
		c.W.Error(err.Error())
		return
	}
	// The cardinality is cached in the HLL, a change that Redis 7.0
	// propagates as the PFCOUNT itself (and signals to WATCH), which
	// replays to the same bytes.
	x := hllBuffers.Get().(*hll.Buffer)
	defer hllBuffers.Put(x)
	x.Load(b)
	hll.SetCachedCard(x.Bytes(), card)
	storeHLL(c, key, x.Bytes(), false)
	c.Propagate()
	c.W.Int(int64(card))
}

// hllUnions recycles the registers of PFCOUNT's and PFMERGE's unions.
var hllUnions = sync.Pool{New: func() any { return new([hll.Registers]uint8) }}

// mergeHLLs merges the HLLs at keys into max, reading each as lookupKeyRead
// (a missing key is an empty HLL), and reports whether one of them is
// dense; ok is false, and the error written, if one is not an HLL.
func mergeHLLs(c *Ctx, max *[hll.Registers]uint8, keys [][]byte) (dense, ok bool) {
	for _, key := range keys {
		b, found, ok := lookupHLL(c, key)
		if !ok {
			return false, false
		}
		if !found {
			continue
		}
		if hll.Encoding(b) == hll.Dense {
			dense = true
		}
		if err := hll.Merge(max, b); err != nil {
			c.W.Error(err.Error())
			return false, false
		}
	}
	return dense, true
}

// pfcountUnion is PFCOUNT of several keys: the cardinality of their union,
// changing none of them.
func pfcountUnion(c *Ctx) {
	max := hllUnions.Get().(*[hll.Registers]uint8)
	defer hllUnions.Put(max)
	clear(max[:])
	if _, ok := mergeHLLs(c, max, c.Args[1:]); !ok {
		return
	}
	c.W.Int(int64(hll.CountRegisters(max)))
}

// PFMERGE destkey [sourcekey ...]: destkey becomes the union of itself and
// the sources, created if missing, dense if any of them was dense.
func pfmergeCommand(c *Ctx) {
	dest := c.Args[1]
	max := hllUnions.Get().(*[hll.Registers]uint8)
	defer hllUnions.Put(max)
	clear(max[:])
	// destkey is one of the HLLs merged.
	useDense, ok := mergeHLLs(c, max, c.Args[1:])
	if !ok {
		return
	}
	b, found, _ := lookupHLLWrite(c, dest) // checked by the merge
	x := hllBuffers.Get().(*hll.Buffer)
	defer hllBuffers.Put(x)
	if found {
		x.Load(b)
	} else {
		x.LoadNew()
	}
	if useDense {
		if _, err := x.ToDense(); err != nil {
			c.W.Error(err.Error())
			return
		}
	}
	sparseMax := c.Config.Load().HLLSparseMaxBytes
	for i, v := range max {
		if v != 0 {
			// As Redis, a failure here (unreachable: the merge read
			// destkey's registers the same way) is ignored.
			x.Set(i, v, sparseMax)
		}
	}
	hll.InvalidateCache(x.Bytes())
	storeHLL(c, dest, x.Bytes(), !found)
	c.Propagate()
	c.W.OK()
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key.
func pfdebugCommand(c *Ctx) {
	sub, key := c.Args[1], c.Args[2]
	b, found, ok := lookupHLLWrite(c, key)
	if !ok {
		return
	}
	if !found {
		c.W.Error("ERR The specified key does not exist")
		return
	}
	n := len(b)
	sparse := hll.Encoding(b) == hll.Sparse
	switch {
	case tokenIs(sub, "getreg"):
		if !sparse {
			writeRegisters(c, b)
			return
		}
		// Reading the registers makes a sparse HLL dense.
		x := hllBuffers.Get().(*hll.Buffer)
		defer hllBuffers.Put(x)
		if !pfdebugToDense(c, key, b, x) {
			return
		}
		writeRegisters(c, x.Bytes())
	case tokenIs(sub, "decode"):
		if !sparse {
			unshareHLL(c, key, n)
			c.W.Error("ERR HLL encoding is not sparse")
			return
		}
		decoded := hll.Decode(b)
		unshareHLL(c, key, n)
		c.W.BulkString(decoded)
	case tokenIs(sub, "encoding"):
		unshareHLL(c, key, n)
		if sparse {
			c.W.Status("sparse")
		} else {
			c.W.Status("dense")
		}
	case tokenIs(sub, "todense"):
		if !sparse {
			c.W.Int(0)
			return
		}
		x := hllBuffers.Get().(*hll.Buffer)
		defer hllBuffers.Put(x)
		if pfdebugToDense(c, key, b, x) {
			c.W.Int(1)
		}
	default:
		unshareHLL(c, key, n)
		// Redis reads the subcommand as a C string.
		name := string(sub)
		if i := strings.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		c.W.Error("ERR Unknown PFDEBUG subcommand '" + name + "'")
	}
}

// pfdebugToDense makes the sparse HLL b at key dense, in x, and stores it,
// recorded as PFDEBUG TODENSE; false, and the error written, if it is
// corrupt.
func pfdebugToDense(c *Ctx, key, b []byte, x *hll.Buffer) bool {
	x.Load(b)
	if _, err := x.ToDense(); err != nil {
		unshareHLL(c, key, len(b))
		c.W.Error(err.Error())
		return false
	}
	storeHLL(c, key, x.Bytes(), false)
	c.Emit([]byte("PFDEBUG"), []byte("TODENSE"), key)
	return true
}

// writeRegisters replies with the registers of the dense HLL b.
func writeRegisters(c *Ctx, b []byte) {
	regs := b[hll.HeaderSize:]
	c.W.Array(hll.Registers)
	for i := range hll.Registers {
		c.W.Int(int64(hll.DenseRegister(regs, i)))
	}
}

// PFSELFTEST: hll.SelfTest, with hll-sparse-max-bytes.
func pfselftestCommand(c *Ctx) {
	if err := hll.SelfTest(c.Config.Load().HLLSparseMaxBytes, rand.Uint32); err != nil {
		c.W.Error(err.Error())
		return
	}
	c.W.OK()
}
