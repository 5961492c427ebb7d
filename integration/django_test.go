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

// TestDjangoCache runs python/django_cache.py, Django's cache API through
// the django_redis backend on database 1 (plain SET PX and GET, pipelines,
// INCRBY inside EVAL with its GET/SET fallback, SCAN and KEYS with escaped
// patterns, redis-py's Lock), against cairn, and against redis-server to
// keep it honest.
func TestDjangoCache(t *testing.T) {
	python := requirePythonRedis(t)
	if out, err := exec.Command(python, "-c", "import django, django_redis").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-django-redis is required in CI: %v\n%s", err, out)
		}
		t.Skipf("python3-django-redis not installed: %s", out)
	}
	run := func(t *testing.T, addr string) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, python, "python/django_cache.py", host, port).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "ok" {
			t.Fatalf("django_cache.py: %v\n%s", err, out)
		}
	}
	t.Run("cairn", func(t *testing.T) { run(t, testutil.StartCairn(t, nil).Addr) })
	t.Run("redis", func(t *testing.T) { run(t, testutil.StartRedis(t)) })
}
