package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/tidwall/redcon"
)

var defaultLimits = Limits{
	MaxBulkLen:       512 << 20,
	MaxMultibulkLen:  math.MaxInt32,
	QueryBufferLimit: 1 << 30,
}

// frameAll frames in cut into chunks at cuts, as reads would deliver it,
// and returns the output without the incomplete or rejected request at its
// end, which the server never hands to redcon.
func frameAll(t testing.TB, in []byte, lim Limits, cuts []int) ([]byte, error) {
	t.Helper()
	var fr Framer
	var out []byte
	prev := 0
	for _, cut := range append(cuts, len(in)) {
		chunk := in[prev:cut]
		prev = cut
		for len(chunk) > 0 {
			var n int
			var err error
			out, n, err = fr.Frame(out, chunk, lim)
			if err != nil {
				return out[:len(out)-fr.Partial()], err
			}
			if n == 0 {
				t.Fatalf("Frame made no progress on %q", chunk)
			}
			chunk = chunk[n:]
		}
	}
	return out[:len(out)-fr.Partial()], nil
}

// errText is how the tables spell an outcome: "" for none, "qbuf" for the
// query buffer limit, else the protocol error's reply.
func errText(err error) string {
	var perr *ProtocolError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrQueryBufferLimit):
		return "qbuf"
	case errors.As(err, &perr):
		return perr.Reply
	}
	return "unexpected: " + err.Error()
}

