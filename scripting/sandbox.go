package scripting

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// The sandbox. Redis 7.0.15 gives scripts the globals below and makes the
// global table, every library table and the string metatable read-only:
// assigning to a global, or to string.x, fails with "Attempt to modify a
// readonly table", and reading a global that does not exist fails with
// "Script attempted to access nonexistent global variable".
//
// gopher-lua has no read-only tables, so each protected table is an empty
// proxy whose metatable reads from the real table (__index) and refuses
// writes (__newindex). Everything a script can reach from a proxy is again
// a proxy; the functions that could write through one (rawset,
// setmetatable, table.insert...) refuse proxies, and those that read
// (next, pairs, rawget) see through them.

// baseGlobals are the gopher-lua base functions Redis exposes unchanged.
var baseGlobals = [...]string{
	"assert", "getmetatable", "rawequal", "select", "type", "xpcall",
}

// openSandbox builds the globals of a new interpreter.
func (r *Runtime) openSandbox() {
	L := r.L
	// gopher-lua's libraries open into the state's own global table,
	// which scripts never see: its extra functions (print, dofile,
	// loadfile, setfenv...) stay out of reach.
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	std := L.G.Global

	g := L.NewTable()
	r.globals = g
	for _, name := range baseGlobals {
		g.RawSetString(name, std.RawGetString(name))
	}
	g.RawSetString("_VERSION", lua.LString("Lua 5.1"))
	g.RawSetString("tonumber", tonumber(L, std.RawGetString("tonumber").(*lua.LFunction)))
	next := L.NewFunction(r.next)
	for name, fn := range map[string]lua.LGFunction{
		"tostring": luaTostring, "error": luaError, "pcall": r.pcall, "rawget": r.rawget, "rawset": r.rawset,
		"setmetatable": r.setmetatable, "ipairs": r.ipairs, "gcinfo": gcinfo,
		"loadstring": r.loadstring, "load": r.load, "collectgarbage": r.collectgarbage, "unpack": r.unpack,
	} {
		g.RawSetString(name, L.NewFunction(fn))
	}
	r.errFunc = L.NewFunction(r.errorHandler)
	g.RawSetString("__redis__err__handler", r.errFunc)
	g.RawSetString("next", next)
	g.RawSetString("pairs", L.NewFunction(func(L *lua.LState) int {
		L.CheckTable(1)
		L.Push(next)
		L.Push(L.Get(1))
		L.Push(lua.LNil)
		return 3
	}))

	str := copyTable(L, std.RawGetString("string").(*lua.LTable))
	str.RawSetString("__index", lua.LNil)
	str.RawSetString("rep", L.NewFunction(strRep))
	str.RawSetString("format", L.NewFunction(strFormat))
	for name, n := range map[string]int{
		"byte": 1, "find": 2, "gmatch": 2, "gsub": 3, "len": 1, "match": 2, "reverse": 1, "sub": 1,
	} {
		str.RawSetString(name, numbersAsStrings(L, str.RawGetString(name).(*lua.LFunction), n))
	}
	str.RawSetString("lower", L.NewFunction(strCase("lower", 'A', 'Z', 'a'-'A')))
	str.RawSetString("upper", L.NewFunction(strCase("upper", 'a', 'z', 'A'-'a')))
	tbl := copyTable(L, std.RawGetString("table").(*lua.LTable))
	for name, fn := range map[string]lua.LGFunction{
		"foreach": tableForeach, "foreachi": tableForeachi, "setn": tableSetn, "concat": tableConcat,
	} {
		tbl.RawSetString(name, L.NewFunction(fn))
	}
	tbl.RawSetString("insert", L.NewFunction(r.tableInsert))
	tbl.RawSetString("remove", L.NewFunction(r.tableRemove))
	tbl.RawSetString("sort", r.refuseProxy(tbl.RawGetString("sort").(*lua.LFunction)))
	mth := copyTable(L, std.RawGetString("math").(*lua.LTable))
	mth.RawSetString("huge", lua.LNumber(math.Inf(1)))
	for name, fn := range map[string]lua.LGFunction{
		"atan2": mathAtan2, "log10": mathLog10, "ldexp": mathLdexp, "random": r.mathRandom, "randomseed": r.mathRandomseed,
		"deg": mathDeg, "rad": mathRad, "modf": mathModf,
	} {
		mth.RawSetString(name, L.NewFunction(fn))
	}
	co := copyTable(L, std.RawGetString("coroutine").(*lua.LTable))
	for _, name := range []string{"create", "wrap"} {
		co.RawSetString(name, growingStack(L, co.RawGetString(name).(*lua.LFunction)))
	}

	libs := map[string]*lua.LTable{
		"string": str, "table": tbl, "math": mth, "coroutine": co,
		"redis": r.redisLib(), "cjson": openCjson(L), "cmsgpack": openCmsgpack(L),
		"bit": openBit(L), "struct": openStruct(L),
	}
	sealed := r.protect(L.NewTable(), nil)
	for name, t := range libs {
		g.RawSetString(name, r.protect(t, sealed))
	}
	r.env = r.protect(g, sealed)
	g.RawSetString("_G", r.env)
	gmt := L.NewTable()
	gmt.RawSetString("__index", L.NewFunction(nonexistentGlobal))
	g.Metatable = gmt

	// Methods of strings ("x"):upper() go through the string metatable,
	// which gets the same protection.
	smt := L.NewTable()
	smt.RawSetString("__index", r.proxyOf(str))
	smt.RawSetString("__metatable", r.protect(smt, sealed))
	L.SetMetatable(lua.LString(""), smt)
}

