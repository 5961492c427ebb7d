package persistence

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/keyspace"
)

// Options configure a Manager.
type Options struct {
	Keyspace *keyspace.Keyspace
	Config   *config.Store
	Log      *slog.Logger
	// Limits are the encoding thresholds values are loaded with.
	Limits func() datatypes.Limits
	// Apply replays a log record's effects (commands.Engine.Apply); the
	// caller holds the keyspace lock.
	Apply func([]keyspace.Effect) error
	// Libraries returns the code of the function libraries for a
	// snapshot, and LoadLibraries replaces them with a snapshot's
	// (commands.Engine.Libraries and LoadLibraries); the caller holds the
	// keyspace lock. Either may be nil: no libraries.
	Libraries     func() [][]byte
	LoadLibraries func([][]byte) error
	// Latency, if set, is given the latency monitor's events of the log
	// (commands.Engine.LatencySample); it may be called from any
	// goroutine.
	Latency func(event string, d time.Duration)
}

// latency is o.Latency, or a function that drops the sample.
func (o Options) latency(event string, d time.Duration) {
	if o.Latency != nil {
		o.Latency(event, d)
	}
}

// Snapshot kinds: what started it decides which of INFO's fields report
// it, as Redis's RDB and AOF children.
const (
	kindSave    = "save"
	kindRewrite = "rewrite"
)

// saveRetryDelay is how long after a failed automatic snapshot the next
// one may start, as Redis's CONFIG_BGSAVE_RETRY_DELAY.
const saveRetryDelay = 5 * time.Second

// stepKeys is how many keys a background snapshot passes per hold of the
// keyspace lock: a few tens of microseconds of encoding.
const stepKeys = 256

// walkSlice and walkPause pace a background snapshot: it works for a
// slice, then sleeps for a pause (Go's timers wake about 1 ms late on
// the machines measured), leaving the clients about three quarters of a
// busy thread.
const (
	walkSlice = 300 * time.Microsecond
	walkPause = 500 * time.Microsecond
)

// Manager is cairn's persistence: the log of every unit of work, the
// snapshots, recovery at start, and what INFO, SAVE, BGSAVE and the
// rest ask of them. Except where said, its methods are called with the
// keyspace lock held, which guards its state.
type Manager struct {
	st   *Store
	ks   *keyspace.Keyspace
	cfg  *config.Store
	log  *slog.Logger
	opts Options
	disk *diskCheck

	// loading is set until Recover has finished.
	loading atomic.Bool
	// procs is GOMAXPROCS as the Manager found it; see adjustProcs.
	procs int
	// seq is the sequence number of the last unit handed over; every
	// unit gets one, logged or not, so that a log turned on later never
	// seems to continue a snapshot it does not. assigned mirrors it for
	// AwaitDurable, which runs without the lock.
	seq      uint64
	assigned atomic.Uint64
	// alog is the log writer, nil until Recover has finished; logOn is
	// whether units are logged (appendonly). durableLog is alog for the
	// goroutines that do not hold the lock.
	alog       *appendLog
	durableLog atomic.Pointer[appendLog]
	logOn      bool
	// logBaseNext, when not nil, is written with the next record: the
	// log restarts there (appendonly turned on).
	logBaseNext []byte
	// snap is the current snapshot; logBytesAtSnap is alog's byte count
	// when it began, for auto-aof-rewrite and aof_current_size.
	snap           SnapshotInfo
	logBytesAtSnap int64
	// nextID numbers the next snapshot: never one an earlier attempt
	// used, whose chunks may linger.
	nextID uint64

	// bg is the background snapshot in progress, nil if none; bgDone
	// tracks its goroutine.
	bg     *bgSnapshot
	bgDone sync.WaitGroup
	// Scheduled snapshots start once the running one is over.
	saveScheduled, rewriteScheduled bool

	// Status for INFO persistence.
	dirtyAtSave     int64
	lastSave        time.Time
	lastSaveOK      bool
	lastSaveTry     time.Time
	lastSaveSecs    int64
	saves           int64
	lastRewriteOK   bool
	lastRewriteSecs int64
	rewrites        int64
	rewriteFailures int64
	// loadedKeys, loadExpired and loadedBytes count what the last load
	// inserted, skipped as expired, and read of the snapshot; loadStart
	// is when it began.
	loadedKeys, loadExpired, loadedBytes atomic.Int64
	loadStart                            time.Time
}

