package integration

// Function libraries as data: they survive a restart from the log, from a
// snapshot and from both, and a SIGKILL; FUNCTION DUMP and FUNCTION
// RESTORE move them between redis-server and cairn both ways.

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
)

// library returns the code of a library named name with one function,
// fname, that returns name.
func library(name, fname string) string {
	return "#!lua name=" + name + "\nredis.register_function('" + fname + "', function() return '" + name + "' end)"
}

// functionsWorkload changes the libraries in every way that is recorded:
// LOAD, LOAD REPLACE, DELETE, FLUSH and RESTORE, with FLUSHALL between
// (which leaves them).
func functionsWorkload(t *testing.T, c *redis.Client) {
	t.Helper()
	payload := func(code string) string {
		src := testutil.StartCairn(t, nil)
		sc := pClient(t, src.Addr, 0)
		if err := sc.FunctionLoad(pctx, code).Err(); err != nil {
			t.Fatal(err)
		}
		p, err := sc.FunctionDump(pctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	restored := payload(library("restored", "fr"))
	runAll(t, c, [][]any{
		{"FUNCTION", "LOAD", library("a", "fa")},
		{"FUNCTION", "LOAD", library("b", "fb")},
		{"FUNCTION", "FLUSH"},
		{"FUNCTION", "LOAD", library("a", "fa")},
		{"FUNCTION", "LOAD", library("b", "fb")},
		{"FUNCTION", "LOAD", "REPLACE", library("a", "fa2")},
		{"FUNCTION", "DELETE", "b"},
		{"FLUSHALL"},
		{"FUNCTION", "RESTORE", restored},
		{"FUNCTION", "LOAD", "#!lua name=flagged\nredis.register_function{function_name='ff', callback=function(keys) " +
			"return redis.call('get', keys[1]) end, flags={'no-writes', 'allow-stale'}, description='" + strings.Repeat("d", 100) + "'}"},
	})
}

// functionsAfter changes the libraries after a snapshot.
func functionsAfter(t *testing.T, c *redis.Client) {
	t.Helper()
	runAll(t, c, [][]any{
		{"FUNCTION", "DELETE", "restored"},
		{"FUNCTION", "LOAD", library("late", "fl")},
		{"FUNCTION", "LOAD", "REPLACE", library("a", "fa3")},
	})
}

// TestFunctionsRestart restarts cairn after the functions workload, with
// the libraries in the log, in a snapshot, or both.
func TestFunctionsRestart(t *testing.T) {
	tests := []struct {
		name       string
		appendOnly bool
		snapshot   string // "", "SAVE" or "BGSAVE", after functionsWorkload
	}{
		{"log only", true, ""},
		{"snapshot only", false, "SAVE"},
		{"snapshot plus log", true, "SAVE"},
		{"background snapshot plus log", true, "BGSAVE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			edit := func(c *config.Config) {
				c.AppendOnly = tt.appendOnly
				c.Save = nil
			}
			p := testutil.StartPersistent(t, dir, edit)
			c := pClient(t, p.Addr, 0)
			functionsWorkload(t, c)
			switch tt.snapshot {
			case "SAVE":
				runAll(t, c, [][]any{{"SAVE"}})
			case "BGSAVE":
				pBgsave(t, c)
			}
			if tt.appendOnly {
				functionsAfter(t, c)
			}
			want := p.Addr
			ref := testutil.StartCairn(t, nil)
			copyFunctions(t, want, ref.Addr)
			p.Stop(t)

			p = testutil.StartPersistent(t, dir, edit)
			compareFunctions(t, p.Addr, ref.Addr)
			pc := pClient(t, p.Addr, 0)
			pc.Set(pctx, "k", "v", 0)
			if v, err := pc.Do(pctx, "FCALL_RO", "ff", 1, "k").Result(); err != nil || v != "v" {
				t.Errorf("FCALL_RO ff 1 k after the restart: %v, %v", v, err)
			}
			// A second restart loads what the first one loaded, once
			// more from a snapshot of it.
			runAll(t, pClient(t, p.Addr, 0), [][]any{{"SAVE"}})
			p.Stop(t)
			p = testutil.StartPersistent(t, dir, edit)
			compareFunctions(t, p.Addr, ref.Addr)
		})
	}
}

