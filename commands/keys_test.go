package commands_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/redis/go-redis/v9"
)

// keyEngine runs commands straight through an engine on a clock the test
// moves, recording every effect, for what the wire cannot show: effects,
// statistics and time.
type keyEngine struct {
	t       testing.TB
	now     time.Time
	ks      *keyspace.Keyspace
	engine  *commands.Engine
	client  *commands.Client
	effects []keyspace.Effect
}

func newKeyEngine(t testing.TB) *keyEngine {
	k := &keyEngine{t: t, now: time.UnixMilli(1_700_000_000_000)}
	cfg := config.Defaults()
	k.ks = keyspace.New(keyspace.Options{Databases: cfg.Databases,
		Clock: func() time.Time { return k.now },
		Sink:  func(e []keyspace.Effect) { k.effects = append(k.effects, e...) },
	})
	k.engine = commands.NewEngine(k.ks, config.NewStore(cfg, ""), slog.New(slog.NewTextHandler(io.Discard, nil)))
	k.client = commands.NewClient("", "", k.now, func() {})
	k.client.Authenticated = true
	return k
}

// do runs one command and returns its raw RESP reply.
func (k *keyEngine) do(args ...string) string {
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	k.ks.Lock()
	k.engine.Exec(k.client, bargs)
	k.ks.Unlock()
	reply := string(k.client.W.Bytes())
	k.client.W.Reset()
	return reply
}

// must runs a command whose reply must be want.
func (k *keyEngine) must(want string, args ...string) {
	k.t.Helper()
	if got := k.do(args...); got != want {
		k.t.Fatalf("%q = %q, want %q", args, got, want)
	}
}

// takeEffects returns the effects recorded so far as "db:ARG ARG..." and
// forgets them.
func (k *keyEngine) takeEffects() []string {
	out := []string{}
	for _, e := range k.effects {
		args := make([]string, len(e.Args))
		for i, a := range e.Args {
			args[i] = string(a)
		}
		out = append(out, fmt.Sprintf("%d:%s", e.DB, strings.Join(args, " ")))
	}
	k.effects = nil
	return out
}

func (k *keyEngine) stats() keyspace.Stats {
	k.ks.Lock()
	defer k.ks.Unlock()
	return k.ks.Stats
}

// startKeyServer starts cairn and a go-redis client for it.
func startKeyServer(t *testing.T) (*redis.Client, *testutil.Cairn) {
	t.Helper()
	srv := testutil.StartCairn(t, nil)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DisableIdentity: true})
	t.Cleanup(func() { rdb.Close() })
	return rdb, srv
}

// keyStep is one command of a table-driven test and its expected reply,
// rendered by renderKeyReply.
type keyStep struct {
	args []any
	want string
}

// renderKeyReply writes a go-redis reply so that its kind shows: integers bare,
// strings quoted, arrays in brackets, null as (nil), errors as their text.
func renderKeyReply(v any, err error) string {
	switch {
	case errors.Is(err, redis.Nil):
		return "(nil)"
	case err != nil:
		return err.Error()
	}
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case string:
		return strconv.Quote(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = renderKeyReply(e, nil)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case nil:
		return "(nil)"
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// keyStepCase is a named sequence of steps.
type keyStepCase struct {
	name  string
	steps []keyStep
}

// runKeySteps runs each case against a server of its own, so that every
// case starts from empty databases.
func runKeySteps(t *testing.T, cases []keyStepCase) {
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rdb, _ := startKeyServer(t)
			for _, s := range tc.steps {
				if got := renderKeyReply(rdb.Do(ctx, s.args...).Result()); got != s.want {
					t.Fatalf("%v = %s, want %s", s.args, got, s.want)
				}
			}
		})
	}
}

