package commands_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/scripting"
)

// scriptClient returns a go-redis client to addr speaking proto.
func scriptClient(t *testing.T, addr string, proto int) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DisableIdentity: true,
		ReadTimeout: 10 * time.Second, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// scriptError is an error reply, told apart from a string value.
type scriptError string

// doer is a go-redis client or dedicated connection.
type doer interface {
	Do(ctx context.Context, args ...any) *redis.Cmd
}

// call sends a command and returns its reply: nil for a null,
// scriptError for an error, otherwise what go-redis decodes.
func call(t *testing.T, rdb doer, args ...any) any {
	t.Helper()
	v, err := rdb.Do(context.Background(), args...).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return nil
	case err != nil:
		var rerr redis.Error
		if !errors.As(err, &rerr) {
			t.Fatalf("%v: %v", args, err)
		}
		return scriptError(err.Error())
	}
	return v
}

func TestScriptingCommands(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	rdb := scriptClient(t, srv.Addr, 2)
	const one = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db" // SHA1 of "return 1"
	sha := scripting.SHA1Hex
	tests := []struct {
		args []any
		want any
	}{
		{[]any{"EVAL", "return 1", "0"}, int64(1)},
		{[]any{"EVAL", "return {KEYS[1], ARGV[1], #KEYS, #ARGV}", "1", "k", "a", "b"}, []any{"k", "a", int64(1), int64(2)}},
		{[]any{"EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "k", "v"}, "OK"},
		{[]any{"EVAL", "return redis.call('GET', KEYS[1])", "1", "k"}, "v"},
		{[]any{"EVAL", "return redis.call('GET', 'nokey')", "0"}, nil},
		{[]any{"EVAL", "return redis.pcall('INCR', 'k')", "0"}, scriptError("ERR value is not an integer or out of range")},
		{[]any{"EVAL", "return redis.call('INCR', 'k')", "0"}, scriptError("ERR value is not an integer or out of range script: " +
			sha([]byte("return redis.call('INCR', 'k')")) + ", on @user_script:1.")},
		{[]any{"EVAL", "return foo", "0"}, scriptError("ERR user_script:1: Script attempted to access nonexistent global variable 'foo' script: " +
			sha([]byte("return foo")) + ", on @user_script:1.")},
		{[]any{"EVAL", "return 1", "-1"}, scriptError("ERR Number of keys can't be negative")},
		{[]any{"EVAL", "return 1", "2", "a"}, scriptError("ERR Number of keys can't be greater than number of args")},
		{[]any{"EVAL", "return 1", "x"}, scriptError("ERR value is not an integer or out of range")},
		{[]any{"EVAL", "return 1"}, scriptError("ERR wrong number of arguments for 'eval' command")},
		{[]any{"EVALSHA", one, "0"}, int64(1)},
		{[]any{"EVALSHA", strings.ToUpper(one), "0"}, int64(1)},
		{[]any{"EVALSHA", "abc", "x"}, scriptError("NOSCRIPT No matching script. Please use EVAL.")},
		{[]any{"EVALSHA", strings.Repeat("f", 40), "0"}, scriptError("NOSCRIPT No matching script. Please use EVAL.")},
		{[]any{"SCRIPT", "EXISTS", one, strings.ToUpper(one), "nope"}, []any{int64(1), int64(1), int64(0)}},
		{[]any{"SCRIPT", "LOAD", "return 2"}, sha([]byte("return 2"))},
		{[]any{"SCRIPT", "LOAD", "return ("}, scriptError("ERR Error compiling script (new function): user_script:1: syntax error near '<eof>'")},
		{[]any{"EVALSHA", sha([]byte("return 2")), "0"}, int64(2)},
		{[]any{"SCRIPT", "FLUSH", "bad"}, scriptError("ERR SCRIPT FLUSH only support SYNC|ASYNC option")},
		{[]any{"SCRIPT", "FLUSH", "ASYNC"}, "OK"},
		{[]any{"SCRIPT", "EXISTS", one}, []any{int64(0)}},
		{[]any{"EVALSHA", one, "0"}, scriptError("NOSCRIPT No matching script. Please use EVAL.")},
		{[]any{"SCRIPT", "KILL"}, scriptError("NOTBUSY No scripts in execution right now.")},
		{[]any{"SCRIPT", "NOPE"}, scriptError("ERR unknown subcommand 'NOPE'. Try SCRIPT HELP.")},
		{[]any{"EVAL_RO", "return redis.call('GET', KEYS[1])", "1", "k"}, "v"},
		{[]any{"EVAL_RO", "return redis.call('SET', 'k', 'w')", "0"}, scriptError("ERR Write commands are not allowed from read-only scripts. script: " +
			sha([]byte("return redis.call('SET', 'k', 'w')")) + ", on @user_script:1.")},
		{[]any{"EVAL_RO", "#!lua\nreturn 1", "0"}, scriptError("ERR Can not execute a script with write flag using *_ro command.")},
		{[]any{"EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"}, int64(1)},
		{[]any{"EVAL", "#!lua flags=no-writes\nreturn redis.call('DEL', 'k')", "0"}, scriptError("ERR Write commands are not allowed from read-only scripts. script: " +
			sha([]byte("#!lua flags=no-writes\nreturn redis.call('DEL', 'k')")) + ", on @user_script:2.")},
		{[]any{"EVALSHA_RO", sha([]byte("#!lua flags=no-writes\nreturn 1")), "0"}, int64(1)},
		{[]any{"EVAL", "return redis.call('EVAL', 'return 1', 0)", "0"}, scriptError("ERR This Redis command is not allowed from script script: " +
			sha([]byte("return redis.call('EVAL', 'return 1', 0)")) + ", on @user_script:1.")},
		{[]any{"EVAL", "return redis.pcall('NOSUCH')", "0"}, scriptError("ERR Unknown Redis command called from script")},
		{[]any{"EVAL", "return redis.pcall('GET')", "0"}, scriptError("ERR Wrong number of args calling Redis command from script")},
		// SELECT inside a script changes the script's database only.
		{[]any{"EVAL", "redis.call('SELECT', 1) redis.call('SET', 'indb1', 'x') return redis.call('GET', 'indb1')", "0"}, "x"},
		{[]any{"GET", "indb1"}, nil},
		{[]any{"EVAL", "return redis.call('GET', 'k')", "0"}, "v"},
		{[]any{"COMMAND", "GETKEYS", "EVAL", "return 1", "2", "a", "b", "c"}, []any{"a", "b"}},
		{[]any{"COMMAND", "GETKEYS", "EVAL", "return 1", "0", "a"}, []any{}},
	}
	for _, tt := range tests {
		if got := call(t, rdb, tt.args...); fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", tt.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", tt.args, got, tt.want)
		}
	}
	help, ok := call(t, rdb, "SCRIPT", "HELP").([]any)
	if !ok || len(help) != 17 || help[0] != "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" {
		t.Errorf("SCRIPT HELP: %#v", help)
	}
}

