package keyspace

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/keyspace/arena"
)

// refEntry is what the reference model holds for a key: its value and
// its expiry time (0 for none).
type refEntry struct {
	kind  string // "string", "list", "set" or "hash"
	val   string
	elems []string
	// fields are a hash's fields, or a set's members (with "").
	fields map[string]string
	at     int64
}

// render is the form refRender gives the same value.
func (e refEntry) render() string {
	var s strings.Builder
	switch e.kind {
	case "string":
		s.WriteString(e.val)
	case "list":
		s.WriteString("list")
		for _, el := range e.elems {
			s.WriteString("," + el)
		}
	default:
		s.WriteString(e.kind)
		var fs []string
		for f, v := range e.fields {
			fs = append(fs, f+"="+v)
		}
		slices.Sort(fs)
		for _, f := range fs {
			s.WriteString("," + f)
		}
	}
	return fmt.Sprintf("%s@%d", s.String(), e.at)
}

// refRender renders a stored value as refEntry.render does: sets and
// hashes sorted, since their order depends on the encoding.
func refRender(v datatypes.Value, at int64) string {
	var s strings.Builder
	switch v := v.(type) {
	case *datatypes.String:
		s.Write(v.Bytes())
	case *datatypes.List:
		s.WriteString("list")
		v.Range(0, -1, func(el []byte) bool { s.WriteString("," + string(el)); return true })
	case *datatypes.Set:
		s.WriteString("set")
		var ms []string
		for m := range v.All() {
			ms = append(ms, string(m)+"=")
		}
		slices.Sort(ms)
		for _, m := range ms {
			s.WriteString("," + m)
		}
	case *datatypes.Hash:
		s.WriteString("hash")
		var fs []string
		for f, val := range v.All() {
			fs = append(fs, string(f)+"="+string(val))
		}
		slices.Sort(fs)
		for _, f := range fs {
			s.WriteString("," + f)
		}
	default:
		fmt.Fprintf(&s, "%T", v)
	}
	return fmt.Sprintf("%s@%d", s.String(), at)
}

// picker supplies the choices of a run: a PRNG for the property test,
// the input bytes for the fuzz test.
type picker interface{ intn(n int) int }

type randPicker struct{ r *rand.Rand }

func (p randPicker) intn(n int) int { return p.r.IntN(n) }

// bytePicker reads one byte per choice, two for choices of more than 256
// values; it reads zeros once the input is used up.
type bytePicker struct{ data []byte }

func (p *bytePicker) byte() int {
	if len(p.data) == 0 {
		return 0
	}
	c := p.data[0]
	p.data = p.data[1:]
	return int(c)
}

func (p *bytePicker) intn(n int) int {
	if n <= 1 {
		return 0
	}
	v := p.byte()
	if n > 256 {
		v = v<<8 | p.byte()
	}
	return v % n
}

// refKeyLens are the lengths of the test keys: short ones, and long ones
// whose records straddle the slab's largest class (4096 bytes) or are
// "big" records of their own.
var refKeyLens = [...]int{1, 6, 40, 300, 2100, 4080, 4092, 5000}

const refKeys = 32

// refKey is test key n; key 0 is the empty key.
func refKey(n int) string {
	if n == 0 {
		return ""
	}
	s := strconv.Itoa(n) + ":"
	return s + strings.Repeat(string(rune('a'+n%26)), max(0, refKeyLens[n%len(refKeyLens)]-len(s)))
}

// refValueSizes are value sizes at the edges that matter: String's own
// inline buffer (22), embstr (44), the store's inline limit (2048), and
// sizes whose records cross slab classes.
var refValueSizes = [...]int{0, 1, 7, 22, 23, 45, 100, 255, 1000, 2040, 2047, 2048, 2049, 2100, 4000, 5000, 9000, 15990, 16000, 16001, 16384, 17000}

func pickSize(p picker) int {
	if i := p.intn(len(refValueSizes) + 1); i < len(refValueSizes) {
		return refValueSizes[i]
	}
	return p.intn(5001)
}

// storeHarness runs operations on the two databases of a keyspace and on
// a model of each, and compares them.
type storeHarness struct {
	t     testing.TB
	tk    *testKeyspace
	m     [2]map[string]refEntry
	steps int
	// seq makes every generated value different.
	seq int
	// log is the latest operations, for failure messages.
	log     []string
	touched []string
}

func newStoreHarness(t testing.TB) *storeHarness {
	tk := newTestKeyspace(2)
	tk.Lock()
	t.Cleanup(func() {
		tk.Unlock()
		// Give the pages back now rather than when a GC finds the
		// keyspace: the collector does not see arena memory, so a fuzz
		// run would pile up dropped keyspaces.
		tk.stores.releaseAll()
	})
	return &storeHarness{t: t, tk: tk, m: [2]map[string]refEntry{{}, {}}}
}

