// Package scripting runs Lua scripts as Redis 7.0 runs EVAL: one Lua 5.1
// interpreter (gopher-lua) shared by every script, whose globals and
// libraries are read-only; a cache of compiled scripts by SHA1; the redis.*
// API, cjson, cmsgpack, bit and struct; and the conversions between RESP
// replies and Lua values, with Redis's rules and error texts.
//
// The package knows nothing of the keyspace. A script reaches the server
// through a Caller, which runs one command and returns its RESP reply; the
// caller decides what a script may run. A Runtime is not safe for concurrent
// use: the server runs scripts under its keyspace lock, one at a time.
package scripting

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/cairn-db/cairn/resp"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Caller runs the commands of a script.
type Caller interface {
	// Call runs one command on behalf of the script and returns its
	// reply, in RESP3 if resp3 is set and RESP2 otherwise. A command the
	// script may not run is refused with an error reply, worded as Redis
	// words it ("-ERR Unknown Redis command called from script").
	Call(args [][]byte, resp3 bool) []byte
	// Known reports whether args name a command (and subcommand) that
	// exists, for redis.acl_check_cmd.
	Known(args [][]byte) bool
}

// Options configure a Runtime.
type Options struct {
	// Log receives redis.log messages.
	Log *slog.Logger
	// Version is the Redis version the server answers as
	// ("major.minor.patch"): redis.REDIS_VERSION, and REDIS_VERSION_NUM
	// as 0x00MMmmpp.
	Version string
	// Functions makes the runtime FUNCTION's, as Redis keeps one
	// interpreter for EVAL and another for functions: code is compiled
	// as "user_function", loaded with LoadLibrary and run with Call.
	Functions bool
}

// Flags are the flags a script declares in its shebang line
// ("#!lua flags=no-writes,allow-oom").
type Flags uint8

// Script flags, as Redis names them.
const (
	FlagNoWrites Flags = 1 << iota
	FlagAllowOOM
	FlagAllowStale
	FlagNoCluster
	FlagAllowCrossSlot
)

var flagNames = [...]struct {
	name string
	flag Flags
}{
	{"no-writes", FlagNoWrites}, {"allow-oom", FlagAllowOOM}, {"allow-stale", FlagAllowStale},
	{"no-cluster", FlagNoCluster}, {"allow-cross-slot-keys", FlagAllowCrossSlot},
}

// Script is a compiled script in the cache. The cache may hold many, so
// each is one small object: its code held in place, its SHA1 in binary,
// and no function of its own (see Run).
type Script struct {
	proto lua.FunctionProto
	sum   [sha1.Size]byte
	// Shebang is set when the body starts with a "#!lua" line: such a
	// script runs with its declared Flags instead of EVAL's
	// compatibility rules (no flags means it may write).
	Shebang bool
	Flags   Flags
}

// SHA is the lower-case hex SHA1 of the body.
func (s *Script) SHA() string { return hex.EncodeToString(s.sum[:]) }

// ReadOnly reports whether the script declared no-writes.
func (s *Script) ReadOnly() bool { return s.Shebang && s.Flags&FlagNoWrites != 0 }

// Runtime is the Lua interpreter and the script cache.
type Runtime struct {
	opts Options
	L    *lua.LState
	// chunk names the code in messages: "user_script", or
	// "user_function" in a functions runtime.
	chunk string
	// scripts holds the compiled scripts; SCRIPT FLUSH empties it.
	scripts scriptTable
	// scriptBytes estimates what the cached scripts hold.
	scriptBytes int
	// proxies maps each read-only table a script can see to the table
	// holding its contents (see sandbox.go).
	proxies map[*lua.LTable]*lua.LTable
	globals *lua.LTable // the real globals, behind the _G proxy
	env     *lua.LTable // the _G proxy, the environment of scripts
	// main is the function of the script being run (see Run).
	main lua.LFunction
	// errFunc is the message handler of script calls, also the global
	// __redis__err__handler as in Redis.
	errFunc *lua.LFunction
	rand    rand48
	run     *run
	// gcPause and gcStepMul are what collectgarbage("setpause") and
	// ("setstepmul") set and return.
	gcPause, gcStepMul int64
	// lib is the state of a functions runtime (library.go).
	lib libraryState
	// src reads the script being compiled. The parser reads through a
	// bufio.Reader of 4 KB, which it makes unless given one: this one,
	// reused, spares that garbage at each compile.
	src *bufio.Reader
}