func TestKeyCommands(t *testing.T) {
	cases := []keyStepCase{
		{"del counts deleted keys once", []keyStep{
			{[]any{"MSET", "a", "1", "b", "2"}, `"OK"`},
			{[]any{"DEL", "a", "a", "b", "nokey"}, "2"},
			{[]any{"DEL", "a"}, "0"},
			{[]any{"DEL"}, "ERR wrong number of arguments for 'del' command"},
		}},
		{"unlink", []keyStep{
			{[]any{"SET", "a", "1"}, `"OK"`},
			{[]any{"UNLINK", "a", "a"}, "1"},
			{[]any{"GET", "a"}, "(nil)"},
		}},
		{"exists counts duplicates", []keyStep{
			{[]any{"SET", "k", "v"}, `"OK"`},
			{[]any{"EXISTS", "k", "k", "nokey", "k"}, "3"},
			{[]any{"EXISTS", "nokey"}, "0"},
		}},
		{"type", []keyStep{
			{[]any{"TYPE", "nokey"}, `"none"`},
			{[]any{"SET", "k", "v"}, `"OK"`},
			{[]any{"TYPE", "k"}, `"string"`},
		}},
		{"touch counts existing keys", []keyStep{
			{[]any{"MSET", "a", "1", "b", "2"}, `"OK"`},
			{[]any{"TOUCH", "a", "b", "a", "nokey"}, "3"},
		}},
		{"keys", []keyStep{
			{[]any{"MSET", "Hello", "1", "hallo", "2", "hxllo", "3", "foo", "4"}, `"OK"`},
			{[]any{"KEYS", "h[a-b]llo"}, `["hallo"]`},
			{[]any{"KEYS", "h[^a]llo"}, `["hxllo"]`},
			{[]any{"KEYS", "f*"}, `["foo"]`},
			{[]any{"KEYS", "nomatch"}, `[]`},
		}},
		{"rename", []keyStep{
			{[]any{"RENAME", "nokey", "x"}, "ERR no such key"},
			{[]any{"RENAME", "nokey", "nokey"}, "ERR no such key"},
			{[]any{"SET", "a", "1"}, `"OK"`},
			{[]any{"RENAME", "a", "a"}, `"OK"`},
			{[]any{"PEXPIRE", "a", "100000"}, "1"},
			{[]any{"SET", "b", "2"}, `"OK"`},
			{[]any{"RENAME", "a", "b"}, `"OK"`},
			{[]any{"GET", "b"}, `"1"`},
			{[]any{"EXISTS", "a"}, "0"},
			{[]any{"TTL", "b"}, "100"},
		}},
		{"renamenx", []keyStep{
			{[]any{"RENAMENX", "nokey", "x"}, "ERR no such key"},
			{[]any{"MSET", "a", "1", "b", "2"}, `"OK"`},
			{[]any{"RENAMENX", "a", "a"}, "0"},
			{[]any{"RENAMENX", "a", "b"}, "0"},
			{[]any{"RENAMENX", "a", "c"}, "1"},
			{[]any{"GET", "c"}, `"1"`},
		}},
		{"copy", []keyStep{
			{[]any{"SET", "src", "v"}, `"OK"`},
			{[]any{"COPY", "src", "src"}, "ERR source and destination objects are the same"},
			{[]any{"COPY", "nokey", "nokey"}, "ERR source and destination objects are the same"},
			{[]any{"COPY", "src", "dst", "DB", "16"}, "ERR DB index is out of range"},
			{[]any{"COPY", "src", "dst", "DB", "-1"}, "ERR DB index is out of range"},
			{[]any{"COPY", "src", "dst", "DB", "4294967296"}, "ERR value is out of range, value must between -2147483648 and 2147483647"},
			{[]any{"COPY", "src", "dst", "DB", "x"}, "ERR value is not an integer or out of range"},
			{[]any{"COPY", "src", "dst", "DB"}, "ERR syntax error"},
			{[]any{"COPY", "nokey", "dst"}, "0"},
			{[]any{"EXPIRE", "src", "100"}, "1"},
			{[]any{"COPY", "src", "dst"}, "1"},
			{[]any{"TTL", "dst"}, "100"},
			{[]any{"COPY", "src", "dst"}, "0"},
			{[]any{"SET", "src", "w"}, `"OK"`},
			{[]any{"COPY", "src", "dst", "REPLACE"}, "1"},
			{[]any{"GET", "dst"}, `"w"`},
			{[]any{"TTL", "dst"}, "-1"},
			{[]any{"COPY", "src", "src", "DB", "1"}, "1"},
			{[]any{"MOVE", "src", "1"}, "0"},
		}},
		{"move", []keyStep{
			{[]any{"SET", "k", "v"}, `"OK"`},
			{[]any{"MOVE", "k", "0"}, "ERR source and destination objects are the same"},
			{[]any{"MOVE", "nokey", "0"}, "ERR source and destination objects are the same"},
			{[]any{"MOVE", "k", "16"}, "ERR DB index is out of range"},
			{[]any{"MOVE", "nokey", "1"}, "0"},
			{[]any{"EXPIRE", "k", "100"}, "1"},
			{[]any{"MOVE", "k", "1"}, "1"},
			{[]any{"EXISTS", "k"}, "0"},
			{[]any{"SET", "k", "v2"}, `"OK"`},
			{[]any{"MOVE", "k", "1"}, "0"},
		}},
		{"scan", []keyStep{
			{[]any{"SCAN", "x"}, "ERR invalid cursor"},
			{[]any{"SCAN", "x", "COUNT", "0"}, "ERR invalid cursor"},
			{[]any{"SCAN", "0", "COUNT", "0"}, "ERR syntax error"},
			{[]any{"SCAN", "0", "COUNT", "x"}, "ERR value is not an integer or out of range"},
			{[]any{"SCAN", "0", "MATCH"}, "ERR syntax error"},
			{[]any{"SCAN", "0", "FOO", "x"}, "ERR syntax error"},
			{[]any{"SCAN", "18446744073709551616"}, "ERR invalid cursor"},
			{[]any{"SCAN", "0"}, `["0" []]`},
			{[]any{"MSET", "a1", "1", "a2", "2", "b1", "3"}, `"OK"`},
			{[]any{"SCAN", "0", "MATCH", "b*"}, `["0" ["b1"]]`},
			{[]any{"SCAN", "0", "MATCH", "b*", "TYPE", "STRING"}, `["0" ["b1"]]`},
			{[]any{"SCAN", "0", "TYPE", "list"}, `["0" []]`},
			{[]any{"SCAN", "", "MATCH", "b1"}, `["0" ["b1"]]`},
			{[]any{"SCAN", "0", "COUNT", "2", "MATCH", "nomatch"}, `["1" []]`},
			{[]any{"SCAN", "1", "COUNT", "2"}, `["0" ["a1"]]`},
		}},
		{"randomkey", []keyStep{
			{[]any{"RANDOMKEY"}, "(nil)"},
			{[]any{"SET", "only", "v"}, `"OK"`},
			{[]any{"RANDOMKEY"}, `"only"`},
		}},
		{"object", []keyStep{
			{[]any{"OBJECT", "ENCODING", "nokey"}, "(nil)"},
			{[]any{"OBJECT", "FREQ", "nokey"}, "(nil)"},
			{[]any{"MSET", "i", "123", "big", "12345", "s", "short"}, `"OK"`},
			{[]any{"OBJECT", "ENCODING", "i"}, `"int"`},
			{[]any{"OBJECT", "ENCODING", "s"}, `"embstr"`},
			{[]any{"OBJECT", "REFCOUNT", "i"}, "2147483647"},
			{[]any{"OBJECT", "REFCOUNT", "big"}, "1"},
			{[]any{"OBJECT", "REFCOUNT", "s"}, "1"},
			{[]any{"OBJECT", "IDLETIME", "s"}, "0"},
			{[]any{"OBJECT", "FREQ", "s"}, "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."},
			{[]any{"OBJECT", "FOO", "s"}, "ERR unknown subcommand 'FOO'. Try OBJECT HELP."},
			{[]any{"OBJECT", "ENCODING"}, "ERR wrong number of arguments for 'object|encoding' command"},
			{[]any{"OBJECT"}, "ERR wrong number of arguments for 'object' command"},
		}},
	}
	runKeySteps(t, cases)
}

