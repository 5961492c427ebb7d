package integration

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Defaults of TestRandomScriptDifferential; CAIRN_RANDOM_COMMANDS and
// CAIRN_RANDOM_SEED make a long run as for TestRandomDifferential.
const (
	scriptDefaultSeed     = 1
	scriptDefaultCommands = 800
)

// TestRandomScriptDifferential sends random Lua scripts (EVAL, EVALSHA,
// EVAL_RO) made of redis.call/pcall of the random data commands, local
// variables, the libraries Redis ships and every kind of return value and
// error, interleaved with plain data commands, to redis-server and cairn,
// and compares the replies.
func TestRandomScriptDifferential(t *testing.T) {
	seed, commands := randomSettings(t, scriptDefaultSeed, scriptDefaultCommands)
	newRandomRunner(t).hunt(seed, commands, func(g *cmdGen, n int) []step {
		return (&scriptGen{cmdGen: g}).sequence(n / 3)
	})
}

// scriptGen generates scripts; the fields describe the script being made.
type scriptGen struct {
	*cmdGen
	gens  []generator
	total int

	keys, argv []string
	locals     []scriptLocal
	calls      int  // redis.call/pcall rendered so far
	resp3      bool // the script called redis.setresp(3)
	mode       mode // the comparison its reply needs (see returnCall)
}

// scriptLocal is a local variable of the script and the kind of value it
// holds.
type scriptLocal struct {
	name string
	kind luaKind
}

type luaKind int

const (
	kindNum luaKind = iota
	kindStr
	kindAny // anything, tables included: not for tostring or arithmetic
)

// sequence makes about n steps: scripts, data commands that set up the
// keys they use, and SCRIPT FLUSH now and then. It starts with SCRIPT
// FLUSH so that a shrunk reproduction does not depend on the cache.
func (s *scriptGen) sequence(n int) []step {
	s.gens = scriptCommandGenerators()
	s.total = totalWeight(s.gens)
	seq := []step{cmd(exact, "SCRIPT", "FLUSH")}
	if s.chance(0.1) {
		seq = append(seq, cmd(typ, "HELLO", "3"))
	}
	for len(seq) < n {
		switch p := s.r.Float64(); {
		case p < 0.3:
			seq = append(seq, s.command(s.gens, s.total)...)
		case p < 0.32:
			seq = append(seq, cmd(exact, "SCRIPT", "FLUSH"))
		default:
			seq = append(seq, s.scriptSteps()...)
		}
	}
	return seq
}

// scriptCommandGenerators are the data command generators of
// TestRandomDifferential that make sense inside a script. Transaction
// commands are kept: Redis refuses them in scripts, and so must cairn.
func scriptCommandGenerators() []generator {
	return generators()
}

// scriptSteps renders one script and runs it with EVAL, EVAL_RO or
// SCRIPT LOAD + EVALSHA.
func (s *scriptGen) scriptSteps() []step {
	body := s.script()
	numkeys := strconv.Itoa(len(s.keys))
	if s.chance(0.04) {
		numkeys = s.pick([]string{"-1", "abc", "1.5", "100", "9223372036854775808", "", " 1"})
	}
	tail := cat([]string{numkeys}, s.keys, s.argv)
	m := s.mode
	switch p := s.r.Float64(); {
	case p < 0.08:
		return []step{cmd(m, cat([]string{"EVAL_RO", body}, tail)...)}
	case p < 0.2:
		sum := sha1.Sum([]byte(body))
		sha := hex.EncodeToString(sum[:])
		name := "EVALSHA"
		if s.chance(0.15) {
			name = "EVALSHA_RO"
		}
		steps := []step{cmd(exact, cat([]string{name, sha}, tail)...)}
		if s.chance(0.85) {
			steps = slices.Insert(steps, 0, cmd(exact, "SCRIPT", "LOAD", body))
		}
		steps[len(steps)-1].mode = m
		return steps
	}
	return []step{cmd(m, cat([]string{"EVAL", body}, tail)...)}
}

