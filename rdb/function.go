package rdb

import (
	"encoding/binary"
	"fmt"
)

// Function libraries are kept as their code, in a file (one FUNCTION2
// opcode per library) and in a FUNCTION DUMP payload, which is those
// opcodes and DUMP's footer:
//
//	+--------------------------+-----+---------------------+--------------+
//	| 0xf5 code (RDB string)   | ... | RDB version, 2 B LE | CRC-64, 8 B  |
//	+--------------------------+-----+---------------------+--------------+
//
// Redis 7.0's release candidates wrote 0xf6 FUNCTION: the library's name,
// its engine, a description if the length that follows is not 0, and the
// code without its "#!" line.

// FunctionError is a library that cannot be read; its text is Redis's
// (rdbFunctionLoad's).
type FunctionError struct{ Msg string }

func (e *FunctionError) Error() string { return e.Msg }

// DumpFunctions returns FUNCTION DUMP's payload of the libraries' codes,
// in the order given.
func (e *Encoder) DumpFunctions(codes [][]byte) []byte {
	var b []byte
	for _, code := range codes {
		b = e.appendString(append(b, opFunction2), code)
	}
	b = binary.LittleEndian.AppendUint16(b, Version)
	return binary.LittleEndian.AppendUint64(b, crc64Update(0, b))
}

// RestoreFunctions reads the codes of the libraries in a FUNCTION DUMP
// payload, as FUNCTION RESTORE does: ErrPayload if the footer is wrong,
// else a FunctionError. As for RESTORE, the whole payload is read: a
// library whose code runs into the footer takes its bytes.
func RestoreFunctions(payload []byte) ([][]byte, error) {
	if len(payload) < 10 {
		return nil, ErrPayload
	}
	footer := payload[len(payload)-10:]
	if binary.LittleEndian.Uint16(footer) > Version ||
		binary.LittleEndian.Uint64(footer[2:]) != crc64Update(0, payload[:len(payload)-8]) {
		return nil, ErrPayload
	}
	r := &reader{b: payload}
	var codes [][]byte
	for len(payload)-r.p > 10 {
		op, _ := r.byte()
		if op != opFunction && op != opFunction2 {
			return nil, &FunctionError{"given type is not a function"}
		}
		code, err := r.function(op)
		if err != nil {
			return nil, err
		}
		codes = append(codes, code)
	}
	return codes, nil
}

// function reads a library after its opcode (rdbFunctionLoad) and returns
// its code, a copy; the release candidates' form is given the "#!" line
// Redis makes for it.
func (r *reader) function(op byte) ([]byte, error) {
	field := func(what string) ([]byte, error) {
		b, err := r.string()
		if err != nil {
			return nil, &FunctionError{"Failed loading " + what}
		}
		return b, nil
	}
	if op == opFunction2 {
		code, err := field("library payload")
		return append([]byte(nil), code...), err
	}
	name, err := field("library name")
	if err != nil {
		return nil, err
	}
	engine, err := field("engine name")
	if err != nil {
		return nil, err
	}
	hasDesc, _, err := r.length()
	if err != nil {
		return nil, &FunctionError{"Failed loading library description indicator"}
	}
	if hasDesc != 0 {
		if _, err := field("library description"); err != nil {
			return nil, err
		}
	}
	blob, err := field("library blob")
	if err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, "#!%s name=%s\n%s", engine, name, blob), nil
}
