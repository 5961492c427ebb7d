package commands

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/keyspace"
)

// BenchmarkBitmaps measures the bitmap commands over 1 MB strings through
// the dispatcher: BITCOUNT and BITPOS scan one, BITOP combines two into a
// third.
func BenchmarkBitmaps(b *testing.B) {
	const size = 1 << 20
	for _, bc := range []struct {
		name  string
		bytes int64
		args  []string
	}{
		{"BITCOUNT-1MB", size, []string{"BITCOUNT", "a"}},
		{"BITCOUNT-1MB-BIT-range", size, []string{"BITCOUNT", "a", "3", "-3", "BIT"}},
		{"BITPOS-1MB-zeros", size, []string{"BITPOS", "zeros", "1"}},
		{"BITOP-AND-2x1MB", 2 * size, []string{"BITOP", "AND", "dest", "a", "b"}},
		{"BITOP-XOR-2x1MB", 2 * size, []string{"BITOP", "XOR", "dest", "a", "b"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newTestEngine(keyspace.New(keyspace.Options{Databases: 1}))
			cl := NewClient("", "", time.Now(), func() {})
			cl.Authenticated = true
			r := rand.New(rand.NewPCG(1, 1))
			e.KS.Lock()
			defer e.KS.Unlock()
			for _, k := range []string{"a", "b"} {
				v := make([]byte, size)
				for i := range v {
					v[i] = byte(r.Uint32())
				}
				e.KS.DB(0).Set([]byte(k), datatypes.AdoptString(v))
			}
			e.KS.DB(0).Set([]byte("zeros"), datatypes.AdoptString(make([]byte, size)))
			args := bytesArgs(bc.args)
			b.SetBytes(bc.bytes)
			b.ReportAllocs()
			for b.Loop() {
				cl.W.Reset()
				e.Exec(cl, args)
			}
			if reply := cl.W.Bytes(); len(reply) == 0 || reply[0] != ':' {
				b.Fatalf("reply %q", reply)
			}
		})
	}
}
