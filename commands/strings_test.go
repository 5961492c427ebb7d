package commands_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace"
)

// notString is a value of another type, for WRONGTYPE cases; the string
// commands must neither read nor replace it.
type notString struct{}

func (notString) Type() string           { return "list" }
func (notString) Encoding() string       { return "listpack" }
func (notString) MemoryUsage() int       { return 1 }
func (notString) Clone() datatypes.Value { return notString{} }

// errReply is an error reply, as opposed to a string value.
type errReply string

const wrongType = errReply("WRONGTYPE Operation against a key holding the wrong kind of value")

// stringServer is a cairn server whose database 0 holds a non-string key
// "other", and a RESP2 client to it.
type stringServer struct {
	srv *testutil.Cairn
	rdb *redis.Client
}

func startStringServer(t *testing.T, edit func(*config.Config)) *stringServer {
	t.Helper()
	srv := testutil.StartCairn(t, edit)
	srv.Engine.KS.Lock()
	srv.Engine.KS.DB(0).Set([]byte("other"), notString{})
	srv.Engine.KS.Unlock()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { rdb.Close() })
	return &stringServer{srv: srv, rdb: rdb}
}

// do sends a command and returns its reply: nil for a null, errReply for
// an error, otherwise what go-redis decodes (string, int64, []any).
func (s *stringServer) do(t *testing.T, args ...any) any {
	t.Helper()
	v, err := s.rdb.Do(context.Background(), args...).Result()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		return errReply(err.Error())
	}
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

// value returns the value at key and its expiry time straight from the
// keyspace.
func (s *stringServer) value(t *testing.T, key string) (v datatypes.Value, expireAt int64, found bool) {
	t.Helper()
	ks := s.srv.Engine.KS
	ks.Lock()
	defer ks.Unlock()
	v, found = ks.DB(0).Peek([]byte(key))
	expireAt, _ = ks.DB(0).ExpireAt([]byte(key))
	return v, expireAt, found
}

// valueAt returns the T at key straight from the keyspace, failing the
// test if there is none.
func valueAt[T datatypes.Value](t *testing.T, s *stringServer, key string) T {
	t.Helper()
	v, _, found := s.value(t, key)
	if !found {
		t.Fatalf("%q is missing", key)
	}
	typed, ok := v.(T)
	if !ok {
		t.Fatalf("%q holds a %s", key, v.Type())
	}
	return typed
}

type step struct {
	args []any
	want any
}

func cmd(want any, args ...any) step { return step{args: args, want: want} }

func arr(items ...any) []any { return items }

func runSteps(t *testing.T, s *stringServer, steps []step) {
	t.Helper()
	for _, st := range steps {
		got := s.do(t, st.args...)
		if !reflect.DeepEqual(got, st.want) {
			t.Errorf("%v = %#v, want %#v", st.args, got, st.want)
		}
	}
}

