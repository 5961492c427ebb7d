package datatypes

import "encoding/binary"

// This file holds the byte-level helpers of the compact encodings: the
// two-way entries of list nodes and the one-way entries of hash listpacks.
//
// A two-way entry (list nodes) can be read from either end:
//
//	+-----------------+------+--------------------------+
//	| uvarint(len(d)) |  d   | uvarint(len(d)) reversed |
//	+-----------------+------+--------------------------+
//
// The trailer holds the same varint bytes in reverse order, so reading
// backwards from the end of the entry meets the low 7 bits first. An entry
// of up to 127 bytes costs 2 bytes of overhead (Redis's listpack: 2 or 3).
//
// A one-way entry (hash listpacks) is "uvarint(len(d)) d": hashes are only
// walked forwards.

// listpackSafetyLimit is the size past which a compact value converts
// whatever the limits say, as Redis's lpSafeToAdd does (1 GiB).
const listpackSafetyLimit = 1 << 30

// uvarintLen is the number of bytes of uvarint(n).
func uvarintLen(n int) int {
	k := 1
	for n >= 0x80 {
		n >>= 7
		k++
	}
	return k
}

// entrySize is the size of the two-way entry holding d.
func entrySize(d []byte) int { return 2*uvarintLen(len(d)) + len(d) }

// putEntry writes the two-way entry holding d at the start of dst, which
// must have room for it, and returns the number of bytes written.
func putEntry(dst, d []byte) int {
	k := binary.PutUvarint(dst, uint64(len(d)))
	n := k + copy(dst[k:], d)
	for i := k - 1; i >= 0; i-- {
		dst[n] = dst[i]
		n++
	}
	return n
}

// appendEntry appends the two-way entry holding d to b.
func appendEntry(b, d []byte) []byte {
	n := len(b)
	b = append(b, make([]byte, entrySize(d))...)
	putEntry(b[n:], d)
	return b
}

// entryAt reads the two-way entry starting at p: its data and the offset
// just past it.
func entryAt(b []byte, p int) (d []byte, next int) {
	n, k := binary.Uvarint(b[p:])
	start := p + k
	end := start + int(n)
	return b[start:end:end], end + k
}

// entryBefore reads the two-way entry ending at p: its data and its start
// offset.
func entryBefore(b []byte, p int) (d []byte, start int) {
	var n uint64
	var shift uint
	q := p - 1
	for {
		c := b[q]
		n |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
		shift += 7
		q--
	}
	k := p - q
	end := q
	begin := end - int(n)
	return b[begin:end:end], begin - k
}

// fieldAt reads the one-way entry starting at p: its data and the offset
// just past it.
func fieldAt(b []byte, p int) (d []byte, next int) {
	start, end := fieldSpan(b, p)
	return b[start:end:end], end
}

// fieldSpan returns where the data of the one-way entry at p starts and
// ends. Hash lookups walk entries with it, so lengths under 128 take a
// fast path.
func fieldSpan(b []byte, p int) (start, end int) {
	if c := b[p]; c < 0x80 {
		return p + 1, p + 1 + int(c)
	}
	n, k := binary.Uvarint(b[p:])
	return p + k, p + k + int(n)
}

// fieldSize is the size of the one-way entry holding d.
func fieldSize(d []byte) int { return uvarintLen(len(d)) + len(d) }

// putField writes the one-way entry holding d at the start of dst and
// returns the number of bytes written.
func putField(dst, d []byte) int {
	k := binary.PutUvarint(dst, uint64(len(d)))
	return k + copy(dst[k:], d)
}

// growBytes returns b with room for n more bytes. It keeps an eighth to
// spare when it must reallocate: compact values grow one entry at a time,
// and doubling would cost up to twice their size in memory.
func growBytes(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	need := len(b) + n
	nb := make([]byte, len(b), need+need/8)
	copy(nb, b)
	return nb
}

// splice replaces b[p:q] with ins, reallocating only when b lacks room.
func splice(b []byte, p, q int, ins []byte) []byte {
	d := len(ins) - (q - p)
	old := len(b)
	if d > 0 {
		b = growBytes(b, d)
		b = b[:old+d]
		copy(b[q+d:], b[q:old])
	} else if d < 0 {
		copy(b[q+d:], b[q:old])
		b = b[:old+d]
	}
	copy(b[p:], ins)
	return shrinkBytes(b)
}

// shrinkBytes reallocates b to its length once more than half of it is
// spare, so that deletions give memory back as Redis's reallocs do.
func shrinkBytes(b []byte) []byte {
	if cap(b) <= 64 || len(b) >= cap(b)/2 {
		return b
	}
	return append([]byte(nil), b...)
}