func TestFramer(t *testing.T) {
	small := defaultLimits
	small.MaxBulkLen, small.MaxMultibulkLen, small.QueryBufferLimit = 5, 3, 20
	unauth := defaultLimits
	unauth.Unauthenticated = true

	tests := []struct {
		name    string
		in      string
		lim     Limits
		out     string // the complete commands redcon is given
		wantErr string
	}{
		{"multibulk", "*1\r\n$4\r\nPING\r\n", defaultLimits, "*1\r\n$4\r\nPING\r\n", ""},
		{"pipeline", "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", defaultLimits,
			"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", ""},
		{"binary bulk", "*2\r\n$4\r\nECHO\r\n$5\r\na\x00\r\nb\r\n", defaultLimits, "*2\r\n$4\r\nECHO\r\n$5\r\na\x00\r\nb\r\n", ""},
		{"byte after header CR unchecked", "*1\rX$4\rYPING\r\n", defaultLimits, "*1\r\n$4\r\nPING\r\n", ""},
		{"bulk trailer unchecked", "*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\n\n", defaultLimits, "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n", ""},
		{"zero and negative counts dropped", "*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n", defaultLimits, "*1\r\n$4\r\nPING\r\n", ""},
		{"incomplete", "*2\r\n$4\r\nECHO\r\n$3\r\nab", defaultLimits, "", ""},
		{"inline", "PING\r\n", defaultLimits, "*1\r\n$4\r\nPING\r\n", ""},
		{"inline LF only", "PING\n", defaultLimits, "*1\r\n$4\r\nPING\r\n", ""},
		{"inline quoted", "SET \"a b\" 'c d'\r\n", defaultLimits, "*3\r\n$3\r\nSET\r\n$3\r\na b\r\n$3\r\nc d\r\n", ""},
		{"empty inline lines dropped", "\r\n\n  \r\n\t\r\nPING\r\n", defaultLimits, "*1\r\n$4\r\nPING\r\n", ""},
		{"one CR stripped", "PING\r\r\n", defaultLimits, "*1\r\n$4\r\nPING\r\n", ""},
		{"inline then multibulk", "ECHO a\r\n*1\r\n$4\r\nPING\r\n", defaultLimits, "*2\r\n$4\r\nECHO\r\n$1\r\na\r\n*1\r\n$4\r\nPING\r\n", ""},
		{"inline longest", strings.Repeat("a", MaxInlineSize) + "\n", defaultLimits,
			"*1\r\n$65536\r\n" + strings.Repeat("a", MaxInlineSize) + "\r\n", ""},

		{"bad bulk length", "*1\r\n$4\r\nPING\r\n*1\r\n$-5\r\n", defaultLimits, "*1\r\n$4\r\nPING\r\n", ErrProtoInvalidBulkLen},
		{"bulk length leading zero", "*1\r\n$04\r\nPING\r\n", defaultLimits, "", ErrProtoInvalidBulkLen},
		{"bulk length minus zero", "*1\r\n$-0\r\n", defaultLimits, "", ErrProtoInvalidBulkLen},
		{"bulk length not a number", "*1\r\n$a\r\n", defaultLimits, "", ErrProtoInvalidBulkLen},
		{"bulk length over proto-max-bulk-len", "*1\r\n$536870913\r\n", defaultLimits, "", ErrProtoInvalidBulkLen},
		{"bulk length at proto-max-bulk-len", "*1\r\n$536870912\r\n", defaultLimits, "", ""},
		{"bulk length over small limit", "*1\r\n$6\r\n", small, "", ErrProtoInvalidBulkLen},
		{"count plus sign", "*+1\r\n$4\r\nPING\r\n", defaultLimits, "", ErrProtoInvalidMultibulkLen},
		{"count leading zero", "*01\r\n", defaultLimits, "", ErrProtoInvalidMultibulkLen},
		{"count empty", "*\r\n", defaultLimits, "", ErrProtoInvalidMultibulkLen},
		{"count over INT_MAX", "*2147483648\r\n", defaultLimits, "", ErrProtoInvalidMultibulkLen},
		{"count at INT_MAX", "*2147483647\r\n", defaultLimits, "", ""},
		{"count over proto-max-multibulk-len", "*4\r\n", small, "", ErrProtoInvalidMultibulkLen},
		{"count ended by LF only", "*1\n$4\r\nPING\r\n", defaultLimits, "", ErrProtoInvalidMultibulkLen},
		{"expected dollar", "*1\r\nX\r\n", defaultLimits, "", "ERR Protocol error: expected '$', got 'X'"},
		{"expected dollar got CR", "*1\r\n\r\n", defaultLimits, "", "ERR Protocol error: expected '$', got ' '"},
		{"expected dollar got LF", "*1\r\n\n\r\n", defaultLimits, "", "ERR Protocol error: expected '$', got ' '"},
		{"expected dollar high byte", "*1\r\n\xff\r\n", defaultLimits, "", "ERR Protocol error: expected '$', got '\xff'"},
		{"header needs the byte after CR", "*1\r\n$4\r", defaultLimits, "", ""},
		{"unbalanced quotes", "ECHO \"abc\r\n", defaultLimits, "", ErrProtoUnbalancedQuotes},
		{"quote not followed by space", "SET \"a\"b c\r\n", defaultLimits, "", ErrProtoUnbalancedQuotes},
		{"unbalanced after valid", "SET k v\r\nGET k\r\nbad\"\r\nPING\r\n", defaultLimits,
			"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", ErrProtoUnbalancedQuotes},
		{"inline too big", strings.Repeat("a", MaxInlineSize+1), defaultLimits, "", ErrProtoBigInline},
		{"inline at the limit waits", strings.Repeat("a", MaxInlineSize), defaultLimits, "", ""},
		{"inline NUL never ends", "PING\x00\r\n", defaultLimits, "", ""},
		{"inline NUL too big", "PING\x00\r\n" + strings.Repeat("a", MaxInlineSize), defaultLimits, "", ErrProtoBigInline},
		{"count too big", "*" + strings.Repeat("1", MaxInlineSize), defaultLimits, "", ErrProtoBigMultibulkCount},
		{"count NUL too big", "*1\x00\r\n" + strings.Repeat("1", MaxInlineSize), defaultLimits, "", ErrProtoBigMultibulkCount},
		{"bulk count too big", "*1\r\n$" + strings.Repeat("1", MaxInlineSize), defaultLimits, "", ErrProtoBigBulkCount},
		{"bulk count NUL too big", "*1\r\n$4\x00\r\nPING\r\n" + strings.Repeat("x", MaxInlineSize), defaultLimits, "", ErrProtoBigBulkCount},

		{"unauth 10 args", "*10\r\n", unauth, "", ""},
		{"unauth 11 args", "*11\r\n", unauth, "", ErrProtoUnauthMultibulkLen},
		{"unauth bulk 16384", "*1\r\n$16384\r\n", unauth, "", ""},
		{"unauth bulk 16385", "*1\r\n$16385\r\n", unauth, "", ErrProtoUnauthBulkLen},
		{"invalid before unauth", "*2147483648\r\n", unauth, "", ErrProtoInvalidMultibulkLen},
		{"unauth inline has no arg limit", "a b c d e f g h i j k\r\n", unauth,
			"*11\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\ni\r\n$1\r\nj\r\n$1\r\nk\r\n", ""},

		{"query buffer at limit", "*2\r\n$4\r\nECHO\r\n$5\r\nab", small, "", ""},
		{"query buffer over limit", "*2\r\n$4\r\nECHO\r\n$5\r\nabc", small, "", "qbuf"},
		{"query buffer counts one request", "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n", small,
			"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n", ""},
		{"query buffer inline", strings.Repeat("a", 31), small, "", "qbuf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fr Framer
			var out []byte
			var err error
			in := []byte(tt.in)
			for len(in) > 0 && err == nil {
				var n int
				out, n, err = fr.Frame(out, in, tt.lim)
				in = in[n:]
			}
			if out = out[:len(out)-fr.Partial()]; string(out) != tt.out {
				t.Errorf("output %q, want %q", out, tt.out)
			}
			if got := errText(err); got != tt.wantErr {
				t.Errorf("error %q, want %q", got, tt.wantErr)
			}
		})
	}
}

