package datatypes

import (
	"strconv"
	"sync/atomic"
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
	form  stringForm
	flags stringFlags
}

type stringFlags uint8

const (
	// flagCopied marks a value made by Clone (COPY): Redis duplicates the
	// object, and a duplicate is never one of its shared integers.
	flagCopied stringFlags = 1 << iota
	// flagWrapped marks a String holding bytes it does not own (Wrap).
	flagWrapped
	// flagLent marks bytes handed out by Lend: a reply may still hold
	// them, so they are not rewritten in place while resp.Borrowing.
	flagLent
)

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

// AdoptString returns a string value holding b itself, which the caller
// gives up: nothing else may use it any more.
func AdoptString(b []byte) *String {
	if len(b) <= inlineCap {
		return NewString(b)
	}
	return &String{b: b}
}

// Wrap makes s hold b itself, not a copy, with the given StringMeta, for
// a value about to be stored: a store keeps what it keeps of it through
// Kept, so that neither s nor b is kept, and s may be wrapped again.
func (s *String) Wrap(b []byte, m StringMeta) {
	s.b, s.form, s.flags = b, stringForm(m&^metaCopied), flagWrapped
	if m&metaCopied != 0 {
		s.flags |= flagCopied
	}
}

// Kept returns s for a store to keep as it is: s itself, or a copy
// holding its own bytes if s wraps bytes it does not own (Wrap).
func (s *String) Kept() *String {
	if s.flags&flagWrapped == 0 {
		return s
	}
	c := newString(s.b, s.form)
	c.flags = s.flags &^ flagWrapped
	return c
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

// Lend returns the value for a reply that holds it by reference until it
// is written (resp.Writer.BulkBorrowed): the bytes are then left as they
// are while resp.Borrowing, and a change makes a copy. Appending writes
// past them, which is safe.
func (s *String) Lend() []byte {
	s.flags |= flagLent
	return s.b
}

// own makes the bytes safe to rewrite in place, moving them to a new array
// if a reply may hold them.
func (s *String) own() {
	if s.flags&flagLent == 0 {
		return
	}
	s.flags &^= flagLent
	if resp.Borrowing() {
		s.replace(append(make([]byte, 0, cap(s.b)), s.b...))
	}
}

// Len is the length in bytes.
func (s *String) Len() int { return len(s.b) }

// Append appends b and returns the new length.
func (s *String) Append(b []byte) int {
	if n := len(s.b) + len(b); n > cap(s.b) {
		s.grow(n)
	}
	s.b = append(s.b, b...)
	s.form = formRaw
	return len(s.b)
}

// growStep is sdsMakeRoomFor's SDS_MAX_PREALLOC.
const growStep = 1 << 20

// grow moves the value to a new array with room for at least n bytes and
// some to spare, as Redis's sdsMakeRoomFor does: twice n below 1 MiB, then
// 1 MiB more. Redis's realloc may extend in place; here every growth copies
// the value and leaves its old array behind, so past 16 MiB the room is a
// sixteenth of n: a dozen growths each time the value doubles rather than
// one per MiB, for at most 6% to spare.
func (s *String) grow(n int) {
	if n < growStep {
		n *= 2
	} else {
		n += max(growStep, n/16)
	}
	s.replace(append(make([]byte, 0, n), s.b...))
}

// replace makes b, a copy of the value, its new array.
func (s *String) replace(b []byte) {
	if c := cap(s.b); c >= droppedMin {
		dropped.Add(int64(c))
	}
	s.b = b
	s.flags &^= flagLent
}

// droppedMin is the least array counted by DroppedBytes.
const droppedMin = 1 << 20

// dropped counts the bytes of large arrays left behind by values that
// moved to new ones.
var dropped atomic.Int64

// DroppedBytes returns how many bytes of arrays of 1 MiB or more values
// left behind, when they grew or copied themselves, since the last call:
// garbage that the server may want the runtime to return to the system.
func DroppedBytes() int64 { return dropped.Swap(0) }

// SetRange overwrites the value from offset with b, padding with zero
// bytes if offset is past the end, and returns the new length.
func (s *String) SetRange(offset int, b []byte) int {
	if end := offset + len(b); end > cap(s.b) {
		grown := make([]byte, end)
		copy(grown, s.b)
		s.replace(grown)
	} else {
		s.own()
		if end > len(s.b) {
			// The padding must be zero bytes, whatever the spare
			// capacity holds.
			clear(s.b[len(s.b):end])
			s.b = s.b[:end]
		}
	}
	copy(s.b[offset:], b)
	s.form = formRaw
	return len(s.b)
}

// Copied reports whether the value was made by Clone.
func (s *String) Copied() bool { return s.flags&flagCopied != 0 }

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
	header := AllocSize(int(unsafe.Sizeof(*s)))
	if cap(s.b) > 0 && &s.b[:1][0] == &s.inline[0] {
		return header
	}
	return header + AllocSize(cap(s.b))
}

// Clone implements Value.
func (s *String) Clone() Value {
	c := newString(s.b, s.form)
	c.flags = flagCopied
	return c
}