var stringScenarios = []struct {
	name  string
	steps []step
}{
	{"get", []step{
		cmd(nil, "GET", "k"),
		cmd("OK", "SET", "k", "v"),
		cmd("v", "GET", "k"),
		cmd("OK", "SET", "k", "bin\x00ary\r\n"),
		cmd("bin\x00ary\r\n", "GET", "k"),
		cmd(wrongType, "GET", "other"),
		cmd(errReply("ERR wrong number of arguments for 'get' command"), "GET"),
		cmd(errReply("ERR wrong number of arguments for 'get' command"), "GET", "a", "b"),
	}},
	{"set conditions", []step{
		cmd(nil, "SET", "k", "v", "XX"),
		cmd(nil, "GET", "k"),
		cmd("OK", "SET", "k", "v", "NX"),
		cmd(nil, "SET", "k", "v2", "NX"),
		cmd("OK", "SET", "k", "v3", "xx"),
		cmd("v3", "GET", "k"),
		cmd("OK", "SET", "other", "v", "XX"),
		cmd("v", "GET", "other"),
	}},
	{"set errors", []step{
		cmd(errReply("ERR syntax error"), "SET", "k", "v", "NX", "XX"),
		cmd(errReply("ERR syntax error"), "SET", "k", "v", "EX", "10", "PX", "10"),
		cmd(errReply("ERR syntax error"), "SET", "k", "v", "KEEPTTL", "EX", "10"),
		cmd(errReply("ERR syntax error"), "SET", "k", "v", "EX"),
		cmd(errReply("ERR syntax error"), "SET", "k", "v", "PERSIST"),
		cmd(errReply("ERR syntax error"), "SET", "k", "v", "EX", "abc", "NX", "XX"),
		cmd(errReply("ERR value is not an integer or out of range"), "SET", "k", "v", "EX", "abc"),
		cmd(errReply("ERR value is not an integer or out of range"), "SET", "k", "v", "EX", "NX"),
		cmd(errReply("ERR invalid expire time in 'set' command"), "SET", "k", "v", "EX", "0"),
		cmd(errReply("ERR invalid expire time in 'set' command"), "SET", "k", "v", "PX", "-1"),
		cmd(errReply("ERR invalid expire time in 'set' command"), "SET", "k", "v", "EXAT", "0"),
		cmd(errReply("ERR invalid expire time in 'set' command"), "SET", "k", "v", "EXAT", "9223372036854776"),
		cmd(errReply("ERR invalid expire time in 'set' command"), "SET", "k", "v", "EX", "9223372036854775"),
		cmd(errReply("ERR invalid expire time in 'set' command"), "SET", "k", "v", "PX", "9223372036854775807"),
		cmd(errReply("ERR wrong number of arguments for 'set' command"), "SET", "k"),
		cmd(nil, "GET", "k"),
	}},
	{"set past absolute time", []step{
		cmd("OK", "SET", "k", "v"),
		cmd("OK", "SET", "k", "v2", "EXAT", "1"),
		cmd(nil, "GET", "k"),
		cmd("OK", "SET", "k", "v3", "PXAT", "1"),
		cmd(nil, "GET", "k"),
		cmd("OK", "SET", "k", "v"),
		cmd("v", "SET", "k", "v4", "PXAT", "1", "GET"),
		cmd(nil, "GET", "k"),
	}},
	{"set get", []step{
		cmd(nil, "SET", "k", "v", "GET"),
		cmd("v", "SET", "k", "v2", "GET"),
		cmd("v2", "SET", "k", "v3", "NX", "GET"),
		cmd("v2", "GET", "k"),
		cmd(nil, "SET", "k2", "v", "XX", "GET"),
		cmd(nil, "GET", "k2"),
		cmd("v2", "SET", "k", "v4", "XX", "GET", "EX", "100"),
		cmd("v4", "GET", "k"),
		cmd(wrongType, "SET", "other", "v", "GET"),
		cmd(wrongType, "SET", "other", "v", "GET", "NX"),
		// The expire time is checked before the type.
		cmd(errReply("ERR invalid expire time in 'set' command"), "SET", "other", "v", "GET", "EX", "0"),
		cmd(wrongType, "GET", "other"),
	}},
	{"setnx", []step{
		cmd(int64(1), "SETNX", "k", "v"),
		cmd(int64(0), "SETNX", "k", "v2"),
		cmd("v", "GET", "k"),
		cmd(int64(0), "SETNX", "other", "v"),
		cmd(wrongType, "GET", "other"),
		cmd(errReply("ERR wrong number of arguments for 'setnx' command"), "SETNX", "k"),
	}},
	{"setex psetex", []step{
		cmd("OK", "SETEX", "k", "100", "v"),
		cmd("v", "GET", "k"),
		cmd("OK", "PSETEX", "k2", "100000", "v2"),
		cmd("v2", "GET", "k2"),
		cmd(errReply("ERR invalid expire time in 'setex' command"), "SETEX", "k", "0", "v"),
		cmd(errReply("ERR invalid expire time in 'setex' command"), "SETEX", "k", "-1", "v"),
		cmd(errReply("ERR invalid expire time in 'setex' command"), "SETEX", "k", "9223372036854775", "v"),
		cmd(errReply("ERR invalid expire time in 'psetex' command"), "PSETEX", "k", "0", "v"),
		cmd(errReply("ERR invalid expire time in 'psetex' command"), "PSETEX", "k", "9223372036854775807", "v"),
		cmd(errReply("ERR value is not an integer or out of range"), "SETEX", "k", "1.5", "v"),
		cmd(errReply("ERR value is not an integer or out of range"), "PSETEX", "k", "x", "v"),
		cmd("OK", "SETEX", "other", "100", "v"),
		cmd("v", "GET", "other"),
		cmd(errReply("ERR wrong number of arguments for 'setex' command"), "SETEX", "k", "10"),
	}},
	{"getset", []step{
		cmd(nil, "GETSET", "k", "v"),
		cmd("v", "GETSET", "k", "v2"),
		cmd("v2", "GET", "k"),
		cmd(wrongType, "GETSET", "other", "v"),
		cmd(wrongType, "GET", "other"),
	}},
	{"getdel", []step{
		cmd("OK", "SET", "k", "v"),
		cmd("v", "GETDEL", "k"),
		cmd(nil, "GETDEL", "k"),
		cmd(nil, "GET", "k"),
		cmd(wrongType, "GETDEL", "other"),
		cmd(wrongType, "GET", "other"),
	}},
	{"getex", []step{
		cmd(nil, "GETEX", "k"),
		// A missing key hides a bad expire value but not a syntax error.
		cmd(nil, "GETEX", "k", "EX", "abc"),
		cmd(errReply("ERR syntax error"), "GETEX", "k", "EX"),
		cmd("OK", "SET", "k", "v"),
		cmd("v", "GETEX", "k"),
		cmd("v", "GETEX", "k", "EX", "100"),
		cmd("v", "GETEX", "k", "PERSIST"),
		cmd("v", "GETEX", "k", "PXAT", "99999999999999"),
		cmd(errReply("ERR syntax error"), "GETEX", "k", "EX", "10", "PERSIST"),
		cmd(errReply("ERR syntax error"), "GETEX", "k", "KEEPTTL"),
		cmd(errReply("ERR syntax error"), "GETEX", "k", "NX"),
		cmd(errReply("ERR value is not an integer or out of range"), "GETEX", "k", "EX", "abc"),
		cmd(errReply("ERR invalid expire time in 'getex' command"), "GETEX", "k", "EX", "0"),
		cmd(errReply("ERR invalid expire time in 'getex' command"), "GETEX", "k", "EXAT", "9223372036854776"),
		cmd("v", "GETEX", "k", "EXAT", "1"),
		cmd(nil, "GET", "k"),
		cmd(wrongType, "GETEX", "other"),
		cmd(wrongType, "GETEX", "other", "EX", "abc"),
		cmd(errReply("ERR syntax error"), "GETEX", "other", "FOO"),
	}},
	{"mget mset msetnx", []step{
		cmd("OK", "MSET", "a", "1", "b", "2"),
		cmd(arr("1", "2", nil, nil), "MGET", "a", "b", "c", "other"),
		cmd("OK", "MSET", "a", "x", "a", "y"),
		cmd("y", "GET", "a"),
		cmd(errReply("ERR wrong number of arguments for 'mset' command"), "MSET", "a", "1", "b"),
		cmd(errReply("ERR wrong number of arguments for 'mset' command"), "MSET", "a"),
		cmd(int64(1), "MSETNX", "c", "3", "d", "4"),
		cmd(int64(0), "MSETNX", "d", "5", "e", "6"),
		cmd(arr("3", "4", nil), "MGET", "c", "d", "e"),
		cmd(int64(0), "MSETNX", "other", "v"),
		cmd(int64(1), "MSETNX", "dup", "1", "dup", "2"),
		cmd("2", "GET", "dup"),
		cmd(errReply("ERR wrong number of arguments for 'msetnx' command"), "MSETNX", "a", "1", "b"),
		cmd("OK", "MSET", "other", "v"),
		cmd("v", "GET", "other"),
	}},
	{"strlen", []step{
		cmd(int64(0), "STRLEN", "k"),
		cmd("OK", "SET", "k", "hello"),
		cmd(int64(5), "STRLEN", "k"),
		cmd("OK", "SET", "k", ""),
		cmd(int64(0), "STRLEN", "k"),
		cmd(wrongType, "STRLEN", "other"),
	}},
	{"append", []step{
		cmd(int64(5), "APPEND", "k", "hello"),
		cmd(int64(11), "APPEND", "k", " world"),
		cmd("hello world", "GET", "k"),
		cmd(int64(11), "APPEND", "k", ""),
		cmd(int64(0), "APPEND", "empty", ""),
		cmd("", "GET", "empty"),
		cmd(wrongType, "APPEND", "other", "x"),
	}},
	{"setrange", []step{
		cmd(int64(5), "SETRANGE", "k", "0", "hello"),
		cmd(int64(11), "SETRANGE", "k", "6", "world"),
		cmd("hello\x00world", "GET", "k"),
		cmd(int64(11), "SETRANGE", "k", "0", "J"),
		cmd("Jello\x00world", "GET", "k"),
		cmd(int64(11), "SETRANGE", "k", "100", ""),
		cmd(int64(0), "SETRANGE", "none", "5", ""),
		cmd(nil, "GET", "none"),
		cmd(int64(4), "SETRANGE", "pad", "3", "x"),
		cmd("\x00\x00\x00x", "GET", "pad"),
		cmd(errReply("ERR offset is out of range"), "SETRANGE", "k", "-1", "x"),
		cmd(errReply("ERR offset is out of range"), "SETRANGE", "k", "-1", ""),
		cmd(errReply("ERR value is not an integer or out of range"), "SETRANGE", "k", "x", "x"),
		cmd(errReply("ERR string exceeds maximum allowed size (proto-max-bulk-len)"), "SETRANGE", "k", "536870912", "x"),
		cmd(errReply("ERR string exceeds maximum allowed size (proto-max-bulk-len)"), "SETRANGE", "k", "9223372036854775807", "x"),
		cmd(errReply("ERR string exceeds maximum allowed size (proto-max-bulk-len)"), "SETRANGE", "new", "536870912", "x"),
		cmd(int64(0), "SETRANGE", "new", "536870912", ""),
		cmd(nil, "GET", "new"),
		cmd(wrongType, "SETRANGE", "other", "0", "x"),
		cmd(wrongType, "SETRANGE", "other", "0", ""),
	}},
	{"getrange substr", []step{
		cmd("OK", "SET", "s", "This is a string"),
		cmd("This", "GETRANGE", "s", "0", "3"),
		cmd("ing", "GETRANGE", "s", "-3", "-1"),
		cmd("This is a string", "GETRANGE", "s", "0", "-1"),
		cmd("string", "GETRANGE", "s", "10", "100"),
		cmd("", "GETRANGE", "s", "5", "3"),
		cmd("", "GETRANGE", "s", "-1", "-5"),
		cmd("T", "GETRANGE", "s", "-100", "-50"),
		cmd("", "GETRANGE", "s", "9223372036854775807", "-9223372036854775808"),
		cmd("", "GETRANGE", "none", "0", "-1"),
		cmd(errReply("ERR value is not an integer or out of range"), "GETRANGE", "s", "a", "1"),
		cmd(errReply("ERR value is not an integer or out of range"), "GETRANGE", "none", "0", "9223372036854775808"),
		cmd(wrongType, "GETRANGE", "other", "0", "1"),
		cmd("This", "SUBSTR", "s", "0", "3"),
		cmd("ing", "SUBSTR", "s", "-3", "-1"),
		cmd(errReply("ERR wrong number of arguments for 'substr' command"), "SUBSTR", "s", "0"),
		cmd("OK", "SET", "n", "123456"),
		cmd("2345", "GETRANGE", "n", "1", "-2"),
	}},
	{"incr decr", []step{
		cmd(int64(1), "INCR", "n"),
		cmd(int64(0), "DECR", "n"),
		cmd(int64(-1), "DECR", "n"),
		cmd(int64(99), "INCRBY", "n", "100"),
		cmd(int64(89), "DECRBY", "n", "10"),
		cmd(int64(1089), "DECRBY", "n", "-1000"),
		cmd("OK", "SET", "n", "9223372036854775806"),
		cmd(int64(9223372036854775807), "INCR", "n"),
		cmd(errReply("ERR increment or decrement would overflow"), "INCR", "n"),
		cmd(errReply("ERR increment or decrement would overflow"), "DECRBY", "n", "-1"),
		cmd("OK", "SET", "n", "-9223372036854775807"),
		cmd(int64(-9223372036854775808), "DECR", "n"),
		cmd(errReply("ERR increment or decrement would overflow"), "DECR", "n"),
		cmd(errReply("ERR increment or decrement would overflow"), "INCRBY", "n", "-1"),
		cmd(int64(-1), "INCRBY", "n", "9223372036854775807"),
		cmd(int64(-9223372036854775808), "INCRBY", "m", "-9223372036854775808"),
		cmd(errReply("ERR decrement would overflow"), "DECRBY", "m", "-9223372036854775808"),
		cmd(errReply("ERR value is not an integer or out of range"), "INCRBY", "m", "9223372036854775808"),
		cmd(errReply("ERR value is not an integer or out of range"), "INCRBY", "m", "1.5"),
		cmd(errReply("ERR value is not an integer or out of range"), "INCRBY", "m", "+1"),
		cmd(errReply("ERR value is not an integer or out of range"), "INCRBY", "m", "01"),
		cmd(errReply("ERR value is not an integer or out of range"), "INCRBY", "m", "-0"),
		cmd(errReply("ERR value is not an integer or out of range"), "INCRBY", "m", " 1"),
		cmd("OK", "SET", "s", " 1"),
		cmd(errReply("ERR value is not an integer or out of range"), "INCR", "s"),
		cmd("OK", "SET", "s", "1.0"),
		cmd(errReply("ERR value is not an integer or out of range"), "INCR", "s"),
		cmd("OK", "SET", "s", ""),
		cmd(errReply("ERR value is not an integer or out of range"), "DECR", "s"),
		cmd(wrongType, "INCR", "other"),
		// The increment is checked before the key.
		cmd(errReply("ERR value is not an integer or out of range"), "INCRBY", "other", "x"),
	}},
	{"incrbyfloat", []step{
		cmd("10.5", "INCRBYFLOAT", "f", "10.5"),
		cmd("10.6", "INCRBYFLOAT", "f", "0.1"),
		cmd("-4989.39999999999999991", "INCRBYFLOAT", "f", "-5.0e3"),
		cmd("3000", "INCRBYFLOAT", "g", "3.0e3"),
		cmd("8000", "INCRBYFLOAT", "g", "5.0e3"),
		cmd("OK", "SET", "h", "1e20"),
		// 1e20 needs 67 bits: adding 1 is lost in the 64-bit mantissa.
		cmd("100000000000000000000", "INCRBYFLOAT", "h", "1"),
		cmd("0", "INCRBYFLOAT", "z", "-0"),
		cmd("0", "INCRBYFLOAT", "z", "-0.0"),
		cmd("0.3", "INCRBYFLOAT", "z", "0.3"),
		cmd("0", "INCRBYFLOAT", "z", "-0.3"),
		cmd("123456789012345678899921813504", "INCRBYFLOAT", "big", "123456789012345678901234567890.5"),
		cmd("16", "INCRBYFLOAT", "hex", "0x10"),
		cmd("16.5", "INCRBYFLOAT", "hex", "0x.8"),
		cmd(errReply("ERR increment would produce NaN or Infinity"), "INCRBYFLOAT", "f", "inf"),
		cmd(errReply("ERR increment would produce NaN or Infinity"), "INCRBYFLOAT", "f", "-Infinity"),
		cmd(errReply("ERR value is not a valid float"), "INCRBYFLOAT", "f", "nan"),
		cmd(errReply("ERR value is not a valid float"), "INCRBYFLOAT", "f", "abc"),
		cmd(errReply("ERR value is not a valid float"), "INCRBYFLOAT", "f", " 1"),
		cmd(errReply("ERR value is not a valid float"), "INCRBYFLOAT", "f", "1e"),
		cmd(errReply("ERR value is not a valid float"), "INCRBYFLOAT", "f", "1e4933"),
		cmd(errReply("ERR value is not a valid float"), "INCRBYFLOAT", "f", "1e-5000"),
		cmd("0", "INCRBYFLOAT", "tiny", "1e-4940"),
		cmd("OK", "SET", "maxed", "1e4932"),
		cmd(errReply("ERR increment would produce NaN or Infinity"), "INCRBYFLOAT", "maxed", "1e4932"),
		cmd("OK", "SET", "s", "abc"),
		cmd(errReply("ERR value is not a valid float"), "INCRBYFLOAT", "s", "1"),
		cmd("OK", "SET", "s", "inf"),
		cmd(errReply("ERR increment would produce NaN or Infinity"), "INCRBYFLOAT", "s", "1"),
		cmd(wrongType, "INCRBYFLOAT", "other", "1"),
		cmd(wrongType, "INCRBYFLOAT", "other", "abc"),
	}},
	{"lcs", []step{
		cmd("OK", "MSET", "key1", "ohmytext", "key2", "mynewtext"),
		cmd("mytext", "LCS", "key1", "key2"),
		cmd(int64(6), "LCS", "key1", "key2", "LEN"),
		cmd(arr("matches", arr(
			arr(arr(int64(4), int64(7)), arr(int64(5), int64(8))),
			arr(arr(int64(2), int64(3)), arr(int64(0), int64(1))),
		), "len", int64(6)), "LCS", "key1", "key2", "IDX"),
		cmd(arr("matches", arr(
			arr(arr(int64(4), int64(7)), arr(int64(5), int64(8)), int64(4)),
		), "len", int64(6)), "LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
		cmd("", "LCS", "key1", "none"),
		cmd(arr("matches", []any{}, "len", int64(0)), "LCS", "key1", "none", "IDX"),
		cmd(errReply("ERR If you want both the length and indexes, please just use IDX."), "LCS", "key1", "key2", "IDX", "LEN"),
		cmd(errReply("ERR syntax error"), "LCS", "key1", "key2", "MINMATCHLEN"),
		cmd(errReply("ERR syntax error"), "LCS", "key1", "key2", "FOO"),
		cmd(errReply("ERR value is not an integer or out of range"), "LCS", "key1", "key2", "MINMATCHLEN", "x"),
		cmd(errReply("ERR The specified keys must contain string values"), "LCS", "other", "key1"),
		cmd(errReply("ERR The specified keys must contain string values"), "LCS", "key1", "other", "FOO"),
		cmd(errReply("ERR wrong number of arguments for 'lcs' command"), "LCS", "key1"),
	}},
}

func TestStringCommands(t *testing.T) {
	for _, sc := range stringScenarios {
		t.Run(sc.name, func(t *testing.T) {
			runSteps(t, startStringServer(t, nil), sc.steps)
		})
	}
}

func TestStringProtoMaxBulkLen(t *testing.T) {
	s := startStringServer(t, func(c *config.Config) { c.ProtoMaxBulkLen = 10 })
	tooLong := errReply("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
	tooMuch := errReply("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
	runSteps(t, s, []step{
		cmd(int64(6), "APPEND", "k", "123456"),
		cmd(int64(10), "APPEND", "k", "7890"),
		cmd(tooLong, "APPEND", "k", "x"),
		cmd(int64(10), "APPEND", "k", ""),
		cmd(int64(10), "SETRANGE", "k", "9", "x"),
		cmd(tooLong, "SETRANGE", "k", "9", "xy"),
		cmd(tooLong, "SETRANGE", "new", "10", "x"),
		cmd(int64(10), "SETRANGE", "new", "9", "x"),
		// LCS needs 4 bytes per cell of a (len+1)×(len+1) table: 2×1 is
		// 8 bytes, 2×2 is 16.
		cmd("OK", "MSET", "a", "x", "b", "", "c", "x"),
		cmd("", "LCS", "a", "b"),
		cmd(tooMuch, "LCS", "a", "c"),
	})
}

func TestStringEncodings(t *testing.T) {
	s := startStringServer(t, nil)
	tests := []struct {
		args []any
		key  string
		want string
	}{
		{[]any{"SET", "e", "123"}, "e", "int"},
		{[]any{"SET", "e", "-9223372036854775808"}, "e", "int"},
		{[]any{"SET", "e", "9223372036854775808"}, "e", "embstr"},
		{[]any{"SET", "e", "+1"}, "e", "embstr"},
		{[]any{"SET", "e", "01"}, "e", "embstr"},
		{[]any{"SET", "e", "-0"}, "e", "embstr"},
		{[]any{"SET", "e", strings.Repeat("x", 44)}, "e", "embstr"},
		{[]any{"SET", "e", strings.Repeat("x", 45)}, "e", "raw"},
		{[]any{"INCR", "e2"}, "e2", "int"},
		{[]any{"INCRBYFLOAT", "e2", "1"}, "e2", "embstr"},
		{[]any{"INCR", "e2"}, "e2", "int"},
		{[]any{"INCRBYFLOAT", "e2", "1e50"}, "e2", "raw"},
		{[]any{"SET", "e3", "10"}, "e3", "int"},
		{[]any{"APPEND", "e3", ""}, "e3", "raw"},
		{[]any{"APPEND", "e4", "10"}, "e4", "int"},
		{[]any{"SETRANGE", "e4", "0", ""}, "e4", "int"},
		{[]any{"SETRANGE", "e4", "0", "2"}, "e4", "raw"},
		{[]any{"SETRANGE", "e5", "0", "1"}, "e5", "raw"},
		{[]any{"GETSET", "e5", "77"}, "e5", "int"},
		{[]any{"MSET", "e6", "88", "e7", "abc"}, "e6", "int"},
		{[]any{"SETNX", "e8", "99"}, "e8", "int"},
		{[]any{"SETEX", "e8", "100", "99"}, "e8", "int"},
	}
	for _, tt := range tests {
		if got := s.do(t, tt.args...); got == nil {
			t.Fatalf("%v: null reply", tt.args)
		} else if _, isErr := got.(errReply); isErr {
			t.Fatalf("%v: %v", tt.args, got)
		}
		v, _, found := s.value(t, tt.key)
		if !found {
			t.Fatalf("%v: %q missing", tt.args, tt.key)
		}
		if got := v.Encoding(); got != tt.want {
			t.Errorf("after %v: encoding %s, want %s", tt.args, got, tt.want)
		}
	}
}

// TestStringExpiry checks the expiry time each command leaves, read from
// the keyspace: set, kept, or cleared.
func TestStringExpiry(t *testing.T) {
	s := startStringServer(t, nil)
	const far = 4102444800000 // 2100-01-01 in Unix ms
	type check func(before, after, prev, at int64) bool
	// relative is d from the time the command ran.
	relative := func(d time.Duration) check {
		return func(before, after, _, at int64) bool {
			return at >= before+d.Milliseconds() && at <= after+d.Milliseconds()
		}
	}
	exactly := func(want int64) check {
		return func(_, _, _, at int64) bool { return at == want }
	}
	unchanged := func(_, _, prev, at int64) bool { return at == prev }
	tests := []struct {
		args  []any
		check check
	}{
		{[]any{"SET", "k", "v", "EX", "100"}, relative(100 * time.Second)},
		{[]any{"SET", "k", "v", "KEEPTTL"}, unchanged},
		{[]any{"SET", "k", "v", "PX", "5000"}, relative(5 * time.Second)},
		{[]any{"SET", "k", "v"}, exactly(0)},
		{[]any{"SET", "k", "v", "EXAT", "4102444800"}, exactly(far)},
		{[]any{"SET", "k", "v", "PXAT", "4102444800001"}, exactly(far + 1)},
		{[]any{"INCRBYFLOAT", "k", "1"}, unchanged}, // "v" is not a float
		{[]any{"SET", "k", "1", "XX", "KEEPTTL"}, exactly(far + 1)},
		{[]any{"INCR", "k"}, exactly(far + 1)},
		{[]any{"INCRBYFLOAT", "k", "1.5"}, exactly(far + 1)},
		{[]any{"APPEND", "k", "x"}, exactly(far + 1)},
		{[]any{"SETRANGE", "k", "0", "y"}, exactly(far + 1)},
		{[]any{"GETEX", "k"}, exactly(far + 1)},
		{[]any{"GETEX", "k", "PERSIST"}, exactly(0)},
		{[]any{"GETEX", "k", "EX", "100"}, relative(100 * time.Second)},
		{[]any{"GETEX", "k", "PX", "100000"}, relative(100 * time.Second)},
		{[]any{"GETEX", "k", "EXAT", "4102444800"}, exactly(far)},
		{[]any{"GETEX", "k", "PXAT", "4102444800002"}, exactly(far + 2)},
		{[]any{"GETSET", "k", "v"}, exactly(0)},
		{[]any{"SETEX", "k", "100", "v"}, relative(100 * time.Second)},
		{[]any{"MSET", "k", "v"}, exactly(0)},
		{[]any{"PSETEX", "k", "100000", "v"}, relative(100 * time.Second)},
		{[]any{"SETNX", "k", "v"}, unchanged},
		{[]any{"MSETNX", "k", "v"}, unchanged},
		{[]any{"SET", "k", "v", "NX", "EX", "5"}, unchanged},
	}
	var prev int64
	for _, tt := range tests {
		before := time.Now().UnixMilli()
		s.do(t, tt.args...)
		after := time.Now().UnixMilli()
		_, at, found := s.value(t, "k")
		if !found {
			t.Fatalf("after %v: key missing", tt.args)
		}
		if !tt.check(before, after, prev, at) {
			t.Errorf("after %v: expires at %d, before %d (command ran between %d and %d)", tt.args, at, prev, before, after)
		}
		prev = at
	}
}

// effectsEngine runs commands straight through an engine whose keyspace
// records effects, at a fixed time.
type effectsEngine struct {
	engine  *commands.Engine
	client  *commands.Client
	effects []keyspace.Effect
}

const effectsNow = 1_700_000_000_000

func newEffectsEngine() *effectsEngine {
	e := &effectsEngine{}
	clock := func() time.Time { return time.UnixMilli(effectsNow) }
	ks := keyspace.New(keyspace.Options{Databases: 1, Clock: clock,
		Sink: func(effects []keyspace.Effect) { e.effects = append(e.effects, effects...) }})
	e.engine = commands.NewEngine(ks, config.NewStore(config.Defaults(), ""), slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.client = commands.NewClient("", "", clock(), func() {})
	e.client.Authenticated = true
	return e
}

// exec runs a command and returns its reply and the effects it recorded,
// each rendered as its space-separated arguments.
func (e *effectsEngine) exec(args ...string) (reply string, effects []string) {
	e.effects = nil
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	e.engine.KS.Lock()
	e.client.W.Reset()
	e.engine.Exec(e.client, bargs)
	reply = string(e.client.W.Bytes())
	e.engine.KS.Unlock()
	for _, ef := range e.effects {
		parts := make([]string, len(ef.Args))
		for i, a := range ef.Args {
			parts[i] = string(a)
		}
		effects = append(effects, strings.Join(parts, " "))
	}
	return reply, effects
}

func TestStringEffects(t *testing.T) {
	e := newEffectsEngine()
	e.engine.KS.Lock()
	e.engine.KS.DB(0).Set([]byte("other"), notString{})
	e.engine.KS.Unlock()
	in := func(ms int64) string { return fmt.Sprint(effectsNow + ms) }
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"SET", "k", "v"}, []string{"SET k v"}},
		{[]string{"SET", "k", "v", "EX", "10"}, []string{"SET k v PXAT " + in(10_000)}},
		{[]string{"SET", "k", "v", "px", "10", "GET"}, []string{"SET k v PXAT " + in(10)}},
		{[]string{"SET", "k", "v", "EXAT", "1800000000"}, []string{"SET k v PXAT 1800000000000"}},
		{[]string{"SET", "k", "v", "PXAT", "1800000000001"}, []string{"SET k v PXAT 1800000000001"}},
		{[]string{"SET", "k", "v2", "KEEPTTL", "GET"}, []string{"SET k v2 KEEPTTL"}},
		{[]string{"SET", "k", "v3", "XX"}, []string{"SET k v3"}},
		{[]string{"SET", "k", "v", "NX"}, nil},
		{[]string{"SET", "none", "v", "XX"}, nil},
		{[]string{"SET", "other", "v", "GET"}, nil},
		{[]string{"SET", "k", "v", "EX", "0"}, nil},
		{[]string{"SET", "k", "v", "PXAT", in(0)}, []string{"DEL k"}},
		{[]string{"SET", "k", "v", "EXAT", "1"}, nil},
		{[]string{"SETNX", "k", "v"}, []string{"SET k v"}},
		{[]string{"SETNX", "k", "v"}, nil},
		{[]string{"SETEX", "k", "10", "v"}, []string{"SET k v PXAT " + in(10_000)}},
		{[]string{"PSETEX", "k", "10", "v"}, []string{"SET k v PXAT " + in(10)}},
		{[]string{"GETSET", "k", "w"}, []string{"SET k w"}},
		{[]string{"GETSET", "other", "w"}, nil},
		{[]string{"GETEX", "k"}, nil},
		{[]string{"GETEX", "k", "PERSIST"}, nil},
		{[]string{"GETEX", "k", "EX", "10"}, []string{"PEXPIREAT k " + in(10_000)}},
		{[]string{"GETEX", "k", "PXAT", "1800000000001"}, []string{"PEXPIREAT k 1800000000001"}},
		{[]string{"GETEX", "k", "PERSIST"}, []string{"PERSIST k"}},
		{[]string{"GETEX", "k", "EXAT", "1"}, []string{"DEL k"}},
		{[]string{"GETEX", "k", "EX", "10"}, nil},
		{[]string{"GETDEL", "k"}, nil},
		{[]string{"SET", "k", "v"}, []string{"SET k v"}},
		{[]string{"GETDEL", "k"}, []string{"DEL k"}},
		{[]string{"GETDEL", "other"}, nil},
		{[]string{"INCR", "n"}, []string{"INCR n"}},
		{[]string{"DECRBY", "n", "5"}, []string{"DECRBY n 5"}},
		{[]string{"INCRBY", "n", "x"}, nil},
		{[]string{"INCRBYFLOAT", "n", "0.5"}, []string{"SET n -3.5 KEEPTTL"}},
		{[]string{"INCRBYFLOAT", "n", "inf"}, nil},
		{[]string{"INCR", "n"}, nil},
		{[]string{"APPEND", "a", "x"}, []string{"APPEND a x"}},
		{[]string{"APPEND", "a", ""}, []string{"APPEND a "}},
		{[]string{"SETRANGE", "a", "3", "y"}, []string{"SETRANGE a 3 y"}},
		{[]string{"SETRANGE", "a", "3", ""}, nil},
		{[]string{"SETRANGE", "b", "3", ""}, nil},
		{[]string{"MSET", "a", "1", "b", "2"}, []string{"MSET a 1 b 2"}},
		{[]string{"MSETNX", "b", "1", "c", "2"}, nil},
		{[]string{"MSETNX", "c", "1", "d", "2"}, []string{"MSETNX c 1 d 2"}},
		{[]string{"GET", "a"}, nil},
		{[]string{"MGET", "a", "b"}, nil},
		{[]string{"LCS", "a", "b"}, nil},
	}
	for _, tt := range tests {
		reply, got := e.exec(tt.args...)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q (reply %q): effects %q, want %q", tt.args, reply, got, tt.want)
		}
	}
}

