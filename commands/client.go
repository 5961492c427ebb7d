package commands

import (
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/acl"
	"github.com/cairn-db/cairn/resp"
)

// ReplyMode is a client's CLIENT REPLY setting.
type ReplyMode int

// Reply modes. Between commands a client is in ReplyOn, ReplyOff or
// ReplySkip; Exec turns ReplySkip into replySkipThis for the command whose
// reply it drops.
const (
	ReplyOn ReplyMode = iota
	ReplyOff
	ReplySkip     // skip the reply to the next command
	replySkipThis // the command being run is the one to skip
)

// Client is the state of one connection. Everything in it but the
// immutable identity fields is guarded by the keyspace lock, under which
// every command runs, so CLIENT LIST can read other clients safely.
type Client struct {
	ID        int64
	Addr      string
	LocalAddr string
	Created   time.Time

	// W buffers the replies of the batch in progress; W.Proto is the
	// protocol version chosen by HELLO.
	W resp.Writer
	// DB is the selected database.
	DB int
	// User is the ACL user the client runs as; nil for the server's own
	// clients, which may run anything. Authenticated says whether it has
	// logged in (or needed not).
	User          *acl.User
	Authenticated bool
	// aclPositions, aclKeys and aclChannels are buffers for the
	// permission check.
	aclPositions []int
	aclKeys      []acl.Key
	aclChannels  []acl.Channel
	// Name is the CLIENT SETNAME name; "" means none.
	Name string
	// LibName and LibVer are set by CLIENT SETINFO.
	LibName   string
	LibVer    string
	ReplyMode ReplyMode
	NoEvict   bool
	// LastCmd is the full name of the last command looked up ("" after
	// an unknown one), for CLIENT LIST.
	LastCmd         string
	LastInteraction time.Time
	// Closing asks the server to close the connection once the replies
	// written so far are sent (QUIT, CLIENT KILL of oneself, SHUTDOWN).
	Closing bool
	// Owned are arguments of the last command of the batch in progress
	// that the server read into buffers of their own, which nothing else
	// uses: a handler may keep one as a value's storage rather than copy
	// it, and then removes it (stringArg). The command being the batch's
	// last, and the batch's effects reaching the log before the lock is
	// released, no command changes such a value while its effect, which
	// holds the argument, is pending.
	Owned [][]byte

	// killed is set when the client was killed (CLIENT KILL, idle
	// timeout): its pending commands must not run.
	killed bool
	// replaying marks the client that replays the log (Engine.Apply):
	// what it runs was accepted once and is not refused again.
	replaying bool
	// done is closed when the client is killed, to wake its command if it
	// waits for a CLIENT PAUSE to end.
	done chan struct{}
	// waiting is set while the client's command waits for a CLIENT PAUSE
	// to end (flag "b" in CLIENT LIST; the idle timeout spares it).
	waiting bool
	// argvMem is the size of the arguments of the command being run, for
	// CLIENT LIST's argv-mem.
	argvMem int
	// unsent is the size of the client's replies not yet written, set by
	// its goroutine after each command and once they are written
	// (RepliesWritten), and query the size of what it sent not yet run
	// (SetQueryBuffer); mem is its memory as client eviction last counted
	// it (clientevict.go).
	unsent atomic.Int64
	query  atomic.Int64
	mem    int64
	// lastCmd is the last command the client sent, by name as sent.
	lastCmd cmdCache
	// batch is the pipeline batch in progress (Engine.BeginBatch).
	batch batch
	// tx is the client's MULTI queue and WATCHed keys (transactions.go).
	tx txState

	// Out carries the messages other clients' commands push to this one
	// (output.go); running is set while the client runs a batch under
	// the keyspace lock, when pushes go straight into W.
	Out     Output
	running bool
	// subs are the client's pub/sub subscriptions (pubsub.go).
	subs subscriptions
	// monitor is set once the client has sent MONITOR (monitor.go).
	monitor bool
	// track is the client's CLIENT TRACKING state (tracking.go).
	track clientTracking

	// blocked is the wait of the client's blocking list command, if it
	// is blocked (blocking.go).
	blocked *waiter

	// kill closes the connection from any goroutine; set by the server.
	kill func()
	// Flush sends b to the client at once, and Watch watches the
	// connection while the client is blocked, closing gone if it fails,
	// until stop is called. The server sets both; they are called by the
	// client's own goroutine without the keyspace lock. A client without
	// them (a script's, the replay's) never blocks.
	Flush func(b []byte)
	Watch func(gone chan<- struct{}) (stop func())
}

// NewClient returns the state of a new connection; kill must close it.
func NewClient(addr, localAddr string, now time.Time, kill func()) *Client {
	return &Client{
		Addr:            addr,
		LocalAddr:       localAddr,
		Created:         now,
		LastInteraction: now,
		W:               resp.Writer{Proto: 2},
		done:            make(chan struct{}),
		kill:            kill,
	}
}

// markKilled records that the client was killed and wakes its waiting
// command, if any. The caller holds the keyspace lock.
func (cl *Client) markKilled() {
	if !cl.killed {
		cl.killed = true
		close(cl.done)
	}
}

// validClientName reports whether s may be a client name or a CLIENT
// SETINFO value: no spaces, newlines or other characters outside '!'..'~'.
func validClientName(s []byte) bool {
	for _, c := range s {
		if c < '!' || c > '~' {
			return false
		}
	}
	return true
}
