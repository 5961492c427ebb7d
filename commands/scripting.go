package commands

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/acl"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/resp"
	"github.com/cairn-db/cairn/scripting"
)

// The scripting group: EVAL, EVALSHA, their read-only variants, and
// SCRIPT. The Lua side (sandbox, cache, conversions) is package scripting;
// this file declares the commands and runs a script's redis.call through
// the engine.
//
// A script runs inside its EVAL, under the keyspace lock the server holds
// for the whole batch, so nothing interleaves with it, and the commands it
// calls record their own effects: a replay runs those commands, never the
// script. The commands run for a script client that starts in the
// caller's database, and all see the time the script started at.
//
// Other clients must still be able to stop a runaway script. ScriptControl
// is what the server sees of the script in progress, without the lock:
// once the script has run longer than busy-reply-threshold, the server
// answers other clients without the lock (ExecBusy), as Redis answers
// them from inside the script: BUSY, except for the few commands allowed
// then, among them SCRIPT KILL, which stops the script unless it has
// already written.
//
// scripter is the scripting state of one engine: the Lua runtime and the
// script client (created with the first script, guarded by the keyspace
// lock), and the control block the server watches.
type scripter struct {
	ctl     *ScriptControl
	runtime *scripting.Runtime
	client  *Client
	// fn is the function libraries (functions.go).
	fn functionSet
}

func newScripter() *scripter { return &scripter{ctl: newScriptControl()} }

// evalScriptFlags are the flags EVAL's script declares.
func evalScriptFlags(args [][]byte) (scripting.Flags, bool) {
	return scripting.DeclaredFlags(args[1])
}

// cachedScriptFlags are the flags EVALSHA's script declares, if it is
// cached.
func (s *scripter) cachedScriptFlags(args [][]byte) (scripting.Flags, bool) {
	if s.runtime == nil {
		return 0, false
	}
	script := s.runtime.Lookup(args[1])
	if script == nil || !script.Shebang {
		return 0, false
	}
	return script.Flags, true
}

// callFlags are the flags cmd runs with. A script that declares flags
// (FCALL, EVAL of a "#!lua" script) runs with the ones its flags make, as
// Redis's scriptFlagsToCmdFlags: it is a write, and denied when memory is
// out, only if it may write, so that CLIENT PAUSE WRITE, MISCONF and
// MULTI treat a no-writes script as a read.
func (e *Engine) callFlags(cmd *Command, args [][]byte) Flag {
	if cmd.ScriptFlags == nil || len(args) < 2 {
		return cmd.Flags
	}
	declared, ok := cmd.ScriptFlags(args)
	if !ok {
		return cmd.Flags
	}
	flags := cmd.Flags &^ (FlagStale | FlagDenyOOM | FlagWrite | FlagMayReplicate)
	if declared&(scripting.FlagAllowOOM|scripting.FlagNoWrites) == 0 {
		flags |= FlagDenyOOM
	}
	if declared&scripting.FlagNoWrites == 0 {
		flags |= FlagWrite
	}
	if declared&scripting.FlagAllowStale != 0 {
		flags |= FlagStale
	}
	return flags
}

