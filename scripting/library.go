package scripting

import (
	"fmt"
	"strings"
	"time"

	"github.com/cairn-db/cairn/resp"
	lua "github.com/yuin/gopher-lua"
)

// Function libraries (FUNCTION LOAD, FCALL), as Redis 7.0's Lua engine
// (function_lua.c) runs them in an interpreter of their own.
//
// A library's code runs once, when it is loaded, with globals that hold
// nothing but a small redis table (register_function, log, the log levels
// and the version): it can only register functions. The functions it
// registers keep the library's environment, which once the load is over
// reads through to the full read-only globals that scripts see, without
// KEYS and ARGV: a function gets its keys and arguments as its two
// parameters. Both views are the same read-only table, whose __index is
// switched for the load.

// Function is a function a library registered.
type Function struct {
	Name string
	// Description is the description given, HasDescription whether one
	// was.
	Description    string
	HasDescription bool
	Flags          Flags
	fn             *lua.LFunction
}

// Library is what loading a library's code made.
type Library struct {
	// Functions are in the order the code registered them.
	Functions []*Function
	// size estimates what the library's compiled code holds.
	size int
}

// libraryState is the part of a functions runtime that loads libraries.
type libraryState struct {
	// env is the environment of libraries' code, a read-only table;
	// meta is its metatable, whose __index is loadAPI during a load and
	// the scripts' globals otherwise.
	env, meta, loadAPI *lua.LTable
	// loading collects the functions the load in progress registers;
	// nil outside a load.
	loading *Library
	// bytes is what the loaded libraries' code holds.
	bytes int
}

// Errors of a library's load, as Redis words them.
const (
	errLoadTimeout  = "FUNCTION LOAD timeout"
	errRegisterOnly = "redis.register_function can only be called on FUNCTION LOAD command"
	// ErrInvalidName refuses a library or function name (ValidName).
	ErrInvalidName = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
)

// openLibraryAPI builds the globals a library's code sees while it loads
// and the environment its functions keep.
func (r *Runtime) openLibraryAPI() {
	L := r.L
	missing := L.NewTable()
	missing.RawSetString("__index", L.NewFunction(nonexistentGlobal))
	full, _ := r.real(r.globals.RawGetString("redis").(*lua.LTable))
	api := L.NewTable()
	api.RawSetString("register_function", L.NewFunction(r.registerFunction))
	for _, name := range []string{
		"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING", "REDIS_VERSION", "REDIS_VERSION_NUM",
	} {
		api.RawSetString(name, full.RawGetString(name))
	}
	api.Metatable = missing
	globals := L.NewTable()
	globals.RawSetString("redis", r.protect(api, nil))
	globals.Metatable = missing
	r.lib.loadAPI = r.protect(globals, nil)

	r.lib.env = L.NewTable()
	r.lib.meta = L.NewTable()
	r.lib.meta.RawSetString("__index", r.env)
	r.lib.meta.RawSetString("__newindex", L.NewFunction(readonlyAssign))
	r.lib.meta.RawSetString("__metatable", r.lib.env)
	r.lib.env.Metatable = r.lib.meta
	r.lib.bytes = 0
}

// LoadLibrary runs a library's code (its source after the "#!lua" line,
// that line's newline kept for line numbers) and returns the functions it
// registered. A load that runs longer than timeout is stopped (0: no
// limit). The error is the reply Redis gives, without its "ERR " code.
// Nothing of a failed load stays registered.
func (r *Runtime) LoadLibrary(code []byte, timeout time.Duration) (*Library, error) {
	proto, err := r.compile(code)
	if err != nil {
		return nil, fmt.Errorf("Error compiling function: %s", err)
	}
	L := r.L
	fn := L.NewFunctionFromProto(proto)
	fn.Env = r.lib.env
	lib := &Library{size: protoSize(proto)}
	r.lib.meta.RawSetString("__index", r.lib.loadAPI)
	r.lib.loading = lib
	var kill *KillContext
	if timeout > 0 {
		kill = NewKillContext()
		timer := time.AfterFunc(timeout, kill.Kill)
		L.SetContext(kill)
		defer func() {
			timer.Stop()
			kill.Release()
			L.RemoveContext()
		}()
	}
	defer func() {
		r.lib.meta.RawSetString("__index", r.env)
		r.lib.loading = nil
		L.SetTop(0)
	}()
	L.Push(fn)
	if err := L.PCall(0, 0, nil); err != nil {
		msg := "ERR " + errLoadTimeout
		if kill == nil || !kill.Killed() {
			msg = loadError(err)
		}
		return nil, fmt.Errorf("Error registering functions: %s", msg)
	}
	r.lib.bytes += lib.size
	return lib, nil
}

