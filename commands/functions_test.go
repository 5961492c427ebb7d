package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace"
)

const (
	errBusyFunction = scriptError("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")
	busyLibrary     = "#!lua name=busy\n" +
		"redis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)\n" +
		"redis.register_function('spinw', function(keys) redis.call('set', keys[1], 'x') " +
		"local t0 = redis.call('TIME') while true do local t = redis.call('TIME') " +
		"if (t[1] - t0[1]) * 1000000 + t[2] - t0[2] > 1000000 then return 'done' end end end)"
)

// TestFunctionBusyAndKill: a function that runs past busy-reply-threshold
// gets the BUSY error that names FUNCTION KILL, which stops it where
// SCRIPT KILL refuses; FUNCTION STATS describes it; a running script is
// refused FUNCTION KILL and FUNCTION STATS; a function that wrote cannot
// be killed.
func TestFunctionBusyAndKill(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.BusyReplyThreshold = 20 * time.Millisecond })
	runner := scriptClient(t, srv.Addr, 2)
	other := scriptClient(t, srv.Addr, 2)
	if got := call(t, other, "FUNCTION", "LOAD", busyLibrary); got != "busy" {
		t.Fatalf("FUNCTION LOAD: %#v", got)
	}
	run := func(args ...any) <-chan any {
		done := make(chan any, 1)
		go func() {
			v, err := runner.Do(context.Background(), args...).Result()
			if err != nil {
				v = scriptError(err.Error())
			}
			done <- v
		}()
		return done
	}
	waitBusy := func(busy scriptError) {
		t.Helper()
		for i := 0; ; i++ {
			got := call(t, other, "PING")
			if got == busy {
				return
			}
			if got != "PONG" || i > 10000 {
				t.Fatalf("PING: %#v", got)
			}
		}
	}

	done := run("FCALL", "spin", 1, "key", "arg")
	waitBusy(errBusyFunction)
	if got := call(t, other, "SCRIPT", "KILL"); got != errBusyFunction {
		t.Errorf("SCRIPT KILL of a function: %#v", got)
	}
	stats, ok := call(t, other, "FUNCTION", "STATS").([]any)
	if !ok || len(stats) != 4 || stats[0] != "running_script" {
		t.Fatalf("FUNCTION STATS while busy: %#v", stats)
	}
	running := stats[1].([]any)
	if running[1] != "spin" || strings.Join(toStrings(running[3].([]any)), " ") != "FCALL spin 1 key arg" {
		t.Errorf("FUNCTION STATS running_script: %#v", running)
	}
	if engines := stats[3].([]any); engines[0] != "LUA" || engines[1].([]any)[1] != int64(1) || engines[1].([]any)[3] != int64(2) {
		t.Errorf("FUNCTION STATS engines: %#v", engines)
	}
	if got := call(t, other, "FUNCTION", "KILL"); got != "OK" {
		t.Fatalf("FUNCTION KILL: %#v", got)
	}
	if got, want := <-done, scriptError("ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2."); got != want {
		t.Errorf("killed function replied %#v, want %#v", got, want)
	}
	if got := call(t, other, "FUNCTION", "KILL"); got != scriptError("NOTBUSY No scripts in execution right now.") {
		t.Errorf("FUNCTION KILL with nothing running: %#v", got)
	}

	done = run("EVAL", endlessScript, 0)
	waitBusy(errBusy)
	for _, cmd := range [][]any{{"FUNCTION", "KILL"}, {"FUNCTION", "STATS"}} {
		if got := call(t, other, cmd...); got != errBusy {
			t.Errorf("%v while a script is busy: %#v", cmd, got)
		}
	}
	if got := call(t, other, "SCRIPT", "KILL"); got != "OK" {
		t.Fatalf("SCRIPT KILL: %#v", got)
	}
	<-done

	done = run("FCALL", "spinw", 1, "w")
	waitBusy(errBusyFunction)
	if got := call(t, other, "FUNCTION", "KILL"); got != scriptError("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.") {
		t.Errorf("FUNCTION KILL of a writer: %#v", got)
	}
	if got := call(t, other, "SHUTDOWN"); got != errBusyFunction {
		t.Errorf("SHUTDOWN while a function is busy: %#v", got)
	}
	if got := <-done; got != "done" {
		t.Errorf("writer replied %#v", got)
	}
}