// protect returns a read-only proxy of t. meta is what getmetatable
// reports for the proxy (nil for a proxy's own metatable stand-in).
func (r *Runtime) protect(t *lua.LTable, meta *lua.LTable) *lua.LTable {
	L := r.L
	proxy := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", L.NewFunction(readonlyAssign))
	if meta == nil {
		meta = proxy
	}
	mt.RawSetString("__metatable", meta)
	proxy.Metatable = mt
	r.proxies[proxy] = t
	return proxy
}

// proxyOf returns the proxy protecting t.
func (r *Runtime) proxyOf(t *lua.LTable) *lua.LTable {
	for p, real := range r.proxies {
		if real == t {
			return p
		}
	}
	return t
}

// real returns the table behind a proxy, or t itself.
func (r *Runtime) real(t *lua.LTable) (*lua.LTable, bool) {
	if real, ok := r.proxies[t]; ok {
		return real, true
	}
	return t, false
}

const errReadonly = "Attempt to modify a readonly table"

// readonlyAssign is a proxy's __newindex: the error carries the script's
// position, as Lua's VM raises it there.
func readonlyAssign(L *lua.LState) int {
	L.RaiseError(errReadonly)
	return 0
}

// refuseReadonly raises the error Redis raises when a library function
// tries to modify a read-only table: without a position, as it comes from
// inside a C function.
func refuseReadonly(L *lua.LState) {
	L.Error(lua.LString(errReadonly), 0)
}

func nonexistentGlobal(L *lua.LState) int {
	L.RaiseError("Script attempted to access nonexistent global variable '%s'", tostring(L.Get(2)))
	return 0
}

// refuseProxy wraps a table library function that modifies its first
// argument.
func (r *Runtime) refuseProxy(fn *lua.LFunction) *lua.LFunction {
	return r.L.NewFunction(func(L *lua.LState) int {
		if t, ok := L.Get(1).(*lua.LTable); ok {
			if _, isProxy := r.proxies[t]; isProxy {
				refuseReadonly(L)
			}
		}
		top := L.GetTop()
		L.Insert(fn, 1)
		L.Call(top, lua.MultRet)
		return L.GetTop()
	})
}

