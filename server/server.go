// Package server connects clients to the command engine: redcon's
// listener and pipelining, client registration and limits, and the cron
// that runs active expiry and closes idle clients.
package server

import (
	"log/slog"
	"math"
	"net"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/expiry"
	"github.com/cairn-db/cairn/keyspace/arena"
	"github.com/tidwall/redcon"
)

// Server serves RESP clients over TCP.
type Server struct {
	engine *commands.Engine
	log    *slog.Logger
	rc     *redcon.Server
	// ln holds the listeners: the plain port's addresses first, then the
	// TLS port's (tls).
	ln  *fanIn
	tcp tcpPort
	tls tlsPort

	expiry   *expiry.Cycler
	stop     chan struct{}
	stopOnce sync.Once
	cron     sync.WaitGroup

	// mu orders Serve's start of the cron against Close, which may come
	// first. stopped is guarded by mu.
	mu      sync.Mutex
	stopped bool

	// conns maps each registered client to its connection, for the idle
	// timeout. Guarded by the keyspace lock.
	conns map[*commands.Client]*conn

	// scripts is the control block of the scripts the engine runs: a
	// client does not wait for the keyspace lock behind a busy script.
	scripts *commands.ScriptControl
	// disconnects tracks the goroutines that forget closed clients once
	// a script is over.
	disconnects sync.WaitGroup

	// The cron's record of the large arrays values left behind
	// (releaseMemory): how many bytes, when last, and whether a release
	// is running.
	dropped   int64
	lastDrop  time.Time
	releasing atomic.Bool

	// LimitGoMemory makes the cron keep the Go runtime's soft memory limit
	// in step with maxmemory (tuneMemoryLimit); main sets it unless the
	// environment sets GOMEMLIMIT. Set before Serve.
	LimitGoMemory bool
	// goMemoryLimit is the limit the cron last set, 0 for none.
	goMemoryLimit int64
}

// New returns a server for engine; it does not listen yet.
func New(engine *commands.Engine, log *slog.Logger) *Server {
	s := &Server{engine: engine, log: log, expiry: expiry.NewCycler(engine.KS), stop: make(chan struct{}),
		conns: map[*commands.Client]*conn{}, ln: newFanIn()}
	s.rc = redcon.NewServer("", s.handle, s.accept, s.closed)
	engine.FitClients = s.fitClients
	engine.ApplyTLS = s.applyTLS
	engine.ApplyListen = s.applyListen
	engine.Shutdown = func() { go s.Close() }
	s.scripts = engine.SuperviseScripts()
	return s
}

// Listen binds addr ("127.0.0.1:0" picks a free port).
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	t := &s.tcp
	t.mu.Lock()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	t.bind, t.lns = host, append(t.lns, ln)
	t.port, _ = strconv.Atoi(port)
	t.mu.Unlock()
	s.addListener(ln)
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve accepts clients until Close; it returns nil after a Close.
func (s *Server) Serve() error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.cron.Add(2)
	s.mu.Unlock()
	go s.runCron()
	go s.runEvictor()
	return s.rc.Serve(&listener{Listener: s.ln, s: s})
}

// Close stops accepting, disconnects every client and stops the cron. It
// may be called more than once and from any goroutine.
func (s *Server) Close() {
	s.stopOnce.Do(func() {
		// Wake commands waiting on CLIENT PAUSE so their connections
		// can close.
		s.engine.Close()
		s.mu.Lock()
		s.stopped = true
		s.mu.Unlock()
		close(s.stop)
		s.rc.Close()
		// redcon's Close does nothing if its Serve has not started yet:
		// closing the listener makes that Serve return at once.
		s.ln.Close()
		s.cron.Wait()
		s.disconnects.Wait()
	})
}

// accept registers a new connection, or refuses it over maxclients with
// Redis's reply (acceptCommonHandler), after which redcon closes it.
func (s *Server) accept(rc redcon.Conn) bool {
	c := rc.NetConn().(*conn)
	// As Redis, protected mode guards a default user without a password.
	if cfg := s.engine.Config.Load(); cfg.ProtectedMode && s.engine.ACL.DefaultNoPass() && !isLoopback(c.RemoteAddr()) {
		c.Conn.Write([]byte(errProtectedMode))
		return false
	}
	cl := commands.NewClient(rc.RemoteAddr(), c.LocalAddr().String(), time.Now(), func() { c.Close() })
	c.cl = cl
	cl.W.Borrow = true
	c.hookBlocking(cl)
	rc.SetContext(cl)
	if !s.scripts.Enter() {
		// A script is busy. The client is registered with its first
		// command after the script; until then it can only be told BUSY
		// or kill the script.
		return true
	}
	ks := s.engine.KS
	ks.Lock()
	s.scripts.Entered()
	ok := s.register(cl, c)
	ks.Unlock()
	if !ok {
		c.Conn.Write([]byte("-" + commands.ErrMaxClients + "\r\n"))
		return false
	}
	return true
}

