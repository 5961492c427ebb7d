package commands_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
)

// listScenarios run in order on a fresh server whose key "other" holds a
// value of another type; go-redis shows both null replies as nil (the
// null kinds are checked in TestListNullReplies).
var listScenarios = []struct {
	name  string
	steps []step
}{
	{"push len range", []step{
		cmd(int64(3), "LPUSH", "l", "a", "b", "c"),
		cmd(int64(5), "RPUSH", "l", "d", "e"),
		cmd(arr("c", "b", "a", "d", "e"), "LRANGE", "l", "0", "-1"),
		cmd(int64(5), "LLEN", "l"),
		cmd("list", "TYPE", "l"),
		cmd("quicklist", "OBJECT", "ENCODING", "l"),
		cmd(int64(0), "LLEN", "nokey"),
		cmd(int64(0), "LPUSHX", "nokey", "a"),
		cmd(int64(0), "RPUSHX", "nokey", "a", "b"),
		cmd(int64(0), "EXISTS", "nokey"),
		cmd(int64(6), "LPUSHX", "l", "x"),
		cmd(int64(8), "RPUSHX", "l", "y", "z"),
		cmd(arr("x", "c", "b", "a", "d", "e", "y", "z"), "LRANGE", "l", "0", "-1"),
		cmd(int64(1), "RPUSH", "bin", "a\x00b"),
		cmd(int64(2), "RPUSH", "bin", ""),
		cmd(arr("a\x00b", ""), "LRANGE", "bin", "0", "-1"),
		cmd(wrongType, "LPUSH", "other", "a"),
		cmd(wrongType, "RPUSHX", "other", "a"),
		cmd(wrongType, "LLEN", "other"),
		cmd(arityErr("lpush"), "LPUSH", "l"),
		cmd(arityErr("rpushx"), "RPUSHX", "l"),
		cmd(arityErr("llen"), "LLEN"),
	}},
	{"lrange", []step{
		cmd(int64(5), "RPUSH", "l", "a", "b", "c", "d", "e"),
		cmd(arr("b", "c"), "LRANGE", "l", "1", "2"),
		cmd(arr("d", "e"), "LRANGE", "l", "-2", "-1"),
		cmd(arr("a", "b", "c", "d", "e"), "LRANGE", "l", "-100", "100"),
		cmd(arr("e"), "LRANGE", "l", "4", "9223372036854775807"),
		cmd(arr("a"), "LRANGE", "l", "-9223372036854775808", "0"),
		cmd([]any{}, "LRANGE", "l", "3", "2"),
		cmd([]any{}, "LRANGE", "l", "5", "10"),
		cmd([]any{}, "LRANGE", "l", "0", "-6"),
		cmd([]any{}, "LRANGE", "nokey", "0", "-1"),
		cmd(errNotInt, "LRANGE", "l", "a", "1"),
		cmd(errNotInt, "LRANGE", "nokey", "0", "1.5"),
		cmd(errNotInt, "LRANGE", "other", "0", "x"),
		cmd(wrongType, "LRANGE", "other", "0", "1"),
		cmd(arityErr("lrange"), "LRANGE", "l", "0"),
	}},
	{"lpop rpop", []step{
		cmd(int64(5), "RPUSH", "l", "a", "b", "c", "d", "e"),
		cmd("a", "LPOP", "l"),
		cmd("e", "RPOP", "l"),
		cmd(arr("b", "c"), "LPOP", "l", "2"),
		cmd([]any{}, "LPOP", "l", "0"),
		cmd(arr("d"), "RPOP", "l", "5"),
		cmd(int64(0), "EXISTS", "l"),
		cmd(nil, "LPOP", "l"),
		cmd(nil, "RPOP", "l", "1"),
		cmd(nil, "LPOP", "l", "0"),
		cmd(int64(3), "RPUSH", "l", "a", "b", "c"),
		cmd(arr("c", "b"), "RPOP", "l", "2"),
		cmd(errNotPositive, "LPOP", "l", "-1"),
		cmd(errNotPositive, "RPOP", "l", "x"),
		cmd(errNotPositive, "LPOP", "nokey", "-1"),
		cmd(errNotPositive, "LPOP", "other", "-1"),
		cmd(wrongType, "LPOP", "other"),
		cmd(wrongType, "RPOP", "other", "0"),
		cmd(arityErr("lpop"), "LPOP", "l", "1", "2"),
		cmd(arityErr("rpop"), "RPOP"),
	}},
	{"lindex lset", []step{
		cmd(int64(3), "RPUSH", "l", "a", "b", "c"),
		cmd("a", "LINDEX", "l", "0"),
		cmd("c", "LINDEX", "l", "-1"),
		cmd("a", "LINDEX", "l", "-3"),
		cmd(nil, "LINDEX", "l", "3"),
		cmd(nil, "LINDEX", "l", "-4"),
		cmd(nil, "LINDEX", "nokey", "x"),
		cmd(errNotInt, "LINDEX", "l", "x"),
		cmd(wrongType, "LINDEX", "other", "x"),
		cmd("OK", "LSET", "l", "1", "B"),
		cmd("OK", "LSET", "l", "-1", "C"),
		cmd(arr("a", "B", "C"), "LRANGE", "l", "0", "-1"),
		cmd(errReply("ERR index out of range"), "LSET", "l", "3", "x"),
		cmd(errReply("ERR index out of range"), "LSET", "l", "-4", "x"),
		cmd(errReply("ERR no such key"), "LSET", "nokey", "0", "x"),
		cmd(errReply("ERR no such key"), "LSET", "nokey", "x", "x"),
		cmd(errNotInt, "LSET", "l", "x", "x"),
		cmd(wrongType, "LSET", "other", "x", "x"),
		cmd(arityErr("lindex"), "LINDEX", "l"),
		cmd(arityErr("lset"), "LSET", "l", "0"),
	}},
	{"linsert", []step{
		cmd(int64(3), "RPUSH", "l", "a", "b", "a"),
		cmd(int64(4), "LINSERT", "l", "BEFORE", "a", "x"),
		cmd(int64(5), "LINSERT", "l", "after", "a", "y"),
		cmd(int64(6), "LINSERT", "l", "AFTER", "b", "z"),
		cmd(arr("x", "a", "y", "b", "z", "a"), "LRANGE", "l", "0", "-1"),
		cmd(int64(-1), "LINSERT", "l", "BEFORE", "nope", "x"),
		cmd(int64(0), "LINSERT", "nokey", "BEFORE", "a", "x"),
		cmd(int64(0), "EXISTS", "nokey"),
		cmd(errSyntaxReply, "LINSERT", "l", "MIDDLE", "a", "x"),
		cmd(errSyntaxReply, "LINSERT", "other", "MIDDLE", "a", "x"),
		cmd(wrongType, "LINSERT", "other", "BEFORE", "a", "x"),
		cmd(arityErr("linsert"), "LINSERT", "l", "BEFORE", "a"),
	}},
	{"lrem", []step{
		cmd(int64(7), "RPUSH", "l", "a", "b", "a", "c", "a", "b", "a"),
		cmd(int64(2), "LREM", "l", "2", "a"),
		cmd(arr("b", "c", "a", "b", "a"), "LRANGE", "l", "0", "-1"),
		cmd(int64(1), "LREM", "l", "-1", "b"),
		cmd(arr("b", "c", "a", "a"), "LRANGE", "l", "0", "-1"),
		cmd(int64(2), "LREM", "l", "0", "a"),
		cmd(int64(0), "LREM", "l", "0", "zz"),
		cmd(int64(1), "LREM", "l", "-9223372036854775808", "c"),
		cmd(int64(1), "LREM", "l", "9223372036854775807", "b"),
		cmd(int64(0), "EXISTS", "l"),
		cmd(int64(0), "LREM", "nokey", "0", "a"),
		cmd(errNotInt, "LREM", "nokey", "x", "a"),
		cmd(wrongType, "LREM", "other", "0", "a"),
		cmd(arityErr("lrem"), "LREM", "l", "0"),
	}},
	{"ltrim", []step{
		cmd(int64(6), "RPUSH", "l", "a", "b", "c", "d", "e", "f"),
		cmd("OK", "LTRIM", "l", "1", "-2"),
		cmd(arr("b", "c", "d", "e"), "LRANGE", "l", "0", "-1"),
		cmd("OK", "LTRIM", "l", "-100", "100"),
		cmd(int64(4), "LLEN", "l"),
		cmd("OK", "LTRIM", "l", "-3", "-2"),
		cmd(arr("c", "d"), "LRANGE", "l", "0", "-1"),
		cmd("OK", "LTRIM", "l", "1", "0"),
		cmd(int64(0), "EXISTS", "l"),
		cmd(int64(2), "RPUSH", "l", "a", "b"),
		cmd("OK", "LTRIM", "l", "5", "10"),
		cmd(int64(0), "EXISTS", "l"),
		cmd("OK", "LTRIM", "nokey", "0", "1"),
		cmd(errNotInt, "LTRIM", "nokey", "x", "1"),
		cmd(wrongType, "LTRIM", "other", "0", "1"),
		cmd(arityErr("ltrim"), "LTRIM", "l", "0"),
	}},
	{"lpos", []step{
		cmd(int64(8), "RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"),
		cmd(int64(2), "LPOS", "l", "c"),
		cmd(nil, "LPOS", "l", "zz"),
		cmd(int64(6), "LPOS", "l", "c", "RANK", "2"),
		cmd(int64(7), "LPOS", "l", "c", "RANK", "-1"),
		cmd(int64(6), "LPOS", "l", "c", "RANK", "-2"),
		cmd(nil, "LPOS", "l", "c", "RANK", "4"),
		cmd(arr(int64(2), int64(6)), "LPOS", "l", "c", "COUNT", "2"),
		cmd(arr(int64(2), int64(6), int64(7)), "LPOS", "l", "c", "COUNT", "0"),
		cmd(arr(int64(7), int64(6), int64(2)), "LPOS", "l", "c", "COUNT", "0", "RANK", "-1"),
		cmd(arr(int64(6), int64(7)), "LPOS", "l", "c", "RANK", "2", "COUNT", "0"),
		cmd([]any{}, "LPOS", "l", "zz", "COUNT", "0"),
		cmd(nil, "LPOS", "l", "c", "MAXLEN", "2"),
		cmd(int64(2), "LPOS", "l", "c", "MAXLEN", "3"),
		cmd(arr(int64(7)), "LPOS", "l", "c", "RANK", "-1", "MAXLEN", "1", "COUNT", "5"),
		cmd(arr(int64(2)), "LPOS", "l", "c", "COUNT", "0", "COUNT", "1"),
		// RANK LONG_MIN: as Redis, from the tail, and COUNT stops nothing.
		cmd(int64(7), "LPOS", "l", "c", "RANK", "-9223372036854775808"),
		cmd(arr(int64(7), int64(6), int64(2)), "LPOS", "l", "c", "RANK", "-9223372036854775808", "COUNT", "1"),
		cmd([]any{}, "LPOS", "l", "c", "RANK", "-9223372036854775807", "COUNT", "1"),
		cmd(nil, "LPOS", "l", "c", "RANK", "9223372036854775807"),
		cmd(nil, "LPOS", "nokey", "c"),
		cmd([]any{}, "LPOS", "nokey", "c", "COUNT", "1"),
		cmd(errRankZero, "LPOS", "l", "c", "RANK", "0"),
		cmd(errRankZero, "LPOS", "nokey", "c", "RANK", "1", "RANK", "0"),
		cmd(errNotInt, "LPOS", "l", "c", "RANK", "x"),
		cmd(errReply("ERR COUNT can't be negative"), "LPOS", "l", "c", "COUNT", "-1"),
		cmd(errReply("ERR COUNT can't be negative"), "LPOS", "l", "c", "COUNT", "x"),
		cmd(errReply("ERR MAXLEN can't be negative"), "LPOS", "l", "c", "MAXLEN", "-1"),
		cmd(errSyntaxReply, "LPOS", "l", "c", "RANK"),
		cmd(errSyntaxReply, "LPOS", "l", "c", "FOO", "1"),
		cmd(wrongType, "LPOS", "other", "c"),
		cmd(wrongType, "LPOS", "other", "c", "COUNT", "0"),
		cmd(arityErr("lpos"), "LPOS", "l"),
	}},
	{"lmove rpoplpush", []step{
		cmd(int64(4), "RPUSH", "s", "a", "b", "c", "d"),
		cmd("d", "RPOPLPUSH", "s", "d"),
		cmd("a", "LMOVE", "s", "d", "LEFT", "RIGHT"),
		cmd("b", "LMOVE", "s", "d", "left", "left"),
		cmd(arr("b", "d", "a"), "LRANGE", "d", "0", "-1"),
		cmd("a", "LMOVE", "d", "d", "RIGHT", "LEFT"),
		cmd(arr("a", "b", "d"), "LRANGE", "d", "0", "-1"),
		cmd("c", "LMOVE", "s", "s", "RIGHT", "RIGHT"),
		cmd(arr("c"), "LRANGE", "s", "0", "-1"),
		cmd("c", "LMOVE", "s", "d", "RIGHT", "RIGHT"),
		cmd(int64(0), "EXISTS", "s"),
		cmd(nil, "LMOVE", "s", "d", "LEFT", "LEFT"),
		cmd(nil, "RPOPLPUSH", "s", "other"),
		cmd(wrongType, "RPOPLPUSH", "d", "other"),
		cmd(wrongType, "LMOVE", "other", "d", "LEFT", "LEFT"),
		cmd(arr("a", "b", "d", "c"), "LRANGE", "d", "0", "-1"),
		cmd(errSyntaxReply, "LMOVE", "d", "s", "UP", "LEFT"),
		cmd(errSyntaxReply, "LMOVE", "nokey", "s", "LEFT", "DOWN"),
		cmd(arityErr("lmove"), "LMOVE", "d", "s", "LEFT"),
		cmd(arityErr("rpoplpush"), "RPOPLPUSH", "d"),
	}},
	{"lmpop", []step{
		cmd(int64(3), "RPUSH", "b", "1", "2", "3"),
		cmd(arr("b", arr("1")), "LMPOP", "2", "a", "b", "LEFT"),
		cmd(arr("b", arr("3", "2")), "LMPOP", "2", "a", "b", "RIGHT", "COUNT", "10"),
		cmd(int64(0), "EXISTS", "b"),
		cmd(nil, "LMPOP", "2", "a", "b", "LEFT"),
		cmd(int64(2), "RPUSH", "a", "x", "y"),
		cmd(arr("a", arr("x", "y")), "LMPOP", "3", "a", "other", "b", "left", "count", "2"),
		cmd(wrongType, "LMPOP", "2", "nokey", "other", "LEFT"),
		cmd(errNumKeys, "LMPOP", "0", "a", "LEFT"),
		cmd(errNumKeys, "LMPOP", "-1", "a", "LEFT"),
		cmd(errNumKeys, "LMPOP", "x", "a", "LEFT"),
		cmd(errSyntaxReply, "LMPOP", "2", "a", "LEFT"),
		cmd(errSyntaxReply, "LMPOP", "9223372036854775807", "a", "LEFT"),
		cmd(errSyntaxReply, "LMPOP", "1", "a", "UP"),
		cmd(errSyntaxReply, "LMPOP", "1", "a", "LEFT", "COUNT"),
		cmd(errSyntaxReply, "LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"),
		cmd(errSyntaxReply, "LMPOP", "1", "a", "LEFT", "FOO"),
		cmd(errCountPositive, "LMPOP", "1", "a", "LEFT", "COUNT", "0"),
		cmd(errCountPositive, "LMPOP", "1", "a", "LEFT", "COUNT", "x"),
		cmd(arityErr("lmpop"), "LMPOP", "1", "a"),
	}},
	// With data present the blocking commands act at once, as their
	// non-blocking forms do; their argument errors come in Redis's order.
	{"blocking commands with data", []step{
		cmd(int64(3), "RPUSH", "b", "1", "2", "3"),
		cmd(arr("b", "1"), "BLPOP", "a", "b", "0"),
		cmd(arr("b", "3"), "BRPOP", "a", "b", "0.5"),
		cmd(wrongType, "BLPOP", "nokey", "other", "0"),
		cmd(arr("b", "2"), "BLPOP", "b", "other", "0"),
		cmd(int64(2), "RPUSH", "s", "x", "y"),
		cmd("x", "BLMOVE", "s", "d", "LEFT", "RIGHT", "0"),
		cmd("y", "BRPOPLPUSH", "s", "d", "0"),
		cmd(int64(0), "EXISTS", "s"),
		cmd(arr("y", "x"), "LRANGE", "d", "0", "-1"),
		cmd(wrongType, "BLMOVE", "d", "other", "LEFT", "LEFT", "0"),
		cmd(wrongType, "BRPOPLPUSH", "other", "d", "0"),
		cmd(arr("d", arr("x", "y")), "BLMPOP", "0", "2", "nokey", "d", "RIGHT", "COUNT", "5"),
		cmd(wrongType, "BLMPOP", "0", "1", "other", "LEFT"),
		cmd(errTimeoutFloat, "BLPOP", "a", "x"),
		cmd(errTimeoutFloat, "BLPOP", "a", "nan"),
		cmd(errTimeoutFloat, "BLPOP", "a", " 1"),
		cmd(errTimeoutNegative, "BRPOP", "a", "-1"),
		cmd(errTimeoutNegative, "BRPOP", "a", "inf"),
		cmd(errTimeoutNegative, "BRPOP", "a", "1e16"),
		cmd(errTimeoutNegative, "BLPOP", "a", "9223372036854775807"),
		cmd(errTimeoutFloat, "BLPOP", "other", "x"),
		cmd(errSyntaxReply, "BLMOVE", "a", "d", "UP", "LEFT", "x"),
		cmd(errTimeoutFloat, "BLMOVE", "a", "d", "LEFT", "LEFT", "x"),
		cmd(errTimeoutFloat, "BRPOPLPUSH", "a", "d", "x"),
		cmd(errNumKeys, "BLMPOP", "x", "0", "a", "LEFT"),
		cmd(errTimeoutFloat, "BLMPOP", "x", "1", "a", "LEFT"),
		cmd(errSyntaxReply, "BLMPOP", "0", "1", "a", "UP"),
		cmd(arityErr("blpop"), "BLPOP", "a"),
		cmd(arityErr("blmove"), "BLMOVE", "a", "b", "LEFT", "LEFT"),
		cmd(arityErr("brpoplpush"), "BRPOPLPUSH", "a", "b"),
		cmd(arityErr("blmpop"), "BLMPOP", "0", "1", "a"),
	}},
}

