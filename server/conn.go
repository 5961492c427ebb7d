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
	// bigArg is the least length of an argument read apart, into a
	// buffer of its own (resp.Limits.BigArg), as Redis reads one of at
	// least PROTO_MBULK_BIG_ARG: redcon would hold it in a read buffer
	// grown by doubling and kept, then copy it out, and the command
	// storing it would copy it again, where the buffer read apart can
	// become the value itself (commands.Client.Owned).
	bigArg = 32 << 10
	// maxKeptOut bounds the output buffer a connection keeps while idle.
	maxKeptOut = 64 << 10
)

// listener wraps every accepted connection in a conn, so that redcon's
// reader only ever sees requests the Framer validated, and backs off when
// accepting fails (limits.go). Only redcon's accept loop uses it.
type listener struct {
	net.Listener
	s *Server
	// delay is the wait after the last failed accept, 0 after a success.
	delay time.Duration
	// failed counts the failed accepts since the last warning of them,
	// logged at the time logged.
	failed int
	logged time.Time
}

// conn sits between a client's socket and redcon's reader. Read frames the
// socket's bytes with a resp.Framer and hands redcon the canonical
// multibulk, complete requests only (redcon would loop over all the
// arguments an incomplete one announces at every read). redcon calls Read
// only after it has run every complete command it holds and flushed their
// replies, so a protocol error found after valid commands is reported on
// the Read after the one that returned them, and its reply follows theirs
// on the wire.
//
// Large arguments are read apart (bigArg) and stand as empty bulks in what
// redcon gets; the framer stops after their request, so that it is the
// last command of the batch redcon runs once it has it whole, where
// takeBig puts them back.
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
	// big are the arguments read apart of the last request in out;
	// bigOut is set once that request is handed over whole.
	big    []resp.BigArg
	bigOut bool
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
	// buffers is the size of the connection's buffers after its last
	// batch, for the cron to count in used_memory.
	buffers atomic.Int64
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
			c.noteQuery()
			return n, nil
		}
		if c.err != nil {
			return 0, c.fail()
		}
		// The batch that took the arguments read apart has run, or was
		// cut short by the connection closing.
		c.big, c.bigOut = nil, false
		if c.rawPos < c.rawEnd {
			c.frame()
			c.noteQuery()
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
		// The data of an argument read apart is read where it goes.
		if room := c.fr.BigRoom(); len(room) > 0 {
			n, err := c.Conn.Read(room)
			if n > 0 {
				c.reads.Add(1)
				c.framed(c.fr.BigFilled(n, c.limits()))
				c.noteQuery()
				continue
			}
			if err != nil {
				return 0, err
			}
			continue
		}
		buf := c.raw
		if r := c.fr.InlineRead(); r > 0 {
			if len(c.raw) < r {
				c.raw = make([]byte, resp.InlineReadSize)
			}
			buf = c.raw[:r]
		}
		n, err := c.Conn.Read(buf)
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

// release copies the complete commands of the framed output to p.
func (c *conn) release(p []byte) int {
	// The request in progress is the last Partial bytes. After an error
	// out holds complete commands only.
	end := len(c.out)
	if c.err == nil {
		end -= c.fr.Partial()
	}
	if end == c.outPos {
		return 0
	}
	n := copy(p, c.out[c.outPos:end])
	c.outPos += n
	if c.outPos == len(c.out) {
		c.outPos = 0
		c.bigOut = c.big != nil
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
	c.framed(err)
	if err == nil {
		c.big = c.fr.TakeBig()
	}
}

// noteQuery tells the client's memory (client eviction, CLIENT LIST) what
// its query buffer holds: the requests read and not yet run, and the
// arguments being read apart.
func (c *conn) noteQuery() {
	if c.cl != nil {
		c.cl.SetQueryBuffer(len(c.out) - c.outPos + c.rawEnd - c.rawPos + c.fr.BigHeld())
	}
}

// framed notes the framer's error, if any.
func (c *conn) framed(err error) {
	if err != nil {
		// Drop what is here of the rejected request: redcon must not
		// run it.
		c.out = c.out[:len(c.out)-c.fr.Partial()]
		c.err = err
	}
}

// takeBig puts the arguments read apart back into their command, the
// last of the batch made of first and rest, if their request has been
// handed over whole, and returns them.
func (c *conn) takeBig(first redcon.Command, rest []redcon.Command) []resp.BigArg {
	if !c.bigOut {
		return nil
	}
	last := first
	if len(rest) > 0 {
		last = rest[len(rest)-1]
	}
	for _, a := range c.big {
		last.Args[a.Index] = a.Data
	}
	big := c.big
	c.big, c.bigOut = nil, false
	return big
}

// Write implements net.Conn for redcon, which flushes its empty buffer
// after every batch: the replies are written by Server.flush.
func (c *conn) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return c.Conn.Write(p)
}

// limits reads the framer's limits from the current configuration.
func (c *conn) limits() resp.Limits {
	cfg := c.s.engine.Config.Load()
	return resp.Limits{
		MaxBulkLen:       cfg.ProtoMaxBulkLen,
		MaxMultibulkLen:  int64(cfg.ProtoMaxMultibulkLen),
		QueryBufferLimit: cfg.ClientQueryBufferLimit,
		Unauthenticated:  !c.authed && !c.s.engine.ACL.Open(),
		BigArg:           bigArg,
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
func (c *conn) hookBlocking(cl *commands.Client) {
	cl.Flush = func(b []byte) {
		c.s.awaitDurable(0)
		// Straight to the socket, as Server.flush writes. A failed write
		// shows as the connection failing in the watch.
		cl.Out.Send(func() error {
			_, err := c.Conn.Write(b)
			return err
		})
	}
	// Pushed messages, like replies, show only what is durable.
	cl.Out.SetWriter(func(b []byte) error {
		c.s.awaitDurable(0)
		_, err := c.Conn.Write(b)
		return err
	})
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
