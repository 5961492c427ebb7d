package main

import (
	"bufio"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// clockTicks is the unit of /proc/<pid>/stat's times (USER_HZ).
const clockTicks = 100

// cpuTime is the CPU time process pid has used, user and system.
func cpuTime(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// The fields after the command's name, which may hold spaces:
	// state is the first, utime and stime the 12th and 13th.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// nrOpen is the most open files any process may have: a maxclients past
// it cannot fit even in a process allowed to raise its hard limit.
func nrOpen(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/fs/nr_open")
	if err != nil {
		t.Skip("no /proc/sys/fs/nr_open:", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// rawConn is a client connection that reads replies line by line.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{Conn: c, r: bufio.NewReader(c)}
}

// send writes an inline command.
func (c *rawConn) send(t *testing.T, cmd string) {
	t.Helper()
	if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
		t.Fatal(err)
	}
}

// line reads a reply's first line within wait.
func (c *rawConn) line(wait time.Duration) (string, error) {
	c.SetReadDeadline(time.Now().Add(wait))
	s, err := c.r.ReadString('\n')
	return strings.TrimRight(s, "\r\n"), err
}

// do sends cmd and returns the first line of its reply.
func (c *rawConn) do(t *testing.T, cmd string) string {
	t.Helper()
	c.send(t, cmd)
	s, err := c.line(5 * time.Second)
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return s
}

// TestLowOpenFilesLimit runs cairn under an open files limit of 64 it
// cannot raise: maxclients is lowered to 64 - 32, clients past it are
// refused with Redis's error, and when the descriptors run out anyway
// (the limit lowered under the running server) accepting backs off
// instead of spinning, and resumes once descriptors are free.
func TestLowOpenFilesLimit(t *testing.T) {
	prlimit := testutil.RequireProgram(t, "prlimit")
	want := strconv.Itoa(nrOpen(t))
	p := testutil.StartProcessUnder(t, []string{prlimit, "--nofile=64:64"}, t.TempDir(),
		"--appendonly", "no", "--save", "", "--maxclients", want)
	if log := p.Log.String(); !strings.Contains(log, "maxclients has been reduced") || !strings.Contains(log, "maxclients=32") {
		t.Fatalf("no reduction of maxclients logged:\n%s", log)
	}
	admin := dialRaw(t, p.Addr)
	reply := []string{admin.do(t, "CONFIG GET maxclients")}
	for range 4 {
		l, _ := admin.line(time.Second)
		reply = append(reply, l)
	}
	if got := strings.Join(reply, " "); got != "*2 $10 maxclients $2 32" {
		t.Fatalf("CONFIG GET maxclients: %s", got)
	}
	const tryWith = "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with 32"
	if got := admin.do(t, "CONFIG SET maxclients 100"); got != tryWith {
		t.Errorf("CONFIG SET maxclients 100: %s", got)
	}

	// Up to maxclients, clients are served; past it they are told so.
	// (StartProcess's PING connection may still count for a moment.)
	var served []*rawConn
	for {
		c := dialRaw(t, p.Addr)
		if r := c.do(t, "PING"); r == "-ERR max number of clients reached" {
			break
		} else if r != "+PONG" {
			t.Fatalf("client %d: %s", len(served)+2, r)
		}
		served = append(served, c)
		if len(served) > 32 {
			t.Fatal("more clients than maxclients served")
		}
	}
	if len(served) < 30 {
		t.Fatalf("only %d clients served besides the first, maxclients is 32", len(served))
	}
	for i := range 20 {
		c := dialRaw(t, p.Addr)
		if r, err := c.line(5 * time.Second); r != "-ERR max number of clients reached" {
			t.Fatalf("refused client %d: %q, %v", i, r, err)
		}
		if _, err := c.line(5 * time.Second); err == nil {
			t.Fatalf("refused client %d not closed", i)
		}
	}
	if got := admin.do(t, "PING"); got != "+PONG" {
		t.Fatalf("PING with maxclients reached: %s", got)
	}
	openFiles := func() int {
		fds, err := os.ReadDir("/proc/" + strconv.Itoa(p.Pid()) + "/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(fds)
	}
	// The server closes its side of the clients closed here in its own
	// time: wait for it, so that the count below is of what stays open.
	before := openFiles()
	for _, c := range served {
		c.Close()
	}
	for deadline := time.Now().Add(10 * time.Second); openFiles() > before-len(served); {
		if time.Now().After(deadline) {
			t.Fatalf("the server kept the closed clients' descriptors: %d open, %d before", openFiles(), before)
		}
		time.Sleep(5 * time.Millisecond)
	}
	served = nil

	// Lower the limit to a few descriptors past those open: accepting
	// then fails with EMFILE before maxclients is reached.
	limit := strconv.Itoa(openFiles() + 3)
	if out, err := exec.Command(prlimit, "--pid", strconv.Itoa(p.Pid()), "--nofile="+limit+":"+limit).CombinedOutput(); err != nil {
		t.Fatalf("prlimit: %v\n%s", err, out)
	}
	var pending *rawConn
	for pending == nil {
		c := dialRaw(t, p.Addr)
		c.send(t, "PING")
		switch r, err := c.line(time.Second); {
		case r == "+PONG":
			served = append(served, c)
		case err != nil:
			pending = c
		default:
			t.Fatalf("client %d: %q", len(served), r)
		}
		if len(served) > 10 {
			t.Fatal("the lowered limit did not stop accepting")
		}
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(p.Log.String(), "accepting client connections fails"); {
		if time.Now().After(deadline) {
			t.Fatalf("no warning of failed accepts:\n%s", p.Log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}

	// While accepting fails, the process stays nearly idle and the
	// clients it has are answered.
	const window = time.Second
	start, used := time.Now(), cpuTime(t, p.Pid())
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for time.Since(start) < window {
		<-tick.C
		if got := admin.do(t, "PING"); got != "+PONG" {
			t.Fatalf("PING while accepting fails: %s", got)
		}
	}
	cpu := cpuTime(t, p.Pid()) - used
	t.Logf("CPU while accepting fails: %v in %v", cpu, time.Since(start))
	if cpu > window/5 {
		t.Errorf("cairn used %v of CPU in %v while accepting failed", cpu, window)
	}

	// Descriptors freed, the waiting client is accepted and answered.
	for _, c := range served {
		c.Close()
	}
	if r, err := pending.line(10 * time.Second); r != "+PONG" {
		t.Fatalf("waiting client after descriptors were freed: %q, %v", r, err)
	}
}

// TestOpenFilesLimitTooLow checks that cairn refuses to start, as Redis,
// when the open files limit leaves no room for a client.
func TestOpenFilesLimitTooLow(t *testing.T) {
	prlimit := testutil.RequireProgram(t, "prlimit")
	cmd := exec.Command(prlimit, "--nofile=32:32", testutil.BuildCairn(t), "--port", strconv.Itoa(testutil.FreePort(t)),
		"--dir", t.TempDir(), "--appendonly", "no", "--save", "", "--maxclients", strconv.Itoa(nrOpen(t)))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit %v, want status 1\n%s", err, out)
	}
	if !strings.Contains(string(out), "is not enough for the server to start") {
		t.Errorf("no reason given:\n%s", out)
	}
}
