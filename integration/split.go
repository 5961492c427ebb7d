// Package integration holds the tests that run cairn against Debian's
// redis-server and its tools: the differential scripts in testdata/ (see
// README.md) and redis-cli smoke tests. The package's own code is what the
// tests need to speak RESP at the byte level: a redis-cli argument splitter
// and a reader that returns one reply's exact bytes.
package integration

import "errors"

// errUnbalancedQuotes is returned for a line redis-cli would refuse with
// "Invalid argument(s)".
var errUnbalancedQuotes = errors.New("unbalanced quotes")

// SplitArgs splits a line into arguments as redis-cli does (Redis's
// sdssplitargs): arguments are separated by whitespace; "double quotes"
// understand \n \r \t \b \a \xHH and a backslash before any other character
// (\" \\) stands for that character; 'single quotes' are literal except for
// \'. A closing quote must be followed by whitespace or the end of the line.
// Quotes may start in the middle of an argument (a"b c" is "ab c"). As in C,
// a NUL byte ends the line.
func SplitArgs(line string) ([]string, error) {
	// at mimics reading a NUL-terminated C string.
	at := func(i int) byte {
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	args := []string{}
	p := 0
	for {
		for isCSpace(at(p)) {
			p++
		}
		if at(p) == 0 {
			return args, nil
		}
		var cur []byte
		inDouble, inSingle, done := false, false, false
		for !done {
			c := at(p)
			switch {
			case inDouble:
				switch {
				case c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
					cur = append(cur, unhex(at(p+2))<<4|unhex(at(p+3)))
					p += 3
				case c == '\\' && at(p+1) != 0:
					p++
					cur = append(cur, unescape(at(p)))
				case c == '"':
					if at(p+1) != 0 && !isCSpace(at(p+1)) {
						return nil, errUnbalancedQuotes
					}
					done = true
				case c == 0:
					return nil, errUnbalancedQuotes
				default:
					cur = append(cur, c)
				}
			case inSingle:
				switch {
				case c == '\\' && at(p+1) == '\'':
					p++
					cur = append(cur, '\'')
				case c == '\'':
					if at(p+1) != 0 && !isCSpace(at(p+1)) {
						return nil, errUnbalancedQuotes
					}
					done = true
				case c == 0:
					return nil, errUnbalancedQuotes
				default:
					cur = append(cur, c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inDouble = true
				case '\'':
					inSingle = true
				default:
					cur = append(cur, c)
				}
			}
			if at(p) != 0 {
				p++
			}
		}
		args = append(args, string(cur))
	}
}

// isCSpace is C's isspace in the "C" locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	default:
		return c
	}
}
