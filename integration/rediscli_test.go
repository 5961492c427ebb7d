package integration

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/testutil"
)

// cliTarget is a server for the redis-cli tests. Every case runs against
// redis-server too, which keeps the tests themselves honest.
type cliTarget struct {
	cli  string // path of redis-cli
	host string
	port string
}

// run runs redis-cli against the target with stdin as its input and returns
// what it printed on stdout; a failure to run or a non-zero exit fails t.
func (tg cliTarget) run(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tg.cli, append([]string{"-h", tg.host, "-p", tg.port}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("redis-cli %s: %v\nstdout: %q\nstderr: %q", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// command sends commands over one raw connection and returns the last
// reply's exact bytes; an error reply to an earlier command fails t.
func (tg cliTarget) command(t *testing.T, cmds ...[]string) string {
	t.Helper()
	c := &conn{name: "check", addr: net.JoinHostPort(tg.host, tg.port), timeout: replyTimeout}
	if err := c.dial(); err != nil {
		t.Fatal(err)
	}
	defer c.nc.Close()
	var rep Reply
	for i, args := range cmds {
		var err error
		rep, _, err = c.do(encodeCommand(args))
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if i < len(cmds)-1 && rep.Type == '-' {
			t.Fatalf("%q: %q", args, rep.Raw)
		}
	}
	return string(rep.Raw)
}

func (tg cliTarget) expect(t *testing.T, want string, cmds ...[]string) {
	t.Helper()
	if got := tg.command(t, cmds...); got != want {
		t.Errorf("%q: got %q, want %q", cmds[len(cmds)-1], got, want)
	}
}

// TestRedisCLI drives Debian's redis-cli against cairn (and redis-server).
// Each case gets fresh servers, so no case depends on FLUSHALL.
func TestRedisCLI(t *testing.T) {
	cli := testutil.RequireProgram(t, "redis-cli")
	cases := []struct {
		name string
		run  func(t *testing.T, tg cliTarget)
	}{
		{"ping", func(t *testing.T, tg cliTarget) {
			if out := tg.run(t, nil, "PING"); out != "PONG\n" {
				t.Errorf("PING printed %q", out)
			}
		}},
		{"select-db", func(t *testing.T, tg cliTarget) {
			if out := tg.run(t, nil, "-n", "3", "SET", "k", "in3"); out != "OK\n" {
				t.Errorf("-n 3 SET printed %q", out)
			}
			if out := tg.run(t, nil, "-n", "3", "GET", "k"); out != "in3\n" {
				t.Errorf("-n 3 GET printed %q", out)
			}
			tg.expect(t, "$-1\r\n", []string{"GET", "k"})
			tg.expect(t, "$3\r\nin3\r\n", []string{"SELECT", "3"}, []string{"GET", "k"})
		}},
		{"raw", func(t *testing.T, tg cliTarget) {
			tg.expect(t, "+OK\r\n", []string{"SET", "k", "a\nb\x01"})
			if out := tg.run(t, nil, "--raw", "GET", "k"); out != "a\nb\x01\n" {
				t.Errorf("--raw GET printed %q", out)
			}
			if out := tg.run(t, nil, "--no-raw", "GET", "k"); out != `"a\nb\x01"`+"\n" {
				t.Errorf("--no-raw GET printed %q", out)
			}
			if out := tg.run(t, nil, "--raw", "INCR", "n"); out != "1\n" {
				t.Errorf("--raw INCR printed %q", out)
			}
			if out := tg.run(t, nil, "--no-raw", "INCR", "n"); out != "(integer) 2\n" {
				t.Errorf("--no-raw INCR printed %q", out)
			}
		}},
		{"stdin-x", func(t *testing.T, tg cliTarget) {
			value := "line1\nline2\r\n\x00\xff end"
			if out := tg.run(t, []byte(value), "-x", "SET", "k"); out != "OK\n" {
				t.Errorf("-x SET printed %q", out)
			}
			tg.expect(t, "$"+strconv.Itoa(len(value))+"\r\n"+value+"\r\n", []string{"GET", "k"})
		}},
		{"scan-pattern", func(t *testing.T, tg cliTarget) {
			var want []string
			mset := []string{"MSET"}
			for i := range 1000 {
				k := "user:" + strconv.Itoa(i)
				want = append(want, k)
				mset = append(mset, k, "v", "other:"+strconv.Itoa(i), "v")
			}
			mset = append(mset, "user", "v", "xuser:1", "v")
			tg.expect(t, "+OK\r\n", mset)
			got := strings.Fields(tg.run(t, nil, "--scan", "--pattern", "user:*"))
			// SCAN may return a key more than once; redis-cli prints what
			// it gets.
			slices.Sort(got)
			got = slices.Compact(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("--scan --pattern 'user:*' printed %d distinct keys, want %d", len(got), len(want))
			}
		}},
		{"pipe", func(t *testing.T, tg cliTarget) {
			const n = 100000
			var stream []byte
			for i := range n {
				k, v := "key:"+strconv.Itoa(i), "value:"+strconv.Itoa(i)
				stream = fmt.Appendf(stream, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(v), v)
			}
			out := tg.run(t, stream, "--pipe")
			if !strings.Contains(out, "errors: 0, replies: 100000") {
				t.Errorf("--pipe printed %q", out)
			}
			tg.expect(t, ":100000\r\n", []string{"DBSIZE"})
			tg.expect(t, "$11\r\nvalue:99999\r\n", []string{"GET", "key:99999"})
		}},
	}
	targets := []struct {
		name  string
		start func(t *testing.T) string
	}{
		{"redis", func(t *testing.T) string { return testutil.StartRedis(t) }},
		{"cairn", func(t *testing.T) string { return testutil.StartCairn(t, nil).Addr }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, target := range targets {
				t.Run(target.name, func(t *testing.T) {
					host, port, err := net.SplitHostPort(target.start(t))
					if err != nil {
						t.Fatal(err)
					}
					c.run(t, cliTarget{cli: cli, host: host, port: port})
				})
			}
		})
	}
}
