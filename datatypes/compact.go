package datatypes

import "encoding/binary"

// Compact forms let a store keep small values as bytes in its own memory
// (the keyspace's slab, which the collector does not see) and make a
// Value of them when a command needs one: a listpack hash or sorted set
// is its listpack, an intset set its intset, a small hashtable set its members, a list of
// one node the node's entries. The form holds the value's whole state, so
// FromCompact(AppendCompact(v)) is v again, encoding included.
type CompactKind uint8

const (
	// CompactNone: the value has no compact form (or is over the size).
	CompactNone CompactKind = iota
	// CompactHash: a listpack hash's listpack (see Hash).
	CompactHash
	// CompactIntset: an intset set's intset.
	CompactIntset
	// CompactSet: a hashtable set's members, each uvarint(len) bytes.
	CompactSet
	// CompactList: uvarint(-fill) uvarint(count), then the one node's
	// two-way entries.
	CompactList
	// CompactZSet: a listpack sorted set's listpack (see ZSet).
	CompactZSet
)

// maxCompactSetMembers bounds the sets kept as CompactSet: every use
// rebuilds the table, which costs a hash per member.
const maxCompactSetMembers = 64

// AppendCompact appends v's compact form to dst if it has one of at most
// limit bytes; otherwise it returns dst and CompactNone.
func AppendCompact(dst []byte, v Value, limit int) ([]byte, CompactKind) {
	switch v := v.(type) {
	case *Hash:
		if v.ht == nil && len(v.lp) <= limit {
			return append(dst, v.lp...), CompactHash
		}
	case *Set:
		if v.ht == nil {
			if len(v.ints) <= limit {
				return append(dst, v.ints...), CompactIntset
			}
			return dst, CompactNone
		}
		t := v.ht
		if t.n > maxCompactSetMembers || t.kvBytes > limit {
			return dst, CompactNone
		}
		start := len(dst)
		for i := range t.used {
			if t.live(i) {
				dst = append(dst, t.rec(i)...)
				if len(dst)-start > limit {
					return dst[:start], CompactNone
				}
			}
		}
		return dst, CompactSet
	case *List:
		if v.cnt > 1 {
			return dst, CompactNone
		}
		var entries []byte
		if v.cnt == 1 {
			nd := v.node(0)
			entries = nd.buf[nd.off:]
		}
		if len(entries)+8 > limit {
			return dst, CompactNone
		}
		dst = binary.AppendUvarint(dst, uint64(-v.fill+fillMax))
		dst = binary.AppendUvarint(dst, uint64(v.n))
		return append(dst, entries...), CompactList
	case *ZSet:
		if v.tree == nil && len(v.lp) <= limit {
			return append(dst, v.lp...), CompactZSet
		}
	}
	return dst, CompactNone
}

// FromCompact returns the value whose compact form of kind is b, holding
// copies of b's bytes. b must come from AppendCompact.
func FromCompact(kind CompactKind, b []byte) Value {
	switch kind {
	case CompactHash:
		if len(b) == 0 {
			return &Hash{}
		}
		return &Hash{lp: append([]byte(nil), b...)}
	case CompactIntset:
		return &Set{ints: intset(b)}
	case CompactSet:
		n := 0
		for rest := b; len(rest) > 0; n++ {
			l, w := binary.Uvarint(rest)
			rest = rest[w+int(l):]
		}
		t := newTable(n, false)
		t.reserve(len(b))
		for len(b) > 0 {
			l, w := binary.Uvarint(b)
			t.insert(b[w:w+int(l)], nil)
			b = b[w+int(l):]
		}
		return &Set{ht: t}
	case CompactList:
		f, w := binary.Uvarint(b)
		n, w2 := binary.Uvarint(b[w:])
		l := &List{fill: int32(fillMax - int64(f)), n: int(n)}
		if entries := b[w+w2:]; n > 0 {
			l.nodes = []listNode{{buf: append([]byte(nil), entries...), n: int(n)}}
			l.cnt, l.bufs = 1, AllocSize(cap(l.nodes[0].buf))
		}
		return l
	case CompactZSet:
		if len(b) == 0 {
			return &ZSet{}
		}
		return &ZSet{lp: append([]byte(nil), b...), n: zcount(b)}
	}
	panic("datatypes: unknown compact kind")
}
