package server

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"

	"github.com/cairn-db/cairn/config"
)

// ListenBind listens on port at every address of bind, Redis's bind
// option: addresses separated by spaces, "*" for every IPv4 address and
// "::*" for every IPv6 one, and a leading "-" for an address that may be
// unavailable on this machine (skipped, with skipped saying why).
func (s *Server) ListenBind(bind string, port int) (skipped []string, err error) {
	lns, skipped, err := listenAll(bind, port)
	if err != nil {
		return skipped, err
	}
	t := &s.tcp
	t.mu.Lock()
	t.bind, t.port, t.lns = bind, port, append(t.lns, lns...)
	t.mu.Unlock()
	for _, ln := range lns {
		s.addListener(ln)
	}
	return skipped, nil
}

// tcpPort is the plain port's listeners and what they were made from,
// which CONFIG SET of port or bind changes.
type tcpPort struct {
	mu   sync.Mutex
	bind string
	port int
	lns  []net.Listener
}

// Redis's reasons for a CONFIG SET of port or bind that cannot listen.
const (
	reasonPort = "Unable to listen on this port. Check server logs."
	reasonBind = "Failed to bind to specified addresses."
)

// applyListen is the engine's hook for CONFIG SET of port or bind: the
// plain port's listeners, and for bind the TLS port's, are made again
// (port 0 closes the plain port, as in Redis). The old ones are closed
// first, since the new addresses may overlap them, and listened on again
// if the new ones cannot be; the error is then Redis's.
func (s *Server) applyListen(before, next *config.Config) error {
	if next.Port == before.Port && next.Bind == before.Bind {
		return nil
	}
	t := &s.tcp
	t.mu.Lock()
	defer t.mu.Unlock()
	oldBind, oldPort := t.bind, t.port
	fail := func(err error) error {
		s.log.Warn("CONFIG SET: cannot listen", "bind", next.Bind, "port", next.Port, "err", err)
		s.ln.remove(t.lns)
		if err := s.listenTCP(oldBind, oldPort); err != nil {
			s.log.Error("cannot listen again as before", "bind", oldBind, "port", oldPort, "err", err)
		}
		if next.Bind != before.Bind {
			return config.ApplyFailed("bind", reasonBind)
		}
		return config.ApplyFailed("port", reasonPort)
	}
	// A bind alone keeps the port listened on (which --port 0, or a test's
	// server, chose).
	port := next.Port
	if port == before.Port {
		port = oldPort
	}
	s.ln.remove(t.lns)
	if err := s.listenTCP(next.Bind, port); err != nil {
		return fail(err)
	}
	if next.Bind != before.Bind {
		if err := s.rebindTLS(next.Bind); err != nil {
			return fail(err)
		}
	}
	return nil
}

// listenTCP listens at port on the addresses of bind (on none for port
// 0) and serves them. s.tcp.mu is held.
func (s *Server) listenTCP(bind string, port int) error {
	t := &s.tcp
	t.bind, t.port, t.lns = bind, port, nil
	if port == 0 {
		return nil
	}
	lns, skipped, err := listenAll(bind, port)
	for _, why := range skipped {
		s.log.Warn("optional bind address skipped", "reason", why)
	}
	if err != nil {
		return err
	}
	t.lns = lns
	for _, ln := range lns {
		s.ln.add(ln)
	}
	return nil
}

// addListener serves ln too.
func (s *Server) addListener(ln net.Listener) { s.ln.add(ln) }

// listenAll listens on port at every address of bind (see ListenBind).
func listenAll(bind string, port int) (lns []net.Listener, skipped []string, err error) {
	for _, a := range strings.Fields(bind) {
		optional := strings.HasPrefix(a, "-")
		host := strings.TrimPrefix(a, "-")
		switch host {
		case "*":
			host = "0.0.0.0"
		case "::*":
			host = "::"
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(port)))
		if err != nil {
			if optional {
				skipped = append(skipped, fmt.Sprintf("%s: %v", a, err))
				continue
			}
			for _, l := range lns {
				l.Close()
			}
			return nil, skipped, err
		}
		lns = append(lns, ln)
	}
	if len(lns) == 0 {
		return nil, skipped, fmt.Errorf("no address to listen on in bind %q", bind)
	}
	return lns, skipped, nil
}

// fanIn is one listener over several, as the server serves them all.
// Listeners may be added and removed while it serves (the TLS port that
// CONFIG SET moves); each has a goroutine accepting from the first Accept
// on, or from when it is added.
type fanIn struct {
	conns   chan accepted
	done    chan struct{}
	closing sync.Once
	// mu guards lns and started.
	mu      sync.Mutex
	lns     []net.Listener
	started bool
}

type accepted struct {
	c   net.Conn
	err error
}

func newFanIn() *fanIn {
	return &fanIn{conns: make(chan accepted), done: make(chan struct{})}
}

// add serves ln too, or closes it if f is closed.
func (f *fanIn) add(ln net.Listener) {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-f.done:
		ln.Close()
		return
	default:
	}
	f.lns = append(f.lns, ln)
	if f.started {
		go f.serve(ln)
	}
}

// remove closes lns and stops serving them.
func (f *fanIn) remove(lns []net.Listener) {
	f.mu.Lock()
	f.lns = slices.DeleteFunc(f.lns, func(ln net.Listener) bool { return slices.Contains(lns, ln) })
	f.mu.Unlock()
	for _, ln := range lns {
		ln.Close()
	}
}

// serve passes on what ln accepts until it is closed: by Close, or by
// remove, which the server's Accept must not take for its own end.
func (f *fanIn) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil && errors.Is(err, net.ErrClosed) {
			return
		}
		select {
		case f.conns <- accepted{c, err}:
		case <-f.done:
			if c != nil {
				c.Close()
			}
			return
		}
	}
}

// Accept returns the next connection any listener accepted, or its error
// (the caller backs off on temporary ones, which paces that listener).
func (f *fanIn) Accept() (net.Conn, error) {
	f.mu.Lock()
	if !f.started {
		f.started = true
		for _, ln := range f.lns {
			go f.serve(ln)
		}
	}
	f.mu.Unlock()
	select {
	case a := <-f.conns:
		return a.c, a.err
	case <-f.done:
		return nil, net.ErrClosed
	}
}

func (f *fanIn) Close() error {
	f.closing.Do(func() {
		f.mu.Lock()
		close(f.done)
		lns := f.lns
		f.mu.Unlock()
		for _, ln := range lns {
			ln.Close()
		}
	})
	return nil
}

// Addr is the first listener's address: the plain port's.
func (f *fanIn) Addr() net.Addr {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lns[0].Addr()
}
