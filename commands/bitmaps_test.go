package commands_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/datatypes"
)

// The bitmap commands (bitmaps.go), in process. "other" is a non-string
// key (startStringServer). integration/testdata/bitmaps.txt compares many
// more cases with redis-server.

var (
	errBitOffset    = errReply("ERR bit offset is not an integer or out of range")
	errBitValue     = errReply("ERR bit is not an integer or out of range")
	errBitfieldType = errReply("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
)

var bitmapScenarios = []struct {
	name  string
	steps []step
}{
	{"setbit getbit", []step{
		cmd(int64(0), "SETBIT", "k", "7", "1"),
		cmd("\x01", "GET", "k"),
		cmd(int64(1), "SETBIT", "k", "7", "1"),
		cmd(int64(1), "SETBIT", "k", "7", "0"),
		cmd(int64(0), "SETBIT", "k", "0", "1"),
		cmd(int64(0), "SETBIT", "k", "17", "1"),
		cmd("\x80\x00\x40", "GET", "k"),
		cmd(int64(1), "GETBIT", "k", "0"),
		cmd(int64(0), "GETBIT", "k", "1"),
		cmd(int64(1), "GETBIT", "k", "17"),
		cmd(int64(0), "GETBIT", "k", "24"),
		cmd(int64(0), "GETBIT", "k", "4294967295"),
		cmd(int64(0), "GETBIT", "missing", "3"),
		cmd(int64(0), "EXISTS", "missing"),
		// The bits of a number's digits.
		cmd("OK", "SET", "n", "1"),
		cmd(int64(1), "GETBIT", "n", "2"),
		cmd(int64(0), "SETBIT", "n", "6", "1"),
		cmd("3", "GET", "n"),
	}},
	{"setbit getbit errors", []step{
		cmd(errBitOffset, "SETBIT", "k", "-1", "1"),
		cmd(errBitOffset, "SETBIT", "k", "4294967296", "1"),
		cmd(errBitOffset, "SETBIT", "k", "x", "x"),
		cmd(errBitOffset, "SETBIT", "k", "#1", "1"),
		cmd(errBitValue, "SETBIT", "k", "0", "2"),
		cmd(errBitValue, "SETBIT", "k", "0", "-1"),
		cmd(errBitValue, "SETBIT", "k", "0", "01"),
		cmd(errBitValue, "SETBIT", "other", "0", "x"),
		cmd(wrongType, "SETBIT", "other", "0", "1"),
		cmd(errBitOffset, "GETBIT", "other", "x"),
		cmd(wrongType, "GETBIT", "other", "0"),
		cmd(errBitOffset, "GETBIT", "k", "4294967296"),
		cmd(int64(0), "EXISTS", "k"),
		cmd(errReply("ERR wrong number of arguments for 'setbit' command"), "SETBIT", "k", "0"),
		cmd(errReply("ERR wrong number of arguments for 'getbit' command"), "GETBIT", "k"),
	}},
	{"bitcount", []step{
		cmd("OK", "SET", "s", "foobar"),
		cmd(int64(26), "BITCOUNT", "s"),
		cmd(int64(4), "BITCOUNT", "s", "0", "0"),
		cmd(int64(6), "BITCOUNT", "s", "1", "1"),
		cmd(int64(26), "BITCOUNT", "s", "-100", "100"),
		cmd(int64(0), "BITCOUNT", "s", "-1", "-2"),
		cmd(int64(0), "BITCOUNT", "s", "3", "2"),
		cmd(int64(6), "BITCOUNT", "s", "1", "1", "byte"),
		cmd(int64(17), "BITCOUNT", "s", "5", "30", "BIT"),
		cmd(int64(0), "BITCOUNT", "s", "-1", "-1", "BIT"),
		cmd(int64(1), "BITCOUNT", "s", "-2", "-2", "BIT"),
		cmd(int64(0), "BITCOUNT", "s", "48", "100", "BIT"),
		cmd(int64(0), "BITCOUNT", "missing", "x", "y"),
		cmd(wrongType, "BITCOUNT", "other", "x", "y"),
		cmd(errSyntaxReply, "BITCOUNT", "s", "0"),
		cmd(errIntArg, "BITCOUNT", "s", "a", "0", "FOO"),
		cmd(int64(0), "BITCOUNT", "s", "-1", "-2", "FOO"),
		cmd(errSyntaxReply, "BITCOUNT", "s", "0", "1", "FOO"),
		cmd(errSyntaxReply, "BITCOUNT", "s", "0", "1", "BIT", "x"),
	}},
	{"bitpos", []step{
		cmd("OK", "SET", "s", "\xff\xf0\x00"),
		cmd(int64(12), "BITPOS", "s", "0"),
		cmd(int64(0), "BITPOS", "s", "1"),
		cmd(int64(8), "BITPOS", "s", "1", "1"),
		cmd(int64(-1), "BITPOS", "s", "1", "2"),
		cmd(int64(-1), "BITPOS", "s", "0", "0", "0"),
		cmd(int64(7), "BITPOS", "s", "1", "7", "15", "BIT"),
		cmd(int64(12), "BITPOS", "s", "0", "3", "12", "BIT"),
		cmd(int64(-1), "BITPOS", "s", "0", "3", "11", "BIT"),
		cmd(int64(-1), "BITPOS", "s", "1", "12", "-1", "BIT"),
		// All ones: past the end without an end, nowhere with one.
		cmd("OK", "SET", "ones", "\xff\xff"),
		cmd(int64(16), "BITPOS", "ones", "0"),
		cmd(int64(16), "BITPOS", "ones", "0", "1"),
		cmd(int64(-1), "BITPOS", "ones", "0", "0", "-1"),
		cmd(int64(-1), "BITPOS", "ones", "0", "2"),
		cmd("OK", "SET", "e", ""),
		cmd(int64(-1), "BITPOS", "e", "0"),
		cmd(int64(0), "BITPOS", "missing", "0", "x"),
		cmd(int64(-1), "BITPOS", "missing", "1"),
		cmd(errReply("ERR The bit argument must be 1 or 0."), "BITPOS", "missing", "2"),
		cmd(errIntArg, "BITPOS", "s", "x"),
		cmd(wrongType, "BITPOS", "other", "1", "x"),
		cmd(errSyntaxReply, "BITPOS", "s", "1", "0", "x", "FOO"),
		cmd(errIntArg, "BITPOS", "s", "1", "0", "x", "BIT"),
		cmd(errSyntaxReply, "BITPOS", "s", "1", "0", "1", "BIT", "x"),
	}},
	{"bitop", []step{
		cmd("OK", "MSET", "a", "\xff\x0f\xf0", "b", "\x0f"),
		cmd(int64(3), "BITOP", "AND", "d", "a", "b"),
		cmd("\x0f\x00\x00", "GET", "d"),
		cmd(int64(3), "BITOP", "or", "d", "a", "b", "missing"),
		cmd("\xff\x0f\xf0", "GET", "d"),
		cmd(int64(3), "BITOP", "Xor", "d", "a", "b"),
		cmd("\xf0\x0f\xf0", "GET", "d"),
		cmd(int64(1), "BITOP", "NOT", "d", "b"),
		cmd("\xf0", "GET", "d"),
		cmd(int64(3), "BITOP", "AND", "d", "a", "missing"),
		cmd("\x00\x00\x00", "GET", "d"),
		// An empty result deletes the destination, whatever it held.
		cmd(int64(0), "BITOP", "OR", "other", "missing"),
		cmd(int64(0), "EXISTS", "other"),
		cmd(int64(0), "BITOP", "OR", "d", "missing", "missing2"),
		cmd(int64(0), "EXISTS", "d"),
		cmd(errSyntaxReply, "BITOP", "NAND", "d", "a"),
		cmd(errReply("ERR BITOP NOT must be called with a single source key."), "BITOP", "NOT", "d", "a", "b"),
		cmd(errReply("ERR wrong number of arguments for 'bitop' command"), "BITOP", "AND", "d"),
	}},
	{"bitop wrongtype", []step{
		cmd(wrongType, "BITOP", "AND", "d", "missing", "other"),
		cmd(int64(1), "EXISTS", "other"),
		cmd("OK", "SET", "k", "v"),
		cmd(int64(1), "BITOP", "OR", "other", "missing", "k"),
		cmd("v", "GET", "other"),
	}},
	{"bitfield", []step{
		cmd(arr(int64(0), int64(0), int64(44)), "BITFIELD", "k", "GET", "u8", "0", "SET", "u8", "0", "300", "GET", "u8", "0"),
		cmd(arr(int64(44), int64(-1), int64(56), int64(56)),
			"BITFIELD", "k", "OVERFLOW", "WRAP", "SET", "u8", "0", "-1", "SET", "i8", "0", "-200", "GET", "u8", "0", "GET", "i8", "0"),
		cmd(arr(int64(127), int64(255), nil, int64(255)),
			"BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "200", "INCRBY", "u8", "0", "1000", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1", "GET", "u8", "0"),
		cmd(arr(int64(15), int64(0), int64(-72057594037927936)), "BITFIELD", "k", "GET", "u4", "#0", "GET", "u4", "#3", "GET", "i64", "0"),
		cmd(arr(int64(-72057594037927936), int64(0)), "BITFIELD", "k", "SET", "i64", "0", "0", "GET", "i64", "0"),
		cmd(arr(int64(0), int64(1)), "BITFIELD", "k", "SET", "u63", "1", "1", "GET", "u63", "1"),
		cmd("\x00\x00\x00\x00\x00\x00\x00\x01", "GET", "k"),
		cmd([]any{}, "BITFIELD", "missing"),
		cmd(arr(int64(0)), "BITFIELD", "missing", "GET", "i64", "4294967295"),
		cmd(int64(0), "EXISTS", "missing"),
		// OVERFLOW FAIL writes nothing but the key is created all the same.
		cmd(arr(nil), "BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u8", "8", "300"),
		cmd("\x00\x00", "GET", "f"),
	}},
	{"bitfield errors", []step{
		cmd(errBitfieldType, "BITFIELD", "k", "GET", "u64", "0"),
		cmd(errBitfieldType, "BITFIELD", "k", "GET", "i65", "0"),
		cmd(errBitfieldType, "BITFIELD", "k", "GET", "i0", "0"),
		cmd(errBitfieldType, "BITFIELD", "k", "GET", "U8", "0"),
		cmd(errBitOffset, "BITFIELD", "k", "GET", "u8", "-1"),
		cmd(errBitOffset, "BITFIELD", "k", "GET", "u8", "4294967296"),
		cmd(errBitOffset, "BITFIELD", "k", "GET", "u8", "#536870912"),
		cmd(errIntArg, "BITFIELD", "k", "SET", "u8", "0", "x"),
		cmd(errSyntaxReply, "BITFIELD", "k", "SET", "u8", "0"),
		cmd(errSyntaxReply, "BITFIELD", "k", "FOO"),
		cmd(errSyntaxReply, "BITFIELD", "k", "OVERFLOW"),
		cmd(errReply("ERR Invalid OVERFLOW type specified"), "BITFIELD", "k", "OVERFLOW", "FOO"),
		cmd(errBitfieldType, "BITFIELD", "other", "SET", "u64", "0", "1"),
		cmd(wrongType, "BITFIELD", "other", "SET", "u8", "0", "1"),
		cmd(wrongType, "BITFIELD", "other", "GET", "u8", "0"),
		cmd(wrongType, "BITFIELD", "other"),
		cmd(int64(0), "EXISTS", "k"),
	}},
	{"bitfield_ro", []step{
		cmd("OK", "SET", "k", "\x81"),
		cmd(arr(int64(129), int64(-127), int64(1)), "BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i8", "0", "OVERFLOW", "SAT", "GET", "u1", "#7"),
		cmd(errReply("ERR BITFIELD_RO only supports the GET subcommand"), "BITFIELD_RO", "k", "GET", "u8", "0", "SET", "u8", "0", "1"),
		cmd(errReply("ERR BITFIELD_RO only supports the GET subcommand"), "BITFIELD_RO", "other", "INCRBY", "u8", "0", "1"),
		cmd(errBitfieldType, "BITFIELD_RO", "k", "SET", "u64", "0", "1"),
		cmd(wrongType, "BITFIELD_RO", "other", "GET", "u8", "0"),
		cmd("\x81", "GET", "k"),
	}},
}

func TestBitmapCommands(t *testing.T) {
	for _, sc := range bitmapScenarios {
		t.Run(sc.name, func(t *testing.T) {
			runSteps(t, startStringServer(t, nil), sc.steps)
		})
	}
}

// TestBitmapEncodings checks that a string a bitmap command writes is
// "raw", as in Redis, and that reads leave it alone.
func TestBitmapEncodings(t *testing.T) {
	s := startStringServer(t, nil)
	runSteps(t, s, []step{
		cmd("OK", "MSET", "n", "12", "e", "hello", "r", "12"),
		cmd(int64(0), "SETBIT", "n", "0", "0"),
		cmd(arr(int64(104)), "BITFIELD", "e", "GET", "u8", "0"),
		cmd(int64(2), "BITOP", "AND", "d", "r"),
		cmd(int64(0), "SETBIT", "new", "3", "1"),
		cmd(arr(nil), "BITFIELD", "new2", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9"),
	})
	for key, want := range map[string]string{"n": "raw", "e": "embstr", "r": "int", "d": "raw", "new": "raw", "new2": "raw"} {
		if got := valueAt[*datatypes.String](t, s, key).Encoding(); got != want {
			t.Errorf("%s: %s, want %s", key, got, want)
		}
	}
}

// TestBitmapLongStrings works on strings longer than the keyspace keeps
// in its records, which are changed in place.
func TestBitmapLongStrings(t *testing.T) {
	s := startStringServer(t, nil)
	runSteps(t, s, []step{
		cmd(int64(0), "SETBIT", "big", "200000", "1"),
		cmd(int64(25001), "STRLEN", "big"),
		cmd(int64(0), "SETBIT", "big", "7", "1"),
		cmd(int64(2), "BITCOUNT", "big"),
		cmd(int64(200000), "BITPOS", "big", "1", "1"),
		cmd(arr(int64(2), int64(2)), "BITFIELD", "big", "INCRBY", "u8", "0", "1", "INCRBY", "u2", "199999", "1"),
		cmd(int64(25001), "BITOP", "NOT", "inv", "big"),
		cmd(int64(25001*8-2), "BITCOUNT", "inv"),
		cmd(int64(6), "BITPOS", "inv", "0"),
		cmd(int64(25001), "BITOP", "XOR", "zero", "big", "big"),
		cmd(int64(-1), "BITPOS", "zero", "1"),
		cmd(int64(0), "SETBIT", "zero", "400000", "1"),
		cmd(int64(50001), "STRLEN", "zero"),
	})
	if got := valueAt[*datatypes.String](t, s, "big").Bytes()[:1]; string(got) != "\x02" {
		t.Errorf("big starts with %q", got)
	}
}

// TestBitmapPipelineLongString changes a long string in place after a
// reply that holds its bytes in the same pipeline: the reply must show
// the value as it was.
func TestBitmapPipelineLongString(t *testing.T) {
	s := startStringServer(t, nil)
	ctx := context.Background()
	long := strings.Repeat("\x00", 100_000)
	if err := s.rdb.Set(ctx, "big", long, 0).Err(); err != nil {
		t.Fatal(err)
	}
	pipe := s.rdb.Pipeline()
	get := pipe.Get(ctx, "big")
	pipe.SetBit(ctx, "big", 0, 1)
	field := pipe.BitField(ctx, "big", "INCRBY", "u8", "8", "5")
	get2 := pipe.Get(ctx, "big")
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if get.Val() != long {
		t.Errorf("GET before SETBIT sees %q...", get.Val()[:4])
	}
	if got := field.Val(); !reflect.DeepEqual(got, []int64{5}) {
		t.Errorf("BITFIELD = %v", got)
	}
	if want := "\x80\x05" + long[2:]; get2.Val() != want {
		t.Errorf("GET after SETBIT sees %q...", get2.Val()[:4])
	}
}

func TestBitmapProtoMaxBulkLen(t *testing.T) {
	// 10 bytes: bits 0 to 79.
	s := startStringServer(t, func(c *config.Config) { c.ProtoMaxBulkLen = 10 })
	runSteps(t, s, []step{
		cmd(int64(0), "SETBIT", "k", "79", "1"),
		cmd(errBitOffset, "SETBIT", "k", "80", "1"),
		cmd(errBitOffset, "GETBIT", "k", "80"),
		cmd(errBitOffset, "BITFIELD", "k", "GET", "u8", "#10"),
		// Only the offset is checked: a field may end past the limit.
		cmd(arr(int64(256)), "BITFIELD", "k", "SET", "u16", "72", "0"),
		cmd(int64(11), "STRLEN", "k"),
	})
}

func TestBitmapRESP3(t *testing.T) {
	e := newEffectsEngine()
	e.client.W.Proto = 3
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9", "GET", "u2", "0"}, "*2\r\n_\r\n:0\r\n"},
		{[]string{"BITFIELD_RO", "k", "GET", "u2", "0"}, "*1\r\n:0\r\n"},
		{[]string{"BITPOS", "k", "1"}, ":-1\r\n"},
	} {
		if got, _ := e.exec(tt.args...); got != tt.want {
			t.Errorf("%q = %q, want %q", tt.args, got, tt.want)
		}
	}
}

// TestBitmapEffects checks what each command records for the log.
func TestBitmapEffects(t *testing.T) {
	e := newEffectsEngine()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"SETBIT", "k", "3", "1"}, []string{"SETBIT k 3 1"}},
		// Not when the bit does not change, as in Redis 7.0.15; when the
		// string grows, it is.
		{[]string{"SETBIT", "k", "3", "1"}, nil},
		{[]string{"SETBIT", "k", "20", "0"}, []string{"SETBIT k 20 0"}},
		{[]string{"SETBIT", "k", "x", "1"}, nil},
		{[]string{"GETBIT", "k", "3"}, nil},
		{[]string{"BITCOUNT", "k"}, nil},
		{[]string{"BITPOS", "k", "1"}, nil},
		{[]string{"BITFIELD", "k", "GET", "u8", "0"}, nil},
		{[]string{"BITFIELD", "k", "SET", "u8", "0", "255", "GET", "u8", "0"}, []string{"BITFIELD k SET u8 0 255 GET u8 0"}},
		// A write that fails, or writes the value already there, is no
		// change (Redis 7.0's dirty stays); a string it pads is one.
		{[]string{"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1"}, nil},
		{[]string{"BITFIELD", "k", "SET", "u8", "0", "255", "INCRBY", "u4", "0", "0"}, nil},
		{[]string{"BITFIELD", "k", "SET", "u8", "100", "0"}, []string{"BITFIELD k SET u8 100 0"}},
		{[]string{"BITFIELD", "k", "SET", "u64", "0", "1"}, nil},
		{[]string{"BITFIELD_RO", "k", "GET", "u8", "0"}, nil},
		// BITOP replays as it ran; WATCH sees only its destination change
		// (TestBitmapWatch).
		{[]string{"BITOP", "NOT", "d", "k"}, []string{"BITOP NOT d k"}},
		{[]string{"BITOP", "OR", "d", "k", "k"}, []string{"BITOP OR d k k"}},
		{[]string{"BITOP", "AND", "d", "missing"}, []string{"DEL d"}},
		{[]string{"BITOP", "AND", "d", "missing"}, nil},
		{[]string{"BITOP", "FOO", "d", "k"}, nil},
	}
	for _, tt := range tests {
		reply, got := e.exec(tt.args...)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q (reply %q): effects %q, want %q", tt.args, reply, got, tt.want)
		}
	}
}

