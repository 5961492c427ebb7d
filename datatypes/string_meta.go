package datatypes

// StringMeta is what a String knows of itself besides its bytes (how it
// was made, which decides OBJECT ENCODING), in two bits, so that a store
// keeping strings as bytes can give the same String back.
type StringMeta uint8

// Meta returns the string's StringMeta.
func (s *String) Meta() StringMeta {
	m := StringMeta(s.form)
	if s.flags&flagCopied != 0 {
		m |= 1 << 2
	}
	return m
}

// RestoreString returns a String holding a copy of b with the given
// StringMeta, as Meta reported it.
func RestoreString(b []byte, m StringMeta) *String {
	s := newString(b, stringForm(m&3))
	s.setMeta(m)
	return s
}

// Restore makes s hold a copy of b with the given StringMeta, reusing its
// memory: a store that hands out its strings one at a time (a snapshot's
// walk) needs only one String.
func (s *String) Restore(b []byte, m StringMeta) {
	if cap(s.b) < len(b) || len(b) <= inlineCap {
		*s = String{}
		if len(b) <= inlineCap {
			s.b = s.inline[:0:inlineCap]
		}
	}
	s.b = append(s.b[:0], b...)
	s.setMeta(m)
}

func (s *String) setMeta(m StringMeta) {
	s.form, s.flags = stringForm(m&3), 0
	if m&(1<<2) != 0 {
		s.flags = flagCopied
	}
}
