package commands_test

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/datatypes"
)

const (
	errHashNotInteger = errReply("ERR hash value is not an integer")
	errHashNotFloat   = errReply("ERR hash value is not a float")
	errIntArg         = errReply("ERR value is not an integer or out of range")
	errFloatArg       = errReply("ERR value is not a valid float")
	errIncrOverflow   = errReply("ERR increment or decrement would overflow")
)

var hashScenarios = []struct {
	name  string
	steps []step
}{
	{"hset hget hmset hlen", []step{
		cmd(int64(1), "HSET", "h", "f1", "v1"),
		cmd(int64(2), "HSET", "h", "f2", "v2", "f3", "v3"),
		cmd(int64(1), "HSET", "h", "f1", "new", "f4", "v4"),
		cmd(int64(0), "HSET", "h", "f1", "new"),
		cmd("new", "HGET", "h", "f1"),
		cmd(nil, "HGET", "h", "nofield"),
		cmd(nil, "HGET", "nokey", "f"),
		cmd(int64(4), "HLEN", "h"),
		cmd(int64(0), "HLEN", "nokey"),
		cmd("hash", "TYPE", "h"),
		cmd("OK", "HMSET", "h", "f5", "v5", "f1", "v1"),
		cmd(arr("f1", "v1", "f2", "v2", "f3", "v3", "f4", "v4", "f5", "v5"), "HGETALL", "h"),
		cmd(int64(1), "HSET", "h", "bin\x00ary", ""),
		cmd("", "HGET", "h", "bin\x00ary"),
		cmd(arityErr("hset"), "HSET", "h", "f"),
		cmd(arityErr("hset"), "HSET", "h", "f", "v", "g"),
		cmd(arityErr("hmset"), "HMSET", "h", "f", "v", "g"),
		cmd(arityErr("hget"), "HGET", "h"),
	}},
	{"hsetnx", []step{
		cmd(int64(1), "HSETNX", "h", "f", "v"),
		cmd(int64(0), "HSETNX", "h", "f", "w"),
		cmd("v", "HGET", "h", "f"),
		cmd(arityErr("hsetnx"), "HSETNX", "h", "f"),
	}},
	{"hmget hdel", []step{
		cmd(int64(3), "HSET", "h", "a", "1", "b", "2", "c", "3"),
		cmd(arr("1", nil, "2", "1"), "HMGET", "h", "a", "x", "b", "a"),
		cmd(arr(nil, nil), "HMGET", "nokey", "a", "b"),
		cmd(int64(1), "HDEL", "h", "a", "x"),
		cmd(int64(0), "HDEL", "h", "a"),
		cmd(int64(0), "HDEL", "nokey", "a"),
		cmd(int64(2), "HDEL", "h", "b", "c", "b"),
		cmd(int64(0), "EXISTS", "h"),
		cmd(arityErr("hdel"), "HDEL", "h"),
		cmd(arityErr("hmget"), "HMGET", "h"),
	}},
	{"hstrlen hexists hkeys hvals hgetall", []step{
		cmd(int64(3), "HSET", "h", "a", "hello", "b", "", "c", "-12"),
		cmd(int64(5), "HSTRLEN", "h", "a"),
		cmd(int64(0), "HSTRLEN", "h", "b"),
		cmd(int64(3), "HSTRLEN", "h", "c"),
		cmd(int64(0), "HSTRLEN", "h", "x"),
		cmd(int64(0), "HSTRLEN", "nokey", "a"),
		cmd(int64(1), "HEXISTS", "h", "b"),
		cmd(int64(0), "HEXISTS", "h", "x"),
		cmd(int64(0), "HEXISTS", "nokey", "a"),
		cmd(arr("a", "b", "c"), "HKEYS", "h"),
		cmd(arr("hello", "", "-12"), "HVALS", "h"),
		cmd(arr("a", "hello", "b", "", "c", "-12"), "HGETALL", "h"),
		cmd([]any{}, "HKEYS", "nokey"),
		cmd([]any{}, "HVALS", "nokey"),
		cmd([]any{}, "HGETALL", "nokey"),
	}},
	{"hincrby", []step{
		cmd(int64(5), "HINCRBY", "h", "n", "5"),
		cmd(int64(-5), "HINCRBY", "h", "n", "-10"),
		cmd(errIntArg, "HINCRBY", "h", "n", "x"),
		cmd(errIntArg, "HINCRBY", "h", "n", "1.5"),
		cmd(int64(4), "HSET", "h", "s", "abc", "sp", " 1", "plus", "+1", "f", "1.5"),
		cmd(errHashNotInteger, "HINCRBY", "h", "s", "1"),
		cmd(errHashNotInteger, "HINCRBY", "h", "sp", "1"),
		cmd(errHashNotInteger, "HINCRBY", "h", "plus", "1"),
		cmd(errHashNotInteger, "HINCRBY", "h", "f", "1"),
		cmd(int64(9223372036854775807), "HINCRBY", "h", "max", "9223372036854775807"),
		cmd(errIncrOverflow, "HINCRBY", "h", "max", "1"),
		cmd(int64(-9223372036854775808), "HINCRBY", "h", "min", "-9223372036854775808"),
		cmd(errIncrOverflow, "HINCRBY", "h", "min", "-1"),
		cmd(int64(-9223372036854775807), "HINCRBY", "h", "min", "1"),
		cmd(errIntArg, "HINCRBY", "nokey", "f", "x"),
		cmd(int64(0), "EXISTS", "nokey"),
		cmd(arityErr("hincrby"), "HINCRBY", "h", "n"),
	}},
	{"hincrbyfloat", []step{
		cmd("1.5", "HINCRBYFLOAT", "h", "f", "1.5"),
		cmd("3", "HINCRBYFLOAT", "h", "f", "1.5"),
		cmd("3000.10000000000000009", "HINCRBYFLOAT", "h", "f", "2997.1"),
		cmd("17", "HINCRBYFLOAT", "h", "hex", "0x11"),
		cmd(errFloatArg, "HINCRBYFLOAT", "h", "f", "x"),
		cmd(errFloatArg, "HINCRBYFLOAT", "h", "f", "nan"),
		cmd(errReply("ERR value is NaN or Infinity"), "HINCRBYFLOAT", "h", "f", "inf"),
		cmd(errReply("ERR value is NaN or Infinity"), "HINCRBYFLOAT", "nokey", "f", "-inf"),
		cmd(int64(0), "EXISTS", "nokey"),
		cmd(int64(2), "HSET", "h", "s", "abc", "big", "1e4932"),
		cmd(errHashNotFloat, "HINCRBYFLOAT", "h", "s", "1"),
		cmd(errReply("ERR increment would produce NaN or Infinity"), "HINCRBYFLOAT", "h", "big", "1e4932"),
		cmd(arityErr("hincrbyfloat"), "HINCRBYFLOAT", "h", "f"),
	}},
	{"hrandfield errors and edges", []step{
		cmd(int64(3), "HSET", "h", "a", "1", "b", "2", "c", "3"),
		cmd(nil, "HRANDFIELD", "nokey"),
		cmd([]any{}, "HRANDFIELD", "nokey", "3"),
		cmd([]any{}, "HRANDFIELD", "nokey", "-3", "WITHVALUES"),
		cmd([]any{}, "HRANDFIELD", "h", "0"),
		cmd(arr("a", "b", "c"), "HRANDFIELD", "h", "3"),
		cmd(arr("a", "1", "b", "2", "c", "3"), "HRANDFIELD", "h", "100", "withvalues"),
		cmd(errIntArg, "HRANDFIELD", "h", "x"),
		cmd(errReply("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"),
			"HRANDFIELD", "h", "-9223372036854775808"),
		cmd(errReply("ERR value is out of range"), "HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"),
		cmd(errReply("ERR value is out of range"), "HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"),
		cmd(errSyntaxReply, "HRANDFIELD", "h", "1", "WITHVALUE"),
		cmd(errSyntaxReply, "HRANDFIELD", "h", "1", "WITHVALUES", "x"),
		cmd(errIntArg, "HRANDFIELD", "h", "x", "WITHVALUES"),
	}},
	{"hscan", []step{
		cmd(int64(4), "HSET", "h", "a", "1", "b", "2", "c", "3", "ab", "4"),
		cmd(arr("0", arr("a", "1", "b", "2", "c", "3", "ab", "4")), "HSCAN", "h", "0"),
		cmd(arr("0", arr("a", "1", "ab", "4")), "HSCAN", "h", "0", "MATCH", "a*"),
		cmd(arr("0", arr("a", "1", "b", "2", "c", "3", "ab", "4")), "HSCAN", "h", "99", "COUNT", "1"),
		cmd(arr("0", []any{}), "HSCAN", "nokey", "0"),
		cmd(errReply("ERR invalid cursor"), "HSCAN", "h", "x"),
		cmd(errSyntaxReply, "HSCAN", "h", "0", "COUNT", "0"),
		cmd(errSyntaxReply, "HSCAN", "h", "0", "TYPE", "hash"),
		cmd(wrongType, "HSCAN", "other", "0"),
	}},
	{"wrongtype", []step{
		cmd(wrongType, "HSET", "other", "f", "v"),
		cmd(wrongType, "HSETNX", "other", "f", "v"),
		cmd(wrongType, "HMSET", "other", "f", "v"),
		cmd(wrongType, "HGET", "other", "f"),
		cmd(wrongType, "HMGET", "other", "f"),
		cmd(wrongType, "HDEL", "other", "f"),
		cmd(wrongType, "HLEN", "other"),
		cmd(wrongType, "HSTRLEN", "other", "f"),
		cmd(wrongType, "HEXISTS", "other", "f"),
		cmd(wrongType, "HKEYS", "other"),
		cmd(wrongType, "HVALS", "other"),
		cmd(wrongType, "HGETALL", "other"),
		cmd(wrongType, "HINCRBY", "other", "f", "1"),
		cmd(wrongType, "HINCRBYFLOAT", "other", "f", "1"),
		cmd(wrongType, "HRANDFIELD", "other"),
		cmd(wrongType, "HRANDFIELD", "other", "1"),
		cmd("list", "TYPE", "other"),
	}},
}

