package resp

import (
	"errors"
	"math"
	"strconv"
)

// Framer validates a client's request stream incrementally, the way
// Redis 7.0's processInlineBuffer and processMultibulkBuffer
// (networking.c) do, and rewrites it into canonical multibulk so that the
// parser behind it (redcon's) never sees anything Redis would not accept
// or would read differently:
//
//   - an inline request (a line not starting with '*') is split with
//     sdssplitargs's rules (quotes, \xHH and \n escapes) and emitted as
//     "*N\r\n$len\r\narg\r\n..."; empty inline requests are dropped;
//   - a multibulk request is re-emitted with canonical headers and CRLFs:
//     Redis ends a header line at its first '\r' and skips the byte after
//     it, and skips the two bytes after a bulk's data, without checking
//     that they are "\n" and "\r\n"; "*0" and negative counts are dropped;
//   - anything Redis rejects stops the framer with a *ProtocolError whose
//     Reply is Redis's exact error text, and a request that grows past the
//     query buffer limit stops it with ErrQueryBufferLimit.
//
// Redis searches a line's end with strchr, which stops at a NUL byte: a
// line with a NUL before its end never ends, and fails as too big once
// more than 64 KiB of it are pending. Redis checks that size only between
// socket reads, so whether a line of just over 64 KiB is accepted depends
// there on how it was read; the Framer always rejects a line once it has
// more than 64 KiB without its end, which makes the outcome independent of
// how the stream is split.
//
// The zero Framer is ready to use. It is not safe for concurrent use.
type Framer struct {
	state framerState
	// line holds the inline request being read, or the first bytes of a
	// header line (enough to parse any number string2ll accepts).
	line []byte
	// lineLen counts the bytes of the current line so far; it goes on
	// counting past a NUL, as Redis's pending-bytes check does.
	lineLen int
	// nul is set when a NUL came before the current line's end.
	nul bool
	// args is the number of bulks of the current multibulk still to come.
	args int64
	// bulk is the number of data bytes of the current bulk still to copy.
	bulk int64
	// trailer counts the bytes after a bulk's data still to skip.
	trailer int
	// reqBytes counts the input bytes of the request in progress.
	reqBytes int64
	// partial counts the output bytes of the request in progress.
	partial int
	// argc is the argument count of the multibulk in progress.
	argc int64
	// big are the arguments of the request in progress read apart (see
	// Limits.BigArg); inBig is set while the last one is being read.
	big   []BigArg
	inBig bool
}

// BigArg is an argument read into a buffer of its own rather than into the
// framed output, where it stands as an empty bulk.
type BigArg struct {
	// Index is the argument's position in its command.
	Index int
	Data  []byte
}

type framerState uint8

const (
	stStart      framerState = iota // at the first byte of a request
	stInline                        // reading an inline line up to '\n'
	stCount                         // reading "*<count>" up to '\r'
	stCountEnd                      // skipping the byte after the count's '\r'
	stBulkHeader                    // reading "$<len>" up to '\r'
	stBulkEnd                       // skipping the byte after the length's '\r'
	stBulkData                      // copying a bulk's data
	stTrailer                       // skipping the two bytes after the data
)

// Limits are the bounds a Framer enforces. The caller reads them from the
// configuration for every call, so that changes take effect at once.
type Limits struct {
	// MaxBulkLen is proto-max-bulk-len.
	MaxBulkLen int64
	// MaxMultibulkLen is proto-max-multibulk-len, the largest argument
	// count a multibulk request may announce.
	MaxMultibulkLen int64
	// QueryBufferLimit is client-query-buffer-limit: the most bytes an
	// incomplete request may have before the connection is closed.
	QueryBufferLimit int64
	// Unauthenticated is set while the client must still authenticate
	// (requirepass is set and it has not): Redis then allows at most 10
	// arguments and 16 KiB bulks.
	Unauthenticated bool
	// BigArg, if positive, is the least length of a multibulk argument
	// read apart, into a buffer of exactly its size, as Redis reads a
	// large argument into a query buffer of its own: a large value then
	// costs its size once while it is read. Frame stops after a request
	// with such arguments, which TakeBig returns.
	BigArg int64
}

// Redis's fixed bounds (server.h).
const (
	// MaxInlineSize is PROTO_INLINE_MAX_SIZE: the longest inline request
	// or header line.
	MaxInlineSize = 64 * 1024
	// InlineReadSize is PROTO_IOBUF_LEN, what Redis reads at a time (see
	// InlineRead).
	InlineReadSize = 16 * 1024
	// maxUnauthArgs and maxUnauthBulk are the limits before AUTH.
	maxUnauthArgs = 10
	maxUnauthBulk = 16384
	// maxLineKept is the most of a header line worth keeping: string2ll
	// accepts at most 20 characters after the '*' or '$'.
	maxLineKept = 22
	// maxKeptLineCap bounds the line buffer a Framer keeps between
	// requests after a long inline request.
	maxKeptLineCap = 4096
)

