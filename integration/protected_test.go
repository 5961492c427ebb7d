package integration

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/testutil"
)

// netnsAddress is the address the protected-mode test connects from: a
// non-loopback address given to the loopback interface of a network
// namespace of the test's own.
const netnsAddress = "10.9.0.1"

// inNetns runs test again, alone, inside a new network namespace where
// netnsAddress is this host's, and reports whether this is that run. It
// skips the test where no namespace can be made (no unshare or ip, not
// allowed), but fails it in CI.
func inNetns(t *testing.T, test string) bool {
	if os.Getenv("CAIRN_TEST_NETNS") != "" {
		return true
	}
	cannot := func(why string, args ...any) {
		if os.Getenv("CI") == "true" {
			t.Fatalf(why, args...)
		}
		t.Skipf(why, args...)
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		cannot("no unshare to make a network namespace: %v", err)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		cannot("no ip to set up a network namespace: %v", err)
	}
	setup := "ip link set lo up && ip addr add " + netnsAddress + "/32 dev lo && exec \"$@\""
	if out, err := exec.Command(unshare, "-n", "sh", "-c", setup, "sh", "true").CombinedOutput(); err != nil {
		cannot("cannot make a network namespace: %v %s", err, out)
	}
	cmd := exec.Command(unshare, "-n", "sh", "-c", setup, "sh", os.Args[0], "-test.run", "^"+test+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "CAIRN_TEST_NETNS=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("in a network namespace: %v\n%s", err, out)
	}
	return false
}

// TestProtectedMode: with no password, a client from another address is
// refused with Redis's -DENIED and disconnected, by both servers; a
// password, or protected-mode no, lets it in.
func TestProtectedMode(t *testing.T) {
	if !inNetns(t, "TestProtectedMode") {
		return
	}
	from := net.ParseIP(netnsAddress)
	dialFrom := func(t *testing.T, addr string) string {
		t.Helper()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: from}, Timeout: 5 * time.Second}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte("PING\r\n")); err != nil {
			return "write: " + err.Error()
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			return "read: " + err.Error()
		}
		return line
	}
	redisAddr := testutil.StartRedis(t)
	cairn := testutil.StartCairn(t, nil)
	denied := dialFrom(t, redisAddr)
	if len(denied) < 7 || denied[:7] != "-DENIED" {
		t.Fatalf("redis-server: %q", denied)
	}
	if got := dialFrom(t, cairn.Addr); got != denied {
		t.Errorf("cairn: %q\nredis: %q", got, denied)
	}
	// Loopback clients are let in, and may turn protected mode off.
	local := pClient(t, cairn.Addr, 0)
	if err := local.ConfigSet(pctx, "protected-mode", "no").Err(); err != nil {
		t.Fatal(err)
	}
	if got := dialFrom(t, cairn.Addr); got != "+PONG\r\n" {
		t.Errorf("protected-mode no: %q", got)
	}
	local.ConfigSet(pctx, "protected-mode", "yes")
	if err := local.ConfigSet(pctx, "requirepass", "secret").Err(); err != nil {
		t.Fatal(err)
	}
	if got := dialFrom(t, cairn.Addr); got != "-NOAUTH Authentication required.\r\n" {
		t.Errorf("with a password: %q", got)
	}
	// A password the default user is given with ACL SETUSER counts too,
	// as in Redis: protected mode guards a default user without one.
	local.Do(pctx, "AUTH", "secret")
	local.ConfigSet(pctx, "requirepass", "")
	if got := dialFrom(t, cairn.Addr); got != denied {
		t.Errorf("password cleared: %q", got)
	}
	if err := local.Do(pctx, "ACL", "SETUSER", "default", "resetpass", ">other").Err(); err != nil {
		t.Fatal(err)
	}
	if got := dialFrom(t, cairn.Addr); got != "-NOAUTH Authentication required.\r\n" {
		t.Errorf("default user with a password: %q", got)
	}
}
