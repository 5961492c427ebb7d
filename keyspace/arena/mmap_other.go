//go:build !linux

package arena

// reserve falls back to the Go heap where cairn has no mmap path: the
// pages are then counted by the collector, but stay pointer-free.
func reserve(n int) []byte { return make([]byte, n) }

func release(b []byte) { clear(b) }