func TestObjectHelp(t *testing.T) {
	k := newKeyEngine(t)
	got := k.do("OBJECT", "HELP")
	if !strings.HasPrefix(got, "*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n") ||
		!strings.HasSuffix(got, "+HELP\r\n+    Prints this help.\r\n") {
		t.Fatalf("OBJECT HELP = %q", got)
	}
}

// TestKeyCommandEffects checks what each command records for the log:
// only changes, in deterministic form.
func TestKeyCommandEffects(t *testing.T) {
	tests := []struct {
		name  string
		setup [][]string
		cmd   []string
		want  []string
	}{
		{"del records existing keys only", [][]string{{"MSET", "a", "1", "b", "2"}},
			[]string{"DEL", "a", "nokey", "a", "b"}, []string{"0:DEL a b"}},
		{"del of nothing records nothing", nil, []string{"DEL", "nokey"}, []string{}},
		{"unlink records DEL", [][]string{{"SET", "a", "1"}}, []string{"UNLINK", "a"}, []string{"0:DEL a"}},
		{"rename", [][]string{{"SET", "a", "1"}}, []string{"RENAME", "a", "b"}, []string{"0:RENAME a b"}},
		{"rename onto itself", [][]string{{"SET", "a", "1"}}, []string{"RENAME", "a", "a"}, []string{}},
		{"rename of a missing key", nil, []string{"RENAME", "a", "b"}, []string{}},
		{"renamenx refused", [][]string{{"MSET", "a", "1", "b", "2"}}, []string{"RENAMENX", "a", "b"}, []string{}},
		{"renamenx", [][]string{{"SET", "a", "1"}}, []string{"RENAMENX", "a", "b"}, []string{"0:RENAMENX a b"}},
		{"copy", [][]string{{"SET", "a", "1"}}, []string{"COPY", "a", "b", "DB", "2", "REPLACE"},
			[]string{"0:COPY a b DB 2 REPLACE"}},
		{"copy refused", [][]string{{"MSET", "a", "1", "b", "2"}}, []string{"COPY", "a", "b"}, []string{}},
		{"move", [][]string{{"SET", "a", "1"}}, []string{"MOVE", "a", "3"}, []string{"0:MOVE a 3"}},
		{"move of a missing key", nil, []string{"MOVE", "a", "3"}, []string{}},
		{"reads record nothing", [][]string{{"SET", "a", "1"}}, []string{"TOUCH", "a"}, []string{}},
		{"scan reclaims expired keys", [][]string{{"SET", "a", "1"}, {"PEXPIREAT", "a", "1700000000001"}},
			[]string{"SCAN", "0"}, []string{"0:DEL a"}},
		{"del of an expired key", [][]string{{"SET", "a", "1"}, {"PEXPIREAT", "a", "1700000000001"}},
			[]string{"DEL", "a"}, []string{"0:DEL a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyEngine(t)
			for _, s := range tt.setup {
				k.do(s...)
			}
			k.now = k.now.Add(time.Second)
			k.takeEffects()
			k.do(tt.cmd...)
			if got := k.takeEffects(); !slices.Equal(got, tt.want) {
				t.Fatalf("%q recorded %q, want %q", tt.cmd, got, tt.want)
			}
		})
	}
}