// TestFramerStepsWhileUnauthenticated checks that before AUTH the framer
// hands over one command at a time, so that the server can run AUTH
// before judging the next request with the pre-AUTH limits.
func TestFramerStepsWhileUnauthenticated(t *testing.T) {
	unauth := defaultLimits
	unauth.Unauthenticated = true
	in := []byte("*0\r\nAUTH pw\r\n*1\r\n$4\r\nPING\r\n")
	var fr Framer
	out, n, err := fr.Frame(nil, in, unauth)
	if err != nil || string(out) != "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n" || n != len("*0\r\nAUTH pw\r\n") {
		t.Fatalf("first step: %q, %d, %v", out, n, err)
	}
	out, n, err = fr.Frame(nil, in[n:], defaultLimits)
	if err != nil || string(out) != "*1\r\n$4\r\nPING\r\n" || n != len("*1\r\n$4\r\nPING\r\n") {
		t.Fatalf("second step: %q, %d, %v", out, n, err)
	}
}

// TestFramerBigArgs frames requests with large arguments, whole and cut
// at random, the data read through Frame or into BigRoom: each large
// argument stands as an empty bulk, its data are returned by TakeBig, and
// framing stops after its request.
func TestFramerBigArgs(t *testing.T) {
	lim := defaultLimits
	lim.BigArg = 100
	big1, big2 := strings.Repeat("x", 100), strings.Repeat("y", 250)
	in := "*1\r\n$4\r\nPING\r\n" +
		"*4\r\n$4\r\nMSET\r\n$1\r\nk\r\n$100\r\n" + big1 + "\r\n$250\r\n" + big2 + "\r\n" +
		"*2\r\n$4\r\nECHO\r\n$99\r\n" + big1[:99] + "\r\n"
	wantOut := []string{
		"*1\r\n$4\r\nPING\r\n*4\r\n$4\r\nMSET\r\n$1\r\nk\r\n$0\r\n\r\n$0\r\n\r\n",
		"*2\r\n$4\r\nECHO\r\n$99\r\n" + big1[:99] + "\r\n",
	}
	wantBig := []BigArg{{Index: 2, Data: []byte(big1)}, {Index: 3, Data: []byte(big2)}}
	rng := rand.New(rand.NewSource(1))
	for round := range 200 {
		var fr Framer
		var outs []string
		var out []byte
		var bigs []BigArg
		src := []byte(in)
		for len(src) > 0 {
			if room := fr.BigRoom(); len(room) > 0 && round%2 == 1 {
				n := copy(room[:rng.Intn(len(room))+1], src)
				if err := fr.BigFilled(n, lim); err != nil {
					t.Fatal(err)
				}
				src = src[n:]
				continue
			}
			chunk := src[:rng.Intn(len(src))+1]
			if round == 0 {
				chunk = src
			}
			var n int
			var err error
			out, n, err = fr.Frame(out, chunk, lim)
			if err != nil {
				t.Fatal(err)
			}
			src = src[n:]
			if big := fr.TakeBig(); big != nil {
				if len(src) == 0 || string(src[:2]) != "*2" {
					t.Fatalf("round %d: framing went on after the request with large arguments", round)
				}
				bigs = append(bigs, big...)
				outs = append(outs, string(out))
				out = out[:0]
			}
		}
		outs = append(outs, string(out))
		if !reflect.DeepEqual(outs, wantOut) || !reflect.DeepEqual(bigs, wantBig) {
			t.Fatalf("round %d: output %q, arguments apart %v", round, outs, bigs)
		}
	}
}

