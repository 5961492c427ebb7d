package rdb

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/resp"
)

// reader reads RDB data from a byte slice, checking every length against
// what is left so that corrupt input is an error, never a panic or an
// allocation larger than the input.
type reader struct {
	b []byte
	p int
}

func (r *reader) left() int { return len(r.b) - r.p }

func (r *reader) byte() (byte, error) {
	if r.p >= len(r.b) {
		return 0, corrupt("unexpected end of data")
	}
	c := r.b[r.p]
	r.p++
	return c, nil
}

func (r *reader) next(n int) ([]byte, error) {
	if n < 0 || n > r.left() {
		return nil, corrupt("%d bytes wanted, %d left", n, r.left())
	}
	b := r.b[r.p : r.p+n]
	r.p += n
	return b, nil
}

// length reads a length (rdbLoadLenByRef); enc reports a special string
// encoding, whose number is then n.
func (r *reader) length() (n uint64, enc bool, err error) {
	c, err := r.byte()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case lenEncVal:
		return uint64(c & 0x3f), true, nil
	case len6Bit:
		return uint64(c & 0x3f), false, nil
	case len14Bit:
		d, err := r.byte()
		return uint64(c&0x3f)<<8 | uint64(d), false, err
	}
	switch c {
	case len32Bit:
		b, err := r.next(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(b)), false, nil
	case len64Bit:
		b, err := r.next(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(b), false, nil
	}
	return 0, false, corrupt("length encoding %#x", c)
}

// count reads a number of elements that take at least minSize bytes each,
// refusing one the rest of the input cannot hold.
func (r *reader) count(minSize int) (int, error) {
	n, enc, err := r.length()
	if err != nil {
		return 0, err
	}
	if enc || n > uint64(r.left()/minSize) {
		return 0, corrupt("count %d for %d bytes left", n, r.left())
	}
	return int(n), nil
}

// string reads a string (rdbGenericLoadStringObject). A plain string
// aliases the input; callers copy what they keep (datatypes' values do).
func (r *reader) string() ([]byte, error) {
	n, enc, err := r.length()
	if err != nil {
		return nil, err
	}
	if !enc {
		if n > uint64(r.left()) {
			return nil, corrupt("string of %d bytes, %d left", n, r.left())
		}
		return r.next(int(n))
	}
	switch n {
	case encInt8, encInt16, encInt32:
		b, err := r.next(1 << n)
		if err != nil {
			return nil, err
		}
		var v int64
		switch n {
		case encInt8:
			v = int64(int8(b[0]))
		case encInt16:
			v = int64(int16(binary.LittleEndian.Uint16(b)))
		default:
			v = int64(int32(binary.LittleEndian.Uint32(b)))
		}
		return strconv.AppendInt(nil, v, 10), nil
	case encLZF:
		clen, cenc, err := r.length()
		if err != nil {
			return nil, err
		}
		ulen, uenc, err := r.length()
		if err != nil {
			return nil, err
		}
		if cenc || uenc || clen > uint64(r.left()) || ulen > math.MaxInt32 {
			return nil, corrupt("LZF string lengths %d, %d", clen, ulen)
		}
		c, _ := r.next(int(clen))
		return lzfDecompress(c, int(ulen))
	}
	return nil, corrupt("string encoding %d", n)
}

// DecodeValue reads the object of type typ from the start of b, as
// rdbLoadObject does, and returns it and the number of bytes it took.
// Encodings are chosen by lim as Redis chooses them when it loads a
// value, so a value may come back in another encoding than it was
// written in. Every error wraps ErrCorrupt or is an *UnsupportedError; a
// collection without elements is ErrEmpty. The value does not alias b.
func DecodeValue(typ byte, b []byte, lim datatypes.Limits) (datatypes.Value, int, error) {
	r := &reader{b: b}
	v, err := r.value(typ, lim)
	if err != nil {
		return nil, 0, err
	}
	return v, r.p, nil
}

