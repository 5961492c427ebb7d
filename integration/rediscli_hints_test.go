package integration

import (
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/testutil"
)

// TestRedisCLIInteractiveHints runs redis-cli interactively in a terminal
// (tmux) against redis-server and cairn, types the start of commands and
// compares the argument hints it draws, which redis-cli builds from
// COMMAND DOCS, and the replies to commands typed in full.
func TestRedisCLIInteractiveHints(t *testing.T) {
	cli := testutil.RequireProgram(t, "redis-cli")
	tmux := testutil.RequireProgram(t, "tmux")
	inputs := []string{
		"SET ", "GET ", "GETEX ", "LCS ", "SCAN ", "COPY ", "OBJECT ENCODING ", "EXPIRE ",
		"LPOS ", "BLMPOP ", "LINSERT ", "SINTERCARD ", "SRANDMEMBER ", "HRANDFIELD ", "HSCAN ",
		"EVAL ", "SCRIPT FLUSH ", "WATCH ", "CLIENT KILL ", "CLIENT PAUSE ", "CONFIG SET ",
		"COMMAND LIST ", "HELLO ", "SHUTDOWN ", "MEMORY USAGE ",
		"HSET h f v\n", "LRANGE nokey 0 -1\n", "HGETALL h\n",
	}
	screens := map[string][]string{}
	for _, srv := range []struct{ name, addr string }{
		{"redis", testutil.StartRedis(t)},
		{"cairn", testutil.StartCairn(t, nil).Addr},
	} {
		_, port, _ := net.SplitHostPort(srv.addr)
		term := newTerminal(t, tmux, srv.name+port, fmt.Sprintf("%s -h 127.0.0.1 -p %s", cli, port))
		// tmux drops trailing blanks: the prompt's space shows only before
		// text.
		prompt := "127.0.0.1:" + port + ">"
		term.waitFor(t, func(s string) bool { return strings.Contains(s, prompt) })
		for _, in := range inputs {
			term.send(t, "C-u")
			text, enter := strings.CutSuffix(in, "\n")
			term.send(t, "-l", text)
			if enter {
				term.send(t, "Enter")
			}
			screen := term.stable(t)
			// The line being typed and what the command printed, with the
			// port taken out of the prompts.
			lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
			last := lines[max(0, len(lines)-4):]
			for i := range last {
				last[i] = strings.ReplaceAll(strings.TrimRight(last[i], " "), prompt, ">")
			}
			screens[in] = append(screens[in], strings.Join(last, "\n"))
			if enter {
				term.send(t, "C-l")
			}
		}
	}
	for _, in := range inputs {
		if s := screens[in]; s[0] != s[1] {
			t.Errorf("typing %q:\nredis:\n%s\ncairn:\n%s", in, s[0], s[1])
		}
	}
}

// terminal is a tmux session running one program.
type terminal struct {
	tmux, name string
}

func newTerminal(t *testing.T, tmux, name, command string) *terminal {
	t.Helper()
	name = "cairn-test-" + name
	out, err := exec.Command(tmux, "new-session", "-d", "-s", name, "-x", "250", "-y", "30", command).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command(tmux, "kill-session", "-t", name).Run() })
	return &terminal{tmux: tmux, name: name}
}

func (tm *terminal) send(t *testing.T, keys ...string) {
	t.Helper()
	if out, err := exec.Command(tm.tmux, append([]string{"send-keys", "-t", tm.name}, keys...)...).CombinedOutput(); err != nil {
		t.Fatalf("tmux send-keys: %v: %s", err, out)
	}
}

func (tm *terminal) capture(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(tm.tmux, "capture-pane", "-p", "-t", tm.name).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux capture-pane: %v: %s", err, out)
	}
	return string(out)
}

// waitFor polls the screen until ok accepts it.
func (tm *terminal) waitFor(t *testing.T, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := tm.capture(t)
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("terminal never showed what was expected; it shows:\n%s", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stable polls the screen until it has stopped changing: redis-cli has
// drawn what the keys typed make it draw.
func (tm *terminal) stable(t *testing.T) string {
	t.Helper()
	prev := ""
	same := 0
	return tm.waitFor(t, func(s string) bool {
		if s == prev {
			same++
		} else {
			prev, same = s, 0
		}
		return same >= 3
	})
}
