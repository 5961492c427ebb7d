package persistence

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cairn-db/cairn/keyspace"
	"github.com/cockroachdb/pebble"
)

// FormatVersion is the version of the layout described in FORMAT.md. A
// data directory written with a newer one is refused.
const FormatVersion = 1

// Keys of the Pebble database (FORMAT.md). They sort as: log records,
// then metadata, then snapshot chunks.
const (
	prefixLog  = 'l'
	prefixMeta = 'm'
	prefixSnap = 's'
)

var (
	keyVersion  = []byte("mversion")
	keySnapshot = []byte("msnapshot")
	keyLogBase  = []byte("mlogbase")
)

// memTableSize is Pebble's memtable size: large enough that a busy log
// flushes about once a second, small enough to cost little memory.
const memTableSize = 16 << 20

// l0Files is the number of memtables' worth of files L0 holds before it
// is compacted; see openStore.
const l0Files = 64

// logKey is the key of the log record with sequence number seq.
func logKey(dst []byte, seq uint64) []byte {
	dst = append(dst, prefixLog)
	return binary.BigEndian.AppendUint64(dst, seq)
}

// snapKey is the key of chunk n of snapshot id.
func snapKey(id, n uint64) []byte {
	k := []byte{prefixSnap}
	k = binary.BigEndian.AppendUint64(k, id)
	return binary.BigEndian.AppendUint64(k, n)
}

// snapPrefix is the first key of snapshot id's chunks; snapPrefix(id+1)
// ends them.
func snapPrefix(id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixSnap}, id)
}

// SnapshotInfo describes the current snapshot (the msnapshot value).
type SnapshotInfo struct {
	// ID numbers snapshots; 0 means there is none.
	ID uint64
	// Seq is the sequence number of the last log record it covers.
	Seq uint64
	// Time is when it was begun, in Unix milliseconds.
	Time int64
	// Keys and Chunks count what it holds; Bytes is the size of its chunks.
	Keys, Chunks, Bytes uint64
	// DBKeys counts the keys of each database it holds, by index.
	DBKeys map[int]uint64
	// Libraries are the code of the function libraries, which are part
	// of the data (FUNCTION LOAD); small enough to live here.
	Libraries [][]byte
}

func (s SnapshotInfo) encode() []byte {
	b := binary.AppendUvarint(nil, s.ID)
	b = binary.AppendUvarint(b, s.Seq)
	b = binary.AppendVarint(b, s.Time)
	b = binary.AppendUvarint(b, s.Keys)
	b = binary.AppendUvarint(b, s.Chunks)
	b = binary.AppendUvarint(b, s.Bytes)
	b = binary.AppendUvarint(b, uint64(len(s.DBKeys)))
	// In index order: the same description always encodes to the same bytes.
	for _, db := range slices.Sorted(maps.Keys(s.DBKeys)) {
		b = binary.AppendUvarint(b, uint64(db))
		b = binary.AppendUvarint(b, s.DBKeys[db])
	}
	// Only a snapshot with libraries has the field, so that a directory
	// without any stays readable by a cairn that predates them.
	if len(s.Libraries) > 0 {
		b = binary.AppendUvarint(b, uint64(len(s.Libraries)))
		for _, code := range s.Libraries {
			b = binary.AppendUvarint(b, uint64(len(code)))
			b = append(b, code...)
		}
	}
	return b
}

func decodeSnapshotInfo(b []byte) (SnapshotInfo, error) {
	var s SnapshotInfo
	var err error
	fields := []*uint64{&s.ID, &s.Seq, nil, &s.Keys, &s.Chunks, &s.Bytes}
	for _, f := range fields {
		if f == nil {
			v, n := binary.Varint(b)
			if n <= 0 {
				return s, ErrCorrupt
			}
			s.Time, b = v, b[n:]
			continue
		}
		if *f, b, err = uvarint(b); err != nil {
			return s, err
		}
	}
	var n uint64
	if n, b, err = uvarint(b); err != nil {
		return s, err
	}
	if n > uint64(len(b))/2 {
		return s, ErrCorrupt
	}
	s.DBKeys = make(map[int]uint64, n)
	for range n {
		var db, keys uint64
		if db, b, err = uvarint(b); err != nil {
			return s, err
		}
		if keys, b, err = uvarint(b); err != nil {
			return s, err
		}
		if db > 1<<31 {
			return s, ErrCorrupt
		}
		s.DBKeys[int(db)] = keys
	}
	if len(b) == 0 {
		return s, nil
	}
	if n, b, err = uvarint(b); err != nil {
		return s, err
	}
	if n == 0 || n > uint64(len(b)) {
		return s, ErrCorrupt
	}
	s.Libraries = make([][]byte, n)
	for i := range s.Libraries {
		var size uint64
		if size, b, err = uvarint(b); err != nil {
			return s, err
		}
		if size > uint64(len(b)) {
			return s, ErrCorrupt
		}
		s.Libraries[i], b = b[:size:size], b[size:]
	}
	if len(b) != 0 {
		return s, ErrCorrupt
	}
	return s, nil
}

