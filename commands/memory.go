package commands

import (
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/keyspace/arena"
	"github.com/cairn-db/cairn/resp"
)

func memoryCommands() []*Command {
	return []*Command{
		{Name: "memory", Arity: -2, Group: "server", Since: "4.0.0", Complexity: "Depends on subcommand.",
			Summary: "A container for memory diagnostics commands",
			Subcommands: map[string]*Command{
				"help": {Arity: 2, Flags: FlagLoading | FlagStale,
					Group: "server", Since: "4.0.0", Complexity: "O(1)",
					Summary: "Show helpful text about the different subcommands", Run: memoryHelpCommand},
				"doctor": {Arity: 2, Group: "server", Since: "4.0.0", Complexity: "O(1)",
					Summary: "Outputs memory problems report", Run: memoryDoctorCommand},
				"malloc-stats": {Arity: 2, Group: "server", Since: "4.0.0",
					Complexity: "Depends on how much memory is allocated, could be slow",
					Summary:    "Show allocator internal stats", Run: memoryMallocStatsCommand},
				"purge": {Arity: 2, Group: "server", Since: "4.0.0",
					Complexity: "Depends on how much memory is allocated, could be slow",
					Summary:    "Ask the allocator to release memory", Run: memoryPurgeCommand},
				"stats": {Arity: 2, Group: "server", Since: "4.0.0", Complexity: "O(1)",
					Summary: "Show memory usage details", Run: memoryStatsCommand},
				"usage": {Arity: -3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, KeyFlags: KeyRO,
					Group: "server", Since: "4.0.0", Complexity: "O(N) where N is the number of samples.",
					Summary: "Estimate the memory usage of a key", Syntax: "key [SAMPLES count]",
					Run: memoryUsageCommand},
			}},
	}
}

// memoryUsageCommand reports what the key costs the keyspace (its record,
// entry and index slot) plus its value's own estimate. The estimate
// counts every element, so SAMPLES, which bounds how many elements Redis
// looks at, is checked and otherwise ignored.
func memoryUsageCommand(c *Ctx) {
	for j := 3; j < len(c.Args); j++ {
		if !tokenIs(c.Args[j], "samples") || j+1 >= len(c.Args) {
			c.W.Error(resp.ErrSyntax)
			return
		}
		j++
		n, ok := c.Int(j)
		if !ok {
			return
		}
		if n < 0 {
			c.W.Error(resp.ErrSyntax)
			return
		}
	}
	n, found := c.DB.MemoryUsage(c.Args[2])
	if !found {
		c.W.Null()
		return
	}
	c.W.Int(int64(n))
}

func memoryHelpCommand(c *Ctx) {
	c.Help(
		"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"DOCTOR",
		"    Return memory problems reports.",
		"MALLOC-STATS",
		"    Return internal statistics report from the memory allocator.",
		"PURGE",
		"    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS",
		"    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Every nested value is",
		"    counted: <count> is accepted for compatibility and otherwise ignored.",
		"HELP",
		"    Prints this help.",
	)
}

// usedMemory is used_memory: what the process holds for its data and its
// clients, as cairn counts it (docs/architecture.md, "Memory accounting
// and eviction"). The caller holds the keyspace lock.
func (e *Engine) usedMemory() int64 {
	return e.startupMemory + e.KS.UsedMemory() + e.clientsMemory() + e.scripts.memoryUsage()
}

// clientOverhead estimates what a connected client holds besides its
// buffers and transaction queue: its goroutine's stack, redcon's reader
// and its Client. 2,000 idle connections added 16 KB each to the
// resident set, 4 KiB of it their read buffers.
const clientOverhead = 12 << 10

// RefreshMemory takes the size of the clients' buffers (the server's
// count) and recounts what their transactions and the messages pushed to
// them but not yet written hold, and updates the peak
// of used_memory; the server's cron calls it. The caller holds the
// keyspace lock.
func (e *Engine) RefreshMemory(buffers int64) {
	var n, pushed, maxPushed int64
	for _, cl := range e.clients {
		n += int64(cl.tx.mem)
		p := int64(cl.Out.Pending())
		pushed += p
		maxPushed = max(maxPushed, p)
	}
	e.queuedMemory, e.bufferMemory = n, buffers+pushed
	e.maxOutput = maxPushed
	e.recountClients()
	e.peakMemory = max(e.peakMemory, e.usedMemory())
}

// clientsMemory is what the clients hold: mem_clients_normal.
func (e *Engine) clientsMemory() int64 {
	return int64(len(e.clients))*clientOverhead + e.bufferMemory + e.queuedMemory
}

// SetStartupMemory records the heap the server holds before it serves
// (used_memory_startup). The caller holds the keyspace lock.
func (e *Engine) SetStartupMemory(n int64) { e.startupMemory = n }

