package integration

import (
	"bufio"
	"net"
	"os"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/testutil"
)

// hostAddress is one of this host's addresses that is not a loopback
// one, to connect from as another host would.
func hostAddress(t *testing.T) net.IP {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
				return n.IP
			}
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no non-loopback IPv4 address to connect from: %v", err)
	}
	t.Skip("no non-loopback IPv4 address to connect from")
	return nil
}

// TestProtectedMode: with no password, a client from another address is
// refused with Redis's -DENIED and disconnected, by both servers; a
// password, or protected-mode no, lets it in.
func TestProtectedMode(t *testing.T) {
	from := hostAddress(t)
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