func TestKeyCommandsCountHitsAndMisses(t *testing.T) {
	tests := []struct {
		cmd          []string
		hits, misses int64
	}{
		{[]string{"EXISTS", "a", "nokey", "a"}, 2, 1},
		{[]string{"TYPE", "a"}, 1, 0},
		{[]string{"TOUCH", "a", "nokey"}, 1, 1},
		{[]string{"TTL", "nokey"}, 0, 1},
		{[]string{"OBJECT", "ENCODING", "a"}, 1, 0},
		{[]string{"COPY", "a", "b"}, 1, 0},
		{[]string{"SCAN", "0", "TYPE", "string"}, 1, 0},
		{[]string{"DEL", "a", "nokey"}, 0, 0},
		{[]string{"RENAME", "a", "b"}, 0, 0},
		{[]string{"EXPIRE", "a", "10"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.cmd, " "), func(t *testing.T) {
			k := newKeyEngine(t)
			k.do("SET", "a", "1")
			before := k.stats()
			k.do(tt.cmd...)
			after := k.stats()
			if hits, misses := after.KeyspaceHits-before.KeyspaceHits, after.KeyspaceMisses-before.KeyspaceMisses; hits != tt.hits || misses != tt.misses {
				t.Fatalf("hits/misses %d/%d, want %d/%d", hits, misses, tt.hits, tt.misses)
			}
		})
	}
}