func TestStringRESP3(t *testing.T) {
	e := newEffectsEngine()
	e.client.W.Proto = 3
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"GET", "k"}, "_\r\n"},
		{[]string{"SET", "k", "v", "XX"}, "_\r\n"},
		{[]string{"SETNX", "k", "v"}, ":1\r\n"},
		{[]string{"MGET", "k", "x"}, "*2\r\n$1\r\nv\r\n_\r\n"},
		{[]string{"INCRBYFLOAT", "f", "1.5"}, "$3\r\n1.5\r\n"},
		{[]string{"MSET", "a", "ab", "b", "b"}, "+OK\r\n"},
		{[]string{"LCS", "a", "b", "IDX", "WITHMATCHLEN"},
			"%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:1\r\n:1\r\n*2\r\n:0\r\n:0\r\n:1\r\n$3\r\nlen\r\n:1\r\n"},
	}
	for _, tt := range tests {
		if got, _ := e.exec(tt.args...); got != tt.want {
			t.Errorf("%q = %q, want %q", tt.args, got, tt.want)
		}
	}
}

// TestStringCommandMetadata compares the declarations with what
// redis-server reports in COMMAND INFO and COMMAND DOCS.
func TestStringCommandMetadata(t *testing.T) {
	addr := testutil.StartRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	defer rdb.Close()
	ctx := context.Background()
	table := commands.NewTable()
	for _, name := range []string{
		"append", "decr", "decrby", "get", "getdel", "getex", "getrange", "getset", "incr", "incrby",
		"incrbyfloat", "lcs", "mget", "mset", "msetnx", "psetex", "set", "setex", "setnx", "setrange",
		"strlen", "substr",
	} {
		t.Run(name, func(t *testing.T) {
			cmd := table[name]
			if cmd == nil {
				t.Fatal("not declared")
			}
			info, err := rdb.Do(ctx, "COMMAND", "INFO", name).Slice()
			if err != nil {
				t.Fatal(err)
			}
			entry := info[0].([]any)
			var flags []string
			for _, f := range entry[2].([]any) {
				flags = append(flags, f.(string))
			}
			want := fmt.Sprint(entry[1], flags, entry[3], entry[4], entry[5])
			got := fmt.Sprint(cmd.Arity, cmd.Flags.Names(), cmd.FirstKey, cmd.LastKey, cmd.Step)
			if got != want {
				t.Errorf("COMMAND INFO: declared %s, redis %s", got, want)
			}

			docs, err := rdb.Do(ctx, "COMMAND", "DOCS", name).Slice()
			if err != nil {
				t.Fatal(err)
			}
			fields := map[string]any{}
			kv := docs[1].([]any)
			for i := 0; i+1 < len(kv); i += 2 {
				fields[kv[i].(string)] = kv[i+1]
			}
			for field, got := range map[string]string{
				"summary": cmd.Summary, "since": cmd.Since, "group": cmd.Group, "complexity": cmd.Complexity,
			} {
				if fields[field] != got {
					t.Errorf("COMMAND DOCS %s: declared %q, redis %q", field, got, fields[field])
				}
			}
		})
	}
}
