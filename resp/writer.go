// Package resp writes replies in RESP2 and RESP3, holds Redis's error texts
// and parses and formats numbers exactly as Redis does.
package resp

import (
	"io"
	"net"
	"strconv"
	"sync/atomic"
)

// Writer appends replies to an in-memory buffer. The server flushes the
// buffer once per pipeline batch, so a batch of N commands costs one write.
//
// A writer that Borrows may hold large bulks by reference instead of
// copying them (BulkBorrowed): the reply is then the buffer with those
// bulks inserted at their places, which WriteTo writes in order.
//
// Proto selects the wire protocol: 2 or 3 (after HELLO 3). RESP3-only types
// degrade to their RESP2 forms exactly as Redis degrades them.
type Writer struct {
	buf []byte
	// lent are the bulks held by reference, in order, and lentLen their
	// total length.
	lent    []lentBulk
	lentLen int
	// Borrow lets the writer hold bulks of at least BorrowMin bytes by
	// reference. Only a writer whose replies are written with WriteTo
	// and then Reset may borrow.
	Borrow bool
	Proto  int
	// Errors counts the error replies written, for INFO's error stats.
	Errors int64
}

// lentBulk is a bulk's data held by reference: it goes at offset at of
// the buffer, after before bytes of the bulks held before it.
type lentBulk struct {
	at, before int
	b          []byte
}

// BorrowMin is the least size of a bulk a writer holds by reference:
// copying less costs less than keeping track of it.
const BorrowMin = 64 << 10

// borrowers counts the writers holding bulks by reference.
var borrowers atomic.Int64

// Borrowing reports whether a reply not yet written may hold stored bytes
// by reference. While it is false, a value that lent its bytes
// (BulkBorrowed) may change them in place again; while it is true, it must
// change a copy instead. Writers start borrowing only under the keyspace
// lock, where values change, so a false answer holds until the caller
// releases the lock.
func Borrowing() bool { return borrowers.Load() > 0 }

// NewWriter returns a writer speaking RESP2.
func NewWriter() *Writer { return &Writer{Proto: 2} }

// Bytes returns what has been written since the last Reset, as one slice:
// bulks held by reference are copied in.
func (w *Writer) Bytes() []byte { return w.Since(0) }

// Since returns what has been written since Len was n, as one slice: bulks
// held by reference from there on are copied in.
func (w *Writer) Since(n int) []byte {
	k := len(w.lent)
	for k > 0 && w.lent[k-1].start() >= n {
		k--
	}
	w.inline(k)
	return w.buf[n-w.lentLen:]
}

// start is where the bulk's data starts in the reply.
func (l *lentBulk) start() int { return l.at + l.before }

// inline copies the bulks held by reference from the k-th on into the
// buffer.
func (w *Writer) inline(k int) {
	if k == len(w.lent) {
		return
	}
	tail := w.lent[k:]
	moved := 0
	for _, l := range tail {
		moved += len(l.b)
	}
	buf := make([]byte, 0, len(w.buf)+moved)
	buf = append(buf, w.buf[:tail[0].at]...)
	for i, l := range tail {
		end := len(w.buf)
		if i+1 < len(tail) {
			end = tail[i+1].at
		}
		buf = append(buf, l.b...)
		buf = append(buf, w.buf[l.at:end]...)
	}
	w.buf = buf
	w.dropLent(k)
	w.lentLen -= moved
}

// dropLent forgets the bulks held by reference from the k-th on.
func (w *Writer) dropLent(k int) {
	if k == len(w.lent) {
		return
	}
	clear(w.lent[k:])
	w.lent = w.lent[:k]
	if k == 0 {
		borrowers.Add(-1)
	}
}

// Cap is the size of the writer's buffer.
func (w *Writer) Cap() int { return cap(w.buf) }

// Len is the number of bytes written since the last Reset.
func (w *Writer) Len() int { return len(w.buf) + w.lentLen }

// Reset empties the writer, keeping its buffer unless a large reply grew
// it past what a connection should hold on to while idle, and lets go of
// the bulks it held by reference.
func (w *Writer) Reset() {
	w.dropLent(0)
	w.lentLen = 0
	if cap(w.buf) > maxRetainedBuffer {
		w.buf = nil
		return
	}
	w.buf = w.buf[:0]
}

const maxRetainedBuffer = 64 << 10

// Truncate drops everything written after offset n, a reply boundary, so
// a reply that must be suppressed (CLIENT REPLY OFF/SKIP) can be undone.
func (w *Writer) Truncate(n int) {
	for k := len(w.lent) - 1; k >= 0 && w.lent[k].start() >= n; k-- {
		w.lentLen -= len(w.lent[k].b)
		w.dropLent(k)
	}
	w.buf = w.buf[:n-w.lentLen]
}

// WriteTo writes what has been written since the last Reset to dst, with
// one writev for the buffer and the bulks held by reference.
func (w *Writer) WriteTo(dst io.Writer) (int64, error) {
	if len(w.lent) == 0 {
		n, err := dst.Write(w.buf)
		return int64(n), err
	}
	bufs := make(net.Buffers, 0, 2*len(w.lent)+1)
	at := 0
	for _, l := range w.lent {
		bufs = append(bufs, w.buf[at:l.at], l.b)
		at = l.at
	}
	bufs = append(bufs, w.buf[at:])
	return bufs.WriteTo(dst)
}

// Borrows reports whether BulkBorrowed holds a bulk of n bytes by
// reference rather than copying it.
func (w *Writer) Borrows(n int) bool { return w.Borrow && n >= BorrowMin }

// BulkBorrowed writes a bulk string, holding b by reference if Borrows
// says so: b must then not change until the writer is Reset (see
// Borrowing).
func (w *Writer) BulkBorrowed(b []byte) {
	if !w.Borrows(len(b)) {
		w.Bulk(b)
		return
	}
	w.header('$', len(b))
	if len(w.lent) == 0 {
		borrowers.Add(1)
	}
	w.lent = append(w.lent, lentBulk{at: len(w.buf), before: w.lentLen, b: b})
	w.lentLen += len(b)
	w.buf = append(w.buf, '\r', '\n')
}

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

// HumanDouble writes a double as Redis's addReplyHumanLongDouble does
// (GEOPOS): a RESP3 double, or in RESP2 a bulk string, formatted with
// AppendHumanDouble.
func (w *Writer) HumanDouble(f float64) {
	if w.Proto >= 3 {
		w.buf = append(w.buf, ',')
		w.buf = AppendHumanDouble(w.buf, f)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	var tmp [32]byte
	w.Bulk(AppendHumanDouble(tmp[:0], f))
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