// TestScriptErrorStats: an error is counted once, where it happens: a
// command's error when the command fails, not again when the script
// passes it on; an error of the script itself when EVAL replies.
func TestScriptErrorStats(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	rdb := scriptClient(t, srv.Addr, 2)
	for _, script := range []string{
		"redis.call('SET', 'x', 'abc') return redis.pcall('INCR', 'x')",
		"return redis.call('INCR', 'x')",
		"return redis.call('NOSUCH')",
		"return redis.error_reply('MY error')",
		"error('x')",
	} {
		if _, ok := call(t, rdb, "EVAL", script, "0").(scriptError); !ok {
			t.Fatalf("%q did not fail", script)
		}
	}
	info, _ := call(t, rdb, "INFO", "errorstats").(string)
	stats, _ := call(t, rdb, "INFO", "stats").(string)
	cmds, _ := call(t, rdb, "INFO", "commandstats").(string)
	for _, want := range []string{"errorstat_ERR:count=4", "errorstat_MY:count=1"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO errorstats lacks %q:\n%s", want, info)
		}
	}
	if !strings.Contains(stats, "total_error_replies:5") {
		t.Errorf("INFO stats: total_error_replies is not 5:\n%s", stats)
	}
	if !strings.Contains(cmds, "cmdstat_eval:calls=5,") || !strings.Contains(cmds, "failed_calls=5") {
		t.Errorf("INFO commandstats:\n%s", cmds)
	}
}

