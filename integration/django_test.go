package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
)

// TestDjangoCache runs python/django_cache.py, Django's cache API through
// the django_redis backend on database 1 (plain SET PX and GET, pipelines,
// INCRBY inside EVAL with its GET/SET fallback, SCAN and KEYS with escaped
// patterns, redis-py's Lock), against cairn, and against redis-server to
// keep it honest.
func TestDjangoCache(t *testing.T) {
	python := requireDjango(t)
	run := func(t *testing.T, addr string) {
		host, port := hostPort(t, addr)
		runPython(t, python, time.Minute, "django_cache.py", host, port)
	}
	t.Run("cairn", func(t *testing.T) { run(t, testutil.StartCairn(t, nil).Addr) })
	t.Run("redis", func(t *testing.T) { run(t, testutil.StartRedis(t)) })
}

// TestDjangoEviction runs python/django_evict.py: Django's cache filling
// ten times maxmemory (8 MB) under allkeys-lru. No error reaches Django,
// the recent keys are there. Against redis-server too, with the same settings.
func TestDjangoEviction(t *testing.T) {
	python := requireDjango(t)
	run := func(t *testing.T, addr string) {
		host, port := hostPort(t, addr)
		runPython(t, python, 2*time.Minute, "django_evict.py", host, port, "10")
	}
	t.Run("cairn", func(t *testing.T) {
		run(t, testutil.StartCairn(t, func(c *config.Config) {
			c.MaxMemory = 8 << 20
			c.MaxMemoryPolicy = "allkeys-lru"
		}).Addr)
	})
	t.Run("redis", func(t *testing.T) {
		run(t, testutil.StartRedis(t, "--maxmemory", "8mb", "--maxmemory-policy", "allkeys-lru"))
	})
}

// restartDowntime is how long TestDjangoRestart keeps the server down:
// longer than the short-lived key's second, and than the TTL slack of
// django_restart.py, so that TTLs that did not count the downtime fail.
const restartDowntime = 3 * time.Second

// TestDjangoRestart runs python/django_restart.py's write phase through
// Django's cache (timeouts of none, 300 s, the default and 1 s, set_many,
// add, incr, touch, persist, delete), restarts the cairn binary, and runs
// its verify phase: the same values, the 1 s key gone, the TTLs what they
// were minus the downtime. Once stopped with SIGTERM (the default
// configuration: a final snapshot and the log), once killed with SIGKILL
// with appendfsync always (the log alone, every acknowledged write on
// disk). Against redis-server, without a restart but with the same wait,
// to keep the script honest.
func TestDjangoRestart(t *testing.T) {
	python := requireDjango(t)
	phase := func(t *testing.T, name, addr, state string) {
		t.Helper()
		host, port := hostPort(t, addr)
		runPython(t, python, time.Minute, "django_restart.py", name, host, port, state)
	}
	tests := []struct {
		name string
		args []string
		down func(*testutil.Process)
	}{
		{"sigterm", nil, (*testutil.Process).Stop},
		{"sigkill-appendfsync-always", []string{"--appendfsync", "always"}, (*testutil.Process).Kill},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := filepath.Join(t.TempDir(), "state.json")
			p := testutil.StartProcess(t, t.TempDir(), tt.args...)
			phase(t, "write", p.Addr, state)
			tt.down(p)
			time.Sleep(restartDowntime)
			p.Restart()
			phase(t, "verify", p.Addr, state)
		})
	}
	t.Run("redis-no-restart", func(t *testing.T) {
		state := filepath.Join(t.TempDir(), "state.json")
		addr := testutil.StartRedis(t)
		phase(t, "write", addr, state)
		time.Sleep(restartDowntime)
		phase(t, "verify", addr, state)
	})
}

// requireDjango returns Debian's python3 with python3-redis and
// python3-django-redis. Without them the test is skipped locally and
// fails in CI.
func requireDjango(t *testing.T) string {
	t.Helper()
	python := requirePythonRedis(t)
	if out, err := exec.Command(python, "-c", "import django, django_redis").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-django-redis is required in CI: %v\n%s", err, out)
		}
		t.Skipf("python3-django-redis not installed: %s", out)
	}
	return python
}
