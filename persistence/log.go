package persistence

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/keyspace"
	"github.com/cockroachdb/pebble"
)

// errLogClosed reports a log closed before a record could be committed.
var errLogClosed = errors.New("the log is closed")

// Fsync policies, as appendfsync names them.
const (
	FsyncAlways   = "always"
	FsyncEverySec = "everysec"
	FsyncNo       = "no"
)

// appendLog is the append-only log: every unit of work the keyspace hands
// over becomes one record, written by one goroutine in sequence order.
//
// The command path only encodes the record into a Pebble batch (append,
// under the keyspace lock); the writer commits the batch to Pebble. With
// appendfsync always the commit is synced, and every unit that arrived
// while the previous sync ran shares the next one: group commit. With
// everysec the commit asks for a sync without waiting for it: Pebble
// writes the records to the OS at once and syncs its WAL at most once a
// second (Options.WALMinSyncInterval), and a second goroutine notes when
// each batch is synced. With no, Pebble buffers up to a 32 KiB block of
// its WAL before it writes it to the OS, and never syncs on its own: a
// crash of the process can lose that block.
type appendLog struct {
	db    *pebble.DB
	fsync func() string
	// check reports a disk fault that makes writing unsafe (disk.go).
	check func() error
	// latency is Options.Latency, never nil; set before the writer
	// starts.
	latency func(event string, d time.Duration)

	// mu guards the fields below it.
	mu sync.Mutex
	// batch holds the records not yet handed to Pebble; last is the
	// sequence number of its last record, 0 if empty.
	batch *pebble.Batch
	last  uint64
	// free holds committed batches, reset for reuse: a batch grown to a
	// busy second's size is not grown again.
	free []*pebble.Batch
	// key and rec are reused encoding buffers.
	key, rec []byte
	// bytes counts the encoded size of the records appended, for
	// auto-aof-rewrite.
	bytes int64

	// wake tells the writer that batch went from empty to not.
	wake chan struct{}
	// syncing passes the batches committed under everysec, whose sync
	// is pending, to the goroutine that waits for it.
	syncing chan pendingSync
	// stopping is closed to stop the writer; writerDone and syncsDone
	// track the two goroutines.
	stopping   chan struct{}
	writerDone sync.WaitGroup
	syncsDone  sync.WaitGroup

	// appended is the last sequence number appended, written the last
	// one committed to Pebble, durable the last one synced to disk.
	appended, written, durable atomic.Uint64
	// failure is the error that stops the writer (a disk fault), nil
	// while writes succeed.
	failure atomic.Pointer[error]
	// broken is set when Pebble refused a commit: there is no retrying.
	broken atomic.Bool
	// commits counts the batches committed, each holding one or more
	// records.
	commits atomic.Int64
	// durableMu and durableCond wake the clients waiting for a sync.
	durableMu   sync.Mutex
	durableCond *sync.Cond
	closed      bool
}

func newAppendLog(db *pebble.DB, fsync func() string, check func() error, latency func(string, time.Duration), seq uint64) *appendLog {
	l := &appendLog{db: db, fsync: fsync, check: check, latency: latency, batch: db.NewBatch(),
		wake: make(chan struct{}, 1), stopping: make(chan struct{})}
	l.durableCond = sync.NewCond(&l.durableMu)
	l.syncing = make(chan pendingSync, 1024)
	l.appended.Store(seq)
	l.written.Store(seq)
	l.durable.Store(seq)
	l.writerDone.Add(1)
	l.syncsDone.Add(1)
	go l.writer()
	go l.awaitSyncs()
	return l
}

// pendingSync is a batch committed without waiting for its sync, and the
// last sequence number in it.
type pendingSync struct {
	b    *pebble.Batch
	last uint64
}

// append encodes one unit as the record numbered seq. extra, if not nil,
// is a metadata key and value to set in the same atomic write.
func (l *appendLog) append(seq uint64, effects []keyspace.Effect, extraKey, extraValue []byte) {
	l.mu.Lock()
	l.key = logKey(l.key[:0], seq)
	l.rec = AppendRecord(l.rec[:0], effects)
	l.batch.Set(l.key, l.rec, nil)
	if extraKey != nil {
		l.batch.Set(extraKey, extraValue, nil)
	}
	l.bytes += int64(len(l.key) + len(l.rec))
	wasEmpty := l.last == 0
	l.last = seq
	l.appended.Store(seq)
	l.mu.Unlock()
	if wasEmpty {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
}

// lastAppended is the sequence number of the last record appended.
func (l *appendLog) lastAppended() uint64 { return l.appended.Load() }

// logBytes is the size of the records appended since start.
func (l *appendLog) logBytes() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes
}