// Store is the Pebble database under the data directory.
type Store struct {
	db   *pebble.DB
	opts *pebble.Options
	dir  string
	log  *slog.Logger
}

// openStore opens the data directory, creating it if it is new. It refuses a
// directory written by a newer format, and one that holds Pebble files
// but not the database's root (a partial copy, a deleted CURRENT), which
// Pebble would otherwise take for a new, empty database.
func openStore(dir string, log *slog.Logger, walSyncInterval func() time.Duration) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	opts := &pebble.Options{
		MemTableSize:       memTableSize,
		Logger:             pebbleLogger{log},
		WALMinSyncInterval: walSyncInterval,
		// Log records reach L0 when a memtable is flushed and die there,
		// deleted by the next snapshot (which auto-aof-rewrite starts by
		// the time the log is as large as the data set): compacting them
		// would spend on rewriting what is about to go the CPU the
		// commands need. L0 is compacted only once it holds about 1 GiB.
		L0CompactionThreshold:     l0Files,
		L0CompactionFileThreshold: l0Files,
		L0StopWritesThreshold:     4 * l0Files,
		Levels:                    make([]pebble.LevelOptions, 7),
	}
	if hasPebbleFiles(dir) {
		opts.ErrorIfNotExists = true
	}
	opts.EnsureDefaults()
	// Nor is it worth compressing them on the way. Snapshot chunks go to
	// the last level, and stay compressed.
	for i := range len(opts.Levels) - 1 {
		opts.Levels[i].Compression = pebble.NoCompression
	}
	db, err := pebble.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("cannot open the data directory %s: %w%s", dir, err, recoveryHint(dir))
	}
	s := &Store{db: db, opts: opts, dir: dir, log: log}
	if err := s.checkVersion(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func hasPebbleFiles(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		n := e.Name()
		if n == "CURRENT" || strings.HasPrefix(n, "MANIFEST-") || strings.HasSuffix(n, ".sst") || strings.HasSuffix(n, ".log") {
			return true
		}
	}
	return false
}

func (s *Store) checkVersion() error {
	v, closer, err := s.db.Get(keyVersion)
	if errors.Is(err, pebble.ErrNotFound) {
		return s.db.Set(keyVersion, binary.AppendUvarint(nil, FormatVersion), pebble.Sync)
	}
	if err != nil {
		return fmt.Errorf("cannot read the format version in %s: %w%s", s.dir, err, recoveryHint(s.dir))
	}
	defer closer.Close()
	n, k := binary.Uvarint(v)
	if k <= 0 || k != len(v) {
		return fmt.Errorf("the format version in %s is corrupt (%x)", s.dir, v)
	}
	if n > FormatVersion {
		return fmt.Errorf("the data directory %s was written by a newer cairn (format version %d); this cairn reads up to version %d", s.dir, n, FormatVersion)
	}
	return nil
}

// Dir is the data directory.
func (s *Store) Dir() string { return s.dir }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Snapshot returns the current snapshot's description.
func (s *Store) Snapshot() (SnapshotInfo, error) {
	v, closer, err := s.db.Get(keySnapshot)
	if errors.Is(err, pebble.ErrNotFound) {
		return SnapshotInfo{}, nil
	}
	if err != nil {
		return SnapshotInfo{}, err
	}
	defer closer.Close()
	info, err := decodeSnapshotInfo(v)
	if err != nil {
		return info, fmt.Errorf("the snapshot description in %s is corrupt", s.dir)
	}
	return info, nil
}

// logBase returns the first sequence number the log holds without gaps
// after a snapshot that covers less (appendonly turned on at run time),
// or 0.
func (s *Store) logBase() (uint64, error) {
	v, closer, err := s.db.Get(keyLogBase)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	n, k := binary.Uvarint(v)
	if k <= 0 {
		return 0, fmt.Errorf("the log base in %s is corrupt", s.dir)
	}
	return n, nil
}

// removeTempFiles deletes the files of snapshots that did not complete.
func (s *Store) removeTempFiles() {
	files, _ := filepath.Glob(filepath.Join(s.dir, tempSnapshotPattern))
	for _, f := range files {
		os.Remove(f)
	}
}

// pebbleLogger sends Pebble's messages to cairn's log.
type pebbleLogger struct{ log *slog.Logger }

