package rdb

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/cairn-db/cairn/datatypes"
)

// A dump.rdb file (rdbSaveRio) is a header, opcodes and keys, an EOF
// opcode and a checksum:
//
//	"REDIS0010"
//	0xfa AUX key value              repeated: "redis-ver", "ctime"...
//	0xfe SELECTDB db                then, per database:
//	0xfb RESIZEDB keys expires
//	[0xfc EXPIRETIME_MS t (8 B LE)] [0xf8 IDLE s] [0xf7 FREQ f (1 B)]
//	type key value                  repeated, one per key
//	0xff EOF
//	CRC-64 of all the above, 8 B LE (0: not computed)
//
// Older files may also hold 0xfd EXPIRETIME (4 B seconds); Redis 7.0's
// hold 0xf5 FUNCTION2 (a function library's code) and 0xf9 MODULE_AUX.
const (
	opFunction     = 0xf6 // Redis 7.0 release candidates
	opFunction2    = 0xf5
	opModuleAux    = 0xf9
	opIdle         = 0xf8
	opFreq         = 0xf7
	opAux          = 0xfa
	opResizeDB     = 0xfb
	opExpireTimeMS = 0xfc
	opExpireTime   = 0xfd
	opSelectDB     = 0xfe
	opEOF          = 0xff
)

// Module serialization opcodes (RDB_MODULE_OPCODE_*).
const (
	moduleEOF    = 0
	moduleSInt   = 1
	moduleUInt   = 2
	moduleFloat  = 3
	moduleDouble = 4
	moduleString = 5
)

// FileWriter writes a dump.rdb as Redis 7.0's SAVE does.
type FileWriter struct {
	w   io.Writer
	crc uint64
	enc Encoder
	buf []byte
	err error
}

// NewFileWriter starts a file on w with the header.
func NewFileWriter(w io.Writer) *FileWriter {
	f := &FileWriter{w: w}
	f.write(fmt.Appendf(nil, "REDIS%04d", Version))
	return f
}

// write checksums b and writes it, remembering the first error.
func (f *FileWriter) write(b []byte) {
	if f.err != nil {
		return
	}
	f.crc = crc64Update(f.crc, b)
	_, f.err = f.w.Write(b)
}

// Aux writes an AUX field (rdbSaveAuxField).
func (f *FileWriter) Aux(key, value string) {
	b := append(f.buf[:0], opAux)
	b = f.enc.appendString(b, []byte(key))
	f.buf = f.enc.appendString(b, []byte(value))
	f.write(f.buf)
}

// SelectDB starts database db, which holds keys keys of which expires
// have an expiry time (SELECTDB and RESIZEDB).
func (f *FileWriter) SelectDB(db, keys, expires int) {
	b := appendLen(append(f.buf[:0], opSelectDB), uint64(db))
	b = appendLen(append(b, opResizeDB), uint64(keys))
	f.buf = appendLen(b, uint64(expires))
	f.write(f.buf)
}

// Key writes a key of the current database with its value and its expiry
// time in Unix milliseconds, 0 for none (rdbSaveKeyValuePair).
func (f *FileWriter) Key(key []byte, v datatypes.Value, expireAt int64) {
	b := f.buf[:0]
	if expireAt != 0 {
		b = binary.LittleEndian.AppendUint64(append(b, opExpireTimeMS), uint64(expireAt))
	}
	b = f.enc.appendString(append(b, typeOf(v)), key)
	f.buf = f.enc.appendObject(b, v)
	f.write(f.buf)
}

// Function writes a function library's code (rdbSaveFunctions), which
// Redis writes after the AUX fields, before the databases.
func (f *FileWriter) Function(code []byte) {
	f.buf = f.enc.appendString(append(f.buf[:0], opFunction2), code)
	f.write(f.buf)
}

// Close writes the EOF opcode and the checksum; it does not close the
// underlying writer.
func (f *FileWriter) Close() error {
	f.write([]byte{opEOF})
	f.write(binary.LittleEndian.AppendUint64(nil, f.crc))
	return f.err
}

// Entry is a key read from a file.
type Entry struct {
	DB    int
	Key   []byte
	Value datatypes.Value
	// ExpireAt is the expiry time in Unix milliseconds, 0 for none.
	ExpireAt int64
}

