package scripting

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// liveHeap is the heap in use after a full collection.
func liveHeap() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestCachedScriptSize: a cached script costs little more than its code
// (gopher-lua's compiler leaves 17 KB of spare room in each function),
// and Flush lets go of it.
func TestCachedScriptSize(t *testing.T) {
	if !stringConstantsOK {
		t.Error("gopher-lua's FunctionProto has no stringConstants []string to trim")
	}
	const n = 2000
	rt := New(Options{})
	base := liveHeap()
	for i := range n {
		if _, err := rt.Load(fmt.Appendf(nil, "return %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	perScript := (liveHeap() - base) / n
	t.Logf("%d bytes per cached script", perScript)
	if perScript > 4096 {
		t.Errorf("a cached script holds %d bytes", perScript)
	}
	if rt.Len() != n {
		t.Errorf("Len = %d, want %d", rt.Len(), n)
	}
	for i := range n {
		body := fmt.Appendf(nil, "return %d", i)
		s := rt.Lookup([]byte(SHA1Hex(body)))
		if again, _ := rt.Load(body); s == nil || again != s {
			t.Fatalf("script %d: Lookup gives %p, Load %p", i, s, again)
		}
	}
	if rt.Exists([]byte(SHA1Hex([]byte("return -1")))) {
		t.Error("a script never loaded exists")
	}

	rt.Flush()
	if kept := liveHeap() - base; kept > 64*n {
		t.Errorf("after Flush, %d bytes of the heap are kept", kept)
	}
	runtime.KeepAlive(rt)
}

// TestFlushReleases: the memory of a flushed cache goes back to the OS
// without waiting for the collector to get to it.
func TestFlushReleases(t *testing.T) {
	rt := New(Options{})
	// 1,000 scripts of 200 constants, about 10 KB of code and constants each.
	for i := range 1000 {
		var b strings.Builder
		b.WriteString("return {")
		for j := range 200 {
			fmt.Fprintf(&b, "%d,", i*1000+j)
		}
		b.WriteString("}")
		if _, err := rt.Load([]byte(b.String())); err != nil {
			t.Fatal(err)
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rt.Flush()
	release.wait()
	runtime.ReadMemStats(&after)
	held := func(m *runtime.MemStats) uint64 { return (m.HeapSys - m.HeapReleased) >> 20 }
	t.Logf("heap held from the OS: %d MB before Flush, %d MB after", held(&before), held(&after))
	if held(&after) > held(&before)/4 {
		t.Errorf("after Flush, %d MB of heap held from the OS, %d MB before", held(&after), held(&before))
	}
	runtime.KeepAlive(rt)
}

// TestTrimmedScript: a script whose arrays were trimmed, with functions,
// upvalues, number and string constants and a later line that fails,
// runs as compiled.
func TestTrimmedScript(t *testing.T) {
	const script = `local n = 0
local function add(k)
  n = n + k
  return function() return n * 2 end
end
local t = {}
for i = 1, 3 do t[i] = add(i)() end
if ARGV[1] == 'fail' then
  error('boom')
end
return {t[1], t[2], t[3], string.format('%s-%d', 'x', n), 1.5 > 1}`
	rt := New(Options{})
	if got, want := eval(t, rt, &fakeCaller{}, 2, script, nil, []string{"ok"}), "*5\r\n:2\r\n:6\r\n:12\r\n$3\r\nx-6\r\n:1\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	want := "-ERR user_script:9: boom script: " + sha(script) + ", on @user_script:9.\r\n"
	if got := eval(t, rt, &fakeCaller{}, 2, script, nil, []string{"fail"}); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
