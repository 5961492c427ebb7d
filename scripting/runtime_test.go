package scripting

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/resp"
	lua "github.com/yuin/gopher-lua"
)

// fakeCaller answers redis.call with canned RESP replies by command name
// and records the commands.
type fakeCaller struct {
	replies map[string]string
	calls   []string
	resp3   []bool
}

func (f *fakeCaller) Call(args [][]byte, resp3 bool) []byte {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = string(a)
	}
	f.calls = append(f.calls, strings.Join(parts, " "))
	f.resp3 = append(f.resp3, resp3)
	if r, ok := f.replies[strings.ToLower(parts[0])]; ok {
		return []byte(r)
	}
	return []byte("-ERR Unknown Redis command called from script\r\n")
}

func (f *fakeCaller) Known(args [][]byte) bool {
	_, ok := f.replies[strings.ToLower(string(args[0]))]
	return ok
}

// eval compiles and runs script with the given caller and returns the
// reply bytes, written in proto (2 or 3).
func eval(t testing.TB, rt *Runtime, caller Caller, proto int, script string, keys, args []string) string {
	t.Helper()
	w := &resp.Writer{Proto: proto}
	s, err := rt.Load([]byte(script))
	if err != nil {
		return "-" + err.Error() + "\r\n"
	}
	rt.Run(nil, s, bytesOf(keys), bytesOf(args), caller, w)
	return string(w.Bytes())
}

