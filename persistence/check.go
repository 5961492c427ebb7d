package persistence

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cockroachdb/pebble"
)

// CheckResult is what Check found.
type CheckResult struct {
	Snapshot SnapshotInfo
	// Keys counts the snapshot's entries that decoded; Records the log
	// records after the snapshot that did, in sequence.
	Keys, Records uint64
	// Problems describes every fault found, in the order found.
	Problems []string
	// BadSeq is the sequence number of the first log record that is
	// missing or does not decode, 0 if none.
	BadSeq uint64
	// Dropped counts the records --fix deleted.
	Dropped uint64
}

// Check verifies a data directory offline, as redis-check-aof and
// redis-check-rdb do: the format version, every snapshot chunk (Pebble
// verifies its block checksums as it reads) and the decoding of every
// key, and the log after the snapshot (continuity of the sequence
// numbers, decoding of every record). With fix, the log is truncated at
// its first bad record, losing the records from there on. Progress and
// findings are written to out.
func Check(dir string, fix bool, out io.Writer) (CheckResult, error) {
	var res CheckResult
	if !hasPebbleFiles(dir) {
		return res, fmt.Errorf("%s holds no cairn data", dir)
	}
	st, err := openStore(dir, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		return res, err
	}
	defer st.Close()
	problem := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		res.Problems = append(res.Problems, msg)
		fmt.Fprintln(out, "problem:", msg)
	}
	if res.Snapshot, err = st.Snapshot(); err != nil {
		problem("%v", err)
		return res, nil
	}
	info := res.Snapshot
	if info.ID == 0 {
		fmt.Fprintln(out, "snapshot: none")
	} else {
		fmt.Fprintf(out, "snapshot %d: covers log records up to %d, %d keys in %d chunks\n", info.ID, info.Seq, info.Keys, info.Chunks)
		checkSnapshot(st, info, &res, problem)
	}

	base, err := st.logBase()
	if err != nil {
		problem("%v", err)
	}
	after := info.Seq
	if base > info.Seq+1 {
		fmt.Fprintf(out, "log: starts at %d, after a gap the snapshot does not cover; cairn will load the snapshot alone\n", base)
		after = base - 1
	}
	last, err := st.eachRecord(after, func(uint64, []keyspace.Effect) error {
		res.Records++
		return nil
	})
	if err != nil {
		problem("%v", err)
		res.BadSeq = last + 1
	}
	fmt.Fprintf(out, "log: %d records after the snapshot, up to %d\n", res.Records, last)

	if fix && res.BadSeq != 0 {
		n, err := countRecords(st, res.BadSeq)
		if err != nil {
			return res, err
		}
		b := st.db.NewBatch()
		b.DeleteRange(logKey(nil, res.BadSeq), []byte{prefixLog + 1}, nil)
		err = st.db.Apply(b, pebble.Sync)
		b.Close()
		if err != nil {
			return res, err
		}
		res.Dropped = n
		fmt.Fprintf(out, "fixed: the log is truncated before record %d (%d records dropped)\n", res.BadSeq, n)
	}
	return res, nil
}

func checkSnapshot(st *Store, info SnapshotInfo, res *CheckResult, problem func(string, ...any)) {
	lim := datatypes.DefaultLimits()
	err := st.eachChunk(info, func(n uint64, chunk []byte) error {
		err := decodeChunk(chunk, func(db int, key []byte, _ int64, value []byte) error {
			if _, err := DecodeValue(value, lim); err != nil {
				return fmt.Errorf("key %q of database %d: %w", key, db, err)
			}
			res.Keys++
			return nil
		})
		if err != nil {
			return fmt.Errorf("snapshot %d, chunk %d is corrupt: %w", info.ID, n, err)
		}
		return nil
	})
	if err != nil {
		problem("%v", err)
		return
	}
	if res.Keys != info.Keys {
		problem("snapshot %d holds %d keys, its description says %d", info.ID, res.Keys, info.Keys)
	}
}

// countRecords counts the log records from seq on.
func countRecords(st *Store, seq uint64) (uint64, error) {
	it, err := st.db.NewIter(&pebble.IterOptions{LowerBound: logKey(nil, seq), UpperBound: []byte{prefixLog + 1}})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	var n uint64
	for valid := it.First(); valid; valid = it.Next() {
		n++
	}
	return n, it.Error()
}