// TestBitmapWatch checks that BITOP makes dirty the clients watching its
// destination, not those watching its sources, as in Redis.
func TestBitmapWatch(t *testing.T) {
	s := startStringServer(t, nil)
	ctx := context.Background()
	other := redis.NewClient(&redis.Options{Addr: s.srv.Addr, Protocol: 2, DisableIdentity: true})
	defer other.Close()
	if err := s.rdb.Set(ctx, "src", "\x0f", 0).Err(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		watch   string
		aborted bool
	}{{"src", false}, {"dest", true}} {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			if err := other.BitOpNot(ctx, "dest", "src").Err(); err != nil {
				return err
			}
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Get(ctx, "src")
				return nil
			})
			return err
		}, tt.watch)
		if aborted := errors.Is(err, redis.TxFailedErr); aborted != tt.aborted || (err != nil && !aborted) {
			t.Errorf("WATCH %s, BITOP: EXEC error %v, want aborted %v", tt.watch, err, tt.aborted)
		}
	}
}

// TestBitmapCommandMetadata compares the declarations with redis-server's
// COMMAND INFO and COMMAND DOCS.
func TestBitmapCommandMetadata(t *testing.T) {
	compareGroupMetadata(t, "bitmap", []string{"bitcount", "bitfield", "bitfield_ro", "bitop", "bitpos", "getbit", "setbit"})
}
