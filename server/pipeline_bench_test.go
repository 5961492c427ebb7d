package server_test

import (
	"bufio"
	"fmt"
	"net"
	"sync"
	"testing"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
)

// BenchmarkPipeline measures a request's whole cost in the server, socket
// to socket: 50 connections each sending batches of 16 commands and
// reading their replies, as redis-benchmark -P 16 does. Profile it
// (-cpuprofile) to see where a request's time goes beyond the handler's.
func BenchmarkPipeline(b *testing.B) {
	for _, cmd := range []string{"SET", "GET"} {
		b.Run(cmd, func(b *testing.B) {
			srv := testutil.StartCairn(b, func(c *config.Config) { c.AppendOnly, c.Save = false, nil })
			const conns, depth = 50, 16
			batch := make([][]byte, conns)
			for i := range batch {
				for j := range depth {
					key := fmt.Sprintf("key:%06d", (i*depth+j)%100000)
					if cmd == "SET" {
						batch[i] = fmt.Appendf(batch[i], "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nxxx\r\n", len(key), key)
					} else {
						batch[i] = fmt.Appendf(batch[i], "*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", len(key), key)
					}
				}
			}
			ncs := make([]net.Conn, conns)
			for i := range ncs {
				nc, err := net.Dial("tcp", srv.Addr)
				if err != nil {
					b.Fatal(err)
				}
				defer nc.Close()
				ncs[i] = nc
			}
			b.ResetTimer()
			var wg sync.WaitGroup
			per := b.N/(conns*depth) + 1
			for i, nc := range ncs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := bufio.NewReader(nc)
					for range per {
						if _, err := nc.Write(batch[i]); err != nil {
							b.Error(err)
							return
						}
						for range depth {
							line, err := r.ReadSlice('\n')
							if err != nil {
								b.Error(err)
								return
							}
							// A bulk string ($3, not the null $-1) has its
							// data on a line of its own.
							if line[0] == '$' && line[1] != '-' {
								r.ReadSlice('\n')
							}
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}