// ProtocolError is a request Redis rejects; the connection must be closed
// once Reply is sent.
type ProtocolError struct {
	// Reply is the error reply, without the leading '-' and the CRLF.
	Reply string
	// Reason is Redis's short description for its log.
	Reason string
}

func (e *ProtocolError) Error() string { return e.Reply }

// ErrQueryBufferLimit reports a request that grew past
// client-query-buffer-limit. Redis closes such a connection without a
// reply.
var ErrQueryBufferLimit = errors.New("client reached the max query buffer length")

// Partial is the number of output bytes already emitted for the request in
// progress; they do not form a complete command yet.
func (f *Framer) Partial() int { return f.partial }

// BigHeld is the memory taken by the arguments being read apart: each
// buffer is made at its full size when the argument's header is read.
func (f *Framer) BigHeld() int {
	n := 0
	for _, a := range f.big {
		n += cap(a.Data)
	}
	return n
}

// TakeBig returns the arguments read apart of the request that Frame
// completed last, and forgets them; nil if it had none.
func (f *Framer) TakeBig() []BigArg {
	if f.state != stStart {
		return nil
	}
	big := f.big
	f.big = nil
	return big
}

// BigRoom is where the rest of the data of an argument being read apart
// goes: a caller may read it there directly, then report it with
// BigFilled, instead of passing it to Frame. Empty at any other time.
func (f *Framer) BigRoom() []byte {
	if !f.inBig || f.state != stBulkData {
		return nil
	}
	b := f.big[len(f.big)-1].Data
	return b[len(b):cap(b)]
}

// BigFilled accounts for n bytes the caller put at the start of BigRoom.
func (f *Framer) BigFilled(n int, lim Limits) error {
	a := &f.big[len(f.big)-1]
	a.Data = a.Data[:len(a.Data)+n]
	return f.consumeData(n, lim)
}

// Frame consumes a prefix of src and appends its canonical form to dst,
// returning the extended dst and the number of bytes consumed. It stops
// early at an error (the request that caused it is incomplete in dst; see
// Partial) or, when lim.Unauthenticated, after each complete command, so
// that the caller can run it (it may be AUTH) before the next request is
// judged. After an error the Framer must not be used again.
func (f *Framer) Frame(dst, src []byte, lim Limits) ([]byte, int, error) {
	i := 0
	for i < len(src) {
		switch f.state {
		case stStart:
			// Requests that are whole and already canonical, as clients
			// send them, are copied as they are; the byte loop takes the
			// rest. Before AUTH every request goes through the loop.
			if !lim.Unauthenticated {
				j := i
				for n := wholeRequest(src[j:], lim); n > 0; n = wholeRequest(src[j:], lim) {
					j += n
				}
				if j > i {
					dst = append(dst, src[i:j]...)
					i = j
					continue
				}
			}
			f.line, f.lineLen, f.nul = f.line[:0], 0, false
			f.reqBytes, f.partial, f.big = 0, 0, nil
			if src[i] == '*' {
				f.state = stCount
			} else {
				f.state = stInline
			}

		case stInline:
			b := src[i]
			i++
			if err := f.count(1, lim); err != nil {
				return dst, i, err
			}
			if b == '\n' && !f.nul {
				var err error
				var cmd bool
				if dst, cmd, err = f.endInline(dst); err != nil {
					return dst, i, err
				}
				if cmd && lim.Unauthenticated {
					return dst, i, nil
				}
				continue
			}
			if b == 0 {
				f.nul = true
			}
			if !f.nul {
				f.line = append(f.line, b)
			}
			f.lineLen++

		case stCount, stBulkHeader:
			b := src[i]
			i++
			if err := f.count(1, lim); err != nil {
				return dst, i, err
			}
			if b == '\r' && !f.nul {
				if f.state == stCount {
					f.state = stCountEnd
				} else {
					f.state = stBulkEnd
				}
				continue
			}
			if b == 0 {
				f.nul = true
			}
			if len(f.line) < maxLineKept {
				f.line = append(f.line, b)
			}
			f.lineLen++

		case stCountEnd:
			i++
			if err := f.count(1, lim); err != nil {
				return dst, i, err
			}
			var err error
			if dst, err = f.endCount(dst, lim); err != nil {
				return dst, i, err
			}

		case stBulkEnd:
			i++
			if err := f.count(1, lim); err != nil {
				return dst, i, err
			}
			var err error
			if dst, err = f.endBulkHeader(dst, lim); err != nil {
				return dst, i, err
			}

		case stBulkData:
			n := len(src) - i
			if int64(n) > f.bulk {
				n = int(f.bulk)
			}
			if f.inBig {
				a := &f.big[len(f.big)-1]
				a.Data = append(a.Data, src[i:i+n]...)
			} else {
				dst = append(dst, src[i:i+n]...)
				f.partial += n
			}
			i += n
			if err := f.consumeData(n, lim); err != nil {
				return dst, i, err
			}

		case stTrailer:
			i++
			if err := f.count(1, lim); err != nil {
				return dst, i, err
			}
			if f.trailer--; f.trailer > 0 {
				continue
			}
			dst = append(dst, '\r', '\n')
			f.partial += 2
			f.inBig = false
			if f.args--; f.args > 0 {
				f.startLine(stBulkHeader)
				continue
			}
			f.endRequest()
			if lim.Unauthenticated || f.big != nil {
				return dst, i, nil
			}
		}
	}
	// As Redis: an inline request or a header line is too big when all
	// that has been read of it, with no newline, passes the limit, not
	// before the read ends.
	if f.lineLen > MaxInlineSize {
		switch f.state {
		case stInline:
			return dst, i, protoErr(ErrProtoBigInline, "too big inline request")
		case stCount:
			return dst, i, protoErr(ErrProtoBigMultibulkCount, "too big mbulk count string")
		case stBulkHeader:
			return dst, i, protoErr(ErrProtoBigBulkCount, "too big bulk count string")
		}
	}
	return dst, i, nil
}

