package commands

import (
	"fmt"
	"testing"
	"time"

	"github.com/cairn-db/cairn/keyspace"
)

// BenchmarkExec measures the dispatcher and handler cost of the commands
// redis-benchmark drives, without the network: the share of a request's
// cost that is cairn's own.
func BenchmarkExec(b *testing.B) {
	const keys = 10000
	for _, bc := range []struct {
		name string
		args func(i int) [][]byte
	}{
		{"SET", func(i int) [][]byte { return bytesArgs([]string{"SET", fmt.Sprint("key:", i%keys), "xxx"}) }},
		{"GET", func(i int) [][]byte { return bytesArgs([]string{"GET", fmt.Sprint("key:", i%keys)}) }},
		{"INCR", func(i int) [][]byte { return bytesArgs([]string{"INCR", "counter"}) }},
		{"LPUSH", func(i int) [][]byte { return bytesArgs([]string{"LPUSH", "list", "xxx"}) }},
		{"HSET", func(i int) [][]byte { return bytesArgs([]string{"HSET", "hash", fmt.Sprint("f", i%keys), "xxx"}) }},
		{"ZADD", func(i int) [][]byte {
			return bytesArgs([]string{"ZADD", "zset", fmt.Sprint(i % 997), fmt.Sprint("m", i%keys)})
		}},
		{"ZINCRBY", func(i int) [][]byte { return bytesArgs([]string{"ZINCRBY", "zi", "1", fmt.Sprint("m", i%1000)}) }},
		{"ZRANGE_100", func(i int) [][]byte { return bytesArgs([]string{"ZRANGE", "z1000", "0", "99", "WITHSCORES"}) }},
		{"PFADD", func(i int) [][]byte { return bytesArgs([]string{"PFADD", "hll", fmt.Sprint("element:", i)}) }},
		{"SETBIT", func(i int) [][]byte { return bytesArgs([]string{"SETBIT", "bits", "999999", "1"}) }},
		// The SHA1 of the script loaded below.
		{"EVALSHA", func(i int) [][]byte {
			return bytesArgs([]string{"EVALSHA", "8cd00688c05c46bde4a2e60658ef20a2e5c0b248", "1", "counter", "1"})
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newTestEngine(keyspace.New(keyspace.Options{Databases: 16}))
			cl := NewClient("127.0.0.1:1", "127.0.0.1:6379", time.Now(), func() {})
			e.KS.Lock()
			defer e.KS.Unlock()
			if !e.Connect(cl) {
				b.Fatal("client refused")
			}
			e.Exec(cl, bytesArgs([]string{"SCRIPT", "LOAD", "return redis.call('INCRBY', KEYS[1], ARGV[1])"}))
			for i := range keys {
				e.Exec(cl, bytesArgs([]string{"SET", fmt.Sprint("key:", i), "xxx"}))
			}
			for i := range 1000 {
				e.Exec(cl, bytesArgs([]string{"ZADD", "z1000", fmt.Sprint(i * 7 % 1000), fmt.Sprint("member:", i)}))
			}
			// A dense HLL, as PFADD makes it after a few thousand elements.
			for i := range 5000 {
				e.Exec(cl, bytesArgs([]string{"PFADD", "hll", fmt.Sprint("seed:", i)}))
			}
			// Build the requests beforehand: the server gets fresh
			// argument slices from redcon for every command.
			reqs := make([][][]byte, 4096)
			for i := range reqs {
				reqs[i] = bc.args(i)
			}
			cl.W.Reset()
			b.ReportAllocs()
			// Batches of 16, as redis-benchmark -P 16 sends them.
			i := 0
			for b.Loop() {
				if i%16 == 0 {
					e.EndBatch(cl)
					cl.W.Reset()
					e.BeginBatch(cl)
				}
				e.Exec(cl, reqs[i%len(reqs)])
				i++
			}
			e.EndBatch(cl)
		})
	}
}

// BenchmarkACLCheck measures what the permission check adds to GET and
// SET for a user restricted by keys and categories, against the default
// user (who may run everything and is not checked further).
func BenchmarkACLCheck(b *testing.B) {
	for _, bc := range []struct {
		name  string
		rules []string
	}{
		{"default", nil},
		{"restricted", []string{"on", "nopass", "~key:*", "%R~other:*", "+@all", "-@dangerous"}},
	} {
		for _, cmd := range []string{"GET", "SET"} {
			b.Run(bc.name+"/"+cmd, func(b *testing.B) {
				e := newTestEngine(keyspace.New(keyspace.Options{Databases: 16}))
				cl := NewClient("127.0.0.1:1", "127.0.0.1:6379", time.Now(), func() {})
				e.KS.Lock()
				defer e.KS.Unlock()
				e.Connect(cl)
				if bc.rules != nil {
					u, _, err := e.ACL.SetUser("u", bc.rules)
					if err != nil {
						b.Fatal(err)
					}
					cl.User = u
				}
				reqs := make([][][]byte, 4096)
				for i := range reqs {
					reqs[i] = bytesArgs([]string{cmd, fmt.Sprint("key:", i%1000), "xxx"}[:map[string]int{"GET": 2, "SET": 3}[cmd]])
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					cl.W.Reset()
					e.Exec(cl, reqs[i%len(reqs)])
				}
			})
		}
	}
}
