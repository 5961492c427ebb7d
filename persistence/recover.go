package persistence

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cockroachdb/pebble"
)

// Recover loads the current snapshot, replays the log records after it,
// and then starts logging. Until it returns, Loading reports true; it
// takes the keyspace lock for each batch of keys or records, so that
// clients are answered (LOADING) meanwhile. The caller does not hold the
// lock.
func (m *Manager) Recover() error {
	m.loadStart = time.Now()
	m.log.Info("loading data", "dir", m.st.dir, "snapshot_keys", m.snap.Keys, "snapshot_seq", m.snap.Seq)
	keys, err := m.loadSnapshot(m.snap, true)
	if err != nil {
		return err
	}
	if keys > 0 {
		m.log.Info("snapshot loaded", "keys", keys, "elapsed", time.Since(m.loadStart).Round(time.Millisecond).String())
	}
	last, records, err := m.replayLog(true)
	if err != nil {
		return err
	}
	m.ks.Lock()
	defer m.ks.Unlock()
	m.seq = last
	m.assigned.Store(last)
	m.alog = newAppendLog(m.st.db, func() string { return m.cfg.Load().AppendFsync }, m.disk.check, m.opts.latency, last)
	m.durableLog.Store(m.alog)
	m.logOn = m.cfg.Load().AppendOnly
	m.ks.SetSink(m.sink)
	m.dirtyAtSave = m.ks.Stats.Dirty
	m.loading.Store(false)
	m.adjustProcs()
	m.log.Info("DB loaded from disk", "keys", m.loadedKeys.Load(), "log_records", records,
		"seconds", fmt.Sprintf("%.3f", time.Since(m.loadStart).Seconds()))
	return nil
}

// loadedKey is one key decoded from a snapshot chunk.
type loadedKey struct {
	db int
	// key is in the chunk being decoded, which outlives its insertion.
	key      []byte
	val      datatypes.Value
	expireAt int64
}

// loadSnapshot inserts the keys of snapshot info into the keyspace,
// skipping those whose time has passed, and returns how many it inserted.
// Chunks are decoded by one worker per CPU; each worker inserts what it
// decoded under the keyspace lock. unlocked says whether the caller does
// not hold the lock (Recover) or holds it throughout (DEBUG RELOAD).
func (m *Manager) loadSnapshot(info SnapshotInfo, unlocked bool) (int64, error) {
	m.loadedKeys.Store(0)
	m.loadExpired.Store(0)
	m.loadedBytes.Store(0)
	// The libraries first: the log after the snapshot may change them.
	if m.opts.LoadLibraries != nil {
		if unlocked {
			m.ks.Lock()
		}
		err := m.opts.LoadLibraries(info.Libraries)
		if unlocked {
			m.ks.Unlock()
		}
		if err != nil {
			return 0, fmt.Errorf("snapshot %d: %w", info.ID, err)
		}
	}
	if info.ID == 0 {
		return 0, nil
	}
	var (
		inserted int64
		mu       sync.Mutex // guards firstErr and inserted
		firstErr error
	)
	setErr := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	numDBs := m.ks.NumDBs()
	lim := m.opts.Limits()
	if unlocked {
		m.ks.Lock()
	}
	for db, n := range info.DBKeys {
		if db < numDBs {
			m.ks.DB(db).Reserve(int(min(n, 1<<31)))
		}
	}
	if unlocked {
		m.ks.Unlock()
	}
	insert := func(batch []loadedKey) {
		now := time.Now().UnixMilli()
		if unlocked {
			m.ks.Lock()
			defer m.ks.Unlock()
		}
		var n, expired int64
		for _, k := range batch {
			if k.expireAt != 0 && k.expireAt <= now {
				expired++
				continue
			}
			db := m.ks.DB(k.db)
			if stored, _ := db.Stored(k.key); stored {
				setErr(fmt.Errorf("snapshot %d holds key %q of database %d twice", info.ID, k.key, k.db))
				return
			}
			db.Insert(k.key, k.val, k.expireAt)
			n++
		}
		m.loadedKeys.Add(n)
		m.loadExpired.Add(expired)
		mu.Lock()
		inserted += n
		mu.Unlock()
	}
	decode := func(n uint64, c []byte) {
		var batch []loadedKey
		err := decodeChunk(c, func(db int, key []byte, expireAt int64, value []byte) error {
			if db >= numDBs {
				return fmt.Errorf("it holds database %d but databases is %d", db, numDBs)
			}
			v, err := DecodeValue(value, lim)
			if err != nil {
				return fmt.Errorf("key %q of database %d: %w", key, db, err)
			}
			batch = append(batch, loadedKey{db: db, key: key, val: v, expireAt: expireAt})
			return nil
		})
		if err != nil {
			setErr(fmt.Errorf("snapshot %d, chunk %d is corrupt: %w", info.ID, n, err))
			return
		}
		m.loadedBytes.Add(int64(len(c)))
		insert(batch)
	}

	// Decoding is the work of loading: Recover decodes on every CPU,
	// whatever io-threads says; DEBUG RELOAD, which holds the lock, in
	// the caller's goroutine.
	type chunk struct {
		n uint64
		b []byte
	}
	var chunks chan chunk
	var wg sync.WaitGroup
	if unlocked {
		prev := runtime.GOMAXPROCS(runtime.NumCPU())
		defer runtime.GOMAXPROCS(prev)
		chunks = make(chan chunk, runtime.NumCPU())
		for range runtime.NumCPU() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := range chunks {
					if !failed() {
						decode(c.n, c.b)
					}
				}
			}()
		}
	}
	progress := time.Now()
	err := m.st.eachChunk(info, func(n uint64, c []byte) error {
		if unlocked {
			chunks <- chunk{n, append([]byte(nil), c...)}
		} else {
			decode(n, c)
		}
		if time.Since(progress) >= time.Second {
			progress = time.Now()
			loaded := m.loadedKeys.Load()
			elapsed := time.Since(m.loadStart)
			m.log.Info("loading snapshot", "keys_loaded", loaded, "keys_total", info.Keys,
				"keys_per_sec", int64(float64(loaded)/elapsed.Seconds()), "elapsed", elapsed.Round(time.Millisecond).String())
		}
		mu.Lock()
		defer mu.Unlock()
		return firstErr
	})
	if chunks != nil {
		close(chunks)
		wg.Wait()
	}
	if err != nil {
		setErr(err)
	}
	if firstErr != nil {
		return inserted, fmt.Errorf("cannot load the data directory %s: %w%s", m.st.dir, firstErr, recoveryHint(m.st.dir))
	}
	return inserted, nil
}