func TestHashCommands(t *testing.T) {
	for _, sc := range hashScenarios {
		t.Run(sc.name, func(t *testing.T) {
			runSteps(t, startStringServer(t, nil), sc.steps)
		})
	}
}

// TestHashRandomFields checks what HRANDFIELD chooses: fields of the
// hash with their values, distinct for a positive count, as many as
// asked.
func TestHashRandomFields(t *testing.T) {
	s := startStringServer(t, func(c *config.Config) { c.HashMaxListpackEntries = 5 })
	values := map[string]string{}
	for _, n := range []int{4, 10} { // a listpack, then a hashtable
		for i := len(values); i < n; i++ {
			f := fmt.Sprint("f", i)
			values[f] = fmt.Sprint("v", i)
			s.do(t, "HSET", "h", f, values[f])
		}
		for _, count := range []int{1, 2, 3, n - 1, n, n + 1, -1, -7, -30} {
			for _, withValues := range []bool{false, true} {
				args := []any{"HRANDFIELD", "h", strconv.Itoa(count)}
				step := 1
				if withValues {
					args = append(args, "WITHVALUES")
					step = 2
				}
				got := replyStrs(t, s.do(t, args...))
				want := min(count, n)
				if count < 0 {
					want = -count
				}
				if len(got) != want*step {
					t.Errorf("%v: %d elements, want %d", args, len(got), want*step)
					continue
				}
				var fields []string
				for i := 0; i < len(got); i += step {
					v, ok := values[got[i]]
					if !ok || (withValues && got[i+1] != v) {
						t.Errorf("%v: %q is not a field with its value", args, got[i:i+step])
					}
					fields = append(fields, got[i])
				}
				if count > 0 && len(slices.Compact(slices.Sorted(slices.Values(fields)))) != len(fields) {
					t.Errorf("%v: repeated fields %q", args, fields)
				}
			}
		}
		if f, _ := s.do(t, "HRANDFIELD", "h").(string); values[f] == "" {
			t.Errorf("HRANDFIELD h = %q, not a field", f)
		}
	}
}

