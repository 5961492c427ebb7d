// Command pubfan measures pub/sub fan-out: it subscribes N connections to
// one channel (or to a pattern matching it), publishes messages to it
// from one pipelining connection, and prints the messages delivered per
// second, from the first PUBLISH until every subscriber has read every
// message. Usage: pubfan -addr 127.0.0.1:6379 -subscribers 100 [-pattern]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	subscribers := flag.Int("subscribers", 1, "subscribed connections")
	pattern := flag.Bool("pattern", false, "subscribe to a pattern (PSUBSCRIBE f*) instead of the channel")
	deliveries := flag.Int("deliveries", 2_000_000, "messages to deliver in all (subscribers x messages)")
	size := flag.Int("size", 32, "message size in bytes")
	flag.Parse()

	const channel = "fanout"
	messages := max(*deliveries / *subscribers, 1000)
	payload := strings.Repeat("m", *size)
	var frame, confirm string
	if *pattern {
		frame = fmt.Sprintf("*4\r\n$8\r\npmessage\r\n$2\r\nf*\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(channel), channel, len(payload), payload)
		confirm = "*3\r\n$10\r\npsubscribe\r\n$2\r\nf*\r\n:1\r\n"
	} else {
		frame = fmt.Sprintf("*3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(channel), channel, len(payload), payload)
		confirm = fmt.Sprintf("*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n", len(channel), channel)
	}

	var ready, done sync.WaitGroup
	for range *subscribers {
		nc, err := net.Dial("tcp", *addr)
		if err != nil {
			log.Fatal(err)
		}
		if *pattern {
			fmt.Fprint(nc, "PSUBSCRIBE f*\r\n")
		} else {
			fmt.Fprintf(nc, "SUBSCRIBE %s\r\n", channel)
		}
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			r := bufio.NewReaderSize(nc, 64<<10)
			if _, err := io.CopyN(io.Discard, r, int64(len(confirm))); err != nil {
				log.Fatal(err)
			}
			ready.Done()
			// Every frame is the same size: count bytes, not frames.
			if _, err := io.CopyN(io.Discard, r, int64(messages*len(frame))); err != nil {
				log.Fatal(err)
			}
			nc.Close()
		}()
	}
	ready.Wait()

	pub, err := net.Dial("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	defer pub.Close()
	req := fmt.Sprintf("*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(channel), channel, len(payload), payload)
	reply := fmt.Sprintf(":%d\r\n", *subscribers)
	const pipeline = 64
	batch := []byte(strings.Repeat(req, pipeline))
	w := bufio.NewWriter(pub)
	r := bufio.NewReader(pub)
	start := time.Now()
	for sent := 0; sent < messages; {
		n := min(pipeline, messages-sent)
		w.Write(batch[:n*len(req)])
		w.Flush()
		// Read the replies of this batch before the next: the publisher
		// must not run ahead of the server without bound.
		if _, err := io.CopyN(io.Discard, r, int64(n*len(reply))); err != nil {
			log.Fatal(err)
		}
		sent += n
	}
	done.Wait()
	elapsed := time.Since(start)
	fmt.Printf("%.0f\n", float64(messages**subscribers)/elapsed.Seconds())
}
