package commands

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cairn-db/cairn/glob"
	"github.com/cairn-db/cairn/rdb"
	"github.com/cairn-db/cairn/resp"
	"github.com/cairn-db/cairn/scripting"
)

// Functions: FUNCTION and FCALL, Redis 7.0's libraries of named Lua
// functions. The libraries are data, unlike the script cache: FUNCTION
// LOAD, DELETE, FLUSH and RESTORE record themselves as effects, so that
// the log replays them, snapshots hold the libraries' code (Libraries,
// LoadLibraries), and FLUSHALL leaves them. A library is kept as the code
// it was loaded from, which is all the log, a snapshot, FUNCTION DUMP and
// an RDB file hold of it.
//
// They run in a Lua interpreter of their own (scripting.Options.Functions),
// which FUNCTION FLUSH replaces and SCRIPT FLUSH leaves, under the same
// rules as EVAL: the same script client, busy handling and refusals of
// redis.call, with the flags the function was registered with.

// library is a loaded library.
type library struct {
	name string
	code []byte
	lua  *scripting.Library
}

// libFunction is a function of a library.
type libFunction struct {
	*scripting.Function
	lib *library
}

// functionSet is the loaded libraries and their functions. It is guarded
// by the keyspace lock.
type functionSet struct {
	rt   *scripting.Runtime
	libs map[string]*library
	// funcs is by lower-case name: Redis finds a function, and refuses
	// a second one, in any case.
	funcs map[string]*libFunction
}

// loadTimeout bounds the run of a library's code by FUNCTION LOAD, as
// Redis's LOAD_TIMEOUT_MS; a replayed load is not bounded.
const loadTimeout = 500 * time.Millisecond

// libraryCommandErr is a failure of a library's load, whose text is the
// error reply without its code.
type libraryCommandErr string

func (e libraryCommandErr) Error() string { return string(e) }

// functions returns the engine's libraries, creating the interpreter
// with the first use that needs it: commands that only read the
// libraries read s.fn, whose maps may be nil, so that INFO and the like
// do not make an interpreter nobody uses.
func (s *scripter) functions(e *Engine) *functionSet {
	if s.fn.rt == nil {
		s.fn.rt = scripting.New(scripting.Options{Log: e.Log, Version: ServerVersion, Functions: true})
		s.fn.libs = map[string]*library{}
		s.fn.funcs = map[string]*libFunction{}
		s.scriptClient()
	}
	return &s.fn
}

// metadata reads a library's "#!lua name=..." line as Redis's
// functionExtractLibMetaData, and checks the name and the engine.
func libraryMetadata(code []byte) (name string, err error) {
	if !bytes.HasPrefix(code, []byte("#!")) {
		return "", libraryCommandErr("Missing library metadata")
	}
	end := bytes.IndexByte(code, '\n')
	if end < 0 {
		return "", libraryCommandErr("Invalid library metadata")
	}
	parts, ok := resp.SplitArgs(code[:end])
	if !ok || len(parts) == 0 {
		return "", libraryCommandErr("Invalid library metadata")
	}
	hasName := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(string(p[:5]), "name=") {
			if hasName {
				return "", libraryCommandErr("Invalid metadata value, name argument was given multiple times")
			}
			name, hasName = string(p[5:]), true
			continue
		}
		return "", libraryCommandErr(fmt.Sprintf("Invalid metadata value given: %s", p))
	}
	if !hasName {
		return "", libraryCommandErr("Library name was not given")
	}
	if !scripting.ValidName(name) {
		return "", libraryCommandErr(scripting.ErrInvalidName)
	}
	if engine := parts[0][2:]; !strings.EqualFold(string(engine), "lua") {
		return "", libraryCommandErr(fmt.Sprintf("Engine '%s' not found", engine))
	}
	return name, nil
}

