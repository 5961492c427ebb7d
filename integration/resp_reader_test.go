package integration

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func read(s string) (Reply, string, error) {
	r := bufio.NewReaderSize(strings.NewReader(s), 16)
	rep, err := ReadReply(r)
	rest, _ := io.ReadAll(r)
	return rep, string(rest), err
}

func TestReadReply(t *testing.T) {
	tests := []struct {
		in    string // one reply, then "NEXT" which must be left unread
		typ   byte
		n     int64
		elems int
	}{
		{"+OK\r\n", '+', 0, 0},
		{"+\r\n", '+', 0, 0},
		{"-ERR unknown command 'x', with args beginning with: \r\n", '-', 0, 0},
		{":0\r\n", ':', 0, 0},
		{":-9223372036854775808\r\n", ':', 0, 0},
		{"$0\r\n\r\n", '$', 0, 0},
		{"$-1\r\n", '$', -1, 0},
		{"$4\r\na\r\nb\r\n", '$', 4, 0},
		{"$40\r\n" + strings.Repeat("x", 40) + "\r\n", '$', 40, 0},
		{"*-1\r\n", '*', -1, 0},
		{"*0\r\n", '*', 0, 0},
		{"*3\r\n:1\r\n$1\r\na\r\n*1\r\n+x\r\n", '*', 3, 3},
		{"_\r\n", '_', 0, 0},
		{",1.5\r\n", ',', 0, 0},
		{",-inf\r\n", ',', 0, 0},
		{",nan\r\n", ',', 0, 0},
		{",1e400\r\n", ',', 0, 0},
		{"#t\r\n", '#', 0, 0},
		{"#f\r\n", '#', 0, 0},
		{"!21\r\nSYNTAX invalid syntax\r\n", '!', 21, 0},
		{"=15\r\ntxt:Some string\r\n", '=', 15, 0},
		{"(3492890328409238509324850943850943825024385\r\n", '(', 0, 0},
		{"(-1\r\n", '(', 0, 0},
		{"%2\r\n+a\r\n:1\r\n+b\r\n%0\r\n", '%', 2, 4},
		{"~2\r\n+a\r\n_\r\n", '~', 2, 2},
		{">3\r\n+message\r\n+ch\r\n$1\r\nx\r\n", '>', 3, 3},
		{"|1\r\n+key\r\n+val\r\n:5\r\n", '|', 1, 3},
	}
	for _, tt := range tests {
		rep, rest, err := read(tt.in + "NEXT")
		if err != nil {
			t.Errorf("ReadReply(%q): %v", tt.in, err)
			continue
		}
		if string(rep.Raw) != tt.in || rest != "NEXT" {
			t.Errorf("ReadReply(%q) read %q, left %q", tt.in, rep.Raw, rest)
		}
		if rep.Type != tt.typ || rep.N != tt.n || len(rep.Elems) != tt.elems {
			t.Errorf("ReadReply(%q) = type %q n %d elems %d; want %q %d %d",
				tt.in, rep.Type, rep.N, len(rep.Elems), tt.typ, tt.n, tt.elems)
		}
	}
}

func TestReadReplyNested(t *testing.T) {
	in := "*2\r\n$1\r\n0\r\n*2\r\n$3\r\nabc\r\n%1\r\n+k\r\n:1\r\n"
	rep, _, err := read(in)
	if err != nil {
		t.Fatal(err)
	}
	inner := rep.Elems[1]
	if string(inner.Raw) != "*2\r\n$3\r\nabc\r\n%1\r\n+k\r\n:1\r\n" ||
		string(inner.Elems[1].Elems[1].Raw) != ":1\r\n" {
		t.Errorf("nested values: %q, %q", inner.Raw, inner.Elems[1].Elems[1].Raw)
	}
}

func TestReadReplyErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantErr error // nil: any malformed-reply error
	}{
		{"", io.EOF},
		{"+OK", io.ErrUnexpectedEOF},
		{"+OK\r", io.ErrUnexpectedEOF},
		{"$5\r\nab", io.ErrUnexpectedEOF},
		{"$1000000000\r\nab", io.ErrUnexpectedEOF},
		{"*2\r\n:1\r\n", io.ErrUnexpectedEOF},
		{"*1000000000\r\n:1\r\n", io.ErrUnexpectedEOF},
		{"|1\r\n+k\r\n+v\r\n", io.ErrUnexpectedEOF},
		{"+OK\n", nil},
		{"\r\n", nil},
		{"+O\rK\r\n", nil},
		{"?\r\n", nil},
		{":\r\n", nil},
		{":12a\r\n", nil},
		{":+1\r\n", nil},
		{":99999999999999999999\r\n", nil},
		{"$\r\n", nil},
		{"$-2\r\n", nil},
		{"$2\r\nabc\r\n", nil},
		{"!-1\r\n", nil},
		{"=3\r\ntxt\r\n", nil},
		{"=4\r\ntxtx\r\n", nil},
		{"~-1\r\n", nil},
		{"%-1\r\n", nil},
		{"*1\r\n?\r\n", nil},
		{"_x\r\n", nil},
		{"#x\r\n", nil},
		{",\r\n", nil},
		{",1.5x\r\n", nil},
		{"(\r\n", nil},
		{"(1.5\r\n", nil},
	}
	for _, tt := range tests {
		_, _, err := read(tt.in)
		switch {
		case err == nil:
			t.Errorf("ReadReply(%q) succeeded", tt.in)
		case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
			t.Errorf("ReadReply(%q) = %v, want %v", tt.in, err, tt.wantErr)
		case tt.wantErr == nil && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)):
			t.Errorf("ReadReply(%q) = %v, want a malformed-reply error", tt.in, err)
		}
	}
}

// FuzzReadReply checks that the reader never panics, that what it accepts
// is a prefix of its input, and that reading its own output again gives
// the same value with nothing left over.
func FuzzReadReply(f *testing.F) {
	for _, s := range []string{
		"+OK\r\n", "-ERR x\r\n", ":1\r\n", "$3\r\nabc\r\n", "$-1\r\n", "*-1\r\n",
		"*2\r\n$1\r\na\r\n*1\r\n:2\r\n", "_\r\n", ",1.5\r\n", "#t\r\n", "!3\r\nERR\r\n",
		"=7\r\ntxt:abc\r\n", "(12345678901234567890\r\n", "%1\r\n+a\r\n:1\r\n",
		"~1\r\n+a\r\n", ">2\r\n+a\r\n+b\r\n", "|1\r\n+a\r\n+b\r\n:1\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := ReadReply(bufio.NewReader(bytes.NewReader(data)))
		if err != nil {
			return
		}
		if !bytes.HasPrefix(data, rep.Raw) {
			t.Fatalf("reply %q is not a prefix of the input %q", rep.Raw, data)
		}
		again, err := ReadReply(bufio.NewReader(bytes.NewReader(rep.Raw)))
		if err != nil || !bytes.Equal(again.Raw, rep.Raw) || again.Type != rep.Type ||
			again.N != rep.N || len(again.Elems) != len(rep.Elems) {
			t.Fatalf("rereading %q gave %q, %v", rep.Raw, again.Raw, err)
		}
	})
}
