package integration

import (
	"bytes"
	"context"
	"encoding/csv"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/testutil"
)

// TestRedisBenchmarkDefault runs redis-benchmark's default run (every test
// it has) against cairn, and against redis-server to learn the list of
// tests: each must complete with no error from the server.
func TestRedisBenchmarkDefault(t *testing.T) {
	bin := testutil.RequireProgram(t, "redis-benchmark")
	run := func(addr string) []string {
		host, port, _ := strings.Cut(addr, ":")
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "-h", host, "-p", port, "-n", "2000", "-c", "20", "--csv")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Fatalf("redis-benchmark against %s: %v\nstderr: %s", addr, err, stderr.String())
		}
		rows, err := csv.NewReader(&stdout).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("redis-benchmark against %s printed %q: %v", addr, stdout.String(), err)
		}
		var tests []string
		for _, row := range rows[1:] {
			if rps, err := strconv.ParseFloat(row[1], 64); err != nil || rps <= 0 {
				t.Errorf("%s: %s requests per second against %s", row[0], row[1], addr)
			}
			tests = append(tests, row[0])
		}
		return tests
	}
	want := run(testutil.StartRedis(t))
	got := run(testutil.StartCairn(t, nil).Addr)
	if !slices.Equal(got, want) {
		t.Errorf("tests run against cairn: %q\nagainst redis-server: %q", got, want)
	}
}