// value returns a new value of the given size, its bytes varying with
// the position and the value's number so that a misplaced byte shows.
func (h *storeHarness) value(size int) string {
	h.seq++
	v := make([]byte, size)
	prefix := strconv.Itoa(h.seq) + "|"
	for i := range v {
		if i < len(prefix) {
			v[i] = prefix[i]
		} else {
			v[i] = byte('A' + (i*7+h.seq)%58)
		}
	}
	return string(v)
}

// live reports whether the model has k live in db d, dropping it if its
// time has come, as the lookups do.
func (h *storeHarness) live(d int, k string) bool {
	e, ok := h.m[d][k]
	if ok && e.at != 0 && h.tk.IsExpired(e.at) {
		delete(h.m[d], k)
		return false
	}
	return ok
}

func (h *storeHarness) pickAt(p picker) int64 {
	switch p.intn(4) {
	case 0:
		return 0
	case 1:
		return h.tk.Now() - 1 - int64(p.intn(10)) // already past
	}
	return h.tk.Now() + 1 + int64(p.intn(60))
}

func short(k string) string {
	if len(k) > 12 {
		return fmt.Sprintf("%q…(%d)", k[:12], len(k))
	}
	return strconv.Quote(k)
}

func (h *storeHarness) logf(format string, args ...any) {
	if len(h.log) == 40 {
		h.log = h.log[1:]
	}
	h.log = append(h.log, fmt.Sprintf("%d: ", h.steps)+fmt.Sprintf(format, args...))
}

func (h *storeHarness) fatalf(format string, args ...any) {
	h.t.Helper()
	h.t.Fatalf("step %d: %s\nlatest operations:\n%s", h.steps, fmt.Sprintf(format, args...), strings.Join(h.log, "\n"))
}

func (h *storeHarness) want(got, want bool, op string, k string) {
	h.t.Helper()
	if got != want {
		h.fatalf("%s(%s) = %v, want %v", op, short(k), got, want)
	}
}