// memoryFigures are what INFO memory, MEMORY STATS and MEMORY DOCTOR
// report (Redis's getMemoryOverheadData), computed in one place so that
// the three agree.
type memoryFigures struct {
	used, peak, startup int64
	clients             int64 // mem_clients_normal
	scripts             int64 // the EVAL script cache
	functions           int64 // the function libraries
	// overhead is used_memory_overhead: the above and every database's
	// overhead.
	overhead int64
	// dbs are the databases holding keys, keys their count.
	dbs  []dbMemory
	keys int64
	// The allocators' view: the Go heap's and the arena's. allocated is
	// what allocations take, active the spans and pages holding them,
	// resident what the two keep mapped (Redis's jemalloc figures); rss
	// is the process's resident set.
	allocated, active, resident, rss int64
}

// dbMemory is the overhead of one database (MEMORY STATS's db.N).
type dbMemory struct {
	id            int
	main, expires int64
}

// memoryFigures counts the figures, raising the peak to used_memory as
// Redis's INFO does. The caller holds the keyspace lock.
func (e *Engine) memoryFigures() memoryFigures {
	f := memoryFigures{used: e.usedMemory(), startup: e.startupMemory, clients: e.clientsMemory(),
		scripts: e.scripts.evalMemory(), functions: e.scripts.functionsMemory()}
	e.peakMemory = max(e.peakMemory, f.used)
	f.peak = e.peakMemory
	f.overhead = f.startup + f.clients + f.scripts + f.functions
	for i := range e.KS.NumDBs() {
		db := e.KS.DB(i)
		main, expires := db.MemoryOverhead()
		f.overhead += main + expires
		if n := db.Len(); n > 0 {
			f.keys += int64(n)
			f.dbs = append(f.dbs, dbMemory{i, main, expires})
		}
	}
	heap := readMetrics("/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes",
		"/memory/classes/total:bytes", "/memory/classes/heap/released:bytes")
	arenaAllocated, arenaHeld := e.KS.ArenaMemory()
	f.allocated = heap[0] + arenaAllocated
	f.active = heap[0] + heap[1] + arenaHeld
	f.resident = heap[2] - heap[3] + arena.Resident()
	f.rss = residentMemory()
	return f
}

func (f *memoryFigures) dataset() int64 { return f.used - f.overhead }

// netUsage is what the server holds past what it held at start (at
// least 1, a divisor).
func (f *memoryFigures) netUsage() int64 { return max(f.used-f.startup, 1) }

func (f *memoryFigures) bytesPerKey() int64 {
	if f.keys == 0 {
		return 0
	}
	return f.netUsage() / f.keys
}

func (f *memoryFigures) datasetPerc() float32 { return 100 * ratio(f.dataset(), f.netUsage()) }
func (f *memoryFigures) peakPerc() float32    { return 100 * ratio(f.used, f.peak) }

// The fragmentation ratios, each with the bytes it stands for.
func (f *memoryFigures) allocatorFrag() float32 { return ratio(f.active, f.allocated) }
func (f *memoryFigures) allocatorRSS() float32  { return ratio(f.resident, f.active) }
func (f *memoryFigures) rssOverhead() float32   { return ratio(f.rss, f.resident) }
func (f *memoryFigures) fragmentation() float32 { return ratio(f.rss, f.used) }

// ratio is a/b in single precision, as Redis computes its ratios (a
// float reported as a double: MEMORY STATS shows 17 digits of it).
func ratio(a, b int64) float32 { return float32(a) / float32(max(b, 1)) }

// memoryStatsCommand is MEMORY STATS: Redis 7.0's map, in its order.
func memoryStatsCommand(c *Ctx) { writeMemoryStats(c.W, c.memoryFigures()) }