// bgSnapshot is a snapshot being written in the background.
type bgSnapshot struct {
	w       *snapshotWriter
	kind    string
	started time.Time
	dirty   int64
	// keys is how many keys there were when it began.
	keys int64
	// abandoned is set, under the keyspace lock, to stop it.
	abandoned bool
}

// Open opens the data directory. The keyspace reports LOADING until
// Recover has run.
func Open(dir string, opts Options) (*Manager, error) {
	// Under everysec Pebble syncs its WAL at most once a second.
	walSyncInterval := func() time.Duration {
		if intervalSync(opts.Config) {
			return time.Second
		}
		return 0
	}
	st, err := openStore(dir, opts.Log, walSyncInterval)
	if err != nil {
		return nil, err
	}
	m := &Manager{st: st, ks: opts.Keyspace, cfg: opts.Config, log: opts.Log, opts: opts,
		disk: newDiskCheck(dir), lastSaveOK: true, lastRewriteOK: true, lastSave: time.Now()}
	m.loading.Store(true)
	m.procs = runtime.GOMAXPROCS(0)
	if m.snap, err = st.Snapshot(); err != nil {
		st.Close()
		return nil, err
	}
	if m.nextID, err = st.cleanSnapshots(m.snap); err != nil {
		st.Close()
		return nil, err
	}
	return m, nil
}

// Loading reports whether the data is still being loaded. Safe without
// the lock.
func (m *Manager) Loading() bool { return m.loading.Load() }

// sink is the keyspace's sink: it numbers each unit and logs it.
func (m *Manager) sink(effects []keyspace.Effect) {
	m.syncAppendOnly()
	m.seq++
	m.assigned.Store(m.seq)
	if m.logOn {
		var k []byte
		if m.logBaseNext != nil {
			k = keyLogBase
		}
		m.alog.append(m.seq, effects, k, m.logBaseNext)
		m.logBaseNext = nil
	}
}

// syncAppendOnly follows CONFIG SET appendonly. Turned on, the log
// restarts at the next unit, and a snapshot that it will continue is
// scheduled (Cron starts it), as Redis rewrites its AOF; until that
// snapshot completes, recovery uses the previous snapshot alone. It runs
// in the sink, which must not start a snapshot itself: beginning one
// hands the unit in progress to the sink.
func (m *Manager) syncAppendOnly() {
	on := m.cfg.Load().AppendOnly
	if on == m.logOn {
		return
	}
	m.logOn = on
	if !on {
		m.log.Info("append-only log turned off")
		return
	}
	m.log.Info("append-only log turned on; a snapshot it continues is scheduled")
	m.logBaseNext = binaryUvarint(m.seq + 1)
	m.rewriteScheduled = true
}

// Seq is the number of the last unit handed over.
func (m *Manager) Seq() uint64 { return m.seq }

// AwaitDurable returns once unit seq (0: every unit handed over so far)
// is on disk, under appendfsync always; at once otherwise. The server
// calls it before it sends replies, without the lock.
func (m *Manager) AwaitDurable(seq uint64) {
	l := m.durableLog.Load()
	if l == nil {
		return
	}
	if cfg := m.cfg.Load(); cfg.AppendFsync != FsyncAlways || !cfg.AppendOnly {
		return
	}
	if seq == 0 {
		seq = m.assigned.Load()
	}
	l.waitDurable(seq)
}

// WriteError is the error that write commands get while persistence is
// failing (Redis's MISCONF), or "".
func (m *Manager) WriteError() string {
	if m.logOn && m.alog != nil {
		if err := m.alog.Failure(); err != nil {
			return "MISCONF Errors writing to the AOF file: " + err.Error()
		}
	}
	if !m.lastSaveOK && m.cfg.Load().StopWritesOnBgsaveError && len(m.cfg.Load().Save) > 0 {
		return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
			"Commands that may modify the data set are disabled, because this instance is configured to report errors " +
			"during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs " +
			"for details about the RDB error."
	}
	return ""
}

