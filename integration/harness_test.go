package integration

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func mustRead(t *testing.T, s string) Reply {
	t.Helper()
	rep, err := ReadReply(bufio.NewReader(strings.NewReader(s)))
	if err != nil {
		t.Fatalf("ReadReply(%q): %v", s, err)
	}
	return rep
}

func TestEqualReplies(t *testing.T) {
	tests := []struct {
		directive string
		a, b      string
		want      bool
	}{
		{"", "$1\r\n1\r\n", "$1\r\n1\r\n", true},
		{"", "$1\r\n1\r\n", ":1\r\n", false},
		{"", "*2\r\n+a\r\n+b\r\n", "*2\r\n+b\r\n+a\r\n", false},
		{"type", ":1\r\n", ":2\r\n", true},
		{"type", "$-1\r\n", "*-1\r\n", false},
		{"type", "-ERR a\r\n", "-WRONGTYPE b\r\n", true},
		{"len", "*2\r\n+a\r\n+b\r\n", "*2\r\n+c\r\n:1\r\n", true},
		{"len", "*2\r\n+a\r\n+b\r\n", "*1\r\n+a\r\n", false},
		{"len", "*0\r\n", "*-1\r\n", false},
		{"len", "$1\r\na\r\n", "$2\r\nbc\r\n", true},
		{"len", "$1\r\na\r\n", ":1\r\n", false},
		{"sorted", "*3\r\n+b\r\n+a\r\n+b\r\n", "*3\r\n+b\r\n+b\r\n+a\r\n", true},
		{"sorted", "*2\r\n+b\r\n+a\r\n", "*2\r\n+a\r\n+a\r\n", false},
		{"sorted", "*2\r\n+b\r\n+a\r\n", "~2\r\n+a\r\n+b\r\n", false},
		{"sorted", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", true},
		{"sorted", "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "%2\r\n+b\r\n:2\r\n+a\r\n:1\r\n", true},
		{"sorted", "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "%2\r\n+a\r\n:2\r\n+b\r\n:1\r\n", false},
		{"sorted", "-ERR x\r\n", "-ERR x\r\n", true},
		{"sorted", "-ERR x\r\n", "-ERR y\r\n", false},
		{"any", "+OK\r\n", ":1\r\n", true},
	}
	for _, tt := range tests {
		if got := equalReplies(tt.directive, mustRead(t, tt.a), mustRead(t, tt.b)); got != tt.want {
			t.Errorf("equalReplies(%q, %q, %q) = %v", tt.directive, tt.a, tt.b, got)
		}
	}
}

func TestParseScript(t *testing.T) {
	script := "# comment\n\n  PING\r\n!sorted KEYS *\n!bogus PING\nSET \"a\n!type\n   # indented comment\nECHO 'x y'\n"
	got, problems := parseScript("s.txt", script)
	wantProblems := []string{
		"s.txt:5: unknown directive !bogus",
		"s.txt:6: unbalanced quotes: SET \"a",
		"s.txt:7: no command: !type",
	}
	if strings.Join(problems, "\n") != strings.Join(wantProblems, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(wantProblems, "\n"))
	}
	want := []scriptLine{
		{num: 3, text: "PING", args: []string{"PING"}},
		{num: 4, text: "!sorted KEYS *", directive: "sorted", args: []string{"KEYS", "*"}},
		{num: 9, text: "ECHO 'x y'", args: []string{"ECHO", "x y"}},
	}
	if len(got) != len(want) {
		t.Fatalf("parsed %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.num != w.num || g.text != w.text || g.directive != w.directive || strings.Join(g.args, "|") != strings.Join(w.args, "|") {
			t.Errorf("line %d: got %+v, want %+v", i, g, w)
		}
	}
}

// A server that never answers must fail the command after the timeout, and
// one that closed the connection must be seen as closed.
func TestConnTimeoutAndClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- nc
		}
	}()

	c := &conn{name: "silent", addr: ln.Addr().String(), timeout: 50 * time.Millisecond}
	if err := c.dial(); err != nil {
		t.Fatal(err)
	}
	defer c.nc.Close()
	server := <-accepted
	defer server.Close()
	start := time.Now()
	_, _, err = c.do(encodeCommand([]string{"PING"}))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || closedBeforeReply(err) {
		t.Fatalf("silent server: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timeout took %v", d)
	}

	if err := c.dial(); err != nil {
		t.Fatal(err)
	}
	(<-accepted).Close()
	_, _, err = c.do(encodeCommand([]string{"PING"}))
	if !closedBeforeReply(err) {
		t.Errorf("closed server: %v", err)
	}
}
