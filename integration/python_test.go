package integration

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/testutil"
)

// TestPythonLock runs python/lock.py, redis-py's Lock (whose extend,
// reacquire and release are Lua scripts it loads with SCRIPT LOAD and runs
// with EVALSHA) and Script objects in transactional pipelines, against
// cairn, and against redis-server to keep it honest.
func TestPythonLock(t *testing.T) {
	python := requirePythonRedis(t)
	run := func(t *testing.T, addr string) {
		host, port := hostPort(t, addr)
		runPython(t, python, time.Minute, "lock.py", host, port)
	}
	t.Run("cairn", func(t *testing.T) { run(t, testutil.StartCairn(t, nil).Addr) })
	t.Run("redis", func(t *testing.T) { run(t, testutil.StartRedis(t)) })
}

// TestPythonSortedSets runs python/sorted_sets.py, redis-py's sorted set
// API in plain calls, blocking pops, WATCH and pipelines that mix sorted
// sets with other types, against cairn and redis-server.
func TestPythonSortedSets(t *testing.T) {
	python := requirePythonRedis(t)
	run := func(t *testing.T, addr string) {
		host, port := hostPort(t, addr)
		runPython(t, python, time.Minute, "sorted_sets.py", host, port)
	}
	t.Run("cairn", func(t *testing.T) { run(t, testutil.StartCairn(t, nil).Addr) })
	t.Run("redis", func(t *testing.T) { run(t, testutil.StartRedis(t)) })
}

// hostPort splits a server's address for a Python program's arguments.
func hostPort(t *testing.T, addr string) (host, port string) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}

// runPython runs a Python program of python/ with args and fails the
// test unless it prints "ok", showing what it printed.
func runPython(t *testing.T, python string, timeout time.Duration, script string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, append([]string{"python/" + script}, args...)...).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("%s %s: %v\n%s", script, strings.Join(args, " "), err, out)
	}
}

// requirePythonRedis returns Debian's python3, which python3-redis
// installs into (another python3 on the PATH may lack the module). Without
// either the test is skipped locally and fails in CI.
func requirePythonRedis(t *testing.T) string {
	t.Helper()
	python := testutil.RequireProgram(t, "/usr/bin/python3")
	if out, err := exec.Command(python, "-c", "import redis").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-redis is required in CI: %v\n%s", err, out)
		}
		t.Skipf("python3-redis not installed: %s", out)
	}
	return python
}

// TestPythonPubSub runs python/pubsub.py, redis-py's pub/sub API
// (get_message, handlers run by a thread, PUBSUB, a subscriber's PING)
// and MONITOR, against cairn and redis-server.
func TestPythonPubSub(t *testing.T) {
	python := requirePythonRedis(t)
	run := func(t *testing.T, addr string) {
		host, port := hostPort(t, addr)
		runPython(t, python, time.Minute, "pubsub.py", host, port)
	}
	t.Run("cairn", func(t *testing.T) { run(t, testutil.StartCairn(t, nil).Addr) })
	t.Run("redis", func(t *testing.T) { run(t, testutil.StartRedis(t)) })
}