// run is the state of the script being run.
type run struct {
	// name is what errors call the script: its SHA1, or the function's
	// name.
	name   string
	caller Caller
	resp3  bool // redis.setresp(3)
}

// New returns a runtime with an empty cache.
func New(opts Options) *Runtime {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Version == "" {
		opts.Version = "7.0.15"
	}
	r := &Runtime{opts: opts, chunk: "user_script", rand: newRand48(), src: bufio.NewReaderSize(nil, 4096)}
	if opts.Functions {
		r.chunk = "user_function"
	}
	r.reset()
	return r
}

// versionNum is REDIS_VERSION_NUM for a "major.minor.patch" version.
func versionNum(v string) int {
	n := 0
	for _, part := range strings.SplitN(v, ".", 3) {
		d, _ := strconv.Atoi(part)
		n = n<<8 | d&0xff
	}
	return n
}

// reset builds a fresh interpreter and empties the cache.
func (r *Runtime) reset() {
	if r.L != nil {
		r.L.Close()
	}
	r.scripts = newScriptTable()
	r.scriptBytes = 0
	r.gcPause, r.gcStepMul = 200, 200 // Lua 5.1's LUAI_GCPAUSE and LUAI_GCMUL
	r.proxies = map[*lua.LTable]*lua.LTable{}
	r.L = lua.NewState(lua.Options{
		SkipOpenLibs: true,
		// Lua 5.1 allows 20000 nested calls.
		CallStackSize:   20000,
		RegistrySize:    1024,
		RegistryMaxSize: 1 << 22,
		// Deep recursion grows the registry, copying it at each step:
		// big steps keep that linear.
		RegistryGrowStep: 1 << 12,
	})
	r.openSandbox()
	if r.opts.Functions {
		r.openLibraryAPI()
	}
}

// Flush empties the cache (or forgets the libraries) and starts a new
// interpreter, as SCRIPT FLUSH (FUNCTION FLUSH).
// What they held is garbage on return; if scripts were cached, it is then
// collected and returned to the OS in the background (see release).
func (r *Runtime) Flush() {
	cached := r.scripts.n > 0 || r.lib.bytes > 0
	r.reset()
	if cached {
		release.request()
	}
}

// Len is the number of cached scripts.
func (r *Runtime) Len() int { return r.scripts.n }

// MemoryUsage estimates the bytes the cached scripts hold (their code and
// the cache's index), for used_memory_scripts.
func (r *Runtime) MemoryUsage() int { return r.scriptBytes + r.scripts.memoryUsage() }

// VMBaseMemory is what Redis's Lua reports using before any script: a
// fresh interpreter with its libraries.
const VMBaseMemory = 32 << 10

// VMMemory estimates the bytes the interpreter holds, as Lua's own count
// (collectgarbage("count"), used_memory_vm_*): a fresh interpreter's and
// the compiled code.
func (r *Runtime) VMMemory() int { return VMBaseMemory + r.scriptBytes + r.lib.bytes }

// SHA1Hex returns the lower-case hex SHA1 of b, the name of a script.
func SHA1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// Lookup returns the cached script with the given SHA1, in any case, or
// nil.
func (r *Runtime) Lookup(sha []byte) *Script {
	var sum [sha1.Size]byte
	if len(sha) != hex.EncodedLen(len(sum)) {
		return nil
	}
	if _, err := hex.Decode(sum[:], sha); err != nil {
		return nil
	}
	return r.scripts.get(&sum)
}

// Exists reports whether a script is cached, as SCRIPT EXISTS.
func (r *Runtime) Exists(sha []byte) bool { return r.Lookup(sha) != nil }

// Load compiles body and caches it, or returns the cached script. The
// error is the complete reply Redis gives ("ERR Error compiling script
// ...").
func (r *Runtime) Load(body []byte) (*Script, error) {
	sum := sha1.Sum(body)
	if s := r.scripts.get(&sum); s != nil {
		return s, nil
	}
	s := &Script{sum: sum}
	code := body
	if len(body) >= 2 && body[0] == '#' && body[1] == '!' {
		s.Shebang = true
		var err error
		if s.Flags, code, err = parseShebang(body); err != nil {
			return nil, err
		}
	}
	proto, err := r.compile(code)
	if err != nil {
		return nil, fmt.Errorf("ERR Error compiling script (new function): %s", err)
	}
	s.proto = *proto // in place: one object less per script
	r.scripts.add(s)
	r.scriptBytes += int(unsafe.Sizeof(*s)) - int(unsafe.Sizeof(*proto)) + protoSize(proto)
	return s, nil
}

