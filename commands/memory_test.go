package commands_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/internal/testutil"
)

// TestMemoryUsage loads the same values into cairn and redis-server and
// requires MEMORY USAGE to be of Redis's order of magnitude (a quarter
// to four times its figure) for every type and encoding, and to grow
// with the value.
func TestMemoryUsage(t *testing.T) {
	rc := dialRaw(t, testutil.StartRedis(t))
	srv := testutil.StartCairn(t, nil)
	cc := dialRaw(t, srv.Addr)
	cmds := [][]string{
		{"SET", "str", "hello"},
		{"SET", "num", "12345"},
		{"SET", "long", strings.Repeat("x", 1000)},
		{"HSET", "hash", "f0", "v0", "f1", "v1", "f2", "v2", "f3", "v3", "f4", "v4", "f5", "v5"},
		{"SADD", "ints", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"},
		{"SADD", "strs", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"},
	}
	bigHash := []string{"HSET", "bighash"}
	bigSet := []string{"SADD", "bigset"}
	for i := range 2000 {
		bigHash = append(bigHash, fmt.Sprint("field", i), fmt.Sprint("value", i))
		bigSet = append(bigSet, fmt.Sprint("member", i))
	}
	cmds = append(cmds, bigHash, bigSet)
	var list []string
	for i := range 100 {
		list = append(list, fmt.Sprint("element", i))
	}
	// Lists are loaded straight into cairn's keyspace, which needs no
	// list command.
	rc.do(t, append([]string{"RPUSH", "list"}, list...)...)
	srv.Engine.KS.Lock()
	l := datatypes.NewList(datatypes.DefaultLimits())
	for _, e := range list {
		l.PushBack([]byte(e))
	}
	srv.Engine.KS.DB(0).Set([]byte("list"), l)
	srv.Engine.KS.Unlock()
	for _, c := range cmds {
		rc.do(t, c...)
		if r := cc.do(t, c...); r.kind == '-' {
			t.Fatalf("%q: %s", c, r)
		}
	}

	tests := []struct {
		key, typ, encoding string
	}{
		{"str", "string", "embstr"},
		{"num", "string", "int"},
		{"long", "string", "raw"},
		{"hash", "hash", "listpack"},
		{"bighash", "hash", "hashtable"},
		{"ints", "set", "intset"},
		{"strs", "set", "hashtable"},
		{"bigset", "set", "hashtable"},
		{"list", "list", "quicklist"},
	}
	usage := map[string]int64{}
	for _, tt := range tests {
		if got := cc.do(t, "TYPE", tt.key).str; got != tt.typ {
			t.Errorf("TYPE %s = %s, want %s", tt.key, got, tt.typ)
		}
		if got := cc.do(t, "OBJECT", "ENCODING", tt.key).str; got != tt.encoding {
			t.Errorf("OBJECT ENCODING %s = %s, want %s", tt.key, got, tt.encoding)
		}
		got := cc.do(t, "MEMORY", "USAGE", tt.key)
		want := rc.do(t, "MEMORY", "USAGE", tt.key, "SAMPLES", "0")
		if got.kind != ':' {
			t.Errorf("MEMORY USAGE %s = %s, want an integer", tt.key, got)
			continue
		}
		usage[tt.key] = got.n
		t.Logf("MEMORY USAGE %-8s cairn %7d  redis %7d", tt.key, got.n, want.n)
		// Small values are kept compact, often far below Redis's figure;
		// none should cost much more.
		if got.n <= 0 || got.n > want.n*4 {
			t.Errorf("MEMORY USAGE %s = %d, not of the order of Redis's %d or below", tt.key, got.n, want.n)
		}
	}
	for _, pair := range [][2]string{{"str", "long"}, {"hash", "bighash"}, {"strs", "bigset"}} {
		if usage[pair[0]] >= usage[pair[1]] {
			t.Errorf("MEMORY USAGE %s (%d) is not below %s's (%d)", pair[0], usage[pair[0]], pair[1], usage[pair[1]])
		}
	}
	// The key's name counts, give or take the rounding of the record's
	// slot size (up to an eighth).
	cc.do(t, "SET", strings.Repeat("k", 100), "hello")
	if n := cc.do(t, "MEMORY", "USAGE", strings.Repeat("k", 100)).n; n < usage["str"]+80 {
		t.Errorf("MEMORY USAGE of a 100-byte key = %d, want at least %d", n, usage["str"]+80)
	}
}

func TestMemoryCommand(t *testing.T) {
	s := startStringServer(t, nil)
	runSteps(t, s, []step{
		cmd(int64(1), "SADD", "s", "1"),
		cmd(nil, "MEMORY", "USAGE", "nokey"),
		cmd(nil, "MEMORY", "USAGE", "nokey", "SAMPLES", "5"),
		cmd(errSyntaxReply, "MEMORY", "USAGE", "nokey", "foo"),
		cmd(errSyntaxReply, "MEMORY", "USAGE", "s", "SAMPLES"),
		cmd(errSyntaxReply, "MEMORY", "USAGE", "s", "SAMPLES", "-1"),
		cmd(errIntArg, "MEMORY", "USAGE", "s", "SAMPLES", "x"),
		cmd(arityErr("memory|usage"), "MEMORY", "USAGE"),
		cmd(arityErr("memory"), "MEMORY"),
		cmd(errReply("ERR unknown subcommand 'foo'. Try MEMORY HELP."), "MEMORY", "foo"),
		cmd(arityErr("memory|help"), "MEMORY", "HELP", "x"),
	})
	n, ok := s.do(t, "MEMORY", "USAGE", "s", "SAMPLES", "0", "samples", "3").(int64)
	if !ok || n <= 0 {
		t.Errorf("MEMORY USAGE s SAMPLES 0 samples 3 = %v", n)
	}
	help := replyStrs(t, s.do(t, "MEMORY", "HELP"))
	if len(help) == 0 || !strings.HasPrefix(help[0], "MEMORY <subcommand>") || !strings.Contains(strings.Join(help, "\n"), "USAGE <key>") {
		t.Errorf("MEMORY HELP = %q", help)
	}
}

func TestMemoryCommandMetadata(t *testing.T) {
	compareGroupMetadata(t, "server", []string{"memory|doctor", "memory|malloc-stats", "memory|purge",
		"memory|stats", "memory|usage", "memory|help"})
	// The container's flags and categories.
	rc := dialRaw(t, testutil.StartRedis(t))
	cc := dialRaw(t, testutil.StartCairn(t, nil).Addr)
	got := cc.do(t, "COMMAND", "INFO", "memory").elems[0]
	want := rc.do(t, "COMMAND", "INFO", "memory").elems[0]
	for i := 1; i <= 6; i++ {
		if got.elems[i].String() != want.elems[i].String() {
			t.Errorf("COMMAND INFO memory field %d: %s, redis %s", i, got.elems[i], want.elems[i])
		}
	}
}

// TestMemoryStatsFields requires MEMORY STATS to give Redis's fields in
// Redis's order with Redis's reply types, db.N included, in RESP2 and
// RESP3; the figures themselves differ.
func TestMemoryStatsFields(t *testing.T) {
	rc := dialRaw(t, testutil.StartRedis(t))
	cc := dialRaw(t, testutil.StartCairn(t, nil).Addr)
	for _, c := range []*rawConn{rc, cc} {
		for _, args := range [][]string{{"SET", "a", "1"}, {"SELECT", "3"}, {"SET", "b", "2"}, {"EXPIRE", "b", "1000"}} {
			c.do(t, args...)
		}
	}
	for _, proto := range []string{"2", "3"} {
		rc.do(t, "HELLO", proto)
		cc.do(t, "HELLO", proto)
		got, want := statsShape(cc.do(t, "MEMORY", "STATS")), statsShape(rc.do(t, "MEMORY", "STATS"))
		if got != want {
			t.Errorf("RESP%s: MEMORY STATS is\n%s\nredis-server's is\n%s", proto, got, want)
		}
	}
}

// statsShape writes a reply's type and, in a map (or its RESP2 array),
// each key with the shape of its value, one a line.
func statsShape(r *rawReply) string {
	if r.elems == nil {
		return string(r.kind)
	}
	var b strings.Builder
	b.WriteByte(r.kind)
	for i := 0; i+1 < len(r.elems); i += 2 {
		fmt.Fprintf(&b, "\n%s %s", r.elems[i].str, strings.ReplaceAll(statsShape(r.elems[i+1]), "\n", "\n  "))
	}
	return b.String()
}