// register gives the engine a new client, unless maxclients refuses it.
// The caller holds the keyspace lock.
func (s *Server) register(cl *commands.Client, c *conn) bool {
	if !s.engine.Connect(cl) {
		return false
	}
	s.conns[cl] = c
	c.authed = cl.Authenticated
	return true
}

func (s *Server) closed(rc redcon.Conn, err error) {
	cl, _ := rc.Context().(*commands.Client)
	if cl == nil {
		return
	}
	// redcon calls this holding the lock its accept loop needs: it must
	// not wait for a script to end.
	if !s.scripts.TryEnter() {
		s.disconnects.Add(1)
		go func() {
			defer s.disconnects.Done()
			s.engine.KS.Lock()
			s.disconnect(cl)
			s.engine.KS.Unlock()
		}()
		return
	}
	s.engine.KS.Lock()
	s.scripts.Entered()
	s.disconnect(cl)
	s.engine.KS.Unlock()
}

// disconnect forgets a closed client. The caller holds the keyspace lock.
func (s *Server) disconnect(cl *commands.Client) {
	s.engine.Disconnect(cl)
	delete(s.conns, cl)
}

// handle runs the command redcon read and every other complete command of
// the same read under one hold of the keyspace lock, then writes all the
// replies with one syscall. While a script is busy, the batch is answered
// without the lock instead.
func (s *Server) handle(rc redcon.Conn, cmd redcon.Command) {
	cl := rc.Context().(*commands.Client)
	c := rc.NetConn().(*conn)
	pipeline := rc.ReadPipeline()
	big := c.takeBig(cmd, pipeline)
	if !s.scripts.Enter() {
		s.handleBusy(rc, cl, cmd, pipeline)
		return
	}
	ks := s.engine.KS
	ks.Lock()
	s.scripts.Entered()
	// A client that connected while a script was busy is registered with
	// its first batch after it (it has no ID until then).
	if cl.ID == 0 && !s.register(cl, c) {
		ks.Unlock()
		rc.WriteRaw([]byte("-" + commands.ErrMaxClients + "\r\n"))
		rc.Close()
		return
	}
	for _, a := range big {
		cl.Owned = append(cl.Owned, a.Data)
	}
	s.engine.BeginBatch(cl)
	s.engine.Exec(cl, cmd.Args)
	for _, next := range pipeline {
		if cl.Closing {
			break
		}
		s.engine.Exec(cl, next.Args)
	}
	s.engine.EndBatch(cl)
	cl.Owned = nil
	closing := cl.Closing
	// The framer applies the pre-AUTH limits until the client is
	// authenticated.
	c.authed = cl.Authenticated
	// The replies acknowledge the units handed over until now, this
	// batch's included: the last one's number is read before another
	// client's can follow it.
	ks.EndUnit()
	seq := s.unitSeq()
	ks.Unlock()
	s.awaitDurable(seq)
	s.flush(rc, c, cl, closing)
}

// handleBusy answers a batch that came while a script is busy.
func (s *Server) handleBusy(rc redcon.Conn, cl *commands.Client, cmd redcon.Command, pipeline []redcon.Command) {
	s.engine.ExecBusy(s.scripts, cl, cmd.Args)
	for _, next := range pipeline {
		if cl.Closing {
			break
		}
		s.engine.ExecBusy(s.scripts, cl, next.Args)
	}
	// An AUTH answered during the script lifts the pre-AUTH limits now.
	c := rc.NetConn().(*conn)
	c.authed = cl.Authenticated
	s.flush(rc, c, cl, cl.Closing)
}

// flush writes the batch's replies to the socket, after anything redcon
// holds: handing them to redcon would copy them into its buffer, and the
// replies may hold large bulks by reference (resp.Writer.BulkBorrowed),
// which are written from where they are stored.
func (s *Server) flush(rc redcon.Conn, c *conn, cl *commands.Client, closing bool) {
	err := cl.Out.Send(func() error {
		if err := redcon.BaseWriter(rc).Flush(); err != nil {
			return err
		}
		if cl.W.Len() > 0 {
			_, err := cl.W.WriteTo(c.Conn)
			return err
		}
		return nil
	})
	closing = closing || err != nil
	cl.W.Reset()
	cl.RepliesWritten()
	// Messages pushed since the batch ended follow its replies.
	cl.Out.Release()
	c.buffers.Store(int64(cap(c.raw) + cap(c.out) + cap(c.held) + cl.W.Cap()))
	if closing {
		rc.Close()
	}
}

// unitSeq is the number of the last unit of work handed to the log, 0
// without persistence. The caller holds the keyspace lock.
func (s *Server) unitSeq() uint64 {
	if p := s.engine.Persist; p != nil {
		return p.Seq()
	}
	return 0
}

// awaitDurable waits, under appendfsync always, until the unit seq (0:
// every unit so far) is on disk: a reply must not acknowledge a write, nor
// show one, that a crash could lose. Clients waiting together share one
// sync.
func (s *Server) awaitDurable(seq uint64) {
	if p := s.engine.Persist; p != nil {
		p.AwaitDurable(seq)
	}
}