// script generates a script body and sets keys, argv and mode.
func (s *scriptGen) script() string {
	s.keys, s.argv, s.locals, s.calls, s.resp3, s.mode = nil, nil, nil, 0, false, exact
	var stmts []string
	if s.chance(0.15) {
		s.resp3 = true
		stmts = append(stmts, "redis.setresp(3)")
	}
	for range s.r.IntN(5) {
		stmts = append(stmts, s.statement()...)
	}
	if s.chance(0.08) {
		stmts = append(stmts, s.failure())
	}
	if s.chance(0.9) {
		stmts = append(stmts, s.returnStmt())
	}
	sep := " "
	if s.chance(0.3) {
		sep = "\n"
	}
	return strings.Join(stmts, sep)
}

// statement returns one or two statements (a call and its resync).
func (s *scriptGen) statement() []string {
	switch s.r.IntN(10) {
	case 0, 1, 2:
		return s.calls2(false)
	case 3:
		name := fmt.Sprintf("t%d", len(s.locals))
		st := fmt.Sprintf("local %s = %s table.insert(%s, %s)", name, s.array(1, false), name, s.scalar(1))
		s.locals = append(s.locals, scriptLocal{name, kindAny})
		return []string{st}
	}
	name := fmt.Sprintf("v%d", len(s.locals))
	var e string
	kind := luaKind(s.r.IntN(3))
	switch kind {
	case kindNum:
		e = s.num(2)
	case kindStr:
		e = s.str(2)
	default:
		e = s.any(2)
	}
	s.locals = append(s.locals, scriptLocal{name, kind})
	return []string{"local " + name + " = " + e}
}

// calls2 renders the steps of one random data command as redis.call or
// redis.pcall statements (SPOP comes with the DEL that resyncs the two
// servers). With wrap, the result is an expression: the type of the
// first call's result unless its reply is exact (a random or unordered
// reply cannot be compared inside a bigger value).
func (s *scriptGen) calls2(wrap bool) []string {
	steps := s.callSteps()
	for wrap && len(steps) > 1 { // SPOP needs its resync statement
		steps = s.callSteps()
	}
	var out []string
	for _, st := range steps {
		c := s.renderCall(st.args)
		if wrap && st.mode != exact {
			c = "type(" + c + ")"
		}
		out = append(out, c)
	}
	return out
}

// callSteps generates a data command to call from the script. Not the big
// ones that cross encoding thresholds: a call with hundreds of arguments
// is over a limit of Lua's compiler ("function or expression too
// complex"), which gopher-lua words differently ("register overflow").
func (s *scriptGen) callSteps() []step {
	for {
		if steps := s.command(s.gens, s.total); len(steps[0].args) <= 60 {
			return steps
		}
	}
}

func (s *scriptGen) renderCall(args []string) string {
	s.calls++
	fn := "redis.call"
	if s.chance(0.3) {
		fn = "redis.pcall"
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = s.arg(a, i == 0)
	}
	return fn + "(" + strings.Join(parts, ", ") + ")"
}

// arg renders a command argument: a KEYS or ARGV reference, a Lua number
// (converted back to a string by Redis) or a string literal.
func (s *scriptGen) arg(a string, name bool) string {
	switch {
	case !name && slices.Contains(genKeys, a) && s.chance(0.5):
		return s.keyRef(a)
	case !name && s.chance(0.15):
		s.argv = append(s.argv, a)
		return fmt.Sprintf("ARGV[%d]", len(s.argv))
	case !name && luaNumeral(a) && s.chance(0.2):
		return a
	}
	return luaQuote(a)
}

func (s *scriptGen) keyRef(k string) string {
	if i := slices.Index(s.keys, k); i >= 0 {
		return fmt.Sprintf("KEYS[%d]", i+1)
	}
	s.keys = append(s.keys, k)
	return fmt.Sprintf("KEYS[%d]", len(s.keys))
}

// luaNumeral reports whether a reads the same as a Lua number literal
// (decimal digits, a point, an exponent).
//
// Not a negative zero: Lua 5.1's compiler folds the constant -0 into 0,
// gopher-lua's keeps it, and Redis sends "0" where cairn sends "-0".
func luaNumeral(a string) bool {
	if f, err := strconv.ParseFloat(a, 64); err != nil || f == 0 && a[0] == '-' {
		return false
	}
	for i := 0; i < len(a); i++ {
		if c := a[i]; !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '-' && i == 0) {
			return false
		}
	}
	return true
}

