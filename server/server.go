// Package server connects clients to the command engine: redcon's
// listener and pipelining, client registration and limits, and the cron
// that runs active expiry and closes idle clients.
package server

import (
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/expiry"
	"github.com/tidwall/redcon"
)

// Server serves RESP clients over TCP.
type Server struct {
	engine *commands.Engine
	log    *slog.Logger
	rc     *redcon.Server
	ln     net.Listener

	expiry   *expiry.Cycler
	stop     chan struct{}
	stopOnce sync.Once
	cron     sync.WaitGroup
}

// New returns a server for engine; it does not listen yet.
func New(engine *commands.Engine, log *slog.Logger) *Server {
	s := &Server{engine: engine, log: log, expiry: expiry.NewCycler(engine.KS), stop: make(chan struct{})}
	s.rc = redcon.NewServer("", s.handle, s.accept, s.closed)
	engine.Shutdown = func() { go s.Close() }
	return s
}

// Listen binds addr ("127.0.0.1:0" picks a free port).
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.ln = ln
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve accepts clients until Close; it returns nil after a Close.
func (s *Server) Serve() error {
	s.cron.Add(1)
	go s.runCron()
	return s.rc.Serve(s.ln)
}

// Close stops accepting, disconnects every client and stops the cron. It
// may be called more than once and from any goroutine.
func (s *Server) Close() {
	s.stopOnce.Do(func() {
		close(s.stop)
		s.rc.Close()
		s.cron.Wait()
	})
}

func (s *Server) accept(conn redcon.Conn) bool {
	nc := conn.NetConn()
	cl := commands.NewClient(conn.RemoteAddr(), nc.LocalAddr().String(), time.Now(), func() { nc.Close() })
	ks := s.engine.KS
	ks.Lock()
	ok := s.engine.Connect(cl)
	ks.Unlock()
	if !ok {
		nc.Write([]byte("-" + commands.ErrMaxClients + "\r\n"))
		return false
	}
	conn.SetContext(cl)
	return true
}

func (s *Server) closed(conn redcon.Conn, err error) {
	cl, _ := conn.Context().(*commands.Client)
	if cl == nil {
		return
	}
	ks := s.engine.KS
	ks.Lock()
	s.engine.Disconnect(cl)
	ks.Unlock()
}

// handle runs the command redcon read and every other complete command of
// the same read under one hold of the keyspace lock, then hands all the
// replies to redcon in one buffer, which it writes with one syscall.
func (s *Server) handle(conn redcon.Conn, cmd redcon.Command) {
	cl := conn.Context().(*commands.Client)
	ks := s.engine.KS
	ks.Lock()
	s.engine.Exec(cl, cmd.Args)
	for _, next := range conn.ReadPipeline() {
		if cl.Closing {
			break
		}
		s.engine.Exec(cl, next.Args)
	}
	closing := cl.Closing
	ks.Unlock()
	conn.WriteRaw(cl.W.Bytes())
	cl.W.Reset()
	if closing {
		conn.Close()
	}
}

// runCron does the periodic work hz times a second: active expiry and
// closing clients idle past the timeout.
func (s *Server) runCron() {
	defer s.cron.Done()
	for {
		cfg := s.engine.Config.Load()
		period := time.Second / time.Duration(cfg.Hz)
		select {
		case <-s.stop:
			return
		case <-time.After(period):
		}
		ks := s.engine.KS
		ks.Lock()
		s.expiry.Run(period / 4)
		if cfg.Timeout > 0 {
			s.engine.CloseIdle(time.Now().Add(-cfg.Timeout))
		}
		ks.Unlock()
	}
}