// storeOps are the operations, each on database d with choices from p.
// An operation lists the keys it touched in h.touched.
var storeOps = []struct {
	name string
	fn   func(h *storeHarness, p picker, d int)
}{
	{"Set", func(h *storeHarness, p picker, d int) {
		k, v := refKey(p.intn(refKeys)), h.value(pickSize(p))
		h.logf("db%d Set %s len %d", d, short(k), len(v))
		h.tk.DB(d).Set([]byte(k), str(v))
		h.m[d][k] = refEntry{kind: "string", val: v}
		h.touched = append(h.touched, k)
	}},
	{"SetKeepTTL", func(h *storeHarness, p picker, d int) {
		k, v := refKey(p.intn(refKeys)), h.value(pickSize(p))
		h.logf("db%d SetKeepTTL %s len %d", d, short(k), len(v))
		h.tk.DB(d).SetKeepTTL([]byte(k), str(v))
		var at int64
		if h.live(d, k) {
			at = h.m[d][k].at
		}
		h.m[d][k] = refEntry{kind: "string", val: v, at: at}
		h.touched = append(h.touched, k)
	}},
	{"SetWithExpire", func(h *storeHarness, p picker, d int) {
		k, v, at := refKey(p.intn(refKeys)), h.value(pickSize(p)), h.pickAt(p)
		h.logf("db%d SetWithExpire %s len %d at %+d", d, short(k), len(v), at-h.tk.Now())
		h.tk.DB(d).SetWithExpire([]byte(k), str(v), at)
		h.m[d][k] = refEntry{kind: "string", val: v, at: at}
		h.touched = append(h.touched, k)
	}},
	{"SetExpire", func(h *storeHarness, p picker, d int) {
		k, at := refKey(p.intn(refKeys)), h.pickAt(p)
		h.logf("db%d SetExpire %s at %+d", d, short(k), at-h.tk.Now())
		want := h.live(d, k)
		h.want(h.tk.DB(d).SetExpire([]byte(k), at), want, "SetExpire", k)
		if want {
			e := h.m[d][k]
			e.at = at
			if at == 0 {
				e.at = -1 // SetExpire's stand-in for the epoch
			}
			h.m[d][k] = e
		}
		h.touched = append(h.touched, k)
	}},
	{"Persist", func(h *storeHarness, p picker, d int) {
		k := refKey(p.intn(refKeys))
		h.logf("db%d Persist %s", d, short(k))
		want := h.live(d, k) && h.m[d][k].at != 0
		h.want(h.tk.DB(d).Persist([]byte(k)), want, "Persist", k)
		if want {
			e := h.m[d][k]
			e.at = 0
			h.m[d][k] = e
		}
		h.touched = append(h.touched, k)
	}},
	{"Delete", func(h *storeHarness, p picker, d int) {
		k := refKey(p.intn(refKeys))
		h.logf("db%d Delete %s", d, short(k))
		h.want(h.tk.DB(d).Delete([]byte(k)), h.live(d, k), "Delete", k)
		delete(h.m[d], k)
		h.touched = append(h.touched, k)
	}},
	{"Rename", func(h *storeHarness, p picker, d int) {
		src, dst := refKey(p.intn(refKeys)), refKey(p.intn(refKeys))
		h.logf("db%d Rename %s %s", d, short(src), short(dst))
		want := h.live(d, src)
		if want {
			h.live(d, dst)
		}
		h.want(h.tk.DB(d).Rename([]byte(src), []byte(dst)), want, "Rename", src)
		if want && src != dst {
			h.m[d][dst] = h.m[d][src]
			delete(h.m[d], src)
		}
		h.touched = append(h.touched, src, dst)
	}},
	{"Move", func(h *storeHarness, p picker, d int) {
		k := refKey(p.intn(refKeys))
		h.logf("db%d Move %s", d, short(k))
		want := h.live(d, k) && !h.live(1-d, k)
		h.want(h.tk.DB(d).Move([]byte(k), h.tk.DB(1-d)), want, "Move", k)
		if want {
			h.m[1-d][k] = h.m[d][k]
			delete(h.m[d], k)
		}
		h.touched = append(h.touched, k)
	}},
	{"Flush", func(h *storeHarness, p picker, d int) {
		// Rare, so that the databases grow.
		if p.intn(8) != 0 {
			return
		}
		h.logf("db%d Flush", d)
		h.tk.DB(d).Flush()
		h.m[d] = map[string]refEntry{}
	}},
	{"SwapDB", func(h *storeHarness, p picker, d int) {
		h.logf("SwapDB 0 %d", d)
		h.tk.SwapDB(0, d)
		h.m[0], h.m[d] = h.m[d], h.m[0]
	}},
	{"ListPush", func(h *storeHarness, p picker, d int) {
		// Up to 3 elements, so that one command can take a list past its
		// compact size.
		k, n := refKey(p.intn(refKeys)), 1+p.intn(3)
		els := make([]string, n)
		for i := range els {
			els[i] = h.value(p.intn(60))
		}
		h.logf("db%d ListPush %s %d", d, short(k), n)
		db := h.tk.DB(d)
		h.touched = append(h.touched, k)
		var l *datatypes.List
		e := h.m[d][k]
		switch {
		case !h.live(d, k):
			l = datatypes.NewList(datatypes.DefaultLimits())
			db.Set([]byte(k), l)
			e = refEntry{kind: "list"}
		case e.kind != "list":
			return // WRONGTYPE
		default:
			v, _ := db.LookupWrite([]byte(k))
			l = v.(*datatypes.List)
		}
		// A list is changed in place after it is stored or looked up, as
		// RPUSH does: no store call after.
		for _, el := range els {
			l.PushBack([]byte(el))
		}
		e.elems = append(slices.Clip(e.elems), els...)
		h.m[d][k] = e
	}},
	{"SetAdd", func(h *storeHarness, p picker, d int) {
		// Mostly integers (an intset), now and then text (a hashtable).
		k, n := refKey(p.intn(refKeys)), 1+p.intn(3)
		ms := make([]string, n)
		for i := range ms {
			if p.intn(4) == 0 {
				ms[i] = "m" + strconv.Itoa(p.intn(100))
			} else {
				ms[i] = strconv.Itoa(p.intn(200) - 50)
			}
		}
		h.logf("db%d SetAdd %s %q", d, short(k), ms)
		h.collection(d, k, "set", func() datatypes.Value { return datatypes.NewSet() }, func(v datatypes.Value, e *refEntry) {
			for _, m := range ms {
				v.(*datatypes.Set).Add(datatypes.DefaultLimits(), []byte(m))
				e.fields[m] = ""
			}
		})
	}},
	{"SetRemove", func(h *storeHarness, p picker, d int) {
		k, m := refKey(p.intn(refKeys)), strconv.Itoa(p.intn(200)-50)
		h.logf("db%d SetRemove %s %q", d, short(k), m)
		h.removeFrom(d, k, "set", func(v datatypes.Value) {
			v.(*datatypes.Set).Remove([]byte(m))
		}, m)
	}},
	{"HashSet", func(h *storeHarness, p picker, d int) {
		// Values over 64 bytes turn a listpack hash into a hashtable.
		k, f, val := refKey(p.intn(refKeys)), "f"+strconv.Itoa(p.intn(40)), h.value(p.intn(80))
		h.logf("db%d HashSet %s %s len %d", d, short(k), f, len(val))
		h.collection(d, k, "hash", func() datatypes.Value { return datatypes.NewHash() }, func(v datatypes.Value, e *refEntry) {
			v.(*datatypes.Hash).Set(datatypes.DefaultLimits(), []byte(f), []byte(val))
			e.fields[f] = val
		})
	}},
	{"HashDelete", func(h *storeHarness, p picker, d int) {
		k, f := refKey(p.intn(refKeys)), "f"+strconv.Itoa(p.intn(40))
		h.logf("db%d HashDelete %s %s", d, short(k), f)
		h.removeFrom(d, k, "hash", func(v datatypes.Value) {
			v.(*datatypes.Hash).Delete([]byte(f))
		}, f)
	}},
	{"Append", func(h *storeHarness, p picker, d int) {
		k, more := refKey(p.intn(refKeys)), h.value(pickSize(p)/4)
		h.logf("db%d Append %s len %d", d, short(k), len(more))
		db := h.tk.DB(d)
		h.touched = append(h.touched, k)
		if !h.live(d, k) {
			db.Set([]byte(k), str(more))
			h.m[d][k] = refEntry{kind: "string", val: more}
			return
		}
		e := h.m[d][k]
		if e.kind != "string" {
			return // WRONGTYPE
		}
		// As APPEND does: change the String and store it again, which a
		// short (copied) string needs and a long (object) one tolerates.
		v, _ := db.LookupWrite([]byte(k))
		s := v.(*datatypes.String)
		s.Append([]byte(more))
		db.SetKeepTTL([]byte(k), s)
		e.val += more
		h.m[d][k] = e
	}},
	{"Insert", func(h *storeHarness, p picker, d int) {
		// As a snapshot load does, for a key not stored at all.
		k, v, at := refKey(p.intn(refKeys)), h.value(pickSize(p)), h.pickAt(p)
		db := h.tk.DB(d)
		if stored, _ := db.Stored([]byte(k)); stored {
			return
		}
		h.logf("db%d Insert %s len %d at %+d", d, short(k), len(v), at-h.tk.Now())
		db.Insert([]byte(k), str(v), at)
		h.m[d][k] = refEntry{kind: "string", val: v, at: at}
		h.touched = append(h.touched, k)
	}},
	{"LookupString", func(h *storeHarness, p picker, d int) {
		k := refKey(p.intn(refKeys))
		h.logf("db%d LookupString %s", d, short(k))
		got, _, found, isString := h.tk.DB(d).LookupString([]byte(k))
		live := h.live(d, k)
		e := h.m[d][k]
		if found != live || isString != (live && e.kind == "string") || (isString && string(got) != e.val) {
			h.fatalf("LookupString(%s) = %d bytes, %v, %v; model %v %+v", short(k), len(got), found, isString, live, e)
		}
	}},
	{"advance", func(h *storeHarness, p picker, d int) {
		ms := p.intn(20)
		h.logf("advance %dms", ms)
		h.tk.advance(time.Duration(ms) * time.Millisecond)
	}},
	{"ExpireStep", func(h *storeHarness, p picker, d int) {
		n := p.intn(8)
		h.logf("db%d ExpireStep %d", d, n)
		h.tk.DB(d).ExpireStep(n)
	}},
	{"RandomKey", func(h *storeHarness, p picker, d int) {
		h.logf("db%d RandomKey", d)
		k, ok := h.tk.DB(d).RandomKey()
		if ok && !h.live(d, k) {
			h.fatalf("RandomKey returned %s, not live", short(k))
		}
		if !ok {
			for k := range h.m[d] {
				if h.live(d, k) {
					h.fatalf("RandomKey found nothing, %s is live", short(k))
				}
			}
		}
	}},
	{"Scan", func(h *storeHarness, p picker, d int) {
		count := 1 + p.intn(10)
		h.logf("db%d Scan count %d", d, count)
		seen := map[string]int{}
		db := h.tk.DB(d)
		for c := uint64(0); ; {
			c = db.Scan(c, count, func(k string) { seen[k]++ })
			if c == 0 {
				break
			}
		}
		for k := range h.m[d] {
			if h.live(d, k) && seen[k] != 1 {
				h.fatalf("a walk without changes returned %s %d times", short(k), seen[k])
			}
		}
	}},
}