// TestScriptCacheInfo: INFO memory counts the cached scripts, each once,
// as Redis 7.0 does.
func TestScriptCacheInfo(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	rdb := scriptClient(t, srv.Addr, 2)
	for _, tc := range []struct {
		args []any
		want string
	}{
		{nil, "0"},
		{[]any{"SCRIPT", "LOAD", "return 1"}, "1"},
		{[]any{"EVAL", "return 1", "0"}, "1"},
		{[]any{"EVAL", "return 2", "0"}, "2"},
		{[]any{"EVALSHA", scripting.SHA1Hex([]byte("return 3")), "0"}, "2"},
		{[]any{"SCRIPT", "FLUSH"}, "0"},
	} {
		if tc.args != nil {
			call(t, rdb, tc.args...)
		}
		info, _ := call(t, rdb, "INFO", "memory").(string)
		if want := "\r\nnumber_of_cached_scripts:" + tc.want + "\r\n"; !strings.Contains(info, want) {
			t.Errorf("after %v, INFO memory lacks %q:\n%s", tc.args, want, info)
		}
	}
}

// TestScriptingRESP3: a RESP3 client gets RESP3 types from a script, and
// a script that asks for RESP3 gets its replies as tables.
func TestScriptingRESP3(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	rdb := scriptClient(t, srv.Addr, 3)
	tests := []struct {
		script string
		want   any
	}{
		{"return {map={a=1}}", map[any]any{"a": int64(1)}},
		{"return {double=1.5}", 1.5},
		{"return nil", nil},
		{"redis.setresp(3) return true", true},
		{"redis.setresp(3) return redis.call('SET', 'k', 'v') .ok", "OK"},
		{"redis.setresp(3) return redis.call('GET', 'nokey') == nil", true},
		{"return redis.call('GET', 'nokey') == false", int64(1)},
	}
	for _, tt := range tests {
		if got := call(t, rdb, "EVAL", tt.script, "0"); fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", tt.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", tt.script, got, tt.want)
		}
	}
}

// TestScriptBusyAndKill: a script that runs past busy-reply-threshold
// makes other clients' commands fail with BUSY rather than wait, and
// SCRIPT KILL from one of them stops it; one that has written cannot be
// killed.
func TestScriptBusyAndKill(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.BusyReplyThreshold = 20 * time.Millisecond })
	runner := scriptClient(t, srv.Addr, 2)
	other := scriptClient(t, srv.Addr, 2)
	const busy = scriptError("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")

	// run starts script on runner and returns its reply once it ends.
	run := func(script string, keys ...string) <-chan any {
		done := make(chan any, 1)
		go func() {
			args := []any{"EVAL", script, len(keys)}
			for _, k := range keys {
				args = append(args, k)
			}
			v, err := runner.Do(context.Background(), args...).Result()
			if err != nil {
				v = scriptError(err.Error())
			}
			done <- v
		}()
		return done
	}
	// waitBusy sends PING until the server answers BUSY: a command sent
	// while the script runs waits until it turns busy.
	waitBusy := func() {
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

	const loop = "local i = 0 while true do i = i + 1 end"
	done := run(loop)
	waitBusy()
	if got := call(t, other, "GET", "k"); got != busy {
		t.Errorf("GET while busy: %#v", got)
	}
	// A client connecting while the script is busy is served too.
	late := scriptClient(t, srv.Addr, 2)
	if got := call(t, late, "SCRIPT", "KILL"); got != "OK" {
		t.Fatalf("SCRIPT KILL: %#v", got)
	}
	want := scriptError("ERR Script killed by user with SCRIPT KILL... script: " + scripting.SHA1Hex([]byte(loop)) + ", on @user_script:1.")
	if got := <-done; got != want {
		t.Errorf("killed script replied %#v, want %#v", got, want)
	}
	if got := call(t, other, "PING"); got != "PONG" {
		t.Errorf("PING after the kill: %#v", got)
	}
	if got := call(t, late, "SCRIPT", "KILL"); got != scriptError("NOTBUSY No scripts in execution right now.") {
		t.Errorf("SCRIPT KILL with no script: %#v", got)
	}

	// A script that wrote runs to its end: this one, two seconds.
	const writer = `redis.call('SET', KEYS[1], 'x')
local t0 = redis.call('TIME')
while true do
  local t = redis.call('TIME')
  if (t[1] - t0[1]) * 1000000 + t[2] - t0[2] > 2000000 then return 'done' end
end`
	done = run(writer, "w")
	waitBusy()
	if got := call(t, other, "SCRIPT", "KILL"); got != scriptError("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.") {
		t.Errorf("SCRIPT KILL of a writer: %#v", got)
	}
	if got := call(t, other, "SHUTDOWN"); got != busy {
		t.Errorf("SHUTDOWN while busy: %#v", got)
	}
	if got := <-done; got != "done" {
		t.Errorf("writer replied %#v", got)
	}
	if got := call(t, other, "GET", "w"); got != "x" {
		t.Errorf("GET w: %#v", got)
	}
}