func bytesOf(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func sha(script string) string { return SHA1Hex([]byte(script)) }

// TestLuaToRESP converts script return values to replies; the expected
// bytes are redis-server 7.0.15's.
func TestLuaToRESP(t *testing.T) {
	tests := []struct {
		script string
		proto  int
		want   string
	}{
		{"return 1", 2, ":1\r\n"},
		{"return 3.99", 2, ":3\r\n"},
		{"return -3.99", 2, ":-3\r\n"},
		{"return 1e20", 2, ":-9223372036854775808\r\n"},
		{"return 0/0", 2, ":-9223372036854775808\r\n"},
		{"return 'x'", 2, "$1\r\nx\r\n"},
		{"return true", 2, ":1\r\n"},
		{"return false", 2, "$-1\r\n"},
		{"return nil", 2, "$-1\r\n"},
		{"return false", 3, "_\r\n"},
		{"redis.setresp(3) return false", 2, ":0\r\n"},
		{"redis.setresp(3) return true", 3, "#t\r\n"},
		{"return {1,2,3,'x',nil,4}", 2, "*4\r\n:1\r\n:2\r\n:3\r\n$1\r\nx\r\n"},
		{"return {}", 2, "*0\r\n"},
		{"return {1, {2, {3}}}", 2, "*2\r\n:1\r\n*2\r\n:2\r\n*1\r\n:3\r\n"},
		{"return {ok='fine'}", 2, "+fine\r\n"},
		{"return {ok='a\\r\\nb'}", 2, "+a  b\r\n"},
		{"return {err='bad thing'}", 2, "-bad thing\r\n"},
		{"return {err='a\\r\\nb'}", 2, "-a  b\r\n"},
		{"return redis.error_reply('my err')", 2, "-my err\r\n"},
		{"return redis.error_reply('x')", 2, "-ERR x\r\n"},
		{"return redis.error_reply('-MY err')", 2, "-MY err\r\n"},
		{"return redis.error_reply()", 2, "-ERR wrong number or type of arguments\r\n"},
		// Redis reads the message as a C string: up to a NUL.
		{"return redis.error_reply('code\\0 and more')", 2, "-ERR code\r\n"},
		// Lua 5.1's table.insert and table.remove, not gopher-lua's.
		{"local t = {1, 2, 3} table.insert(t, 0, 9) return {t[0], t[1], t[2], t[3], t[4]}", 2, "*1\r\n:9\r\n"},
		{"local t = {1, 2, 3} table.insert(t, -math.huge, 9) return {t[0], t[4]}", 2, "*2\r\n:9\r\n:3\r\n"},
		{"local t = {1, 2, 3} table.insert(t, 2, 9) return t", 2, "*4\r\n:1\r\n:9\r\n:2\r\n:3\r\n"},
		{"local t = {1, 2, 3} table.insert(t, 1, 9, 8) return t", 2, "-ERR user_script:1: wrong number of arguments to 'insert' script: ef3165e8cbd83416f4830a915f2c3e516440e35b, on @user_script:1.\r\n"},
		{"local t = {1, 2, 3} return {table.remove(t, 0), #t}", 2, "*0\r\n"},
		{"local t = {1, 2, 3} return {table.remove(t, 1), #t, t[1]}", 2, "*3\r\n:1\r\n:2\r\n:2\r\n"},
		{"return {table.remove(string)}", 2, "*0\r\n"},
		// C's strtod stops at a NUL; its NaN has no payload, which the bit
		// library's conversion shows.
		{"return tonumber('0x1Fa\\0b')", 2, ":506\r\n"},
		{"return bit.tobit(tonumber('nan'))", 2, ":0\r\n"},
		{"return {math.modf(-math.huge)}", 2, "*2\r\n:-9223372036854775808\r\n:0\r\n"},
		{"return redis.status_reply('good')", 2, "+good\r\n"},
		{"return {double=3.5}", 2, "$3\r\n3.5\r\n"},
		{"return {double=3.5}", 3, ",3.5\r\n"},
		{"return {big_number='123'}", 2, "$3\r\n123\r\n"},
		{"return {big_number='123'}", 3, "(123\r\n"},
		{"return {verbatim_string={format='txt', string='hi'}}", 3, "=6\r\ntxt:hi\r\n"},
		{"return {verbatim_string={format='txt', string='hi'}}", 2, "$2\r\nhi\r\n"},
		{"return {map={a=1}}", 3, "%1\r\n$1\r\na\r\n:1\r\n"},
		{"return {map={a=1}}", 2, "*2\r\n$1\r\na\r\n:1\r\n"},
		{"return {set={x=true}}", 3, "~1\r\n$1\r\nx\r\n"},
		{"return function() end", 2, "$-1\r\n"},
		{"return {function() end}", 2, "*1\r\n$-1\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			if got := eval(t, New(Options{}), &fakeCaller{}, tt.proto, tt.script, nil, nil); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReplyTooDeep: a table that contains itself converts until Redis's
// Lua stack would run out, then an error takes the place of the rest.
func TestReplyTooDeep(t *testing.T) {
	got := eval(t, New(Options{}), &fakeCaller{}, 2, "local t = {} t[1] = t return t", nil, nil)
	want := strings.Repeat("*1\r\n", luaStackSlots) + "-ERR reached lua stack limit\r\n"
	if got != want {
		t.Errorf("got %d bytes ending %q", len(got), got[max(0, len(got)-40):])
	}
}

// dump renders a Lua value deterministically: tables with their keys
// sorted.
func dump(v lua.LValue) string {
	switch v := v.(type) {
	case lua.LString:
		return fmt.Sprintf("%q", string(v))
	case *lua.LTable:
		var parts []string
		forEach(v, func(k, val lua.LValue) bool {
			parts = append(parts, dump(k)+"="+dump(val))
			return true
		})
		sort.Strings(parts)
		return "{" + strings.Join(parts, ",") + "}"
	}
	return v.String()
}

// TestRESPToLua converts command replies to Lua values with Redis's
// rules.
func TestRESPToLua(t *testing.T) {
	tests := []struct{ reply, want string }{
		{":42\r\n", "42"},
		{":-1\r\n", "-1"},
		{"$3\r\nabc\r\n", `"abc"`},
		{"$0\r\n\r\n", `""`},
		{"$-1\r\n", "false"},
		{"*-1\r\n", "false"},
		{"+OK\r\n", `{"ok"="OK"}`},
		{"-ERR bad\r\n", `{"err"="ERR bad","ignore_error_stats_update"=true}`},
		{"-WRONGTYPE Operation\r\n", `{"err"="WRONGTYPE Operation","ignore_error_stats_update"=true}`},
		{"-NOCODE\r\n", `{"err"="ERR NOCODE","ignore_error_stats_update"=true}`},
		{"*2\r\n:1\r\n$1\r\nx\r\n", `{1=1,2="x"}`},
		{"*3\r\n:1\r\n*1\r\n$-1\r\n:3\r\n", `{1=1,2={1=false},3=3}`},
		{"*0\r\n", "{}"},
		{"_\r\n", "nil"},
		{"*3\r\n:1\r\n_\r\n:3\r\n", `{1=1,3=3}`},
		{"#t\r\n", "true"},
		{"#f\r\n", "false"},
		{",3.5\r\n", `{"double"=3.5}`},
		{",inf\r\n", `{"double"=+Inf}`},
		{"(12345678901234567890\r\n", `{"big_number"="12345678901234567890"}`},
		{"=8\r\ntxt:abcd\r\n", `{"verbatim_string"={"format"="txt","string"="abcd"}}`},
		{"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n", `{"map"={"a"=1,"b"=2}}`},
		{"~2\r\n$1\r\na\r\n$1\r\nb\r\n", `{"set"={"a"=true,"b"=true}}`},
		{"|1\r\n$3\r\nttl\r\n:5\r\n:7\r\n", "7"},
	}
	L := lua.NewState()
	defer L.Close()
	for _, tt := range tests {
		v, n, err := ParseReply(L, []byte(tt.reply))
		if err != nil {
			t.Errorf("%q: %v", tt.reply, err)
			continue
		}
		if n != len(tt.reply) {
			t.Errorf("%q: took %d bytes of %d", tt.reply, n, len(tt.reply))
		}
		if got := dump(v); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.reply, got, tt.want)
		}
	}
	for _, bad := range []string{"", ":", ":x\r\n", "$5\r\nab\r\n", "*2\r\n:1\r\n", "?\r\n", "#x\r\n", "=2\r\nab\r\n", "%-1\r\n", "*999999999\r\n"} {
		if _, _, err := ParseReply(L, []byte(bad)); err == nil {
			t.Errorf("%q: parsed", bad)
		}
	}
}

// FuzzParseReply: no input makes the parser panic or read past its input.
func FuzzParseReply(f *testing.F) {
	for _, seed := range []string{":1\r\n", "$3\r\nabc\r\n", "*2\r\n:1\r\n$-1\r\n", "%1\r\n+a\r\n-b\r\n",
		"~1\r\n,1.5\r\n", "=5\r\ntxt:x\r\n", "|1\r\n:1\r\n:2\r\n#t\r\n", "(1\r\n", "_\r\n"} {
		f.Add([]byte(seed))
	}
	L := lua.NewState()
	f.Fuzz(func(t *testing.T, b []byte) {
		_, n, err := ParseReply(L, b)
		if err == nil && (n <= 0 || n > len(b)) {
			t.Fatalf("took %d bytes of %d", n, len(b))
		}
	})
}

// TestRedisCall: arguments, RESP version and errors of redis.call and
// redis.pcall.
func TestRedisCall(t *testing.T) {
	caller := &fakeCaller{replies: map[string]string{
		"get":     "$1\r\nv\r\n",
		"incr":    "-ERR value is not an integer or out of range\r\n",
		"hgetall": "%1\r\n$1\r\nf\r\n$1\r\nv\r\n",
	}}
	tests := []struct{ script, want string }{
		{"return redis.call('get', KEYS[1])", "$1\r\nv\r\n"},
		{"return redis.call('GET', 3.5, 7, 0.1)", "$1\r\nv\r\n"},
		{"return redis.call('incr', 'k')",
			"-ERR value is not an integer or out of range script: " + sha("return redis.call('incr', 'k')") + ", on @user_script:1.\r\n"},
		{"return redis.pcall('incr', 'k')", "-ERR value is not an integer or out of range\r\n"},
		{"local ok, e = pcall(redis.call, 'incr', 'k') return {tostring(ok), e}",
			"*2\r\n$5\r\nfalse\r\n$43\r\nERR value is not an integer or out of range\r\n"},
		{"return redis.call('nosuch')",
			"-ERR Unknown Redis command called from script script: " + sha("return redis.call('nosuch')") + ", on @user_script:1.\r\n"},
		{"return redis.call()",
			"-ERR Please specify at least one argument for this redis lib call script: " + sha("return redis.call()") + ", on @user_script:1.\r\n"},
		{"return redis.pcall('get', {})", "-ERR Lua redis lib command arguments must be strings or integers\r\n"},
		{"\n\nreturn redis.call('get', true)",
			"-ERR Lua redis lib command arguments must be strings or integers script: " + sha("\n\nreturn redis.call('get', true)") + ", on @user_script:3.\r\n"},
		{"return redis.call('hgetall', 'h')", "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
		{"redis.setresp(3) return redis.call('hgetall', 'h').map.f", "$1\r\nv\r\n"},
		{"return redis.acl_check_cmd('get', 'x')", ":1\r\n"},
		{"return {pcall(redis.acl_check_cmd, 'nosuch')}",
			"*2\r\n$-1\r\n$51\r\nERR Invalid command passed to redis.acl_check_cmd()\r\n"},
	}
	for _, tt := range tests {
		caller.calls, caller.resp3 = nil, nil
		if got := eval(t, New(Options{}), caller, 2, tt.script, []string{"key"}, nil); got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.script, got, tt.want)
		}
	}
	caller.calls, caller.resp3 = nil, nil
	eval(t, New(Options{}), caller, 2, "redis.call('get', 3.5, 7, 0.1, 1e20) redis.setresp(3) redis.call('get', 'x')", nil, nil)
	if want := []string{"get 3.5 7 0.10000000000000001 1e+20", "get x"}; strings.Join(caller.calls, "|") != strings.Join(want, "|") {
		t.Errorf("calls %q, want %q", caller.calls, want)
	}
	if caller.resp3[0] || !caller.resp3[1] {
		t.Errorf("RESP3 per call %v, want [false true]", caller.resp3)
	}
}

// TestScriptErrors: errors and their positions, as Redis 7.0.15 formats
// them.
func TestScriptErrors(t *testing.T) {
	tests := []struct{ script, want string }{
		{"return foo", "ERR user_script:1: Script attempted to access nonexistent global variable 'foo'"},
		{"x = 1", "ERR user_script:1: Attempt to modify a readonly table"},
		{"error('boom')", "ERR user_script:1: boom"},
		{"\n\nerror('boom')", "ERR user_script:3: boom"},
		{"error({err='custom'})", "custom"},
		{"error('x', 0)", "ERR x"},
		{"error(nil)", "ERR nil"},
		{"error(5)", "ERR user_script:1: 5"},
		{"return 1 + nil", "ERR user_script:1: attempt to perform arithmetic on a nil value"},
		{"return 'a' .. {}", "ERR user_script:1: attempt to concatenate a table value"},
		{"return {} < {}", "ERR user_script:1: attempt to compare two table values"},
		{"local function f() return f() + 1 end return f()", "ERR user_script:1: stack overflow"},
		{"return redis.setresp(4)", "ERR RESP version must be 2 or 3."},
		{"return redis.log()", "ERR redis.log() requires two arguments or more."},
		{"return redis.log('x', 'y')", "ERR First argument must be a number (log level)."},
		{"return redis.log(99, 'y')", "ERR Invalid debug level."},
		{"return redis.set_repl(99)", "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."},
		{"return redis.sha1hex()", "ERR wrong number of arguments"},
	}
	for _, tt := range tests {
		want := "-" + tt.want + " script: " + sha(tt.script) + ", on @user_script:"
		got := eval(t, New(Options{}), &fakeCaller{}, 2, tt.script, nil, nil)
		if !strings.HasPrefix(got, want) {
			t.Errorf("%q:\n got %q\nwant %q...", tt.script, got, want)
		}
	}
	// Compile errors and shebang lines: the reply is the whole error.
	compile := []struct{ script, want string }{
		{"return (1", "ERR Error compiling script (new function): user_script:1: "},
		{"#!python\nreturn 1", "ERR Unexpected engine in script shebang: #!python"},
		{"#!lua flags=bad\nreturn 1", "ERR Unexpected flag in script shebang: bad"},
		{"#!lua foo\nreturn 1", "ERR Unknown lua shebang option: foo"},
	}
	for _, tt := range compile {
		if _, err := New(Options{}).Load([]byte(tt.script)); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q...", tt.script, err, tt.want)
		}
	}
	s, err := New(Options{}).Load([]byte("#!lua flags=no-writes,allow-oom\nreturn 1"))
	if err != nil || !s.Shebang || s.Flags != FlagNoWrites|FlagAllowOOM || !s.ReadOnly() {
		t.Errorf("shebang flags: %+v, %v", s, err)
	}
}