func (s *scripter) commands() []*Command {
	const evalFlags = FlagNoScript | FlagSkipMonitor | FlagNoMandatoryKeys | FlagStale
	const complexity = "Depends on the script that is executed."
	return append([]*Command{
		{Name: "eval", Arity: -3, Flags: evalFlags | FlagMayReplicate, Keys: evalKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyUpdate, Index: 2, KeyNum: true, FirstKey: 1,
					Notes: "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"},
			},
			Group: "scripting", Since: "2.6.0", Complexity: complexity, Summary: "Execute a Lua script server side",
			Syntax:      "script numkeys [key [key ...]] [arg [arg ...]]",
			ScriptFlags: evalScriptFlags,
			Run:         func(c *Ctx) { s.eval(c, false, false) }},
		{Name: "evalsha", Arity: -3, Flags: evalFlags | FlagMayReplicate, Keys: evalKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyUpdate, Index: 2, KeyNum: true, FirstKey: 1},
			},
			Group: "scripting", Since: "2.6.0", Complexity: complexity, Summary: "Execute a Lua script server side",
			Syntax:      "sha1 numkeys [key [key ...]] [arg [arg ...]]",
			ScriptFlags: s.cachedScriptFlags,
			Run:         func(c *Ctx) { s.eval(c, true, false) }},
		{Name: "eval_ro", Arity: -3, Flags: evalFlags | FlagReadonly, Keys: evalKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRO | KeyAccess, Index: 2, KeyNum: true, FirstKey: 1,
					Notes: "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"},
			},
			Group: "scripting", Since: "7.0.0", Complexity: complexity, Summary: "Execute a read-only Lua script server side",
			Syntax:      "script numkeys [key [key ...]] [arg [arg ...]]",
			ScriptFlags: evalScriptFlags,
			Run:         func(c *Ctx) { s.eval(c, false, true) }},
		{Name: "evalsha_ro", Arity: -3, Flags: evalFlags | FlagReadonly, Keys: evalKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRO | KeyAccess, Index: 2, KeyNum: true, FirstKey: 1},
			},
			Group: "scripting", Since: "7.0.0", Complexity: complexity, Summary: "Execute a read-only Lua script server side",
			Syntax:      "sha1 numkeys [key [key ...]] [arg [arg ...]]",
			ScriptFlags: s.cachedScriptFlags,
			Run:         func(c *Ctx) { s.eval(c, true, true) }},
		{Name: "script", Arity: -2, Group: "scripting", Since: "2.6.0", Complexity: "Depends on subcommand.",
			Summary: "A container for Lua scripts management commands",
			Subcommands: map[string]*Command{
				"exists": {Arity: -3, Flags: FlagNoScript, Group: "scripting", Since: "2.6.0",
					Complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
					Summary:    "Check existence of scripts in the script cache.", Syntax: "sha1 [sha1 ...]",
					Run: s.scriptExists},
				"flush": {Arity: -2, Flags: FlagNoScript, Group: "scripting", Since: "2.6.0",
					Complexity: "O(N) with N being the number of scripts in cache",
					Summary:    "Remove all the scripts from the script cache.", Syntax: "[async: ASYNC | SYNC]",
					Run: s.scriptFlush},
				"help": {Arity: 2, Flags: FlagLoading | FlagStale, Group: "scripting", Since: "5.0.0",
					Complexity: "O(1)", Summary: "Show helpful text about the different subcommands",
					Run: scriptHelp},
				"kill": {Arity: 2, Flags: FlagNoScript | FlagAllowBusy, Group: "scripting", Since: "2.6.0",
					Complexity: "O(1)", Summary: "Kill the script currently in execution.",
					Run: func(c *Ctx) { writeKillReply(c.W, s.ctl.Kill(false, killScript)) }},
				"load": {Arity: 3, Flags: FlagNoScript | FlagStale, Group: "scripting", Since: "2.6.0",
					Complexity: "O(N) with N being the length in bytes of the script body.",
					Summary:    "Load the specified Lua script into the script cache.", Syntax: "script",
					Run: s.scriptLoad},
			}},
	}, s.functionCommands()...)
}

// evalKeys finds the keys of EVAL and its variants: numkeys of them after
// the script and the count. A count that is not a valid one gives none.
func evalKeys(args [][]byte) []int {
	if len(args) < 3 {
		return nil
	}
	n, ok := resp.ParseInt(args[2])
	if !ok || n <= 0 || n > int64(len(args)-3) {
		return nil
	}
	pos := make([]int, n)
	for i := range pos {
		pos[i] = 3 + i
	}
	return pos
}

// lua returns the engine's Lua runtime and script client, created with the
// first script.
func (s *scripter) lua(e *Engine) *scripting.Runtime {
	if s.runtime == nil {
		s.runtime = scripting.New(scripting.Options{Log: e.Log, Version: ServerVersion})
		s.scriptClient()
	}
	return s.runtime
}

// scriptClient creates the client the commands of scripts and functions
// run for, if it is not yet.
func (s *scripter) scriptClient() {
	if s.client == nil {
		s.client = NewClient("", "", time.Now(), func() {})
		s.client.Authenticated = true
	}
}

// memoryUsage is used_memory_scripts: what the cached scripts and the
// function libraries hold.
func (s *scripter) memoryUsage() int64 { return s.evalMemory() + s.functionsMemory() }

// evalMemory is used_memory_scripts_eval: what the cached scripts hold.
func (s *scripter) evalMemory() int64 {
	if s.runtime == nil {
		return 0
	}
	return int64(s.runtime.MemoryUsage())
}

// functionsMemory is used_memory_functions.
func (s *scripter) functionsMemory() int64 { return s.fn.memoryUsage() }

