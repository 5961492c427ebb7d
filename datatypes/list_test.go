package datatypes

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// fills covers each kind of node limit: entry counts (tiny, to get many
// nodes), and byte sizes.
var fills = []int{0, 1, 2, 3, 5, 128, -1, -2, -5}

func newListOf(fill int, items ...string) *List {
	l := NewList(Limits{ListMaxListpackSize: fill})
	for _, it := range items {
		l.PushBack([]byte(it))
	}
	return l
}

func listItems(l *List) []string {
	out := []string{}
	for _, v := range l.Forward(0) {
		out = append(out, string(v))
	}
	return out
}

// checkList verifies the node invariants and that l holds want, read
// forwards, backwards and by index.
func checkList(t *testing.T, l *List, want []string) {
	t.Helper()
	total := 0
	for i := range int(l.cnt) {
		nd := l.node(i)
		if nd.n == 0 {
			t.Fatalf("node %d of %d is empty", i, l.cnt)
		}
		if !l.fits(nd.size(), nd.n) {
			t.Fatalf("node %d: %d entries, %d bytes, past fill %d", i, nd.n, nd.size(), l.fill)
		}
		entries := 0
		for p := nd.off; p < len(nd.buf); entries++ {
			_, p = entryAt(nd.buf, p)
		}
		if entries != nd.n {
			t.Fatalf("node %d counts %d, holds %d", i, nd.n, entries)
		}
		total += nd.n
	}
	if m, slow := l.MemoryUsage(), listMemorySlow(l); m != slow {
		t.Fatalf("MemoryUsage %d, recounted %d", m, slow)
	}
	if total != l.n || l.Len() != len(want) {
		t.Fatalf("Len %d, nodes hold %d, want %d", l.Len(), total, len(want))
	}
	if got := listItems(l); !slices.Equal(got, want) {
		t.Fatalf("forward %q, want %q", got, want)
	}
	var back []string
	for i, v := range l.Backward(l.Len() - 1) {
		if i != l.Len()-1-len(back) {
			t.Fatalf("backward index %d", i)
		}
		back = append(back, string(v))
	}
	slices.Reverse(back)
	if len(want) > 0 && !slices.Equal(back, want) {
		t.Fatalf("backward %q, want %q", back, want)
	}
	for i := range want {
		if v, ok := l.Index(i); !ok || string(v) != want[i] {
			t.Fatalf("Index(%d) = %q", i, v)
		}
		if v, ok := l.Index(i - len(want)); !ok || string(v) != want[i] {
			t.Fatalf("Index(%d) = %q", i-len(want), v)
		}
	}
}

func TestListEncoding(t *testing.T) {
	for _, n := range []int{1, 1000} {
		l := NewList(DefaultLimits())
		for range n {
			l.PushBack([]byte("a"))
		}
		if l.Encoding() != "quicklist" || l.Type() != "list" {
			t.Fatalf("%d elements: %s %s", n, l.Type(), l.Encoding())
		}
	}
}

func TestListPushPop(t *testing.T) {
	for _, fill := range fills {
		l := NewList(Limits{ListMaxListpackSize: fill})
		var model []string
		for i := range 300 {
			v := fmt.Sprint(i)
			if i%3 == 0 {
				l.PushFront([]byte(v))
				model = slices.Insert(model, 0, v)
			} else {
				l.PushBack([]byte(v))
				model = append(model, v)
			}
		}
		checkList(t, l, model)
		front := l.PopFrontN(10)
		back := l.PopBackN(10)
		for i := range 10 {
			if string(front[i]) != model[i] || string(back[i]) != model[len(model)-1-i] {
				t.Fatalf("fill %d: pop %d: %q %q", fill, i, front[i], back[i])
			}
		}
		model = model[10 : len(model)-10]
		checkList(t, l, model)
		if got := l.PopFrontN(1000); len(got) != len(model) || l.Len() != 0 {
			t.Fatalf("fill %d: drained %d of %d", fill, len(got), len(model))
		}
		if _, ok := l.PopBack(); ok {
			t.Fatalf("fill %d: pop of empty list", fill)
		}
		checkList(t, l, nil)
	}
}

