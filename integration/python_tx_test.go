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

// debianPython is Debian's interpreter, which python3-redis installs
// into; another python3 on the PATH may lack the module.
const debianPython = "/usr/bin/python3"

// TestPythonTransactionPipeline runs python/transaction_pipeline.py, a
// redis-py program using transactional pipelines and WATCH retry loops,
// against cairn, and against redis-server to keep it honest.
func TestPythonTransactionPipeline(t *testing.T) {
	python := testutil.RequireProgram(t, debianPython)
	if out, err := exec.Command(python, "-c", "import redis").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-redis is required in CI: %v\n%s", err, out)
		}
		t.Skipf("python3-redis not installed: %s", out)
	}
	run := func(t *testing.T, addr string) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, python, "python/transaction_pipeline.py", host, port).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "ok" {
			t.Fatalf("transaction_pipeline.py: %v\n%s", err, out)
		}
	}
	t.Run("cairn", func(t *testing.T) { run(t, testutil.StartCairn(t, nil).Addr) })
	t.Run("redis", func(t *testing.T) { run(t, testutil.StartRedis(t)) })
}
