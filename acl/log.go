package acl

import (
	"sync"
	"time"
)

// Context is where a denied command was run, for the ACL log.
type Context int

// Contexts as ACL LOG names them.
const (
	TopLevel Context = iota
	Multi
	Lua
)

func (c Context) String() string { return [...]string{"toplevel", "multi", "lua"}[c] }

func (d Denial) String() string {
	switch d {
	case DeniedCommand:
		return "command"
	case DeniedKey:
		return "key"
	case DeniedChannel:
		return "channel"
	case DeniedAuth:
		return "auth"
	}
	return "unknown"
}

// Entry is one ACL LOG entry: a kind of denial and how often it happened.
type Entry struct {
	Count      int64
	Reason     Denial
	Context    Context
	Object     string
	Username   string
	Updated    time.Time
	ClientInfo string
}

// Log is the ACL log, newest first. It has its own lock: a client may be
// refused while a script holds the keyspace lock.
type Log struct {
	mu      sync.Mutex
	entries []*Entry
	// denied counts the denials by reason, for INFO.
	denied [DeniedChannel + 1]int64
}

// groupWithin is how close in time two denials must be to count as one
// entry (ACL_LOG_GROUPING_MAX_TIME_DELTA).
const groupWithin = 60 * time.Second

// Add records a denial, counting it in one of the 10 newest entries if it
// is the same denial, and keeps at most max entries (addACLLogEntry).
func (l *Log) Add(e Entry, max int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.denied[e.Reason]++
	e.Count = 1
	for i, old := range l.entries[:min(10, len(l.entries))] {
		d := e.Updated.Sub(old.Updated)
		if d < 0 {
			d = -d
		}
		if old.Reason != e.Reason || old.Context != e.Context || old.Object != e.Object ||
			old.Username != e.Username || d > groupWithin {
			continue
		}
		old.ClientInfo, old.Updated = e.ClientInfo, e.Updated
		old.Count++
		copy(l.entries[1:i+1], l.entries[:i])
		l.entries[0] = old
		return
	}
	l.entries = append([]*Entry{&e}, l.entries...)
	if len(l.entries) > max {
		l.entries = l.entries[:max]
	}
}

// Entries returns copies of the n newest entries.
func (l *Log) Entries(n int) []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Entry, 0, min(n, len(l.entries)))
	for _, e := range l.entries[:min(n, len(l.entries))] {
		out = append(out, *e)
	}
	return out
}

// Denied returns how many denials there were for reason since the last
// ResetCounts.
func (l *Log) Denied(reason Denial) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.denied[reason]
}

// ResetCounts zeroes the counts of denials (CONFIG RESETSTAT).
func (l *Log) ResetCounts() {
	l.mu.Lock()
	l.denied = [DeniedChannel + 1]int64{}
	l.mu.Unlock()
}

// Reset empties the log.
func (l *Log) Reset() {
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
}