// eval is EVAL, EVALSHA (bySHA) and their _RO variants (readOnly).
func (s *scripter) eval(c *Ctx, bySHA, readOnly bool) {
	// Other clients' commands may run while begin waits (below), through
	// Exec, which reuses the engine's Ctx, c itself: keep this command's
	// and restore it.
	saved := *c
	defer func() { *c = saved }()
	w, args := c.W, c.Args
	c.feedMonitorsFirst()
	if bySHA && len(args[1]) != 40 {
		w.Error(resp.ErrNoScript)
		return
	}
	numkeys, ok := c.Int(2)
	if !ok {
		return
	}
	switch {
	case numkeys > int64(len(args)-3):
		w.Error(resp.ErrNumKeysTooMany)
		return
	case numkeys < 0:
		w.Error(resp.ErrNumKeysNegative)
		return
	}
	e := c.Engine
	// A transaction runs under one hold of the lock: in one, let no one
	// through.
	s.ctl.begin(e.KS, !c.Client.InExec())
	defer s.ctl.finish()
	*c = saved
	rt := s.lua(e)
	var script *scripting.Script
	if bySHA {
		if script = rt.Lookup(args[1]); script == nil {
			w.Error(resp.ErrNoScript)
			return
		}
	} else {
		var err error
		if script, err = rt.Load(args[1]); err != nil {
			w.Error(err.Error())
			return
		}
	}
	// A script that declares flags must declare no-writes to run read-only.
	if readOnly && script.Shebang && !script.ReadOnly() {
		w.Error(resp.ErrScriptWriteFlagRO)
		return
	}
	// A script that declares flags is refused up front when memory is out
	// and it may write, unless it allows OOM; one without flags has its
	// first write refused instead (scriptCaller.Call).
	allowOOM := script.Shebang && script.Flags&(scripting.FlagAllowOOM|scripting.FlagNoWrites) != 0
	if script.Shebang && !allowOOM && e.scriptOOM() {
		w.Error(resp.ErrOOM)
		return
	}
	s.run(c, saved.Cmd, runInfo{}, readOnly || script.ReadOnly(), allowOOM,
		func(kill *scripting.KillContext, caller *scriptCaller) int {
			return rt.Run(kill, script, args[3:3+numkeys], args[3+numkeys:], caller, c.W)
		})
}

// run runs a script or a function (call) for the command cmd of c, once
// begun, with the refusals of redis.call that readOnly and allowOOM set.
func (s *scripter) run(c *Ctx, cmd *Command, info runInfo, readOnly, allowOOM bool,
	call func(*scripting.KillContext, *scriptCaller) int) {
	e, w := c.Engine, c.W
	s.client.DB = c.Client.DB
	// The script's commands run as its caller's user.
	s.client.User = c.Client.User
	caller := &scriptCaller{e: e, s: s, caller: c.Client, readOnly: readOnly, allowOOM: allowOOM}
	kill := s.ctl.start(e.Config.Load().BusyReplyThreshold, info)
	defer func() {
		left := s.ctl.end()
		e.settle(&left)
	}()
	errorsBefore := w.Errors
	// An error the script passes on from one of its commands was counted
	// then; the command failed all the same.
	if call(kill, caller) > 0 && w.Errors == errorsBefore {
		cmd.Stats.FailedCalls++
	}
}

// scriptCaller runs a script's redis.call on the engine, with Redis's
// refusals.
type scriptCaller struct {
	e *Engine
	s *scripter
	// caller is the client that runs the script, whose user's rules the
	// script's commands are checked against.
	caller   *Client
	readOnly bool
	// allowOOM lets the script write when memory is out; wrote is set
	// once it has called a write command: from then on a write is not
	// refused for memory, as a script is not stopped half-way.
	allowOOM, wrote bool
}

var _ scripting.Caller = (*scriptCaller)(nil)

// lookup finds the command args name, its subcommand if it is a
// container, as Redis's lookupCommand for scripts: an unknown subcommand
// is an unknown command.
func (k *scriptCaller) lookup(args [][]byte) *Command {
	cmd := k.e.Table.Lookup(args[0])
	if cmd != nil && cmd.Subcommands != nil && len(args) >= 2 {
		cmd = cmd.Subcommands[lowerASCII(args[1])]
	}
	return cmd
}

func (k *scriptCaller) Known(args [][]byte) bool { return k.lookup(args) != nil }

// aclRefusal checks a script's command against its caller's rules and
// returns the error that refuses it, or "".
func (k *scriptCaller) aclRefusal(cmd *Command, args [][]byte) string {
	d, pos := checkACL(k.caller, k.caller.User, cmd, args)
	if d == acl.Allowed {
		return ""
	}
	k.e.logDenial(k.caller, d, acl.Lua, cmd, args, pos)
	return "ERR The user executing the script " + denialTexts[d].script
}