// runCron does the periodic work hz times a second: active expiry,
// automatic snapshots and closing clients idle past the timeout.
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
		s.releaseMemory(time.Now())
		ks := s.engine.KS
		ks.Lock()
		p := s.engine.Persist
		if p == nil || !p.Loading() {
			// While the log is replayed, a key must not expire between
			// the records that use it.
			if s.engine.ActiveExpire() {
				start := time.Now()
				s.expiry.Run(period / 4)
				s.engine.LatencySample("expire-cycle", time.Since(start))
			}
			ks.ShrinkSlabs(time.Now().Add(period / 100))
		}
		s.engine.TrackingCron()
		if p != nil {
			p.Cron()
		}
		if cfg.Timeout > 0 {
			s.closeIdle(cfg.Timeout)
		}
		var buffers int64
		for _, c := range s.conns {
			buffers += c.buffers.Load()
		}
		s.engine.RefreshMemory(buffers)
		ks.Unlock()
		if s.LimitGoMemory {
			s.tuneMemoryLimit(cfg.MaxMemory)
		}
	}
}

// runEvictor goes on evicting what commands left when they reached their
// eviction time limit (maxmemory-eviction-tenacity), as Redis's
// evictionTimeProc: one command's worth at a time under the lock, letting
// the clients in between, until memory is within maxmemory or nothing
// more may go.
func (s *Server) runEvictor() {
	defer s.cron.Done()
	ks := s.engine.KS
	for {
		select {
		case <-s.stop:
			return
		case <-s.engine.EvictionWake():
		}
		for more := true; more; {
			select {
			case <-s.stop:
				return
			default:
			}
			ks.Lock()
			more = s.engine.EvictMore()
			ks.Unlock()
			runtime.Gosched()
		}
	}
}

// goMemorySlack is what tuneMemoryLimit leaves the heap above its live
// part at least, besides a quarter of it: the runtime's own memory and
// the heap's fragmentation must fit under the limit, or the collector
// runs all the time.
const goMemorySlack = 16 << 20

// tuneMemoryLimit sets the Go runtime's soft memory limit so that, with
// used_memory held to maxmemory, the resident set stays near 1.2 times
// it: the limit is what is left of that for the Go heap once the arena's
// pages are counted, so the collector runs before the heap's garbage
// takes the process past it. It never goes below 1.25 times the live
// heap plus goMemorySlack, where the collector would run all the time
// (eviction brings the live heap down instead); without maxmemory there
// is no limit.
func (s *Server) tuneMemoryLimit(maxmemory int64) {
	limit := int64(math.MaxInt64)
	if maxmemory > 0 {
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(live)
		heap := int64(live[0].Value.Uint64())
		limit = max(maxmemory*6/5-arena.Resident(), heap+heap/4+goMemorySlack)
	}
	if limit != s.goMemoryLimit {
		debug.SetMemoryLimit(limit)
		s.goMemoryLimit = limit
	}
}

const (
	// releaseMin is the least garbage of large arrays worth a release.
	releaseMin = 64 << 20
	// releaseQuiet is how long values must have stopped growing.
	releaseQuiet = time.Second
)

// releaseMemory returns to the system the memory of the large arrays that
// values left behind when they grew (datatypes.DroppedBytes), once they
// have stopped growing for a while, as Redis's realloc gives it back. Go's
// collector keeps freed memory for the allocations to come, up to the
// next collection's goal, twice the live heap it last found: a value
// grown by APPEND is found twice, old and new array, so a 512 MiB one
// kept the process at 2 GiB. A release costs a full collection: it waits
// for a pause in the growth, and for garbage of at least a quarter of the
// live heap.
func (s *Server) releaseMemory(now time.Time) {
	if d := datatypes.DroppedBytes(); d > 0 {
		s.dropped += d
		s.lastDrop = now
		return
	}
	if s.dropped < releaseMin || now.Sub(s.lastDrop) < releaseQuiet || s.releasing.Load() {
		return
	}
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	garbage := s.dropped
	s.dropped = 0
	if uint64(garbage) < live[0].Value.Uint64()/4 {
		return
	}
	s.releasing.Store(true)
	go func() {
		debug.FreeOSMemory()
		s.releasing.Store(false)
	}()
}

// closeIdle closes the clients idle for longer than timeout, with Redis's
// rule (clientsCronHandleTimeout): in whole seconds, now - last > timeout,
// where any read from the client counts as an interaction, even one that
// did not complete a command: a client that read since the last check
// interacted now, to within a cron period. The caller holds the keyspace
// lock.
func (s *Server) closeIdle(timeout time.Duration) {
	now := time.Now()
	for cl, c := range s.conns {
		if n := c.reads.Load(); n != c.readsSeen {
			c.readsSeen = n
			if now.After(cl.LastInteraction) {
				cl.LastInteraction = now
			}
		}
	}
	s.engine.CloseIdle(time.Unix(now.Unix()-int64(timeout/time.Second), 0))
}

// isLoopback reports whether a client connected from this host's
// loopback interface, which protected mode lets in.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// errProtectedMode is Redis 7.0's refusal of a client from another host
// while protected mode is on and there is no password.
const errProtectedMode = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"
