package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// directive is one line of a redis.conf: the option and its arguments.
type directive struct {
	name string
	args []string
	// where is file:line, for errors.
	where string
}

// readRedisConf reads a configuration file in Redis's format: an option
// and its arguments per line, split as Redis's sdssplitargs splits them
// (double quotes with escapes, single quotes), '#' comments, and include
// lines read in place (a glob, as Redis 7.0's).
func readRedisConf(path string) ([]directive, error) {
	return readRedisConfDepth(path, 0)
}

func readRedisConfDepth(path string, depth int) ([]directive, error) {
	if depth > 16 {
		return nil, fmt.Errorf("%s: include nested too deeply", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []directive
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(strings.TrimRight(line, "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		where := fmt.Sprintf("%s:%d", path, i+1)
		args, err := splitArgs(line)
		if err != nil {
			return nil, fmt.Errorf("%s: %v: %s", where, err, line)
		}
		if len(args) == 0 {
			continue
		}
		name := strings.ToLower(args[0])
		if name == "include" {
			if len(args) != 2 {
				return nil, fmt.Errorf("%s: include takes one file: %s", where, line)
			}
			files, err := filepath.Glob(args[1])
			if err != nil || len(files) == 0 {
				files = []string{args[1]} // reading it reports the error
			}
			for _, f := range files {
				inc, err := readRedisConfDepth(f, depth+1)
				if err != nil {
					return nil, fmt.Errorf("%s: include: %w", where, err)
				}
				out = append(out, inc...)
			}
			continue
		}
		out = append(out, directive{name: name, args: args[1:], where: where})
	}
	return out, nil
}

// splitArgs splits a line as Redis's sdssplitargs: words separated by
// spaces; "double quotes" with \n \r \t \b \a \\ \" and \xHH escapes;
// 'single quotes' with \' only. A closing quote must be followed by a
// space or the end of the line.
func splitArgs(line string) ([]string, error) {
	var args []string
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return args, nil
		}
		var cur []byte
		inDouble, inSingle := false, false
		for done := false; !done; {
			switch {
			case inDouble:
				if i == len(line) {
					return nil, fmt.Errorf("unbalanced quotes")
				}
				c := line[i]
				switch {
				case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					cur = append(cur, hexVal(line[i+2])<<4|hexVal(line[i+3]))
					i += 3
				case c == '\\' && i+1 < len(line):
					i++
					switch line[i] {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, line[i])
					}
				case c == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, fmt.Errorf("closing quote must be followed by a space")
					}
					done = true
				default:
					cur = append(cur, c)
				}
			case inSingle:
				if i == len(line) {
					return nil, fmt.Errorf("unbalanced quotes")
				}
				c := line[i]
				switch {
				case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					cur = append(cur, '\'')
				case c == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, fmt.Errorf("closing quote must be followed by a space")
					}
					done = true
				default:
					cur = append(cur, c)
				}
			default:
				if i == len(line) {
					done = true
					continue
				}
				switch c := line[i]; {
				case isSpace(c):
					done = true
				case c == '"':
					inDouble = true
				case c == '\'':
					inSingle = true
				default:
					cur = append(cur, c)
				}
			}
			if i < len(line) {
				i++
			}
		}
		args = append(args, string(cur))
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
