package testutil

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/persistence"
	"github.com/cairn-db/cairn/server"
)

// Persistent is an in-process cairn server with persistence under Dir, as
// cmd/cairn runs it. Stop stops it as SIGTERM stops cairn (a final
// snapshot when save rules are set); crash tests use Process.
type Persistent struct {
	Addr    string
	Dir     string
	Engine  *commands.Engine
	Config  *config.Store
	Manager *persistence.Manager

	srv     *server.Server
	done    chan error
	stopped bool
}

// StartPersistent starts an in-process server whose data lives in dir,
// after the built-in defaults changed by edit (which may be nil). It
// returns once the data is loaded. The test stops it, if it has not.
func StartPersistent(t testing.TB, dir string, edit func(*config.Config)) *Persistent {
	t.Helper()
	engine, store, log := newEngine(dir, edit, nil)
	ks := engine.KS
	pm, err := persistence.Open(dir, persistence.Options{Keyspace: ks, Config: store, Log: log,
		Limits: engine.Limits, Apply: engine.Apply, Libraries: engine.Libraries, LoadLibraries: engine.LoadLibraries,
		Latency: engine.LatencySample})
	if err != nil {
		t.Fatal(err)
	}
	engine.Persist = pm
	if err := pm.Recover(); err != nil {
		pm.Close()
		t.Fatal(err)
	}
	srv := server.New(engine, log)
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	p := &Persistent{Addr: srv.Addr().String(), Dir: dir, Engine: engine, Config: store, Manager: pm,
		srv: srv, done: make(chan error, 1)}
	go func() { p.done <- srv.Serve() }()
	t.Cleanup(func() { p.Stop(t) })
	return p
}

// Stop stops the server as SIGTERM does and closes its data directory.
func (p *Persistent) Stop(t testing.TB) {
	t.Helper()
	if p.stopped {
		return
	}
	p.stopped = true
	p.srv.Close()
	if err := <-p.done; err != nil {
		t.Errorf("server: %v", err)
	}
	if err := p.Manager.Stop(); err != nil {
		t.Errorf("closing: %v", err)
	}
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
	buildOut  []byte
)

// Main runs a test binary's tests, then removes the cairn binary that
// BuildCairn built for them: TestMain of the packages that use it.
func Main(m *testing.M) int {
	code := m.Run()
	if buildPath != "" {
		os.RemoveAll(filepath.Dir(buildPath))
	}
	return code
}

// BuildCairn builds cmd/cairn once per test binary and returns its path;
// see Main.
func BuildCairn(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cairn-bin-")
		if err != nil {
			buildErr = err
			return
		}
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		buildPath = filepath.Join(dir, "cairn")
		cmd := exec.Command("go", "build", "-o", buildPath, "./cmd/cairn")
		cmd.Dir = root
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("building cairn: %v\n%s", buildErr, buildOut)
	}
	return buildPath
}

// Process is the cairn binary running as a real process, for tests that
// kill it.
type Process struct {
	Addr string
	Dir  string
	// Args are the extra command-line arguments it runs with.
	Args []string
	// Wrapper is the command line cairn runs under ("prlimit",
	// "--nofile=64:64"), which must exec it; nil for none.
	Wrapper []string
	// Log holds what the process wrote to standard error.
	Log *SyncBuffer

	t    testing.TB
	bin  string
	port int
	cmd  *exec.Cmd
	exit chan error
}

// StartProcess runs the cairn binary on a free port with its data in dir
// and the given extra arguments, and waits until it answers PING with
// PONG (its data loaded). The test kills it, if it is still running.
func StartProcess(t testing.TB, dir string, args ...string) *Process {
	t.Helper()
	return StartProcessUnder(t, nil, dir, args...)
}

// StartProcessUnder is StartProcess with cairn run by wrapper (see
// Process.Wrapper).
func StartProcessUnder(t testing.TB, wrapper []string, dir string, args ...string) *Process {
	t.Helper()
	p := &Process{Dir: dir, Args: args, Wrapper: wrapper, t: t, bin: BuildCairn(t), port: FreePort(t)}
	p.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port))
	p.start()
	t.Cleanup(func() {
		if p.cmd != nil {
			p.cmd.Process.Kill()
			<-p.exit
		}
	})
	return p
}

func (p *Process) start() {
	p.t.Helper()
	args := append([]string{"--port", strconv.Itoa(p.port), "--dir", p.Dir}, p.Args...)
	line := append(append(append([]string{}, p.Wrapper...), p.bin), args...)
	p.cmd = exec.Command(line[0], line[1:]...)
	p.Log = &SyncBuffer{}
	p.cmd.Stderr = p.Log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.exit = make(chan error, 1)
	go func(cmd *exec.Cmd, exit chan error) { exit <- cmd.Wait() }(p.cmd, p.exit)
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := ping(p.Addr)
		if err == nil {
			return
		}
		select {
		case e := <-p.exit:
			p.cmd = nil
			p.t.Fatalf("cairn exited while starting: %v\n%s", e, p.Log.String())
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("cairn at %s did not answer PING: %v\n%s", p.Addr, err, p.Log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Pid is the running process's id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Kill kills the process with SIGKILL and waits for it.
func (p *Process) Kill() {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exit
	p.cmd = nil
}

// Stop stops the process with SIGTERM and waits for it to exit cleanly.
func (p *Process) Stop() {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exit:
		p.cmd = nil
		if err != nil {
			p.t.Fatalf("cairn exited with %v after SIGTERM\n%s", err, p.Log.String())
		}
	case <-time.After(60 * time.Second):
		p.t.Fatalf("cairn did not exit after SIGTERM\n%s", p.Log.String())
	}
}

// Wait waits for the process to exit by itself (SHUTDOWN) and returns its
// exit error.
func (p *Process) Wait() error {
	p.t.Helper()
	select {
	case err := <-p.exit:
		p.cmd = nil
		return err
	case <-time.After(60 * time.Second):
		p.t.Fatalf("cairn did not exit\n%s", p.Log.String())
		return nil
	}
}

// Restart starts the process again on the same port, directory and
// arguments, after Kill, Stop or Wait.
func (p *Process) Restart() {
	p.t.Helper()
	p.start()
}

// SyncBuffer is a bytes.Buffer safe for a process's writes and the
// test's reads.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(b)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
