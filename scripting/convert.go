package scripting

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/resp"
	lua "github.com/yuin/gopher-lua"
)

// Conversions between RESP replies and Lua values, with Redis's rules
// (script_lua.c).
//
// RESP to Lua (the reply of redis.call):
//
//	integer            number
//	bulk string        string
//	null bulk / array  false (RESP2)
//	array              table, 1..n (a nil element ends it)
//	status             {ok=status}
//	error              {err="CODE message"}
//	RESP3 null         nil
//	RESP3 boolean      true / false
//	RESP3 double       {double=number}
//	RESP3 map          {map={key=value...}}
//	RESP3 set          {set={member=true...}}
//	RESP3 big number   {big_number=string}
//	RESP3 verbatim     {verbatim_string={format=f, string=s}}
//	RESP3 attribute    skipped; the value that follows it
//
// Lua to RESP (the script's return value):
//
//	number             integer, truncated toward zero
//	string             bulk string
//	true               integer 1 (RESP3 boolean after redis.setresp(3))
//	false, nil         null (RESP3 boolean false after redis.setresp(3))
//	{err=...}          error; {ok=...} status; {double=n} double;
//	{big_number=s}     big number; {verbatim_string=...} verbatim;
//	{map=t} map; {set=t} set
//	other table        array of t[1], t[2]... up to the first nil
//	anything else      null

// maxReplyDepth bounds the nesting of a reply the parser accepts.
const maxReplyDepth = 10000

var errMalformedReply = errors.New("malformed RESP reply")

// ParseReply converts one RESP reply to a Lua value, returning the value
// and the number of bytes it took.
func ParseReply(L *lua.LState, b []byte) (lua.LValue, int, error) {
	p := replyParser{L: L, b: b}
	v, err := p.value(0)
	return v, p.pos, err
}

type replyParser struct {
	L   *lua.LState
	b   []byte
	pos int
}

// line returns the line after the type byte and moves past its CRLF.
func (p *replyParser) line() ([]byte, error) {
	i := bytes.Index(p.b[p.pos:], []byte("\r\n"))
	if i < 0 {
		return nil, errMalformedReply
	}
	l := p.b[p.pos : p.pos+i]
	p.pos += i + 2
	return l, nil
}

func (p *replyParser) count(l []byte) (int, error) {
	n, err := strconv.Atoi(string(l))
	if err != nil || n < -1 {
		return 0, errMalformedReply
	}
	return n, nil
}

func (p *replyParser) value(depth int) (lua.LValue, error) {
	if depth > maxReplyDepth {
		return nil, errMalformedReply
	}
	if p.pos >= len(p.b) {
		return nil, errMalformedReply
	}
	kind := p.b[p.pos]
	p.pos++
	l, err := p.line()
	if err != nil {
		return nil, err
	}
	L := p.L
	switch kind {
	case ':':
		n, err := strconv.ParseInt(string(l), 10, 64)
		if err != nil {
			return nil, errMalformedReply
		}
		return lua.LNumber(n), nil
	case '+':
		return singleField(L, "ok", lua.LString(l)), nil
	case '-':
		t := errorTable(L, "-"+string(l))
		t.RawSetString("ignore_error_stats_update", lua.LTrue)
		return t, nil
	case '_':
		return lua.LNil, nil
	case '#':
		switch string(l) {
		case "t":
			return lua.LTrue, nil
		case "f":
			return lua.LFalse, nil
		}
		return nil, errMalformedReply
	case ',':
		f, err := strconv.ParseFloat(string(l), 64)
		if err != nil {
			return nil, errMalformedReply
		}
		return singleField(L, "double", lua.LNumber(f)), nil
	case '(':
		return singleField(L, "big_number", lua.LString(l)), nil
	case '$', '=':
		n, err := p.count(l)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			if kind == '=' {
				return nil, errMalformedReply
			}
			return lua.LFalse, nil
		}
		if len(p.b)-p.pos < n+2 || p.b[p.pos+n] != '\r' || p.b[p.pos+n+1] != '\n' {
			return nil, errMalformedReply
		}
		s := p.b[p.pos : p.pos+n]
		p.pos += n + 2
		if kind == '$' {
			return lua.LString(s), nil
		}
		if n < 4 || s[3] != ':' {
			return nil, errMalformedReply
		}
		v := L.NewTable()
		v.RawSetString("format", lua.LString(s[:3]))
		v.RawSetString("string", lua.LString(s[4:]))
		return singleField(L, "verbatim_string", v), nil
	case '*', '~', '%', '>', '|':
		n, err := p.count(l)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			if kind != '*' {
				return nil, errMalformedReply
			}
			return lua.LFalse, nil
		}
		return p.aggregate(kind, n, depth)
	}
	return nil, errMalformedReply
}

func (p *replyParser) aggregate(kind byte, n, depth int) (lua.LValue, error) {
	L := p.L
	// Each element takes at least 3 bytes: a count beyond that is
	// malformed, and must not size an allocation.
	if n > (len(p.b)-p.pos)/3 {
		return nil, errMalformedReply
	}
	switch kind {
	case '|':
		for i := 0; i < 2*n; i++ {
			if _, err := p.value(depth + 1); err != nil {
				return nil, err
			}
		}
		return p.value(depth)
	case '%':
		m := L.NewTable()
		for i := 0; i < n; i++ {
			k, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			rawSet(m, k, v)
		}
		return singleField(L, "map", m), nil
	case '~':
		s := L.NewTable()
		for i := 0; i < n; i++ {
			k, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			rawSet(s, k, lua.LTrue)
		}
		return singleField(L, "set", s), nil
	}
	t := L.CreateTable(n, 0)
	for i := 1; i <= n; i++ {
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		rawSet(t, lua.LNumber(i), v)
	}
	return t, nil
}