// Unsupported is something in a file that cairn has no equivalent of: a
// key holding a stream or a module's value (Key set), a function
// library, or a module's auxiliary data.
type Unsupported struct {
	// Kind is "stream", "module", "function library" or "module aux data".
	Kind string
	// Name is a module's type name, or the start of a library's code.
	Name string
	DB   int
	Key  []byte
}

// Loader reads a dump.rdb as rdbLoadRio does.
type Loader struct {
	// Limits choose the encodings of the values, as Redis's on load.
	Limits datatypes.Limits
	// Key receives each key (expired ones too: the caller decides, as
	// Redis skips them on a master). The entry does not alias the file.
	Key func(Entry) error
	// Unsupported is told of what cairn cannot hold, once it has been
	// read past; an error stops the load. A module value of the first
	// module format (type 6) cannot be read past, and stops it anyway.
	Unsupported func(Unsupported) error
	// Function, if set, receives the code of each function library
	// (which does not alias the file); if not, libraries are
	// unsupported.
	Function func(code []byte) error
	// Empty counts the keys skipped because their collection was empty,
	// as Redis skips them.
	Empty int
}

// Load reads the file data. The checksum is verified unless it is 0
// (rdbchecksum no), or the file predates RDB version 5.
func (l *Loader) Load(data []byte) error {
	if len(data) < 9 || string(data[:5]) != "REDIS" {
		return corrupt("not an RDB file")
	}
	ver, err := strconv.Atoi(string(data[5:9]))
	if err != nil || ver < 1 || ver > Version {
		return fmt.Errorf("rdb: cannot read RDB version %q", data[5:9])
	}
	r := &reader{b: data, p: 9}
	db := 0
	var expireAt int64
	for {
		op, err := r.byte()
		if err != nil {
			return err
		}
		switch op {
		case opEOF:
			return l.checksum(r, ver)
		case opSelectDB:
			n, enc, err := r.length()
			if err != nil || enc || n > math.MaxInt32 {
				return corrupt("database number")
			}
			db = int(n)
			continue
		case opResizeDB:
			// Sizes to expect: a hint only.
			if _, _, err := r.length(); err != nil {
				return err
			}
			if _, _, err := r.length(); err != nil {
				return err
			}
			continue
		case opExpireTime:
			b, err := r.next(4)
			if err != nil {
				return err
			}
			expireAt = int64(int32(binary.LittleEndian.Uint32(b))) * 1000
			continue
		case opExpireTimeMS:
			b, err := r.next(8)
			if err != nil {
				return err
			}
			expireAt = int64(binary.LittleEndian.Uint64(b))
			continue
		case opIdle:
			// Eviction data: cairn's snapshot keeps none.
			if _, _, err := r.length(); err != nil {
				return err
			}
			continue
		case opFreq:
			if _, err := r.byte(); err != nil {
				return err
			}
			continue
		case opAux:
			if _, err := r.string(); err != nil {
				return err
			}
			if _, err := r.string(); err != nil {
				return err
			}
			continue
		case opModuleAux:
			id, _, err := r.length()
			if err != nil {
				return err
			}
			if whenOp, _, err := r.length(); err != nil || whenOp != moduleUInt {
				return corrupt("module aux data")
			}
			if _, _, err := r.length(); err != nil {
				return err
			}
			if err := r.skipModuleValue(); err != nil {
				return err
			}
			if err := l.unsupported(Unsupported{Kind: "module aux data", Name: moduleName(id), DB: db}); err != nil {
				return err
			}
			continue
		case opFunction, opFunction2:
			code, err := r.function(op)
			if err != nil {
				return err
			}
			if l.Function != nil {
				if err := l.Function(code); err != nil {
					return err
				}
				continue
			}
			if err := l.unsupported(Unsupported{Kind: "function library", Name: firstLine(code), DB: db}); err != nil {
				return err
			}
			continue
		}
		key, err := r.string()
		if err != nil {
			return err
		}
		key = append([]byte(nil), key...)
		at := expireAt
		expireAt = 0
		switch op {
		case TypeStreamListpacks, TypeStreamListpacks2:
			if err := r.skipStream(op); err != nil {
				return err
			}
			if err := l.unsupported(Unsupported{Kind: "stream", DB: db, Key: key}); err != nil {
				return err
			}
			continue
		case TypeModule2:
			id, _, err := r.length()
			if err != nil {
				return err
			}
			if err := r.skipModuleValue(); err != nil {
				return err
			}
			if err := l.unsupported(Unsupported{Kind: "module", Name: moduleName(id), DB: db, Key: key}); err != nil {
				return err
			}
			continue
		case TypeModule:
			return fmt.Errorf("rdb: key %q holds a value of a module's first format, which cannot be read without the module", key)
		}
		v, err := r.value(op, l.Limits)
		switch {
		case err == ErrEmpty:
			l.Empty++
			continue
		case err != nil:
			return fmt.Errorf("key %q: %w", key, err)
		}
		if err := l.Key(Entry{DB: db, Key: key, Value: v, ExpireAt: at}); err != nil {
			return err
		}
	}
}