// TestSplitArgs checks the inline splitting against what redis-server
// 7.0 replied to the same lines sent to ECHO and SET.
func TestSplitArgs(t *testing.T) {
	tests := []struct {
		line string
		want []string // nil: unbalanced quotes
	}{
		{"", []string{}},
		{"   \t ", []string{}},
		{"a b  c", []string{"a", "b", "c"}},
		{"\v\fa", []string{"a"}},                 // leading blanks are isspace
		{"a\vb", []string{"a\vb"}},               // but only space, \t, \n, \r end a word
		{"a\rb", []string{"a", "b"}},             // a lone CR separates
		{`"a b" 'c d'`, []string{"a b", "c d"}},  //
		{`""`, []string{""}},                     //
		{`''`, []string{""}},                     //
		{`foo"bar baz"`, []string{"foobar baz"}}, // a quote may open mid-word
		{`"\x41\x4g\n\t\a\b\z\"\\"`, []string{"Ax4g\n\t\a\bz\"\\"}},
		{`"\x4`, nil},
		{`"a\"`, nil},
		{`'it\'s' 'a\nb'`, []string{"it's", `a\nb`}},
		{`"a"b`, nil},
		{`'a'b`, nil},
		{`"abc`, nil},
		{`'abc`, nil},
		{`"a"	b`, []string{"a", "b"}},
		{`"a\`, nil},
		{`a"`, nil},
		// Configuration lines (config/redisconf.go) split the same way.
		{`save ""`, []string{"save", ""}},
		{`requirepass "a b\"c\\d\n\x41\x4a"`, []string{"requirepass", "a b\"c\\d\nAJ"}},
		{`requirepass 'it\'s "x"'`, []string{"requirepass", `it's "x"`}},
	}
	for _, tt := range tests {
		got, ok := SplitArgs([]byte(tt.line))
		if tt.want == nil {
			if ok {
				t.Errorf("SplitArgs(%q) = %q, want unbalanced quotes", tt.line, got)
			}
			continue
		}
		if !ok {
			t.Errorf("SplitArgs(%q): unbalanced quotes, want %q", tt.line, tt.want)
			continue
		}
		gotS := []string{}
		for _, a := range got {
			gotS = append(gotS, string(a))
		}
		if !reflect.DeepEqual(gotS, tt.want) {
			t.Errorf("SplitArgs(%q) = %q, want %q", tt.line, gotS, tt.want)
		}
	}
}

// refFrame is a reference for the framer written the way networking.c is,
// over the whole stream at once: it returns the commands Redis would run
// and the error it would stop with. end values are 1-based offsets in the
// request of the byte at which the outcome is known; the query buffer
// limit wins if it is crossed by then.
func refFrame(in []byte, lim Limits) ([][][]byte, error) {
	var cmds [][][]byte
	for pos := 0; pos < len(in); {
		req := in[pos:]
		args, end, done, err := refRequest(req, lim)
		if int64(end) > lim.QueryBufferLimit {
			return cmds, ErrQueryBufferLimit
		}
		if err != nil {
			return cmds, err
		}
		if !done {
			return cmds, nil
		}
		if len(args) > 0 {
			cmds = append(cmds, args)
		}
		pos += end
	}
	return cmds, nil
}

// refLine finds the end of the line at req[start:]: strchr semantics, and
// Redis's 64 KiB bound. It returns the terminator's offset in req, or
// the offset at which the line fails or the input runs out.
func refLine(req []byte, start int, term byte) (at int, found bool, tooBig bool) {
	for k := 0; start+k < len(req); k++ {
		b := req[start+k]
		if b == 0 {
			// strchr stops here: the line never ends.
			if len(req)-start > MaxInlineSize {
				return start + MaxInlineSize + 1, false, true
			}
			return len(req), false, false
		}
		if b == term {
			return start + k, true, false
		}
		if k+1 > MaxInlineSize {
			return start + k + 1, false, true
		}
	}
	return len(req), false, false
}

func refRequest(req []byte, lim Limits) (args [][]byte, end int, done bool, err error) {
	if req[0] != '*' {
		nl, found, tooBig := refLine(req, 0, '\n')
		if tooBig {
			return nil, nl, false, protoErr(ErrProtoBigInline, "")
		}
		if !found {
			return nil, nl, false, nil
		}
		line := req[:nl]
		if nl > 0 && line[nl-1] == '\r' {
			line = line[:nl-1]
		}
		split, ok := SplitArgs(line)
		if !ok {
			return nil, nl + 1, false, protoErr(ErrProtoUnbalancedQuotes, "")
		}
		return split, nl + 1, true, nil
	}
	cr, found, tooBig := refLine(req, 0, '\r')
	if tooBig {
		return nil, cr, false, protoErr(ErrProtoBigMultibulkCount, "")
	}
	if !found || cr+1 >= len(req) {
		return nil, len(req), false, nil
	}
	ll, ok := ParseInt(req[1:cr])
	if !ok || ll > math.MaxInt32 || ll > lim.MaxMultibulkLen {
		return nil, cr + 2, false, protoErr(ErrProtoInvalidMultibulkLen, "")
	}
	if ll > 10 && lim.Unauthenticated {
		return nil, cr + 2, false, protoErr(ErrProtoUnauthMultibulkLen, "")
	}
	pos := cr + 2
	if ll <= 0 {
		return nil, pos, true, nil
	}
	for ; ll > 0; ll-- {
		cr, found, tooBig := refLine(req, pos, '\r')
		if tooBig {
			return nil, cr, false, protoErr(ErrProtoBigBulkCount, "")
		}
		if !found || cr+1 >= len(req) {
			return nil, len(req), false, nil
		}
		if req[pos] != '$' {
			return nil, cr + 2, false, protoErr(ErrProtoExpectedDollar(req[pos]), "")
		}
		bl, ok := ParseInt(req[pos+1 : cr])
		if !ok || bl < 0 || bl > lim.MaxBulkLen {
			return nil, cr + 2, false, protoErr(ErrProtoInvalidBulkLen, "")
		}
		if bl > 16384 && lim.Unauthenticated {
			return nil, cr + 2, false, protoErr(ErrProtoUnauthBulkLen, "")
		}
		pos = cr + 2
		if int64(len(req)-pos) < bl+2 {
			return nil, len(req), false, nil
		}
		args = append(args, req[pos:pos+int(bl)])
		pos += int(bl) + 2
	}
	return args, pos, true, nil
}

// redconParse parses framed output with redcon's own reader, as the
// server does.
func redconParse(t testing.TB, out []byte) [][][]byte {
	t.Helper()
	rd := redcon.NewReader(bytes.NewReader(out))
	var cmds [][][]byte
	for {
		cmd, err := rd.ReadCommand()
		if err == io.EOF {
			return cmds
		}
		if err != nil {
			t.Fatalf("redcon rejects the framer's output %q: %v", out, err)
		}
		cmds = append(cmds, cmd.Args)
	}
}

func FuzzFramer(f *testing.F) {
	for _, s := range []string{
		"*1\r\n$4\r\nPING\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\x00v\r\nGET k\r\n",
		"SET \"a\\x41 b\" 'c\\'d'\r\n\r\n*0\r\n*-1\r\nPING\n",
		"*1\rX$4\rYPINGxy*2\r\n$1\r\na\r\n$0\r\n\r\n",
		"*1\r\n$-5\r\n", "*1\r\nX\r\n", "ECHO \"abc\r\n", "PING\x00\r\n", "*12\r\n",
		"*2\r\n$4\r\nECHO\r\n$17000\r\n",
	} {
		f.Add([]byte(s), int64(1), uint8(0))
		f.Add([]byte(s), int64(2), uint8(15))
	}
	f.Fuzz(func(t *testing.T, in []byte, seed int64, knobs uint8) {
		lim := defaultLimits
		if knobs&1 != 0 {
			lim.MaxBulkLen = 5
		}
		if knobs&2 != 0 {
			lim.MaxMultibulkLen = 3
		}
		if knobs&4 != 0 {
			lim.QueryBufferLimit = 40
		}
		lim.Unauthenticated = knobs&8 != 0

		rng := rand.New(rand.NewSource(seed))
		var cuts []int
		for i := 1; i < len(in); i++ {
			if rng.Intn(4) == 0 {
				cuts = append(cuts, i)
			}
		}
		whole, wholeErr := frameAll(t, in, lim, nil)
		split, splitErr := frameAll(t, in, lim, cuts)
		if !bytes.Equal(whole, split) || errText(wholeErr) != errText(splitErr) {
			t.Fatalf("split at %v: %q, %v; whole: %q, %v", cuts, split, splitErr, whole, wholeErr)
		}
		wantCmds, wantErr := refFrame(in, lim)
		gotCmds := redconParse(t, whole)
		if len(gotCmds) != len(wantCmds) || (len(gotCmds) > 0 && !reflect.DeepEqual(gotCmds, wantCmds)) {
			t.Fatalf("redcon reads %q from %q, the reference %q", gotCmds, whole, wantCmds)
		}
		if errText(wholeErr) != errText(wantErr) {
			t.Fatalf("error %q, the reference %q", errText(wholeErr), errText(wantErr))
		}
	})
}

// BenchmarkFramerPipeline frames a pipeline of small commands.
func BenchmarkFramerPipeline(b *testing.B) {
	in := bytes.Repeat([]byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"), 1000)
	b.SetBytes(int64(len(in)))
	var out []byte
	for b.Loop() {
		var fr Framer
		var err error
		out, _, err = fr.Frame(out[:0], in, defaultLimits)
		if err != nil {
			b.Fatal(err)
		}
	}
}