// luaQuote renders s as a Lua string literal.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func (s *scriptGen) local(kinds ...luaKind) (string, bool) {
	var names []string
	for _, l := range s.locals {
		if slices.Contains(kinds, l.kind) {
			names = append(names, l.name)
		}
	}
	if len(names) == 0 {
		return "", false
	}
	return s.pick(names), true
}

// Literals (no -0.0: see luaNumeral). 2^53 and beyond, 1e20, 0/0 and the infinities convert to
// integers the way a C cast on x86-64 does.
var (
	luaInts   = []string{"0", "1", "-1", "2", "3", "7", "10", "42", "-100", "255", "65536", "2^31", "2^32", "2^53", "-2^63", "1e15", "100000000000000"}
	luaFloats = []string{"3.99", "-3.99", "-0.5", "0.5", "1e20", "0/0", "math.huge", "-math.huge", "0.1", "1/3", "1e-5", "123456.789", "2.5", "1e100", "3.14159265358979"}
	luaStrs   = []string{"", "a", "hello", "foo bar", "10", "-5", "3.5", "1e3", " 12 ", "0x1F", "abc123", "a\x00b", "x\r\ny", "\xff", "nan", "inf", "%d", "\"q\"", "k1"}
	// The formats Lua 5.1 and Redis's string.format share to the byte.
	luaNumFormats = []string{"%d", "%5d", "%-5d|", "%05d", "%.3f", "%5.2f", "%g", "%.3g", "%e", "%x", "%X", "%o", "%i", "%c", "%+d", "%.0f", "%10.4f"}
)

// num returns a number expression.
func (s *scriptGen) num(depth int) string {
	if depth <= 0 {
		return s.numLiteral()
	}
	d := depth - 1
	switch s.r.IntN(16) {
	case 0, 1, 2:
		return s.numLiteral()
	case 3:
		if v, ok := s.local(kindNum); ok {
			return v
		}
		return s.numLiteral()
	case 4:
		// Not % or ^: see the NaN note below. A negative zero computed at
		// run time (65536 / -math.huge) is a zero in gopher-lua, whose VM
		// keeps small whole numbers as shared values (LNumber2I) and so
		// loses the sign; Redis keeps it. Not left out, being rare: a
		// long hunt may report it ("-0" against "0").
		return "(" + s.num(d) + " " + s.pick([]string{"+", "-", "*", "/"}) + " " + s.num(d) + ")"
	case 5:
		return "-(" + s.num(d) + ")"
	case 6:
		return "(tonumber(" + s.str(d) + ") or 0)"
	case 7:
		return "#" + s.str(d)
	case 8:
		return "string.len(" + s.str(d) + ")"
	case 9:
		// Only exact functions. Not sqrt, log, log10, fmod, pow (nor %
		// and ^): the sign of the NaN they return for a bad argument is
		// glibc's choice, function by function (log(-0.5) is -nan,
		// log10(-1) nan), which Go's math does not copy, and tostring
		// shows it. Not exp, sin, cos, tan, atan2: Go's math and glibc's
		// libm differ in the last bit (tan(255)).
		f := s.pick([]string{"floor", "ceil", "abs", "rad", "deg", "frexp", "modf"})
		return "math." + f + "(" + s.num(d) + ")"
	case 10:
		f := s.pick([]string{"max", "min", "ldexp"})
		return "math." + f + "(" + s.num(d) + ", " + s.num(d) + ")"
	case 11:
		f := s.pick([]string{"band", "bor", "bxor", "lshift", "rshift", "arshift", "rol", "ror"})
		return "bit." + f + "(" + s.num(d) + ", " + s.numLiteral() + ")"
	case 12:
		return "bit." + s.pick([]string{"tobit", "bnot", "bswap"}) + "(" + s.num(d) + ")"
	case 13:
		return "table.getn(" + s.array(d, false) + ")"
	case 14:
		return "select('#', " + s.scalar(d) + ", " + s.scalar(d) + ")"
	}
	return "math.random(" + s.pick([]string{"", "10", "1, 100", "5, 5"}) + ")"
}

