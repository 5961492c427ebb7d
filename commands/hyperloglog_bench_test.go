package commands

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/cairn-db/cairn/keyspace"
)

// BenchmarkHyperLogLog measures PFADD and PFCOUNT through the dispatcher,
// without the network, on sparse and dense HLLs. Each case cycles through
// 2^16 requests, the keyspace made again (setup, not timed) before each
// round, so that new elements stay new.
func BenchmarkHyperLogLog(b *testing.B) {
	for _, bc := range []struct {
		name  string
		setup func(exec func(...string))
		args  func(i int) []string
	}{
		// Each key takes 500 new elements, staying sparse (about 1 KB),
		// then the next key is used.
		{"PFADD/sparse", nil, func(i int) []string {
			return []string{"PFADD", "s:" + strconv.Itoa(i/500), "e" + strconv.Itoa(i)}
		}},
		// New elements to a dense HLL of 100000: one in six or so
		// changes a register.
		{"PFADD/dense", fillHLL("d", 100000), func(i int) []string {
			return []string{"PFADD", "d", "new:" + strconv.Itoa(i)}
		}},
		// The cached cardinality.
		{"PFCOUNT/sparse", fillHLL("s", 1000), func(int) []string { return []string{"PFCOUNT", "s"} }},
		{"PFCOUNT/dense", fillHLL("d", 100000), func(int) []string { return []string{"PFCOUNT", "d"} }},
		// The cardinality computed: a PFADD that changes the HLL (an
		// element not seen since the setup; when it changes nothing,
		// the count is cached), then PFCOUNT.
		{"PFADD+PFCOUNT/dense", fillHLL("d", 100000), func(i int) []string {
			if i%2 == 0 {
				return []string{"PFADD", "d", "new:" + strconv.Itoa(i)}
			}
			return []string{"PFCOUNT", "d"}
		}},
		{"PFCOUNT/union", func(exec func(...string)) {
			fillHLL("d1", 100000)(exec)
			fillHLL("d2", 100000)(exec)
		}, func(int) []string { return []string{"PFCOUNT", "d1", "d2"} }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newTestEngine(keyspace.New(keyspace.Options{Databases: 16}))
			cl := NewClient("127.0.0.1:1", "127.0.0.1:6379", time.Now(), func() {})
			e.KS.Lock()
			defer e.KS.Unlock()
			if !e.Connect(cl) {
				b.Fatal("client refused")
			}
			exec := func(args ...string) { e.Exec(cl, bytesArgs(args)); cl.W.Reset() }
			reqs := make([][][]byte, 1<<16)
			for i := range reqs {
				reqs[i] = bytesArgs(bc.args(i))
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i%len(reqs) == 0 {
					b.StopTimer()
					e.EndBatch(cl)
					exec("FLUSHALL")
					if bc.setup != nil {
						bc.setup(exec)
					}
					b.StartTimer()
				}
				if i%16 == 0 {
					e.EndBatch(cl)
					cl.W.Reset()
					e.BeginBatch(cl)
				}
				e.Exec(cl, reqs[i%len(reqs)])
				i++
			}
			e.EndBatch(cl)
			if r := string(cl.W.Bytes()); len(r) > 0 && r[0] == '-' {
				b.Fatalf("reply %q", r)
			}
		})
	}
}

// fillHLL returns a setup that adds n elements to the HLL at key.
func fillHLL(key string, n int) func(exec func(...string)) {
	return func(exec func(...string)) {
		for i := 0; i < n; i += 1000 {
			args := []string{"PFADD", key}
			for j := i; j < min(i+1000, n); j++ {
				args = append(args, fmt.Sprint(j))
			}
			exec(args...)
		}
	}
}
