package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/datatypes"
)

// moduleID is the module type ID of a 9-character name and an encoding
// version, as RedisModule_CreateDataType makes it.
func moduleID(name string, ver uint64) uint64 {
	const charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var id uint64
	for _, c := range []byte(name) {
		id = id<<6 | uint64(strings.IndexByte(charset, c))
	}
	return id<<10 | ver
}

// rdbFile builds a file from its parts after the header, with a checksum.
func rdbFile(version string, parts ...string) []byte {
	b := []byte("REDIS" + version + strings.Join(parts, ""))
	return binary.LittleEndian.AppendUint64(b, crc64Update(0, b))
}

func TestLoadFile(t *testing.T) {
	var w bytes.Buffer
	fw := NewFileWriter(&w)
	fw.Aux("redis-ver", "7.0.15")
	fw.Aux("redis-bits", "64")
	fw.SelectDB(0, 2, 1)
	fw.Key([]byte("a"), datatypes.NewString([]byte("1")), 0)
	fw.Key([]byte("b"), datatypes.NewString([]byte("two")), 1234567890123)
	fw.SelectDB(15, 1, 0)
	h := datatypes.NewHash()
	h.Set(datatypes.DefaultLimits(), []byte("f"), []byte("v"))
	fw.Key([]byte("h"), h, 0)
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	written := w.Bytes()
	noChecksum := append(bytes.Clone(written[:len(written)-8]), make([]byte, 8)...)
	badChecksum := bytes.Clone(written)
	badChecksum[len(badChecksum)-1]++
	module := "\x07\x01m" + "\x81" + string(binary.BigEndian.AppendUint64(nil, moduleID("ReJSON-RL", 3))) +
		"\x02\x05" + "\x05\x03abc" + "\x04" + strings.Repeat("\x00", 8) + "\x00"
	moduleAux := "\xf9\x81" + string(binary.BigEndian.AppendUint64(nil, moduleID("mymodule1", 0))) + "\x02\x02" + "\x03" + "\x00\x00\x00\x00" + "\x00"
	stream := "\x13\x01s" + "\x01" + "\x10" + strings.Repeat("\x00", 16) + "\x01x" + // one node
		"\x01\x00\x00" + "\x00\x00\x00\x00\x01" + // length, last, first, max deleted IDs, entries added
		"\x01" + "\x01g\x00\x00\x01" + // a group: name, last ID, entries read
		"\x01" + strings.Repeat("\x00", 24) + "\x01" + // its PEL
		"\x01" + "\x01c" + strings.Repeat("\x00", 8) + "\x01" + strings.Repeat("\x00", 16) // a consumer
	tests := []struct {
		name string
		file []byte
		want string
		err  string
	}{
		{"written", written, `0 "a" "1" 0; 0 "b" "two" 1234567890123; 15 "h" listpack{"f":"v"} 0; `, ""},
		{"checksum 0", noChecksum, `0 "a" "1" 0; 0 "b" "two" 1234567890123; 15 "h" listpack{"f":"v"} 0; `, ""},
		{"bad checksum", badChecksum, "", "checksum"},
		{"version 11", rdbFile("0011", "\xff"), "", "cannot read RDB version"},
		{"not rdb", []byte("RDB00010"), "", "not an RDB file"},
		{"truncated", written[:len(written)-20], "", "corrupt"},
		{"old version, old expiry", []byte("REDIS0004\xfd\x01\x00\x00\x00\x00\x01k\x01v\xff"), `0 "k" "v" 1000; `, ""},
		{"idle and freq", rdbFile("0010", "\xf8\x05\xf7\x09\x00\x01k\x01v\xff"), `0 "k" "v" 0; `, ""},
		{"empty key skipped", rdbFile("0010", "\x02\x01e\x00\x00\x01k\x01v\xff"), `0 "k" "v" 0; `, ""},
		{"module", rdbFile("0010", module, "\xff"), `unsupported module "ReJSON-RL" "m"; `, ""},
		{"module aux", rdbFile("0010", moduleAux, "\xff"), `unsupported module aux data "mymodule1" ""; `, ""},
		{"stream", rdbFile("0010", stream, "\x00\x01k\x01v\xff"), `unsupported stream "" "s"; 0 "k" "v" 0; `, ""},
		{"function", rdbFile("0010", "\xf5\x10#!lua name=lib\nx", "\xff"), `unsupported function library "#!lua name=lib" ""; `, ""},
		{"function rc", rdbFile("0010", "\xf6\x03lib\x03lua\x00\x01x", "\xff"), `unsupported function library "#!lua name=lib" ""; `, ""},
		{"module v1", rdbFile("0010", "\x06\x01m\x00", "\xff"), "", "first format"},
		{"bad value", rdbFile("0010", "\x02\x01k\x02\x01x\x01x\xff"), "", "duplicate"},
	}
	for _, tc := range tests {
		var got strings.Builder
		l := Loader{Limits: datatypes.DefaultLimits(),
			Key: func(e Entry) error {
				var v any = e.Value
				if s, ok := v.(*datatypes.String); ok {
					v = fmt.Sprintf("%q", s.Bytes())
				}
				fmt.Fprintf(&got, "%d %q %v %d; ", e.DB, e.Key, v, e.ExpireAt)
				return nil
			},
			Unsupported: func(u Unsupported) error {
				fmt.Fprintf(&got, "unsupported %s %q %q; ", u.Kind, u.Name, u.Key)
				return nil
			},
		}
		err := l.Load(tc.file)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one about %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		} else if got.String() != tc.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tc.name, got.String(), tc.want)
		}
	}
}