// DeclaredFlags returns the flags a script body declares in its shebang
// line, and false if it has none or a malformed one.
func DeclaredFlags(body []byte) (Flags, bool) {
	if len(body) < 2 || body[0] != '#' || body[1] != '!' {
		return 0, false
	}
	flags, _, err := parseShebang(body)
	return flags, err == nil
}

// parseShebang reads the "#!lua flags=a,b" line and returns the flags and
// the body without the line (its newline kept, for line numbers).
func parseShebang(body []byte) (Flags, []byte, error) {
	line, rest := body, []byte(nil)
	if i := strings.IndexByte(string(body), '\n'); i >= 0 {
		line, rest = body[:i], body[i:]
	}
	parts := strings.Split(string(line), " ")
	if parts[0] != "#!lua" {
		return 0, nil, fmt.Errorf("ERR Unexpected engine in script shebang: %s", parts[0])
	}
	var flags Flags
	for _, p := range parts[1:] {
		list, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return 0, nil, fmt.Errorf("ERR Unknown lua shebang option: %s", p)
		}
		if list == "" {
			continue
		}
	next:
		for _, name := range strings.Split(list, ",") {
			for _, f := range flagNames {
				if f.name == name {
					flags |= f.flag
					continue next
				}
			}
			return 0, nil, fmt.Errorf("ERR Unexpected flag in script shebang: %s", name)
		}
	}
	return flags, rest, nil
}

// compile parses and compiles a script as a Lua chunk named r.chunk,
// rewording gopher-lua's syntax errors in Lua's "user_script:LINE: message"
// form.
func (r *Runtime) compile(src []byte) (*lua.FunctionProto, error) {
	r.src.Reset(bytes.NewReader(src))
	chunk, err := parse.Parse(r.src, r.chunk)
	r.src.Reset(nil)
	if err != nil {
		var perr *parse.Error
		if !errors.As(err, &perr) {
			return nil, err
		}
		line, token := perr.Pos.Line, perr.Token
		if line == parse.EOF {
			line, token = 1+strings.Count(string(src), "\n"), "<eof>"
		}
		msg := strings.TrimSpace(perr.Message)
		if token != "" {
			msg += " near '" + token + "'"
		}
		return nil, fmt.Errorf("%s:%d: %s", r.chunk, line, msg)
	}
	proto, err := lua.Compile(chunk, r.chunk)
	if err != nil {
		var cerr *lua.CompileError
		if errors.As(err, &cerr) {
			return nil, fmt.Errorf("%s:%d: %s", r.chunk, cerr.Line, cerr.Message)
		}
		return nil, err
	}
	// The main chunk gets no local "arg", so the table of its varargs
	// that Lua 5.1 builds at every call could never be read.
	proto.IsVarArg &^= lua.VarArgNeedsArg
	trimProto(proto)
	return proto, nil
}

// Run runs a cached script with its KEYS and ARGV, sending the commands it
// calls to caller, and writes its reply (or its error) to w. Killing ctx
// stops the script, as SCRIPT KILL; ctx may be nil when the script cannot
// be killed. It returns how many error replies it wrote uncounted in w
// because they repeat the error of a command the script called (see
// replyWriter.writeError).
func (r *Runtime) Run(ctx *KillContext, s *Script, keys, args [][]byte, caller Caller, w *resp.Writer) (repeated int) {
	r.globals.RawSetString("KEYS", r.array(keys))
	r.globals.RawSetString("ARGV", r.array(args))
	// The script runs as a function made from its code, in the runtime's
	// one LFunction: nothing can keep it beyond the run, as a script
	// cannot reach the function it runs as. Its environment is the
	// read-only globals, which functions it defines inherit; a main
	// chunk has no upvalues.
	r.main = lua.LFunction{Proto: &s.proto, Env: r.env}
	defer func() {
		r.main.Proto = nil
		// Arguments are not kept alive until the next script.
		r.globals.RawSetString("KEYS", lua.LNil)
		r.globals.RawSetString("ARGV", lua.LNil)
	}()
	return r.call(ctx, &r.main, nil, s.SHA(), caller, w)
}

