package hll

// extraRoom is what a Buffer keeps past its HLL: the terminator, the
// three bytes a sparse update may add, and one more byte that an update
// of an opcode cut short by the end writes past it.
const extraRoom = 8

// A Buffer holds an HLL being changed, as Redis changes the string of a
// key in place: its length may change, and a sparse HLL may become dense.
// It models the SDS string Redis keeps it in down to the terminator
// byte, which a corrupt HLL may read (see at). The zero Buffer holds
// nothing: Load one first.
type Buffer struct {
	b []byte
}

// Load makes the buffer hold a copy of the HLL b.
func (x *Buffer) Load(b []byte) {
	if cap(x.b) < len(b)+extraRoom {
		x.b = make([]byte, 0, len(b)+extraRoom)
	}
	x.b = append(x.b[:0], b...)
	x.b[:len(b)+1][len(b)] = 0
}

// LoadNew makes the buffer hold an empty HLL, as New returns it.
func (x *Buffer) LoadNew() { x.Load(New()) }

// Bytes returns the HLL, valid until the buffer next changes.
func (x *Buffer) Bytes() []byte { return x.b }

// term is the SDS terminator: the byte past the end.
func (x *Buffer) term() byte { return x.b[:len(x.b)+1][len(x.b)] }

// setLen changes the length as sdsIncrLen does, writing a new terminator.
func (x *Buffer) setLen(n int) {
	x.b = x.b[:n]
	x.b[:n+1][n] = 0
}

// Add adds the element ele and reports whether a register changed
// (hllAdd); sparseMax is hll-sparse-max-bytes. The error is ErrInvalid
// for a sparse HLL found corrupt, which may be left partly updated, as
// Redis leaves it.
func (x *Buffer) Add(ele []byte, sparseMax int64) (bool, error) {
	index, count := PatLen(ele)
	return x.Set(index, count, sparseMax)
}

// Set raises register index to count if it is below, and reports whether
// it did (hllDenseSet, or hllSparseSet for a sparse HLL, which may make it
// dense).
func (x *Buffer) Set(index int, count uint8, sparseMax int64) (bool, error) {
	switch x.b[4] {
	case Dense:
		return denseSet(x.b[HeaderSize:], index, count), nil
	case Sparse:
		return x.sparseSet(index, count, sparseMax)
	}
	return false, ErrInvalid
}

// ToDense makes a sparse HLL dense, and reports whether it was sparse
// (hllSparseToDense); the cached cardinality is kept as it is.
func (x *Buffer) ToDense() (bool, error) {
	if x.b[4] == Dense {
		return false, nil
	}
	d, ok := sparseToDense(x.b, x.term(), extraRoom)
	if !ok {
		return false, ErrInvalid
	}
	x.b = d
	x.b[:len(d)+1][len(d)] = 0
	return true, nil
}

