package datatypes

// StringMeta is what a String knows of itself besides its bytes (how it
// was made, which decides OBJECT ENCODING), in three bits, so that a store
// keeping strings as bytes can give the same String back.
type StringMeta uint8

// metaCopied is StringMeta's bit for flagCopied; the two bits below it
// hold the stringForm.
const metaCopied StringMeta = 1 << 2

// MetaRaw is the StringMeta of a string changed in place (APPEND,
// SETRANGE, SETBIT, PFADD), which OBJECT ENCODING reports as "raw"
// whatever its length.
const MetaRaw = StringMeta(formRaw)

// Meta returns the string's StringMeta.
func (s *String) Meta() StringMeta {
	m := StringMeta(s.form)
	if s.flags&flagCopied != 0 {
		m |= metaCopied
	}
	return m
}

// RestoreString returns a String holding a copy of b with the given
// StringMeta, as Meta reported it.
func RestoreString(b []byte, m StringMeta) *String {
	s := &String{}
	s.Restore(b, m)
	return s
}

// Restore makes s hold a copy of b with the given StringMeta, reusing its
// memory: a store that hands out its strings one at a time (a snapshot's
// walk) needs only one String.
func (s *String) Restore(b []byte, m StringMeta) {
	if len(b) <= inlineCap {
		s.b = s.inline[:0:inlineCap]
	} else if cap(s.b) < len(b) {
		s.b = nil
	}
	s.b = append(s.b[:0], b...)
	s.form, s.flags = stringForm(m&^metaCopied), 0
	if m&metaCopied != 0 {
		s.flags = flagCopied
	}
}