func TestListBigElements(t *testing.T) {
	big := strings.Repeat("x", 10000)
	for _, fill := range fills {
		l := newListOf(fill, "a", big, "b")
		l.PushFront([]byte(big))
		l.Set(1, []byte(big))
		l.Insert([]byte("b"), []byte(big), false)
		checkList(t, l, []string{big, big, big, big, "b"})
	}
}

func TestListRange(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	tests := []struct {
		start, stop int
		want        []string
	}{
		{0, -1, items},
		{0, 0, []string{"a"}},
		{1, 3, []string{"b", "c", "d"}},
		{-2, -1, []string{"d", "e"}},
		{-100, 1, []string{"a", "b"}},
		{3, 100, []string{"d", "e"}},
		{3, 1, nil},
		{5, 10, nil},
		{-1, -2, nil},
		{0, -6, nil},
		{math.MinInt, math.MaxInt, items},
	}
	for _, fill := range fills {
		l := newListOf(fill, items...)
		for _, tt := range tests {
			var got []string
			l.Range(tt.start, tt.stop, func(v []byte) bool {
				got = append(got, string(v))
				return true
			})
			if !slices.Equal(got, tt.want) || l.RangeLen(tt.start, tt.stop) != len(tt.want) {
				t.Errorf("fill %d: Range(%d, %d) = %q, want %q", fill, tt.start, tt.stop, got, tt.want)
			}
			trimmed := l.Clone().(*List)
			trimmed.Trim(tt.start, tt.stop)
			checkList(t, trimmed, append([]string{}, tt.want...))
		}
	}
}

func TestListIndexSet(t *testing.T) {
	for _, fill := range fills {
		l := newListOf(fill, "a", "b", "c")
		for _, i := range []int{3, -4, math.MaxInt, math.MinInt} {
			if _, ok := l.Index(i); ok {
				t.Errorf("Index(%d) in range", i)
			}
			if l.Set(i, []byte("x")) {
				t.Errorf("Set(%d) in range", i)
			}
		}
		if !l.Set(-1, []byte("C")) || !l.Set(0, []byte("")) {
			t.Fatal("Set in range failed")
		}
		checkList(t, l, []string{"", "b", "C"})
	}
}

func TestListInsert(t *testing.T) {
	tests := []struct {
		pivot string
		after bool
		want  []string
		n     int
	}{
		{"a", false, []string{"x", "a", "b", "a"}, 4},
		{"a", true, []string{"a", "x", "b", "a"}, 4},
		{"b", true, []string{"a", "b", "x", "a"}, 4},
		{"zz", true, []string{"a", "b", "a"}, -1},
	}
	for _, fill := range fills {
		for _, tt := range tests {
			l := newListOf(fill, "a", "b", "a")
			if n := l.Insert([]byte(tt.pivot), []byte("x"), tt.after); n != tt.n {
				t.Errorf("fill %d: Insert(%s, %v) = %d, want %d", fill, tt.pivot, tt.after, n, tt.n)
			}
			checkList(t, l, tt.want)
		}
	}
}

func TestListRemove(t *testing.T) {
	items := []string{"a", "b", "a", "c", "a", "a"}
	tests := []struct {
		count int
		want  []string
		n     int
	}{
		{0, []string{"b", "c"}, 4},
		{1, []string{"b", "a", "c", "a", "a"}, 1},
		{2, []string{"b", "c", "a", "a"}, 2},
		{-1, []string{"a", "b", "a", "c", "a"}, 1},
		{-3, []string{"a", "b", "c"}, 3},
		{100, []string{"b", "c"}, 4},
		{math.MinInt, []string{"b", "c"}, 4},
	}
	for _, fill := range fills {
		for _, tt := range tests {
			l := newListOf(fill, items...)
			if n := l.Remove(tt.count, []byte("a")); n != tt.n {
				t.Errorf("fill %d: Remove(%d) = %d, want %d", fill, tt.count, n, tt.n)
			}
			checkList(t, l, tt.want)
		}
	}
}