func toStrings(items []any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it.(string)
	}
	return out
}

// TestFunctionEffectsReplay: the FUNCTION commands that change the
// libraries are recorded as themselves, an FCALL as the commands it ran,
// and replaying the record gives the same libraries and keys; FLUSHALL
// leaves the libraries.
func TestFunctionEffectsReplay(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	clock := func() time.Time { return now }
	var log []keyspace.Effect
	ks := keyspace.New(keyspace.Options{Databases: 3, Clock: clock,
		Sink: func(effects []keyspace.Effect) { log = append(log, effects...) }})
	engine := scriptEngine(ks)
	lib := func(name, body string) string { return "#!lua name=" + name + "\n" + body }
	ks.Lock()
	run := func(args ...string) string {
		t.Helper()
		cl := engineClient()
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		engine.Exec(cl, b)
		return string(cl.W.Bytes())
	}
	run("FUNCTION", "LOAD", lib("a", "redis.register_function('seta', function(keys, args) return redis.call('set', keys[1], args[1]) end)"))
	run("FUNCTION", "LOAD", lib("b", "redis.register_function('fb', function() return 'b' end)"))
	run("FCALL", "seta", "1", "k", "v")
	run("FUNCTION", "LOAD", "REPLACE", lib("a", "redis.register_function('inca', function(keys) return redis.call('incr', keys[1]) end)"))
	run("FLUSHALL")
	run("FCALL", "inca", "1", "n")
	dump := run("FUNCTION", "DUMP")
	run("FUNCTION", "DELETE", "b")
	run("FUNCTION", "FLUSH")
	run("FUNCTION", "RESTORE", dump[strings.Index(dump, "\r\n")+2:len(dump)-2])
	run("FUNCTION", "LOAD", "nonsense")
	want := stateDump(engine, ks) + "\n" + run("FUNCTION", "LIST", "WITHCODE")
	libraries := engine.Libraries()
	ks.Unlock()

	var recorded []string
	for _, ef := range log {
		name := strings.ToLower(string(ef.Args[0]))
		if len(ef.Args) > 1 {
			name += " " + strings.ToLower(string(ef.Args[1]))
		}
		recorded = append(recorded, name)
	}
	if got, want := strings.Join(recorded, ","), "function load,function load,set k,function load,flushall,incr n,function delete,function flush,function restore"; got != want {
		t.Errorf("recorded %s\nwant     %s", got, want)
	}
	if len(libraries) != 2 || !strings.HasPrefix(string(libraries[0]), "#!lua name=a\n") {
		t.Errorf("Libraries: %q", libraries)
	}

	replayed := keyspace.New(keyspace.Options{Databases: 3, Clock: clock})
	replayEngine := scriptEngine(replayed)
	replayed.Lock()
	defer replayed.Unlock()
	if err := replayEngine.Apply(log); err != nil {
		t.Fatal(err)
	}
	cl := engineClient()
	replayEngine.Exec(cl, [][]byte{[]byte("FUNCTION"), []byte("LIST"), []byte("WITHCODE")})
	if got := stateDump(replayEngine, replayed) + "\n" + string(cl.W.Bytes()); got != want {
		t.Errorf("replayed state differs\nreplayed:\n%s\noriginal:\n%s", got, want)
	}

	// What a snapshot holds of them loads back.
	fresh := scriptEngine(keyspace.New(keyspace.Options{Databases: 1}))
	if err := fresh.LoadLibraries(libraries); err != nil {
		t.Fatal(err)
	}
	if got := fresh.Libraries(); len(got) != 2 || string(got[0]) != string(libraries[0]) || string(got[1]) != string(libraries[1]) {
		t.Errorf("LoadLibraries then Libraries: %q", got)
	}
	if err := fresh.LoadLibraries(append(libraries, libraries[0])); err == nil {
		t.Error("LoadLibraries of a library twice: no error")
	}
}

func engineClient() *commands.Client {
	cl := commands.NewClient("", "", time.Now(), func() {})
	cl.Authenticated = true
	return cl
}