// create compiles and runs a library's code as Redis's
// functionsCreateWithLibraryCtx, into the set libs and funcs: a library
// of the same name is refused unless replace, and then replaced.
func (fs *functionSet) create(code []byte, replace bool, timeout time.Duration, libs map[string]*library, funcs map[string]*libFunction) (*library, error) {
	name, err := libraryMetadata(code)
	if err != nil {
		return nil, err
	}
	old := libs[name]
	if old != nil && !replace {
		return nil, libraryCommandErr(fmt.Sprintf("Library '%s' already exists", name))
	}
	lua, err := fs.rt.LoadLibrary(code[bytes.IndexByte(code, '\n'):], timeout)
	if err != nil {
		return nil, libraryCommandErr(err.Error())
	}
	// The code is kept: its own copy, not the caller's bytes (a
	// connection's read buffer, a record of the log being replayed).
	lib := &library{name: name, code: bytes.Clone(code), lua: lua}
	if len(lua.Functions) == 0 {
		fs.rt.Unload(lua)
		return nil, libraryCommandErr("No functions registered")
	}
	for _, f := range lua.Functions {
		if other := funcs[strings.ToLower(f.Name)]; other != nil && other.lib != old {
			fs.rt.Unload(lua)
			return nil, libraryCommandErr(fmt.Sprintf("Function %s already exists", f.Name))
		}
	}
	if old != nil {
		fs.unlink(old, libs, funcs)
	}
	link(lib, libs, funcs)
	return lib, nil
}

func link(lib *library, libs map[string]*library, funcs map[string]*libFunction) {
	libs[lib.name] = lib
	for _, f := range lib.lua.Functions {
		funcs[strings.ToLower(f.Name)] = &libFunction{Function: f, lib: lib}
	}
}

// unlink removes lib from the set, and from the interpreter's count.
func (fs *functionSet) unlink(lib *library, libs map[string]*library, funcs map[string]*libFunction) {
	delete(libs, lib.name)
	for _, f := range lib.lua.Functions {
		delete(funcs, strings.ToLower(f.Name))
	}
	fs.rt.Unload(lib.lua)
}

// flush drops every library and starts a new interpreter.
func (fs *functionSet) flush() {
	if fs.rt == nil {
		return
	}
	fs.rt.Flush()
	clear(fs.libs)
	clear(fs.funcs)
}

// sorted lists the libraries by name. Redis lists them in its hash
// table's order, which differs from run to run.
func (fs *functionSet) sorted() []*library {
	libs := make([]*library, 0, len(fs.libs))
	for _, lib := range fs.libs {
		libs = append(libs, lib)
	}
	sort.Slice(libs, func(i, j int) bool { return libs[i].name < libs[j].name })
	return libs
}

// restore adds the libraries in codes as FUNCTION RESTORE does with
// policy "append", "replace" or "flush": all of them or, on an error,
// none.
func (fs *functionSet) restore(codes [][]byte, policy string) error {
	libs, funcs := map[string]*library{}, map[string]*libFunction{}
	var loaded []*library
	fail := func(err error) error {
		for _, lib := range loaded {
			fs.rt.Unload(lib.lua)
		}
		return err
	}
	for _, code := range codes {
		lib, err := fs.create(code, false, 0, libs, funcs)
		if err != nil {
			return fail(err)
		}
		loaded = append(loaded, lib)
	}
	if policy == "flush" {
		for _, lib := range fs.libs {
			fs.rt.Unload(lib.lua)
		}
		fs.libs, fs.funcs = libs, funcs
		return nil
	}
	// As Redis's libraryJoin: libraries of the same name are refused, or
	// replaced; then any function of the same name refuses the whole.
	var replaced []*library
	for _, lib := range loaded {
		if old := fs.libs[lib.name]; old != nil {
			if policy != "replace" {
				return fail(libraryCommandErr(fmt.Sprintf("Library %s already exists", lib.name)))
			}
			replaced = append(replaced, old)
		}
	}
	for _, old := range replaced {
		delete(fs.libs, old.name)
		for _, f := range old.lua.Functions {
			delete(fs.funcs, strings.ToLower(f.Name))
		}
	}
	for name, f := range funcs {
		if fs.funcs[name] != nil {
			for _, old := range replaced {
				link(old, fs.libs, fs.funcs)
			}
			return fail(libraryCommandErr(fmt.Sprintf("Function %s already exists", f.Name)))
		}
	}
	for _, old := range replaced {
		fs.rt.Unload(old.lua)
	}
	for _, lib := range loaded {
		link(lib, fs.libs, fs.funcs)
	}
	return nil
}

