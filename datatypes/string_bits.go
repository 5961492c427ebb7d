package datatypes

// What the bitmap commands (SETBIT, BITFIELD, BITOP) need of a String:
// they change its bytes in place, or build a new one, and Redis reports
// either as "raw".

// AdoptRawString returns a string value holding b itself, which the
// caller gives up, reported "raw" whatever its content, as the strings
// Redis builds as plain SDS (BITOP's result, the bitmap SETBIT creates).
func AdoptRawString(b []byte) *String {
	s := AdoptString(b)
	s.form = formRaw
	return s
}

// WritableBits returns the value's bytes for a bit command to change in
// place, first padding the value with zero bytes to at least n bytes as
// Redis's sdsgrowzero does (with room to spare, see grow). The value is
// "raw" from then on, as Redis unshares it before writing
// (dbUnshareStringValue), even if nothing is changed. The bytes are valid
// until the value next changes.
func (s *String) WritableBits(n int) []byte {
	if n > cap(s.b) {
		s.grow(n)
	} else {
		s.own()
	}
	if old := len(s.b); n > old {
		s.b = s.b[:n]
		clear(s.b[old:])
	}
	s.form = formRaw
	return s.b
}
