package rdb

import (
	"encoding/binary"
	"errors"

	"github.com/cairn-db/cairn/datatypes"
)

// A DUMP payload is a value (type byte and object) and a footer:
//
//	+-------+--------+---------------------+------------------------------+
//	| type  | object | RDB version, 2 B LE | CRC-64 of all before, 8 B LE |
//	+-------+--------+---------------------+------------------------------+

// ErrPayload is the error of a payload whose footer is wrong: too short,
// from a later RDB version, or with a checksum that does not match.
var ErrPayload = errors.New("rdb: DUMP payload version or checksum are wrong")

// Dump returns v's DUMP payload, as Redis's createDumpPayload.
func (e *Encoder) Dump(v datatypes.Value) []byte {
	b := e.AppendValue(nil, v)
	b = binary.LittleEndian.AppendUint16(b, Version)
	return binary.LittleEndian.AppendUint64(b, crc64Update(0, b))
}

// Restore decodes a DUMP payload. It fails with ErrPayload if the footer
// is wrong (verifyDumpPayload: any version up to Version is accepted), and
// otherwise as DecodeValue does. As in Redis, the object is read from the
// whole payload: bytes left before the footer are ignored, and an object
// that runs into the footer takes its bytes.
func Restore(payload []byte, lim datatypes.Limits) (datatypes.Value, error) {
	if len(payload) < 10 {
		return nil, ErrPayload
	}
	footer := payload[len(payload)-10:]
	if binary.LittleEndian.Uint16(footer) > Version ||
		binary.LittleEndian.Uint64(footer[2:]) != crc64Update(0, payload[:len(payload)-8]) {
		return nil, ErrPayload
	}
	v, _, err := DecodeValue(payload[0], payload[1:], lim)
	return v, err
}