func writeMemoryStats(w *resp.Writer, f memoryFigures) {
	num := func(name string, n int64) { w.BulkString(name); w.Int(n) }
	dbl := func(name string, r float32) { w.BulkString(name); w.Double(float64(r)) }
	w.Map(27 + len(f.dbs))
	num("peak.allocated", f.peak)
	num("total.allocated", f.used)
	num("startup.allocated", f.startup)
	num("replication.backlog", 0)
	num("clients.slaves", 0)
	num("clients.normal", f.clients)
	num("cluster.links", 0)
	num("aof.buffer", 0) // the log's pending records are not in used_memory
	num("lua.caches", f.scripts)
	num("functions.caches", f.functions)
	for _, db := range f.dbs {
		w.BulkString("db." + strconv.Itoa(db.id))
		w.Map(3)
		num("overhead.hashtable.main", db.main)
		num("overhead.hashtable.expires", db.expires)
		num("overhead.hashtable.slot-to-keys", 0) // cluster mode only
	}
	num("overhead.total", f.overhead)
	num("keys.count", f.keys)
	num("keys.bytes-per-key", f.bytesPerKey())
	num("dataset.bytes", f.dataset())
	dbl("dataset.percentage", f.datasetPerc())
	dbl("peak.percentage", f.peakPerc())
	num("allocator.allocated", f.allocated)
	num("allocator.active", f.active)
	num("allocator.resident", f.resident)
	dbl("allocator-fragmentation.ratio", f.allocatorFrag())
	num("allocator-fragmentation.bytes", f.active-f.allocated)
	dbl("allocator-rss.ratio", f.allocatorRSS())
	num("allocator-rss.bytes", f.resident-f.active)
	dbl("rss-overhead.ratio", f.rssOverhead())
	num("rss-overhead.bytes", f.rss-f.resident)
	dbl("fragmentation", f.fragmentation())
	num("fragmentation.bytes", f.rss-f.used)
}

// memoryPurgeCommand is MEMORY PURGE: the Go runtime returns what it can
// to the kernel after a collection, and the arena its idle pages.
func memoryPurgeCommand(c *Ctx) {
	debug.FreeOSMemory()
	arena.Purge()
	c.W.OK()
}

// memoryMallocStatsCommand is MEMORY MALLOC-STATS. Redis gives jemalloc's
// report; cairn's allocators are Go's runtime and the keyspace's arena,
// so it reports theirs: the runtime's memory classes and the arena's
// pages, in bytes.
func memoryMallocStatsCommand(c *Ctx) {
	var samples []metrics.Sample
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, "/memory/classes/") {
			samples = append(samples, metrics.Sample{Name: d.Name})
		}
	}
	metrics.Read(samples)
	var b strings.Builder
	b.WriteString("Go runtime memory classes (runtime/metrics):\n")
	for _, s := range samples {
		name := strings.TrimSuffix(strings.TrimPrefix(s.Name, "/memory/classes/"), ":bytes")
		fmt.Fprintf(&b, "  %s: %d\n", name, s.Value.Uint64())
	}
	fmt.Fprintf(&b, "Keyspace arena pages:\n  in-use: %d\n  resident: %d\n", arena.InUse(), arena.Resident())
	c.W.Verbatim("txt", b.String())
}

// memoryDoctorCommand is MEMORY DOCTOR, with Redis's texts and
// thresholds for the checks cairn can make honestly. Left out: replica
// buffers (no replicas), and the allocator fragmentation and process RSS
// overhead checks, whose advice (activedefrag; Lua or modules outside
// the allocator) does not apply: cairn has no defragmenter, and its
// scripts live on the Go heap.
func memoryDoctorCommand(c *Ctx) {
	c.W.Verbatim("txt", doctorReport(c.memoryFigures(), len(c.clients), c.cachedScripts()))
}

// doctorReport is MEMORY DOCTOR's report on the figures, with the number
// of clients and of cached scripts.
func doctorReport(f memoryFigures, clients, scripts int) string {
	if f.used < 5<<20 {
		return "Hi Sam, this instance is empty or is using very little memory, " +
			"my issues detector can't be used in these conditions. " +
			"Please, leave for your mission on Earth and fill it with some data. " +
			"The new Sam and I will be back to our programming as soon as I " +
			"finished rebooting.\n"
	}
	var issues []string
	if ratio(f.peak, f.used) > 1.5 {
		issues = append(issues, doctorPeak)
	}
	if f.fragmentation() > 1.4 && f.rss-f.used > 10<<20 {
		issues = append(issues, doctorFragmentation)
	}
	if f.allocatorRSS() > 1.1 && f.resident-f.active > 10<<20 {
		issues = append(issues, doctorAllocatorRSS)
	}
	if f.clients/int64(max(clients, 1)) > 200<<10 {
		issues = append(issues, doctorClientBuffers)
	}
	if scripts > 1000 {
		issues = append(issues, doctorScripts)
	}
	if len(issues) == 0 {
		return "Hi Sam, I can't find any memory issue in your instance. " +
			"I can only account for what occurs on this base.\n"
	}
	return "Sam, I detected a few issues in this Redis instance memory implants:\n\n" +
		strings.Join(issues, "") + "I'm here to keep you safe, Sam. I want to help you.\n"
}

// MEMORY DOCTOR's issues, as Redis words them.
const (
	doctorPeak          = " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n"
	doctorFragmentation = " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is \"go\".\n\n"
	doctorAllocatorRSS  = " * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.\n\n"
	doctorClientBuffers = " * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n"
	doctorScripts       = " * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming most of your memory.\n\n"
)
