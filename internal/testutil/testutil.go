// Package testutil starts servers for tests: cairn in-process, and
// external programs (redis-server, the cairn binary) as real processes.
package testutil

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/server"
)

// Cairn is an in-process cairn server.
type Cairn struct {
	Addr   string
	Engine *commands.Engine
	Config *config.Store
}

// StartCairn starts an in-process server on a free loopback port with the
// built-in defaults changed by edit (which may be nil). The test stops it.
func StartCairn(t testing.TB, edit func(*config.Config)) *Cairn {
	t.Helper()
	return StartCairnClock(t, nil, edit)
}

// StartCairnClock is StartCairn with the keyspace's clock replaced by
// clock (nil for the real one), for tests of what depends on the passing
// of seconds or minutes (access times, LFU decay).
func StartCairnClock(t testing.TB, clock func() time.Time, edit func(*config.Config)) *Cairn {
	t.Helper()
	engine, store, log := newEngine(t.TempDir(), edit, clock)
	srv := server.New(engine, log)
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return &Cairn{Addr: srv.Addr().String(), Engine: engine, Config: store}
}

// newEngine returns an engine over a new keyspace (with clock, nil for the
// real one), its configuration (the built-in defaults with dir, changed by
// edit, which may be nil) and a logger: silent, or warnings to stderr under -v.
func newEngine(dir string, edit func(*config.Config), clock func() time.Time) (*commands.Engine, *config.Store, *slog.Logger) {
	cfg := config.Defaults()
	cfg.Dir = dir
	if edit != nil {
		edit(cfg)
	}
	store := config.NewStore(cfg, "")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ks := keyspace.New(keyspace.Options{Databases: cfg.Databases, Clock: clock})
	e := commands.NewEngine(ks, store, log)
	if err := e.LoadUsers(); err != nil {
		panic("testutil: " + err.Error())
	}
	return e, store, log
}

// RequireProgram returns the path of an external program. Without it the
// test is skipped locally but fails in CI (CI=true), so that nothing
// silently skips there.
func RequireProgram(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI but not installed", name)
		}
		t.Skipf("%s not installed", name)
	}
	return path
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// StartRedis starts Debian's redis-server on a free loopback port with no
// persistence, plus the given extra arguments ("--maxclients", "10"). The
// test stops it. It returns the address.
func StartRedis(t testing.TB, extra ...string) string {
	t.Helper()
	return StartRedisConf(t, "", extra...)
}

// StartRedisConf is StartRedis reading the config file conf first ("" for
// none), as redis-server takes it: the arguments override it.
func StartRedisConf(t testing.TB, conf string, extra ...string) string {
	t.Helper()
	bin := RequireProgram(t, "redis-server")
	port := FreePort(t)
	var args []string
	if conf != "" {
		args = append(args, conf)
	}
	args = append(append(args, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--daemonize", "no"), extra...)
	cmd := exec.Command(bin, args...)
	dieWithTest(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	WaitForPing(t, addr)
	return addr
}

// WaitForPing polls addr until it answers PING, for up to 10 seconds.
func WaitForPing(t testing.TB, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := ping(addr); err == nil {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("server at %s did not answer PING: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	// A server with requirepass answers NOAUTH: it is up all the same.
	if line != "+PONG\r\n" && !strings.HasPrefix(line, "-NOAUTH") {
		return fmt.Errorf("unexpected reply %q", line)
	}
	return nil
}
