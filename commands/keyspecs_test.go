package commands_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/internal/testutil"
)

// TestKeySpecsMatchRedis compares, for every command and subcommand in
// cairn's table, the key specs of COMMAND INFO and the key_spec_index of
// every COMMAND DOCS argument with redis-server's. There is no exception;
// commands Redis 7.0 does not have (CLIENT SETINFO) are left to
// TestCommandInfoMatchesRedis.
func TestKeySpecsMatchRedis(t *testing.T) {
	rc := dialRaw(t, testutil.StartRedis(t))
	cc := dialRaw(t, testutil.StartCairn(t, nil).Addr)
	var diffs []string
	for _, name := range cc.do(t, "COMMAND", "LIST").strs() {
		want := rc.do(t, "COMMAND", "INFO", name).elems[0]
		if want.null {
			continue
		}
		got := cc.do(t, "COMMAND", "INFO", name).elems[0]
		if g, w := got.elems[8].String(), want.elems[8].String(); g != w {
			diffs = append(diffs, fmt.Sprintf("%s: key specs\n  got %s\n  redis %s", name, g, w))
		}
		gotDocs := cc.do(t, "COMMAND", "DOCS", name).elems[1].fields()
		wantDocs := rc.do(t, "COMMAND", "DOCS", name).elems[1].fields()
		if g, w := keySpecIndexes(gotDocs["arguments"]), keySpecIndexes(wantDocs["arguments"]); g != w {
			diffs = append(diffs, fmt.Sprintf("%s: key_spec_index %s, redis %s", name, g, w))
		}
	}
	if len(diffs) > 0 {
		t.Errorf("key specs differ from redis-server in %d places:\n%s", len(diffs), strings.Join(diffs, "\n"))
	}
}

// keySpecIndexes lists the key arguments of a COMMAND DOCS argument tree
// with their key_spec_index, as "name=index".
func keySpecIndexes(args *rawReply) string {
	if args == nil {
		return ""
	}
	var out []string
	for _, a := range args.elems {
		f := a.fields()
		if i := f["key_spec_index"]; i != nil {
			out = append(out, fmt.Sprintf("%s=%d", fieldStr(f, "name"), i.n))
		}
		if s := keySpecIndexes(f["arguments"]); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

// TestGetKeysAndFlagsMatchRedis compares COMMAND GETKEYSANDFLAGS with
// redis-server's for commands with several key specs, keyword and keynum
// specs, unknown specs and variable flags.
func TestGetKeysAndFlagsMatchRedis(t *testing.T) {
	rc := dialRaw(t, testutil.StartRedis(t))
	cc := dialRaw(t, testutil.StartCairn(t, nil).Addr)
	for _, call := range []string{
		"SET a b", "SET a b GET", "SET a b NX get EX 10", "SET a b EX 10",
		"BITFIELD a", "BITFIELD a GET u8 0", "BITFIELD a OVERFLOW SAT GET u8 0 GET i4 1",
		"BITFIELD a GET u8 0 INCRBY u8 0 1", "BITFIELD a SET u8 0 1", "BITFIELD a GET u8",
		"SORT a", "SORT a BY x GET y GET z STORE d", "SORT a STORE d LIMIT 0 1", "SORT_RO a BY x GET y",
		"GEORADIUS a 0 0 1 km", "GEORADIUS a 0 0 1 km STORE d", "GEORADIUS a 0 0 1 km STOREDIST d",
		"GEORADIUSBYMEMBER a m 1 km STORE d STOREDIST e", "GEOSEARCHSTORE d s FROMMEMBER m BYRADIUS 1 km",
		"ZUNIONSTORE d 2 a b WEIGHTS 1 2", "ZINTERSTORE d 1 a", "ZDIFFSTORE d 2 a b", "ZUNION 2 a b",
		"ZINTER 1 a WITHSCORES", "ZDIFF 2 a b", "ZINTERCARD 2 a b LIMIT 1", "ZRANGESTORE d s 0 -1", "ZMPOP 2 a b MIN",
		"BZMPOP 0 1 a MAX", "SMOVE a b m", "SINTERCARD 2 a b", "SINTERSTORE d a b", "SDIFFSTORE d a", "SUNIONSTORE d a b",
		"LMOVE a b LEFT RIGHT", "BLMOVE a b LEFT RIGHT 0", "RPOPLPUSH a b", "BRPOPLPUSH a b 0", "LMPOP 2 a b LEFT",
		"BLMPOP 0 2 a b RIGHT COUNT 2", "BLPOP a b 0", "COPY a b", "RENAME a b", "RENAMENX a b",
		"EVAL s 2 a b c", "EVALSHA s 1 a", "EVAL_RO s 2 a b", "EVALSHA_RO s 1 a",
		"BITOP AND d a b", "MSET a 1 b 2", "MSETNX a 1 b 2", "PFMERGE d a b", "PFCOUNT a b", "DEL a b",
		"GETEX a", "GETDEL a", "MEMORY USAGE a", "OBJECT ENCODING a", "EXISTS a b", "LPUSH a x",
	} {
		args := append([]string{"COMMAND", "GETKEYSANDFLAGS"}, strings.Fields(call)...)
		if got, want := cc.do(t, args...).String(), rc.do(t, args...).String(); got != want {
			t.Errorf("COMMAND GETKEYSANDFLAGS %s:\n got %s\nwant %s", call, got, want)
		}
	}
}
