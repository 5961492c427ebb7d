// This file defines the encoding of one key's value in a snapshot.
//
// Value layout (all integers are unsigned varints, as encoding/binary's
// Uvarint):
//
//	+---------+----------------------------------------------------+
//	| type    | one byte: 's' string, 'l' list, 'S' set, 'h' hash, |
//	|         | 'z' sorted set                                     |
//	+---------+----------------------------------------------------+
//	string:
//	| bytes   | the value: the rest of the buffer, no length       |
//	+---------+----------------------------------------------------+
//	list, set:
//	| count   | number of elements                                 |
//	| element | repeated count times: len, then len bytes          |
//	+---------+----------------------------------------------------+
//	hash:
//	| count   | number of fields                                   |
//	| pair    | repeated count times:                              |
//	|         |   field  len, then len bytes                       |
//	|         |   value  len, then len bytes                       |
//	+---------+----------------------------------------------------+
//	sorted set:
//	| count   | number of members                                  |
//	| entry   | repeated count times:                              |
//	|         |   member len, then len bytes                       |
//	|         |   score  8 bytes, the float64's bits little endian |
//	+---------+----------------------------------------------------+
//
// A list's elements are in order, head first; a listpack hash's pairs are
// in insertion order (what HGETALL shows); a sorted set's members are in
// order, lowest score first; an intset's members ascend;
// hashtable members and pairs are in no particular order.
//
// The encoding says nothing of the in-memory encoding: DecodeValue picks
// it from the limits it is given, as Redis does when it loads an RDB file
// (rdbLoadObject), so OBJECT ENCODING after a restart reports what Redis
// reports after loading its RDB. A string carries no length, so the
// caller must frame the buffer (a Pebble value is framed already).
package persistence

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/cairn-db/cairn/datatypes"
)

// Value type bytes.
const (
	typeString = 's'
	typeList   = 'l'
	typeSet    = 'S'
	typeHash   = 'h'
	typeZSet   = 'z'
)

// AppendValue appends the encoding of v to dst. v must be one of the
// datatypes' values (*String, *List, *Set, *Hash, *ZSet); anything else is a
// programming error and panics.
func AppendValue(dst []byte, v datatypes.Value) []byte {
	switch v := v.(type) {
	case *datatypes.String:
		dst = append(dst, typeString)
		return append(dst, v.Bytes()...)
	case *datatypes.List:
		dst = append(dst, typeList)
		dst = binary.AppendUvarint(dst, uint64(v.Len()))
		for _, e := range v.Forward(0) {
			dst = appendBytes(dst, e)
		}
		return dst
	case *datatypes.Set:
		dst = append(dst, typeSet)
		dst = binary.AppendUvarint(dst, uint64(v.Len()))
		for m := range v.All() {
			dst = appendBytes(dst, m)
		}
		return dst
	case *datatypes.Hash:
		dst = append(dst, typeHash)
		dst = binary.AppendUvarint(dst, uint64(v.Len()))
		for f, val := range v.All() {
			dst = appendBytes(dst, f)
			dst = appendBytes(dst, val)
		}
		return dst
	case *datatypes.ZSet:
		dst = append(dst, typeZSet)
		dst = binary.AppendUvarint(dst, uint64(v.Len()))
		for m, score := range v.All() {
			dst = appendBytes(dst, m)
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(score))
		}
		return dst
	}
	panic(fmt.Sprintf("persistence: cannot encode a value of type %T", v))
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// DecodeValue decodes a value encoded by AppendValue. The result does not
// alias b. Encodings are chosen by lim as Redis 7.0 chooses them when it
// loads an RDB file:
//
//   - a string is "int" if it is an integer in canonical form, else
//     "embstr" up to 44 bytes, else "raw" (whatever it was before);
//   - a list is a quicklist whose nodes follow lim.ListMaxListpackSize;
//   - a set is an intset if it has at most lim.SetMaxIntsetEntries
//     members, all integers, else a hashtable;
//   - a hash is a listpack if it has at most lim.HashMaxListpackEntries
//     fields and no field or value is longer than
//     lim.HashMaxListpackValue, else a hashtable;
//   - a sorted set is a listpack if it has at most
//     lim.ZSetMaxListpackEntries members and none is longer than
//     lim.ZSetMaxListpackValue, else a skiplist.
//
// So a collection that converted and then shrank comes back compact, as
// in Redis. Duplicate set members or hash fields are rejected as corrupt,
// as Redis rejects them in an RDB file (AppendValue never writes them).
// Empty collections are accepted and decode as empty values. Every error
// wraps ErrCorrupt.
func DecodeValue(b []byte, lim datatypes.Limits) (datatypes.Value, error) {
	if len(b) == 0 {
		return nil, corrupt("empty value")
	}
	typ, b := b[0], b[1:]
	switch typ {
	case typeString:
		// NewString copies b and tries the int encoding, as
		// tryObjectEncoding does on load.
		return datatypes.NewString(b), nil
	case typeList, typeSet, typeHash, typeZSet:
	default:
		return nil, corrupt("unknown value type %#02x", typ)
	}
	count, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, corrupt("truncated count")
	}
	b = b[k:]
	// Each element takes at least one byte (its length), each hash pair
	// two: a bound that rejects a corrupt count before any work.
	perElement := uint64(1)
	switch typ {
	case typeHash:
		perElement = 2
	case typeZSet:
		perElement = 9
	}
	if count > uint64(len(b))/perElement {
		return nil, corrupt("count %d exceeds the %d bytes left", count, len(b))
	}
	n := int(count)
	var v datatypes.Value
	var err error
	switch typ {
	case typeList:
		v, b, err = decodeList(b, n, lim)
	case typeSet:
		v, b, err = decodeSet(b, n, lim)
	case typeZSet:
		v, b, err = decodeZSet(b, n, lim)
	default:
		v, b, err = decodeHash(b, n, lim)
	}
	if err != nil {
		return nil, err
	}
	if len(b) != 0 {
		return nil, corrupt("%d trailing bytes", len(b))
	}
	return v, nil
}

