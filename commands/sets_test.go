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
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace"
)

// anyOrder is a want for a reply whose order Redis leaves to its hash
// table: the elements of an array, compared sorted.
type anyOrder []string

// runUnorderedSteps is runSteps where a want of type anyOrder compares the
// reply's elements anyOrder.
func runUnorderedSteps(t *testing.T, s *stringServer, steps []step) {
	t.Helper()
	for _, st := range steps {
		got := s.do(t, st.args...)
		if want, ok := st.want.(anyOrder); ok {
			items, isArr := got.([]any)
			if !isArr {
				t.Errorf("%v = %#v, want an array", st.args, got)
				continue
			}
			strs := make([]string, len(items))
			for i, it := range items {
				strs[i] = fmt.Sprint(it)
			}
			slices.Sort(strs)
			w := slices.Clone([]string(want))
			slices.Sort(w)
			if !slices.Equal(strs, w) {
				t.Errorf("%v = %q, want %q in any order", st.args, strs, w)
			}
			continue
		}
		if !reflect.DeepEqual(got, st.want) {
			t.Errorf("%v = %#v, want %#v", st.args, got, st.want)
		}
	}
}

func arityErr(name string) errReply {
	return errReply("ERR wrong number of arguments for '" + name + "' command")
}

const errSyntaxReply = errReply("ERR syntax error")