func TestObjectIdletime(t *testing.T) {
	k := newKeyEngine(t)
	k.do("SET", "a", "1")
	k.now = k.now.Add(10 * time.Second)
	// Lookups that leave the access time alone.
	for _, cmd := range [][]string{{"EXISTS", "a"}, {"TYPE", "a"}, {"TTL", "a"}, {"OBJECT", "ENCODING", "a"}, {"SCAN", "0", "TYPE", "string"}} {
		k.do(cmd...)
	}
	k.must(":10\r\n", "OBJECT", "IDLETIME", "a")
	k.do("TOUCH", "a")
	k.must(":0\r\n", "OBJECT", "IDLETIME", "a")
	k.now = k.now.Add(5 * time.Second)
	k.do("RENAME", "a", "b")
	k.must(":0\r\n", "OBJECT", "IDLETIME", "b")
	k.now = k.now.Add(7 * time.Second)
	k.do("MOVE", "b", "1")
	k.client.DB = 1
	k.must(":0\r\n", "OBJECT", "IDLETIME", "b")
}

// TestCopyAndMoveKeepExpiry follows keys into other databases, which the
// wire cannot show without SELECT.
func TestCopyAndMoveKeepExpiry(t *testing.T) {
	k := newKeyEngine(t)
	k.do("MSET", "a", "1", "b", "2")
	k.do("PEXPIREAT", "a", "1700000100000")
	k.must(":1\r\n", "COPY", "a", "c", "DB", "2")
	k.must(":1\r\n", "MOVE", "a", "3")
	k.must(":1\r\n", "MOVE", "b", "3")
	k.must(":0\r\n", "EXISTS", "a", "b")
	k.client.DB = 2
	k.must(":1700000100000\r\n", "PEXPIRETIME", "c")
	k.must("$1\r\n1\r\n", "GET", "c")
	k.client.DB = 3
	k.must(":1700000100000\r\n", "PEXPIRETIME", "a")
	k.must(":-1\r\n", "PEXPIRETIME", "b")
	k.must(":1\r\n", "COPY", "a", "b", "DB", "2", "REPLACE")
	k.client.DB = 2
	k.must(":1700000100000\r\n", "PEXPIRETIME", "b")
}

func TestScanSkipsAndReclaimsExpiredKeys(t *testing.T) {
	k := newKeyEngine(t)
	k.do("MSET", "live", "1", "dead", "2")
	k.do("PEXPIRE", "dead", "1000")
	k.now = k.now.Add(time.Second)
	k.takeEffects()
	k.must("*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n", "SCAN", "0")
	if got := k.takeEffects(); !slices.Equal(got, []string{"0:DEL dead"}) {
		t.Fatalf("effects %q", got)
	}
	if s := k.stats(); s.ExpiredKeys != 1 {
		t.Fatalf("ExpiredKeys = %d", s.ExpiredKeys)
	}
	// Redis quirk: with TYPE none, the type lookup reclaims an expired key
	// first and the expiry check then lets it through.
	k.do("SET", "dead", "2")
	k.do("PEXPIRE", "dead", "1000")
	k.now = k.now.Add(time.Second)
	k.must("*2\r\n$1\r\n0\r\n*1\r\n$4\r\ndead\r\n", "SCAN", "0", "TYPE", "none")
	k.must(":0\r\n", "EXISTS", "dead")
}

// TestKeysSkipsExpiredKeysWithoutReclaiming matches Redis's KEYS, which
// filters expired keys but leaves them to the other paths.
func TestKeysSkipsExpiredKeysWithoutReclaiming(t *testing.T) {
	k := newKeyEngine(t)
	k.do("MSET", "live", "1", "dead", "2")
	k.do("PEXPIRE", "dead", "1000")
	k.now = k.now.Add(time.Second)
	k.takeEffects()
	k.must("*1\r\n$4\r\nlive\r\n", "KEYS", "*")
	if got := k.takeEffects(); len(got) != 0 {
		t.Fatalf("KEYS recorded %q", got)
	}
}

