package commands

import (
	"sync"
	"time"

	"github.com/cairn-db/cairn/resp"
)

// Output carries what a client is sent besides the replies to its own
// commands: pub/sub messages, invalidations, MONITOR lines. Other clients'
// commands push them, under the keyspace lock, while this client's
// goroutine may be reading, running a batch, or writing its replies; the
// bytes must reach the socket in the order the keyspace lock saw them
// made, never interleaved with a batch's replies.
//
// The client's goroutine owns the socket from the start of a batch
// (Claim, under the lock, which moves what was pushed before into the
// batch's replies) until its replies are written (Release, which also
// writes what was pushed meanwhile). At other times a push starts a
// goroutine that writes it (drain). A push never waits for a socket:
// what a slow reader has not taken yet piles up in pending, which the
// output buffer limits bound.
type Output struct {
	// write sends bytes to the socket; set by the server. A client
	// without it (a script's, the replay's) is pushed nothing.
	write func([]byte) error

	mu      sync.Mutex
	pending []byte
	// writing is the size of what was taken from pending and is being
	// written: a reader that does not read blocks that write, and what
	// it holds is as unread as what is pending.
	writing  int
	owned    bool // the client's goroutine runs a batch or sends its replies
	draining bool // a drain goroutine is running
	failed   bool // a write failed: the connection is going away
	// sock is held while writing to the socket, taken with mu held, so
	// that bytes taken from pending earlier are written earlier.
	sock sync.Mutex
	// softSince is when pending last went over the soft limit, zero
	// while it is under it. Guarded by the keyspace lock.
	softSince time.Time
}

// SetWriter gives o its socket. Called once, by the server, before the
// client is registered.
func (o *Output) SetWriter(write func([]byte) error) { o.write = write }

// push queues b for the client and returns the size of what it has not
// been sent.
// The caller holds the keyspace lock and knows the client is not running
// a batch (a running client's pushes go to its reply writer).
func (o *Output) push(b []byte) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failed {
		return 0
	}
	o.pending = append(o.pending, b...)
	if !o.owned && !o.draining {
		o.draining = true
		go o.drain()
	}
	return len(o.pending) + o.writing
}

// Pending is the size of what was pushed and not yet written, for CLIENT
// LIST's omem and the output buffer limits.
func (o *Output) Pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.pending) + o.writing
}

// Claim makes the client's goroutine the socket's owner and appends what
// was pushed so far to w, ahead of the batch's replies. The caller holds
// the keyspace lock.
func (o *Output) Claim(w *resp.Writer) {
	o.mu.Lock()
	o.owned = true
	if len(o.pending) > 0 {
		w.Raw(o.pending)
		o.pending = o.pending[:0]
	}
	o.mu.Unlock()
}

// Send writes the owner's bytes to the socket; send does the writing.
// Pushes written by a drain that began before the batch go first.
func (o *Output) Send(send func() error) error {
	o.sock.Lock()
	defer o.sock.Unlock()
	return send()
}

// Release ends the owner's turn: it writes what was pushed while the
// owner sent its replies, then lets pushes start their own writes.
func (o *Output) Release() {
	for o.next(true) {
	}
}

// drain writes what is pushed while no one owns the socket.
func (o *Output) drain() {
	for o.next(false) {
	}
}

// next writes the pending bytes, if any and if it falls to the caller
// (the owner, or a drain while there is none), and reports whether to
// go on. When there is nothing left the caller's turn ends.
func (o *Output) next(owner bool) bool {
	o.mu.Lock()
	if len(o.pending) == 0 || o.failed || (!owner && o.owned) {
		if owner {
			o.owned = false
		} else {
			o.draining = false
		}
		o.mu.Unlock()
		return false
	}
	b := o.pending
	o.pending = nil
	o.writing = len(b)
	o.sock.Lock()
	o.mu.Unlock()
	err := o.write(b)
	o.sock.Unlock()
	o.mu.Lock()
	o.writing = 0
	if err != nil {
		o.failed = true
		o.pending = nil
	}
	// Keep the buffer for the next pushes unless it grew large.
	if o.pending == nil && cap(b) <= maxKeptOutput {
		o.pending = b[:0]
	}
	o.mu.Unlock()
	return true
}

// maxKeptOutput bounds the push buffer a client keeps between pushes.
const maxKeptOutput = 64 << 10