// TestScriptShutdownNosave: SHUTDOWN NOSAVE stops the server even while a
// script that wrote is busy.
func TestScriptShutdownNosave(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.BusyReplyThreshold = 20 * time.Millisecond })
	runner := scriptClient(t, srv.Addr, 2)
	other := scriptClient(t, srv.Addr, 2)
	done := make(chan error, 1)
	go func() {
		done <- runner.Eval(context.Background(), "redis.call('SET', 'k', 'v') while true do end", nil).Err()
	}()
	for {
		if err := other.Ping(context.Background()).Err(); err != nil {
			if !strings.HasPrefix(err.Error(), "BUSY") {
				t.Fatalf("PING: %v", err)
			}
			break
		}
	}
	if err := other.Do(context.Background(), "SHUTDOWN", "NOSAVE").Err(); err == nil {
		t.Error("SHUTDOWN NOSAVE replied")
	}
	if err := <-done; err == nil {
		t.Error("the script's client got a reply")
	}
}

// TestScriptAtomicity: scripts run whole; no command of another client
// runs between two commands of a script.
func TestScriptAtomicity(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	const script = `
local a = redis.call('INCR', KEYS[1])
local b = redis.call('INCR', KEYS[2])
if a ~= b then return redis.error_reply('interleaved ' .. a .. ' ' .. b) end
return a`
	const workers, rounds = 10, 200
	var wg sync.WaitGroup
	errs := make(chan error, workers+1)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true})
			defer rdb.Close()
			for i := 0; i < rounds; i++ {
				if err := rdb.Eval(context.Background(), script, []string{"a", "b"}).Err(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	// A reader sees both counters equal at every moment.
	stop := make(chan struct{})
	var reader sync.WaitGroup
	reader.Add(1)
	go func() {
		defer reader.Done()
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true})
		defer rdb.Close()
		for {
			select {
			case <-stop:
				return
			default:
			}
			v, err := rdb.MGet(context.Background(), "a", "b").Result()
			if err != nil || fmt.Sprint(v[0]) != fmt.Sprint(v[1]) {
				errs <- fmt.Errorf("MGET a b: %v, %v", v, err)
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	reader.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rdb := scriptClient(t, srv.Addr, 2)
	if got := call(t, rdb, "MGET", "a", "b"); fmt.Sprint(got) != fmt.Sprint([]any{"2000", "2000"}) {
		t.Errorf("MGET a b: %#v", got)
	}
}

// TestScriptEffectsReplay: a script records the effects of the commands
// it runs, never itself, and replaying them rebuilds the same state.
func TestScriptEffectsReplay(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	clock := func() time.Time { return now }
	var log []keyspace.Effect
	ks := keyspace.New(keyspace.Options{Databases: 3, Clock: clock,
		Sink: func(effects []keyspace.Effect) { log = append(log, effects...) }})
	engine := scriptEngine(ks)
	cl := commands.NewClient("", "", now, func() {})
	cl.Authenticated = true
	scripts := [][]string{
		{"EVAL", "redis.call('SET', KEYS[1], ARGV[1], 'EX', 100) redis.call('INCR', KEYS[2]) redis.call('INCRBYFLOAT', KEYS[2], '0.5') return 1", "2", "a", "n", "va"},
		{"EVAL", "redis.call('SELECT', 2) redis.call('SET', 'indb2', 'x') redis.call('EXPIRE', 'indb2', 50) return 1", "0"},
		{"EVAL", "redis.call('SET', 'gone', '1') redis.call('DEL', 'gone') redis.call('APPEND', KEYS[1], 'more') return redis.call('GET', KEYS[1])", "1", "a"},
		{"EVAL", "redis.call('SET', 'partial', '1') return redis.call('INCR', 'a')", "0"},
		{"EVAL_RO", "return redis.call('GET', 'a')", "0"},
	}
	ks.Lock()
	for _, s := range scripts {
		args := make([][]byte, len(s))
		for i, a := range s {
			args[i] = []byte(a)
		}
		engine.Exec(cl, args)
	}
	want := stateDump(engine, ks)
	ks.Unlock()
	for _, ef := range log {
		if name := strings.ToLower(string(ef.Args[0])); strings.HasPrefix(name, "eval") {
			t.Errorf("effect %q records a script", ef.Args)
		}
	}

	replayed := keyspace.New(keyspace.Options{Databases: 3, Clock: clock})
	replayEngine := scriptEngine(replayed)
	replayed.Lock()
	defer replayed.Unlock()
	if err := replayEngine.Apply(log); err != nil {
		t.Fatal(err)
	}
	if got := stateDump(replayEngine, replayed); got != want {
		t.Errorf("replayed state differs\nreplayed:\n%s\noriginal:\n%s", got, want)
	}
}

func scriptEngine(ks *keyspace.Keyspace) *commands.Engine {
	cfg := config.Defaults()
	cfg.Databases = ks.NumDBs()
	return commands.NewEngine(ks, config.NewStore(cfg, ""), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// stateDump lists every key of every database with its value and expiry
// time, read through the engine. The caller holds the keyspace lock.
func stateDump(e *commands.Engine, ks *keyspace.Keyspace) string {
	cl := commands.NewClient("", "", time.Now(), func() {})
	cl.Authenticated = true
	run := func(args ...string) string {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		cl.W.Reset()
		e.Exec(cl, b)
		return string(cl.W.Bytes())
	}
	var lines []string
	for db := 0; db < ks.NumDBs(); db++ {
		cl.DB = db
		keys := strings.Split(strings.TrimSpace(run("KEYS", "*")), "\r\n")
		for i := 2; i < len(keys); i += 2 {
			lines = append(lines, fmt.Sprintf("db%d %s %q %q", db, keys[i], run("GET", keys[i]), run("PEXPIRETIME", keys[i])))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Replies of a server busy running the endless script busyScript runs.
const (
	endlessScript = "local i = 0 while true do i = i + 1 end"
	errBusy       = scriptError("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
	errExecBusy   = scriptError("EXECABORT Transaction discarded because of: BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
)

// busyClient returns a go-redis client to addr speaking RESP2, that
// authenticates with pass unless it is "".
func busyClient(t *testing.T, addr, pass string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, Password: pass, Protocol: 2, DisableIdentity: true,
		ReadTimeout: 10 * time.Second, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// busyScript runs endlessScript on addr, whose busy-reply-threshold is
// short, from a client of its own, and returns once the server answers
// BUSY. pass is requirepass. The script runs until something kills it,
// at the latest the test's cleanup; reply waits for its reply.
func busyScript(t *testing.T, addr, pass string) (reply func() any) {
	t.Helper()
	runner, prober := busyClient(t, addr, pass), busyClient(t, addr, pass)
	var v any
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var err error
		if v, err = runner.Do(context.Background(), "EVAL", endlessScript, 0).Result(); err != nil {
			v = scriptError(err.Error())
		}
	}()
	t.Cleanup(func() {
		prober.Do(context.Background(), "SCRIPT", "KILL")
		<-finished
	})
	// A PING sent before the script turns busy waits for it to.
	for {
		switch got := call(t, prober, "PING"); got {
		case errBusy:
			return func() any { <-finished; return v }
		case "PONG":
		default:
			t.Fatalf("PING: %#v", got)
		}
	}
}

// busyStep is a command and its expected reply.
type busyStep struct {
	args []any
	want any
}

// killedReply is the reply of endlessScript stopped by SCRIPT KILL.
var killedReply = scriptError("ERR Script killed by user with SCRIPT KILL... script: " +
	scripting.SHA1Hex([]byte(endlessScript)) + ", on @user_script:1.")

// TestScriptBusyAuth: while a script is busy the checks that come before
// BUSY in Redis still apply, authentication among them: an
// unauthenticated client gets NOAUTH, even for SCRIPT KILL and SHUTDOWN
// NOSAVE, until it sends AUTH, which is served. Having connected during
// the script, it stays authenticated once the script is over.
func TestScriptBusyAuth(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) {
		c.BusyReplyThreshold = 20 * time.Millisecond
		c.RequirePass = "secret"
	})
	reply := busyScript(t, srv.Addr, "secret")
	anon := busyClient(t, srv.Addr, "")
	const noAuth = scriptError("NOAUTH Authentication required.")
	for _, tc := range []busyStep{
		{[]any{"GET", "k"}, noAuth},
		{[]any{"SCRIPT", "KILL"}, noAuth},
		{[]any{"SHUTDOWN", "NOSAVE"}, noAuth},
		{[]any{"MULTI"}, noAuth},
		{[]any{"NOSUCH"}, scriptError("ERR unknown command 'NOSUCH', with args beginning with: ")},
		{[]any{"GET"}, scriptError("ERR wrong number of arguments for 'get' command")},
		{[]any{"HELLO", "2"}, scriptError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")},
		{[]any{"AUTH", "wrong"}, scriptError("WRONGPASS invalid username-password pair or user is disabled.")},
		{[]any{"AUTH", "secret"}, "OK"},
		{[]any{"GET", "k"}, errBusy},
		{[]any{"SCRIPT", "KILL"}, "OK"},
	} {
		if got := call(t, anon, tc.args...); got != tc.want {
			t.Errorf("%v while busy:\n got %#v\nwant %#v", tc.args, got, tc.want)
		}
	}
	if got := reply(); got != killedReply {
		t.Errorf("script replied %#v", got)
	}
	if got := call(t, anon, "PING"); got != "PONG" {
		t.Errorf("PING after the script: %#v", got)
	}
}

// TestScriptBusyMulti: a command refused with BUSY inside MULTI aborts
// the transaction, as any refusal does: EXEC, refused itself while the
// script is busy, discards it, and once the script is over it still
// fails with EXECABORT, so the commands queued after the script are not
// run without the ones refused before. Inside MULTI the allowed commands
// that do not act on the transaction are queued (SCRIPT KILL does not
// kill), and the no-multi ones refused.
func TestScriptBusyMulti(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.BusyReplyThreshold = 20 * time.Millisecond })
	reply := busyScript(t, srv.Addr, "")
	tx := busyClient(t, srv.Addr, "").Conn()
	t.Cleanup(func() { tx.Close() })
	run := func(when string, steps []busyStep) {
		t.Helper()
		for _, st := range steps {
			if got := call(t, tx, st.args...); fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", st.want) {
				t.Errorf("%v %s:\n got %#v\nwant %#v", st.args, when, got, st.want)
			}
		}
	}
	run("while busy", []busyStep{
		{[]any{"MULTI"}, "OK"},
		{[]any{"GET", "k"}, errBusy},
		{[]any{"SCRIPT", "KILL"}, "QUEUED"},
		{[]any{"EXEC"}, errExecBusy},
		{[]any{"EXEC"}, errExecBusy},
		{[]any{"MULTI"}, "OK"},
		{[]any{"MULTI"}, scriptError("ERR MULTI calls can not be nested")},
		{[]any{"WATCH", "k"}, scriptError("ERR WATCH inside MULTI is not allowed")},
		{[]any{"SHUTDOWN", "NOSAVE"}, scriptError("ERR Command not allowed inside a transaction")},
		{[]any{"DISCARD"}, "OK"},
		{[]any{"DISCARD"}, scriptError("ERR DISCARD without MULTI")},
		{[]any{"MULTI"}, "OK"},
		{[]any{"SET", "k", "v"}, errBusy},
	})
	if got := call(t, busyClient(t, srv.Addr, ""), "SCRIPT", "KILL"); got != "OK" {
		t.Fatalf("SCRIPT KILL: %#v", got)
	}
	if got := reply(); got != killedReply {
		t.Errorf("script replied %#v", got)
	}
	run("after the script", []busyStep{
		{[]any{"INCR", "n"}, "QUEUED"},
		{[]any{"EXEC"}, scriptError("EXECABORT Transaction discarded because of previous errors.")},
		{[]any{"MGET", "k", "n"}, []any{nil, nil}},
	})
}

// TestScriptBusyWatch: WATCH, UNWATCH, DISCARD and an aborted EXEC act
// on a client's watches while a script is busy as they would after it.
// UNWATCH and the EXEC answer at once and the watches go when the
// script ends; WATCH, which reads the keyspace, answers then.
func TestScriptBusyWatch(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.BusyReplyThreshold = 20 * time.Millisecond })
	unwatched := busyClient(t, srv.Addr, "").Conn()
	aborted := busyClient(t, srv.Addr, "").Conn()
	discarded := busyClient(t, srv.Addr, "").Conn()
	for _, c := range []*redis.Conn{unwatched, aborted, discarded} {
		t.Cleanup(func() { c.Close() })
		if got := call(t, c, "WATCH", "w"); got != "OK" {
			t.Fatalf("WATCH: %#v", got)
		}
	}
	reply := busyScript(t, srv.Addr, "")
	for _, st := range []struct {
		c    *redis.Conn
		args []any
		want any
	}{
		{unwatched, []any{"UNWATCH"}, "OK"},
		{aborted, []any{"MULTI"}, "OK"},
		{aborted, []any{"PING"}, errBusy},
		{aborted, []any{"EXEC"}, errExecBusy},
		{discarded, []any{"MULTI"}, "OK"},
		{discarded, []any{"DISCARD"}, "OK"},
	} {
		if got := call(t, st.c, st.args...); got != st.want {
			t.Errorf("%v while busy:\n got %#v\nwant %#v", st.args, got, st.want)
		}
	}
	// The WATCH goes on a raw connection, so that it is sent before the
	// kill; a PING round trip after it gives the server time to read it
	// while the script is busy, though it would act the same after.
	raw, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	rd := bufio.NewReader(raw)
	rawCall := func(cmd string) string {
		t.Helper()
		if _, err := raw.Write([]byte(cmd + "\r\n")); err != nil {
			t.Fatal(err)
		}
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSuffix(line, "\r\n")
	}
	watched := make(chan string, 1)
	if _, err := raw.Write([]byte("WATCH w\r\n")); err != nil {
		t.Fatal(err)
	}
	go func() {
		line, _ := rd.ReadString('\n')
		watched <- line
	}()
	other := busyClient(t, srv.Addr, "")
	if got := call(t, other, "PING"); got != errBusy {
		t.Fatalf("PING: %#v", got)
	}
	if got := call(t, other, "SCRIPT", "KILL"); got != "OK" {
		t.Fatalf("SCRIPT KILL: %#v", got)
	}
	if got := reply(); got != killedReply {
		t.Errorf("script replied %#v", got)
	}
	if got := <-watched; got != "+OK\r\n" {
		t.Fatalf("WATCH while busy: %q", got)
	}
	if got := call(t, other, "SET", "w", "changed"); got != "OK" {
		t.Fatalf("SET: %#v", got)
	}
	for _, c := range []*redis.Conn{unwatched, aborted, discarded} {
		call(t, c, "MULTI")
		call(t, c, "PING")
		if got := call(t, c, "EXEC"); fmt.Sprint(got) != "[PONG]" {
			t.Errorf("EXEC of a client whose watch went while busy: %#v", got)
		}
	}
	for _, cmd := range []string{"MULTI", "PING"} {
		rawCall(cmd)
	}
	if got := rawCall("EXEC"); got != "*-1" {
		t.Errorf("EXEC of the client that watched while busy: %q", got)
	}
}

// TestScriptBusyStats: the commands answered while a script is busy are
// counted as Redis counts them: refusals as the command's rejected_calls,
// every error reply in total_error_replies and errorstats, the allowed
// commands as calls.
func TestScriptBusyStats(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.BusyReplyThreshold = 20 * time.Millisecond })
	rdb := busyClient(t, srv.Addr, "")
	if got := call(t, rdb, "CONFIG", "RESETSTAT"); got != "OK" {
		t.Fatalf("CONFIG RESETSTAT: %#v", got)
	}
	reply := busyScript(t, srv.Addr, "") // one PING gets BUSY
	for _, args := range [][]any{
		{"GET", "k"},       // BUSY, rejected
		{"NOSUCH"},         // ERR
		{"GET"},            // ERR, rejected
		{"EXEC"},           // EXECABORT, rejected
		{"SHUTDOWN"},       // BUSY from the command: a failed call
		{"SCRIPT", "KILL"}, // a call
	} {
		call(t, rdb, args...)
	}
	if got := reply(); got != killedReply { // ERR, a failed EVAL
		t.Fatalf("script replied %#v", got)
	}
	info, _ := call(t, rdb, "INFO", "stats", "errorstats", "commandstats").(string)
	fields := map[string]string{}
	for _, line := range strings.Split(info, "\r\n") {
		if name, value, ok := strings.Cut(line, ":"); ok {
			fields[name] = value
		}
	}
	// calls picks the counts out of a cmdstat line, without the times.
	calls := func(cmd string) string {
		var out []string
		for _, f := range strings.Split(fields["cmdstat_"+cmd], ",") {
			if !strings.HasPrefix(f, "usec") {
				out = append(out, f)
			}
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct{ got, want string }{
		{fields["total_error_replies"], "7"},
		{fields["errorstat_BUSY"], "count=3"},
		{fields["errorstat_ERR"], "count=3"},
		{fields["errorstat_EXECABORT"], "count=1"},
		{calls("get"), "calls=0,rejected_calls=2,failed_calls=0"},
		{calls("exec"), "calls=0,rejected_calls=1,failed_calls=0"},
		{calls("shutdown"), "calls=1,rejected_calls=0,failed_calls=1"},
		{calls("script|kill"), "calls=1,rejected_calls=0,failed_calls=0"},
		{calls("eval"), "calls=1,rejected_calls=0,failed_calls=1"},
		{strings.SplitN(calls("ping"), ",", 2)[1], "rejected_calls=1,failed_calls=0"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if t.Failed() {
		t.Log(info)
	}
}

// TestScriptsFromManyPipelines runs pipelines of scripts from many clients
// at once, so that scripts start while other clients' scripts wait for
// the clients on their way to the lock: every one of them must get its
// turn, promptly.
func TestScriptsFromManyPipelines(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	const clients, rounds, depth = 12, 40, 16
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true})
			defer rdb.Close()
			for range rounds {
				pipe := rdb.Pipeline()
				for range depth {
					pipe.Eval(ctx, "return redis.call('INCRBY', KEYS[1], ARGV[1])", []string{"counter"}, 1)
				}
				if _, err := pipe.Exec(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2})
	defer rdb.Close()
	if n, err := rdb.Get(context.Background(), "counter").Int(); err != nil || n != clients*rounds*depth {
		t.Fatalf("counter = %d, %v; want %d", n, err, clients*rounds*depth)
	}
}