// TestSandbox: what scripts may see and change.
func TestSandbox(t *testing.T) {
	tests := []struct{ script, want string }{
		{"return type(loadstring)", "$8\r\nfunction\r\n"},
		{"return loadstring('return 5')()", ":5\r\n"},
		{"return type(getfenv)", "-"},
		{"return type(print)", "-"},
		{"return type(dofile)", "-"},
		{"return type(os)", "-"},
		{"return type(io)", "-"},
		{"return type(debug)", "-"},
		{"return type(require)", "-"},
		{"return type(newproxy)", "-"},
		{"return _VERSION", "$7\r\nLua 5.1\r\n"},
		{"loadstring('y = 1')()", "-ERR [string \"y = 1\"]:1: Attempt to modify a readonly table"},
		{"rawset(_G, 'x', 1)", "-ERR Attempt to modify a readonly table script:"},
		{"string.x = 1", "-ERR user_script:1: Attempt to modify a readonly table"},
		{"string.len = nil", "-ERR user_script:1: Attempt to modify a readonly table"},
		{"setmetatable(_G, nil)", "-ERR Attempt to modify a readonly table script:"},
		{"table.insert(_G, 1)", "-ERR Attempt to modify a readonly table script:"},
		{"getmetatable('').__index.upper = nil", "-ERR user_script:1: Attempt to modify a readonly table"},
		{"setmetatable('', {})", "-ERR user_script:1: bad argument #1 to 'setmetatable' (table expected, got string)"},
		{"KEYS = 1", "-ERR user_script:1: Attempt to modify a readonly table"},
		{"KEYS[1] = 'x' return KEYS[1]", "$1\r\nx\r\n"},
		{"local a = {} a.b = 1 return a.b", ":1\r\n"},
		{"return rawget(_G, 'nonexistent')", "$-1\r\n"},
		{"return ('abc'):upper()", "$3\r\nABC\r\n"},
		{"local n = 0 for k in pairs(_G) do n = n + 1 end return n", ":35\r\n"},
		{"return tostring(0.1 + 0.2)", "$3\r\n0.3\r\n"},
		{"return tostring(1e15)", "$5\r\n1e+15\r\n"},
		{"return tostring(0/0)", "$4\r\n-nan\r\n"},
		{"return tonumber('0x10') + tonumber(' 1e2 ')", ":116\r\n"},
		{"return {pcall(error, 'x')}", "*2\r\n$-1\r\n$1\r\nx\r\n"},
		{"return math.huge > 1e308", ":1\r\n"},
		{"return {math.random(1000), math.random(1000), math.random(1, 10)}", "*3\r\n:397\r\n:841\r\n:4\r\n"},
		{"return redis.REDIS_VERSION", "$6\r\n7.0.15\r\n"},
		{"return redis.replicate_commands()", ":1\r\n"},
		{"return redis.set_repl(redis.REPL_ALL)", "$-1\r\n"},
		{"return redis.log(redis.LOG_WARNING, 'hello', 3)", "$-1\r\n"},
		{"return redis.sha1hex('')", "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n"},
	}
	for _, tt := range tests {
		got := eval(t, New(Options{}), &fakeCaller{}, 2, tt.script, nil, nil)
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("%q:\n got %q\nwant %q...", tt.script, got, tt.want)
		}
	}
	// Globals cannot carry state from one script to the next.
	rt := New(Options{})
	eval(t, rt, &fakeCaller{}, 2, "pcall(rawset, _G, 'leak', 1) pcall(table.insert, _G, 1)", nil, nil)
	if got := eval(t, rt, &fakeCaller{}, 2, "return {rawget(_G, 'leak'), rawget(_G, 1)}", nil, nil); got != "*0\r\n" {
		t.Errorf("globals leaked: %q", got)
	}
}

