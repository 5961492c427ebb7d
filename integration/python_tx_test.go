package integration

import (
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
		host, port := hostPort(t, addr)
		runPython(t, python, time.Minute, "transaction_pipeline.py", host, port)
	}
	t.Run("cairn", func(t *testing.T) { run(t, testutil.StartCairn(t, nil).Addr) })
	t.Run("redis", func(t *testing.T) { run(t, testutil.StartRedis(t)) })
}
