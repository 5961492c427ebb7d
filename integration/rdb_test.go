package integration

// Redis's serialization format against redis-server: DUMP in one server
// and RESTORE in the other, both ways, for every type and encoding; and
// whole dump.rdb files through `cairn import-rdb` and `cairn export-rdb`.

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
)

// rdbFixture returns the commands that fill a database with a key of
// every type in each encoding.
func rdbFixture() [][]any {
	seq := func(cmd []any, n int, f func(i int) []any) []any {
		for i := range n {
			cmd = append(cmd, f(i)...)
		}
		return cmd
	}
	return [][]any{
		{"SET", "str:int", "12345"},
		{"SET", "str:int64", "-9223372036854775808"},
		{"SET", "str:embstr", "hello world"},
		{"SET", "str:raw", strings.Repeat("raw text ", 10)},
		{"SET", "str:lzf", strings.Repeat("ab", 1000)},
		{"SET", "str:binary", "\x00\xff\r\n\x01" + strings.Repeat("\x00", 30)},
		{"SET", "str:appended", "1"},
		{"APPEND", "str:appended", "2"},
		{"RPUSH", "list:small", "a", "1", "-70000", "", strings.Repeat("x", 100)},
		seq([]any{"RPUSH", "list:large"}, 3000, func(i int) []any { return []any{fmt.Sprint(i * 7)} }),
		seq([]any{"RPUSH", "list:big"}, 30, func(i int) []any { return []any{strings.Repeat(fmt.Sprint(i), 700)} }),
		{"SADD", "set:intset", "5", "-3", "100", "0"},
		{"SADD", "set:intset64", "5", "9000000000", "-9000000000"},
		{"SADD", "set:hashtable", "a", "b", "1", strings.Repeat("c", 30)},
		seq([]any{"SADD", "set:large"}, 600, func(i int) []any { return []any{fmt.Sprint(i)} }),
		{"HSET", "hash:listpack", "f", "v", "n", "12", "neg", "-70000", "12", "twelve"},
		{"HSET", "hash:long", "f", strings.Repeat("v", 65)},
		seq([]any{"HSET", "hash:large"}, 600, func(i int) []any { return []any{fmt.Sprint("f", i), fmt.Sprint(i)} }),
		{"ZADD", "zset:listpack", "1.5", "a", "1", "b", "0.1", "c", "3e20", "d", "inf", "e", "-inf", "f", "-12", "12"},
		seq([]any{"ZADD", "zset:skiplist"}, 200, func(i int) []any { return []any{fmt.Sprint(float64(i) / 3), fmt.Sprint("m", i)} }),
		{"ZADD", "zset:long", "1", strings.Repeat("m", 65), "2", "x"},
	}
}

// runAll runs cmds on c.
func runAll(t *testing.T, c *redis.Client, cmds [][]any) {
	t.Helper()
	for _, cmd := range cmds {
		if err := c.Do(pctx, cmd...).Err(); err != nil {
			t.Fatalf("%v: %v", cmd[:2], err)
		}
	}
}

// describe renders a key's type, encoding and contents, unordered
// collections sorted.
func describe(t *testing.T, c *redis.Client, key string) string {
	t.Helper()
	typ := c.Type(pctx, key).Val()
	enc := c.ObjectEncoding(pctx, key).Val()
	var contents any
	switch typ {
	case "string":
		contents = c.Get(pctx, key).Val()
	case "list":
		contents = c.LRange(pctx, key, 0, -1).Val()
	case "set":
		m := c.SMembers(pctx, key).Val()
		slices.Sort(m)
		contents = m
	case "hash":
		var pairs []string
		for f, v := range c.HGetAll(pctx, key).Val() {
			pairs = append(pairs, f+"="+v)
		}
		slices.Sort(pairs)
		contents = pairs
	case "zset":
		contents = c.ZRangeWithScores(pctx, key, 0, -1).Val()
	}
	return fmt.Sprintf("%s %s %q", typ, enc, fmt.Sprint(contents))
}

// keysOf returns the keys of c's database, sorted.
func keysOf(t *testing.T, c *redis.Client) []string {
	t.Helper()
	keys := c.Keys(pctx, "*").Val()
	slices.Sort(keys)
	return keys
}

// TestDumpRestoreBothWays dumps every key of the fixture from one server
// and restores it in the other, both ways, and compares the keys.
func TestDumpRestoreBothWays(t *testing.T) {
	redisAddr := testutil.StartRedis(t)
	cairnAddr := testutil.StartCairn(t, nil).Addr
	for _, dir := range []struct{ name, from, to string }{
		{"redis to cairn", redisAddr, cairnAddr},
		{"cairn to redis", cairnAddr, redisAddr},
	} {
		t.Run(dir.name, func(t *testing.T) {
			from, to := pClient(t, dir.from, 0), pClient(t, dir.to, 0)
			from.FlushAll(pctx)
			to.FlushAll(pctx)
			runAll(t, from, rdbFixture())
			keys := keysOf(t, from)
			for _, k := range keys {
				payload, err := from.Dump(pctx, k).Result()
				if err != nil {
					t.Fatalf("DUMP %s: %v", k, err)
				}
				if err := to.Restore(pctx, k, 0, payload).Err(); err != nil {
					t.Errorf("RESTORE %s: %v", k, err)
					continue
				}
				// Compared with the source server's own restore of the
				// payload: a restored value's encoding may differ from the
				// original's (an appended string becomes "int").
				twin := k + ":restored"
				if err := from.Restore(pctx, twin, 0, payload).Err(); err != nil {
					t.Fatalf("RESTORE %s in the source: %v", k, err)
				}
				if got, want := describe(t, to, k), describe(t, from, twin); got != want {
					t.Errorf("%s restored as\n%s\nwas\n%s", k, got, want)
				}
			}
		})
	}
}

