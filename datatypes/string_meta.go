package datatypes

// StringMeta is what a String knows of itself besides its bytes (how it
// was made, which decides OBJECT ENCODING), in two bits, so that a store
// keeping strings as bytes can give the same String back.
type StringMeta uint8

// Meta returns the string's StringMeta.
func (s *String) Meta() StringMeta {
	m := StringMeta(s.form)
	if s.copied {
		m |= 1 << 2
	}
	return m
}

// RestoreString returns a String holding a copy of b with the given
// StringMeta, as Meta reported it.
func RestoreString(b []byte, m StringMeta) *String {
	s := newString(b, stringForm(m&3))
	s.copied = m&(1<<2) != 0
	return s
}