// collection changes the set or hash at k in place, as SADD and HSET do:
// a new one is stored first, an existing one looked up for writing.
func (h *storeHarness) collection(d int, k, kind string, newValue func() datatypes.Value, change func(datatypes.Value, *refEntry)) {
	db := h.tk.DB(d)
	h.touched = append(h.touched, k)
	var v datatypes.Value
	e := h.m[d][k]
	switch {
	case !h.live(d, k):
		v = newValue()
		db.Set([]byte(k), v)
		e = refEntry{kind: kind}
	case e.kind != kind:
		return // WRONGTYPE
	default:
		v, _ = db.LookupWrite([]byte(k))
	}
	e.fields = maps.Clone(e.fields)
	if e.fields == nil {
		e.fields = map[string]string{}
	}
	change(v, &e)
	h.m[d][k] = e
}

// removeFrom removes a member or field, deleting the key once it is
// empty, as SREM and HDEL do.
func (h *storeHarness) removeFrom(d int, k, kind string, remove func(datatypes.Value), name string) {
	db := h.tk.DB(d)
	h.touched = append(h.touched, k)
	if !h.live(d, k) || h.m[d][k].kind != kind {
		return
	}
	v, _ := db.LookupWrite([]byte(k))
	remove(v)
	e := h.m[d][k]
	e.fields = maps.Clone(e.fields)
	delete(e.fields, name)
	h.m[d][k] = e
	if len(e.fields) == 0 {
		db.Delete([]byte(k))
		delete(h.m[d], k)
	}
}