func (s *scriptGen) numLiteral() string {
	if s.chance(0.6) {
		return s.pick(luaInts)
	}
	return s.pick(luaFloats)
}

// str returns a string expression (numbers allowed, as Lua converts them).
func (s *scriptGen) str(depth int) string {
	if depth <= 0 {
		return luaQuote(s.pick(luaStrs))
	}
	d := depth - 1
	switch s.r.IntN(20) {
	case 0, 1, 2:
		return luaQuote(s.pick(luaStrs))
	case 3:
		v := s.pick(append(slices.Clone(genMembers), genFloats...))
		s.argv = append(s.argv, v)
		return fmt.Sprintf("ARGV[%d]", len(s.argv))
	case 4:
		return s.keyRef(s.key())
	case 5:
		if v, ok := s.local(kindStr); ok {
			return v
		}
		return luaQuote(s.pick(luaStrs))
	case 6:
		return "string.rep(" + s.str(d) + ", " + s.pick([]string{"0", "1", "3", "-1", "2.7"}) + ")"
	case 7:
		return "string.format(" + luaQuote(s.pick(luaNumFormats)) + ", " + s.num(d) + ")"
	case 8:
		return "string.format('%s|%q', " + s.str(d) + ", " + s.str(d) + ")"
	case 9:
		switch s.r.IntN(4) {
		case 0:
			return "tostring(" + s.num(d) + ")"
		case 1:
			return "tostring(" + s.str(d) + ")"
		case 2:
			return "tostring(" + s.pick([]string{"true", "false", "nil"}) + ")"
		}
		return "type(" + s.any(d) + ")"
	case 10:
		f := s.pick([]string{"upper", "lower", "reverse"})
		return "string." + f + "(" + s.str(d) + ")"
	case 11:
		return "string.sub(" + s.str(d) + ", " + s.pick([]string{"1", "2", "-1", "0", "-3", "10"}) + ", " + s.pick([]string{"1", "3", "-1", "-2", "100"}) + ")"
	case 12:
		// Only strings: gopher-lua's ".." formats numbers with Go's
		// shortest representation, Lua with %.14g ("-9.2233720368548e+18"),
		// and the VM is not cairn's to change.
		return "(" + s.str(d) + " .. " + s.str(d) + ")"
	case 13:
		return "cjson.encode(" + s.json(d) + ")"
	case 14:
		return "cmsgpack.pack(" + s.msgpack(d) + ")"
	case 15:
		return "bit.tohex(" + s.num(d) + s.pick([]string{"", ", 2", ", -4", ", 8"}) + ")"
	case 16:
		return "redis.sha1hex(" + s.str(d) + ")"
	case 17:
		return "table.concat(" + s.flatArray(d) + s.pick([]string{"", ", ','", ", ' - '"}) + ")"
	case 18:
		return "string.format('%s', " + s.num(d) + ")"
	}
	return "string.format('%s', " + s.str(d) + ")"
}

// scalar returns a number, a string, a boolean or nil.
func (s *scriptGen) scalar(depth int) string {
	switch s.r.IntN(6) {
	case 0, 1:
		return s.num(depth)
	case 2, 3:
		return s.str(depth)
	case 4:
		return s.pick([]string{"true", "false"})
	}
	return "nil"
}

// array returns a table with an array part only, with nil holes if holes
// is set. Not for the length operator or what uses it (table.getn,
// table.insert): the border of a table with holes depends on how its
// array part was sized, and gopher-lua's "#" differs from Lua's there
// (#{nil, 1, nil} is 0 in Lua, 2 in gopher-lua's VM).
func (s *scriptGen) array(depth int, holes bool) string {
	var elems []string
	for range s.r.IntN(5) {
		e := s.scalar(depth - 1)
		switch {
		case holes && s.chance(0.15):
			e = "nil"
		case holes && depth > 0 && s.chance(0.2):
			e = s.any(depth - 1)
		case e == "nil":
			e = "false"
		}
		elems = append(elems, e)
	}
	return "{" + strings.Join(elems, ", ") + "}"
}