func (k *scriptCaller) Call(args [][]byte, resp3 bool) []byte {
	cmd := k.lookup(args)
	var refusal string
	switch {
	case cmd == nil:
		refusal = resp.ErrScriptUnknownCmd
	case !cmd.checkArity(len(args)):
		refusal = resp.ErrScriptWrongArgs
	case cmd.Flags&FlagNoScript != 0:
		refusal = resp.ErrScriptNotAllowed
	}
	if refusal == "" {
		refusal = k.aclRefusal(cmd, args)
	}
	switch {
	case refusal != "":
	// As Redis's scriptVerifyWriteCommandAllow, a command that may
	// replicate (PFCOUNT) counts as a write here.
	case cmd.Flags&(FlagWrite|FlagMayReplicate) != 0 && k.readOnly:
		refusal = resp.ErrScriptReadOnly
	case cmd.Flags&(FlagWrite|FlagMayReplicate) != 0 && k.e.writeError() != "":
		refusal = k.e.writeError()
	case cmd.Flags&FlagDenyOOM != 0 && !k.allowOOM && !k.wrote && k.e.scriptOOM():
		refusal = resp.ErrOOM
	case cmd.Flags&FlagMayReplicate != 0 && k.e.pausedFor(cmd.Flags):
		// A read-only script runs during CLIENT PAUSE WRITE, but not the
		// commands the pause holds back.
		refusal = resp.ErrScriptMayReplicate
	case cmd.Flags&FlagWrite != 0 && !k.s.ctl.markWrite():
		refusal = resp.ErrScriptKilledByUser
	}
	if refusal == "" && cmd.Flags&FlagWrite != 0 {
		k.wrote = true
	}
	cl := k.s.client
	cl.W.Reset()
	if refusal != "" {
		k.e.CountError(refusal)
		cl.W.Error(refusal)
		return cl.W.Bytes()
	}
	cl.W.Proto = 2
	if resp3 {
		cl.W.Proto = 3
	}
	k.run(cmd, args)
	return cl.W.Bytes()
}

// run runs one command of the script as Exec runs a command, statistics
// included, but without Exec's checks (Call made the ones that apply) and
// without a new time: as in Redis, the whole script sees the time it
// started at, so that no key expires half-way through it.
func (k *scriptCaller) run(cmd *Command, args [][]byte) {
	e, cl := k.e, k.s.client
	e.runCounted(&Ctx{Engine: e, Args: args, Client: cl, DB: e.KS.DB(cl.DB), W: &cl.W, Cmd: cmd})
}

func (s *scripter) scriptLoad(c *Ctx) {
	script, err := s.lua(c.Engine).Load(c.Args[2])
	if err != nil {
		c.W.Error(err.Error())
		return
	}
	c.W.BulkString(script.SHA())
}

func (s *scripter) scriptExists(c *Ctx) {
	rt := s.lua(c.Engine)
	c.W.Array(len(c.Args) - 2)
	for _, sha := range c.Args[2:] {
		if rt.Exists(sha) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	}
}

// scriptFlush is SCRIPT FLUSH [ASYNC | SYNC]; both empty the cache at
// once, and its memory goes back to the OS in the background, as the
// collection that frees it scans the whole heap (Runtime.Flush).
func (s *scripter) scriptFlush(c *Ctx) {
	if len(c.Args) > 3 || len(c.Args) == 3 && !tokenIs(c.Args[2], "sync") && !tokenIs(c.Args[2], "async") {
		c.W.Error(resp.ErrScriptFlushOption)
		return
	}
	s.lua(c.Engine).Flush()
	c.W.OK()
}

func scriptHelp(c *Ctx) {
	c.Help(
		"SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"DEBUG (YES|SYNC|NO)",
		"    Set the debug mode for subsequent scripts executed.",
		"EXISTS <sha1> [<sha1> ...]",
		"    Return information about the existence of the scripts in the script cache.",
		"FLUSH [ASYNC|SYNC]",
		"    Flush the Lua scripts cache. Very dangerous on replicas.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the scripts cache.",
		"    * SYNC: Synchronously flush the scripts cache.",
		"KILL",
		"    Kill the currently executing Lua script.",
		"LOAD <script>",
		"    Load a script into the scripts cache without executing it.",
		"HELP",
		"    Prints this help.",
	)
}

func writeKillReply(w *resp.Writer, errReply string) {
	if errReply != "" {
		w.Error(errReply)
		return
	}
	w.OK()
}

// ScriptControl is what other goroutines see of the scripts an engine
// runs. Its methods are safe for concurrent use.
//
// A client that sends a command while a script runs must not wait for the
// keyspace lock: once the script turns busy it must get BUSY, and it
// could not send SCRIPT KILL from inside Lock. So the server brackets
// taking the lock with Enter and Entered, and a script does not start
// while a client is between the two: it lets them through first (begin),
// and any client that comes later waits in Enter, where it can be told
// that the script turned busy.
type ScriptControl struct {
	// entering counts the clients between Enter and Entered; active the
	// scripts starting or running. Changes of active from and to 0 happen
	// under mu, with idleCh.
	entering atomic.Int64
	active   atomic.Int32
	// drained gets a token when entering drops to 0 while a script is
	// active, for begin to wait on. A token may be stale.
	drained chan struct{}

	mu sync.Mutex
	// running is set while a script runs; busy once it has run longer
	// than busy-reply-threshold; wrote once it has called a write
	// command; killed once SCRIPT KILL stopped it.
	running, busy, wrote, killed bool
	// info says what runs, began since when.
	info  runInfo
	began time.Time
	// kill stops the running script; nil if it cannot be stopped
	// (busy-reply-threshold 0).
	kill  *scripting.KillContext
	timer *time.Timer
	// busyCh is closed when the running script turns busy, and replaced
	// when it ends; idleCh is closed when no script is active, and
	// replaced when one begins.
	busyCh, idleCh chan struct{}
	// left is what ExecBusy left for the end of the busy script, which
	// holds the keyspace lock.
	left busyWork
}

