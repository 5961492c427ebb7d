package scripting

import (
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/resp"
)

// TestCollectGarbageState: setpause and setstepmul return the value they
// replace, from Lua 5.1's 200 in a new interpreter, which Flush brings
// back; count grows with the code compiled.
func TestCollectGarbageState(t *testing.T) {
	rt := New(Options{})
	const script = "return {collectgarbage('setpause', 150), collectgarbage('setpause'), collectgarbage('setpause', 200), " +
		"collectgarbage('setstepmul', 400), collectgarbage('setstepmul', 200)}"
	want := "*5\r\n:200\r\n:150\r\n:0\r\n:200\r\n:400\r\n"
	if got := eval(t, rt, &fakeCaller{}, 2, script, nil, nil); got != want {
		t.Errorf("first run: %q, want %q", got, want)
	}
	rt.Flush()
	if got := eval(t, rt, &fakeCaller{}, 2, script, nil, nil); got != want {
		t.Errorf("after Flush: %q, want %q", got, want)
	}
	before := rt.VMMemory()
	eval(t, rt, &fakeCaller{}, 2, "local t = {} "+strings.Repeat("t[#t+1] = 'x' ", 200)+"return 1", nil, nil)
	if rt.VMMemory() <= before {
		t.Errorf("VMMemory %d after compiling a script, %d before", rt.VMMemory(), before)
	}
}

// TestLibraryLoad: what a library registers, in both forms, and what
// calling a function gets; errors of the load are Redis's.
func TestLibraryLoad(t *testing.T) {
	rt := New(Options{Functions: true})
	lib, err := rt.LoadLibrary([]byte("\nredis.register_function('pos', function(keys, args) return {keys[1], args[1], #keys, #args} end)\n"+
		"redis.register_function{function_name='named', callback=function() return redis.call('ping') end, "+
		"flags={'no-writes', 'ALLOW-OOM'}, description='d'}"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Functions) != 2 {
		t.Fatalf("%d functions", len(lib.Functions))
	}
	pos, named := lib.Functions[0], lib.Functions[1]
	if pos.Name != "pos" || pos.HasDescription || pos.Flags != 0 {
		t.Errorf("pos: %+v", pos)
	}
	if named.Name != "named" || named.Description != "d" || strings.Join(named.Flags.Names(), ",") != "no-writes,allow-oom" {
		t.Errorf("named: %+v", named)
	}
	w := &resp.Writer{Proto: 2}
	rt.Call(nil, pos, bytesOf([]string{"k"}), bytesOf([]string{"a", "b"}), &fakeCaller{}, w)
	if got := string(w.Bytes()); got != "*4\r\n$1\r\nk\r\n$1\r\na\r\n:1\r\n:2\r\n" {
		t.Errorf("pos replied %q", got)
	}
	w.Reset()
	rt.Call(nil, named, nil, nil, &fakeCaller{replies: map[string]string{"ping": "+PONG\r\n"}}, w)
	if got := string(w.Bytes()); got != "+PONG\r\n" {
		t.Errorf("named replied %q", got)
	}

	for _, tt := range []struct{ code, err string }{
		// gopher-lua words syntax errors its own way, as EVAL shows.
		{"\nx = ", "Error compiling function: user_function:2: syntax error near '<eof>'"},
		{"\nredis.call('ping')", "Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'"},
		{"\nredis.register_function('a', function() end, 3)", "Error registering functions: ERR wrong number of arguments to redis.register_function"},
		{"\nwhile true do end", "Error registering functions: ERR FUNCTION LOAD timeout"},
	} {
		if _, err := rt.LoadLibrary([]byte(tt.code), 50*time.Millisecond); err == nil || err.Error() != tt.err {
			t.Errorf("%q: %v, want %s", tt.code, err, tt.err)
		}
	}
}