// step runs one operation chosen by p and checks the touched keys in
// both databases, and both databases' invariants.
func (h *storeHarness) step(p picker) {
	h.t.Helper()
	h.steps++
	op := storeOps[p.intn(len(storeOps))]
	d := p.intn(2)
	h.touched = h.touched[:0]
	op.fn(h, p, d)
	// Now and then several operations make one command, as in LMOVE or
	// SMOVE: values changed in place are written back only at its end,
	// and lookups before then must see the changed ones.
	if p.intn(4) != 0 {
		h.endCommand()
	}
	for d := range 2 {
		for _, k := range h.touched {
			h.checkKey(d, k)
		}
		checkInvariants(h.t, h.tk.DB(d))
		checkStore(h.t, h.tk.DB(d))
	}
}

// checkStore checks what checkInvariants does not: every entry is found
// through the index, not just through find's hint; every slot of a slab
// class is either a live record or on the class's free list, once; every
// big record, and every object, belongs to one live record or is on its
// free list. A leak or a double free shows here.
func checkStore(t testing.TB, db *DB) {
	t.Helper()
	st, sl := db.st, db.st.slab
	used := map[uint64]bool{}
	objs := map[uint32]bool{}
	perClass := make([]int, len(classSizes))
	for p := range uint32(st.len()) {
		loc := st.entry(p).loc
		if used[loc] {
			t.Fatalf("db%d: two entries share the record at %#x", db.index, loc)
		}
		used[loc] = true
		if ci := loc >> 56; ci != bigClass {
			perClass[ci]++
		}
		// Through the index itself: find may answer from its hint.
		key := st.key(p)
		if q, ok := st.index.find(st.tag(key), func(q uint32) bool { return string(st.key(q)) == string(key) }); !ok || q != p {
			t.Fatalf("db%d: the index has %q at %d (%v), the entries at %d", db.index, short(string(key)), q, ok, p)
		}
		if o, ok := objectOf(st.record(p)); ok {
			if objs[o] || int(o) >= len(st.objs) || st.objs[o] == nil {
				t.Fatalf("db%d: object %d of %q shared, out of range or nil", db.index, o, short(string(st.key(p))))
			}
			objs[o] = true
		}
	}
	freeObjs := map[uint32]bool{}
	for _, o := range st.objFree {
		if st.objs[o] != nil || freeObjs[o] {
			t.Fatalf("db%d: free object %d in use or listed twice", db.index, o)
		}
		freeObjs[o] = true
	}
	if len(objs)+len(freeObjs) != len(st.objs) {
		t.Fatalf("db%d: %d objects, %d used and %d free", db.index, len(st.objs), len(objs), len(freeObjs))
	}
	// Objects are measured when stored and when the command that changed
	// them ends: with none waiting, the sizes are those of now.
	if len(st.touched) == 0 {
		sum := 0
		for i, v := range st.objs {
			n := 0
			if v != nil {
				n = v.MemoryUsage()
			}
			if st.objSize[i] != n {
				t.Fatalf("db%d: object %d (%T) measured %d bytes, holds %d", db.index, i, v, st.objSize[i], n)
			}
			sum += n
		}
		if sum != st.objBytes {
			t.Fatalf("db%d: objects counted %d bytes, hold %d", db.index, st.objBytes, sum)
		}
	}
	for ci := range sl.classes {
		c := &sl.classes[ci]
		size := int(classSizes[ci])
		carved := 0
		if n := len(c.pages); n > 0 {
			carved = (n-1)*(arena.PageSize/size) + c.next/size
		}
		free := 0
		for loc := c.free; loc != noLoc; loc = binary.LittleEndian.Uint64(sl.slot(loc)) {
			if int(loc>>56) != ci || used[loc] {
				t.Fatalf("db%d: class %d free list holds %#x, in use or of another class", db.index, ci, loc)
			}
			if free++; free > carved {
				t.Fatalf("db%d: class %d free list longer than its %d slots", db.index, ci, carved)
			}
		}
		if perClass[ci]+free != carved || free != c.nfree {
			t.Fatalf("db%d: class %d: %d slots, %d records and %d free (counted %d)", db.index, ci, carved, perClass[ci], free, c.nfree)
		}
	}
	freeBigs := map[uint32]bool{}
	for _, i := range sl.bigFree {
		if sl.bigs[i] != nil || freeBigs[i] {
			t.Fatalf("db%d: free big record %d in use or listed twice", db.index, i)
		}
		freeBigs[i] = true
	}
	bigs, usedBytes := 0, 0
	for ci, n := range perClass {
		usedBytes += n * int(classSizes[ci])
	}
	for i, r := range sl.bigs {
		if r == nil {
			continue
		}
		bigs++
		usedBytes += datatypes.AllocSize(len(r))
		if !used[bigClass<<56|uint64(i)<<16] {
			t.Fatalf("db%d: big record %d belongs to no entry", db.index, i)
		}
	}
	if bigs+len(freeBigs) != len(sl.bigs) {
		t.Fatalf("db%d: %d big records, %d free of %d", db.index, bigs, len(freeBigs), len(sl.bigs))
	}
	if sl.used != usedBytes {
		t.Fatalf("db%d: slab counts %d bytes used, its records take %d", db.index, sl.used, usedBytes)
	}
}