// memoryUsage is used_memory_functions: what the set's structures and the
// libraries' code and names take, outside the interpreter.
func (fs *functionSet) memoryUsage() int64 {
	const base, perLib, perFunc = 200, 96, 112
	n := int64(base)
	for _, lib := range fs.libs {
		n += perLib + int64(len(lib.name)+len(lib.code))
		for _, f := range lib.lua.Functions {
			n += perFunc + int64(len(f.Name)+len(f.Description))
		}
	}
	return n
}

// Libraries returns the code of every library, by library name, for a
// snapshot. The caller holds the keyspace lock.
func (e *Engine) Libraries() [][]byte {
	var codes [][]byte
	for _, lib := range e.scripts.fn.sorted() {
		codes = append(codes, lib.code)
	}
	return codes
}

// LoadLibraries replaces the libraries with those of codes, as a snapshot
// or an RDB file holds them; nothing is recorded. The caller holds the
// keyspace lock.
func (e *Engine) LoadLibraries(codes [][]byte) error {
	if len(e.scripts.fn.libs) > 0 {
		e.scripts.fn.flush()
	}
	if len(codes) == 0 {
		return nil
	}
	fs := e.scripts.functions(e)
	if err := fs.restore(codes, "append"); err != nil {
		return fmt.Errorf("loading the function libraries: %w", err)
	}
	return nil
}

// AddLibrary loads one library's code, refusing one whose name is taken;
// nothing is recorded. The caller holds the keyspace lock.
func (e *Engine) AddLibrary(code []byte) error {
	fs := e.scripts.functions(e)
	_, err := fs.create(code, false, 0, fs.libs, fs.funcs)
	return err
}

// functionCounts is INFO's number_of_libraries, number_of_functions and
// used_memory_vm_functions. The caller holds the keyspace lock.
func (e *Engine) functionCounts() (libraries, functions int, vm int64) {
	fs := &e.scripts.fn
	if fs.rt == nil {
		return 0, 0, int64(scripting.VMBaseMemory)
	}
	return len(fs.libs), len(fs.funcs), int64(fs.rt.VMMemory())
}

// functionFlags are the flags FCALL's function was registered with, if it
// exists.
func (s *scripter) functionFlags(args [][]byte) (scripting.Flags, bool) {
	f := s.fn.funcs[strings.ToLower(string(args[1]))]
	if f == nil {
		return 0, false
	}
	return f.Flags, true
}

