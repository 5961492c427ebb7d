package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"syscall"
	"time"

	"github.com/cairn-db/cairn/config"
)

// ReservedFDs are the file descriptors kept apart from clients'
// connections, as Redis's CONFIG_MIN_RESERVED_FDS: the listener, the
// runtime's poller, persistence's files.
const ReservedFDs = 32

// rlimit reads and sets the process's RLIMIT_NOFILE; tests fake it.
type rlimit interface {
	get() (syscall.Rlimit, error)
	set(syscall.Rlimit) error
}

type osRlimit struct{}

func (osRlimit) get() (syscall.Rlimit, error) {
	var l syscall.Rlimit
	err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	return l, err
}

func (osRlimit) set(l syscall.Rlimit) error { return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l) }

// FitMaxClients makes room in the open files limit for the configured
// maxclients, or lowers maxclients to what the limit leaves room for, as
// Redis does at start (adjustOpenFilesLimit). It fails when the limit
// leaves room for no client at all.
func FitMaxClients(store *config.Store, log *slog.Logger) error {
	want := store.Load().MaxClients
	fit, err := fitOpenFiles(want, osRlimit{}, log)
	if err != nil {
		return err
	}
	if fit == want {
		return nil
	}
	return store.Set([][2]string{{"maxclients", strconv.Itoa(fit)}})
}

// fitOpenFiles raises the soft open files limit to fit maxclients plus
// ReservedFDs, the hard limit too if the process may, and returns how many
// clients the limit it got leaves room for. Unlike Redis, which steps
// down 16 at a time from what it wants, it goes straight to the hard
// limit when it cannot raise it.
func fitOpenFiles(maxclients int, lim rlimit, log *slog.Logger) (int, error) {
	want := uint64(maxclients) + ReservedFDs
	cur, err := lim.get()
	if err != nil {
		log.Warn("unable to obtain the current NOFILE limit, assuming 1024 and setting maxclients accordingly", "err", err)
		return min(maxclients, 1024-ReservedFDs), nil
	}
	if cur.Cur >= want {
		return maxclients, nil
	}
	setErr := lim.set(syscall.Rlimit{Cur: want, Max: max(cur.Max, want)})
	if setErr == nil {
		log.Info("increased maximum number of open files", "open_files", want, "was", cur.Cur)
		return maxclients, nil
	}
	best := cur.Cur
	if cur.Max > best && lim.set(syscall.Rlimit{Cur: cur.Max, Max: cur.Max}) == nil {
		best = cur.Max
	}
	if best <= ReservedFDs {
		return 0, fmt.Errorf("your current 'ulimit -n' of %d is not enough for the server to start; increase the open file limit to at least %d", best, want)
	}
	fit := int(best - ReservedFDs)
	log.Warn("you requested maxclients requiring more open files than allowed", "maxclients", maxclients, "open_files", want)
	log.Warn("server can't set maximum open files because of OS error", "open_files", want, "err", setErr)
	log.Warn("maxclients has been reduced to compensate for low ulimit; if you need higher maxclients increase 'ulimit -n'",
		"max_open_files", best, "maxclients", fit)
	return fit, nil
}

// fitClients is the engine's FitClients: CONFIG SET maxclients raises the
// limit as the start does, and fails if it cannot.
func (s *Server) fitClients(maxclients int) int {
	fit, err := fitOpenFiles(maxclients, osRlimit{}, s.log)
	if err != nil {
		// The limit was lowered under the running server.
		s.log.Warn("no room for clients in the open files limit", "err", err)
		return 0
	}
	return fit
}

const (
	// acceptDelayMin and acceptDelayMax bound the wait after a failed
	// accept, doubled at every failure in a row, as net/http's Server.
	acceptDelayMin = 5 * time.Millisecond
	acceptDelayMax = time.Second
	// acceptLogEvery is the least time between two warnings of failed
	// accepts: out of descriptors, every retry fails.
	acceptLogEvery = 10 * time.Second
)

// backOff waits after a failed accept, longer after each failure in a row,
// so that a listener that keeps failing (out of descriptors: EMFILE,
// ENFILE) does not spin. As Redis, any error but a closed listener is
// retried. It reports false if the server stopped meanwhile.
func (l *listener) backOff(err error) bool {
	l.delay = min(max(2*l.delay, acceptDelayMin), acceptDelayMax)
	l.failed++
	if now := time.Now(); now.Sub(l.logged) >= acceptLogEvery {
		l.s.log.Warn("accepting client connections fails; retrying with backoff",
			"err", err, "retry_in", l.delay, "failed", l.failed)
		l.logged = now
		l.failed = 0
	}
	t := time.NewTimer(l.delay)
	defer t.Stop()
	select {
	case <-l.s.stop:
		return false
	case <-t.C:
		return true
	}
}

// Accept returns the next connection wrapped in a conn, waiting out
// failures (backOff) rather than handing them to redcon, which would
// retry at once.
func (l *listener) Accept() (net.Conn, error) {
	for {
		nc, err := l.Listener.Accept()
		if err == nil {
			l.delay = 0
			return &conn{Conn: nc, s: l.s, raw: make([]byte, readSize)}, nil
		}
		if errors.Is(err, net.ErrClosed) || !l.backOff(err) {
			return nil, net.ErrClosed
		}
	}
}