// TestHashEncodings follows OBJECT ENCODING through the conversions, with
// the limits changed at run time under their old and new names.
func TestHashEncodings(t *testing.T) {
	s := startStringServer(t, nil)
	long := strings.Repeat("x", 65)
	tests := []struct {
		args []any
		key  string
		want string
	}{
		{[]any{"HSET", "h", "a", "1"}, "h", "listpack"},
		{[]any{"HSET", "h", "b", long}, "h", "hashtable"},
		{[]any{"HDEL", "h", "b"}, "h", "hashtable"},
		{[]any{"HSET", "k", long, "1"}, "k", "hashtable"},
		{[]any{"CONFIG", "SET", "hash-max-ziplist-entries", "2"}, "h", "hashtable"},
		{[]any{"HSET", "e", "a", "1", "b", "2"}, "e", "listpack"},
		{[]any{"HSETNX", "e", "a", "3"}, "e", "listpack"},
		{[]any{"HSETNX", "e", "c", "3"}, "e", "hashtable"},
		{[]any{"CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "3"}, "e", "hashtable"},
		{[]any{"HSET", "v", "a", "999"}, "v", "listpack"},
		{[]any{"HSETNX", "v", "a", "99999"}, "v", "listpack"},
		{[]any{"HINCRBY", "v", "a", "1"}, "v", "hashtable"},
		{[]any{"HINCRBYFLOAT", "w", "a", "0.5"}, "w", "listpack"},
		{[]any{"HINCRBYFLOAT", "w", "a", "0.25"}, "w", "hashtable"},
		{[]any{"CONFIG", "SET", "hash-max-ziplist-value", "64"}, "w", "hashtable"},
		{[]any{"HSET", "x", "a", strings.Repeat("y", 64)}, "x", "listpack"},
	}
	for _, tt := range tests {
		if got, isErr := s.do(t, tt.args...).(errReply); isErr {
			t.Fatalf("%v: %v", tt.args, got)
		}
		if got := valueAt[*datatypes.Hash](t, s, tt.key).Encoding(); got != tt.want {
			t.Errorf("after %v: %s is %s, want %s", tt.args, tt.key, got, tt.want)
		}
		if got := s.do(t, "OBJECT", "ENCODING", tt.key); got != tt.want {
			t.Errorf("after %v: OBJECT ENCODING %s = %v, want %s", tt.args, tt.key, got, tt.want)
		}
	}
	runSteps(t, s, []step{
		cmd(arr("hash-max-listpack-entries", "512"), "CONFIG", "GET", "hash-max-listpack-entries"),
		cmd(arr("hash-max-ziplist-value", "64"), "CONFIG", "GET", "hash-max-ziplist-value"),
		cmd(arr("list-max-ziplist-size", "-2"), "CONFIG", "GET", "list-max-ziplist-size"),
		cmd(arr("set-max-intset-entries", "512"), "CONFIG", "GET", "set-max-intset-entries"),
		cmd(errReply("ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - argument must be between 0 and 9223372036854775807 inclusive"),
			"CONFIG", "SET", "hash-max-listpack-entries", "-1"),
		cmd(errReply("ERR CONFIG SET failed (possibly related to argument 'list-max-listpack-size') - argument must be between -2147483648 and 2147483647 inclusive"),
			"CONFIG", "SET", "list-max-ziplist-size", "-2147483649"),
	})
}

// TestHScanGuarantee scans a hashtable hash with small counts while it
// changes, and requires every field present for the whole scan, with its
// value.
func TestHScanGuarantee(t *testing.T) {
	s := startStringServer(t, nil)
	args := []any{"HSET", "h"}
	for i := range 2000 {
		args = append(args, fmt.Sprint("f", i), fmt.Sprint("v", i))
	}
	s.do(t, args...)
	seen := map[string]string{}
	cursor := "0"
	for i := 0; ; i++ {
		reply := s.do(t, "HSCAN", "h", cursor, "COUNT", "7").([]any)
		items := replyStrs(t, reply[1])
		for j := 0; j+1 < len(items); j += 2 {
			seen[items[j]] = items[j+1]
		}
		cursor = reply[0].(string)
		if cursor == "0" {
			break
		}
		s.do(t, "HSET", "h", fmt.Sprint("new", i), "x")
		s.do(t, "HDEL", "h", fmt.Sprint("f", 1000+i))
	}
	for i := range 1000 {
		if f := fmt.Sprint("f", i); seen[f] != fmt.Sprint("v", i) {
			t.Fatalf("%s was present for the whole scan but returned as %q", f, seen[f])
		}
	}
}

func TestHashEffects(t *testing.T) {
	e := newEffectsEngine()
	e.engine.KS.Lock()
	e.engine.KS.DB(0).Set([]byte("other"), notString{})
	e.engine.KS.Unlock()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"HSET", "h", "a", "1", "b", "2"}, []string{"HSET h a 1 b 2"}},
		{[]string{"HSET", "h", "a", "1"}, nil},
		{[]string{"HSET", "h", "a", "1", "b", "3"}, []string{"HSET h a 1 b 3"}},
		{[]string{"HMSET", "h", "a", "1"}, nil},
		{[]string{"HMSET", "h", "c", "1"}, []string{"HMSET h c 1"}},
		{[]string{"HSET", "other", "a", "1"}, nil},
		{[]string{"HSETNX", "h", "a", "9"}, nil},
		{[]string{"HSETNX", "h", "d", "9"}, []string{"HSETNX h d 9"}},
		{[]string{"HDEL", "h", "x"}, nil},
		{[]string{"HDEL", "h", "d", "x"}, []string{"HDEL h d x"}},
		{[]string{"HINCRBY", "h", "a", "2"}, []string{"HINCRBY h a 2"}},
		{[]string{"HINCRBY", "h", "a", "0"}, []string{"HINCRBY h a 0"}},
		{[]string{"HINCRBY", "h", "a", "x"}, nil},
		{[]string{"HINCRBYFLOAT", "h", "f", "1.5"}, []string{"HSET h f 1.5"}},
		{[]string{"HINCRBYFLOAT", "h", "f", "0"}, []string{"HSET h f 1.5"}},
		{[]string{"HSET", "h", "g", "1.50"}, []string{"HSET h g 1.50"}},
		{[]string{"HINCRBYFLOAT", "h", "g", "0"}, []string{"HSET h g 1.5"}},
		{[]string{"HINCRBYFLOAT", "h", "g", "inf"}, nil},
		{[]string{"HGET", "h", "a"}, nil},
		{[]string{"HGETALL", "h"}, nil},
		{[]string{"HRANDFIELD", "h", "-3", "WITHVALUES"}, nil},
		{[]string{"HSCAN", "h", "0"}, nil},
		{[]string{"HDEL", "h", "a", "b", "c", "f", "g"}, []string{"HDEL h a b c f g"}},
		{[]string{"EXISTS", "h"}, nil},
	}
	for _, tt := range tests {
		reply, got := e.exec(tt.args...)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q (reply %q): effects %q, want %q", tt.args, reply, got, tt.want)
		}
	}
}

