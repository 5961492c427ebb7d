// Package persistence keeps the keyspace on disk, in one Pebble database
// under the data directory (FORMAT.md): an append-only log of every unit
// of work (log.go), point-in-time snapshots written without fork by
// copy-on-write at the level of keys (snapshot.go, with
// keyspace/snapshot.go), recovery at start (recover.go), the offline check
// (check.go), and the Manager that ties them to the commands (manager.go).
//
// This file defines the record format of the log: one record per unit of
// work (a pipeline batch, an EXEC, an expiry tick), so that a unit is
// written, and replayed, entirely or not at all.
//
// Record layout (all integers are unsigned varints, as encoding/binary's
// Uvarint):
//
//	+---------+----------------------------------------------------+
//	| count   | number of effects in the record                    |
//	+---------+----------------------------------------------------+
//	| effect  | repeated count times:                              |
//	|         |   db     database index                            |
//	|         |   argc   number of arguments (>= 1)                |
//	|         |   arg    repeated argc times: len, then len bytes  |
//	+---------+----------------------------------------------------+
//
// An effect is a command in its deterministic form (SET k v PXAT t, DEL k,
// PEXPIREAT k t, FLUSHALL...), which replays through the ordinary command
// table in loading mode.
package persistence

import (
	"encoding/binary"
	"errors"

	"github.com/cairn-db/cairn/keyspace"
)

// ErrCorrupt reports a record that does not decode.
var ErrCorrupt = errors.New("persistence: corrupt record")

// AppendRecord appends the encoding of effects to dst.
func AppendRecord(dst []byte, effects []keyspace.Effect) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(effects)))
	for _, e := range effects {
		dst = binary.AppendUvarint(dst, uint64(e.DB))
		dst = binary.AppendUvarint(dst, uint64(len(e.Args)))
		for _, a := range e.Args {
			dst = binary.AppendUvarint(dst, uint64(len(a)))
			dst = append(dst, a...)
		}
	}
	return dst
}

// DecodeRecord decodes a record. The arguments alias b.
func DecodeRecord(b []byte) ([]keyspace.Effect, error) {
	count, b, err := uvarint(b)
	if err != nil {
		return nil, err
	}
	// Every effect takes at least three bytes: a bound on count that
	// keeps a corrupt header from allocating without limit.
	if count > uint64(len(b))/3 {
		return nil, ErrCorrupt
	}
	effects := make([]keyspace.Effect, 0, count)
	for range count {
		var db, argc uint64
		if db, b, err = uvarint(b); err != nil {
			return nil, err
		}
		if argc, b, err = uvarint(b); err != nil {
			return nil, err
		}
		if argc == 0 || argc > uint64(len(b)) || db > 1<<31 {
			return nil, ErrCorrupt
		}
		args := make([][]byte, argc)
		for i := range args {
			var n uint64
			if n, b, err = uvarint(b); err != nil {
				return nil, err
			}
			if n > uint64(len(b)) {
				return nil, ErrCorrupt
			}
			args[i], b = b[:n:n], b[n:]
		}
		effects = append(effects, keyspace.Effect{DB: int(db), Args: args})
	}
	if len(b) != 0 {
		return nil, ErrCorrupt
	}
	return effects, nil
}

func uvarint(b []byte) (uint64, []byte, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, ErrCorrupt
	}
	return v, b[n:], nil
}
