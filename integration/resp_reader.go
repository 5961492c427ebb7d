package integration

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Reply is one RESP2/RESP3 value as it came over the wire.
type Reply struct {
	// Raw is the value's exact bytes, nested values included.
	Raw []byte
	// Type is the type byte: + - : $ * _ , # ! = ( % ~ > |.
	Type byte
	// N is the number in the header of a bulk-like ($ ! =) or aggregate
	// (* ~ > % |) value: the length, the element count or the pair count;
	// -1 for the RESP2 nulls $-1 and *-1. It is 0 for the other types.
	N int64
	// Elems are an aggregate's values in wire order; a map's (and an
	// attribute's) keys and values alternate. An attribute (|) is followed
	// by the value it annotates, which is its last element.
	Elems []Reply
}

// IsAggregate reports whether the reply contains other values.
func (r Reply) IsAggregate() bool {
	switch r.Type {
	case '*', '~', '>', '%', '|':
		return true
	}
	return false
}

// maxChunk bounds each allocation while reading a bulk, so that a bogus
// length costs no more memory than the bytes that really arrive.
const maxChunk = 64 << 10

// ReadReply reads exactly one complete value from r. It returns io.EOF
// only when r ended before the first byte of the value, and
// io.ErrUnexpectedEOF when it ended inside one. A malformed value is an
// error that names the problem.
func ReadReply(r *bufio.Reader) (Reply, error) {
	rd := &replyReader{r: r}
	return rd.value()
}

type replyReader struct {
	r   *bufio.Reader
	raw []byte // everything read so far; Reply.Raw slices point into it
}

func (rd *replyReader) value() (Reply, error) {
	start := len(rd.raw)
	line, err := rd.line()
	if err != nil {
		return Reply{}, err
	}
	if len(line) == 0 {
		return Reply{}, errors.New("resp: empty line")
	}
	rep := Reply{Type: line[0]}
	body := line[1:]
	switch rep.Type {
	case '+', '-':
	case ':':
		if _, err := parseNumber(body); err != nil {
			return Reply{}, fmt.Errorf("resp: bad integer %q", body)
		}
	case '(':
		if !isBigNumber(body) {
			return Reply{}, fmt.Errorf("resp: bad big number %q", body)
		}
	case ',':
		if !isDouble(body) {
			return Reply{}, fmt.Errorf("resp: bad double %q", body)
		}
	case '#':
		if string(body) != "t" && string(body) != "f" {
			return Reply{}, fmt.Errorf("resp: bad boolean %q", body)
		}
	case '_':
		if len(body) != 0 {
			return Reply{}, fmt.Errorf("resp: bad null %q", body)
		}
	case '$', '!', '=':
		if err := rd.bulk(&rep, body); err != nil {
			return Reply{}, err
		}
	case '*', '~', '>', '%', '|':
		if err := rd.aggregate(&rep, body); err != nil {
			return Reply{}, err
		}
	default:
		return Reply{}, fmt.Errorf("resp: unknown type byte %q", rep.Type)
	}
	rep.Raw = rd.raw[start:len(rd.raw):len(rd.raw)]
	return rep, nil
}

// line reads one CRLF-terminated line and returns it without the CRLF.
func (rd *replyReader) line() ([]byte, error) {
	start := len(rd.raw)
	b, err := rd.r.ReadBytes('\n')
	rd.raw = append(rd.raw, b...)
	if err != nil {
		if err == io.EOF && (len(b) > 0 || start > 0) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	b = rd.raw[start : len(rd.raw)-1]
	if len(b) == 0 || b[len(b)-1] != '\r' {
		return nil, fmt.Errorf("resp: line %q does not end in CRLF", b)
	}
	b = b[:len(b)-1]
	if bytes.IndexByte(b, '\r') >= 0 {
		return nil, fmt.Errorf("resp: CR inside line %q", b)
	}
	return b, nil
}

func (rd *replyReader) bulk(rep *Reply, header []byte) error {
	n, err := parseNumber(header)
	if err != nil || n < -1 || n == -1 && rep.Type != '$' {
		return fmt.Errorf("resp: bad length %q", header)
	}
	rep.N = n
	if n == -1 {
		return nil
	}
	start := len(rd.raw)
	for left := n + 2; left > 0; {
		chunk := min(left, maxChunk)
		old := len(rd.raw)
		rd.raw = append(rd.raw, make([]byte, chunk)...)
		if _, err := io.ReadFull(rd.r, rd.raw[old:]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		left -= chunk
	}
	data := rd.raw[start:]
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		return fmt.Errorf("resp: bulk of length %d not followed by CRLF", n)
	}
	if rep.Type == '=' && (n < 4 || data[3] != ':') {
		return fmt.Errorf("resp: verbatim string without a 3-letter format")
	}
	return nil
}

func (rd *replyReader) aggregate(rep *Reply, header []byte) error {
	n, err := parseNumber(header)
	if err != nil || n < -1 || n == -1 && rep.Type != '*' {
		return fmt.Errorf("resp: bad count %q", header)
	}
	rep.N = n
	elems := n
	if rep.Type == '%' || rep.Type == '|' {
		elems = 2 * n
	}
	if rep.Type == '|' {
		elems++ // the annotated value
	}
	for range elems {
		e, err := rd.value()
		if err != nil {
			return err
		}
		rep.Elems = append(rep.Elems, e)
	}
	return nil
}

// parseNumber parses a signed decimal 64-bit integer, the only form Redis
// writes: no '+', no spaces.
func parseNumber(b []byte) (int64, error) {
	if len(b) > 0 && b[0] == '+' {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(string(b), 10, 64)
}

func isBigNumber(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isDouble(b []byte) bool {
	switch string(b) {
	case "inf", "-inf", "nan", "-nan":
		// "-nan" is what a script's {double=0/0} gives: Redis prints
		// the script's number with %.17g.
		return true
	case "":
		return false
	}
	// Go's parser also takes forms Redis never writes ("Inf", hex floats),
	// which is fine for a well-formedness check.
	_, err := strconv.ParseFloat(string(b), 64)
	return err == nil || errors.Is(err, strconv.ErrRange)
}
