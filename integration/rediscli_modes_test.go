package integration

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/testutil"
)

// TestRedisCLIModes runs redis-cli's operator modes against redis-server
// and cairn holding the same data, and compares what they print with the
// numbers that depend on timing or on memory accounting masked: --stat,
// --latency, --latency-history, --bigkeys, --memkeys and --hotkeys (with
// and without an LFU policy). MONITOR has its own test
// (TestMonitorRedisCLI). The modes that run until stopped are read line
// by line (stdbuf) and killed once they printed enough.
func TestRedisCLIModes(t *testing.T) {
	cli := testutil.RequireProgram(t, "redis-cli")
	stdbuf := testutil.RequireProgram(t, "stdbuf")
	// The same keys in both: one of each type clearly bigger than the
	// others of its type, by count and by memory.
	data := [][]string{
		{"MSET", "s1", "a", "s2", strings.Repeat("b", 500), "s3", "ccc"},
		{"RPUSH", "l1", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"},
		{"RPUSH", "l2", "1"},
		{"SADD", "st", "a", "b", "c"},
		{"HSET", "h", "f", "v", "g", "w"},
		{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"},
		{"SET", "n", "12345"},
	}
	// number masks what differs between runs and servers: counts of
	// requests, memory (1.15M), latencies.
	number := regexp.MustCompile(`\d+(\.\d+)?[BKMGTP]?`)
	mask := func(s string) string { return number.ReplaceAllString(s, "N") }
	// memory masks the sizes --memkeys prints (MEMORY USAGE's), which
	// are cairn's own accounting.
	memory := regexp.MustCompile(`\d+ bytes|avg size \d+\.\d+`)
	// run runs redis-cli to its end and returns stdout and stderr; the
	// exit status is left to the output to show.
	run := func(t *testing.T, addr string, args ...string) string {
		t.Helper()
		host, port, _ := net.SplitHostPort(addr)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli, append([]string{"-h", host, "-p", port}, args...)...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			out.WriteString("exit: " + err.Error() + "\n")
		}
		return out.String()
	}
	// until runs redis-cli with line-buffered output until enough(out)
	// holds, and returns out.
	until := func(t *testing.T, addr string, enough func(string) bool, args ...string) string {
		t.Helper()
		host, port, _ := net.SplitHostPort(addr)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, stdbuf, append([]string{"-oL", cli, "-h", host, "-p", port}, args...)...)
		var out testutil.SyncBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			cmd.Process.Kill()
			cmd.Wait()
		}()
		waitFor(t, func() bool { return enough(out.String()) })
		return out.String()
	}
	lines := func(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }
	// summary is what --bigkeys, --memkeys and --hotkeys print from their
	// summary on; the lines before it follow SCAN's order.
	summary := func(s string) string {
		if i := strings.Index(s, "-------- summary -------"); i >= 0 {
			return s[i:]
		}
		return s
	}

	cases := []struct {
		name string
		// before is sent before the data, setup after it.
		before, setup [][]string
		out           func(t *testing.T, addr string) string
	}{
		{"stat", nil, nil, func(t *testing.T, addr string) string {
			// Two header lines and three rows; the keys, clients and
			// blocked columns are the same on both.
			out := until(t, addr, func(s string) bool { return strings.Count(s, "\n") >= 5 }, "--stat", "-i", "0.1")
			l := lines(out)[:5]
			for i := 2; i < len(l); i++ {
				f := strings.Fields(l[i])
				if len(f) != 7 {
					t.Errorf("--stat row %q: %d fields", l[i], len(f))
					continue
				}
				// keys mem clients blocked requests (+n) connections
				l[i] = strings.Join([]string{f[0], mask(f[1]), f[2], f[3], mask(f[4]), mask(f[5]), mask(f[6])}, " ")
			}
			return strings.Join(l, "\n")
		}},
		{"latency", nil, nil, func(t *testing.T, addr string) string {
			// Not a terminal: one line of min, max, average and samples
			// after the interval.
			return mask(run(t, addr, "--latency", "-i", "0.2")) + mask(run(t, addr, "--latency", "--raw", "-i", "0.2"))
		}},
		{"latency-history", nil, nil, func(t *testing.T, addr string) string {
			out := until(t, addr, func(s string) bool { return strings.Contains(s, "seconds range") }, "--latency-history", "-i", "0.3")
			// As many sample lines as fitted in the interval: the
			// distinct forms of the lines.
			forms := lines(mask(out[:strings.Index(out, "seconds range")+len("seconds range")]))
			slices.Sort(forms)
			return strings.Join(slices.Compact(forms), "\n")
		}},
		{"bigkeys", nil, nil, func(t *testing.T, addr string) string {
			out := run(t, addr, "--bigkeys", "-i", "0")
			return out[:strings.Index(out, "[")] + summary(out)
		}},
		{"memkeys", nil, nil, func(t *testing.T, addr string) string {
			out := run(t, addr, "--memkeys", "-i", "0")
			return out[:strings.Index(out, "[")] + memory.ReplaceAllString(summary(out), "N")
		}},
		{"hotkeys-no-lfu", nil, nil, func(t *testing.T, addr string) string {
			return run(t, addr, "--hotkeys", "-i", "0")
		}},
		{"hotkeys", [][]string{
			// Every access counts and nothing decays: the counters are
			// 5 (a new key's) plus the accesses. Keys created before
			// the policy was LFU would start from their LRU clock.
			{"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu", "lfu-log-factor", "0", "lfu-decay-time", "0"},
		}, [][]string{
			// A different count for each key, so that no two tie.
			{"GET", "s1"}, {"GET", "s1"}, {"GET", "s1"}, {"GET", "s1"}, {"GET", "s1"}, {"GET", "s1"}, {"GET", "s1"}, {"GET", "s1"},
			{"GET", "s2"}, {"GET", "s2"}, {"GET", "s2"}, {"GET", "s2"}, {"GET", "s2"}, {"GET", "s2"}, {"GET", "s2"},
			{"LLEN", "l1"}, {"LLEN", "l1"}, {"LLEN", "l1"}, {"LLEN", "l1"}, {"LLEN", "l1"}, {"LLEN", "l1"},
			{"HGET", "h", "f"}, {"HGET", "h", "f"}, {"HGET", "h", "f"}, {"HGET", "h", "f"}, {"HGET", "h", "f"},
			{"ZSCORE", "z", "a"}, {"ZSCORE", "z", "a"}, {"ZSCORE", "z", "a"}, {"ZSCORE", "z", "a"},
			{"SCARD", "st"}, {"SCARD", "st"}, {"SCARD", "st"},
			{"GET", "n"}, {"GET", "n"},
			{"LLEN", "l2"},
		}, func(t *testing.T, addr string) string {
			out := run(t, addr, "--hotkeys", "-i", "0")
			return out[:strings.Index(out, "[")] + summary(out)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			outs := map[string]string{}
			for _, srv := range []struct{ name, addr string }{
				{"redis", testutil.StartRedis(t)},
				{"cairn", testutil.StartCairn(t, nil).Addr},
			} {
				host, port, _ := net.SplitHostPort(srv.addr)
				tg := cliTarget{cli: cli, host: host, port: port}
				for _, args := range slices.Concat(tc.before, data, tc.setup) {
					tg.command(t, args)
				}
				outs[srv.name] = tc.out(t, srv.addr)
			}
			if outs["redis"] != outs["cairn"] {
				t.Errorf("redis-cli printed differently\nredis:\n%s\ncairn:\n%s", outs["redis"], outs["cairn"])
			}
		})
	}
}
