// Package rdb reads and writes Redis's RDB serialization format as Redis
// 7.0 does (RDB version 10): the values of DUMP and RESTORE, and whole
// dump.rdb files for migration. It converts between the format and
// cairn's values (package datatypes) and knows nothing of keys' storage,
// the network or the disk.
//
// A value is a type byte, then the object in that type's encoding:
//
//	type                    object
//	----------------------  --------------------------------------------------
//	0  STRING               string (below)
//	1  LIST                 len, len x string                   (read only)
//	2  SET                  len, len x string
//	3  ZSET                 len, len x (string, score as text)  (read only)
//	4  HASH                 len, len x (string, string)
//	5  ZSET_2               len, len x (string, float64 LE), highest first
//	9  HASH_ZIPMAP          string holding a zipmap             (read only)
//	10 LIST_ZIPLIST         string holding a ziplist            (read only)
//	11 SET_INTSET           string holding an intset
//	12 ZSET_ZIPLIST         string holding a ziplist            (read only)
//	13 HASH_ZIPLIST         string holding a ziplist            (read only)
//	14 LIST_QUICKLIST       len, len x ziplist strings          (read only)
//	16 HASH_LISTPACK        string holding a listpack
//	17 ZSET_LISTPACK        string holding a listpack
//	18 LIST_QUICKLIST_2     len, len x (container, string holding a node)
//
// Lengths take 1, 2, 5 or 9 bytes (rdbSaveLen). A string is a length and
// its bytes, or a special form: an integer of 8, 16 or 32 bits, or an LZF
// compressed run (rdbSaveRawString). Types 6, 7 (modules), 15 and 19
// (streams) are recognised but cairn has no such values.
package rdb

import (
	"errors"
	"fmt"
)

// Version is the RDB version Redis 7.0 writes, and the highest it reads.
const Version = 10

// Value types, as rdb.h's RDB_TYPE_*.
const (
	TypeString           = 0
	TypeList             = 1
	TypeSet              = 2
	TypeZSet             = 3
	TypeHash             = 4
	TypeZSet2            = 5
	TypeModule           = 6
	TypeModule2          = 7
	TypeHashZipmap       = 9
	TypeListZiplist      = 10
	TypeSetIntset        = 11
	TypeZSetZiplist      = 12
	TypeHashZiplist      = 13
	TypeListQuicklist    = 14
	TypeStreamListpacks  = 15
	TypeHashListpack     = 16
	TypeZSetListpack     = 17
	TypeListQuicklist2   = 18
	TypeStreamListpacks2 = 19
)

// Special encodings of lengths and strings (rdb.h).
const (
	len6Bit   = 0
	len14Bit  = 1
	lenEncVal = 3
	len32Bit  = 0x80
	len64Bit  = 0x81

	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3
)

// Quicklist node containers (quicklist.h).
const (
	containerPlain  = 1
	containerPacked = 2
)

// ErrCorrupt is wrapped by every error about malformed input.
var ErrCorrupt = errors.New("rdb: corrupt data")

// ErrEmpty is returned for a collection with no elements, which Redis
// refuses in a RESTORE payload and skips in a file.
var ErrEmpty = fmt.Errorf("%w: empty collection", ErrCorrupt)

// UnsupportedError is returned for a value of a type cairn has no
// equivalent of (streams, modules).
type UnsupportedError struct {
	Type byte
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("rdb: %s values (type %d) are not supported", e.TypeName(), e.Type)
}

// TypeName is the name of the unsupported type: "stream" or "module".
func (e *UnsupportedError) TypeName() string {
	if e.Type == TypeStreamListpacks || e.Type == TypeStreamListpacks2 {
		return "stream"
	}
	return "module"
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}
