package commands

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cairn-db/cairn/resp"
)

// TestOutputOrder runs a client's batches against another goroutine that
// pushes messages to it, as PUBLISH does, both under one lock standing
// for the keyspace lock, and checks that the socket gets every byte once,
// in the order the lock saw them made, whoever wrote them.
func TestOutputOrder(t *testing.T) {
	var (
		ks      sync.Mutex // the keyspace lock
		want    bytes.Buffer
		running bool
		w       resp.Writer

		gotMu sync.Mutex
		got   bytes.Buffer
	)
	var o Output
	o.SetWriter(func(b []byte) error {
		gotMu.Lock()
		got.Write(b)
		gotMu.Unlock()
		time.Sleep(20 * time.Microsecond) // a slow socket
		return nil
	})
	const pushes, batches = 3000, 1000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range pushes {
			ks.Lock()
			msg := fmt.Appendf(nil, "p%d;", i)
			want.Write(msg)
			if running {
				w.Raw(msg)
			} else {
				o.push(msg)
			}
			ks.Unlock()
		}
	}()
	for j := range batches {
		ks.Lock()
		o.Claim(&w)
		running = true
		reply := fmt.Appendf(nil, "r%d;", j)
		want.Write(reply)
		w.Raw(reply)
		running = false
		ks.Unlock()
		o.Send(func() error {
			gotMu.Lock()
			got.Write(w.Bytes())
			gotMu.Unlock()
			return nil
		})
		w.Reset()
		o.Release()
	}
	<-done
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		gotMu.Lock()
		n := got.Len()
		gotMu.Unlock()
		if n >= want.Len() || time.Now().After(deadline) {
			break
		}
	}
	gotMu.Lock()
	defer gotMu.Unlock()
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("the socket got %d bytes out of order or lost; want %d", got.Len(), want.Len())
	}
}