// endCommand ends the unit of work, as the dispatcher does after each
// command: values a command changed in place are written back then.
func (h *storeHarness) endCommand() {
	h.logf("end of command")
	h.tk.Unlock()
	h.tk.Lock()
	h.tk.effects = h.tk.effects[:0]
}

// checkKey compares a key in db d with the model, through Lookup and
// ExpireAt.
func (h *storeHarness) checkKey(d int, k string) {
	h.t.Helper()
	db := h.tk.DB(d)
	v, ok := db.Lookup([]byte(k))
	at, _ := db.ExpireAt([]byte(k))
	live := h.live(d, k)
	if ok != live {
		h.fatalf("db%d Lookup(%s) found %v, model %v", d, short(k), ok, live)
	}
	if !ok {
		return
	}
	if got, want := refRender(v, at), h.m[d][k].render(); got != want {
		h.fatalf("db%d %s holds %.80q (%d bytes), model %.80q (%d bytes)", d, short(k), got, len(got), want, len(want))
	}
}

// checkAll compares the whole contents of both databases, as ForEach
// passes them, with the model.
func (h *storeHarness) checkAll() {
	h.t.Helper()
	h.endCommand()
	for d := range 2 {
		db := h.tk.DB(d)
		got := map[string]string{}
		var keys []string
		vals := map[string]datatypes.Value{}
		db.ForEach(func(k string, v datatypes.Value) {
			keys = append(keys, k)
			vals[k] = v
		})
		if len(vals) != len(keys) {
			h.fatalf("db%d: ForEach passed a key twice", d)
		}
		// ExpireAt after the walk: fn must not touch the database.
		for _, k := range keys {
			at, _ := db.ExpireAt([]byte(k))
			got[k] = refRender(vals[k], at)
		}
		want := map[string]string{}
		for k, e := range h.m[d] {
			if h.live(d, k) {
				want[k] = e.render()
			}
		}
		if !maps.Equal(got, want) {
			for k := range want {
				if got[k] != want[k] {
					h.fatalf("db%d: %s holds %.80q, model %.80q", d, short(k), got[k], want[k])
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					h.fatalf("db%d: %s holds %.80q, not in the model", d, short(k), got[k])
				}
			}
		}
		checkInvariants(h.t, db)
	}
}

// TestStoreAgainstModel runs random operations of every kind on two
// databases and a model of each: strings inline and as objects, growing
// and shrinking across slab classes, long keys in big records, lists,
// expiry times set, changed, removed and reached, renames, moves, flushes
// and swaps.
func TestStoreAgainstModel(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			h := newStoreHarness(t)
			p := randPicker{rand.New(rand.NewPCG(seed, 42))}
			for range 4000 {
				h.step(p)
				if h.steps%10 == 0 {
					h.checkAll()
				}
			}
			h.checkAll()
		})
	}
}

// arenaBytes is the memory a store holds in arena pages and big records,
// objects aside.
func arenaBytes(st *store) int {
	n := st.index.bytes() + st.entries.bytes() + st.volatile.bytes()
	for i := range st.slab.classes {
		n += len(st.slab.classes[i].pages) * arena.PageSize
	}
	for _, b := range st.slab.bigs {
		n += len(b)
	}
	return n
}

// TestStoreChurnFragmentation deletes 90% of 200,000 keys and writes them
// again, three times: the slab's free lists, the entries' pages and the
// index must take the new writes without growing past 1.3 times what
// the keys first took.
func TestStoreChurnFragmentation(t *testing.T) {
	tk := newTestKeyspace(1)
	tk.Lock()
	defer func() { tk.Unlock(); tk.stores.releaseAll() }()
	db := tk.DB(0)
	r := rand.New(rand.NewPCG(5, 5))
	const n = 200_000
	keys := make([][]byte, n)
	// Values of 0..120 bytes spread the records over a dozen classes; a
	// third of the keys have an expiry time, for the volatile index.
	write := func(i int) {
		v := datatypes.NewString(make([]byte, r.IntN(121)))
		var at int64
		if i%3 == 0 {
			at = tk.Now() + 3_600_000
		}
		db.SetWithExpire(keys[i], v, at)
	}
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
		write(i)
	}
	before := arenaBytes(db.st)
	for round := range 3 {
		perm := r.Perm(n)[:n*9/10]
		for _, i := range perm {
			db.Delete(keys[i])
		}
		if db.Len() != n/10 {
			t.Fatalf("%d keys after deleting 90%%", db.Len())
		}
		for _, i := range perm {
			write(i)
		}
		after := arenaBytes(db.st)
		t.Logf("round %d: %d bytes, %.3fx", round, after, float64(after)/float64(before))
		if float64(after) > 1.3*float64(before) {
			t.Fatalf("round %d: %d bytes after churn, %d before", round, after, before)
		}
	}
	if db.Len() != n {
		t.Fatalf("%d keys", db.Len())
	}
	checkInvariants(t, db)
	checkStore(t, db)
}

