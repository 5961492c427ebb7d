package scripting

import (
	"reflect"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua's compiler gives every function it compiles arrays sized for
// a large one: room for 1024 instructions and their line numbers, 32
// constants, 128 call sites..., 17 KB for "return 1". A cached script
// keeps its code for as long as it is cached, so the cache trims them.

// stringConstantsOffset locates FunctionProto's unexported
// stringConstants, the constants as Go strings, which the VM reads:
// gopher-lua sizes it as the others, and nothing exported sets it. ok is
// false if this version of gopher-lua has no such field.
var stringConstantsOffset, stringConstantsOK = func() (uintptr, bool) {
	f, ok := reflect.TypeFor[lua.FunctionProto]().FieldByName("stringConstants")
	return f.Offset, ok && f.Type == reflect.TypeFor[[]string]()
}()

// trimProto reallocates each array of p, and of the functions it
// defines, at the size it holds.
func trimProto(p *lua.FunctionProto) {
	p.Code = exact(p.Code)
	p.Constants = exact(p.Constants)
	p.FunctionPrototypes = exact(p.FunctionPrototypes)
	p.DbgSourcePositions = exact(p.DbgSourcePositions)
	p.DbgLocals = exact(p.DbgLocals)
	p.DbgCalls = exact(p.DbgCalls)
	p.DbgUpvalues = exact(p.DbgUpvalues)
	if stringConstantsOK {
		sc := (*[]string)(unsafe.Add(unsafe.Pointer(p), stringConstantsOffset))
		*sc = exact(*sc)
	}
	for _, child := range p.FunctionPrototypes {
		trimProto(child)
	}
}

// exact returns a copy of s in an array of its size, or nil if s is
// empty (where slices.Clone would keep the old array).
func exact[S ~[]E, E any](s S) S { return append(S(nil), s...) }

// protoSize estimates what a trimmed function holds: its arrays at their
// sizes and its nested functions', for used_memory_scripts.
func protoSize(p *lua.FunctionProto) int {
	const word = 8
	n := int(unsafe.Sizeof(*p)) + 4*len(p.Code) + 16*len(p.Constants) +
		word*len(p.FunctionPrototypes) + word*len(p.DbgSourcePositions) +
		word*len(p.DbgLocals) + int(unsafe.Sizeof(lua.DbgCall{}))*len(p.DbgCalls) + 16*len(p.DbgUpvalues)
	for _, l := range p.DbgLocals {
		n += int(unsafe.Sizeof(*l)) + len(l.Name)
	}
	for _, u := range p.DbgUpvalues {
		n += len(u)
	}
	for _, c := range p.Constants {
		if s, ok := c.(lua.LString); ok {
			n += 16 + len(s)
		}
	}
	for _, child := range p.FunctionPrototypes {
		n += protoSize(child)
	}
	return n
}