// Save writes a snapshot in the foreground (SAVE, SHUTDOWN, the graceful
// stop): the caller holds the lock throughout, so the server stops while
// it runs, as Redis's SAVE. A background snapshot in progress is
// abandoned first.
func (m *Manager) Save() error {
	if m.Loading() {
		// A snapshot of a keyspace half loaded would replace the one
		// being loaded.
		return errors.New("the data set is still loading")
	}
	m.abandonBackground()
	start := time.Now()
	dirty := m.ks.Stats.Dirty
	w := m.begin()
	var err error
	for done := false; !done && err == nil; {
		done = m.ks.SnapshotStep(stepKeys * 16)
		err = w.write(w.take(done))
	}
	if err == nil {
		err = m.complete(w, false)
	}
	if err == nil {
		m.adopt(w)
	}
	m.recordSave(kindSave, err, start, dirty)
	if err != nil {
		m.ks.AbandonSnapshot()
		w.abort()
	}
	return err
}

// begin starts a snapshot of the keyspace as it is now.
func (m *Manager) begin() *snapshotWriter {
	w := newSnapshotWriter(m.st, m.nextID, time.Now().UnixMilli())
	m.nextID++
	w.prev = m.snap
	if m.alog != nil {
		w.logBytes = m.alog.logBytes()
	}
	if m.opts.Libraries != nil {
		w.info.Libraries = m.opts.Libraries()
	}
	m.ks.BeginSnapshot(w.add)
	// BeginSnapshot handed the unit in progress over: the snapshot
	// covers it.
	w.info.Seq = m.seq
	return w
}

// complete makes w's snapshot current on disk; wait is as for
// snapshotWriter.finish. It needs no lock.
func (m *Manager) complete(w *snapshotWriter, wait bool) error {
	if err := m.disk.check(); err != nil {
		return err
	}
	return w.finish(m.waitLog, intervalSync(m.cfg), wait)
}

// adopt makes w's completed snapshot the current one.
func (m *Manager) adopt(w *snapshotWriter) {
	m.snap = w.info
	m.logBytesAtSnap = w.logBytes
}

// intervalSync reports whether Pebble syncs at most once a second
// (everysec); see snapshotWriter.finish.
func intervalSync(cfg *config.Store) bool { return cfg.Load().AppendFsync == FsyncEverySec }

// waitLog waits until the log has committed record seq, if it is being
// written; records the snapshot covers must be in Pebble before the
// snapshot deletes them.
func (m *Manager) waitLog(seq uint64) error {
	if l := m.durableLog.Load(); l != nil {
		return l.waitWritten(min(seq, l.lastAppended()))
	}
	return nil
}

func (m *Manager) recordSave(kind string, err error, start time.Time, dirty int64) {
	secs := int64(time.Since(start).Round(time.Second) / time.Second)
	m.lastSaveTry = time.Now()
	if kind == kindRewrite {
		m.lastRewriteOK = err == nil
		m.lastRewriteSecs = secs
		if err == nil {
			m.rewrites++
			m.rewriteFailures = 0
		} else {
			m.rewriteFailures++
		}
	}
	// Every snapshot is both an RDB save and an AOF rewrite in Redis's
	// terms: it saves the data set and truncates the log.
	m.lastSaveOK = err == nil
	m.lastSaveSecs = secs
	if err != nil {
		m.log.Warn("snapshot failed", "err", err)
		return
	}
	m.saves++
	m.lastSave = start
	m.dirtyAtSave = dirty
	m.log.Info("snapshot saved", "keys", m.snap.Keys, "bytes", m.snap.Bytes, "seq", m.snap.Seq,
		"duration", time.Since(start).Round(time.Millisecond).String())
}