const (
	errNotInt          = errReply("ERR value is not an integer or out of range")
	errNotPositive     = errReply("ERR value is out of range, must be positive")
	errRankZero        = errReply("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
	errNumKeys         = errReply("ERR numkeys should be greater than 0")
	errCountPositive   = errReply("ERR count should be greater than 0")
	errTimeoutFloat    = errReply("ERR timeout is not a float or out of range")
	errTimeoutNegative = errReply("ERR timeout is negative")
)

func TestListCommands(t *testing.T) {
	for _, sc := range listScenarios {
		t.Run(sc.name, func(t *testing.T) {
			runSteps(t, startStringServer(t, nil), sc.steps)
		})
	}
}

// TestListNullReplies checks the null kinds go-redis cannot tell apart:
// the null array of the commands that reply with arrays, the null bulk of
// the others, and RESP3's null for both.
func TestListNullReplies(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	c := dialRaw(t, srv.Addr)
	tests := []struct {
		args []string
		kind byte
	}{
		{[]string{"LPOP", "nokey"}, '$'},
		{[]string{"LPOP", "nokey", "1"}, '*'},
		{[]string{"RPOP", "nokey", "0"}, '*'},
		{[]string{"LINDEX", "nokey", "0"}, '$'},
		{[]string{"LPOS", "nokey", "a"}, '$'},
		{[]string{"LMOVE", "nokey", "d", "LEFT", "LEFT"}, '$'},
		{[]string{"LMPOP", "1", "nokey", "LEFT"}, '*'},
		{[]string{"BLPOP", "nokey", "0.01"}, '*'},
		{[]string{"BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.01"}, '*'},
		{[]string{"BRPOPLPUSH", "nokey", "d", "0.01"}, '*'},
		{[]string{"BLMPOP", "0.01", "1", "nokey", "LEFT"}, '*'},
	}
	for _, proto := range []string{"2", "3"} {
		c.do(t, "HELLO", proto)
		for _, tt := range tests {
			want := tt.kind
			if proto == "3" {
				want = '_'
			}
			if r := c.do(t, tt.args...); !r.null || r.kind != want {
				t.Errorf("RESP%s %q = %c %v, want null %c", proto, tt.args, r.kind, r, want)
			}
		}
	}
}

// TestListModel runs random list commands against cairn with small list
// nodes, so that elements move across node boundaries, and against a
// slice that does what Redis documents.
func TestListModel(t *testing.T) {
	for _, size := range []string{"1", "3", "-1"} {
		t.Run("list-max-listpack-size "+size, func(t *testing.T) {
			s := startStringServer(t, func(cfg *config.Config) {
				cfg.ListMaxListpackSize, _ = strconv.Atoi(size)
			})
			r := rand.New(rand.NewPCG(1, 2))
			elem := func() string {
				if r.IntN(10) == 0 {
					return fmt.Sprint("long", r.IntN(3), string(make([]byte, 300+r.IntN(2000))))
				}
				return fmt.Sprint("e", r.IntN(8))
			}
			var model []string
			for i := 0; i < 3000; i++ {
				var got, want any
				switch op := r.IntN(8); op {
				case 0, 1:
					v := elem()
					if op == 0 {
						model = append([]string{v}, model...)
						got = s.do(t, "LPUSH", "l", v)
					} else {
						model = append(model, v)
						got = s.do(t, "RPUSH", "l", v)
					}
					want = int64(len(model))
				case 2:
					got = s.do(t, "LPOP", "l")
					if len(model) > 0 {
						want, model = model[0], model[1:]
					}
				case 3:
					got = s.do(t, "RPOP", "l")
					if n := len(model); n > 0 {
						want, model = model[n-1], model[:n-1]
					}
				case 4:
					pivot, v := elem(), elem()
					got, want = s.do(t, "LINSERT", "l", "AFTER", pivot, v), int64(-1)
					if len(model) == 0 {
						want = int64(0)
					} else if i := slices.Index(model, pivot); i >= 0 {
						model = slices.Insert(model, i+1, v)
						want = int64(len(model))
					}
				case 5:
					v, count := elem(), r.IntN(5)-2
					got = s.do(t, "LREM", "l", count, v)
					want = int64(modelRemove(&model, v, count))
				case 6:
					if len(model) == 0 {
						continue
					}
					i, v := r.IntN(len(model)), elem()
					model[i] = v
					got, want = s.do(t, "LSET", "l", i, v), "OK"
				case 7:
					if r.IntN(10) != 0 || len(model) == 0 {
						continue
					}
					start, stop := r.IntN(len(model)), max(len(model)-1-r.IntN(3), 0)
					got, want = s.do(t, "LTRIM", "l", start, stop), "OK"
					if start > stop {
						model = nil
					} else {
						model = model[start : stop+1]
					}
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d: got %q, want %q", i, got, want)
				}
				all := s.do(t, "LRANGE", "l", "0", "-1")
				if len(model) == 0 {
					if all := all.([]any); len(all) != 0 {
						t.Fatalf("step %d: list %q, want empty", i, all)
					}
					continue
				}
				if !reflect.DeepEqual(all, toAny(model)) {
					t.Fatalf("step %d: list %q, want %q", i, all, model)
				}
			}
		})
	}
}

// modelRemove is LREM on a slice.
func modelRemove(model *[]string, v string, count int) int {
	m := *model
	removed := 0
	if count >= 0 {
		out := m[:0]
		for _, e := range m {
			if e == v && (count == 0 || removed < count) {
				removed++
				continue
			}
			out = append(out, e)
		}
		*model = out
		return removed
	}
	for i := len(m) - 1; i >= 0 && removed < -count; i-- {
		if m[i] == v {
			m = slices.Delete(m, i, i+1)
			removed++
		}
	}
	*model = m
	return removed
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func TestListEffects(t *testing.T) {
	e := newEffectsEngine()
	e.engine.KS.Lock()
	e.engine.KS.DB(0).Set([]byte("other"), notString{})
	e.engine.KS.Unlock()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"RPUSH", "l", "a", "b", "c", "d"}, []string{"RPUSH l a b c d"}},
		{[]string{"LPUSH", "other", "a"}, nil},
		{[]string{"LPUSHX", "nokey", "a"}, nil},
		{[]string{"LPUSHX", "l", "z"}, []string{"LPUSHX l z"}},
		{[]string{"LPOP", "l"}, []string{"LPOP l"}},
		{[]string{"LPOP", "l", "0"}, nil},
		{[]string{"RPOP", "l", "2"}, []string{"RPOP l 2"}},
		{[]string{"LPOP", "nokey"}, nil},
		{[]string{"LSET", "l", "0", "x"}, []string{"LSET l 0 x"}},
		{[]string{"LSET", "l", "9", "x"}, nil},
		{[]string{"LINSERT", "l", "BEFORE", "x", "w"}, []string{"LINSERT l BEFORE x w"}},
		{[]string{"LINSERT", "l", "BEFORE", "nope", "w"}, nil},
		{[]string{"LREM", "l", "0", "nope"}, nil},
		{[]string{"LREM", "l", "1", "w"}, []string{"LREM l 1 w"}},
		{[]string{"LTRIM", "l", "0", "-1"}, nil},
		{[]string{"RPUSH", "l", "c", "d"}, []string{"RPUSH l c d"}},
		{[]string{"LTRIM", "l", "0", "1"}, []string{"LTRIM l 0 1"}},
		{[]string{"LMOVE", "l", "m", "LEFT", "RIGHT"}, []string{"LMOVE l m LEFT RIGHT"}},
		{[]string{"LMOVE", "nokey", "m", "LEFT", "RIGHT"}, nil},
		{[]string{"RPOPLPUSH", "l", "m"}, []string{"RPOPLPUSH l m"}},
		{[]string{"LMPOP", "2", "l", "m", "LEFT", "COUNT", "9"}, []string{"LMPOP 1 m LEFT COUNT 2"}},
		{[]string{"LMPOP", "1", "m", "LEFT"}, nil},
		// The blocking commands record their non-blocking forms; a client
		// without a connection never blocks, and records nothing then.
		{[]string{"RPUSH", "b", "1", "2", "3", "4", "5"}, []string{"RPUSH b 1 2 3 4 5"}},
		{[]string{"BLPOP", "nokey", "b", "0"}, []string{"LPOP b"}},
		{[]string{"BRPOP", "b", "0"}, []string{"RPOP b"}},
		{[]string{"BLMOVE", "b", "c", "left", "right", "0"}, []string{"LMOVE b c LEFT RIGHT"}},
		{[]string{"BRPOPLPUSH", "b", "c", "0"}, []string{"RPOPLPUSH b c"}},
		{[]string{"BLMPOP", "0", "2", "nokey", "c", "RIGHT", "COUNT", "5"}, []string{"LMPOP 1 c RIGHT COUNT 2"}},
		{[]string{"BLPOP", "nokey", "0"}, nil},
		{[]string{"BLMOVE", "nokey", "c", "LEFT", "LEFT", "0"}, nil},
	}
	for _, tt := range tests {
		reply, got := e.exec(tt.args...)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q (reply %q): effects %q, want %q", tt.args, reply, got, tt.want)
		}
	}
}

// TestListCommandDocsMatchRedis compares the COMMAND DOCS of the list
// commands and CLIENT UNBLOCK with redis-server's.
func TestListCommandDocsMatchRedis(t *testing.T) {
	rc := dialRaw(t, testutil.StartRedis(t))
	cc := dialRaw(t, testutil.StartCairn(t, nil).Addr)
	names := []string{"client|unblock"}
	for _, name := range rc.do(t, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "list").strs() {
		if name != "sort" && name != "sort_ro" {
			names = append(names, name)
		}
	}
	var diffs []string
	for _, name := range names {
		got := cc.do(t, "COMMAND", "DOCS", name)
		if len(got.elems) == 0 {
			diffs = append(diffs, name+": not declared")
			continue
		}
		want := rc.do(t, "COMMAND", "DOCS", name)
		diffs = append(diffs, diffDocs(name, got.elems[1].fields(), want.elems[1].fields())...)
	}
	for _, d := range diffs {
		t.Error(d)
	}
}
