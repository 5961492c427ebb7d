package server

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeRlimit is an open files limit that only a privileged process may
// raise past its hard limit, as the kernel's.
type fakeRlimit struct {
	cur, max   uint64
	privileged bool
	getErr     error
}

func (f *fakeRlimit) get() (syscall.Rlimit, error) {
	return syscall.Rlimit{Cur: f.cur, Max: f.max}, f.getErr
}

func (f *fakeRlimit) set(l syscall.Rlimit) error {
	if l.Cur > l.Max || l.Max > f.max && !f.privileged {
		return syscall.EPERM
	}
	f.cur, f.max = l.Cur, l.Max
	return nil
}

func TestFitOpenFiles(t *testing.T) {
	for _, tc := range []struct {
		name       string
		maxclients int
		lim        fakeRlimit
		fit        int
		cur        uint64 // the soft limit after
		log        string // in what is logged
		fails      bool
	}{
		{name: "room enough", maxclients: 10000, lim: fakeRlimit{cur: 20000, max: 20000}, fit: 10000, cur: 20000},
		{name: "exactly", maxclients: 992, lim: fakeRlimit{cur: 1024, max: 1024}, fit: 992, cur: 1024},
		{name: "soft raised", maxclients: 10000, lim: fakeRlimit{cur: 1024, max: 65536}, fit: 10000, cur: 10032,
			log: "increased maximum number of open files"},
		{name: "hard raised", maxclients: 10000, lim: fakeRlimit{cur: 1024, max: 1024, privileged: true}, fit: 10000, cur: 10032,
			log: "increased maximum number of open files"},
		{name: "up to the hard limit", maxclients: 10000, lim: fakeRlimit{cur: 256, max: 4096}, fit: 4064, cur: 4096,
			log: "maxclients has been reduced"},
		{name: "hard limit", maxclients: 10000, lim: fakeRlimit{cur: 256, max: 256}, fit: 224, cur: 256,
			log: "maxclients has been reduced"},
		{name: "one client", maxclients: 10000, lim: fakeRlimit{cur: 33, max: 33}, fit: 1, cur: 33},
		{name: "no client", maxclients: 10000, lim: fakeRlimit{cur: 32, max: 32}, fails: true, cur: 32},
		{name: "unknown", maxclients: 10000, lim: fakeRlimit{getErr: syscall.EINVAL}, fit: 992,
			log: "assuming 1024"},
		{name: "unknown, few", maxclients: 100, lim: fakeRlimit{getErr: syscall.EINVAL}, fit: 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			lim := tc.lim
			fit, err := fitOpenFiles(tc.maxclients, &lim, slog.New(slog.NewTextHandler(&out, nil)))
			if (err != nil) != tc.fails {
				t.Fatalf("err = %v", err)
			}
			if err == nil && fit != tc.fit {
				t.Errorf("fit = %d, want %d", fit, tc.fit)
			}
			if lim.cur != tc.cur {
				t.Errorf("soft limit %d, want %d", lim.cur, tc.cur)
			}
			if !strings.Contains(out.String(), tc.log) {
				t.Errorf("log does not say %q:\n%s", tc.log, out.String())
			}
		})
	}
}

// failingListener fails every Accept with EMFILE until its failures run
// out, then accepts from a pipe.
type failingListener struct {
	failures int
	accepts  int
}

func (f *failingListener) Accept() (net.Conn, error) {
	f.accepts++
	if f.failures > 0 {
		f.failures--
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	c, _ := net.Pipe()
	return c, nil
}

func (f *failingListener) Close() error   { return nil }
func (f *failingListener) Addr() net.Addr { return &net.TCPAddr{} }

// TestAcceptBacksOff checks that failed accepts are retried after waits
// that double from acceptDelayMin, logged once, and that a stop ends the
// wait.
func TestAcceptBacksOff(t *testing.T) {
	var out bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&out, nil)), stop: make(chan struct{})}
	fl := &failingListener{failures: 4}
	l := &listener{Listener: fl, s: s}
	start := time.Now()
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	// 5 + 10 + 20 + 40 ms.
	if d := time.Since(start); d < 75*time.Millisecond {
		t.Errorf("4 failures retried within %v", d)
	}
	if fl.accepts != 5 || l.delay != 0 {
		t.Errorf("%d accepts, delay %v after a success", fl.accepts, l.delay)
	}
	if n := strings.Count(out.String(), "accepting client connections fails"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, out.String())
	}

	fl.failures = 1 << 30
	l.delay = acceptDelayMax
	done := make(chan error)
	go func() {
		_, err := l.Accept()
		done <- err
	}()
	close(s.stop)
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after stop: %v", err)
	}
}