// flatArray is an array of numbers and strings, for table.concat.
func (s *scriptGen) flatArray(depth int) string {
	var elems []string
	for range s.r.IntN(4) {
		if s.chance(0.5) {
			elems = append(elems, s.num(depth-1))
		} else {
			elems = append(elems, s.str(depth-1))
		}
	}
	return "{" + strings.Join(elems, ", ") + "}"
}

// json returns a value cjson.encode renders deterministically: tables are
// arrays or objects of one key, as the order of several keys depends on
// the Lua hash table implementation (gopher-lua's differs from Lua's).
func (s *scriptGen) json(depth int) string {
	if depth <= 0 {
		return s.pick([]string{s.num(0), s.str(0), "true", "false", "cjson.null"})
	}
	switch s.r.IntN(5) {
	case 0:
		var elems []string
		for range s.r.IntN(4) {
			elems = append(elems, s.json(depth-1))
		}
		return "{" + strings.Join(elems, ", ") + "}"
	case 1:
		return "{" + s.pick([]string{"a", "key", "_1", "x_y"}) + "=" + keyed(s.json(depth-1)) + "}"
	case 2:
		return s.num(depth - 1)
	case 3:
		return s.str(depth - 1)
	}
	return s.pick([]string{"true", "false", "cjson.null", "{}", "{[1]=1, [3]=3}", "{1, nil, 3}"})
}

// msgpack returns the arguments of cmsgpack.pack, with tables that are
// arrays without holes or maps of one key (the order of several keys
// depends on the hash table implementation).
func (s *scriptGen) msgpack(depth int) string {
	var vals []string
	for range 1 + s.r.IntN(3) {
		vals = append(vals, s.msgpackValue(depth))
	}
	return strings.Join(vals, ", ")
}

func (s *scriptGen) msgpackValue(depth int) string {
	if depth <= 0 || s.chance(0.5) {
		return s.pick([]string{s.num(0), s.str(0), "true", "false"})
	}
	if s.chance(0.5) {
		return "{" + s.msgpack(depth-1) + "}"
	}
	return "{" + s.pick([]string{"a", "b"}) + "=" + keyed(s.msgpackValue(depth-1)) + "}"
}

// any returns an expression of any kind.
func (s *scriptGen) any(depth int) string {
	if depth <= 0 {
		return s.scalar(0)
	}
	d := depth - 1
	switch s.r.IntN(22) {
	case 0, 1:
		return s.num(depth)
	case 2, 3:
		return s.str(depth)
	case 4:
		return s.pick([]string{"true", "false", "nil"})
	case 5:
		if v, ok := s.local(kindNum, kindStr, kindAny); ok {
			return v
		}
		return "nil"
	case 6:
		return s.array(d, true)
	case 7:
		// Both parts: only the array part reaches the reply.
		return "{" + s.scalar(d) + ", x=" + keyed(s.scalar(d)) + ", " + s.scalar(d) + ", [10]=" + keyed(s.scalar(d)) + ", " + s.scalar(d) + "}"
	case 8:
		return "{ok=" + keyed(s.str(d)) + "}"
	case 9:
		return "{err=" + keyed(s.str(d)) + "}"
	case 10:
		return "redis.status_reply(" + s.str(d) + ")"
	case 11:
		return "redis.error_reply(" + s.str(d) + ")"
	case 12, 13, 14:
		if s.calls < 6 {
			return s.calls2(true)[0]
		}
		return s.scalar(d)
	case 15:
		return "cjson.decode(cjson.encode(" + s.json(d) + "))"
	case 16:
		// (Redis's strtod of 1e400 leaves errno at ERANGE, which a later
		// SORT of an empty string, not resetting it, takes for its own
		// failure: a long hunt may report that SORT.)
		return "cjson.decode(" + luaQuote(s.pick([]string{"[1,2,3]", "{\"a\":[1,null,true]}", "\"s\"", "1.5", "[[],{}]", "-0", "1e400", "[1,2", "{\"a\":1,}", "[\"\\u00e9\"]"})) + ")"
	case 17:
		return "cmsgpack.unpack(cmsgpack.pack(" + s.msgpack(d) + "))"
	case 18:
		return "{cmsgpack.unpack(cmsgpack.pack(" + s.msgpack(d) + "))}"
	case 19:
		return "{pcall(redis.call, " + luaQuote(s.pick([]string{"NOSUCH", "GET", "INCR", "LPUSH"})) + ", " + s.keyRef(s.key()) + ")}"
	case 20:
		if s.resp3 {
			return s.resp3Value(d)
		}
		return "{double=" + keyed(s.num(d)) + "}"
	}
	return "{" + s.any(d) + ", " + s.any(d) + "}"
}