func newScriptControl() *ScriptControl {
	idle := make(chan struct{})
	close(idle)
	return &ScriptControl{drained: make(chan struct{}, 1), busyCh: make(chan struct{}), idleCh: idle}
}

// SuperviseScripts returns the control block of the scripts e runs, for
// the server.
func (e *Engine) SuperviseScripts() *ScriptControl { return e.scripts.ctl }

// cachedScripts is INFO's number_of_cached_scripts. The caller holds the
// keyspace lock.
func (e *Engine) cachedScripts() int {
	if e.scripts.runtime == nil {
		return 0
	}
	return e.scripts.runtime.Len()
}

// Enter is called by a client before it takes the keyspace lock, which it
// may take if Enter returns true; it then calls Entered. Enter waits while
// a script runs, and returns false once the script is busy: the client's
// commands are answered by ExecBusy, without the lock.
func (sc *ScriptControl) Enter() bool {
	for {
		if sc.TryEnter() {
			return true
		}
		sc.mu.Lock()
		busy, busyCh, idleCh := sc.busy, sc.busyCh, sc.idleCh
		sc.mu.Unlock()
		if busy {
			return false
		}
		select {
		case <-busyCh:
		case <-idleCh:
		}
	}
}

// TryEnter is Enter without waiting: false if a script is active, even
// if not yet busy.
func (sc *ScriptControl) TryEnter() bool {
	sc.entering.Add(1)
	if sc.active.Load() == 0 {
		return true
	}
	sc.leave()
	return false
}

// Entered is called once the client that Enter or TryEnter let through
// holds the keyspace lock.
func (sc *ScriptControl) Entered() { sc.leave() }

// leave counts a client out of entering, and wakes a script waiting in
// begin if it was the last.
func (sc *ScriptControl) leave() {
	if sc.entering.Add(-1) == 0 && sc.active.Load() != 0 {
		select {
		case sc.drained <- struct{}{}:
		default:
		}
	}
}

// begin is called by a script about to start, with the keyspace lock
// held; finish when it is over. It releases the lock until the clients
// between Enter and Entered have had their turn, unless drain is false.
// Once active is set no client gets past TryEnter, and the last one out
// sends a token (leave), so the wait ends.
func (sc *ScriptControl) begin(ks *keyspace.Keyspace, drain bool) {
	sc.mu.Lock()
	if sc.active.Add(1) == 1 {
		sc.idleCh = make(chan struct{})
	}
	sc.mu.Unlock()
	waited := false
	for drain && sc.entering.Load() > 0 {
		ks.Unlock()
		<-sc.drained
		waited = true
		ks.Lock()
	}
	// Scripts of clients that got through while this one waited may be
	// waiting for the same last client, whose token woke only this one:
	// pass it on. A token nobody needs only costs a recheck.
	if waited {
		select {
		case sc.drained <- struct{}{}:
		default:
		}
	}
}

// finish is called when a script that began is over.
func (sc *ScriptControl) finish() {
	sc.mu.Lock()
	if sc.active.Add(-1) == 0 {
		close(sc.idleCh)
	}
	sc.mu.Unlock()
}

// runInfo is what FUNCTION STATS and the busy and kill errors tell of
// the script running: for a function, its name, the command that called
// it (whose arguments live as long as the run), and how many libraries
// and functions there are, which cannot change while it runs.
type runInfo struct {
	function             bool
	name                 string
	args                 [][]byte
	libraries, functions int
}

// busyError is the BUSY error, which names the command that kills what
// runs. sc.mu is held.
func (sc *ScriptControl) busyError() string {
	if sc.info.function {
		return resp.ErrBusyFunction
	}
	return resp.ErrBusyScript
}

// start records that a script runs; after threshold it turns busy. It
// returns the context that kills the script, nil if threshold is 0.
func (sc *ScriptControl) start(threshold time.Duration, info runInfo) *scripting.KillContext {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.info, sc.began = info, time.Now()
	sc.running, sc.busy, sc.wrote, sc.killed = true, false, false, false
	sc.kill = nil
	if threshold > 0 {
		kill := scripting.NewKillContext()
		sc.kill = kill
		sc.timer = time.AfterFunc(threshold, func() { sc.turnBusy(kill) })
	}
	return sc.kill
}