// TestKill: a script in an endless loop stops when its context is killed,
// even if it catches errors.
func TestKill(t *testing.T) {
	for _, script := range []string{
		"while true do end",
		"while true do pcall(function() while true do end end) end",
	} {
		rt := New(Options{})
		s, err := rt.Load([]byte(script))
		if err != nil {
			t.Fatal(err)
		}
		kill := NewKillContext()
		time.AfterFunc(50*time.Millisecond, kill.Kill)
		w := resp.NewWriter()
		rt.Run(kill, s, nil, nil, &fakeCaller{}, w)
		want := "-ERR Script killed by user with SCRIPT KILL... script: " + s.SHA() + ", on @user_script:1.\r\n"
		if got := string(w.Bytes()); got != want {
			t.Errorf("%q: got %q, want %q", script, got, want)
		}
		// The interpreter is usable afterwards.
		if got := eval(t, rt, &fakeCaller{}, 2, "return 1", nil, nil); got != ":1\r\n" {
			t.Errorf("after kill: %q", got)
		}
	}
}

// TestCache: SHA1 names, case-insensitive lookup, flush.
func TestCache(t *testing.T) {
	rt := New(Options{})
	s, err := rt.Load([]byte("return 1"))
	if err != nil || s.SHA() != "e0e1f9fabfc9d4800c877a703b823ac0578ff8db" {
		t.Fatalf("Load: %+v, %v", s, err)
	}
	if rt.Lookup([]byte("E0E1F9FABFC9D4800C877A703B823AC0578FF8DB")) != s {
		t.Error("Lookup is not case-insensitive")
	}
	if !rt.Exists([]byte("E0E1F9FABFC9D4800C877A703B823AC0578FF8DB")) || rt.Exists([]byte("e0e1")) {
		t.Error("Exists is not case-insensitive")
	}
	rt.Flush()
	if rt.Lookup([]byte(s.SHA())) != nil || rt.Len() != 0 {
		t.Error("Flush kept the script")
	}
}

// BenchmarkRun runs a cached script on the shared interpreter, as EVALSHA
// does; BenchmarkFreshInterpreter builds the sandbox a fresh interpreter
// per call would cost on top.
func BenchmarkRun(b *testing.B) {
	rt := New(Options{})
	s, err := rt.Load([]byte("return redis.call('get', KEYS[1])"))
	if err != nil {
		b.Fatal(err)
	}
	caller := &fakeCaller{replies: map[string]string{"get": "$1\r\nv\r\n"}}
	keys := [][]byte{[]byte("k")}
	w := resp.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		caller.calls, caller.resp3 = caller.calls[:0], caller.resp3[:0]
		w.Reset()
		rt.Run(NewKillContext(), s, keys, nil, caller, w)
	}
}

func BenchmarkFreshInterpreter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		New(Options{}).L.Close()
	}
}
