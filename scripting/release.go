package scripting

import (
	"runtime/debug"
	"sync"
)

// release returns the memory that flushed caches held to the OS. That
// takes a collection of the whole heap, as long as the server's data
// makes it (seconds for a few GB), so it runs in a goroutine of its own,
// which ends once no flush is waiting; Flush, whose caller holds the
// server's keyspace lock, does not wait for it. Flushes that come while
// it runs get one more collection, as what they dropped may have been
// marked live by the running one. The heap is the process's, so there is
// one for all runtimes.
var release releaser

type releaser struct {
	mu      sync.Mutex
	running bool
	again   bool
	// idle is closed when no release is running or due.
	idle chan struct{}
}

// request has the memory that is garbage now returned to the OS.
func (rl *releaser) request() {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.running {
		rl.again = true
		return
	}
	rl.running = true
	rl.idle = make(chan struct{})
	go rl.run()
}

func (rl *releaser) run() {
	for {
		debug.FreeOSMemory()
		rl.mu.Lock()
		if !rl.again {
			rl.running = false
			close(rl.idle)
			rl.mu.Unlock()
			return
		}
		rl.again = false
		rl.mu.Unlock()
	}
}

// wait returns once the releases requested so far are done.
func (rl *releaser) wait() {
	rl.mu.Lock()
	idle := rl.idle
	rl.mu.Unlock()
	if idle != nil {
		<-idle
	}
}