// replayRecordsPerLock is how many log records are replayed per hold of
// the keyspace lock during recovery.
const replayRecordsPerLock = 1024

// replayLog applies the log records after the snapshot, in order, and
// returns the last sequence number and how many records it replayed.
// unlocked says whether the caller does not hold the keyspace lock
// (Recover: it is taken per batch of records) or holds it throughout.
func (m *Manager) replayLog(unlocked bool) (last uint64, records int64, err error) {
	last = m.snap.Seq
	base, err := m.st.logBase()
	if err != nil {
		return 0, 0, err
	}
	if base > m.snap.Seq+1 {
		// appendonly was turned on and no snapshot completed after it:
		// the log does not continue the snapshot.
		m.log.Warn("the log starts after a gap the snapshot does not cover (appendonly was turned on and the snapshot it started did not complete); loading the snapshot alone",
			"log_start", base, "snapshot_seq", m.snap.Seq)
		b := m.st.db.NewBatch()
		b.DeleteRange(logKey(nil, 0), logKey(nil, 1<<64-1), nil)
		b.Delete(keyLogBase, nil)
		err := m.st.db.Apply(b, pebble.Sync)
		b.Close()
		return base - 1, 0, err
	}
	locked := false
	defer func() {
		if locked {
			m.ks.Unlock()
		}
	}()
	progress := time.Now()
	last, err = m.st.eachRecord(m.snap.Seq, func(seq uint64, effects []keyspace.Effect) error {
		if !locked && unlocked {
			m.ks.Lock()
			locked = true
		}
		if err := m.opts.Apply(effects); err != nil {
			return err
		}
		records++
		if records%replayRecordsPerLock == 0 && locked {
			m.ks.Unlock()
			locked = false
			if time.Since(progress) >= time.Second {
				progress = time.Now()
				m.log.Info("replaying the log", "records", records, "seq", seq,
					"elapsed", time.Since(m.loadStart).Round(time.Millisecond).String())
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("cannot load %s: %w%s", m.st.dir, err, recoveryHint(m.st.dir))
	}
	return last, records, nil
}

func recoveryHint(dir string) string {
	return fmt.Sprintf("\n`cairn check %s` reports what is damaged; `cairn check --fix %s` truncates the log at the first bad record, "+
		"losing the writes after it; or move the directory away to start empty", dir, dir)
}