func (s *scripter) functionCommands() []*Command {
	const complexity = "Depends on the function that is executed."
	fcallFlags := FlagNoScript | FlagSkipMonitor | FlagNoMandatoryKeys | FlagStale
	return []*Command{
		{Name: "fcall", Arity: -3, Flags: fcallFlags, Keys: evalKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRW | KeyAccess | KeyUpdate, Index: 2, KeyNum: true, FirstKey: 1,
					Notes: "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"},
			},
			Group: "scripting", Since: "7.0.0", Complexity: complexity, Summary: "Invoke a function",
			Syntax:      "function numkeys [key [key ...]] [arg [arg ...]]",
			ScriptFlags: s.functionFlags,
			Run:         func(c *Ctx) { s.fcall(c, false) }},
		{Name: "fcall_ro", Arity: -3, Flags: fcallFlags | FlagReadonly, Keys: evalKeys,
			KeySpecs: []KeySpec{
				{Flags: KeyRO | KeyAccess, Index: 2, KeyNum: true, FirstKey: 1,
					Notes: "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"},
			},
			Group: "scripting", Since: "7.0.0", Complexity: complexity, Summary: "Invoke a read-only function",
			Syntax:      "function numkeys [key [key ...]] [arg [arg ...]]",
			ScriptFlags: s.functionFlags,
			Run:         func(c *Ctx) { s.fcall(c, true) }},
		{Name: "function", Arity: -2, Group: "scripting", Since: "7.0.0", Complexity: "Depends on subcommand.",
			Summary: "A container for function commands",
			Subcommands: map[string]*Command{
				"delete": {Arity: 3, Flags: FlagWrite | FlagNoScript, Group: "scripting", Since: "7.0.0",
					Complexity: "O(1)", Summary: "Delete a function by name", Syntax: "library-name",
					Run: s.functionDelete},
				"dump": {Arity: 2, Flags: FlagNoScript, Group: "scripting", Since: "7.0.0",
					Complexity: "O(N) where N is the number of functions",
					Summary:    "Dump all functions into a serialized binary payload",
					Run:        s.functionDump},
				"flush": {Arity: -2, Flags: FlagWrite | FlagNoScript, Group: "scripting", Since: "7.0.0",
					Complexity: "O(N) where N is the number of functions deleted",
					Summary:    "Deleting all functions", Syntax: "[async: ASYNC | SYNC]",
					Run: s.functionFlush},
				"help": {Arity: 2, Flags: FlagLoading | FlagStale, Group: "scripting", Since: "7.0.0",
					Complexity: "O(1)", Summary: "Show helpful text about the different subcommands",
					Run: functionHelp},
				"kill": {Arity: 2, Flags: FlagNoScript | FlagAllowBusy, Group: "scripting", Since: "7.0.0",
					Complexity: "O(1)", Summary: "Kill the function currently in execution.",
					Run: func(c *Ctx) { writeKillReply(c.W, s.ctl.Kill(false, killFunction)) }},
				"list": {Arity: -2, Flags: FlagNoScript, Group: "scripting", Since: "7.0.0",
					Complexity: "O(N) where N is the number of functions",
					Summary:    "List information about all the functions",
					Syntax:     "[LIBRARYNAME library-name-pattern] [WITHCODE]",
					Run:        s.functionList},
				"load": {Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagNoScript, Group: "scripting", Since: "7.0.0",
					Complexity: "O(1) (considering compilation time is redundant)",
					Summary:    "Create a function with the given arguments (name, code, description)",
					Syntax:     "[REPLACE] function-code",
					Run:        s.functionLoad},
				"restore": {Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagNoScript, Group: "scripting", Since: "7.0.0",
					Complexity: "O(N) where N is the number of functions on the payload",
					Summary:    "Restore all the functions on the given payload",
					Syntax:     "serialized-value [FLUSH | APPEND | REPLACE]",
					Run:        s.functionRestore},
				"stats": {Arity: 2, Flags: FlagNoScript | FlagAllowBusy, Group: "scripting", Since: "7.0.0",
					Complexity: "O(1)", Summary: "Return information about the function currently running (name, description, duration)",
					Run: s.functionStats},
			}},
	}
}

// fcall is FCALL and FCALL_RO (readOnly).
func (s *scripter) fcall(c *Ctx, readOnly bool) {
	// As in eval: other clients' commands may run while begin waits.
	saved := *c
	defer func() { *c = saved }()
	w, args := c.W, c.Args
	c.feedMonitorsFirst()
	e := c.Engine
	fs := &s.fn
	if fs.funcs[strings.ToLower(string(args[1]))] == nil {
		w.Error(resp.ErrFunctionNotFound)
		return
	}
	numkeys, ok := resp.ParseInt(args[2])
	switch {
	case !ok:
		w.Error(resp.ErrBadNumKeys)
		return
	case numkeys > int64(len(args)-3):
		w.Error(resp.ErrNumKeysTooMany)
		return
	case numkeys < 0:
		w.Error(resp.ErrNumKeysNegative)
		return
	}
	s.ctl.begin(e.KS, !c.Client.InExec())
	defer s.ctl.finish()
	*c = saved
	// The function may have gone while begin let other clients through.
	f := fs.funcs[strings.ToLower(string(args[1]))]
	if f == nil {
		w.Error(resp.ErrFunctionNotFound)
		return
	}
	if readOnly && f.Flags&scripting.FlagNoWrites == 0 {
		w.Error(resp.ErrScriptWriteFlagRO)
		return
	}
	allowOOM := f.Flags&(scripting.FlagAllowOOM|scripting.FlagNoWrites) != 0
	if !allowOOM && e.scriptOOM() {
		w.Error(resp.ErrOOM)
		return
	}
	info := runInfo{function: true, name: f.Name, args: args, libraries: len(fs.libs), functions: len(fs.funcs)}
	s.run(c, saved.Cmd, info, readOnly || f.Flags&scripting.FlagNoWrites != 0, allowOOM,
		func(kill *scripting.KillContext, caller *scriptCaller) int {
			return fs.rt.Call(kill, f.Function, args[3:3+numkeys], args[3+numkeys:], caller, w)
		})
}