var setScenarios = []struct {
	name  string
	steps []step
}{
	{"sadd scard sismember smembers", []step{
		cmd(int64(3), "SADD", "s", "3", "1", "2"),
		cmd(int64(1), "SADD", "s", "2", "4"),
		cmd(int64(0), "SADD", "s", "4"),
		cmd(int64(4), "SCARD", "s"),
		cmd(arr("1", "2", "3", "4"), "SMEMBERS", "s"),
		cmd("set", "TYPE", "s"),
		cmd(int64(1), "SISMEMBER", "s", "1"),
		cmd(int64(0), "SISMEMBER", "s", "5"),
		cmd(int64(0), "SISMEMBER", "s", "+1"),
		cmd(int64(0), "SISMEMBER", "nokey", "1"),
		cmd(int64(0), "SCARD", "nokey"),
		cmd([]any{}, "SMEMBERS", "nokey"),
		cmd(int64(2), "SADD", "b", "a\x00b", ""),
		cmd(anyOrder{"", "a\x00b"}, "SMEMBERS", "b"),
		cmd(int64(1), "SISMEMBER", "b", ""),
		cmd(arityErr("sadd"), "SADD", "s"),
		cmd(arityErr("scard"), "SCARD", "s", "x"),
		cmd(arityErr("sismember"), "SISMEMBER", "s"),
		cmd(arityErr("smembers"), "SMEMBERS"),
	}},
	{"smismember", []step{
		cmd(int64(2), "SADD", "s", "1", "a"),
		cmd(arr(int64(1), int64(0), int64(1), int64(1)), "SMISMEMBER", "s", "1", "2", "a", "1"),
		cmd(arr(int64(0), int64(0)), "SMISMEMBER", "nokey", "a", "b"),
		cmd(arityErr("smismember"), "SMISMEMBER", "s"),
	}},
	{"srem", []step{
		cmd(int64(3), "SADD", "s", "1", "2", "3"),
		cmd(int64(1), "SREM", "s", "1", "9", "a"),
		cmd(int64(0), "SREM", "s", "1"),
		cmd(int64(0), "SREM", "nokey", "1"),
		cmd(int64(2), "SREM", "s", "2", "3", "2"),
		cmd(int64(0), "EXISTS", "s"),
		cmd(arityErr("srem"), "SREM", "s"),
	}},
	{"smove", []step{
		cmd(int64(3), "SADD", "a", "1", "2", "3"),
		cmd(int64(2), "SADD", "b", "3", "4"),
		cmd(int64(1), "SMOVE", "a", "b", "1"),
		cmd(int64(1), "SMOVE", "a", "b", "3"),
		cmd(arr("2"), "SMEMBERS", "a"),
		cmd(arr("1", "3", "4"), "SMEMBERS", "b"),
		cmd(int64(0), "SMOVE", "a", "b", "9"),
		cmd(int64(1), "SMOVE", "a", "a", "2"),
		cmd(int64(0), "SMOVE", "a", "a", "9"),
		cmd(int64(0), "SMOVE", "nokey", "a", "2"),
		cmd(int64(1), "SMOVE", "a", "c", "2"),
		cmd(int64(0), "EXISTS", "a"),
		cmd(arr("2"), "SMEMBERS", "c"),
		cmd(int64(0), "SMOVE", "nokey", "other", "2"),
		cmd(wrongType, "SMOVE", "c", "other", "2"),
		cmd(wrongType, "SMOVE", "other", "c", "2"),
		cmd(wrongType, "SMOVE", "c", "other", "9"),
		cmd(arityErr("smove"), "SMOVE", "a", "b"),
	}},
	{"sinter sintercard sinterstore", []step{
		cmd(int64(5), "SADD", "a", "5", "4", "3", "2", "1"),
		cmd(int64(4), "SADD", "b", "2", "3", "4", "6"),
		cmd(int64(3), "SADD", "c", "x", "3", "4"),
		cmd(arr("2", "3", "4"), "SINTER", "a", "b"),
		cmd(anyOrder{"3", "4"}, "SINTER", "a", "b", "c"),
		cmd([]any{}, "SINTER", "a", "nokey"),
		cmd(wrongType, "SINTER", "nokey", "other"),
		cmd(wrongType, "SINTER", "a", "other"),
		cmd(int64(3), "SINTERCARD", "2", "a", "b"),
		cmd(int64(2), "SINTERCARD", "3", "a", "b", "c"),
		cmd(int64(1), "SINTERCARD", "2", "a", "b", "LIMIT", "1"),
		cmd(int64(3), "SINTERCARD", "2", "a", "b", "limit", "0"),
		cmd(int64(0), "SINTERCARD", "2", "a", "nokey"),
		cmd(wrongType, "SINTERCARD", "2", "nokey", "other"),
		cmd(errReply("ERR numkeys should be greater than 0"), "SINTERCARD", "0", "a"),
		cmd(errReply("ERR numkeys should be greater than 0"), "SINTERCARD", "x", "a"),
		cmd(errReply("ERR Number of keys can't be greater than number of args"), "SINTERCARD", "3", "a", "b"),
		cmd(errReply("ERR LIMIT can't be negative"), "SINTERCARD", "2", "a", "b", "LIMIT", "-1"),
		cmd(errReply("ERR LIMIT can't be negative"), "SINTERCARD", "2", "a", "b", "LIMIT", "x"),
		cmd(errSyntaxReply, "SINTERCARD", "2", "a", "b", "LIMIT"),
		cmd(errSyntaxReply, "SINTERCARD", "1", "a", "b"),
		cmd(arr("a", "b"), "COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1"),
		cmd(int64(2), "SINTERSTORE", "d", "a", "b", "c"),
		cmd(arr("3", "4"), "SMEMBERS", "d"),
		cmd(int64(0), "SINTERSTORE", "d", "a", "nokey"),
		cmd(int64(0), "EXISTS", "d"),
		cmd(int64(3), "SINTERSTORE", "other", "a", "b"),
		cmd("set", "TYPE", "other"),
		cmd(arityErr("sinterstore"), "SINTERSTORE", "d"),
	}},
	{"sunion sdiff and their store", []step{
		cmd(int64(3), "SADD", "a", "1", "2", "3"),
		cmd(int64(2), "SADD", "b", "3", "4"),
		cmd(int64(1), "SADD", "x", "x"),
		cmd(arr("1", "2", "3", "4"), "SUNION", "a", "b", "nokey"),
		cmd(anyOrder{"1", "2", "3", "x"}, "SUNION", "a", "x"),
		cmd([]any{}, "SUNION", "nokey"),
		cmd(wrongType, "SUNION", "nokey", "other"),
		cmd(arr("1", "2"), "SDIFF", "a", "b"),
		cmd(arr("1", "2", "3"), "SDIFF", "a", "nokey"),
		cmd([]any{}, "SDIFF", "nokey", "a"),
		cmd([]any{}, "SDIFF", "a", "b", "a"),
		cmd(wrongType, "SDIFF", "a", "other"),
		cmd(int64(5), "SUNIONSTORE", "d", "a", "b", "x"),
		cmd(int64(2), "SDIFFSTORE", "d", "a", "b"),
		cmd(arr("1", "2"), "SMEMBERS", "d"),
		cmd(int64(0), "SDIFFSTORE", "d", "a", "a"),
		cmd(int64(0), "EXISTS", "d"),
		cmd(int64(0), "SUNIONSTORE", "d", "nokey"),
		cmd(wrongType, "SDIFFSTORE", "d", "other", "a"),
		cmd(arityErr("sunion"), "SUNION"),
		cmd(arityErr("sdiffstore"), "SDIFFSTORE", "d"),
	}},
	{"srandmember and spop errors and edges", []step{
		cmd(int64(3), "SADD", "s", "1", "2", "3"),
		cmd(nil, "SRANDMEMBER", "nokey"),
		cmd([]any{}, "SRANDMEMBER", "nokey", "5"),
		cmd([]any{}, "SRANDMEMBER", "s", "0"),
		cmd(arr("1", "2", "3"), "SRANDMEMBER", "s", "3"),
		cmd(arr("1", "2", "3"), "SRANDMEMBER", "s", "9223372036854775807"),
		cmd(errReply("ERR value is not an integer or out of range"), "SRANDMEMBER", "s", "x"),
		cmd(errReply("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"),
			"SRANDMEMBER", "s", "-9223372036854775808"),
		cmd(errSyntaxReply, "SRANDMEMBER", "s", "1", "2"),
		cmd(wrongType, "SRANDMEMBER", "other"),
		cmd(wrongType, "SRANDMEMBER", "other", "2"),
		cmd(nil, "SPOP", "nokey"),
		cmd([]any{}, "SPOP", "nokey", "2"),
		cmd([]any{}, "SPOP", "s", "0"),
		cmd(errReply("ERR value is out of range, must be positive"), "SPOP", "s", "-1"),
		cmd(errReply("ERR value is out of range, must be positive"), "SPOP", "s", "x"),
		cmd(errSyntaxReply, "SPOP", "s", "1", "2"),
		cmd(wrongType, "SPOP", "other"),
		cmd(wrongType, "SPOP", "other", "1"),
		cmd(arr("1", "2", "3"), "SPOP", "s", "3"),
		cmd(int64(0), "EXISTS", "s"),
		cmd(int64(1), "SADD", "one", "a"),
		cmd("a", "SPOP", "one"),
		cmd(int64(0), "EXISTS", "one"),
	}},
	{"sscan", []step{
		cmd(int64(5), "SADD", "s", "1", "2", "3", "10", "20"),
		cmd(arr("0", arr("1", "2", "3", "10", "20")), "SSCAN", "s", "0"),
		cmd(arr("0", arr("1", "10")), "SSCAN", "s", "0", "MATCH", "1*"),
		cmd(arr("0", arr("1", "2", "3", "10", "20")), "SSCAN", "s", "5", "COUNT", "1"),
		cmd(arr("0", []any{}), "SSCAN", "nokey", "0", "COUNT", "0"),
		cmd(errReply("ERR invalid cursor"), "SSCAN", "nokey", "x"),
		cmd(errReply("ERR invalid cursor"), "SSCAN", "other", "x"),
		cmd(wrongType, "SSCAN", "other", "0", "COUNT", "0"),
		cmd(errSyntaxReply, "SSCAN", "s", "0", "COUNT", "0"),
		cmd(errReply("ERR value is not an integer or out of range"), "SSCAN", "s", "0", "COUNT", "x"),
		cmd(errSyntaxReply, "SSCAN", "s", "0", "MATCH"),
		cmd(errSyntaxReply, "SSCAN", "s", "0", "TYPE", "set"),
		cmd(arityErr("sscan"), "SSCAN", "s"),
	}},
	{"wrongtype", []step{
		cmd(wrongType, "SADD", "other", "a"),
		cmd(wrongType, "SREM", "other", "a"),
		cmd(wrongType, "SCARD", "other"),
		cmd(wrongType, "SISMEMBER", "other", "a"),
		cmd(wrongType, "SMISMEMBER", "other", "a"),
		cmd(wrongType, "SMEMBERS", "other"),
		cmd(wrongType, "SINTERSTORE", "d", "other"),
		cmd(wrongType, "SUNIONSTORE", "d", "other"),
		cmd("list", "TYPE", "other"),
	}},
}