func (sc *ScriptControl) turnBusy(kill *scripting.KillContext) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.running && sc.kill == kill && !sc.busy {
		sc.busy = true
		close(sc.busyCh)
	}
}

// end records that the running script is over, and returns what ExecBusy
// left for it to do (Engine.settle) before it releases the lock.
func (sc *ScriptControl) end() busyWork {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.timer != nil {
		sc.timer.Stop()
		sc.timer = nil
	}
	if sc.kill != nil {
		sc.kill.Release()
		sc.kill = nil
	}
	if sc.busy {
		sc.busyCh = make(chan struct{})
	}
	sc.running, sc.busy = false, false
	sc.info = runInfo{}
	left := sc.left
	sc.left = busyWork{}
	return left
}

// markWrite records that the script is about to write, which makes it
// unkillable; false if SCRIPT KILL got there first.
func (sc *ScriptControl) markWrite() bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.killed {
		return false
	}
	sc.wrote = true
	return true
}

// Who asks to stop a script: SCRIPT KILL stops only scripts, FUNCTION
// KILL only functions, SHUTDOWN NOSAVE either.
const (
	killScript = iota
	killFunction
	killAny
)

// Kill stops the running script, as SCRIPT KILL or FUNCTION KILL (by); it
// returns the error reply, or "" if the script is being stopped. force
// stops it even if it has written (SHUTDOWN NOSAVE).
func (sc *ScriptControl) Kill(force bool, by int) string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.stop(force, by)
}

// stop is Kill with mu held.
func (sc *ScriptControl) stop(force bool, by int) string {
	switch {
	case !sc.running || sc.kill == nil:
		return resp.ErrNotBusy
	case sc.wrote && !force:
		return resp.ErrUnkillable
	case by == killScript && sc.info.function:
		return resp.ErrBusyFunction
	case by == killFunction && !sc.info.function:
		return resp.ErrBusyScript
	}
	sc.killed = true
	sc.kill.Kill()
	return ""
}

// ExecBusy answers a command that came while a script was busy, as
// Redis's processCommand does then: the checks that come first (unknown
// command, arity, DEBUG's protection, authentication, no-multi) apply as
// usual, then every command but the allow-busy ones is refused with BUSY,
// which aborts a transaction being queued. A transaction queues the
// allow-busy commands that do not act on it (SCRIPT KILL among them), as
// Redis's does.
//
// ExecBusy is called without the keyspace lock, which the script holds.
// It answers under the control block's mutex while the script is busy:
// the script cannot end, nor anyone else take the lock, until it is done,
// so it may change what only the client's own commands and other clients
// under the lock look at (its transaction's queue, its name...). What
// needs the lock it leaves to the end of the script (busyWork): the
// statistics, the dropping of watches, which the script's writes touch,
// and WATCH outside MULTI, whose client waits for it (Redis answers at
// once). If the script is no longer busy, the command, which came while
// it was, is answered in the same way with the lock.
func (e *Engine) ExecBusy(sc *ScriptControl, cl *Client, args [][]byte) {
	if len(args) == 0 {
		return
	}
	for {
		sc.mu.Lock()
		if sc.busy {
			done := e.answerBusy(sc, cl, args, &sc.left)
			sc.mu.Unlock()
			if done != nil {
				<-done
			}
			return
		}
		sc.mu.Unlock()
		if sc.Enter() {
			break
		}
	}
	e.KS.Lock()
	sc.Entered()
	var left busyWork
	sc.mu.Lock()
	e.answerBusy(sc, cl, args, &left)
	sc.mu.Unlock()
	e.settle(&left)
	e.KS.Unlock()
}

// answerBusy answers a command as ExecBusy and leaves to left what needs
// the keyspace lock. It returns a channel closed once the command has
// run, if it must run with the lock; nil if it was answered. sc.mu is
// held.
func (e *Engine) answerBusy(sc *ScriptControl, cl *Client, args [][]byte, left *busyWork) <-chan struct{} {
	if cl.killed {
		return nil
	}
	if cl.ID == 0 && cl.User == nil {
		// A client that connected while the script was busy is not yet
		// registered (Connect), which would have given it its user.
		e.setDefaultUser(cl)
	}
	if cl.ReplyMode == ReplySkip {
		cl.ReplyMode = replySkipThis
	}
	start, errorsBefore := cl.W.Len(), cl.W.Errors
	// As Exec: count the errors, then drop the reply if replies are off.
	after := func(left *busyWork) {
		left.countErrors(cl.W.Since(start), cl.W.Errors-errorsBefore)
		switch cl.ReplyMode {
		case ReplyOff, ReplySkip:
			cl.W.Truncate(start)
		case replySkipThis:
			cl.W.Truncate(start)
			cl.ReplyMode = ReplyOn
		}
	}
	run := e.serveBusy(sc, cl, args, left)
	if run == nil {
		after(left)
		return nil
	}
	done := make(chan struct{})
	left.run = append(left.run, func(left *busyWork) {
		run(left)
		after(left)
		close(done)
	})
	return done
}