// growingStack wraps coroutine.create or wrap so that the coroutine gets
// a call stack that grows as needed. The interpreter's own is allocated
// whole, 20000 frames (1.6 MB), because gopher-lua's growing stack panics
// instead of raising "stack overflow" when full; a coroutine is given the
// growing kind, or each would cost that much.
func growingStack(L *lua.LState, create *lua.LFunction) *lua.LFunction {
	return L.NewFunction(func(L *lua.LState) int {
		saved := L.Options
		L.Options.MinimizeStackMemory = true
		defer func() { L.Options = saved }()
		top := L.GetTop()
		L.Insert(create, 1)
		L.Call(top, 1)
		return 1
	})
}

// maxStringSize bounds the strings string.rep makes: Go cannot recover
// from running out of memory, and a script must not be able to crash the
// server with one call. It is the default proto-max-bulk-len.
const maxStringSize = 512 << 20

func strRep(L *lua.LState) int {
	s := checkString(L, 1, "rep")
	n := int64(int32(checkInt(L, 2, "rep"))) // luaL_checkint
	switch {
	case n <= 0 || s == "":
		L.Push(lua.LString(""))
	case int64(len(s)) > maxStringSize/n:
		L.RaiseError("not enough memory")
	default:
		L.Push(lua.LString(strings.Repeat(s, int(n))))
	}
	return 1
}

func copyTable(L *lua.LState, t *lua.LTable) *lua.LTable {
	out := L.NewTable()
	t.ForEach(func(k, v lua.LValue) { out.RawSet(k, v) })
	return out
}

func (r *Runtime) next(L *lua.LState) int {
	t, _ := r.real(L.CheckTable(1))
	k, v := t.Next(L.Get(2))
	if k == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(k)
	L.Push(v)
	return 2
}

func (r *Runtime) ipairs(L *lua.LState) int {
	t, _ := r.real(L.CheckTable(1))
	L.Push(L.NewFunction(func(L *lua.LState) int {
		i := L.CheckInt(2) + 1
		v := t.RawGetInt(i)
		if v == lua.LNil {
			return 0
		}
		L.Push(lua.LNumber(i))
		L.Push(v)
		return 2
	}))
	L.Push(L.Get(1))
	L.Push(lua.LNumber(0))
	return 3
}

func (r *Runtime) rawget(L *lua.LState) int {
	t, _ := r.real(L.CheckTable(1))
	L.Push(t.RawGet(L.CheckAny(2)))
	return 1
}

func (r *Runtime) rawset(L *lua.LState) int {
	t := L.CheckTable(1)
	k := L.CheckAny(2)
	v := L.CheckAny(3)
	if _, isProxy := r.proxies[t]; isProxy {
		refuseReadonly(L)
	}
	if k == lua.LNil {
		L.RaiseError("table index is nil")
	}
	t.RawSet(k, v)
	L.Push(t)
	return 1
}

// setmetatable accepts only tables, as Lua 5.1's: gopher-lua's would set
// the metatable shared by every string.
func (r *Runtime) setmetatable(L *lua.LState) int {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		typeError(L, 1, "setmetatable", "table")
	}
	mt := L.Get(2)
	if mt != lua.LNil && mt.Type() != lua.LTTable {
		argError(L, 2, "setmetatable", "nil or table expected")
	}
	if _, isProxy := r.proxies[t]; isProxy {
		refuseReadonly(L)
	}
	if cur, ok := t.Metatable.(*lua.LTable); ok && cur.RawGetString("__metatable") != lua.LNil {
		L.RaiseError("cannot change a protected metatable")
	}
	t.Metatable = mt
	L.Push(t)
	return 1
}

