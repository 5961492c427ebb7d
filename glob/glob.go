// Package glob matches strings against Redis glob patterns (KEYS, SCAN
// MATCH, CONFIG GET) with the exact rules of Redis 7.0's stringmatchlen
// (src/util.c), quirks included:
//
//   - An unterminated class ("[abc") takes the rest of the pattern.
//   - A range compares bytes as C's signed char, so "[a-\xff]" is the range
//     -1..'a' and matches '0' but not 'b'.
//   - "\" escapes the next byte, inside a class too; a trailing "\" is a
//     literal backslash.
//   - Escapes inside a class compare case-sensitively even with nocase.
//   - Recursion on '*' stops at a nesting depth of 1000 (the pattern then
//     does not match), and a failed '*' stops longer matches of earlier
//     '*'s, which bounds the time a hostile pattern can take.
package glob

// Match reports whether s matches pattern. nocase folds ASCII case.
func Match(pattern, s []byte, nocase bool) bool {
	skipLongerMatches := false
	return match(pattern, 0, s, nocase, &skipLongerMatches, 0)
}

// MatchString is Match for strings.
func MatchString(pattern, s string, nocase bool) bool {
	return Match([]byte(pattern), []byte(s), nocase)
}

// maxNesting bounds the recursion on '*' as Redis does.
const maxNesting = 1000

// match is stringmatchlen_impl with the pattern as the suffix of pat that
// starts at pi. Redis reads its pattern past the end, where the sds
// terminator is a zero byte; at reproduces that read.
func match(pat []byte, pi int, s []byte, nocase bool, skipLongerMatches *bool, nesting int) bool {
	if nesting > maxNesting {
		return false
	}
	at := func(i int) byte {
		if i < len(pat) {
			return pat[i]
		}
		return 0
	}
	for pi < len(pat) && len(s) > 0 {
		switch pat[pi] {
		case '*':
			for at(pi+1) == '*' {
				pi++
			}
			if pi == len(pat)-1 {
				return true
			}
			for len(s) > 0 {
				if match(pat, pi+1, s, nocase, skipLongerMatches, nesting+1) {
					return true
				}
				if *skipLongerMatches {
					return false
				}
				s = s[1:]
			}
			// The rest of the pattern matches nowhere in the rest of the
			// string, so longer matches of earlier '*'s cannot help.
			*skipLongerMatches = true
			return false
		case '?':
			s = s[1:]
		case '[':
			pi++
			not := at(pi) == '^'
			if not {
				pi++
			}
			matched := false
			for {
				rest := len(pat) - pi
				if at(pi) == '\\' && rest >= 2 {
					pi++
					if pat[pi] == s[0] {
						matched = true
					}
				} else if at(pi) == ']' {
					break
				} else if rest == 0 {
					// Unterminated class: step back so that the pattern
					// ends with it.
					pi--
					break
				} else if rest >= 3 && pat[pi+1] == '-' {
					start, end, c := int(int8(pat[pi])), int(int8(pat[pi+2])), int(int8(s[0]))
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, c = lower(start), lower(end), lower(c)
					}
					pi += 2
					if c >= start && c <= end {
						matched = true
					}
				} else if equal(pat[pi], s[0], nocase) {
					matched = true
				}
				pi++
			}
			if not {
				matched = !matched
			}
			if !matched {
				return false
			}
			s = s[1:]
		case '\\':
			if len(pat)-pi >= 2 {
				pi++
			}
			if !equal(pat[pi], s[0], nocase) {
				return false
			}
			s = s[1:]
		default:
			if !equal(pat[pi], s[0], nocase) {
				return false
			}
			s = s[1:]
		}
		pi++
		if len(s) == 0 {
			for at(pi) == '*' {
				pi++
			}
			break
		}
	}
	return pi == len(pat) && len(s) == 0
}

func equal(a, b byte, nocase bool) bool {
	if nocase {
		return lower(int(a)) == lower(int(b))
	}
	return a == b
}

// lower is C's tolower in the C locale: only ASCII letters change.
func lower(c int) int {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