// call runs fn with args as a script named name (see Run).
func (r *Runtime) call(ctx *KillContext, fn *lua.LFunction, args []lua.LValue, name string, caller Caller, w *resp.Writer) (repeated int) {
	L := r.L
	r.run = &run{name: name, caller: caller}
	defer func() {
		r.run = nil
		L.SetTop(0)
		if ctx != nil {
			L.RemoveContext()
		}
	}()
	if ctx != nil {
		L.SetContext(ctx)
	}
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), 1, r.errFunc)
	rw := replyWriter{w: w, resp3: r.run.resp3}
	if err != nil {
		if ctx != nil && ctx.Killed() {
			w.Error(fmt.Sprintf("%s script: %s, on @%s:%d.", resp.ErrScriptKilledByUser, name, r.chunk, killLine(err)))
			return 0
		}
		msg, t := r.errorReply(err)
		rw.writeError(msg, t)
		return rw.repeated
	}
	rw.writeReply(L.Get(-1), 0)
	return rw.repeated
}

// killLine is the line a killed script was at, from the position the
// error handler recorded.
func killLine(err error) int {
	var aerr *lua.ApiError
	if errors.As(err, &aerr) {
		if t, ok := aerr.Object.(*lua.LTable); ok {
			if n, ok := t.RawGetString("line").(lua.LNumber); ok {
				return int(n)
			}
		}
	}
	return 0
}

// errorHandler is the message handler of a script call, Redis's
// __redis__err__handler: it turns the error into a table {err=...} and
// records where the script was when it failed. The frame at level 1 is
// the function that raised; when that is a Go function (error,
// redis.call), the position is its Lua caller's.
func (r *Runtime) errorHandler(L *lua.LState) int {
	errv := L.Get(1)
	t, ok := errv.(*lua.LTable)
	if !ok {
		t = L.NewTable()
		t.RawSetString("err", lua.LString("ERR "+luaMessage(tostring(errv))))
	}
	for level := 1; level <= 2; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			break
		}
		if dbg.What == "G" {
			continue
		}
		t.RawSetString("source", lua.LString(r.rawSource(dbg.Source)))
		t.RawSetString("line", lua.LNumber(dbg.CurrentLine))
		break
	}
	L.Push(t)
	return 1
}

// rawSource is the source of a chunk as Lua's debug info gives it: the
// script is "@user_script" (or "@user_function"), a chunk that loadstring
// compiled is its code, which gopher-lua keeps only as its name in
// messages (see chunkID).
func (r *Runtime) rawSource(name string) string {
	if name == r.chunk {
		return "@" + name
	}
	if code, ok := strings.CutPrefix(name, `[string "`); ok && strings.HasSuffix(code, `"]`) && !strings.HasSuffix(code, `..."]`) {
		return strings.TrimSuffix(code, `"]`)
	}
	return name
}

// errorReply formats a failed script's error as Redis does: the error
// message, then the script and the position it failed at. It returns the
// error table too.
func (r *Runtime) errorReply(err error) (string, *lua.LTable) {
	var aerr *lua.ApiError
	if !errors.As(err, &aerr) {
		return "ERR Error running script " + r.run.name + ", " + err.Error(), nil
	}
	t, ok := aerr.Object.(*lua.LTable)
	if !ok {
		// The handler could not run (the stack was full): make what it
		// would have made, the position taken from the message.
		msg := luaMessage(tostring(aerr.Object))
		t = r.L.NewTable()
		t.RawSetString("err", lua.LString("ERR "+msg))
		if m := positionPrefix.FindStringSubmatch(msg); m != nil && m[1] == r.chunk {
			line, _ := strconv.Atoi(m[2])
			t.RawSetString("source", lua.LString("@"+r.chunk))
			t.RawSetString("line", lua.LNumber(line))
		}
	}
	var b strings.Builder
	msg, ok := t.RawGetString("err").(lua.LString)
	if !ok {
		// Redis 7.0.15 crashes on error({}) (it formats a NULL message);
		// cairn says what it has.
		msg = "ERR " + lua.LString(tostring(t))
	}
	// Redis reads the message as a C string, cut at a NUL.
	b.WriteString(cString(string(msg)))
	src, okSrc := t.RawGetString("source").(lua.LString)
	line, okLine := t.RawGetString("line").(lua.LNumber)
	if okSrc && okLine {
		fmt.Fprintf(&b, " script: %s, on %s:%d.", r.run.name, src, int64(line))
	}
	return b.String(), t
}

