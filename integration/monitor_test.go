package integration

import (
	"context"
	"net"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/testutil"
)

// TestMonitorRedisCLI runs `redis-cli monitor` against redis-server and
// cairn while one connection sends the same commands to each, and
// compares what the two monitors print, timestamps and client ports
// aside: which commands are shown (not the administrative ones, nor those
// refused before they ran), in which order (inside EXEC, a script's after
// the script, as "lua"), with which database, quoted as Redis quotes and
// with AUTH's and HELLO's secrets redacted.
func TestMonitorRedisCLI(t *testing.T) {
	cli := testutil.RequireProgram(t, "redis-cli")
	cmds := [][]string{
		{"SET", "a b", "x\"y\\n\x01\xc3\xa9\r\n\t"},
		{"MULTI"}, {"SET", "k", "1"}, {"INCR", "k"}, {"EXEC"},
		{"EVAL", "redis.call('set', KEYS[1], 'v') return 1", "1", "kk"},
		{"EVAL", "return 1", "-1"},
		{"FUNCTION", "LOAD", "#!lua name=m\nredis.register_function('f', function(keys) return redis.call('get', keys[1]) end)"},
		{"FCALL", "f", "1", "kk"}, {"FCALL", "nosuch", "0"}, {"FUNCTION", "DELETE", "m"},
		{"AUTH", "foo"}, {"AUTH", "user", "pass"}, {"HELLO", "2", "AUTH", "default", "x", "SETNAME", "me"},
		{"CONFIG", "GET", "maxmemory"}, {"CLIENT", "LIST"}, {"GETX"}, {"GET"},
		{"SELECT", "3"}, {"SET", "a", "1"}, {"PUBLISH", "a", "b"},
		{"BLPOP", "nolist", "0.01"},
		{"ECHO", "done"},
	}
	mask := regexp.MustCompile(`(?m)^\d+\.\d{6} \[(\d+) (127\.0\.0\.1:\d+|lua)\]`)
	run := func(addr string) string {
		host, port, _ := net.SplitHostPort(addr)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		mon := exec.CommandContext(ctx, cli, "-h", host, "-p", port, "monitor")
		var out testutil.SyncBuffer
		mon.Stdout = &out
		if err := mon.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			mon.Process.Kill()
			mon.Wait()
		}()
		waitFor(t, func() bool { return strings.HasPrefix(out.String(), "OK") })
		c := &conn{name: addr, addr: addr, timeout: replyTimeout}
		if err := c.dial(); err != nil {
			t.Fatal(err)
		}
		defer c.nc.Close()
		for _, args := range cmds {
			if _, _, err := c.do(encodeCommand(args)); err != nil {
				t.Fatalf("%s: %q: %v", addr, args, err)
			}
		}
		waitFor(t, func() bool { return strings.Contains(out.String(), `"ECHO" "done"`) })
		return mask.ReplaceAllStringFunc(out.String(), func(s string) string {
			m := mask.FindStringSubmatch(s)
			who := "client"
			if m[2] == "lua" {
				who = "lua"
			}
			return "[" + m[1] + " " + who + "]"
		})
	}
	want := run(testutil.StartRedis(t))
	got := run(testutil.StartCairn(t, nil).Addr)
	if got != want {
		t.Errorf("monitor output differs\nredis:\n%s\ncairn:\n%s", want, got)
	}
}

// waitFor polls cond until it holds, failing t after ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
	}
}