// functionLoad is FUNCTION LOAD [REPLACE] code.
func (s *scripter) functionLoad(c *Ctx) {
	replace := false
	i := 2
	for ; i < len(c.Args)-1; i++ {
		if !tokenIs(c.Args[i], "replace") {
			c.W.Error(fmt.Sprintf("ERR Unknown option given: %s", string(cString(c.Args[i]))))
			return
		}
		replace = true
	}
	if i >= len(c.Args) {
		c.W.Error(resp.ErrFunctionCodeMissing)
		return
	}
	timeout := loadTimeout
	if c.Client.replaying {
		timeout = 0
	}
	fs := s.functions(c.Engine)
	lib, err := fs.create(c.Args[i], replace, timeout, fs.libs, fs.funcs)
	if err != nil {
		c.W.Error("ERR " + err.Error())
		return
	}
	c.Propagate()
	c.W.BulkString(lib.name)
}

// functionDelete is FUNCTION DELETE library.
func (s *scripter) functionDelete(c *Ctx) {
	fs := &s.fn
	lib := fs.libs[string(c.Args[2])]
	if lib == nil {
		c.W.Error(resp.ErrLibraryNotFound)
		return
	}
	fs.unlink(lib, fs.libs, fs.funcs)
	c.Propagate()
	c.W.OK()
}

// functionFlush is FUNCTION FLUSH [ASYNC | SYNC]; both drop the libraries
// at once, and the interpreter's memory goes back to the OS in the
// background (Runtime.Flush).
func (s *scripter) functionFlush(c *Ctx) {
	switch {
	case len(c.Args) > 3:
		c.W.Error(resp.ErrSubcommandSyntax(c.Args[1], c.Args[0]))
		return
	case len(c.Args) == 3 && !tokenIs(c.Args[2], "sync") && !tokenIs(c.Args[2], "async"):
		c.W.Error(resp.ErrFunctionFlushOption)
		return
	}
	s.fn.flush()
	c.Propagate()
	c.W.OK()
}

// functionList is FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE].
func (s *scripter) functionList(c *Ctx) {
	var pattern []byte
	withCode, hasPattern := false, false
	for i := 2; i < len(c.Args); i++ {
		switch a := c.Args[i]; {
		case !withCode && tokenIs(a, "withcode"):
			withCode = true
		case !hasPattern && tokenIs(a, "libraryname"):
			if i == len(c.Args)-1 {
				c.W.Error(resp.ErrLibraryNameArgMissed)
				return
			}
			i++
			pattern, hasPattern = c.Args[i], true
		default:
			c.W.Error(fmt.Sprintf("ERR Unknown argument %s", string(cString(a))))
			return
		}
	}
	var libs []*library
	for _, lib := range s.fn.sorted() {
		if !hasPattern || glob.Match(pattern, []byte(lib.name), true) {
			libs = append(libs, lib)
		}
	}
	w := c.W
	w.Array(len(libs))
	for _, lib := range libs {
		if withCode {
			w.Map(4)
		} else {
			w.Map(3)
		}
		w.BulkString("library_name")
		w.BulkString(lib.name)
		w.BulkString("engine")
		w.BulkString("LUA")
		w.BulkString("functions")
		w.Array(len(lib.lua.Functions))
		for _, f := range lib.lua.Functions {
			w.Map(3)
			w.BulkString("name")
			w.BulkString(f.Name)
			w.BulkString("description")
			if f.HasDescription {
				w.BulkString(f.Description)
			} else {
				w.Null()
			}
			w.BulkString("flags")
			names := f.Flags.Names()
			w.Set(len(names))
			for _, n := range names {
				w.Status(n)
			}
		}
		if withCode {
			w.BulkString("library_code")
			w.Bulk(lib.code)
		}
	}
}