func TestSetCommands(t *testing.T) {
	for _, sc := range setScenarios {
		t.Run(sc.name, func(t *testing.T) {
			runUnorderedSteps(t, startStringServer(t, nil), sc.steps)
		})
	}
}

// strs converts a reply array of strings.
func replyStrs(t *testing.T, v any) []string {
	t.Helper()
	items, ok := v.([]any)
	if !ok {
		t.Fatalf("reply %#v is not an array", v)
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.(string)
	}
	return out
}

// TestSetRandomMembers checks what SRANDMEMBER and SPOP choose: members
// of the set, distinct for a positive count, as many as asked.
func TestSetRandomMembers(t *testing.T) {
	s := startStringServer(t, nil)
	for _, members := range [][]string{
		{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, // intset
		{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"},  // hashtable
	} {
		args := []any{"SADD", "s"}
		for _, m := range members {
			args = append(args, m)
		}
		s.do(t, args...)
		for _, count := range []int{1, 2, 3, 4, 9, 10, 11, -1, -5, -30} {
			got := replyStrs(t, s.do(t, "SRANDMEMBER", "s", strconv.Itoa(count)))
			want := min(count, len(members))
			if count < 0 {
				want = -count
			}
			if len(got) != want {
				t.Errorf("SRANDMEMBER s %d: %d members, want %d", count, len(got), want)
			}
			for _, m := range got {
				if !slices.Contains(members, m) {
					t.Errorf("SRANDMEMBER s %d: %q is not a member", count, m)
				}
			}
			if count > 0 && len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
				t.Errorf("SRANDMEMBER s %d: repeated members %q", count, got)
			}
		}
		if m, _ := s.do(t, "SRANDMEMBER", "s").(string); !slices.Contains(members, m) {
			t.Errorf("SRANDMEMBER s = %q, not a member", m)
		}

		// SPOP removes what it returns, one at a time and with counts on
		// either side of the rebuild threshold.
		left := slices.Clone(members)
		pop := func(got []string) {
			for _, m := range got {
				i := slices.Index(left, m)
				if i < 0 {
					t.Fatalf("SPOP returned %q, not a remaining member of %q", m, left)
				}
				left = slices.Delete(left, i, i+1)
			}
		}
		pop([]string{s.do(t, "SPOP", "s").(string)})
		pop(replyStrs(t, s.do(t, "SPOP", "s", "2")))
		pop(replyStrs(t, s.do(t, "SPOP", "s", "6")))
		if rest := replyStrs(t, s.do(t, "SMEMBERS", "s")); !slices.Equal(slices.Sorted(slices.Values(rest)), slices.Sorted(slices.Values(left))) {
			t.Errorf("after SPOP: %q left, want %q", rest, left)
		}
		pop(replyStrs(t, s.do(t, "SPOP", "s", "5")))
		if len(left) != 0 || s.do(t, "EXISTS", "s") != int64(0) {
			t.Errorf("after popping everything: %q left", left)
		}
	}
}

// TestSetRandomCountTooLarge checks cairn's own limit: a negative count
// asking for a reply larger than proto-max-bulk-len is refused, where
// Redis builds the reply until memory runs out.
func TestSetRandomCountTooLarge(t *testing.T) {
	s := startStringServer(t, func(c *config.Config) { c.ProtoMaxBulkLen = 1 << 20 })
	tooLarge := errReply("ERR count is too large: the reply would exceed proto-max-bulk-len")
	runSteps(t, s, []step{
		cmd(int64(1), "SADD", "s", "a"),
		cmd(int64(1), "HSET", "h", "a", "1"),
		cmd(tooLarge, "SRANDMEMBER", "s", "-9223372036854775807"),
		cmd(tooLarge, "SRANDMEMBER", "s", strconv.Itoa(-(1<<20)/6-1)),
		cmd(tooLarge, "HRANDFIELD", "h", "-9223372036854775807"),
		cmd(tooLarge, "HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"),
		cmd([]any{}, "SRANDMEMBER", "nokey", "-9223372036854775807"),
	})
	if got := replyStrs(t, s.do(t, "SRANDMEMBER", "s", strconv.Itoa(-(1<<20)/6))); len(got) != (1<<20)/6 {
		t.Errorf("SRANDMEMBER at the limit: %d members", len(got))
	}
}

// TestSetEncodings follows OBJECT ENCODING through the conversions,
// with set-max-intset-entries changed at run time.
func TestSetEncodings(t *testing.T) {
	s := startStringServer(t, nil)
	tests := []struct {
		args []any
		key  string
		want string
	}{
		{[]any{"SADD", "i", "1", "-5", "9223372036854775807"}, "i", "intset"},
		{[]any{"SADD", "i", "a"}, "i", "hashtable"},
		{[]any{"SREM", "i", "a"}, "i", "hashtable"},
		{[]any{"SADD", "j", "01"}, "j", "hashtable"},
		{[]any{"CONFIG", "SET", "set-max-intset-entries", "2"}, "i", "hashtable"},
		{[]any{"SADD", "k", "1", "2"}, "k", "intset"},
		{[]any{"SADD", "k", "2"}, "k", "intset"},
		{[]any{"SADD", "k", "3"}, "k", "hashtable"},
		{[]any{"SMOVE", "k", "m", "3"}, "m", "intset"},
		{[]any{"SINTERSTORE", "n", "k", "k"}, "n", "intset"},
		{[]any{"SUNIONSTORE", "n", "k", "m"}, "n", "hashtable"},
		{[]any{"CONFIG", "SET", "set-max-intset-entries", "512"}, "n", "hashtable"},
		{[]any{"SUNIONSTORE", "n", "k", "m"}, "n", "intset"},
		// A rebuilding SPOP turns a hashtable of integers into an intset.
		{[]any{"SADD", "p", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, "p", "hashtable"},
		{[]any{"SREM", "p", "x"}, "p", "hashtable"},
		{[]any{"SPOP", "p", "2"}, "p", "hashtable"},
		{[]any{"SPOP", "p", "6"}, "p", "intset"},
	}
	for _, tt := range tests {
		if got, isErr := s.do(t, tt.args...).(errReply); isErr {
			t.Fatalf("%v: %v", tt.args, got)
		}
		if got := valueAt[*datatypes.Set](t, s, tt.key).Encoding(); got != tt.want {
			t.Errorf("after %v: %s is %s, want %s", tt.args, tt.key, got, tt.want)
		}
		if got := s.do(t, "OBJECT", "ENCODING", tt.key); got != tt.want {
			t.Errorf("after %v: OBJECT ENCODING %s = %v, want %s", tt.args, tt.key, got, tt.want)
		}
	}
}

// TestSScanGuarantee scans a hashtable set with small counts while it
// changes, and requires every member present for the whole scan.
func TestSScanGuarantee(t *testing.T) {
	s := startStringServer(t, nil)
	args := []any{"SADD", "s"}
	for i := range 2000 {
		args = append(args, fmt.Sprint("m", i))
	}
	s.do(t, args...)
	seen := map[string]bool{}
	cursor := "0"
	for i := 0; ; i++ {
		reply := s.do(t, "SSCAN", "s", cursor, "COUNT", "7").([]any)
		for _, m := range replyStrs(t, reply[1]) {
			seen[m] = true
		}
		cursor = reply[0].(string)
		if cursor == "0" {
			break
		}
		// Churn: members added and removed during the scan need not be
		// reported, but must not hide the others.
		s.do(t, "SADD", "s", fmt.Sprint("new", i))
		s.do(t, "SREM", "s", fmt.Sprint("m", 1000+i))
	}
	for i := range 1000 {
		if m := fmt.Sprint("m", i); !seen[m] {
			t.Fatalf("%s was present for the whole scan but not returned", m)
		}
	}
}

func TestSetEffects(t *testing.T) {
	e := newEffectsEngine()
	e.engine.KS.Lock()
	e.engine.KS.DB(0).Set([]byte("other"), notString{})
	e.engine.KS.Unlock()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"SADD", "s", "1", "2", "3"}, []string{"SADD s 1 2 3"}},
		{[]string{"SADD", "s", "1"}, nil},
		{[]string{"SADD", "other", "1"}, nil},
		{[]string{"SREM", "s", "9"}, nil},
		{[]string{"SREM", "s", "3", "9"}, []string{"SREM s 3 9"}},
		{[]string{"SREM", "nokey", "1"}, nil},
		{[]string{"SMOVE", "s", "d", "9"}, nil},
		{[]string{"SMOVE", "s", "s", "1"}, nil},
		{[]string{"SMOVE", "s", "d", "2"}, []string{"SMOVE s d 2"}},
		{[]string{"SINTERSTORE", "e", "s", "d"}, nil},
		{[]string{"SUNIONSTORE", "e", "s", "d"}, []string{"SUNIONSTORE e s d"}},
		{[]string{"SINTERSTORE", "e", "s", "d"}, []string{"DEL e"}},
		{[]string{"SDIFFSTORE", "e", "s", "d"}, []string{"SDIFFSTORE e s d"}},
		{[]string{"SDIFFSTORE", "e", "s", "s"}, []string{"DEL e"}},
		{[]string{"SRANDMEMBER", "s"}, nil},
		{[]string{"SRANDMEMBER", "s", "-5"}, nil},
		{[]string{"SPOP", "s", "0"}, nil},
		{[]string{"SPOP", "nokey"}, nil},
		{[]string{"SPOP", "s"}, []string{"SREM s 1"}},
		{[]string{"SADD", "s", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, []string{"SADD s 1 2 3 4 5 6 7 8 9 10"}},
		{[]string{"SPOP", "s", "20"}, []string{"DEL s"}},
		{[]string{"SINTER", "s", "d"}, nil},
		{[]string{"SSCAN", "d", "0"}, nil},
	}
	for _, tt := range tests {
		reply, got := e.exec(tt.args...)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q (reply %q): effects %q, want %q", tt.args, reply, got, tt.want)
		}
	}

	// A count that pops a few members is one SREM of them.
	e.exec("SADD", "p", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
	_, got := e.exec("SPOP", "p", "3")
	if len(got) != 1 || !strings.HasPrefix(got[0], "SREM p ") || len(strings.Fields(got[0])) != 5 {
		t.Errorf("SPOP p 3: effects %q, want one SREM of 3 members", got)
	}

	// A rebuild that changes the encoding is recorded as the rebuild,
	// expiry time included.
	e.exec("SADD", "r", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9")
	e.exec("SREM", "r", "x")
	e.exec("PEXPIREAT", "r", "4102444800000")
	_, got = e.exec("SPOP", "r", "8")
	if len(got) != 3 || got[0] != "DEL r" || !strings.HasPrefix(got[1], "SADD r ") ||
		len(strings.Fields(got[1])) != 3 || got[2] != "PEXPIREAT r 4102444800000" {
		t.Errorf("SPOP r 8: effects %q, want DEL, SADD of the member left, PEXPIREAT", got)
	}
}

func TestSetRESP3(t *testing.T) {
	e := newEffectsEngine()
	e.client.W.Proto = 3
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"SADD", "s", "2", "1"}, ":2\r\n"},
		{[]string{"SMEMBERS", "s"}, "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		{[]string{"SMEMBERS", "nokey"}, "~0\r\n"},
		{[]string{"SINTER", "s", "s"}, "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		{[]string{"SINTER", "s", "nokey"}, "~0\r\n"},
		{[]string{"SUNION", "s"}, "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		{[]string{"SDIFF", "s"}, "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		{[]string{"SMISMEMBER", "s", "1", "3"}, "*2\r\n:1\r\n:0\r\n"},
		{[]string{"SRANDMEMBER", "s", "2"}, "*2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		{[]string{"SRANDMEMBER", "s", "0"}, "*0\r\n"},
		{[]string{"SRANDMEMBER", "nokey", "2"}, "*0\r\n"},
		{[]string{"SRANDMEMBER", "nokey"}, "_\r\n"},
		{[]string{"SPOP", "nokey", "2"}, "~0\r\n"},
		{[]string{"SPOP", "nokey"}, "_\r\n"},
		{[]string{"SSCAN", "s", "0"}, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		{[]string{"SPOP", "s", "5"}, "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
	}
	for _, tt := range tests {
		if got, _ := e.exec(tt.args...); got != tt.want {
			t.Errorf("%q = %q, want %q", tt.args, got, tt.want)
		}
	}
}

// compareMetadata compares the declarations of the named commands (a
// subcommand as "container|sub") with what redis-server reports: COMMAND
// INFO's arity, flags, key positions and ACL categories, and COMMAND
// DOCS's summary, since, group, complexity and arguments.
func compareGroupMetadata(t *testing.T, group string, names []string) {
	t.Helper()
	rc := dialRaw(t, testutil.StartRedis(t))
	cc := dialRaw(t, testutil.StartCairn(t, nil).Addr)
	for _, name := range names {
		got := cc.do(t, "COMMAND", "INFO", name).elems[0]
		want := rc.do(t, "COMMAND", "INFO", name).elems[0]
		if got.null {
			t.Errorf("%s is not declared", name)
			continue
		}
		for i, field := range []string{"arity", "flags", "first key", "last key", "step", "ACL categories"} {
			if g, w := got.elems[i+1].String(), want.elems[i+1].String(); g != w {
				t.Errorf("%s: %s %s, redis %s", name, field, g, w)
			}
		}
		gotDocs := cc.do(t, "COMMAND", "DOCS", name).elems[1].fields()
		wantDocs := rc.do(t, "COMMAND", "DOCS", name).elems[1].fields()
		if g := fieldStr(gotDocs, "group"); g != group {
			t.Errorf("%s: group %q, want %q", name, g, group)
		}
		for _, d := range diffDocs(name, gotDocs, wantDocs) {
			t.Error(d)
		}
	}
}

func TestSetCommandMetadata(t *testing.T) {
	compareGroupMetadata(t, "set", []string{"sadd", "scard", "sdiff", "sdiffstore", "sinter", "sintercard", "sinterstore",
		"sismember", "smembers", "smismember", "smove", "spop", "srandmember", "srem", "sscan", "sunion", "sunionstore"})
}

// TestSpopReplay replays the effects of SPOPs that rebuild a set, pop a
// few members and pop them all, and requires the same sets, encodings
// and expiry times.
func TestSpopReplay(t *testing.T) {
	e := newEffectsEngine()
	var log []keyspace.Effect
	run := func(args ...string) {
		e.exec(args...)
		log = append(log, e.effects...)
	}
	run("SADD", "r", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9")
	run("SREM", "r", "x")
	run("PEXPIREAT", "r", "4102444800000")
	run("SPOP", "r", "8")
	run("SADD", "p", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l")
	run("SPOP", "p", "2")
	run("SPOP", "p")
	run("SADD", "q", "1", "2")
	run("SPOP", "q", "2")

	replay := newEffectsEngine()
	replay.engine.KS.Lock()
	err := replay.engine.Apply(log)
	replay.engine.KS.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"r", "p", "q"} {
		for _, args := range [][]string{{"OBJECT", "ENCODING", key}, {"SMEMBERS", key}, {"PEXPIRETIME", key}} {
			want, _ := e.exec(args...)
			got, _ := replay.exec(args...)
			if args[0] == "SMEMBERS" {
				want, got = sortedLines(want), sortedLines(got)
			}
			if got != want {
				t.Errorf("%q after replay = %q, want %q", args, got, want)
			}
		}
	}
}

// sortedLines sorts the lines of a reply, for replies in hash table order.
func sortedLines(s string) string {
	lines := strings.Split(s, "\r\n")
	slices.Sort(lines)
	return strings.Join(lines, "\r\n")
}