// TestScanGuaranteeUnderGrowth walks a SCAN with a small COUNT while, between
// calls, many keys are inserted (splitting index segments and adding
// entry pages) and others deleted (moving entries and giving pages
// back): every key present for the whole walk must be returned.
func TestScanGuaranteeUnderGrowth(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 9))
			tk := newTestKeyspace(1)
			tk.Lock()
			defer func() { tk.Unlock(); tk.stores.releaseAll() }()
			db := tk.DB(0)
			stable := map[string]bool{}
			var churn []string
			next := 0
			newChurn := func() {
				k := "churn:" + strconv.Itoa(next)
				next++
				db.Set([]byte(k), str("v"))
				churn = append(churn, k)
			}
			// Stable and churning keys mixed, so that deletions move
			// entries over stable ones not yet returned.
			for i := range 20_000 {
				if r.IntN(2) == 0 {
					newChurn()
					continue
				}
				k := "stable:" + strconv.Itoa(i)
				db.Set([]byte(k), str("v"))
				stable[k] = true
			}
			segs, pages := db.st.index.segments, len(db.st.entries.pages)
			maxSegs, maxPages, minPages := segs, pages, pages
			seen := map[string]bool{}
			count := 5 + r.IntN(20)
			grow := true
			for c := uint64(0); ; {
				c = db.Scan(c, count, func(k string) {
					if !stable[k] && !strings.HasPrefix(k, "churn:") {
						t.Fatalf("Scan returned %q, never stored", k)
					}
					seen[k] = true
				})
				if c == 0 {
					break
				}
				// Phases of growth and shrinkage, so that the cursor
				// also falls past the end.
				if r.IntN(8) == 0 {
					grow = !grow
				}
				for range r.IntN(300) {
					if grow || len(churn) == 0 {
						newChurn()
						continue
					}
					i := r.IntN(len(churn))
					db.Delete([]byte(churn[i]))
					churn[i] = churn[len(churn)-1]
					churn = churn[:len(churn)-1]
				}
				maxSegs = max(maxSegs, db.st.index.segments)
				pages = len(db.st.entries.pages)
				maxPages, minPages = max(maxPages, pages), min(minPages, pages)
			}
			checkInvariants(t, db)
			checkStore(t, db)
			for k := range stable {
				if !seen[k] {
					t.Fatalf("%q, present for the whole walk, was not returned", k)
				}
			}
			t.Logf("COUNT %d: index %d -> %d segments, entry pages %d..%d", count, segs, maxSegs, minPages, maxPages)
			if maxSegs == segs || maxPages == minPages {
				t.Fatalf("the walk saw no split (%d segments) or no change of entry pages", maxSegs)
			}
		})
	}
}

// TestReserveThenInsert loads keys as a snapshot does: after Reserve the
// index takes them all without a split.
func TestReserveThenInsert(t *testing.T) {
	for _, n := range []int{10, 20_000, 100_000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			tk := newTestKeyspace(1)
			tk.Lock()
			defer func() { tk.Unlock(); tk.stores.releaseAll() }()
			db := tk.DB(0)
			db.Reserve(n)
			segs := db.st.index.segments
			for i := range n {
				db.Insert([]byte("k"+strconv.Itoa(i)), str("v"), 0)
			}
			if db.st.index.segments != segs {
				t.Fatalf("%d segments after loading, %d reserved", db.st.index.segments, segs)
			}
			if db.Len() != n {
				t.Fatalf("%d keys", db.Len())
			}
		})
	}
}

// TestStoreReleaseGivesPagesBack checks that a flushed database's pages,
// records of every kind included, go back to the arena.
func TestStoreReleaseGivesPagesBack(t *testing.T) {
	before := settleArena()
	tk := newTestKeyspace(2)
	tk.Lock()
	for i := range 20_000 {
		k := []byte(strconv.Itoa(i) + strings.Repeat("x", i%50))
		tk.DB(i%2).SetWithExpire(k, str(strings.Repeat("v", i%3000)), int64(i%2)*(tk.Now()+10_000))
	}
	if arena.InUse() == before {
		t.Fatal("no pages taken")
	}
	tk.FlushAll()
	tk.Unlock()
	if got := arena.InUse(); got != before {
		t.Fatalf("arena holds %d bytes after FLUSHALL, %d before", got, before)
	}
}