// resp3Value returns a table of a RESP3 type. Maps and sets have one key:
// the order of several depends on the hash table implementation.
func (s *scriptGen) resp3Value(depth int) string {
	switch s.r.IntN(6) {
	case 0:
		return "{double=" + keyed(s.num(depth)) + "}"
	case 1:
		return "{map={" + s.pick([]string{"a", "b"}) + "=" + keyed(s.scalar(depth)) + "}}"
	case 2:
		return "{set={" + s.pick([]string{"a", "b"}) + "=true}}"
	case 3:
		return "{big_number=" + luaQuote(s.pick([]string{"123456789012345678901234567890", "-1", "abc"})) + "}"
	case 4:
		return "{verbatim_string={format='txt', string=" + keyed(s.str(depth)) + "}}"
	}
	return s.pick([]string{"true", "false", "nil"})
}

// returnStmt returns the script's return statement. A data command whose
// reply is random or unordered may be returned as is: the script's reply
// is then compared as that command's would be.
func (s *scriptGen) returnStmt() string {
	if s.chance(0.25) {
		steps := s.callSteps()
		c := s.renderCall(steps[0].args)
		if len(steps) > 1 { // SPOP: its reply, then the resync
			s.mode = steps[0].mode
			return "local r = " + c + " " + s.renderCall(steps[1].args) + " return r"
		}
		s.mode = steps[0].mode
		if s.mode == refcount {
			s.mode = exact
		}
		if s.resp3 && s.mode == exact {
			// A map reply (HGETALL, LCS IDX) comes back from Lua in
			// the order of the Lua table's hash part: gopher-lua's.
			s.mode = sorted
		}
		return "return " + c
	}
	// A value built by the script may hold a command's map reply too
	// (LCS IDX), in gopher-lua's order.
	if s.resp3 {
		s.mode = sorted
	}
	if v, ok := s.local(kindNum, kindStr, kindAny); ok && s.chance(0.3) {
		return "return " + v
	}
	return "return " + s.any(3)
}

// failure returns a statement that raises an error.
func (s *scriptGen) failure() string {
	switch s.r.IntN(12) {
	case 0:
		return "error(" + s.str(1) + ")"
	case 1:
		return "error(" + s.str(1) + ", 0)"
	case 2:
		return "error({err=" + luaQuote(s.pick([]string{"X y", "ERR plain", "nocode", "-NEG z", ""})) + "})"
	case 3:
		return "assert(false)"
	case 4:
		return "assert(" + s.pick([]string{"false", "nil"}) + ", " + s.str(1) + ")"
	case 5:
		return "nosuchfunction()"
	case 6:
		return s.pick([]string{"gx", "KEYS", "redis", "x_y"}) + " = " + s.scalar(1)
	case 7:
		return "redis.call(" + luaQuote(s.pick([]string{"NOSUCH", "get", "GET", "SET", "HSET", "EVAL", "SCRIPT"})) + ")"
	case 8:
		return "redis.call('GET', " + s.keyRef(s.key()) + ", 'extra')"
	case 9:
		return "redis.call('LPUSH', " + s.keyRef(s.pick([]string{"k0", "k1"})) + ", 'x')"
	case 10:
		return "redis.call('INCR', " + s.keyRef(s.pick([]string{"k2", "k3", "k4"})) + ")"
	}
	return "local x = nosuchglobal"
}

// keyed parenthesizes the value of a keyed table field: gopher-lua's
// compiler expands a call there to all its results, appended to the
// array part, as if it were the last positional field ({1, x=f()} gets
// f's result at [2]). The bug is in the VM, not cairn's to change.
func keyed(v string) string { return "(" + v + ")" }