func (r *reader) value(typ byte, lim datatypes.Limits) (datatypes.Value, error) {
	switch typ {
	case TypeString:
		s, err := r.string()
		if err != nil {
			return nil, err
		}
		return datatypes.NewString(s), nil
	case TypeList:
		return r.list(lim)
	case TypeSet:
		return r.set(lim)
	case TypeZSet, TypeZSet2:
		return r.zset(typ, lim)
	case TypeHash:
		return r.hash(lim)
	case TypeListQuicklist, TypeListQuicklist2:
		return r.quicklist(typ, lim)
	case TypeHashZipmap, TypeListZiplist, TypeSetIntset, TypeZSetZiplist,
		TypeHashZiplist, TypeHashListpack, TypeZSetListpack:
		blob, err := r.string()
		if err != nil {
			return nil, err
		}
		return decodeBlob(typ, blob, lim)
	case TypeModule, TypeModule2, TypeStreamListpacks, TypeStreamListpacks2:
		return nil, &UnsupportedError{Type: typ}
	}
	return nil, corrupt("unknown value type %d", typ)
}

func (r *reader) list(lim datatypes.Limits) (datatypes.Value, error) {
	n, err := r.count(1)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, ErrEmpty
	}
	l := datatypes.NewList(lim)
	for range n {
		e, err := r.string()
		if err != nil {
			return nil, err
		}
		l.PushBack(e)
	}
	return l, nil
}

// setLimits is lim for loading a set of n members: one with more than
// set-max-intset-entries is a hashtable from the start, as in Redis, and
// a limit of 0 makes the first Add convert.
func setLimits(lim datatypes.Limits, n int) datatypes.Limits {
	if n > min(lim.SetMaxIntsetEntries, 1<<30) {
		lim.SetMaxIntsetEntries = 0
	}
	return lim
}

func (r *reader) set(lim datatypes.Limits) (datatypes.Value, error) {
	n, err := r.count(1)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, ErrEmpty
	}
	lim = setLimits(lim, n)
	s := datatypes.NewSet()
	for range n {
		m, err := r.string()
		if err != nil {
			return nil, err
		}
		if !s.Add(lim, m) {
			return nil, corrupt("duplicate set member")
		}
	}
	return s, nil
}

func (r *reader) zset(typ byte, lim datatypes.Limits) (datatypes.Value, error) {
	minSize := 2 // a member's length and a score's
	if typ == TypeZSet2 {
		minSize = 9
	}
	n, err := r.count(minSize)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, ErrEmpty
	}
	entries := make([]datatypes.ZEntry, n)
	maxLen := 0
	for i := range entries {
		m, err := r.string()
		if err != nil {
			return nil, err
		}
		var s float64
		if typ == TypeZSet2 {
			b, err := r.next(8)
			if err != nil {
				return nil, err
			}
			s = math.Float64frombits(binary.LittleEndian.Uint64(b))
		} else if s, err = r.textScore(); err != nil {
			return nil, err
		}
		if math.IsNaN(s) {
			return nil, corrupt("NaN score")
		}
		entries[i] = datatypes.ZEntry{Member: m, Score: s}
		maxLen = max(maxLen, len(m))
	}
	// Redis loads a skiplist and converts it after if it fits a listpack.
	z := datatypes.NewZSetSized(lim, n, maxLen)
	for _, e := range entries {
		if out, _ := z.Add(lim, e.Member, e.Score, 0); out != datatypes.ZAddAdded {
			return nil, corrupt("duplicate sorted set member")
		}
	}
	return z, nil
}

// textScore reads a score in RDB_TYPE_ZSET's form (rdbLoadDoubleValue):
// a length byte, 253 NaN, 254 +inf, 255 -inf, else that many characters.
func (r *reader) textScore() (float64, error) {
	c, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch c {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	b, err := r.next(int(c))
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, corrupt("score %q", b)
	}
	return f, nil
}

// hashLimits is lim for loading a hash of n fields: one with more than
// hash-max-listpack-entries is a hashtable from the start, as in Redis; a
// value limit of -1 makes the first Set convert.
func hashLimits(lim datatypes.Limits, n int) datatypes.Limits {
	if n > lim.HashMaxListpackEntries {
		lim.HashMaxListpackEntries, lim.HashMaxListpackValue = 0, -1
	}
	return lim
}

func (r *reader) hash(lim datatypes.Limits) (datatypes.Value, error) {
	n, err := r.count(2)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, ErrEmpty
	}
	lim = hashLimits(lim, n)
	h := datatypes.NewHash()
	for range n {
		f, err := r.string()
		if err != nil {
			return nil, err
		}
		v, err := r.string()
		if err != nil {
			return nil, err
		}
		if !h.Set(lim, f, v) {
			return nil, corrupt("duplicate hash field")
		}
	}
	return h, nil
}

