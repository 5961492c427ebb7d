package commands

import (
	"math"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/resp"
)

// evictState is the engine's side of maxmemory, as Redis's
// performEvictions keeps it. Guarded by the keyspace lock.
type evictState struct {
	// running is set while eviction goes on in the background after a
	// command's time limit (Redis's isEvictionProcRunning): the server's
	// evictor calls EvictMore until it is done.
	running bool
	// wake tells the evictor that running was set.
	wake chan struct{}
	// exceededSince is when memory went over the limit without eviction
	// bringing it back since, zero if it is within the limit;
	// exceededTotal sums the past such periods (INFO stats).
	exceededSince time.Time
	exceededTotal time.Duration
	// scriptOOM is whether memory was over the limit, with nothing to
	// evict, when the running EVAL, EVALSHA or EXEC began: a script's
	// first write is refused then (Redis's server.script_oom).
	scriptOOM bool
}

type evictResult int

const (
	evictOK evictResult = iota
	// evictRunning: still over the limit, the background goes on.
	evictRunning
	// evictFail: over the limit with nothing the policy may evict.
	evictFail
)

// applyEviction passes the eviction settings to the keyspace, when the
// engine starts and after CONFIG SET. The caller holds the keyspace lock.
func (e *Engine) applyEviction(cfg *config.Config) {
	p, _ := keyspace.ParsePolicy(cfg.MaxMemoryPolicy)
	e.KS.SetEviction(keyspace.Eviction{Policy: p, Samples: cfg.MaxMemorySamples,
		LFULogFactor: cfg.LFULogFactor, LFUDecayMinutes: cfg.LFUDecayTime})
}

// EvictionWake is signalled when eviction is to go on in the background:
// the server then calls EvictMore until it reports false.
func (e *Engine) EvictionWake() <-chan struct{} { return e.evict.wake }

// EvictMore evicts for one command's time limit and reports whether there
// is more to do, as Redis's evictionTimeProc. The caller holds the
// keyspace lock.
func (e *Engine) EvictMore() bool {
	defer e.flushBroadcasts()
	if e.performEvictions(e.Config.Load()) == evictRunning {
		return true
	}
	e.evict.running = false
	return false
}

// performEvictions brings memory back within maxmemory by evicting keys,
// for at most the time maxmemory-eviction-tenacity allows, as Redis's
// performEvictions: past it, the background goes on (evictRunning) and
// the command runs. The caller holds the keyspace lock.
func (e *Engine) performEvictions(cfg *config.Config) evictResult {
	r := e.evictToLimit(cfg)
	ev := &e.evict
	switch {
	case r == evictOK && !ev.exceededSince.IsZero():
		ev.exceededTotal += time.Since(ev.exceededSince)
		ev.exceededSince = time.Time{}
	case r != evictOK && ev.exceededSince.IsZero():
		ev.exceededSince = time.Now()
	}
	return r
}

func (e *Engine) evictToLimit(cfg *config.Config) evictResult {
	if cfg.MaxMemory == 0 || !e.safeToEvict() {
		return evictOK
	}
	used := e.usedMemory()
	if used <= cfg.MaxMemory {
		return evictOK
	}
	// Under noeviction EvictOne takes nothing: evictFail.
	limit := evictionTimeLimit(cfg.MaxMemoryEvictionTenacity)
	start := time.Now()
	// The latency monitor's eviction-cycle is this pass, eviction-del
	// one key's eviction (its choice and its deletion) in it.
	timing := latencyOn(cfg)
	if timing {
		defer func() { e.latencySample(cfg, "eviction-cycle", time.Since(start)) }()
	}
	toFree := used - cfg.MaxMemory
	var freed int64
	for keys := 1; freed < toFree; keys++ {
		var t0 time.Time
		if timing {
			t0 = time.Now()
		}
		n, ok := e.KS.EvictOne()
		if !ok {
			return evictFail
		}
		if timing {
			e.latencySample(cfg, "eviction-del", time.Since(t0))
		}
		freed += int64(n)
		if keys%16 == 0 && time.Since(start) > limit {
			if !e.evict.running {
				e.evict.running = true
				select {
				case e.evict.wake <- struct{}{}:
				default:
				}
			}
			break
		}
	}
	if e.evict.running {
		return evictRunning
	}
	return evictOK
}

// safeToEvict is false while the data loads and during CLIENT PAUSE, when
// Redis does not evict either (isSafeToPerformEvictions).
func (e *Engine) safeToEvict() bool {
	if e.Persist != nil && e.Persist.Loading() {
		return false
	}
	return e.pause.mode == pauseOff || time.Now().UnixMilli() > e.pause.end
}

// evictionTimeLimit is how long one command may spend evicting, from
// maxmemory-eviction-tenacity, as Redis's evictionTimeLimitUs: 50µs a
// step up to 10, then 15% more a step, no limit at 100.
func evictionTimeLimit(tenacity int) time.Duration {
	switch {
	case tenacity <= 10:
		return time.Duration(50*tenacity) * time.Microsecond
	case tenacity < 100:
		return time.Duration(500*math.Pow(1.15, float64(tenacity-10))) * time.Microsecond
	}
	return math.MaxInt64
}

// rejectForMemory evicts, if memory is over maxmemory, and refuses with
// OOM a command that may grow memory when nothing more can be evicted,
// as Redis's processCommand: commands flagged denyoom, EXEC of a
// transaction holding one, and, inside MULTI, every command but EXEC,
// DISCARD, QUIT and RESET (a queue may grow without end). It records for
// scripts and EXEC whether memory was out (evictState.scriptOOM).
func (e *Engine) rejectForMemory(cfg *config.Config, cl *Client, cmd *Command, flags Flag) bool {
	if cfg.MaxMemory == 0 || cl.replaying {
		e.evict.scriptOOM = false
		return false
	}
	outOfMemory := e.performEvictions(cfg) == evictFail
	reject := flags&FlagDenyOOM != 0 || cmd.Name == "exec" && cl.tx.multi && cl.tx.flags&FlagDenyOOM != 0
	if cl.tx.multi {
		switch cmd.Name {
		case "exec", "discard", "quit", "reset":
		default:
			reject = true
		}
	}
	if outOfMemory && reject {
		cmd.Stats.RejectedCalls++
		e.reject(cl, cmd, resp.ErrOOM)
		return true
	}
	switch cmd.Name {
	case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro", "exec":
		e.evict.scriptOOM = outOfMemory
	}
	return false
}

// scriptOOM reports whether a script's writes are refused for memory:
// maxmemory set and memory out when it began.
func (e *Engine) scriptOOM() bool {
	return e.evict.scriptOOM && e.Config.Load().MaxMemory > 0
}
