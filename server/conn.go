package server

import (
	"context"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/resp"
	"github.com/tidwall/redcon"
)

// levelVerbose is the slog level of Redis's "verbose" log level (see
// config's loglevel option), at which Redis logs protocol errors.
const levelVerbose = slog.LevelDebug + 2

const (
	// readSize is how much is read from the socket at a time: redcon
	// reads 4 KiB per batch, and a small buffer keeps idle connections
	// cheap.
	readSize = 4096
	// redcon re-parses an incomplete command from its start at every
	// read, looping over every argument its header announces even when
	// they have not arrived, so an incomplete request is handed over only
	// when just the data of its last argument is missing (a large value
	// being uploaded), in pieces no smaller than what redcon already holds
	// of it, between these bounds: that keeps parsing linear while the cap
	// bounds what is buffered twice.
	minPiece = 64 << 10
	maxPiece = 1 << 20
	// maxKeptOut bounds the output buffer a connection keeps while idle.
	maxKeptOut = 64 << 10
)

// listener wraps every accepted connection in a conn, so that redcon's
// reader only ever sees requests the Framer validated.
type listener struct {
	net.Listener
	s *Server
}

func (l *listener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: nc, s: l.s, raw: make([]byte, readSize)}, nil
}

// conn sits between a client's socket and redcon's reader. Read frames the
// socket's bytes with a resp.Framer and hands redcon the canonical
// multibulk. redcon calls Read only after it has run every complete
// command it holds and flushed their replies, so a protocol error found
// after valid commands is reported on the Read after the one that
// returned them, and its reply follows theirs on the wire.
//
// Except for reads, a conn is used only by its redcon goroutine (and by
// accept before that goroutine starts).
type conn struct {
	net.Conn
	s  *Server
	fr resp.Framer

	raw    []byte // socket read buffer
	rawPos int    // raw[rawPos:rawEnd] is read but not framed yet
	rawEnd int
	out    []byte // framed bytes; out[outPos:] not handed to redcon yet
	outPos int
	owed   int   // bytes at out[outPos:] of a piece being handed over
	err    error // the framer's error, reported once out is drained
	failed bool  // err has been reported
	cl     *commands.Client
	authed bool // cl.Authenticated after the last batch
	// reads counts the socket reads that returned data, for the idle
	// timeout: the cron notices it moved, which spares a clock reading
	// per read. readsSeen is the count the cron last saw, guarded by the
	// keyspace lock.
	reads     atomic.Int64
	readsSeen int64
	// held is what watch read from the socket while the client was
	// blocked, for Read to frame first; heldErr is the socket's failure
	// it saw, reported once held is drained.
	held    []byte
	heldErr error
}

// Read implements net.Conn for redcon.
func (c *conn) Read(p []byte) (int, error) {
	for {
		if n := c.release(p); n > 0 {
			return n, nil
		}
		if c.err != nil {
			return 0, c.fail()
		}
		if c.rawPos < c.rawEnd {
			c.frame()
			continue
		}
		if len(c.held) > 0 {
			c.rawPos, c.rawEnd = 0, copy(c.raw, c.held)
			if c.held = c.held[c.rawEnd:]; len(c.held) == 0 {
				c.held = nil
			}
			continue
		}
		if c.heldErr != nil {
			return 0, c.heldErr
		}
		n, err := c.Conn.Read(c.raw)
		if n > 0 {
			c.reads.Add(1)
			c.rawPos, c.rawEnd = 0, n
			continue
		}
		if err != nil {
			return 0, err
		}
	}
}

// release copies framed output to p: the complete commands, or a large
// enough piece of a last argument (see minPiece).
func (c *conn) release(p []byte) int {
	pending := len(c.out) - c.outPos
	if pending == 0 {
		return 0
	}
	// The request in progress has Partial bytes in all: the last held of
	// them are still here, the others were handed over already. After an
	// error out holds complete commands only.
	held := 0
	if c.err == nil {
		held = min(c.fr.Partial(), pending)
	}
	n := max(pending-held, c.owed)
	if n == 0 {
		if !c.fr.InLastBulk() || held < min(max(c.fr.Partial()-held, minPiece), maxPiece) {
			return 0
		}
		// The whole piece goes, in as many Reads as p's size takes.
		n, c.owed = held, held
	}
	n = copy(p, c.out[c.outPos:c.outPos+n])
	c.owed = max(c.owed-n, 0)
	c.outPos += n
	if c.outPos == len(c.out) {
		c.outPos = 0
		if cap(c.out) > maxKeptOut {
			c.out = nil
		} else {
			c.out = c.out[:0]
		}
	}
	return n
}

