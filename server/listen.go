package server

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
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
	for _, ln := range lns {
		s.addListener(ln)
	}
	return skipped, nil
}

// addListener serves ln too.
func (s *Server) addListener(ln net.Listener) {
	switch cur := s.ln.(type) {
	case nil:
		s.ln = ln
	case *fanIn:
		s.ln = newFanIn(append(cur.lns, ln))
	default:
		s.ln = newFanIn([]net.Listener{cur, ln})
	}
}

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
// Its goroutines start with the first Accept, so that listeners may be
// added (addListener) until the server serves.
type fanIn struct {
	lns      []net.Listener
	conns    chan accepted
	done     chan struct{}
	starting sync.Once
	closing  sync.Once
}

type accepted struct {
	c   net.Conn
	err error
}

func newFanIn(lns []net.Listener) *fanIn {
	return &fanIn{lns: lns, conns: make(chan accepted), done: make(chan struct{})}
}

func (f *fanIn) start() {
	for _, ln := range f.lns {
		go func() {
			for {
				c, err := ln.Accept()
				select {
				case f.conns <- accepted{c, err}:
				case <-f.done:
					if c != nil {
						c.Close()
					}
					return
				}
				if err != nil && errors.Is(err, net.ErrClosed) {
					return
				}
			}
		}()
	}
}

// Accept returns the next connection any listener accepted, or its error
// (the caller backs off on temporary ones, which paces that listener).
func (f *fanIn) Accept() (net.Conn, error) {
	f.starting.Do(f.start)
	select {
	case a := <-f.conns:
		return a.c, a.err
	case <-f.done:
		return nil, net.ErrClosed
	}
}

func (f *fanIn) Close() error {
	f.closing.Do(func() {
		close(f.done)
		for _, ln := range f.lns {
			ln.Close()
		}
	})
	return nil
}

// Addr is the first listener's address.
func (f *fanIn) Addr() net.Addr { return f.lns[0].Addr() }