// BackgroundSave is BGSAVE: it starts a snapshot in the background and
// returns the status reply, or an error reply. inExec is set inside MULTI
// or a script, where Redis schedules rather than starts.
func (m *Manager) BackgroundSave(schedule, inExec bool) (string, error) {
	if m.bg != nil && m.bg.kind == kindSave {
		return "", errors.New("ERR Background save already in progress")
	}
	if m.bg != nil || inExec {
		if !schedule && !inExec {
			return "", errors.New("ERR Another child process is active (AOF?): can't BGSAVE right now. " +
				"Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
		}
		m.saveScheduled = true
		return "Background saving scheduled", nil
	}
	m.startBackground(kindSave)
	return "Background saving started", nil
}

// RewriteLog is BGREWRITEAOF: a snapshot in the background, which
// truncates the log when it completes.
func (m *Manager) RewriteLog(inExec bool) (string, error) {
	if m.bg != nil && m.bg.kind == kindRewrite {
		return "", errors.New("ERR Background append only file rewriting already in progress")
	}
	if m.bg != nil || inExec {
		m.rewriteScheduled = true
		return "Background append only file rewriting scheduled", nil
	}
	m.startBackground(kindRewrite)
	return "Background append only file rewriting started", nil
}

// LastSave is the Unix time of the last successful snapshot (LASTSAVE).
func (m *Manager) LastSave() int64 { return m.lastSave.Unix() }

func (m *Manager) startBackground(kind string) {
	bg := &bgSnapshot{kind: kind, started: time.Now(), dirty: m.ks.Stats.Dirty}
	for i := range m.ks.NumDBs() {
		bg.keys += int64(m.ks.DB(i).Len())
	}
	bg.w = m.begin()
	m.bg = bg
	m.bgDone.Add(1)
	go m.runBackground(bg)
}

// runBackground writes bg's snapshot, taking the keyspace lock for each
// step only.
func (m *Manager) runBackground(bg *bgSnapshot) {
	defer m.bgDone.Done()
	w := bg.w
	var err error
	slice := time.Now()
	for done := false; !done && err == nil; {
		m.ks.Lock()
		if bg.abandoned {
			m.ks.Unlock()
			err = errAbandoned
			break
		}
		done = m.ks.SnapshotStep(stepKeys)
		chunks := w.take(done)
		m.ks.Unlock()
		if err = m.disk.check(); err == nil {
			err = w.write(chunks)
		}
		if time.Since(slice) >= walkSlice {
			// Always runnable, the walk would keep Go's scheduler from
			// polling the network (with io-threads 1 it polls when
			// nothing else can run, or every 10 ms): clients would be
			// served in 10 ms bursts. Sleeping lets them in.
			time.Sleep(walkPause)
			slice = time.Now()
		}
	}
	if err == nil {
		err = m.complete(w, true)
	}
	m.ks.Lock()
	defer m.ks.Unlock()
	if err == nil {
		m.adopt(w)
	} else {
		w.abort()
	}
	if bg.abandoned {
		// Whoever abandoned it has reset the keyspace's snapshot state.
		return
	}
	m.bg = nil
	if err != nil {
		m.ks.AbandonSnapshot()
	}
	m.recordSave(bg.kind, err, bg.started, bg.dirty)
}

// abandonBackground stops the background snapshot, if any, and waits for
// its goroutine. The caller holds the lock, which the goroutine needs to
// notice: it is released while waiting.
func (m *Manager) abandonBackground() {
	if m.bg == nil {
		return
	}
	m.bg.abandoned = true
	m.bg = nil
	m.ks.AbandonSnapshot()
	m.ks.Unlock()
	m.bgDone.Wait()
	m.ks.Lock()
}

// Cron runs the automatic snapshots: save rules, auto-aof-rewrite, and
// those scheduled while another ran. Called hz times a second.
func (m *Manager) Cron() {
	if m.Loading() {
		return
	}
	m.adjustProcs()
	m.syncAppendOnly()
	if m.bg != nil {
		return
	}
	switch {
	case m.rewriteScheduled:
		m.rewriteScheduled = false
		m.startBackground(kindRewrite)
	case m.saveScheduled:
		m.saveScheduled = false
		m.startBackground(kindSave)
	case m.saveRuleDue():
		m.startBackground(kindSave)
	case m.rewriteDue():
		m.startBackground(kindRewrite)
	}
}

// adjustProcs gives Go one more thread than io-threads while appendfsync
// is always. Pebble's fsync blocks the thread that calls it, and Go hands
// that thread's processor to another only when its monitor notices, up
// to 10 ms later: with one processor, no command would run meanwhile,
// and the clients sharing the next fsync would not get to send their
// writes. (Redis syncs in its one thread, but no request waits for a
// scheduler there.)
//
// The count is relative to what GOMAXPROCS was when the Manager was
// opened (cmd/cairn sets it to io-threads first).
func (m *Manager) adjustProcs() {
	cfg := m.cfg.Load()
	want := m.procs
	if cfg.AppendOnly && cfg.AppendFsync == FsyncAlways {
		want++
	}
	if runtime.GOMAXPROCS(0) != want {
		runtime.GOMAXPROCS(want)
	}
}

func (m *Manager) saveRuleDue() bool {
	cfg := m.cfg.Load()
	changes := m.ks.Stats.Dirty - m.dirtyAtSave
	now := time.Now()
	if !m.lastSaveOK && now.Sub(m.lastSaveTry) < saveRetryDelay {
		return false
	}
	for _, r := range cfg.Save {
		if changes >= r.Changes && int64(now.Sub(m.lastSave)/time.Second) > r.Seconds {
			return true
		}
	}
	return false
}

func (m *Manager) rewriteDue() bool {
	cfg := m.cfg.Load()
	if !m.logOn || m.alog == nil || cfg.AutoAOFRewritePercentage == 0 {
		return false
	}
	if !m.lastRewriteOK && time.Since(m.lastSaveTry) < saveRetryDelay {
		return false
	}
	grown := m.alog.logBytes() - m.logBytesAtSnap
	if grown < cfg.AutoAOFRewriteMinSize {
		return false
	}
	base := max(int64(m.snap.Bytes), 1)
	return grown*100/base >= int64(cfg.AutoAOFRewritePercentage)
}

// Reload is DEBUG RELOAD: a snapshot, then the keyspace emptied and loaded
// back from it.
func (m *Manager) Reload() error {
	if err := m.Save(); err != nil {
		return err
	}
	m.ks.FlushAll()
	_, err := m.loadSnapshot(m.snap, false)
	return err
}

func binaryUvarint(n uint64) []byte { return binary.AppendUvarint(nil, n) }

// ReloadLog is DEBUG LOADAOF: the log committed, the keyspace emptied,
// then loaded back from the snapshot and the log.
func (m *Manager) ReloadLog() error {
	if m.Loading() {
		return errors.New("the data set is still loading")
	}
	if err := m.waitLog(m.seq); err != nil {
		return err
	}
	m.abandonBackground()
	m.ks.FlushAll()
	if _, err := m.loadSnapshot(m.snap, false); err != nil {
		return err
	}
	_, _, err := m.replayLog(false)
	return err
}

// Info writes the fields of INFO persistence, with Redis 7.0's names and
// order. cairn forks nothing: the copy-on-write fields are 0, and the
// current_save_* fields report the snapshot in progress.
func (m *Manager) Info(add func(name, value string)) {
	field := func(name string, n int64) { add(name, strconv.FormatInt(n, 10)) }
	cfg := m.cfg.Load()
	loading := m.Loading()
	field("loading", b2i(loading))
	field("async_loading", 0)
	field("current_cow_peak", 0)
	field("current_cow_size", 0)
	field("current_cow_size_age", 0)
	var processed, total int64
	if m.bg != nil {
		processed, total = int64(m.bg.w.info.Keys), m.bg.keys
	}
	perc := 0.0
	if total > 0 {
		perc = float64(processed) * 100 / float64(total)
	}
	add("current_fork_perc", fmt.Sprintf("%.2f", perc))
	field("current_save_keys_processed", processed)
	field("current_save_keys_total", total)
	field("rdb_changes_since_last_save", m.ks.Stats.Dirty-m.dirtyAtSave)
	field("rdb_bgsave_in_progress", b2i(m.bg != nil && m.bg.kind == kindSave))
	field("rdb_last_save_time", m.lastSave.Unix())
	add("rdb_last_bgsave_status", okErr(m.lastSaveOK))
	field("rdb_last_bgsave_time_sec", m.lastSaveSecsOrNone())
	field("rdb_current_bgsave_time_sec", m.currentSecs(kindSave))
	field("rdb_saves", m.saves)
	field("rdb_last_cow_size", 0)
	field("rdb_last_load_keys_expired", m.loadExpired.Load())
	field("rdb_last_load_keys_loaded", m.loadedKeys.Load())
	field("aof_enabled", b2i(cfg.AppendOnly))
	field("aof_rewrite_in_progress", b2i(m.bg != nil && m.bg.kind == kindRewrite))
	field("aof_rewrite_scheduled", b2i(m.rewriteScheduled))
	field("aof_last_rewrite_time_sec", m.lastRewriteSecsOrNone())
	field("aof_current_rewrite_time_sec", m.currentSecs(kindRewrite))
	add("aof_last_bgrewrite_status", okErr(m.lastRewriteOK))
	field("aof_rewrites", m.rewrites)
	field("aof_rewrites_consecutive_failures", m.rewriteFailures)
	writeOK := true
	if m.alog != nil && m.alog.Failure() != nil {
		writeOK = false
	}
	add("aof_last_write_status", okErr(writeOK))
	field("aof_last_cow_size", 0)
	field("module_fork_in_progress", 0)
	field("module_fork_last_cow_size", 0)
	if cfg.AppendOnly && m.alog != nil {
		size := int64(m.snap.Bytes) + m.alog.logBytes() - m.logBytesAtSnap
		field("aof_current_size", size)
		field("aof_base_size", int64(m.snap.Bytes))
		field("aof_pending_rewrite", b2i(m.rewriteScheduled))
		field("aof_buffer_length", 0)
		field("aof_pending_bio_fsync", 0)
		field("aof_delayed_fsync", 0)
	}
	if loading {
		elapsed := time.Since(m.loadStart)
		loaded, total := m.loadedBytes.Load(), int64(m.snap.Bytes)
		perc, eta := 0.0, int64(1)
		if total > 0 && loaded > 0 {
			perc = float64(loaded) * 100 / float64(total)
			eta = int64(elapsed.Seconds() * float64(total-loaded) / float64(loaded))
		}
		field("loading_start_time", m.loadStart.Unix())
		field("loading_total_bytes", total)
		field("loading_rdb_used_mem", 0)
		field("loading_loaded_bytes", loaded)
		add("loading_loaded_perc", fmt.Sprintf("%.2f", perc))
		field("loading_eta_seconds", eta)
	}
}

func (m *Manager) lastSaveSecsOrNone() int64 {
	if m.saves == 0 && m.lastSaveOK {
		return -1
	}
	return m.lastSaveSecs
}

func (m *Manager) lastRewriteSecsOrNone() int64 {
	if m.rewrites == 0 && m.lastRewriteOK {
		return -1
	}
	return m.lastRewriteSecs
}

func (m *Manager) currentSecs(kind string) int64 {
	if m.bg == nil || m.bg.kind != kind {
		return -1
	}
	return int64(time.Since(m.bg.started) / time.Second)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func okErr(ok bool) string {
	if ok {
		return "ok"
	}
	return "err"
}

// Stop ends a graceful stop (SIGTERM, SIGINT): it takes a snapshot first
// when save rules are set, as SHUTDOWN without arguments does, then
// closes, whether the snapshot failed or not (the log, if on, holds
// everything). The caller does not hold the lock.
func (m *Manager) Stop() error {
	var saveErr error
	if len(m.cfg.Load().Save) > 0 {
		m.ks.Lock()
		if err := m.Save(); err != nil {
			saveErr = fmt.Errorf("the snapshot before stopping: %w", err)
		}
		m.ks.Unlock()
	}
	return errors.Join(saveErr, m.Close())
}

// Close stops the background snapshot, commits and syncs the log, and
// closes the database. The caller does not hold the lock.
func (m *Manager) Close() error {
	m.ks.Lock()
	m.abandonBackground()
	m.ks.Unlock()
	if m.alog != nil {
		m.alog.stop()
		if err := m.alog.Failure(); err != nil {
			m.log.Error("the last log records could not be written", "err", err)
		}
	}
	// Flushing the memtable now spares the next start replaying Pebble's
	// write-ahead log.
	if m.disk.check() == nil {
		if err := m.st.db.Flush(); err != nil {
			m.log.Warn("flushing the memtable at close", "err", err)
		}
	}
	err := m.st.Close()
	if m.alog != nil {
		m.alog.finish()
	}
	if err != nil {
		return fmt.Errorf("closing the data directory: %w", err)
	}
	return nil
}
