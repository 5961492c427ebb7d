// Package glob matches strings against Redis glob patterns (KEYS, SCAN
// MATCH, CONFIG GET) with the exact rules of Redis's stringmatchlen.
package glob

// Match reports whether s matches pattern. nocase folds ASCII case.
func Match(pattern, s []byte, nocase bool) bool {
	skipLongerMatches := false
	return match(pattern, s, nocase, &skipLongerMatches, 0)
}

// MatchString is Match for strings.
func MatchString(pattern, s string, nocase bool) bool {
	return Match([]byte(pattern), []byte(s), nocase)
}

// maxNesting bounds the recursion on '*' as Redis does, so that a hostile
// pattern cannot exhaust the stack.
const maxNesting = 1000

func match(p, s []byte, nocase bool, skipLongerMatches *bool, nesting int) bool {
	if nesting > maxNesting {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if match(p[1:], s, nocase, skipLongerMatches, nesting+1) {
					return true
				}
				if *skipLongerMatches {
					return false
				}
				s = s[1:]
			}
			// No match for the rest of the pattern at any offset: longer
			// prefixes cannot match either.
			*skipLongerMatches = true
			return false
		case '?':
			s = s[1:]
		case '[':
			p = p[1:]
			not := len(p) > 0 && p[0] == '^'
			if not {
				p = p[1:]
			}
			matched := false
			for {
				if len(p) == 0 {
					// Unterminated class: Redis steps back so that the
					// pattern ends here.
					break
				}
				if p[0] == '\\' && len(p) >= 2 {
					p = p[1:]
					if p[0] == s[0] {
						matched = true
					}
				} else if p[0] == ']' {
					break
				} else if len(p) >= 3 && p[1] == '-' {
					start, end := p[0], p[2]
					c := s[0]
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, c = lower(start), lower(end), lower(c)
					}
					p = p[2:]
					if c >= start && c <= end {
						matched = true
					}
				} else if equal(p[0], s[0], nocase) {
					matched = true
				}
				p = p[1:]
			}
			if not {
				matched = !matched
			}
			if !matched {
				return false
			}
			s = s[1:]
			if len(p) == 0 {
				// The class ran to the end of the pattern.
				return len(s) == 0
			}
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			if !equal(p[0], s[0], nocase) {
				return false
			}
			s = s[1:]
		default:
			if !equal(p[0], s[0], nocase) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

func equal(a, b byte, nocase bool) bool {
	if nocase {
		return lower(a) == lower(b)
	}
	return a == b
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