func TestListPos(t *testing.T) {
	items := []string{"a", "b", "c", "1", "2", "3", "c", "c"}
	tests := []struct {
		v                   string
		rank, count, maxlen int
		want                []int
	}{
		{"c", 1, 1, 0, []int{2}},
		{"c", 1, 0, 0, []int{2, 6, 7}},
		{"c", 2, 0, 0, []int{6, 7}},
		{"c", -1, 1, 0, []int{7}},
		{"c", -1, 0, 0, []int{7, 6, 2}},
		{"c", -2, 2, 0, []int{6, 2}},
		{"c", 1, 0, 3, []int{2}},
		{"c", 1, 0, 2, nil},
		{"c", -1, 0, 2, []int{7, 6}},
		{"c", 4, 0, 0, nil},
		{"z", 1, 0, 0, nil},
		{"c", math.MinInt + 1, 0, 0, nil},
		{"c", math.MaxInt, 0, 0, nil},
	}
	for _, fill := range fills {
		l := newListOf(fill, items...)
		for _, tt := range tests {
			if got := l.Pos([]byte(tt.v), tt.rank, tt.count, tt.maxlen); !slices.Equal(got, tt.want) {
				t.Errorf("fill %d: Pos(%s, rank %d, count %d, maxlen %d) = %v, want %v",
					fill, tt.v, tt.rank, tt.count, tt.maxlen, got, tt.want)
			}
		}
	}
}

func TestListCloneAndMemory(t *testing.T) {
	l := newListOf(-2, "a", "b")
	c := l.Clone().(*List)
	l.PushBack([]byte("c"))
	l.Set(0, []byte("z"))
	checkList(t, c, []string{"a", "b"})
	if l.MemoryUsage() <= 0 || c.MemoryUsage() <= 0 {
		t.Fatal("no memory usage")
	}
	big := NewList(DefaultLimits())
	for range 10000 {
		big.PushBack(bytes.Repeat([]byte("x"), 100))
	}
	if m := big.MemoryUsage(); m < 10000*100 || m > 10000*100*2 {
		t.Fatalf("MemoryUsage %d for 1 MB of elements", m)
	}
}

// FuzzList applies random operations to a List and to a slice, and checks
// every result and, at the end of each operation, the whole contents and
// the node invariants.
func FuzzList(f *testing.F) {
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Add([]byte("\x03\x10\x20\x30\x41\x52\x63\x74\x85\x96\xa7\xb8\xc9\xda\xeb\xfc\x11\x21\x31"))
	f.Add([]byte("\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x4e\x4e\x4e\x1a\x1a"))
	f.Fuzz(listOps)
}

// TestListOps runs FuzzList's checks on fixed pseudo-random inputs.
func TestListOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		ops := make([]byte, 1+rng.IntN(400))
		for i := range ops {
			ops[i] = byte(rng.Uint32())
		}
		listOps(t, ops)
	}
}

