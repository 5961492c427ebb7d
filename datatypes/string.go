package datatypes

import "strconv"

// String is a binary-safe string value.
type String struct {
	b []byte
	// raw records that the value was modified in place (APPEND, SETRANGE),
	// which makes Redis report the "raw" encoding whatever its content.
	raw bool
}

// embstrLimit is the longest string Redis stores as "embstr".
const embstrLimit = 44

// NewString returns a string value holding a copy of b.
func NewString(b []byte) *String {
	return &String{b: append([]byte(nil), b...)}
}

// NewStringInt returns a string value holding the decimal form of n.
func NewStringInt(n int64) *String {
	return &String{b: strconv.AppendInt(nil, n, 10)}
}

// Bytes returns the value; callers must not modify it.
func (s *String) Bytes() []byte { return s.b }

// Len is the length in bytes.
func (s *String) Len() int { return len(s.b) }

// Append appends b and returns the new length.
func (s *String) Append(b []byte) int {
	s.b = append(s.b, b...)
	s.raw = true
	return len(s.b)
}

// SetRange overwrites the value from offset with b, padding with zero
// bytes if offset is past the end, and returns the new length.
func (s *String) SetRange(offset int, b []byte) int {
	if end := offset + len(b); end > len(s.b) {
		if end <= cap(s.b) {
			s.b = s.b[:end]
		} else {
			grown := make([]byte, end)
			copy(grown, s.b)
			s.b = grown
		}
	}
	copy(s.b[offset:], b)
	s.raw = true
	return len(s.b)
}

// Type implements Value.
func (s *String) Type() string { return "string" }

// Encoding implements Value with Redis's rules: "int" for a decimal that
// fits in a long, "embstr" for up to 44 bytes, "raw" past that or after an
// in-place modification.
func (s *String) Encoding() string {
	if s.raw {
		return "raw"
	}
	if len(s.b) <= 20 {
		if _, err := strconv.ParseInt(string(s.b), 10, 64); err == nil && isCanonicalInt(s.b) {
			return "int"
		}
	}
	if len(s.b) <= embstrLimit {
		return "embstr"
	}
	return "raw"
}

// MemoryUsage implements Value.
func (s *String) MemoryUsage() int { return 32 + cap(s.b) }

// Clone implements Value.
func (s *String) Clone() Value {
	return &String{b: append([]byte(nil), s.b...), raw: s.raw}
}

// isCanonicalInt reports whether b is written the way Redis writes
// integers (no '+', no leading zeros, no "-0"), which is when Redis can
// store it as a number and print it back unchanged.
func isCanonicalInt(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if b[0] == '-' {
		b = b[1:]
		if len(b) == 0 || b[0] == '0' {
			return false
		}
	}
	return b[0] != '0' || len(b) == 1
}
