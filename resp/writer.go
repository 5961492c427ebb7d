// Package resp writes replies in RESP2 and RESP3, holds Redis's error texts
// and parses and formats numbers exactly as Redis does.
package resp

import (
	"strconv"
)

// Writer appends replies to an in-memory buffer. The server flushes the
// buffer once per pipeline batch, so a batch of N commands costs one write.
//
// Proto selects the wire protocol: 2 or 3 (after HELLO 3). RESP3-only types
// degrade to their RESP2 forms exactly as Redis degrades them.
type Writer struct {
	buf   []byte
	Proto int
	// Errors counts the error replies written, for INFO's error stats.
	Errors int64
}

// NewWriter returns a writer speaking RESP2.
func NewWriter() *Writer { return &Writer{Proto: 2} }

// Bytes returns what has been written since the last Reset.
func (w *Writer) Bytes() []byte { return w.buf }

// Len is the number of bytes written since the last Reset.
func (w *Writer) Len() int { return len(w.buf) }

// Reset empties the buffer, keeping its storage unless a large reply grew
// it past what a connection should hold on to while idle.
func (w *Writer) Reset() {
	if cap(w.buf) > maxRetainedBuffer {
		w.buf = nil
		return
	}
	w.buf = w.buf[:0]
}

const maxRetainedBuffer = 64 << 10

// Truncate drops everything written after offset n, so a reply that must
// be suppressed (CLIENT REPLY OFF/SKIP) can be undone.
func (w *Writer) Truncate(n int) { w.buf = w.buf[:n] }

// Raw appends bytes that are already RESP encoded.
func (w *Writer) Raw(b []byte) { w.buf = append(w.buf, b...) }

// OK writes +OK.
func (w *Writer) OK() { w.buf = append(w.buf, "+OK\r\n"...) }

// Status writes a simple string. s must not contain CR or LF.
func (w *Writer) Status(s string) {
	w.buf = append(w.buf, '+')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// Error writes an error reply. msg is the full text including its code
// ("ERR ...", "WRONGTYPE ..."); CR and LF are replaced by spaces, as Redis
// does, so that an error can never break the framing.
func (w *Writer) Error(msg string) {
	w.Errors++
	w.buf = append(w.buf, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.buf = append(w.buf, c)
	}
	w.buf = append(w.buf, '\r', '\n')
}

// Int writes an integer.
func (w *Writer) Int(n int64) {
	w.buf = append(w.buf, ':')
	w.buf = strconv.AppendInt(w.buf, n, 10)
	w.buf = append(w.buf, '\r', '\n')
}

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) {
	w.buf = append(w.buf, '$')
	w.buf = strconv.AppendInt(w.buf, int64(len(b)), 10)
	w.buf = append(w.buf, '\r', '\n')
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkString writes a bulk string.
func (w *Writer) BulkString(s string) {
	w.buf = append(w.buf, '$')
	w.buf = strconv.AppendInt(w.buf, int64(len(s)), 10)
	w.buf = append(w.buf, '\r', '\n')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkInt writes n as a bulk string, as Redis does for numbers that are
// values rather than counts (INCRBYFLOAT, HGET of a number...).
func (w *Writer) BulkInt(n int64) {
	var tmp [20]byte
	w.Bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// Null writes the null bulk string ($-1 in RESP2, _ in RESP3).
func (w *Writer) Null() {
	if w.Proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "$-1\r\n"...)
}

// NullArray writes the null array (*-1 in RESP2, _ in RESP3).
func (w *Writer) NullArray() {
	if w.Proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "*-1\r\n"...)
}

// Array writes the header of an array of n elements.
func (w *Writer) Array(n int) { w.header('*', n) }

// Map writes the header of a map of n key/value pairs; in RESP2 it is a
// flat array of 2n elements.
func (w *Writer) Map(n int) {
	if w.Proto >= 3 {
		w.header('%', n)
		return
	}
	w.header('*', 2*n)
}

// Set writes the header of a set of n elements; an array in RESP2.
func (w *Writer) Set(n int) {
	if w.Proto >= 3 {
		w.header('~', n)
		return
	}
	w.header('*', n)
}

// Push writes the header of an out-of-band push message of n elements; an
// array in RESP2.
func (w *Writer) Push(n int) {
	if w.Proto >= 3 {
		w.header('>', n)
		return
	}
	w.header('*', n)
}

// Double writes a floating point value: a RESP3 double, or in RESP2 a bulk
// string formatted as Redis 7.0 formats doubles (%.17g).
func (w *Writer) Double(f float64) {
	if w.Proto >= 3 {
		w.buf = append(w.buf, ',')
		w.buf = AppendDouble(w.buf, f)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	var tmp [32]byte
	w.Bulk(AppendDouble(tmp[:0], f))
}

// Bool writes a RESP3 boolean, or the integers 1 and 0 in RESP2.
func (w *Writer) Bool(b bool) {
	if w.Proto >= 3 {
		if b {
			w.buf = append(w.buf, "#t\r\n"...)
		} else {
			w.buf = append(w.buf, "#f\r\n"...)
		}
		return
	}
	if b {
		w.buf = append(w.buf, ":1\r\n"...)
	} else {
		w.buf = append(w.buf, ":0\r\n"...)
	}
}

// Verbatim writes a RESP3 verbatim string with a three letter format
// ("txt", "mkd"), or a plain bulk string in RESP2.
func (w *Writer) Verbatim(format, s string) {
	if w.Proto < 3 {
		w.BulkString(s)
		return
	}
	w.buf = append(w.buf, '=')
	w.buf = strconv.AppendInt(w.buf, int64(len(s)+4), 10)
	w.buf = append(w.buf, '\r', '\n')
	w.buf = append(w.buf, format...)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkStrings writes an array of bulk strings.
func (w *Writer) BulkStrings(items []string) {
	w.Array(len(items))
	for _, s := range items {
		w.BulkString(s)
	}
}

func (w *Writer) header(kind byte, n int) {
	w.buf = append(w.buf, kind)
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
	w.buf = append(w.buf, '\r', '\n')
}