// copyFunctions replaces the libraries of to with those of from.
func copyFunctions(t *testing.T, from, to string) {
	t.Helper()
	payload, err := pClient(t, from, 0).FunctionDump(pctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := pClient(t, to, 0).FunctionRestore(pctx, payload).Err(); err != nil {
		t.Fatal(err)
	}
}

// TestFunctionsCrash kills cairn with SIGKILL after the workload, before
// and after a snapshot: under appendfsync always every acknowledged
// change to the libraries is there after the restart.
func TestFunctionsCrash(t *testing.T) {
	p := testutil.StartProcess(t, t.TempDir(), "--appendfsync", "always", "--save", "")
	c := pClient(t, p.Addr, 0)
	functionsWorkload(t, c)
	ref := testutil.StartCairn(t, nil)
	copyFunctions(t, p.Addr, ref.Addr)
	p.Kill()
	p.Restart()
	compareFunctions(t, p.Addr, ref.Addr)

	c = pClient(t, p.Addr, 0)
	pBgsave(t, c)
	functionsAfter(t, c)
	runAll(t, pClient(t, ref.Addr, 0), [][]any{{"FUNCTION", "FLUSH"}})
	copyFunctions(t, p.Addr, ref.Addr)
	p.Kill()
	p.Restart()
	compareFunctions(t, p.Addr, ref.Addr)
}

// TestFunctionDumpRestoreRedis moves libraries between redis-server and
// cairn with FUNCTION DUMP and FUNCTION RESTORE both ways, and requires
// the payload of one library (short, and long enough for LZF) to be
// redis-server's byte for byte.
func TestFunctionDumpRestoreRedis(t *testing.T) {
	redisAddr := testutil.StartRedis(t)
	cairnAddr := testutil.StartCairn(t, nil).Addr
	rc, cc := pClient(t, redisAddr, 0), pClient(t, cairnAddr, 0)
	long := "#!lua name=long\n" + strings.Repeat("-- a comment that compresses well\n", 50) +
		"redis.register_function{function_name='lf', callback=function(keys, args) return {keys, args} end, " +
		"flags={'no-writes'}, description='a long one'}"
	for _, code := range []string{library("short", "sf"), long} {
		for _, c := range []*redis.Client{rc, cc} {
			runAll(t, c, [][]any{{"FUNCTION", "FLUSH"}, {"FUNCTION", "LOAD", code}})
		}
		want, err := rc.FunctionDump(pctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		if got := cc.FunctionDump(pctx).Val(); got != want {
			t.Errorf("FUNCTION DUMP of %q\n got %q\nwant %q", code[:20], got, want)
		}
	}

	// redis-server's payload of several libraries into cairn, and back.
	runAll(t, rc, [][]any{
		{"FUNCTION", "LOAD", library("one", "f1")},
		{"FUNCTION", "LOAD", library("two", "f2")},
	})
	runAll(t, cc, [][]any{{"FUNCTION", "FLUSH"}})
	copyFunctions(t, redisAddr, cairnAddr)
	compareFunctions(t, cairnAddr, redisAddr)
	runAll(t, cc, [][]any{{"FUNCTION", "LOAD", library("three", "f3")}})
	payload := cc.FunctionDump(pctx).Val()
	// Which of the libraries both hold Redis names depends on its hash
	// table's order.
	if err := rc.FunctionRestore(pctx, payload).Err(); err == nil || !strings.HasPrefix(err.Error(), "ERR Library ") ||
		!strings.HasSuffix(err.Error(), " already exists") {
		t.Errorf("RESTORE APPEND of a payload holding a library redis-server has: %v", err)
	}
	if err := rc.Do(pctx, "FUNCTION", "RESTORE", payload, "FLUSH").Err(); err != nil {
		t.Fatal(err)
	}
	compareFunctions(t, redisAddr, cairnAddr)
	if v, err := rc.Do(pctx, "FCALL", "f3", 0).Result(); err != nil || v != "three" {
		t.Errorf("FCALL f3 0 on redis-server after the restore: %v, %v", v, err)
	}
}