func (l *Loader) unsupported(u Unsupported) error {
	if l.Unsupported == nil {
		return fmt.Errorf("rdb: unsupported %s", u.Kind)
	}
	return l.Unsupported(u)
}

// checksum reads and checks the checksum after the EOF opcode.
func (l *Loader) checksum(r *reader, ver int) error {
	if ver < 5 {
		return nil
	}
	want := crc64Update(0, r.b[:r.p])
	b, err := r.next(8)
	if err != nil {
		return err
	}
	if got := binary.LittleEndian.Uint64(b); got != 0 && got != want {
		return corrupt("checksum %#x, computed %#x", got, want)
	}
	return nil
}

// firstLine returns the first line of b, at most 80 bytes.
func firstLine(b []byte) string {
	for i, c := range b {
		if c == '\n' || i == 80 {
			return string(b[:i])
		}
	}
	return string(b)
}

// moduleName is moduleTypeNameByID: the 9-character type name in the top
// 54 bits of a module type ID.
func moduleName(id uint64) string {
	const charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var name [9]byte
	id >>= 10
	for j := 8; j >= 0; j-- {
		name[j] = charset[id&63]
		id >>= 6
	}
	return string(name[:])
}

// skipModuleValue reads past a module value of the second format, which
// says what each of its items is (rdbLoadCheckModuleValue).
func (r *reader) skipModuleValue() error {
	for {
		op, _, err := r.length()
		if err != nil {
			return err
		}
		switch op {
		case moduleEOF:
			return nil
		case moduleSInt, moduleUInt:
			_, _, err = r.length()
		case moduleString:
			_, err = r.string()
		case moduleFloat:
			_, err = r.next(4)
		case moduleDouble:
			_, err = r.next(8)
		default:
			return corrupt("module opcode %d", op)
		}
		if err != nil {
			return err
		}
	}
}

// skipStream reads past a stream (RDB_TYPE_STREAM_LISTPACKS and _2).
func (r *reader) skipStream(typ byte) error {
	lens := func(n int) error {
		for range n {
			if _, _, err := r.length(); err != nil {
				return err
			}
		}
		return nil
	}
	nodes, err := r.count(2)
	if err != nil {
		return err
	}
	for range 2 * nodes { // master ID and listpack of each node
		if _, err := r.string(); err != nil {
			return err
		}
	}
	// Length and last ID; then first ID, maximal deleted ID and entries
	// added in the second form.
	meta := 3
	if typ == TypeStreamListpacks2 {
		meta = 8
	}
	if err := lens(meta); err != nil {
		return err
	}
	groups, err := r.count(3)
	if err != nil {
		return err
	}
	for range groups {
		if _, err := r.string(); err != nil {
			return err
		}
		idLens := 2 // last delivered ID; and entries read in the second form
		if typ == TypeStreamListpacks2 {
			idLens = 3
		}
		if err := lens(idLens); err != nil {
			return err
		}
		pel, err := r.count(18)
		if err != nil {
			return err
		}
		for range pel { // ID, delivery time, delivery count
			if _, err := r.next(24); err != nil {
				return err
			}
			if err := lens(1); err != nil {
				return err
			}
		}
		consumers, err := r.count(10)
		if err != nil {
			return err
		}
		for range consumers { // name, seen time, PEL of IDs
			if _, err := r.string(); err != nil {
				return err
			}
			if _, err := r.next(8); err != nil {
				return err
			}
			ids, err := r.count(16)
			if err != nil {
				return err
			}
			if _, err := r.next(16 * ids); err != nil {
				return err
			}
		}
	}
	return nil
}