func TestHashRESP3(t *testing.T) {
	e := newEffectsEngine()
	e.client.W.Proto = 3
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"HSET", "h", "a", "1", "b", "2"}, ":2\r\n"},
		{[]string{"HGETALL", "h"}, "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{[]string{"HGETALL", "nokey"}, "%0\r\n"},
		{[]string{"HKEYS", "h"}, "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{[]string{"HVALS", "nokey"}, "*0\r\n"},
		{[]string{"HGET", "h", "x"}, "_\r\n"},
		{[]string{"HMGET", "h", "a", "x"}, "*2\r\n$1\r\n1\r\n_\r\n"},
		{[]string{"HRANDFIELD", "nokey"}, "_\r\n"},
		{[]string{"HRANDFIELD", "h", "5"}, "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{[]string{"HRANDFIELD", "h", "5", "WITHVALUES"}, "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{[]string{"HRANDFIELD", "h", "0", "WITHVALUES"}, "*0\r\n"},
		{[]string{"HRANDFIELD", "nokey", "2", "WITHVALUES"}, "*0\r\n"},
		{[]string{"HSCAN", "h", "0"}, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{[]string{"HINCRBYFLOAT", "h", "a", "0.5"}, "$3\r\n1.5\r\n"},
	}
	for _, tt := range tests {
		if got, _ := e.exec(tt.args...); got != tt.want {
			t.Errorf("%q = %q, want %q", tt.args, got, tt.want)
		}
	}
	// Repeated pairs: each one a [field, value] array.
	got, _ := e.exec("HRANDFIELD", "h", "-3", "WITHVALUES")
	if !strings.HasPrefix(got, "*3\r\n*2\r\n") || strings.Count(got, "*2\r\n") != 3 {
		t.Errorf("HRANDFIELD h -3 WITHVALUES = %q, want 3 pairs", got)
	}
}

func TestHashCommandMetadata(t *testing.T) {
	compareGroupMetadata(t, "hash", []string{"hdel", "hexists", "hget", "hgetall", "hincrby", "hincrbyfloat", "hkeys",
		"hlen", "hmget", "hmset", "hrandfield", "hscan", "hset", "hsetnx", "hstrlen", "hvals"})
}
