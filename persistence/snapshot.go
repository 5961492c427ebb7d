package persistence

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/sstable"
	"github.com/cockroachdb/pebble/vfs"
)

// chunkSize is the size past which a snapshot chunk is closed: large
// enough that Pebble keeps few keys, small enough that a chunk is
// decoded quickly by one of the loading workers.
const chunkSize = 256 << 10

// sstTargetSize is the size past which a snapshot's table file is closed
// and the next one begun.
const sstTargetSize = 64 << 20

// tempSnapshotPattern matches the table files of a snapshot being written;
// those of one that never completed are removed at start.
const tempSnapshotPattern = "snapshot-*.sst.tmp"

// errAbandoned reports a snapshot stopped before it completed (SHUTDOWN,
// DEBUG RELOAD, a restart of the log).
var errAbandoned = errors.New("snapshot abandoned")

// snapshotWriter writes one snapshot. The keyspace passes it keys (add,
// under the keyspace lock), which it packs into chunks; one goroutine
// writes the chunks, in order, into table files that are ingested into
// Pebble when the snapshot is complete, and the snapshot then replaces
// the previous one in one atomic write.
type snapshotWriter struct {
	st *Store
	// info describes the snapshot being written, prev the one it
	// replaces; logBytes is the log's size when it began.
	info     SnapshotInfo
	prev     SnapshotInfo
	logBytes int64

	// Guarded by the keyspace lock: the chunk being filled, the full
	// ones not yet written, and a buffer for one value's encoding.
	cur   []byte
	ready [][]byte
	val   []byte

	// spare holds chunks written already, for reuse: a snapshot then
	// allocates a few chunks, not a heap's worth of garbage.
	spare chan []byte

	// Used by the writing goroutine only (with info's Chunks and Bytes).
	files []string
	table *sstable.Writer
}

func newSnapshotWriter(st *Store, id uint64, now int64) *snapshotWriter {
	return &snapshotWriter{st: st, info: SnapshotInfo{ID: id, Time: now, DBKeys: map[int]uint64{}},
		spare: make(chan []byte, 4)}
}

// add is the keyspace.SnapshotFunc: it appends one entry to the chunk.
//
//	uvarint db | uvarint len(key) | key | varint expireAt | uvarint len(value) | value
func (w *snapshotWriter) add(db int, key []byte, v datatypes.Value, expireAt int64) {
	w.val = AppendValue(w.val[:0], v)
	if w.cur == nil {
		select {
		case c := <-w.spare:
			w.cur = c[:0]
		default:
			w.cur = make([]byte, 0, chunkSize+chunkSize/8)
		}
	}
	c := binary.AppendUvarint(w.cur, uint64(db))
	c = binary.AppendUvarint(c, uint64(len(key)))
	c = append(c, key...)
	c = binary.AppendVarint(c, expireAt)
	c = binary.AppendUvarint(c, uint64(len(w.val)))
	c = append(c, w.val...)
	w.cur = c
	w.info.Keys++
	w.info.DBKeys[db]++
	if len(c) >= chunkSize {
		w.ready = append(w.ready, c)
		w.cur = nil
	}
	if cap(w.val) > chunkSize {
		// One huge value should not keep its buffer for the rest.
		w.val = nil
	}
}

// take hands the full chunks, and the last one if final, to the writing
// goroutine. The caller holds the keyspace lock.
func (w *snapshotWriter) take(final bool) [][]byte {
	out := w.ready
	w.ready = nil
	if final && len(w.cur) > 0 {
		out = append(out, w.cur)
		w.cur = nil
	}
	return out
}