// sparseSet is hllSparseSet: it finds the opcode that covers register
// index and, if the register must rise, splits the opcode to give the
// register a VAL of its own, then merges the VALs around it that can be
// merged. The HLL becomes dense first if count is beyond what a VAL holds
// or if the string would grow past sparseMax bytes.
func (x *Buffer) sparseSet(index int, count uint8, sparseMax int64) (bool, error) {
	if count > valMaxValue {
		return x.promote(index, count)
	}
	// Room for the opcodes to grow (sdsMakeRoomFor), the terminator
	// moving along.
	if cap(x.b)-len(x.b) < extraRoom {
		grown := make([]byte, len(x.b), 2*len(x.b)+extraRoom)
		copy(grown[:len(x.b)+1], x.b[:len(x.b)+1])
		x.b = grown
	}
	b := x.b
	full := b[:cap(b)] // the SDS allocation: the terminator and room to grow
	end := len(b)

	// Step 1: find the opcode at p that covers the register: it covers
	// span registers from first on; prev is the opcode before it, -1 if
	// none.
	p, first, span, prev := HeaderSize, 0, 0, -1
	for p < end {
		oplen := 1
		op := b[p]
		switch {
		case isZero(op):
			span = zeroLen(op)
		case isVal(op):
			span = valLen(op)
		default:
			span = xzeroLen(op, full[p+1])
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return false, ErrInvalid
	}
	op := b[p]
	next := p + 1
	if isXZero(op) {
		next = p + 2
	}
	if next >= end {
		next = -1
	}
	var runlen int
	switch {
	case isZero(op):
		runlen = zeroLen(op)
	case isXZero(op):
		runlen = xzeroLen(op, full[p+1])
	default:
		runlen = valLen(op)
	}

	// Step 2: the trivial cases: a VAL already as high (no change), a VAL
	// or a ZERO of this register alone (rewritten in place).
	if isVal(op) {
		if valValue(op) >= int(count) {
			return false, nil
		}
		if runlen == 1 {
			b[p] = valOp(int(count), 1)
			return x.sparseUpdated(prev, end), nil
		}
	}
	if isZero(op) && runlen == 1 {
		b[p] = valOp(int(count), 1)
		return x.sparseUpdated(prev, end), nil
	}

	// The general case: the opcode becomes up to three, ZERO or XZERO
	// or VAL before the register, its VAL, and the same after it.
	var seq [5]byte
	n := 0
	last := first + span - 1
	if isZero(op) || isXZero(op) {
		zeros := func(l int) {
			if l > zeroMaxLen {
				l--
				seq[n], seq[n+1] = byte(l>>8)|xzeroBit, byte(l)
				n += 2
			} else {
				seq[n] = zeroOp(l)
				n++
			}
		}
		if index != first {
			zeros(index - first)
		}
		seq[n] = valOp(int(count), 1)
		n++
		if index != last {
			zeros(last - index)
		}
	} else {
		curval := valValue(op)
		if index != first {
			seq[n] = valOp(curval, index-first)
			n++
		}
		seq[n] = valOp(int(count), 1)
		n++
		if index != last {
			seq[n] = valOp(curval, last-index)
			n++
		}
	}

	// Step 3: put the new opcodes in place of the old one, moving what
	// follows, unless the string would grow too long for a sparse HLL.
	oldlen := 1
	if isXZero(op) {
		oldlen = 2
	}
	delta := n - oldlen
	if delta > 0 && int64(len(b)+delta) > sparseMax {
		return x.promote(index, count)
	}
	if delta != 0 && next >= 0 {
		copy(full[next+delta:], full[next:end])
	}
	x.setLen(len(b) + delta)
	// An XZERO cut short by the end of a corrupt HLL is replaced by
	// opcodes written one byte past the new end, as Redis writes them
	// over the terminator.
	copy(full[p:], seq[:n])
	end += delta
	return x.sparseUpdated(prev, end), nil
}

// sparseUpdated finishes an update of a sparse register (step 4 of
// hllSparseSet): it merges adjacent VALs of the same value, looking at up
// to five opcodes from prev, and invalidates the cached cardinality.
func (x *Buffer) sparseUpdated(prev, end int) bool {
	b := x.b[:cap(x.b)]
	p := prev
	if p < 0 {
		p = HeaderSize
	}
	for scan := 5; p < end && scan > 0; {
		scan--
		op := b[p]
		if isXZero(op) {
			p += 2
			continue
		}
		if isZero(op) {
			p++
			continue
		}
		if p+1 < end && isVal(b[p+1]) {
			v1, v2 := valValue(op), valValue(b[p+1])
			if v1 == v2 {
				if n := valLen(op) + valLen(b[p+1]); n <= valMaxLen {
					b[p+1] = valOp(v1, n)
					copy(b[p:end], b[p+1:end+1])
					end--
					x.setLen(end)
					// Try again from the merged VAL, which may
					// merge with the next one.
					continue
				}
			}
		}
		p++
	}
	InvalidateCache(x.b)
	return true
}

// promote makes the sparse HLL dense and sets the register there (the
// promote label of hllSparseSet).
func (x *Buffer) promote(index int, count uint8) (bool, error) {
	if _, err := x.ToDense(); err != nil {
		return false, err
	}
	return denseSet(x.b[HeaderSize:], index, count), nil
}