// rawSet is lua_settable on a fresh table: a nil key or value sets
// nothing (Lua would raise for a nil key; Redis never sends one).
func rawSet(t *lua.LTable, k, v lua.LValue) {
	if k == lua.LNil || v == lua.LNil {
		return
	}
	t.RawSet(k, v)
}

func singleField(L *lua.LState, name string, v lua.LValue) *lua.LTable {
	t := L.CreateTable(0, 1)
	t.RawSetString(name, v)
	return t
}

// errorTable is luaPushErrorBuff: a table {err="CODE message"} from either
// "-CODE message" (the code is the first word) or a bare message, which
// gets the code ERR.
func errorTable(L *lua.LState, buf string) *lua.LTable {
	// Redis parses the message as a C string: up to a NUL byte.
	if i := strings.IndexByte(buf, 0); i >= 0 {
		buf = buf[:i]
	}
	code, msg := "ERR", buf
	if rest, ok := strings.CutPrefix(buf, "-"); ok {
		msg = rest
		if c, m, found := strings.Cut(rest, " "); found {
			code, msg = c, m
		}
	}
	msg = strings.Trim(msg, "\r\n")
	return singleField(L, "err", lua.LString(code+" "+msg))
}

// luaStackSlots is how deep a reply may nest before Redis's conversion
// runs out of Lua stack (LUAI_MAXCSTACK less what the call uses) and
// writes an error in its place.
const luaStackSlots = 7995

// replyWriter writes a script's return value.
type replyWriter struct {
	w *resp.Writer
	// resp3 is whether the script switched to RESP3 (redis.setresp),
	// which changes how booleans are sent.
	resp3 bool
	// repeated counts the error replies that repeat an error a command
	// of the script returned, which was counted then.
	repeated int
}

// writeReply writes v. slots counts the Lua stack the conversion has used.
func (rw *replyWriter) writeReply(v lua.LValue, slots int) {
	w := rw.w
	if slots >= luaStackSlots {
		w.Error("ERR reached lua stack limit")
		return
	}
	switch v := v.(type) {
	case lua.LString:
		w.BulkString(string(v))
	case lua.LBool:
		switch {
		case rw.resp3:
			w.Bool(bool(v))
		case bool(v):
			w.Int(1)
		default:
			w.Null()
		}
	case lua.LNumber:
		w.Int(truncInt(float64(v)))
	case *lua.LTable:
		rw.writeTable(v, slots)
	default:
		w.Null()
	}
}

func (rw *replyWriter) writeTable(t *lua.LTable, slots int) {
	w := rw.w
	if e, ok := t.RawGetString("err").(lua.LString); ok {
		rw.writeError(string(e), t)
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		w.Status(noCRLF(cString(string(s))))
		return
	}
	if d, ok := t.RawGetString("double").(lua.LNumber); ok {
		if f := float64(d); math.IsNaN(f) {
			// Redis prints it with %.17g: "-nan" for 0/0 on x86.
			s := formatNumber(f)
			if w.Proto < 3 {
				w.BulkString(s)
			} else {
				w.Raw([]byte("," + s + "\r\n"))
			}
			return
		}
		w.Double(float64(d))
		return
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		writeBigNumber(w, noCRLF(string(s)))
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		format, okf := vt.RawGetString("format").(lua.LString)
		s, oks := vt.RawGetString("string").(lua.LString)
		if okf && oks {
			w.Verbatim(string(format), string(s))
			return
		}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		var keys, values []lua.LValue
		forEach(m, func(k, v lua.LValue) bool {
			keys, values = append(keys, k), append(values, v)
			return true
		})
		w.Map(len(keys))
		for i := range keys {
			rw.writeReply(keys[i], slots+3)
			rw.writeReply(values[i], slots+3)
		}
		return
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		var members []lua.LValue
		forEach(s, func(k, _ lua.LValue) bool {
			members = append(members, k)
			return true
		})
		w.Set(len(members))
		for _, m := range members {
			rw.writeReply(m, slots+2)
		}
		return
	}
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	w.Array(n)
	for i := 1; i <= n; i++ {
		rw.writeReply(t.RawGetInt(i), slots+1)
	}
}

// writeError writes an error reply from the error table t. An error a
// command of the script returned (redis.pcall, or redis.call's raised
// error) is marked so: it was counted in the error statistics when the
// command failed, so Redis does not count it again, and neither does
// cairn (the reply is written uncounted).
func (rw *replyWriter) writeError(msg string, t *lua.LTable) {
	// Redis formats the reply as "-%s" of the C string, then trims CRs
	// and LFs at its end (addReplyErrorFormatEx).
	msg = strings.TrimRight(cString(msg), "\r\n")
	if t == nil || t.RawGetString("ignore_error_stats_update") != lua.LTrue {
		rw.w.Error(msg)
		return
	}
	rw.repeated++
	rw.w.Raw([]byte("-" + noCRLF(msg) + "\r\n"))
}

// cString is s as C code reads it from Lua (lua_tostring): up to its
// first NUL.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// writeBigNumber writes a RESP3 big number, or a bulk string in RESP2.
func writeBigNumber(w *resp.Writer, s string) {
	if w.Proto < 3 {
		w.BulkString(s)
		return
	}
	w.Raw([]byte("(" + s + "\r\n"))
}

// noCRLF replaces CR and LF with spaces, as Redis does in status replies
// built from a script's strings. Byte by byte: other bytes, UTF-8 or not,
// are kept as they are.
func noCRLF(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}