// rdbDatabases are the databases the file tests fill: the first, one in
// the middle and the last of the 16.
var rdbDatabases = []int{0, 7, 15}

// fillForFile fills the databases of rdbDatabases on the server at addr
// with the fixture, each key also with an expiry time in a far future
// ("ttl:" keys) in database 7, and a key that expires at once.
func fillForFile(t *testing.T, addr string) {
	t.Helper()
	for _, db := range rdbDatabases {
		c := pClient(t, addr, db)
		runAll(t, c, rdbFixture())
		runAll(t, c, [][]any{{"SET", fmt.Sprint("db", db), db}})
	}
	c := pClient(t, addr, 7)
	runAll(t, c, [][]any{
		{"SET", "ttl:str", "v", "EX", "100000"},
		{"RPUSH", "ttl:list", "a", "b"},
		{"PEXPIREAT", "ttl:list", "99999999999999"},
		{"ZADD", "ttl:zset", "1", "a"},
		{"EXPIRE", "ttl:zset", "5000"},
		{"SET", "gone", "v", "PX", "1"},
	})
	runAll(t, c, [][]any{
		{"FUNCTION", "LOAD", "#!lua name=mylib\nredis.register_function('f', function() return 1 end)"},
		{"FUNCTION", "LOAD", "#!lua name=other\nredis.register_function{function_name='g', callback=function(keys) " +
			"return redis.call('get', keys[1]) end, flags={'no-writes'}, description='" + strings.Repeat("long ", 20) + "'}"},
	})
	time.Sleep(5 * time.Millisecond)
}

// compareFunctions requires both servers to hold the same function
// libraries.
func compareFunctions(t *testing.T, gotAddr, wantAddr string) {
	t.Helper()
	list := func(addr string) string {
		libs, err := pClient(t, addr, 0).FunctionList(pctx, redis.FunctionListQuery{WithCode: true}).Result()
		if err != nil {
			t.Fatalf("FUNCTION LIST on %s: %v", addr, err)
		}
		var out []string
		for _, lib := range libs {
			var funcs []string
			for _, f := range lib.Functions {
				funcs = append(funcs, fmt.Sprintf("%s %q %v", f.Name, f.Description, f.Flags))
			}
			slices.Sort(funcs)
			out = append(out, fmt.Sprintf("%s %s %q %q", lib.Name, lib.Engine, lib.Code, funcs))
		}
		slices.Sort(out)
		return strings.Join(out, "\n")
	}
	if g, w := list(gotAddr), list(wantAddr); g != w {
		t.Errorf("function libraries\n%s\nwant\n%s", g, w)
	}
}

// compareDatabases requires the databases of rdbDatabases to hold the
// same keys with the same contents on both servers, and the same expiry
// times within a few seconds.
func compareDatabases(t *testing.T, gotAddr, wantAddr string) {
	t.Helper()
	for db := range 16 {
		got, want := pClient(t, gotAddr, db), pClient(t, wantAddr, db)
		gotKeys, wantKeys := keysOf(t, got), keysOf(t, want)
		if !slices.Equal(gotKeys, wantKeys) {
			t.Errorf("db %d: keys %q, want %q", db, gotKeys, wantKeys)
			continue
		}
		for _, k := range wantKeys {
			if g, w := describe(t, got, k), describe(t, want, k); g != w {
				t.Errorf("db %d: %s is\n%s\nwant\n%s", db, k, g, w)
			}
			g, w := got.TTL(pctx, k).Val(), want.TTL(pctx, k).Val()
			if d := g - w; d < -5*time.Second || d > 5*time.Second || (g < 0) != (w < 0) {
				t.Errorf("db %d: %s has TTL %v, want %v", db, k, g, w)
			}
		}
	}
}

// cairnCmd runs the cairn binary with args and returns its output.
func cairnCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(testutil.BuildCairn(t), args...).CombinedOutput()
	return string(out), err
}