func (r *reader) quicklist(typ byte, lim datatypes.Limits) (datatypes.Value, error) {
	n, err := r.count(1)
	if err != nil {
		return nil, err
	}
	l := datatypes.NewList(lim)
	var buf []byte
	push := func(e lpEntry) error {
		l.PushBack(e.bytes(&buf))
		return nil
	}
	for range n {
		container := uint64(containerPacked)
		if typ == TypeListQuicklist2 {
			var enc bool
			if container, enc, err = r.length(); err != nil {
				return nil, err
			}
			if enc || (container != containerPacked && container != containerPlain) {
				return nil, corrupt("quicklist container %d", container)
			}
		}
		data, err := r.string()
		if err != nil {
			return nil, err
		}
		if len(data) == 0 {
			return nil, corrupt("empty quicklist node")
		}
		switch {
		case container == containerPlain:
			l.PushBack(data)
		case typ == TypeListQuicklist2:
			err = readListpack(data, push)
		default:
			err = readZiplist(data, push)
		}
		if err != nil {
			return nil, err
		}
	}
	// Redis skips empty nodes, but not an empty list.
	if l.Len() == 0 {
		return nil, ErrEmpty
	}
	return l, nil
}

// decodeBlob decodes the value of a type whose object is one string
// holding a ziplist, zipmap, intset or listpack.
func decodeBlob(typ byte, blob []byte, lim datatypes.Limits) (datatypes.Value, error) {
	var entries []lpEntry
	collect := func(e lpEntry) error {
		entries = append(entries, e)
		return nil
	}
	var buf []byte
	switch typ {
	case TypeSetIntset:
		var ms []int64
		if err := readIntset(blob, func(v int64) error {
			ms = append(ms, v)
			return nil
		}); err != nil {
			return nil, err
		}
		// Redis keeps the intset unless it is over the limit.
		lim = setLimits(lim, len(ms))
		s := datatypes.NewSet()
		for _, v := range ms {
			s.Add(lim, strconv.AppendInt(buf[:0], v, 10))
		}
		return s, nil
	case TypeListZiplist:
		l := datatypes.NewList(lim)
		if err := readZiplist(blob, func(e lpEntry) error {
			l.PushBack(e.bytes(&buf))
			return nil
		}); err != nil {
			return nil, err
		}
		if l.Len() == 0 {
			return nil, ErrEmpty
		}
		return l, nil
	case TypeHashZipmap:
		// Redis converts a zipmap to a listpack, then to a hashtable if
		// it is over either limit: what Set does pair by pair.
		h := datatypes.NewHash()
		if err := readZipmap(blob, func(f, v []byte) error {
			if !h.Set(lim, f, v) {
				return corrupt("duplicate hash field")
			}
			return nil
		}); err != nil {
			return nil, err
		}
		if h.Len() == 0 {
			return nil, ErrEmpty
		}
		return h, nil
	case TypeHashZiplist, TypeZSetZiplist:
		if err := readZiplist(blob, collect); err != nil {
			return nil, err
		}
	default:
		if err := readListpack(blob, collect); err != nil {
			return nil, err
		}
	}
	if len(entries)%2 != 0 {
		return nil, corrupt("odd number of entries in pairs")
	}
	n := len(entries) / 2
	if n == 0 {
		return nil, ErrEmpty
	}
	if typ == TypeHashZiplist || typ == TypeHashListpack {
		// Redis keeps a listpack unless it has too many fields; it does
		// not look at their lengths.
		lim.HashMaxListpackValue = math.MaxInt
		lim = hashLimits(lim, n)
		h := datatypes.NewHash()
		var vbuf []byte
		for i := 0; i < len(entries); i += 2 {
			if !h.Set(lim, entries[i].bytes(&buf), entries[i+1].bytes(&vbuf)) {
				return nil, corrupt("duplicate hash field")
			}
		}
		return h, nil
	}
	// A sorted set: the same, with the entry limit alone.
	lim.ZSetMaxListpackValue = math.MaxInt
	z := datatypes.NewZSetSized(lim, n, 0)
	for i := 0; i < len(entries); i += 2 {
		var s float64
		if e := entries[i+1]; e.isInt {
			s = float64(e.v)
		} else {
			var ok bool
			if s, ok = resp.ParseDouble(e.s); !ok {
				return nil, corrupt("score %q", e.s)
			}
		}
		if out, _ := z.Add(lim, entries[i].bytes(&buf), s, 0); out != datatypes.ZAddAdded {
			return nil, corrupt("duplicate sorted set member or NaN score")
		}
	}
	return z, nil
}