// InlineRead is how much the next read should take when an inline
// request or header line in progress is near MaxInlineSize, 0 otherwise: up to the limit,
// then InlineReadSize, so that the read that passes the limit takes what
// Redis's would at best (its reads are InlineReadSize from the start of
// the buffer), and a request whose newline comes in it is accepted.
func (f *Framer) InlineRead() int {
	switch {
	case f.state != stInline && f.state != stCount && f.state != stBulkHeader,
		f.lineLen <= MaxInlineSize-InlineReadSize:
		return 0
	case f.lineLen < MaxInlineSize:
		return MaxInlineSize - f.lineLen
	default:
		return InlineReadSize
	}
}

// wholeRequest returns the length of the multibulk request at the start of
// src if it is complete, in canonical form (headers without leading zeros,
// every line ended by CRLF), within lim and without an argument to read
// apart, so that the byte loop would copy it unchanged; otherwise 0.
func wholeRequest(src []byte, lim Limits) int {
	args, p, ok := wholeHeader(src, 0, '*')
	if !ok || args == 0 || args > lim.MaxMultibulkLen || args > math.MaxInt32 {
		return 0
	}
	for ; args > 0; args-- {
		var n int64
		if n, p, ok = wholeHeader(src, p, '$'); !ok || n > lim.MaxBulkLen || n > int64(len(src)-p-2) ||
			lim.BigArg > 0 && n >= lim.BigArg {
			return 0
		}
		p += int(n)
		if src[p] != '\r' || src[p+1] != '\n' {
			return 0
		}
		p += 2
	}
	if int64(p) > lim.QueryBufferLimit {
		return 0
	}
	return p
}

// wholeHeader parses a canonical "<kind><digits>\r\n" line at src[p:],
// returning its number and the position after it. Numbers of more than 18
// digits are left to the byte loop.
func wholeHeader(src []byte, p int, kind byte) (int64, int, bool) {
	if p >= len(src) || src[p] != kind {
		return 0, 0, false
	}
	q := p + 1
	var v int64
	for q < len(src) && q-p <= 18 && src[q] >= '0' && src[q] <= '9' {
		v = v*10 + int64(src[q]-'0')
		q++
	}
	if q == p+1 || q+1 >= len(src) || src[q] != '\r' || src[q+1] != '\n' || (src[p+1] == '0' && q > p+2) {
		return 0, 0, false
	}
	return v, q + 2, true
}

// consumeData accounts for n bytes of the current bulk's data.
func (f *Framer) consumeData(n int, lim Limits) error {
	f.bulk -= int64(n)
	if f.bulk == 0 {
		f.state, f.trailer = stTrailer, 2
	}
	return f.count(n, lim)
}

// count adds n consumed bytes to the request in progress and enforces the
// query buffer limit.
func (f *Framer) count(n int, lim Limits) error {
	f.reqBytes += int64(n)
	if f.reqBytes > lim.QueryBufferLimit {
		return ErrQueryBufferLimit
	}
	return nil
}

func (f *Framer) startLine(s framerState) {
	f.state, f.line, f.lineLen, f.nul = s, f.line[:0], 0, false
}

func (f *Framer) endRequest() {
	f.state, f.partial, f.reqBytes = stStart, 0, 0
	if cap(f.line) > maxKeptLineCap {
		f.line = nil
	}
}