// TestFunctionInfo: INFO memory counts libraries and functions, and their
// memory grows with them.
func TestFunctionInfo(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	c := scriptClient(t, srv.Addr, 2)
	field := func(name string) string {
		info := call(t, c, "INFO", "memory").(string)
		for _, line := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(line, name+":"); ok {
				return v
			}
		}
		t.Fatalf("INFO memory has no %s", name)
		return ""
	}
	before := field("used_memory_functions")
	if field("number_of_functions") != "0" || field("number_of_libraries") != "0" {
		t.Error("functions counted before any is loaded")
	}
	call(t, c, "FUNCTION", "LOAD", busyLibrary)
	if field("number_of_functions") != "2" || field("number_of_libraries") != "1" {
		t.Errorf("number_of_functions %s, number_of_libraries %s", field("number_of_functions"), field("number_of_libraries"))
	}
	if after := field("used_memory_functions"); len(after) < len(before) || after <= before && len(after) == len(before) {
		t.Errorf("used_memory_functions %s after a load, %s before", after, before)
	}
	if field("used_memory_vm_functions") == "0" {
		t.Error("used_memory_vm_functions is 0")
	}
}

// TestScriptFlagsUnderPauseWrite: CLIENT PAUSE WRITE holds back the
// scripts that may write (a function without no-writes, EVAL without a
// shebang, a transaction queueing one) and lets through those that
// declare no-writes, whose command flags come from their own, as Redis's
// scriptFlagsToCmdFlags.
func TestScriptFlagsUnderPauseWrite(t *testing.T) {
	srv := startConnServer(t, nil)
	admin, reader := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
	lib := "#!lua name=pz\n" +
		"redis.register_function{function_name='ro', callback=function() return 1 end, flags={'no-writes'}}\n" +
		"redis.register_function('rw', function() return 2 end)"
	if r := admin.do(t, "FUNCTION", "LOAD", lib); r.String() != `"pz"` {
		t.Fatalf("FUNCTION LOAD: %v", r)
	}
	runTxSteps(t, admin, []txStep{tx(txOK, "CLIENT", "PAUSE", "60000", "WRITE")})
	runTxSteps(t, reader, []txStep{
		tx(":1\r\n", "FCALL", "ro", "0"),
		tx(":1\r\n", "FCALL_RO", "ro", "0"),
		tx(":3\r\n", "EVAL", "#!lua flags=no-writes\nreturn 3", "0"),
		tx(txOK, "MULTI"), tx(txQueued, "FCALL", "ro", "0"), tx("*1\r\n:1\r\n", "EXEC"),
	})
	var held []<-chan *rawReply
	for _, args := range [][]string{
		{"FCALL", "rw", "0"},
		{"EVAL", "return 4", "0"},
		{"EVAL", "#!lua\nreturn 5", "0"},
	} {
		c := dialRaw(t, srv.Addr)
		id := c.do(t, "CLIENT", "ID").n
		held = append(held, doAsync(c, args...))
		waitBlocked(t, admin, id)
	}
	runTxSteps(t, admin, []txStep{tx(txOK, "CLIENT", "UNPAUSE")})
	for i, want := range []string{"2", "4", "5"} {
		if r := <-held[i]; r == nil || r.String() != want {
			t.Errorf("script %d after the pause: %v, want %s", i, r, want)
		}
	}
}

// TestFunctionCodeIsKept: a library keeps its own copy of its code, not
// the bytes of the request that loaded it, which a connection reuses for
// its next requests and a replay of the log for its next records.
func TestFunctionCodeIsKept(t *testing.T) {
	ks := keyspace.New(keyspace.Options{Databases: 1})
	engine := scriptEngine(ks)
	ks.Lock()
	defer ks.Unlock()
	code := "#!lua name=kept\nredis.register_function('kept', function() return 1 end)"
	req := [][]byte{[]byte("FUNCTION"), []byte("LOAD"), []byte(code)}
	cl := engineClient()
	engine.Exec(cl, req)
	if got := string(cl.W.Bytes()); got != "$4\r\nkept\r\n" {
		t.Fatalf("FUNCTION LOAD: %q", got)
	}
	for i := range req[2] {
		req[2][i] = 'x'
	}
	libs := engine.Libraries()
	if len(libs) != 1 || string(libs[0]) != code {
		t.Errorf("libraries %q, want the code loaded", libs)
	}
}
