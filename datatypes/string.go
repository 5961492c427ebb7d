package datatypes

import (
	"strconv"
	"unsafe"

	"github.com/cairn-db/cairn/resp"
)

// String is a binary-safe string value.
type String struct {
	b []byte
	// inline holds b when it is short enough: the value and its holder
	// then take one allocation, which is the common case of cached values
	// and counters, and the whole struct fills a 48-byte size class.
	inline [inlineCap]byte
	// form decides the encoding OBJECT ENCODING reports, which depends on
	// how the value was made as well as on its content.
	form stringForm
	// copied marks a value made by Clone (COPY): Redis duplicates the
	// object, and a duplicate is never one of its shared integers.
	copied bool
}

// stringForm is how a String was made, as far as its encoding cares.
type stringForm uint8

const (
	// formAuto is a value set whole (SET, INCR...): Redis tries the int
	// encoding, then embstr, then raw (tryObjectEncoding).
	formAuto stringForm = iota
	// formNoInt is a value Redis creates without trying the int encoding
	// (createStringObject, used by INCRBYFLOAT): embstr or raw by length.
	formNoInt
	// formRaw is a value modified in place (APPEND, SETRANGE), which
	// Redis keeps "raw" whatever its content.
	formRaw
)

// inlineCap is the longest value a String holds in its own allocation.
const inlineCap = 22

// embstrLimit is the longest string Redis stores as "embstr".
const embstrLimit = 44

// NewString returns a string value holding a copy of b.
func NewString(b []byte) *String {
	return newString(b, formAuto)
}

func newString(b []byte, form stringForm) *String {
	s := &String{form: form}
	if len(b) <= inlineCap {
		s.b = append(s.inline[:0:inlineCap], b...)
	} else {
		s.b = append([]byte(nil), b...)
	}
	return s
}

// NewStringNoInt returns a string value holding a copy of b that reports
// the embstr or raw encoding even if b is a number, as INCRBYFLOAT's
// result does in Redis.
func NewStringNoInt(b []byte) *String {
	return newString(b, formNoInt)
}

// NewStringInt returns a string value holding the decimal form of n.
func NewStringInt(n int64) *String {
	s := &String{}
	s.b = strconv.AppendInt(s.inline[:0:inlineCap], n, 10)
	return s
}

// Bytes returns the value; callers must not modify it.
func (s *String) Bytes() []byte { return s.b }

// Len is the length in bytes.
func (s *String) Len() int { return len(s.b) }

// Append appends b and returns the new length.
func (s *String) Append(b []byte) int {
	s.b = append(s.b, b...)
	s.form = formRaw
	return len(s.b)
}

// SetRange overwrites the value from offset with b, padding with zero
// bytes if offset is past the end, and returns the new length.
func (s *String) SetRange(offset int, b []byte) int {
	if end := offset + len(b); end > len(s.b) {
		if end <= cap(s.b) {
			// The padding must be zero bytes, whatever the spare
			// capacity holds.
			clear(s.b[len(s.b):end])
			s.b = s.b[:end]
		} else {
			grown := make([]byte, end)
			copy(grown, s.b)
			s.b = grown
		}
	}
	copy(s.b[offset:], b)
	s.form = formRaw
	return len(s.b)
}

// Copied reports whether the value was made by Clone.
func (s *String) Copied() bool { return s.copied }

// Type implements Value.
func (s *String) Type() string { return "string" }

// Encoding implements Value with Redis's rules: "int" for a value set
// whole that string2ll accepts (so not "+1", "01" or "-0"), "embstr" for
// up to 44 bytes, "raw" past that or after an in-place modification.
func (s *String) Encoding() string {
	if s.form == formRaw {
		return "raw"
	}
	if s.form == formAuto {
		if _, ok := resp.ParseInt(s.b); ok {
			return "int"
		}
	}
	if len(s.b) <= embstrLimit {
		return "embstr"
	}
	return "raw"
}

// MemoryUsage implements Value: the holder, and the value's own
// allocation unless it is inline.
func (s *String) MemoryUsage() int {
	if cap(s.b) > 0 && &s.b[:1][0] == &s.inline[0] {
		return int(unsafe.Sizeof(*s))
	}
	return int(unsafe.Sizeof(*s)) + cap(s.b)
}

// Clone implements Value.
func (s *String) Clone() Value {
	c := newString(s.b, s.form)
	c.copied = true
	return c
}