// write appends chunks to the snapshot's table files.
func (w *snapshotWriter) write(chunks [][]byte) error {
	for _, c := range chunks {
		if w.table == nil {
			if err := w.newTable(); err != nil {
				return err
			}
		}
		if err := w.table.Set(snapKey(w.info.ID, w.info.Chunks), c); err != nil {
			return err
		}
		// The table has copied it.
		if cap(c) <= 2*chunkSize {
			select {
			case w.spare <- c:
			default:
			}
		}
		w.info.Chunks++
		w.info.Bytes += uint64(len(c))
		if w.table.EstimatedSize() >= sstTargetSize {
			if err := w.closeTable(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *snapshotWriter) newTable() error {
	name := filepath.Join(w.st.dir, fmt.Sprintf("snapshot-%d-%d.sst.tmp", w.info.ID, len(w.files)))
	f, err := vfs.Default.Create(name)
	if err != nil {
		return err
	}
	w.files = append(w.files, name)
	format := w.st.db.FormatMajorVersion().MaxTableFormat()
	w.table = sstable.NewWriter(objstorageprovider.NewFileWritable(f), w.st.opts.MakeWriterOptions(6, format))
	return nil
}

func (w *snapshotWriter) closeTable() error {
	t := w.table
	w.table = nil
	return t.Close()
}

// finish completes the snapshot: the table files join the database, then
// one synced write makes the snapshot current, deletes the previous one
// and the log records it covers. Records up to the snapshot's sequence
// must have been committed before (waitLog), or the deletion would miss
// them.
//
// Under everysec (intervalSync) a sync waits for what is left of Pebble's
// one-second interval: the write is then committed at once and synced
// with the log, and finish waits for that sync only if wait is set (a
// background snapshot; a foreground one holds the keyspace lock). A crash
// before the sync leaves the previous snapshot and the log, which are
// consistent, and this snapshot's chunks, deleted at the next start.
func (w *snapshotWriter) finish(waitLog func(seq uint64) error, intervalSync, wait bool) error {
	if w.table != nil {
		if err := w.closeTable(); err != nil {
			return err
		}
	}
	if len(w.files) > 0 {
		if err := w.st.db.Ingest(w.files); err != nil {
			return err
		}
		w.removeFiles()
	}
	if err := waitLog(w.info.Seq); err != nil {
		return err
	}
	b := w.st.db.NewBatch()
	b.Set(keySnapshot, w.info.encode(), nil)
	if prev := w.prev; prev.ID != 0 {
		// The deletion ends at the previous snapshot's last chunk, not at
		// the next ID: a range over the next snapshot's first key would
		// make Pebble flush its memtable before that snapshot's ingestion.
		b.DeleteRange(snapPrefix(prev.ID), snapKey(prev.ID, prev.Chunks), nil)
	}
	b.DeleteRange(logKey(nil, 0), logKey(nil, w.info.Seq+1), nil)
	if !intervalSync {
		defer b.Close()
		return w.st.db.Apply(b, pebble.Sync)
	}
	if err := w.st.db.ApplyNoSyncWait(b, pebble.Sync); err != nil {
		b.Close()
		return err
	}
	if !wait {
		go func() {
			b.SyncWait()
			b.Close()
		}()
		return nil
	}
	defer b.Close()
	return b.SyncWait()
}

// abort removes what was written of an incomplete snapshot.
func (w *snapshotWriter) abort() {
	if w.table != nil {
		w.closeTable()
	}
	w.removeFiles()
}

func (w *snapshotWriter) removeFiles() {
	for _, f := range w.files {
		os.Remove(f)
	}
	w.files = nil
}

// decodeChunk calls fn for each entry of a snapshot chunk. key and the
// value's bytes alias c.
func decodeChunk(c []byte, fn func(db int, key []byte, expireAt int64, value []byte) error) error {
	for len(c) > 0 {
		var db, n uint64
		var err error
		if db, c, err = uvarint(c); err != nil {
			return err
		}
		if n, c, err = uvarint(c); err != nil {
			return err
		}
		if n > uint64(len(c)) || db > 1<<31 {
			return ErrCorrupt
		}
		key := c[:n:n]
		c = c[n:]
		exp, k := binary.Varint(c)
		if k <= 0 {
			return ErrCorrupt
		}
		c = c[k:]
		if n, c, err = uvarint(c); err != nil {
			return err
		}
		if n > uint64(len(c)) {
			return ErrCorrupt
		}
		if err := fn(int(db), key, exp, c[:n:n]); err != nil {
			return err
		}
		c = c[n:]
	}
	return nil
}
