package integration

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/testutil"
)

// TestPythonTransactionPipeline runs python/transaction_pipeline.py, a
// redis-py program using transactional pipelines and WATCH retry loops,
// against cairn, and against redis-server to keep it honest.
func TestPythonTransactionPipeline(t *testing.T) {
	python := requirePythonRedis(t)
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