// pcall is Redis's: an error raised as a table with an err field (as
// redis.call raises) is returned as its message, as before Redis 7.
func (r *Runtime) pcall(L *lua.LState) int {
	L.CheckAny(1)
	top := L.GetTop()
	if err := L.PCall(top-1, lua.MultRet, nil); err != nil {
		errv := err.(*lua.ApiError).Object
		if s, ok := errv.(lua.LString); ok {
			errv = lua.LString(luaMessage(string(s)))
		}
		if t, ok := errv.(*lua.LTable); ok {
			if msg := t.RawGetString("err"); msg.Type() == lua.LTString || msg.Type() == lua.LTNumber {
				errv = msg
			}
		}
		L.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(errv)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

func luaTostring(L *lua.LState) int {
	v := L.CheckAny(1)
	if mm := L.GetMetaField(v, "__tostring"); mm != lua.LNil {
		L.Push(mm)
		L.Push(v)
		L.Call(1, 1)
		return 1
	}
	L.Push(lua.LString(tostring(v)))
	return 1
}

// tonumber converts in base 10 as Lua 5.1 does (see parseNumber), and in
// other bases as gopher-lua does.
func tonumber(L *lua.LState, other *lua.LFunction) *lua.LFunction {
	return L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() == 0 {
			argError(L, 1, "tonumber", "value expected")
		}
		v := L.Get(1)
		if base := L.Get(2); base != lua.LNil && base != lua.LNumber(10) {
			top := L.GetTop()
			L.Insert(other, 1)
			L.Call(top, 1)
			return 1
		}
		if f, ok := toNumber(v); ok {
			L.Push(lua.LNumber(f))
		} else {
			L.Push(lua.LNil)
		}
		return 1
	})
}

// luaError is Lua 5.1's error: a string or number message gets the
// position of the function level levels up (1, the caller, by default;
// none when that is a Go function).
func luaError(L *lua.LState) int {
	v := L.Get(1)
	level := optInt(L, 2, "error", 1)
	switch v.(type) {
	case lua.LString, lua.LNumber:
		if level > 0 {
			v = lua.LString(where(L, int(level)) + tostring(v))
		}
	}
	L.Error(v, 0)
	return 0
}

// where is luaL_where: "source:line: " of the function level levels up
// the stack, or "" if it is not a Lua function.
func where(L *lua.LState, level int) string {
	dbg, ok := L.GetStack(level)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.What == "G" || dbg.CurrentLine <= 0 {
		return ""
	}
	return dbg.Source + ":" + strconv.Itoa(dbg.CurrentLine) + ": "
}

func gcinfo(L *lua.LState) int {
	L.Push(lua.LNumber(0))
	return 1
}

// collectgarbage answers as Lua 5.1's, with the interpreter's estimated
// memory for "count" and the pause and step multiplier kept for
// "setpause" and "setstepmul" to return. It collects nothing: the Go
// collector is the process's, and a collection forced by a script would
// scan the whole server's heap under the keyspace lock.
func (r *Runtime) collectgarbage(L *lua.LState) int {
	opt := "collect"
	if L.Get(1) != lua.LNil {
		opt = checkString(L, 1, "collectgarbage")
	}
	arg := optInt(L, 2, "collectgarbage", 0)
	switch opt {
	case "collect", "stop", "restart":
		L.Push(lua.LNumber(0))
	case "count":
		L.Push(lua.LNumber(float64(r.VMMemory()) / 1024))
	case "step":
		// Lua reports whether the step finished a cycle, which a step
		// right after the previous one's collection does not.
		L.Push(lua.LFalse)
	case "setpause":
		L.Push(lua.LNumber(r.gcPause))
		r.gcPause = arg
	case "setstepmul":
		L.Push(lua.LNumber(r.gcStepMul))
		r.gcStepMul = arg
	default:
		argError(L, 1, "collectgarbage", "invalid option '"+opt+"'")
	}
	return 1
}

// maxCStack is Lua 5.1's LUAI_MAXCSTACK: the most values a C function may
// push, which bounds unpack.
const maxCStack = 8000