func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug("pebble: " + strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Warn("pebble: " + strings.TrimSpace(fmt.Sprintf(format, args...)))
}

// Fatalf is called by Pebble on errors it cannot recover from (a failed
// MANIFEST write, a broken commit pipeline). cairn checks the disk before
// it writes, so that ordinary faults (full, read-only) never get here.
func (l pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.log.Error("pebble: fatal: " + msg)
	panic("pebble: " + msg)
}

// cleanSnapshots deletes the chunks of snapshots other than cur (ones
// that did not complete, or whose replacement did not finish deleting
// them) and returns the first unused snapshot ID. The deletions cover only
// IDs in use: a range deletion over future snapshots' keys would make
// Pebble flush its memtable before every ingestion.
func (s *Store) cleanSnapshots(cur SnapshotInfo) (uint64, error) {
	s.removeTempFiles()
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixSnap}, UpperBound: []byte{prefixSnap + 1}})
	if err != nil {
		return 0, err
	}
	first, last := cur.ID, cur.ID
	if it.First() && len(it.Key()) >= 9 {
		first = min(first, binary.BigEndian.Uint64(it.Key()[1:9]))
	}
	if it.Last() && len(it.Key()) >= 9 {
		last = max(last, binary.BigEndian.Uint64(it.Key()[1:9]))
	}
	if err := it.Close(); err != nil {
		return 0, fmt.Errorf("reading the snapshots in %s: %w", s.dir, err)
	}
	b := s.db.NewBatch()
	defer b.Close()
	if first < cur.ID {
		b.DeleteRange(snapPrefix(first), snapPrefix(cur.ID), nil)
	}
	if last > cur.ID {
		b.DeleteRange(snapPrefix(cur.ID+1), snapKey(last, math.MaxUint64), nil)
	}
	if !b.Empty() {
		if err := s.db.Apply(b, pebble.Sync); err != nil {
			return 0, err
		}
	}
	return last + 1, nil
}

// eachChunk calls fn with each chunk of snapshot info, in order, and
// checks that they are numbered from 0 without a gap and that there are as
// many as the description says. It stops at the first fault or error of
// fn; the chunk is valid only during the call.
func (s *Store) eachChunk(info SnapshotInfo, fn func(n uint64, chunk []byte) error) error {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: snapPrefix(info.ID), UpperBound: snapPrefix(info.ID + 1)})
	if err != nil {
		return err
	}
	defer it.Close()
	var n uint64
	for valid := it.First(); valid; valid = it.Next() {
		key := it.Key()
		if len(key) != 17 {
			return fmt.Errorf("snapshot %d has a malformed chunk key %x", info.ID, key)
		}
		if got := binary.BigEndian.Uint64(key[9:]); got != n {
			return fmt.Errorf("snapshot %d is missing chunk %d (found chunk %d)", info.ID, n, got)
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return fmt.Errorf("reading snapshot %d, chunk %d: %w", info.ID, n, err)
		}
		if err := fn(n, v); err != nil {
			return err
		}
		n++
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("reading snapshot %d: %w", info.ID, err)
	}
	if n != info.Chunks {
		return fmt.Errorf("snapshot %d has %d chunks, its description says %d", info.ID, n, info.Chunks)
	}
	return nil
}

// eachRecord calls fn with the effects of each log record after the one
// numbered after, in order. It stops at the first record that is missing
// (a gap in the numbering), unreadable or undecodable, or that fn
// refuses, and returns the number of the last record passed: the faulty
// one, if any, is the next.
func (s *Store) eachRecord(after uint64, fn func(seq uint64, effects []keyspace.Effect) error) (last uint64, err error) {
	last = after
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: logKey(nil, after+1), UpperBound: []byte{prefixLog + 1}})
	if err != nil {
		return last, err
	}
	defer it.Close()
	for valid := it.First(); valid; valid = it.Next() {
		key := it.Key()
		if len(key) != 9 {
			return last, fmt.Errorf("malformed log key %x after record %d", key, last)
		}
		seq := binary.BigEndian.Uint64(key[1:])
		if seq != last+1 {
			return last, fmt.Errorf("log record %d is missing (the next one is %d)", last+1, seq)
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return last, fmt.Errorf("reading log record %d: %w", seq, err)
		}
		effects, err := DecodeRecord(v)
		if err != nil {
			return last, fmt.Errorf("log record %d is corrupt: %w", seq, err)
		}
		if err := fn(seq, effects); err != nil {
			return last, fmt.Errorf("log record %d: %w", seq, err)
		}
		last = seq
	}
	if err := it.Error(); err != nil {
		return last, fmt.Errorf("reading the log after record %d: %w", last, err)
	}
	return last, nil
}