// serveBusy answers a command as ExecBusy, or returns what runs it with
// the keyspace lock. sc.mu is held.
func (e *Engine) serveBusy(sc *ScriptControl, cl *Client, args [][]byte, left *busyWork) func(*busyWork) {
	cmd := e.Table.Lookup(args[0])
	if cmd == nil {
		cl.LastCmd = ""
		rejectCommand(cl, nil, resp.ErrUnknownCommand(args[0], args[1:]), left.discard)
		return nil
	}
	if cmd.Subcommands != nil && len(args) >= 2 {
		sub := cmd.Subcommands[lowerASCII(args[1])]
		if sub == nil {
			cl.LastCmd = ""
			left.stats(cmd).rejected++
			rejectCommand(cl, nil, resp.ErrUnknownSubcommand(args[1], cmd.Name), left.discard)
			return nil
		}
		cmd = sub
	}
	cl.LastCmd = cmd.Name
	if refusal := e.busyRefusal(cl, cmd, args, sc.busyError()); refusal != "" {
		left.stats(cmd).rejected++
		rejectCommand(cl, cmd, refusal, left.discard)
		return nil
	}
	if e.queueCommand(cl, cmd, args, e.callFlags(cmd, args)) {
		return nil
	}
	c := &Ctx{Engine: e, Args: args, Client: cl, W: &cl.W, Cmd: cmd}
	var run func(*Ctx)
	switch {
	// These touch nothing but the client; WATCH in MULTI only refuses.
	case cmd.Name == "auth", cmd.Name == "hello", cmd.Name == "multi", cmd.Name == "quit",
		cmd.Name == "watch" && cl.tx.multi:
		run = e.run
	case cmd.Name == "discard":
		run = func(c *Ctx) {
			if !cl.tx.multi {
				c.W.Error(resp.ErrDiscardWithoutMulti)
				return
			}
			left.discard(cl)
			c.W.OK()
		}
	case cmd.Name == "unwatch":
		run = func(c *Ctx) {
			left.unwatchLater(cl)
			c.W.OK()
		}
	case cmd.Name == "reset":
		// As resetCommand, which discards the transaction with the lock.
		run = func(c *Ctx) {
			left.discard(cl)
			cl.DB = 0
			cl.W.Proto = 2
			e.setDefaultUser(cl)
			cl.Name = ""
			if cl.ReplyMode != replySkipThis {
				cl.ReplyMode = ReplyOn
			}
			c.W.Status("RESET")
		}
	case cmd.Name == "script|kill":
		run = func(c *Ctx) { writeKillReply(c.W, sc.stop(false, killScript)) }
	case cmd.Name == "function|kill":
		run = func(c *Ctx) { writeKillReply(c.W, sc.stop(false, killFunction)) }
	case cmd.Name == "function|stats":
		run = func(c *Ctx) { sc.writeStats(c.W, 0, 0) }
	case cmd.Name == "shutdown":
		run = func(c *Ctx) {
			// Redis's SHUTDOWN refuses to save while a script is busy.
			if shutdownSaves(args) {
				c.W.Error(sc.busyError())
				return
			}
			e.run(c)
			if cl.Closing {
				sc.stop(true, killAny)
			}
		}
	default:
		// WATCH reads the keyspace and adds to the watches, which the
		// script's writes touch: it runs at the end of the script, and
		// its client waits for it.
		return func(left *busyWork) {
			c.DB = e.KS.DB(cl.DB)
			left.call(c, e.run)
		}
	}
	left.call(c, run)
	return nil
}

// busyRefusal is the error that refuses cmd while a script is busy, in
// the order of Redis's processCommand, or "" if cmd is allowed; busy is
// the BUSY error.
func (e *Engine) busyRefusal(cl *Client, cmd *Command, args [][]byte, busy string) string {
	cfg := e.Config.Load()
	switch {
	case !cmd.checkArity(len(args)):
		return resp.ErrWrongArgs(cmd.Name)
	case cmd.Name == "debug" && !debugAllowed(cfg.EnableDebugCommand, cl):
		return resp.ErrDebugNotAllowed
	case cmd.Flags&FlagNoAuth == 0 && e.authRequired(cl):
		return resp.ErrNoAuth
	case cl.tx.multi && cmd.Flags&FlagNoMulti != 0:
		return resp.ErrNotInMulti
	}
	if msg := e.aclDenial(cl, cmd, args); msg != "" {
		return msg
	}
	if cmd.Flags&FlagAllowBusy == 0 {
		return busy
	}
	return ""
}