// functionDump is FUNCTION DUMP: the libraries as FUNCTION2 opcodes and
// DUMP's footer, in the order of their names.
func (s *scripter) functionDump(c *Ctx) {
	c.W.Bulk(new(rdb.Encoder).DumpFunctions(c.Libraries()))
}

// functionRestore is FUNCTION RESTORE payload [FLUSH | APPEND | REPLACE].
func (s *scripter) functionRestore(c *Ctx) {
	if len(c.Args) > 4 {
		c.W.Error(resp.ErrSubcommandSyntax(c.Args[1], c.Args[0]))
		return
	}
	policy := "append"
	if len(c.Args) == 4 {
		switch a := c.Args[3]; {
		case tokenIs(a, "append"), tokenIs(a, "replace"), tokenIs(a, "flush"):
			policy = strings.ToLower(string(cString(a)))
		default:
			c.W.Error(resp.ErrRestorePolicy)
			return
		}
	}
	codes, err := rdb.RestoreFunctions(c.Args[2])
	if errors.Is(err, rdb.ErrPayload) {
		c.W.Error("ERR DUMP payload version or checksum are wrong")
		return
	}
	if err == nil {
		err = s.functions(c.Engine).restore(codes, policy)
	}
	if err != nil {
		c.W.Error("ERR " + err.Error())
		return
	}
	c.Propagate()
	c.W.OK()
}

// functionStats is FUNCTION STATS, when no script is busy.
func (s *scripter) functionStats(c *Ctx) {
	fs := &s.fn
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	s.ctl.writeStats(c.W, len(fs.libs), len(fs.funcs))
}

// writeStats writes FUNCTION STATS: the function running, if any, and
// the count of libraries and functions (those when the function began,
// if one runs). sc.mu is held.
func (sc *ScriptControl) writeStats(w *resp.Writer, libraries, functions int) {
	if sc.running && !sc.info.function {
		w.Error(resp.ErrBusyScript)
		return
	}
	w.Map(2)
	w.BulkString("running_script")
	if !sc.running {
		w.Null()
	} else {
		libraries, functions = sc.info.libraries, sc.info.functions
		w.Map(3)
		w.BulkString("name")
		w.BulkString(sc.info.name)
		w.BulkString("command")
		w.Array(len(sc.info.args))
		for _, a := range sc.info.args {
			w.Bulk(a)
		}
		w.BulkString("duration_ms")
		w.Int(time.Since(sc.began).Milliseconds())
	}
	w.BulkString("engines")
	w.Map(1)
	w.BulkString("LUA")
	w.Map(2)
	w.BulkString("libraries_count")
	w.Int(int64(libraries))
	w.BulkString("functions_count")
	w.Int(int64(functions))
}

func functionHelp(c *Ctx) {
	c.Help(
		"FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"LOAD [REPLACE] <FUNCTION CODE>",
		"    Create a new library with the given library name and code.",
		"DELETE <LIBRARY NAME>",
		"    Delete the given library.",
		"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
		"    Return general information on all the libraries:",
		"    * Library name",
		"    * The engine used to run the Library",
		"    * Library description",
		"    * Functions list",
		"    * Library code (if WITHCODE is given)",
		"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
		"STATS",
		"    Return information about the current function running:",
		"    * Function name",
		"    * Command used to run the function",
		"    * Duration in MS that the function is running",
		"    If no function is running, return nil",
		"    In addition, returns a list of available engines.",
		"KILL",
		"    Kill the current running function.",
		"FLUSH [ASYNC|SYNC]",
		"    Delete all the libraries.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the libraries.",
		"    * SYNC: Synchronously flush the libraries.",
		"DUMP",
		"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
		"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
		"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
		"    control how to handle existing libraries (default APPEND):",
		"    * FLUSH: delete all existing libraries.",
		"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
		"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
		"      libraries with the new libraries (notice that even on this option there is a chance of failure",
		"      in case of functions name collision with another library).",
		"HELP",
		"    Prints this help.",
	)
}