var (
	positionPrefix = regexp.MustCompile(`^(user_script|user_function):(\d+): `)
	arithError     = regexp.MustCompile(`cannot perform (\w+) operation between (\w+) and (\w+)`)
	indexError     = regexp.MustCompile(`attempt to index a non-table object\((\w+)\) with key '.*'`)
	compareError   = regexp.MustCompile(`attempt to compare (\w+) with (\w+)`)
	argErrorName   = regexp.MustCompile(`^(.*bad argument #-?\d+ to )([^' ]+)( \()`)
)

// luaMessage rewords gopher-lua's runtime errors as Lua 5.1 words them,
// as far as the message tells: "attempt to perform arithmetic on a nil
// value" for "cannot perform add operation between number and nil". (Lua
// also names the variable, "local 't'", which gopher-lua does not know.)
func luaMessage(msg string) string {
	if m := arithError.FindStringSubmatchIndex(msg); m != nil {
		op, lhs, rhs := msg[m[2]:m[3]], msg[m[4]:m[5]], msg[m[6]:m[7]]
		var text string
		if op == "concat" {
			wrong := lhs
			if lhs == "string" || lhs == "number" {
				wrong = rhs
			}
			text = "attempt to concatenate a " + wrong + " value"
		} else {
			wrong := lhs
			if lhs == "number" {
				wrong = rhs
			}
			text = "attempt to perform arithmetic on a " + wrong + " value"
		}
		return msg[:m[0]] + text + msg[m[1]:]
	}
	if m := indexError.FindStringSubmatchIndex(msg); m != nil {
		return msg[:m[0]] + "attempt to index a " + msg[m[2]:m[3]] + " value" + msg[m[1]:]
	}
	if m := compareError.FindStringSubmatchIndex(msg); m != nil && msg[m[2]:m[3]] == msg[m[4]:m[5]] {
		return msg[:m[0]] + "attempt to compare two " + msg[m[2]:m[3]] + " values" + msg[m[1]:]
	}
	return argErrorName.ReplaceAllString(msg, "$1'$2'$3")
}

// array returns a Lua array of the strings in items.
func (r *Runtime) array(items [][]byte) *lua.LTable {
	t := r.L.CreateTable(len(items), 0)
	for i, it := range items {
		t.RawSetInt(i+1, lua.LString(it))
	}
	return t
}

// tostring converts a value to a string as Lua's tostring does, with
// numbers formatted by %.14g.
func tostring(v lua.LValue) string {
	switch v := v.(type) {
	case lua.LNumber:
		return formatNumber(float64(v))
	case *lua.LNilType:
		return "nil"
	case lua.LBool:
		if v {
			return "true"
		}
		return "false"
	case lua.LString:
		return string(v)
	}
	return v.String()
}

// formatNumber formats a Lua number as Lua 5.1 does (LUAI_NUMFFORMAT
// "%.14g", with glibc's spelling of infinities and NaNs).
func formatNumber(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		// 0/0 yields a NaN with the sign bit set on x86, which glibc
		// prints as -nan.
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}

// KillContext is the context a killable script runs with. gopher-lua checks
// Done before every instruction, so it is kept cheaper than the standard
// library's contexts: Done is a plain field.
type KillContext struct {
	done   chan struct{}
	once   sync.Once
	killed bool // written before done is closed
}

// NewKillContext returns a context for one script run.
func NewKillContext() *KillContext { return &KillContext{done: make(chan struct{})} }

// Kill stops the script; it may be called from any goroutine, more than
// once.
func (k *KillContext) Kill() {
	k.once.Do(func() {
		k.killed = true
		close(k.done)
	})
}

// Release ends the context after the run, so that goroutines the
// interpreter derived from it (coroutines) end too.
func (k *KillContext) Release() { k.once.Do(func() { close(k.done) }) }

// Killed reports whether Kill stopped the script. Call it only after the
// run: it reads without synchronisation what Kill wrote before closing
// done, which the run observed.
func (k *KillContext) Killed() bool {
	select {
	case <-k.done:
		return k.killed
	default:
		return false
	}
}

// Deadline implements context.Context.
func (k *KillContext) Deadline() (deadline time.Time, ok bool) { return }

// Done implements context.Context.
func (k *KillContext) Done() <-chan struct{} { return k.done }

// Err implements context.Context.
func (k *KillContext) Err() error {
	select {
	case <-k.done:
		return context.Canceled
	default:
		return nil
	}
}

// Value implements context.Context.
func (k *KillContext) Value(any) any { return nil }

var _ context.Context = (*KillContext)(nil)