func decodeList(b []byte, n int, lim datatypes.Limits) (datatypes.Value, []byte, error) {
	l := datatypes.NewList(lim)
	for range n {
		e, rest, ok := nextBytes(b)
		if !ok {
			return nil, nil, corrupt("truncated list element")
		}
		l.PushBack(e)
		b = rest
	}
	return l, b, nil
}

func decodeSet(b []byte, n int, lim datatypes.Limits) (datatypes.Value, []byte, error) {
	// Redis makes a set with more members than set-max-intset-entries a
	// hashtable from the start, whatever the members. A limit of 0 makes
	// Add convert at the first member instead of building an intset up to
	// the real limit and converting it then.
	if n > lim.SetMaxIntsetEntries {
		lim.SetMaxIntsetEntries = 0
	}
	s := datatypes.NewSet()
	for range n {
		m, rest, ok := nextBytes(b)
		if !ok {
			return nil, nil, corrupt("truncated set member")
		}
		if !s.Add(lim, m) {
			return nil, nil, corrupt("duplicate set member")
		}
		b = rest
	}
	return s, b, nil
}

func decodeZSet(b []byte, n int, lim datatypes.Limits) (datatypes.Value, []byte, error) {
	// The encoding follows the size and the longest member, as Redis
	// converts a loaded sorted set (rdbLoadObject), so read them all first.
	entries := make([]datatypes.ZEntry, n)
	maxLen := 0
	for i := range entries {
		m, rest, ok := nextBytes(b)
		if !ok || len(rest) < 8 {
			return nil, nil, corrupt("truncated sorted set entry")
		}
		score := math.Float64frombits(binary.LittleEndian.Uint64(rest))
		if math.IsNaN(score) {
			return nil, nil, corrupt("NaN score")
		}
		entries[i] = datatypes.ZEntry{Member: m, Score: score}
		maxLen = max(maxLen, len(m))
		b = rest[8:]
	}
	z := datatypes.NewZSetSized(lim, n, maxLen)
	for _, e := range entries {
		if out, _ := z.Add(lim, e.Member, e.Score, datatypes.ZAddNX); out&datatypes.ZAddAdded == 0 {
			return nil, nil, corrupt("duplicate sorted set member")
		}
	}
	return z, b, nil
}

func decodeHash(b []byte, n int, lim datatypes.Limits) (datatypes.Value, []byte, error) {
	// Redis makes a hash with more fields than hash-max-listpack-entries
	// a hashtable from the start. A value limit of -1 makes the first Set
	// convert the empty hash before adding to it.
	if n > lim.HashMaxListpackEntries {
		lim.HashMaxListpackEntries, lim.HashMaxListpackValue = 0, -1
	}
	h := datatypes.NewHash()
	for range n {
		f, rest, ok := nextBytes(b)
		if !ok {
			return nil, nil, corrupt("truncated hash field")
		}
		val, rest, ok := nextBytes(rest)
		if !ok {
			return nil, nil, corrupt("truncated hash value")
		}
		if !h.Set(lim, f, val) {
			return nil, nil, corrupt("duplicate hash field")
		}
		b = rest
	}
	return h, b, nil
}

// nextBytes reads a length and that many bytes from b, returning them
// (aliasing b) and the rest of b.
func nextBytes(b []byte) (d, rest []byte, ok bool) {
	if len(b) > 0 && b[0] < 0x80 {
		// The common case: a length under 128 is one byte.
		n := int(b[0]) + 1
		if n > len(b) {
			return nil, nil, false
		}
		return b[1:n], b[n:], true
	}
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, false
	}
	end := k + int(n)
	return b[k:end], b[end:], true
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}