// endInline splits the inline line just ended and emits it; cmd reports
// whether it held a command (empty lines are dropped, as Redis does).
func (f *Framer) endInline(dst []byte) (out []byte, cmd bool, err error) {
	line := f.line
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	args, ok := SplitArgs(line)
	if !ok {
		return dst, false, protoErr(ErrProtoUnbalancedQuotes, "unbalanced quotes in inline request")
	}
	f.endRequest()
	if len(args) == 0 {
		return dst, false, nil
	}
	dst = appendHeader(dst, '*', int64(len(args)))
	for _, a := range args {
		dst = appendHeader(dst, '$', int64(len(a)))
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst, true, nil
}

// endCount checks the multibulk count line just ended.
func (f *Framer) endCount(dst []byte, lim Limits) ([]byte, error) {
	ll, ok := parseLineInt(f.line[1:], f.lineLen-1)
	if !ok || ll > math.MaxInt32 || ll > lim.MaxMultibulkLen {
		return dst, protoErr(ErrProtoInvalidMultibulkLen, "invalid mbulk count")
	}
	if ll > maxUnauthArgs && lim.Unauthenticated {
		return dst, protoErr(ErrProtoUnauthMultibulkLen, "unauth mbulk count")
	}
	if ll <= 0 {
		f.endRequest()
		return dst, nil
	}
	f.args, f.argc = ll, ll
	n := len(dst)
	dst = appendHeader(dst, '*', ll)
	f.partial += len(dst) - n
	f.startLine(stBulkHeader)
	return dst, nil
}

// endBulkHeader checks the bulk length line just ended.
func (f *Framer) endBulkHeader(dst []byte, lim Limits) ([]byte, error) {
	// An empty line's first character is the '\r' that ended it.
	first := byte('\r')
	if f.lineLen > 0 {
		first = f.line[0]
	}
	if first != '$' {
		return dst, protoErr(ErrProtoExpectedDollar(first), "expected $ but got something else")
	}
	ll, ok := parseLineInt(f.line[1:], f.lineLen-1)
	if !ok || ll < 0 || ll > lim.MaxBulkLen {
		return dst, protoErr(ErrProtoInvalidBulkLen, "invalid bulk length")
	}
	if ll > maxUnauthBulk && lim.Unauthenticated {
		return dst, protoErr(ErrProtoUnauthBulkLen, "unauth bulk length")
	}
	n := len(dst)
	if lim.BigArg > 0 && ll >= lim.BigArg {
		f.big = append(f.big, BigArg{Index: int(f.argc - f.args), Data: make([]byte, 0, ll)})
		f.inBig = true
		dst = appendHeader(dst, '$', 0)
	} else {
		dst = appendHeader(dst, '$', ll)
	}
	f.partial += len(dst) - n
	f.bulk = ll
	if ll == 0 {
		f.state, f.trailer = stTrailer, 2
	} else {
		f.state = stBulkData
	}
	return dst, nil
}

// parseLineInt parses the digits of a header line of which kept holds the
// first bytes and n is the full length.
func parseLineInt(kept []byte, n int) (int64, bool) {
	if n != len(kept) {
		return 0, false // longer than any number string2ll accepts
	}
	return ParseInt(kept)
}

func appendHeader(dst []byte, kind byte, n int64) []byte {
	dst = append(dst, kind)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

func protoErr(reply, reason string) *ProtocolError {
	return &ProtocolError{Reply: reply, Reason: reason}
}

// SplitArgs splits an inline request as Redis's sdssplitargs does:
// arguments are separated by blanks; "double quotes" take \n \r \t \b \a,
// \xHH and \<any> escapes; 'single quotes' take only \'; a closing quote
// must be followed by a blank or the end. It reports false for unbalanced
// quotes. line must not contain NUL (Redis never passes one).
func SplitArgs(line []byte) ([][]byte, bool) {
	var args [][]byte
	at := func(i int) byte { // C-string access: the end reads as NUL
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	p := 0
	for {
		for p < len(line) && isSpace(line[p]) {
			p++
		}
		if p >= len(line) {
			return args, true
		}
		cur := []byte{}
		inq, insq := false, false
		for done := false; !done; {
			c := at(p)
			switch {
			case inq:
				switch {
				case c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
					cur = append(cur, unhex(at(p+2))<<4|unhex(at(p+3)))
					p += 3
				case c == '\\' && at(p+1) != 0:
					p++
					cur = append(cur, unescape(line[p]))
				case c == '"':
					if n := at(p + 1); n != 0 && !isSpace(n) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					cur = append(cur, c)
				}
			case insq:
				switch {
				case c == '\\' && at(p+1) == '\'':
					p++
					cur = append(cur, '\'')
				case c == '\'':
					if n := at(p + 1); n != 0 && !isSpace(n) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					cur = append(cur, c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if p < len(line) {
				p++
			}
		}
		args = append(args, cur)
	}
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