// unpack is Lua 5.1's: the elements i to j of a table (of the table
// behind a read-only proxy), refused past LUAI_MAXCSTACK values as
// lua_checkstack refuses them.
func (r *Runtime) unpack(L *lua.LState) int {
	if _, ok := L.Get(1).(*lua.LTable); !ok {
		typeError(L, 1, "unpack", "table")
	}
	t, _ := r.real(L.Get(1).(*lua.LTable))
	i := optInt(L, 2, "unpack", 1)
	var j int64
	if L.Get(3) == lua.LNil {
		j = int64(t.Len())
	} else {
		j = checkInt(L, 3, "unpack")
	}
	if i > j {
		return 0
	}
	// j-i+1 <= 0 is an overflow, as in Lua.
	if n := j - i + 1; n <= 0 || n > maxCStack-int64(L.GetTop()) {
		L.RaiseError("too many results to unpack")
	}
	for k := i; k <= j; k++ {
		L.Push(t.RawGetInt(int(k)))
	}
	return int(j - i + 1)
}

func (r *Runtime) loadstring(L *lua.LState) int {
	src := L.CheckString(1)
	return r.loadChunk(L, src, L.OptString(2, src))
}

// load reads a chunk from a function that returns its pieces.
func (r *Runtime) load(L *lua.LState) int {
	fn := L.CheckFunction(1)
	name := L.OptString(2, "=(load)")
	var b strings.Builder
	for {
		L.Push(fn)
		L.Call(0, 1)
		piece := L.Get(-1)
		L.Pop(1)
		if piece == lua.LNil {
			break
		}
		s, ok := piece.(lua.LString)
		if !ok {
			if n, isNum := piece.(lua.LNumber); isNum {
				s = lua.LString(tostring(n))
			} else {
				L.Push(lua.LNil)
				L.Push(lua.LString("reader function must return a string"))
				return 2
			}
		}
		if s == "" {
			break
		}
		b.WriteString(string(s))
	}
	return r.loadChunk(L, b.String(), name)
}

// loadChunk compiles a chunk with the read-only globals as its
// environment, returning the function or nil and the error.
func (r *Runtime) loadChunk(L *lua.LState, src, name string) int {
	name = chunkID(name)
	chunk, err := parse.Parse(strings.NewReader(src), name)
	var proto *lua.FunctionProto
	if err == nil {
		proto, err = lua.Compile(chunk, name)
	}
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	fn := L.NewFunctionFromProto(proto)
	fn.Env = r.env
	L.Push(fn)
	return 1
}

// chunkID names a chunk in messages as Lua's luaO_chunkid does.
func chunkID(source string) string {
	if rest, ok := strings.CutPrefix(source, "="); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(source, "@"); ok {
		return rest
	}
	const room = 60 - len(` [string "..."] `) - 1
	line := source
	if i := strings.IndexAny(source, "\r\n"); i >= 0 {
		line = source[:i]
	}
	if len(line) > room {
		line = line[:room]
	}
	if len(line) < len(source) {
		return `[string "` + line + `..."]`
	}
	return `[string "` + line + `"]`
}