// TestImportRDB saves a redis-server's databases to a dump.rdb, imports
// it into a cairn data directory and starts cairn on it.
func TestImportRDB(t *testing.T) {
	redisDir, cairnDir := t.TempDir(), t.TempDir()
	// Under an LRU policy the file holds every key's idle time (IDLE).
	redisAddr := testutil.StartRedis(t, "--dir", redisDir, "--dbfilename", "dump.rdb", "--enable-debug-command", "yes",
		"--maxmemory-policy", "allkeys-lru")
	fillForFile(t, redisAddr)
	// What cairn cannot hold: a stream.
	rc := pClient(t, redisAddr, 3)
	runAll(t, rc, [][]any{
		{"XADD", "events", "*", "a", "1"},
		{"XGROUP", "CREATE", "events", "g", "0"},
		{"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "events", ">"},
		{"SAVE"},
	})
	file := filepath.Join(redisDir, "dump.rdb")

	out, err := cairnCmd(t, "import-rdb", file, "--dir", cairnDir)
	if err == nil || !strings.Contains(out, "kind=stream") || !strings.Contains(out, "key=events") ||
		strings.Contains(out, "function") {
		t.Fatalf("import without --skip-unsupported: %v\n%s", err, out)
	}
	if out, err := cairnCmd(t, "import-rdb", "--skip-unsupported", file, "--dir", cairnDir); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if out, err := cairnCmd(t, "import-rdb", "--skip-unsupported", file, "--dir", cairnDir); err == nil ||
		!strings.Contains(out, "import into an empty one") {
		t.Errorf("a second import into the same directory: %v\n%s", err, out)
	}

	cairn := testutil.StartPersistent(t, cairnDir, nil)
	// Compared with Redis's own load of the file: values take the
	// encodings a load gives them (an appended string becomes "int").
	if err := rc.Do(pctx, "DEBUG", "RELOAD").Err(); err != nil {
		t.Fatal(err)
	}
	rc.Del(pctx, "events")
	compareDatabases(t, cairn.Addr, redisAddr)
	compareFunctions(t, cairn.Addr, redisAddr)
	if v, err := pClient(t, cairn.Addr, 0).Do(pctx, "FCALL_RO", "g", 1, "db0").Result(); err != nil || v != "0" {
		t.Errorf("FCALL_RO g 1 db0 after the import: %v, %v", v, err)
	}
}

// TestExportRDB fills cairn, exports its data directory and starts
// redis-server on the file, then has it reload the file.
func TestExportRDB(t *testing.T) {
	cairnDir, redisDir := t.TempDir(), t.TempDir()
	cairn := testutil.StartPersistent(t, cairnDir, nil)
	fillForFile(t, cairn.Addr)
	cairn.Stop(t)

	file := filepath.Join(redisDir, "dump.rdb")
	if out, err := cairnCmd(t, "export-rdb", file, "--dir", cairnDir); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	redisAddr := testutil.StartRedis(t, "--dir", redisDir, "--dbfilename", "dump.rdb", "--enable-debug-command", "yes")
	cairn = testutil.StartPersistent(t, cairnDir, nil)
	compareDatabases(t, redisAddr, cairn.Addr)
	compareFunctions(t, redisAddr, cairn.Addr)
	if err := pClient(t, redisAddr, 0).Do(pctx, "DEBUG", "RELOAD").Err(); err != nil {
		t.Fatalf("DEBUG RELOAD: %v", err)
	}
	compareDatabases(t, redisAddr, cairn.Addr)
	compareFunctions(t, redisAddr, cairn.Addr)
}

// TestRestoreReplays restarts cairn from its log after RESTOREs with a
// relative TTL, an absolute one and REPLACE: the keys come back with the
// same values and expiry times.
func TestRestoreReplays(t *testing.T) {
	dir := t.TempDir()
	logOnly := func(c *config.Config) { c.AppendOnly, c.Save = true, nil }
	p := testutil.StartPersistent(t, dir, logOnly)
	c := pClient(t, p.Addr, 2)
	runAll(t, c, rdbFixture())
	payloads := map[string]string{}
	for _, k := range keysOf(t, c) {
		payloads[k] = c.Dump(pctx, k).Val()
	}
	for k, payload := range payloads {
		runAll(t, c, [][]any{
			{"RESTORE", "rel:" + k, 100000000, payload},
			{"RESTORE", "abs:" + k, 99999999999999, payload, "ABSTTL"},
			{"RESTORE", k, 0, payloads["str:int"], "REPLACE"},
		})
	}
	want := map[string]string{}
	ttls := map[string]time.Duration{}
	for _, k := range keysOf(t, c) {
		want[k] = describe(t, c, k)
		ttls[k] = c.PTTL(pctx, k).Val()
	}
	p.Stop(t)

	p = testutil.StartPersistent(t, dir, logOnly)
	c = pClient(t, p.Addr, 2)
	if got := keysOf(t, c); len(got) != len(want) {
		t.Fatalf("%d keys after the restart, want %d", len(got), len(want))
	}
	for k, w := range want {
		if g := describe(t, c, k); g != w {
			t.Errorf("%s is %s after the restart, was %s", k, g, w)
		}
		// The absolute time is kept: what passed since is the only change.
		if g := c.PTTL(pctx, k).Val(); g > ttls[k] || g < ttls[k]-10*time.Second {
			t.Errorf("%s has PTTL %v after the restart, was %v", k, g, ttls[k])
		}
	}
}
