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