// writer commits the pending records, oldest first, until stop; then it
// commits what is left.
func (l *appendLog) writer() {
	defer l.writerDone.Done()
	defer func() {
		l.commitPending(true)
		close(l.syncing)
	}()
	for {
		select {
		case <-l.wake:
		case <-l.stopping:
			return
		}
		if l.fsync() != FsyncAlways {
			// Nobody waits for these records: let more gather so that one
			// commit carries many units.
			time.Sleep(time.Millisecond)
		}
		for !l.commitPending(false) {
			// A disk fault: retry until it is gone, or until stop.
			select {
			case <-l.stopping:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// commitPending commits the pending batch and reports whether it could.
// final is the last commit before the database closes, which syncs it.
func (l *appendLog) commitPending(final bool) bool {
	if l.broken.Load() {
		return false
	}
	if err := l.check(); err != nil {
		l.fail(err)
		return false
	}
	l.mu.Lock()
	b, last := l.batch, l.last
	if last == 0 {
		l.mu.Unlock()
		return true
	}
	l.last = 0
	if n := len(l.free); n > 0 {
		l.batch = l.free[n-1]
		l.free = l.free[:n-1]
	} else {
		l.batch = l.db.NewBatch()
	}
	l.mu.Unlock()

	mode := l.fsync()
	if final {
		// Closing the database syncs it; a synced commit now could wait
		// for everysec's interval.
		mode = FsyncNo
	}
	var err error
	switch mode {
	case FsyncAlways:
		// What Redis's aof-fsync-always times: the sync the clients
		// wait for (here with the write, which Pebble does with it).
		t0 := time.Now()
		err = l.db.Apply(b, pebble.Sync)
		l.latency("aof-fsync-always", time.Since(t0))
	case FsyncEverySec:
		err = l.db.ApplyNoSyncWait(b, pebble.Sync)
	default:
		err = l.db.Apply(b, pebble.NoSync)
	}
	if err != nil {
		// Pebble refuses a batch only when it cannot write at all (a
		// read-only or closed database): the log stays failed, and writes
		// refused, until a restart.
		l.broken.Store(true)
		l.fail(err)
		return false
	}
	l.written.Store(last)
	l.commits.Add(1)
	switch mode {
	case FsyncAlways:
		l.markDurable(last)
		l.recycle(b)
	case FsyncEverySec:
		l.syncing <- pendingSync{b, last}
	default:
		l.recycle(b)
	}
	l.failure.Store(nil)
	return true
}

// maxFreeBatches bounds the batches kept for reuse; one is the common
// case, more only while everysec's syncs are pending.
const maxFreeBatches = 4

// recycle keeps a committed batch for reuse.
func (l *appendLog) recycle(b *pebble.Batch) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.free) >= maxFreeBatches {
		b.Close()
		return
	}
	b.Reset()
	l.free = append(l.free, b)
}

// awaitSyncs notes each everysec batch as durable once Pebble has synced
// it, until the writer has stopped.
func (l *appendLog) awaitSyncs() {
	defer l.syncsDone.Done()
	for p := range l.syncing {
		if err := p.b.SyncWait(); err != nil {
			l.fail(err)
		} else {
			l.markDurable(p.last)
		}
		l.recycle(p.b)
	}
}

func (l *appendLog) fail(err error) {
	l.failure.Store(&err)
}

// Failure is the disk fault that keeps records from being written, or nil.
func (l *appendLog) Failure() error {
	if p := l.failure.Load(); p != nil {
		return *p
	}
	return nil
}

func (l *appendLog) markDurable(seq uint64) {
	l.durableMu.Lock()
	if seq > l.durable.Load() {
		l.durable.Store(seq)
	}
	l.durableCond.Broadcast()
	l.durableMu.Unlock()
}

// waitDurable returns once the record seq is synced to disk, or the log
// is closed.
func (l *appendLog) waitDurable(seq uint64) {
	if l.durable.Load() >= seq {
		return
	}
	l.durableMu.Lock()
	for l.durable.Load() < seq && !l.closed {
		l.durableCond.Wait()
	}
	l.durableMu.Unlock()
}

// waitWritten returns once the record seq is committed to Pebble, or
// the error that keeps it from being committed.
func (l *appendLog) waitWritten(seq uint64) error {
	for l.written.Load() < seq {
		if err := l.Failure(); err != nil {
			return err
		}
		select {
		case <-l.stopping:
			return errLogClosed
		case <-time.After(time.Millisecond):
		}
	}
	return nil
}

// stop commits what is pending and stops the writer. The database's
// Close then syncs it, and finish waits for the syncs.
func (l *appendLog) stop() {
	close(l.stopping)
	l.writerDone.Wait()
}

// finish waits for the pending syncs and releases the clients waiting for
// them. The database is closed.
func (l *appendLog) finish() {
	l.syncsDone.Wait()
	l.durableMu.Lock()
	l.closed = true
	l.durableCond.Broadcast()
	l.durableMu.Unlock()
}