// shutdownSaves reports whether SHUTDOWN's arguments are valid and ask
// for a shutdown that saves: neither NOSAVE nor ABORT. The handler
// answers the others.
func shutdownSaves(args [][]byte) bool {
	for _, a := range args[1:] {
		if !tokenIs(a, "save") && !tokenIs(a, "now") && !tokenIs(a, "force") {
			return false
		}
	}
	return true
}

// busyWork is what the commands answered while a script is busy leave
// for the holder of the keyspace lock (Engine.settle).
type busyWork struct {
	// unwatch are the clients whose watches are to be dropped, and
	// dirty flag cleared (DISCARD, UNWATCH, an aborted EXEC).
	unwatch map[*Client]bool
	// run are the commands that need the lock, in order.
	run []func(*busyWork)
	// cmds, commands, errorReplies and codes are to be added to the
	// commands' and the engine's statistics, and timed are the calls to
	// count as Exec counts them (Engine.commandDone).
	cmds                   map[*Command]*busyStats
	commands, errorReplies int64
	codes                  map[string]int64
	timed                  []busyCall
}

// busyStats are a command's statistics, as in CommandStats.
type busyStats struct {
	calls, rejected, failed int64
}

// busyCall is a call answered while a script was busy, and how long it
// took. args are a copy of its arguments if the slow log was to take it,
// nil otherwise: the connection reuses them for its next command.
type busyCall struct {
	cl   *Client
	cmd  *Command
	args [][]byte
	d    time.Duration
}

func (w *busyWork) stats(cmd *Command) *busyStats {
	if w.cmds == nil {
		w.cmds = map[*Command]*busyStats{}
	}
	s := w.cmds[cmd]
	if s == nil {
		s = &busyStats{}
		w.cmds[cmd] = s
	}
	return s
}

// call runs c's command with run and counts it, as Exec does.
func (w *busyWork) call(c *Ctx, run func(*Ctx)) {
	errorsBefore := c.W.Errors
	t0 := time.Now()
	run(c)
	d := time.Since(t0)
	s := w.stats(c.Cmd)
	s.calls++
	if c.W.Errors != errorsBefore {
		s.failed++
	}
	w.commands++
	var args [][]byte
	if slowlogTakes(c.Config.Load(), c.Cmd, d) {
		args = make([][]byte, len(c.Args))
		for i, a := range c.Args {
			args[i] = bytes.Clone(a)
		}
	}
	w.timed = append(w.timed, busyCall{c.Client, c.Cmd, args, d})
}

// countErrors counts the n error replies in reply.
func (w *busyWork) countErrors(reply []byte, n int64) {
	if n == 0 {
		return
	}
	w.errorReplies += n
	if w.codes == nil {
		w.codes = map[string]int64{}
	}
	forEachError(reply, func(code string) { w.codes[code]++ })
}

// unwatchLater has cl's watches dropped once the lock is held.
func (w *busyWork) unwatchLater(cl *Client) {
	if w.unwatch == nil {
		w.unwatch = map[*Client]bool{}
	}
	w.unwatch[cl] = true
}

// discard ends cl's transaction as discardTransaction does, but leaves
// the watches and the dirty flag, which the script's writes touch, to
// unwatchLater.
func (w *busyWork) discard(cl *Client) {
	t := &cl.tx
	t.multi, t.queue, t.flags, t.mem, t.aborted = false, nil, 0, 0, false
	w.unwatchLater(cl)
}

// settle does what the commands answered while a script was busy left
// to do. The caller holds the keyspace lock.
func (e *Engine) settle(w *busyWork) {
	for cl := range w.unwatch {
		e.unwatchAll(cl)
		cl.tx.dirty = false
	}
	for _, run := range w.run {
		run(w)
	}
	for _, t := range w.timed {
		e.commandDone(t.cl, t.cmd, t.args, t.d)
	}
	for cmd, s := range w.cmds {
		cmd.Stats.Calls += s.calls
		cmd.Stats.RejectedCalls += s.rejected
		cmd.Stats.FailedCalls += s.failed
	}
	e.Stats.TotalCommands += w.commands
	e.Stats.ErrorReplies += w.errorReplies
	for code, n := range w.codes {
		// As countErrorCode.
		if _, ok := e.errorStats[code]; ok || len(e.errorStats) < maxErrorCodes {
			e.errorStats[code] += n
		}
	}
}