// TestScanGuaranteeOverTheWire runs SCAN walks while other keys are added
// and deleted between the steps, and requires every key present for the
// whole walk to be returned.
func TestScanGuaranteeOverTheWire(t *testing.T) {
	rdb, _ := startKeyServer(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	stable := map[string]bool{}
	var churn []any
	next := 0
	for i := 0; i < 2000; i++ {
		var k string
		if r.IntN(2) == 0 {
			k = "stable:" + strconv.Itoa(i)
			stable[k] = true
		} else {
			k = "churn:" + strconv.Itoa(next)
			next++
			churn = append(churn, k)
		}
		if err := rdb.Set(ctx, k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for walk := 0; walk < 5; walk++ {
		seen := map[string]bool{}
		cursor := uint64(0)
		for {
			keys, c, err := rdb.Scan(ctx, cursor, "", int64(1+r.IntN(50))).Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				seen[k] = true
			}
			if cursor = c; cursor == 0 {
				break
			}
			pipe := rdb.Pipeline()
			if r.IntN(2) == 0 && len(churn) > 0 {
				n := min(len(churn), 1+r.IntN(100))
				pipe.Del(ctx, anyStrings(churn[:n])...)
				churn = churn[n:]
			} else {
				for n := r.IntN(100); n > 0; n-- {
					k := "churn:" + strconv.Itoa(next)
					next++
					churn = append(churn, k)
					pipe.Set(ctx, k, "v", 0)
				}
			}
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("walk %d: %q was present for the whole walk but not returned", walk, k)
			}
		}
	}
}

func anyStrings(a []any) []string {
	out := make([]string, len(a))
	for i, v := range a {
		out[i] = v.(string)
	}
	return out
}

// TestKeyCommandsMatchRedisMetadata compares the declarations of this
// group with what redis-server reports in COMMAND INFO.
func TestKeyCommandsMatchRedisMetadata(t *testing.T) {
	addr := testutil.StartRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	table := commands.NewTable()
	names := []string{"del", "unlink", "exists", "type", "keys", "scan", "randomkey", "rename", "renamenx",
		"copy", "move", "touch", "object", "expire", "pexpire", "expireat", "pexpireat", "ttl", "pttl",
		"expiretime", "pexpiretime", "persist"}
	args := []any{"COMMAND", "INFO"}
	for _, n := range names {
		args = append(args, n)
	}
	infos, err := rdb.Do(context.Background(), args...).Slice()
	if err != nil {
		t.Fatal(err)
	}
	for i, info := range infos {
		cmd := table[names[i]]
		if cmd == nil {
			t.Errorf("%s is not declared", names[i])
			continue
		}
		compareInfo(t, cmd, info.([]any))
		if subs, _ := info.([]any)[9].([]any); len(subs) != len(cmd.Subcommands) {
			t.Errorf("%s: %d subcommands, redis has %d", cmd.Name, len(cmd.Subcommands), len(subs))
		} else {
			for _, sub := range subs {
				fields := sub.([]any)
				name := fields[0].(string)
				if c := cmd.Subcommands[strings.TrimPrefix(name, cmd.Name+"|")]; c == nil {
					t.Errorf("%s is not declared", name)
				} else {
					compareInfo(t, c, fields)
				}
			}
		}
		if cmd.Group != "generic" || cmd.Since == "" || cmd.Summary == "" || cmd.Complexity == "" {
			t.Errorf("%s: missing docs %+v", cmd.Name, cmd)
		}
	}
}

func compareInfo(t *testing.T, cmd *commands.Command, info []any) {
	t.Helper()
	var flags []string
	for _, f := range info[2].([]any) {
		flags = append(flags, f.(string))
	}
	got := fmt.Sprint(cmd.Name, cmd.Arity, cmd.Flags.Names(), cmd.FirstKey, cmd.LastKey, cmd.Step)
	want := fmt.Sprint(info[0], info[1], flags, info[3], info[4], info[5])
	if got != want {
		t.Errorf("declared %s, redis has %s", got, want)
	}
}