// listOps interprets ops: the first byte chooses the fill, each next one
// an operation and its arguments.
func listOps(t *testing.T, ops []byte) {
	if len(ops) == 0 {
		return
	}
	{
		fill := fills[int(ops[0])%len(fills)]
		if fill < 0 {
			// Keep byte-limited nodes small enough to fill up: -1 means
			// 4 KiB, so use big elements for it.
			fill = -1
		}
		l := NewList(Limits{ListMaxListpackSize: fill})
		var model []string
		elem := func(b byte, i int) string {
			s := fmt.Sprint(b >> 5)
			if fill < 0 && i%3 == 0 {
				s += strings.Repeat("x", 900+i)
			}
			return s
		}
		for i, op := range ops[1:] {
			v := elem(op, i)
			arg := int(op>>4) - 8
			switch op % 14 {
			case 0, 1:
				l.PushBack([]byte(v))
				model = append(model, v)
			case 2, 3:
				l.PushFront([]byte(v))
				model = slices.Insert(model, 0, v)
			case 4:
				got, ok := l.PopFront()
				if ok != (len(model) > 0) || ok && string(got) != model[0] {
					t.Fatalf("PopFront = %q %v", got, ok)
				}
				if ok {
					model = model[1:]
				}
			case 5:
				got, ok := l.PopBack()
				if ok != (len(model) > 0) || ok && string(got) != model[len(model)-1] {
					t.Fatalf("PopBack = %q %v", got, ok)
				}
				if ok {
					model = model[:len(model)-1]
				}
			case 6:
				got, ok := l.Index(arg)
				j := arg
				if j < 0 {
					j += len(model)
				}
				if inRange := j >= 0 && j < len(model); ok != inRange || ok && string(got) != model[j] {
					t.Fatalf("Index(%d) = %q %v", arg, got, ok)
				}
			case 7:
				ok := l.Set(arg, []byte(v))
				j := arg
				if j < 0 {
					j += len(model)
				}
				if inRange := j >= 0 && j < len(model); ok != inRange {
					t.Fatalf("Set(%d) = %v", arg, ok)
				}
				if ok {
					model[j] = v
				}
			case 8, 9:
				pivot := elem(op<<3, 0)
				after := op%14 == 9
				n := l.Insert([]byte(pivot), []byte(v), after)
				j := slices.Index(model, pivot)
				if j < 0 {
					if n != -1 {
						t.Fatalf("Insert(%s) = %d, want -1", pivot, n)
					}
					break
				}
				if after {
					j++
				}
				model = slices.Insert(model, j, v)
				if n != len(model) {
					t.Fatalf("Insert = %d, want %d", n, len(model))
				}
			case 10:
				count := arg / 2
				n := l.Remove(count, []byte(v))
				want := 0
				var kept []string
				if count >= 0 {
					for _, x := range model {
						if x == v && (count == 0 || want < count) {
							want++
							continue
						}
						kept = append(kept, x)
					}
				} else {
					for k := len(model) - 1; k >= 0; k-- {
						if model[k] == v && want < -count {
							want++
							continue
						}
						kept = append(kept, model[k])
					}
					slices.Reverse(kept)
				}
				if n != want {
					t.Fatalf("Remove(%d, %s) = %d, want %d", count, v, n, want)
				}
				model = kept
			case 11:
				start, stop := arg, int(op&7)-4
				l.Trim(start, stop)
				s, e := start, stop
				if s < 0 {
					s += len(model)
				}
				if e < 0 {
					e += len(model)
				}
				s = max(s, 0)
				if s > e || s >= len(model) {
					model = nil
				} else {
					model = model[s:min(e+1, len(model))]
				}
			case 12:
				rank := arg
				if rank == 0 {
					rank = 1
				}
				got := l.Pos([]byte(v), rank, int(op&3), int(op&12))
				if want := modelPos(model, v, rank, int(op&3), int(op&12)); !slices.Equal(got, want) {
					t.Fatalf("Pos(%s, %d) = %v, want %v", v, rank, got, want)
				}
			case 13:
				c := l.Clone().(*List)
				checkList(t, c, model)
			}
			checkList(t, l, model)
		}
	}
}

func modelPos(model []string, v string, rank, count, maxlen int) []int {
	var out []int
	skip := max(rank, -rank) - 1
	for k := range model {
		if maxlen > 0 && k >= maxlen {
			break
		}
		j := k
		if rank < 0 {
			j = len(model) - 1 - k
		}
		if model[j] != v {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, j)
		if count > 0 && len(out) == count {
			break
		}
	}
	return out
}