// loadError is the message of a load's error, as Redis's
// luaExtractErrorInformation reads it: a string gets the code ERR, an
// error table gives its err field.
func loadError(err error) string {
	aerr, ok := err.(*lua.ApiError)
	if !ok {
		return "ERR " + err.Error()
	}
	if t, ok := aerr.Object.(*lua.LTable); ok {
		if msg, ok := t.RawGetString("err").(lua.LString); ok {
			return string(msg)
		}
	}
	return "ERR " + luaMessage(tostring(aerr.Object))
}

// Unload forgets what a library's code held, once it is deleted.
func (r *Runtime) Unload(lib *Library) { r.lib.bytes -= lib.size }

// Call runs a function with its keys and arguments as Run runs a script;
// errors name the function.
func (r *Runtime) Call(ctx *KillContext, f *Function, keys, args [][]byte, caller Caller, w *resp.Writer) (repeated int) {
	return r.call(ctx, f.fn, []lua.LValue{r.array(keys), r.array(args)}, f.Name, caller, w)
}

// registerFunction is redis.register_function, positional (name,
// callback) or named ({function_name=, callback=, flags=, description=}).
func (r *Runtime) registerFunction(L *lua.LState) int {
	lib := r.lib.loading
	if lib == nil {
		raise(L, errRegisterOnly)
	}
	var f Function
	switch L.GetTop() {
	case 1:
		r.namedArgs(L, &f)
	case 2:
		name, ok := luaString(L.Get(1))
		if !ok {
			raise(L, "first argument to redis.register_function must be a string")
		}
		fn, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			raise(L, "second argument to redis.register_function must be a function")
		}
		f.Name, f.fn = name, fn
	default:
		raise(L, "wrong number of arguments to redis.register_function")
	}
	if !ValidName(f.Name) {
		raise(L, ErrInvalidName)
	}
	for _, other := range lib.Functions {
		if other.Name == f.Name {
			raise(L, "Function already exists in the library")
		}
	}
	lib.Functions = append(lib.Functions, &f)
	return 0
}

// namedArgs reads register_function's table of named arguments.
func (r *Runtime) namedArgs(L *lua.LState, f *Function) {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		raise(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
	}
	t, _ = r.real(t)
	hasName := false
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		key, ok := luaString(k)
		if !ok {
			raise(L, "named argument key given to redis.register_function is not a string")
		}
		switch strings.ToLower(key) {
		case "function_name":
			if f.Name, hasName = luaString(v); !hasName {
				raise(L, "function_name argument given to redis.register_function must be a string")
			}
		case "description":
			if f.Description, f.HasDescription = luaString(v); !f.HasDescription {
				raise(L, "description argument given to redis.register_function must be a string")
			}
		case "callback":
			if f.fn, ok = v.(*lua.LFunction); !ok {
				raise(L, "callback argument given to redis.register_function must be a function")
			}
		case "flags":
			flags, ok := v.(*lua.LTable)
			if !ok {
				raise(L, "flags argument to redis.register_function must be a table representing function flags")
			}
			if f.Flags, ok = readFlags(flags); !ok {
				raise(L, "unknown flag given")
			}
		default:
			raise(L, "unknown argument given to redis.register_function")
		}
	}
	if !hasName {
		raise(L, "redis.register_function must get a function name argument")
	}
	if f.fn == nil {
		raise(L, "redis.register_function must get a callback argument")
	}
}

// readFlags reads the flags of a function, the array part of t up to its
// first nil, each named in any case; false if one is not a flag.
func readFlags(t *lua.LTable) (Flags, bool) {
	var flags Flags
	for i := 1; ; i++ {
		v := t.RawGetInt(i)
		if v == lua.LNil {
			return flags, true
		}
		name, ok := luaString(v)
		if !ok {
			return 0, false
		}
		found := false
		for _, fl := range flagNames {
			if strings.EqualFold(fl.name, name) {
				flags |= fl.flag
				found = true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
}

// luaString is lua_isstring and lua_tostring: strings, and numbers as
// Lua formats them.
func luaString(v lua.LValue) (string, bool) {
	switch v := v.(type) {
	case lua.LString:
		return string(v), true
	case lua.LNumber:
		return formatNumber(float64(v)), true
	}
	return "", false
}

// ValidName reports whether name may name a library or a function:
// letters, digits and underscores, at least one.
func ValidName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Names lists the names of the flags set in f, in Redis's order.
func (f Flags) Names() []string {
	var names []string
	for _, fl := range flagNames {
		if f&fl.flag != 0 {
			names = append(names, fl.name)
		}
	}
	return names
}
