// Command txbench measures MULTI/EXEC throughput, which redis-benchmark
// cannot: each client sends transactions of 10 commands (5 INCR and 5 SET
// on keys spread over a keyspace) one after the other, MULTI, the
// commands and EXEC in one write, and waits for the EXEC reply. It prints
// transactions per second, then commands per second (MULTI and EXEC not
// counted). bench/run.sh runs it against redis-server and cairn.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// txCommands is the number of commands in one transaction.
const txCommands = 10

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	clients := flag.Int("clients", 50, "concurrent connections")
	total := flag.Int("n", 100000, "total number of transactions")
	keys := flag.Int("keyspace", 10000, "keys per command kind")
	flag.Parse()
	if *clients < 1 || *total < 1 || *keys < 1 {
		fmt.Fprintln(os.Stderr, "txbench: -clients, -n and -keyspace must be positive")
		os.Exit(2)
	}
	elapsed, err := run(*addr, *clients, *total, *keys)
	if err != nil {
		fmt.Fprintln(os.Stderr, "txbench:", err)
		os.Exit(1)
	}
	tps := float64(*total) / elapsed.Seconds()
	fmt.Printf("%.2f transactions/s %.2f commands/s\n", tps, tps*txCommands)
}

// run connects the clients, then times them running total transactions
// between them. Connecting is not timed.
func run(addr string, clients, total, keys int) (time.Duration, error) {
	ctx := context.Background()
	conns := make([]*redis.Client, clients)
	for i := range conns {
		// One connection per client, as redis-benchmark has; RESP2 and no
		// CLIENT SETINFO, so that connecting sends nothing but PING.
		conns[i] = redis.NewClient(&redis.Options{
			Addr: addr, Protocol: 2, DisableIdentity: true,
			PoolSize: 1, PipelinePoolSize: -1,
		})
		defer conns[i].Close()
		if err := conns[i].Ping(ctx).Err(); err != nil {
			return 0, err
		}
	}
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i, rdb := range conns {
		// Spread the remainder over the first clients.
		n := total / clients
		if i < total%clients {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- transactions(ctx, rdb, n, keys)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return elapsed, nil
}

// transactions runs n transactions on rdb, each of 5 INCR and 5 SET on
// random keys, and fails on any error reply.
func transactions(ctx context.Context, rdb *redis.Client, n, keys int) error {
	for range n {
		_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for range txCommands / 2 {
				k := strconv.Itoa(rand.IntN(keys))
				p.Incr(ctx, "tx:counter:"+k)
				p.Set(ctx, "tx:value:"+k, "xxx", 0)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