func tableForeach(L *lua.LState) int {
	t := L.CheckTable(1)
	fn := L.CheckFunction(2)
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		L.Push(fn)
		L.Push(k)
		L.Push(v)
		L.Call(2, 1)
		if res := L.Get(-1); res != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

func tableForeachi(L *lua.LState) int {
	t := L.CheckTable(1)
	fn := L.CheckFunction(2)
	for i := 1; i <= t.Len(); i++ {
		L.Push(fn)
		L.Push(lua.LNumber(i))
		L.Push(t.RawGetInt(i))
		L.Call(2, 1)
		if res := L.Get(-1); res != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

// numbersAsStrings wraps a gopher-lua string function so that a number
// given for one of its first n (string) arguments is converted as Lua 5.1
// converts it (%.14g), not with Go's formatting: string.len(1/3) is 14.
func numbersAsStrings(L *lua.LState, fn *lua.LFunction, n int) *lua.LFunction {
	return L.NewFunction(func(L *lua.LState) int {
		top := L.GetTop()
		for i := 1; i <= min(n, top); i++ {
			if v, ok := L.Get(i).(lua.LNumber); ok {
				L.Replace(i, lua.LString(formatNumber(float64(v))))
			}
		}
		L.Insert(fn, 1)
		L.Call(top, lua.MultRet)
		return L.GetTop()
	})
}

// strCase is string.lower or string.upper: C's tolower/toupper in the C
// locale, byte by byte (gopher-lua's use Go's Unicode mapping, which
// turns bytes that are not UTF-8 into U+FFFD).
func strCase(fname string, from, to byte, delta int) lua.LGFunction {
	return func(L *lua.LState) int {
		b := []byte(checkString(L, 1, fname))
		for i, c := range b {
			if c >= from && c <= to {
				b[i] = byte(int(c) + delta)
			}
		}
		L.Push(lua.LString(b))
		return 1
	}
}

// tableConcat is Lua 5.1's table.concat, numbers formatted with %.14g.
func tableConcat(L *lua.LState) int {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		typeError(L, 1, "concat", "table")
	}
	sep := ""
	if L.Get(2) != lua.LNil {
		sep = checkString(L, 2, "concat")
	}
	i := optInt(L, 3, "concat", 1)
	j := int64(t.Len())
	if L.Get(4) != lua.LNil {
		j = checkInt(L, 4, "concat")
	}
	var b strings.Builder
	for k := i; k <= j; k++ {
		switch v := t.RawGetInt(int(k)).(type) {
		case lua.LString:
			b.WriteString(string(v))
		case lua.LNumber:
			b.WriteString(formatNumber(float64(v)))
		default:
			L.RaiseError("invalid value (%s) at index %d in table for 'concat'", v.Type(), k)
		}
		if k != j {
			b.WriteString(sep)
		}
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// tableArg is the table argument of table.insert and table.remove.
func tableArg(L *lua.LState, fname string) *lua.LTable {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		typeError(L, 1, fname, "table")
	}
	return t
}

// refuseWrite refuses to change one of the read-only library tables, as
// Redis does at the first write.
func (r *Runtime) refuseWrite(L *lua.LState, t *lua.LTable) {
	if _, isProxy := r.proxies[t]; isProxy {
		refuseReadonly(L)
	}
}

// tableInsert is Lua 5.1's table.insert (ltablib.c's tinsert), which
// gopher-lua's differs from: a position below 1 moves the elements up
// (t[1] becomes nil) rather than appending, a fourth argument is an
// error, and the position is cast as luaL_checkint casts it (-inf is 0).
func (r *Runtime) tableInsert(L *lua.LState) int {
	t := tableArg(L, "insert")
	e := t.Len() + 1
	switch L.GetTop() {
	case 2:
		r.refuseWrite(L, t)
		t.RawSetInt(e, L.Get(2))
	case 3:
		pos := int(int32(checkInt(L, 2, "insert")))
		r.refuseWrite(L, t)
		e = max(e, pos)
		// t[i] = t[i-1] from e down to pos+1; below the table's lowest
		// integer key both are nil, so a position below 1 (-1, or -math.huge,
		// which luaL_checkint casts to 0) stops the loop there.
		stop := pos
		if pos < 1 {
			stop = max(pos, lowestIntKey(t)-1)
		}
		for i := e; i > stop; i-- {
			t.RawSetInt(i, t.RawGetInt(i-1))
		}
		t.RawSetInt(pos, L.Get(3))
	default:
		L.RaiseError("wrong number of arguments to 'insert'")
	}
	return 0
}

// lowestIntKey is the lowest integer key of t, or the largest int if it
// has none.
func lowestIntKey(t *lua.LTable) int {
	low := math.MaxInt
	if t.Len() > 0 {
		low = 1
	}
	t.ForEach(func(k, _ lua.LValue) {
		if n, ok := k.(lua.LNumber); ok && float64(n) == math.Trunc(float64(n)) && float64(n) < float64(low) {
			low = int(n)
		}
	})
	return low
}

// tableRemove is Lua 5.1's table.remove (ltablib.c's tremove): a
// position outside 1..#t removes nothing and returns nothing.
func (r *Runtime) tableRemove(L *lua.LState) int {
	t := tableArg(L, "remove")
	e := t.Len()
	pos := e
	if L.Get(2) != lua.LNil {
		pos = int(int32(checkInt(L, 2, "remove")))
	}
	if pos < 1 || pos > e {
		return 0
	}
	r.refuseWrite(L, t)
	L.Push(t.RawGetInt(pos))
	for ; pos < e; pos++ {
		t.RawSetInt(pos, t.RawGetInt(pos+1))
	}
	t.RawSetInt(e, lua.LNil)
	return 1
}

func tableSetn(L *lua.LState) int {
	L.RaiseError("'setn' is obsolete")
	return 0
}

func mathAtan2(L *lua.LState) int {
	L.Push(lua.LNumber(math.Atan2(float64(checkNumber(L, 1, "atan2")), float64(checkNumber(L, 2, "atan2")))))
	return 1
}

// mathLdexp takes its exponent as luaL_checkint does on x86-64: the
// number cast to a 64-bit integer, then truncated to 32 bits
// (math.ldexp(1, -math.huge) is 1).
func mathLdexp(L *lua.LState) int {
	x := checkNumber(L, 1, "ldexp")
	e := int32(checkInt(L, 2, "ldexp"))
	L.Push(lua.LNumber(math.Ldexp(x, int(e))))
	return 1
}

// mathModf is C's modf: an infinity's fraction is a zero of its sign,
// where Go's math.Modf gives NaN.
func mathModf(L *lua.LState) int {
	x := float64(checkNumber(L, 1, "modf"))
	i, f := math.Modf(x)
	if math.IsInf(x, 0) {
		f = math.Copysign(0, x)
	}
	L.Push(lua.LNumber(i))
	L.Push(lua.LNumber(f))
	return 2
}

// radiansPerDegree is Lua 5.1's RADIANS_PER_DEGREE: math.deg divides by
// it and math.rad multiplies by it, which rounds differently in the last
// bit from multiplying by 180/pi.
const radiansPerDegree = math.Pi / 180.0

func mathDeg(L *lua.LState) int {
	L.Push(lua.LNumber(float64(checkNumber(L, 1, "deg")) / radiansPerDegree))
	return 1
}

func mathRad(L *lua.LState) int {
	L.Push(lua.LNumber(float64(checkNumber(L, 1, "rad")) * radiansPerDegree))
	return 1
}

func mathLog10(L *lua.LState) int {
	L.Push(lua.LNumber(math.Log10(float64(checkNumber(L, 1, "log10")))))
	return 1
}

// math.random and math.randomseed use Redis's rand48, so that a script
// sees the same sequence on every platform.
func (r *Runtime) mathRandom(L *lua.LState) int {
	const max = 1<<31 - 1
	f := float64(r.rand.next()%max) / max
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(f))
	case 1:
		u := checkInt(L, 1, "random")
		if u < 1 {
			argError(L, 1, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(f*float64(u)) + 1))
	case 2:
		l, u := checkInt(L, 1, "random"), checkInt(L, 2, "random")
		if l > u {
			argError(L, 2, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(f*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func (r *Runtime) mathRandomseed(L *lua.LState) int {
	r.rand.seed(int32(checkInt(L, 1, "randomseed")))
	return 0
}

// rand48 is Redis's rand48 (rand.c): the drand48 generator with its own
// state, so that scripts are portable.
type rand48 struct{ x uint64 }

func newRand48() rand48 { return rand48{x: 0x1234ABCD330E} }

func (r *rand48) seed(s int32) { r.x = uint64(uint32(s))<<16 | 0x330E }

// next returns the next 31-bit value, as redisLrand48.
func (r *rand48) next() int32 {
	r.x = (0x5DEECE66D*r.x + 0xB) & (1<<48 - 1)
	return int32(r.x >> 17)
}