// frame runs the framer over the unframed socket bytes.
func (c *conn) frame() {
	// Reclaim the consumed front of out once it is at least half of it.
	if c.outPos > 0 && c.outPos >= len(c.out)-c.outPos {
		c.out = c.out[:copy(c.out, c.out[c.outPos:])]
		c.outPos = 0
	}
	out, n, err := c.fr.Frame(c.out, c.raw[c.rawPos:c.rawEnd], c.limits())
	c.out = out
	c.rawPos += n
	if err != nil {
		// Drop what is still here of the rejected request: redcon must
		// not run it.
		c.out = c.out[:len(c.out)-min(c.fr.Partial(), len(c.out)-c.outPos)]
		c.err, c.owed = err, 0
	}
}

// limits reads the framer's limits from the current configuration.
func (c *conn) limits() resp.Limits {
	cfg := c.s.engine.Config.Load()
	return resp.Limits{
		MaxBulkLen:       cfg.ProtoMaxBulkLen,
		MaxMultibulkLen:  int64(cfg.ProtoMaxMultibulkLen),
		QueryBufferLimit: cfg.ClientQueryBufferLimit,
		Unauthenticated:  cfg.RequirePass != "" && !c.authed,
	}
}

// fail reports the framer's error to the client as Redis does and returns
// it, which makes redcon close the connection.
func (c *conn) fail() error {
	if c.failed {
		return c.err
	}
	c.failed = true
	log := c.s.log
	perr, ok := c.err.(*resp.ProtocolError)
	if !ok {
		log.Warn("closing client that reached max query buffer length", "addr", c.RemoteAddr().String(),
			"limit", c.s.engine.Config.Load().ClientQueryBufferLimit)
		return c.err
	}
	log.Log(context.Background(), levelVerbose, "protocol error from client", "reason", perr.Reason, "addr", c.RemoteAddr().String())
	// While a script is busy it holds the lock, which the error count
	// needs: the error then goes uncounted rather than wait for it.
	// ReplyMode is only written by this client's own commands, on this
	// goroutine.
	if c.s.scripts.Enter() {
		ks := c.s.engine.KS
		ks.Lock()
		c.s.scripts.Entered()
		c.s.engine.CountError(perr.Reply)
		ks.Unlock()
	}
	// Redis suppresses the reply under CLIENT REPLY OFF or SKIP.
	silent := c.cl.ReplyMode == commands.ReplyOff || c.cl.ReplyMode == commands.ReplySkip
	if !silent {
		// Best effort, as Redis: the connection is closed either way.
		c.Conn.Write([]byte("-" + perr.Reply + "\r\n"))
	}
	return c.err
}

// hookBlocking gives cl what a blocking command needs of its connection
// (see commands.Client.Flush and Watch).
func (c *conn) hookBlocking(cl *commands.Client, rc redcon.Conn) {
	cl.Flush = func(b []byte) {
		c.s.awaitDurable(0)
		rc.WriteRaw(b)
		// A failed write shows as the connection failing in the watch.
		redcon.BaseWriter(rc).Flush()
	}
	cl.Watch = c.watch
}

// watch reads the socket while the client is blocked, when redcon does
// not, so that a client that closes its connection is noticed at once
// and served nothing. The bytes read are kept in held for Read; gone is
// closed when the socket fails, or when held passes the query buffer
// limit, as Redis closes such a client. stop ends the watch and returns
// once its goroutine has.
func (c *conn) watch(gone chan<- struct{}) (stop func()) {
	var stopping atomic.Bool
	exited := make(chan struct{})
	limit := c.s.engine.Config.Load().ClientQueryBufferLimit
	go func() {
		defer close(exited)
		buf := make([]byte, readSize)
		for {
			n, err := c.Conn.Read(buf)
			if n > 0 {
				c.reads.Add(1)
				c.held = append(c.held, buf[:n]...)
				if int64(len(c.held)) > limit {
					c.s.log.Warn("closing client that reached max query buffer length", "addr", c.RemoteAddr().String(), "limit", limit)
					c.heldErr = resp.ErrQueryBufferLimit
					close(gone)
					return
				}
			}
			if err != nil {
				// The deadline stop sets is no failure; a real one
				// happens again at the next read.
				if !stopping.Load() {
					c.heldErr = err
					close(gone)
				}
				return
			}
		}
	}()
	return func() {
		stopping.Store(true)
		c.Conn.SetReadDeadline(time.Unix(1, 0))
		<-exited
		c.Conn.SetReadDeadline(time.Time{})
	}
}
