package config

import (
	"errors"

	"fmt"
	"github.com/cairn-db/cairn/resp"
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
		args, err := splitLine(line)
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

// splitLine splits a configuration line into its words as Redis does,
// with sdssplitargs (resp.SplitArgs), which reads a C string: a NUL ends
// the line.
func splitLine(line string) ([]string, error) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	words, ok := resp.SplitArgs([]byte(line))
	if !ok {
		return nil, errors.New("unbalanced quotes in configuration line")
	}
	args := make([]string, len(words))
	for i, w := range words {
		args[i] = string(w)
	}
	return args, nil
}
