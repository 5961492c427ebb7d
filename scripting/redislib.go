package scripting

import (
	"context"
	"log/slog"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The redis table: redis.call and its siblings (script_lua.c, eval.c).

// Log levels of redis.log, mapped onto slog as the loglevel option maps
// Redis's.
var logLevels = [...]slog.Level{slog.LevelDebug, slog.LevelDebug + 2, slog.LevelInfo, slog.LevelWarn}

func (r *Runtime) redisLib() *lua.LTable {
	L := r.L
	t := L.NewTable()
	for name, fn := range map[string]lua.LGFunction{
		"call":               func(L *lua.LState) int { return r.callCommand(L, true) },
		"pcall":              func(L *lua.LState) int { return r.callCommand(L, false) },
		"log":                r.log,
		"setresp":            r.setresp,
		"sha1hex":            sha1hex,
		"error_reply":        errorReply,
		"status_reply":       statusReply,
		"set_repl":           r.setRepl,
		"replicate_commands": pushTrue,
		"breakpoint":         pushFalse,
		"debug":              func(*lua.LState) int { return 0 },
		"acl_check_cmd":      r.aclCheckCmd,
	} {
		t.RawSetString(name, L.NewFunction(fn))
	}
	for name, v := range map[string]lua.LValue{
		"LOG_DEBUG": lua.LNumber(0), "LOG_VERBOSE": lua.LNumber(1), "LOG_NOTICE": lua.LNumber(2),
		"LOG_WARNING": lua.LNumber(3),
		"REPL_NONE":   lua.LNumber(0), "REPL_AOF": lua.LNumber(1), "REPL_SLAVE": lua.LNumber(2),
		"REPL_REPLICA": lua.LNumber(2), "REPL_ALL": lua.LNumber(3),
		"REDIS_VERSION":     lua.LString(r.opts.Version),
		"REDIS_VERSION_NUM": lua.LNumber(versionNum(r.opts.Version)),
	} {
		t.RawSetString(name, v)
	}
	return t
}

// raise raises Redis's error table {err="ERR msg"}.
func raise(L *lua.LState, msg string) {
	L.Error(errorTable(L, msg), 0)
}

// commandArgs converts redis.call's arguments: strings as they are,
// numbers as %.17g; anything else is refused.
func commandArgs(L *lua.LState) ([][]byte, *lua.LTable) {
	n := L.GetTop()
	if n == 0 {
		return nil, errorTable(L, "Please specify at least one argument for this redis lib call")
	}
	args := make([][]byte, n)
	for i := 1; i <= n; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			args[i-1] = []byte(v)
		case lua.LNumber:
			args[i-1] = []byte(formatG(float64(v), 17))
		default:
			return nil, errorTable(L, "Lua redis lib command arguments must be strings or integers")
		}
	}
	return args, nil
}

// callCommand is redis.call (raise set) and redis.pcall: it runs the
// command and converts its reply; redis.call raises an error reply,
// redis.pcall returns it as a table.
func (r *Runtime) callCommand(L *lua.LState, raiseErrors bool) int {
	if r.run == nil {
		raise(L, "redis.call/pcall can only be called inside a script invocation")
	}
	args, errt := commandArgs(L)
	if errt != nil {
		if raiseErrors {
			L.Error(errt, 0)
		}
		L.Push(errt)
		return 1
	}
	reply := r.run.caller.Call(args, r.run.resp3)
	v, _, err := ParseReply(L, reply)
	if err != nil {
		v = errorTable(L, "ERR "+err.Error())
	}
	if raiseErrors && len(reply) > 0 && reply[0] == '-' {
		L.Error(v, 0)
	}
	L.Push(v)
	return 1
}

func (r *Runtime) aclCheckCmd(L *lua.LState) int {
	if r.run == nil {
		raise(L, "redis.acl_check_cmd can only be called inside a script invocation")
	}
	args, errt := commandArgs(L)
	if errt != nil {
		L.Error(errt, 0)
	}
	if !r.run.caller.Known(args) {
		raise(L, "Invalid command passed to redis.acl_check_cmd()")
	}
	// cairn has no ACL users: the one user may run every command.
	L.Push(lua.LTrue)
	return 1
}

func (r *Runtime) log(L *lua.LState) int {
	argc := L.GetTop()
	if argc < 2 {
		raise(L, "redis.log() requires two arguments or more.")
	}
	lv, ok := toNumber(L.Get(1))
	if !ok {
		raise(L, "First argument must be a number (log level).")
	}
	level := truncInt(lv)
	if level < 0 || level > 3 {
		raise(L, "Invalid debug level.")
	}
	var b strings.Builder
	for j := 2; j <= argc; j++ {
		var s string
		switch v := L.Get(j).(type) {
		case lua.LString:
			s = string(v)
		case lua.LNumber:
			s = formatNumber(float64(v))
		default:
			continue
		}
		if j != 2 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	r.opts.Log.Log(context.Background(), logLevels[level], b.String())
	return 0
}

func (r *Runtime) setresp(L *lua.LState) int {
	if r.run == nil {
		raise(L, "redis.setresp can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raise(L, "redis.setresp() requires one argument.")
	}
	n, _ := toNumber(L.Get(1))
	switch truncInt(n) {
	case 2:
		r.run.resp3 = false
	case 3:
		r.run.resp3 = true
	default:
		raise(L, "RESP version must be 2 or 3.")
	}
	return 0
}

// setRepl checks its argument as Redis does; cairn records the effects of
// every command a script runs, so there is nothing to switch.
func (r *Runtime) setRepl(L *lua.LState) int {
	if r.run == nil {
		raise(L, "redis.set_repl can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raise(L, "redis.set_repl() requires two arguments.")
	}
	n, _ := toNumber(L.Get(1))
	if truncInt(n)&^3 != 0 {
		raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	return 0
}

func sha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "wrong number of arguments")
	}
	var s string
	switch v := L.Get(1).(type) {
	case lua.LString:
		s = string(v)
	case lua.LNumber:
		s = formatNumber(float64(v))
	}
	L.Push(lua.LString(SHA1Hex([]byte(s))))
	return 1
}

// errorReply is redis.error_reply: the table {err=...}, with the code ERR
// added when the message has no code of its own. A bad argument is
// returned as an error table, not raised.
func errorReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errorTable(L, "wrong number or type of arguments"))
		return 1
	}
	msg := string(s)
	if !strings.HasPrefix(msg, "-") {
		msg = "-" + msg
	}
	L.Push(errorTable(L, msg))
	return 1
}

func statusReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errorTable(L, "wrong number or type of arguments"))
		return 1
	}
	L.Push(singleField(L, "ok", s))
	return 1
}

func pushTrue(L *lua.LState) int {
	L.Push(lua.LTrue)
	return 1
}

func pushFalse(L *lua.LState) int {
	L.Push(lua.LFalse)
	return 1
}