// TestObjectValueWithExpiry stores values kept as objects (long strings,
// long lists) with an expiry time, under keys whose records fall at
// different places in the slab: the record must have room for the object
// number after the time.
func TestObjectValueWithExpiry(t *testing.T) {
	longList := func() datatypes.Value {
		l := datatypes.NewList(datatypes.DefaultLimits())
		for range 300 {
			l.PushBack([]byte("0123456789abcdef"))
		}
		return l
	}
	values := []struct {
		name string
		v    func() datatypes.Value
	}{
		{"string", func() datatypes.Value { return str(strings.Repeat("v", MaxInlineString+1)) }},
		{"list", longList},
	}
	for _, keyLen := range []int{1, 3, 4090, 5000} {
		for _, val := range values {
			t.Run(fmt.Sprintf("%s/key%d", val.name, keyLen), func(t *testing.T) {
				tk := newTestKeyspace(1)
				tk.Lock()
				defer func() { tk.Unlock(); tk.stores.releaseAll() }()
				db := tk.DB(0)
				k := []byte(strings.Repeat("k", keyLen))
				v := val.v()
				at := tk.Now() + 1000
				db.SetWithExpire(k, v, at)
				got, ok := db.Lookup(k)
				gotAt, _ := db.ExpireAt(k)
				if !ok || refRender(got, gotAt) != refRender(v, at) {
					t.Fatalf("stored %.40q, got %.40q", refRender(v, at), refRender(got, gotAt))
				}
				checkInvariants(t, db)
			})
		}
	}
}

// BenchmarkPageBoundaryChurn adds and deletes one key where that takes
// the entries or the volatile index across a page boundary: a page is
// given back as soon as it empties and taken again, cleared, by the next
// add (a madvise and page faults each time before the arena kept idle
// pages: 60 µs a cycle against 0.15). Compare "inside a page", which
// crosses none.
func BenchmarkPageBoundaryChurn(b *testing.B) {
	perPage := arena.PageSize / 16 // entries of 16 bytes
	for _, bc := range []struct {
		name   string
		others int
		ttl    bool
	}{
		{"inside a page", 1, false},
		{"entries 0-1", 0, false},
		{"entries at a page end", perPage, false},
		{"volatile 0-1", 1, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tk := newTestKeyspace(1)
			tk.Lock()
			defer func() { tk.Unlock(); tk.stores.releaseAll() }()
			db := tk.DB(0)
			for i := range bc.others {
				db.Set([]byte("k"+strconv.Itoa(i)), str("v"))
			}
			var at int64
			if bc.ttl {
				at = tk.Now() + 30_000
			}
			for b.Loop() {
				db.SetWithExpire([]byte("lock"), str("v"), at)
				db.Delete([]byte("lock"))
			}
		})
	}
}

// TestShrinkSlab: after most keys of two size classes are deleted, the
// slab gives the pages back, moving the records left, which stay intact
// and found.
func TestShrinkSlab(t *testing.T) {
	tk := newTestKeyspace(1)
	tk.Lock()
	defer tk.Unlock()
	db := tk.DB(0)
	r := rand.New(rand.NewPCG(3, 4))
	want := map[string]string{}
	for i := range 100_000 {
		k := fmt.Sprintf("key:%d", i)
		v := strings.Repeat(string(rune('a'+i%26)), []int{20, 200, 3000}[i%3])
		at := int64(0)
		if i%2 == 0 {
			at = tk.Now() + 3600_000
		}
		db.SetWithExpire([]byte(k), str(v), at)
		want[k] = v
	}
	for k := range want {
		if r.IntN(10) != 0 {
			db.Delete([]byte(k))
			delete(want, k)
		}
	}
	slabPages := func() int {
		n := 0
		for i := range db.st.slab.classes {
			n += len(db.st.slab.classes[i].pages)
		}
		return n
	}
	before, used := slabPages(), db.st.slab.used
	if !db.st.shrinkSlab(time.Now().Add(time.Minute)) {
		t.Fatal("shrinkSlab ran out of time")
	}
	after := slabPages()
	t.Logf("slab pages: %d before, %d after", before, after)
	if after > before/4 {
		t.Errorf("slab pages: %d before, %d after; want a quarter at most", before, after)
	}
	if db.st.slab.used != used {
		t.Errorf("the slab's used bytes went from %d to %d", used, db.st.slab.used)
	}
	for i := range db.st.slab.classes {
		if db.st.slab.sparse(i) {
			t.Errorf("class %d still sparse", i)
		}
	}
	checkInvariants(t, db)
	checkStore(t, db)
	for k, v := range want {
		got, ok := db.Lookup([]byte(k))
		if !ok || string(got.(*datatypes.String).Bytes()) != v {
			t.Fatalf("%s: %v %v after shrinking", k, ok, got)
		}
	}
	if db.Len() != len(want) {
		t.Errorf("%d keys, want %d", db.Len(), len(want))
	}
}
