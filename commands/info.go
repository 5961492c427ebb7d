package commands

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cairn-db/cairn/acl"
	"github.com/cairn-db/cairn/internal/version"
	"github.com/cairn-db/cairn/keyspace/arena"
)

// INFO [section ...]: Redis's sections, in Redis's order, with Redis's
// field names. Fields with no counterpart in cairn are left out, or given
// the value that is true of cairn (no replicas, no forks, no AOF of
// Redis's kind); see each section.

// infoSection is one section of INFO: its name as the client asks for it,
// its heading, whether the default set includes it, and its fields.
type infoSection struct {
	name, title string
	inDefault   bool
	write       func(c *Ctx, b *infoBuilder)
}

func infoSections() []infoSection {
	return []infoSection{
		{"server", "Server", true, infoServer},
		{"clients", "Clients", true, infoClients},
		{"memory", "Memory", true, infoMemory},
		{"persistence", "Persistence", true, infoPersistence},
		{"stats", "Stats", true, infoStats},
		{"replication", "Replication", true, infoReplication},
		{"cpu", "CPU", true, infoCPU},
		{"modules", "Modules", true, func(*Ctx, *infoBuilder) {}},
		{"commandstats", "Commandstats", false, infoCommandstats},
		{"errorstats", "Errorstats", true, infoErrorstats},
		{"latencystats", "Latencystats", false, infoLatencystats},
		{"cluster", "Cluster", true, func(_ *Ctx, b *infoBuilder) { b.int("cluster_enabled", 0) }},
		{"keyspace", "Keyspace", true, infoKeyspace},
	}
}

// infoBuilder writes "field:value" lines ended by CRLF.
type infoBuilder struct{ bytes.Buffer }

func (b *infoBuilder) str(field, value string) {
	b.WriteString(field)
	b.WriteByte(':')
	b.WriteString(value)
	b.WriteString("\r\n")
}

func (b *infoBuilder) int(field string, n int64) { b.str(field, strconv.FormatInt(n, 10)) }

// infoCommand writes the sections asked for (any case; unknown names are
// ignored), or the default ones; "all" and "everything" ask for all. The
// sections come in Redis's order, separated by an empty line.
func infoCommand(c *Ctx) {
	want := map[string]bool{}
	all, def := false, len(c.Args) == 1
	for _, a := range c.Args[1:] {
		switch name := strings.ToLower(string(a)); name {
		case "all", "everything":
			all = true
		case "default":
			def = true
		default:
			want[name] = true
		}
	}
	var b infoBuilder
	for _, s := range infoSections() {
		if !all && !want[s.name] && !(def && s.inDefault) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + s.title + "\r\n")
		s.write(c, &b)
	}
	c.W.Verbatim("txt", b.String())
}

func infoServer(c *Ctx, b *infoBuilder) {
	now := time.Now()
	uptime := int64(now.Sub(c.Started) / time.Second)
	sha, dirty := buildRevision()
	b.str("redis_version", ServerVersion)
	b.str("cairn_version", version.Version)
	b.str("redis_git_sha1", sha)
	b.str("redis_git_dirty", dirty)
	b.str("redis_mode", "standalone")
	b.str("os", runtime.GOOS+" "+runtime.GOARCH)
	b.int("arch_bits", strconv.IntSize)
	b.str("gcc_version", "0.0.0")
	b.str("go_version", runtime.Version())
	b.int("process_id", int64(os.Getpid()))
	b.str("process_supervised", "no")
	b.str("run_id", c.runID)
	b.int("tcp_port", int64(c.tcpPort()))
	b.int("server_time_usec", now.UnixMicro())
	b.int("uptime_in_seconds", uptime)
	b.int("uptime_in_days", uptime/86400)
	hz := int64(c.Config.Load().Hz)
	b.int("hz", hz)
	b.int("configured_hz", hz)
	b.int("lru_clock", now.Unix()&lruClockMax)
	exe, _ := os.Executable()
	b.str("executable", exe)
	path := c.Config.Path()
	if path != "" {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
	}
	b.str("config_file", path)
	b.int("io_threads_active", 0)
}

// buildRevision is the VCS revision the binary was built from, as Redis's
// redis_git_sha1 (8 hex digits, zeros if unknown) and redis_git_dirty.
func buildRevision() (sha, dirty string) {
	sha, dirty = "00000000", "0"
	if rev, modified := version.Revision(); len(rev) >= 8 {
		sha = rev[:8]
		if modified {
			dirty = "1"
		}
	}
	return sha, dirty
}

// tcpPort is the port the server listens on: the one the calling client
// connected to, which is right even when the configured port is 0.
func (c *Ctx) tcpPort() int {
	if _, p, err := net.SplitHostPort(c.Client.LocalAddr); err == nil {
		if n, err := strconv.Atoi(p); err == nil {
			return n
		}
	}
	return c.Config.Load().Port
}

func infoClients(c *Ctx, b *infoBuilder) {
	b.int("connected_clients", int64(len(c.clients)))
	b.int("cluster_connections", 0)
	b.int("maxclients", int64(c.Config.Load().MaxClients))
	b.int("client_recent_max_output_buffer", c.maxOutput)
	blocked, inTimeoutTable := c.blockedClients()
	b.int("blocked_clients", blocked)
	b.int("tracking_clients", int64(c.track.clients))
	b.int("clients_in_timeout_table", inTimeoutTable)
}

// infoMemory reports cairn's accounting of its memory (memoryFigures)
// with Redis's field names.
func infoMemory(c *Ctx, b *infoBuilder) { writeInfoMemory(c, b, c.memoryFigures()) }

func writeInfoMemory(c *Ctx, b *infoBuilder, f memoryFigures) {
	cfg := c.Config.Load()
	perc := func(field string, p float32) { b.str(field, fmt.Sprintf("%.2f%%", p)) }
	twoPlaces := func(field string, r float32) { b.str(field, fmt.Sprintf("%.2f", r)) }
	b.int("used_memory", f.used)
	b.str("used_memory_human", bytesToHuman(f.used))
	b.int("used_memory_rss", f.rss)
	b.str("used_memory_rss_human", bytesToHuman(f.rss))
	b.int("used_memory_peak", f.peak)
	b.str("used_memory_peak_human", bytesToHuman(f.peak))
	perc("used_memory_peak_perc", f.peakPerc())
	b.int("used_memory_overhead", f.overhead)
	b.int("used_memory_startup", f.startup)
	b.int("used_memory_dataset", f.dataset())
	perc("used_memory_dataset_perc", f.datasetPerc())
	b.int("allocator_allocated", f.allocated)
	b.int("allocator_active", f.active)
	b.int("allocator_resident", f.resident)
	total := systemMemory()
	b.int("total_system_memory", total)
	b.str("total_system_memory_human", bytesToHuman(total))
	// In Redis's order: the script cache's count, the functions', then
	// their memory.
	b.int("number_of_cached_scripts", int64(c.cachedScripts()))
	libraries, functions, vm := c.functionCounts()
	b.int("number_of_functions", int64(functions))
	b.int("number_of_libraries", int64(libraries))
	b.int("used_memory_vm_functions", vm)
	b.int("used_memory_functions", f.functions)
	scripts := f.scripts + f.functions
	b.int("used_memory_scripts", scripts)
	b.str("used_memory_scripts_human", bytesToHuman(scripts))
	b.int("maxmemory", cfg.MaxMemory)
	b.str("maxmemory_human", bytesToHuman(cfg.MaxMemory))
	b.str("maxmemory_policy", cfg.MaxMemoryPolicy)
	twoPlaces("allocator_frag_ratio", f.allocatorFrag())
	b.int("allocator_frag_bytes", f.active-f.allocated)
	twoPlaces("allocator_rss_ratio", f.allocatorRSS())
	b.int("allocator_rss_bytes", f.resident-f.active)
	twoPlaces("rss_overhead_ratio", f.rssOverhead())
	b.int("rss_overhead_bytes", f.rss-f.resident)
	twoPlaces("mem_fragmentation_ratio", f.fragmentation())
	b.int("mem_fragmentation_bytes", f.rss-f.used)
	b.int("mem_not_counted_for_evict", 0)
	b.int("mem_clients_slaves", 0)
	b.int("mem_clients_normal", f.clients)
	b.int("mem_aof_buffer", 0)
	b.str("mem_allocator", "go")
	b.int("lazyfree_pending_objects", 0)
	// cairn's own: the CPU time the Go collector has taken since start.
	b.str("gc_cpu_seconds", fmt.Sprintf("%.3f", gcCPUSeconds()))
}

// readMetrics reads runtime metrics of kind uint64.
func readMetrics(names ...string) []int64 {
	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	metrics.Read(samples)
	out := make([]int64, len(names))
	for i, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			out[i] = int64(s.Value.Uint64())
		}
	}
	return out
}

// gcCPUSeconds is the CPU time spent in the Go collector since start.
func gcCPUSeconds() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return s[0].Value.Float64()
}

// systemMemory is the machine's memory, from /proc/meminfo; 0 if unknown.
func systemMemory() int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// residentMemory reads the resident set size from /proc/self/statm, or
// returns what the Go runtime holds where there is no such file.
func residentMemory() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if fields := strings.Fields(string(data)); err == nil && len(fields) >= 2 {
		if pages, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
			return pages * int64(os.Getpagesize())
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys) + arena.InUse()
}

// bytesToHuman formats a byte count as Redis's bytesToHuman.
func bytesToHuman(n int64) string {
	units := []string{"K", "M", "G", "T", "P"}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + "B"
	}
	d := float64(n)
	for _, u := range units {
		d /= 1024
		if d < 1024 || u == "P" {
			return fmt.Sprintf("%.2f%s", d, u)
		}
	}
	return ""
}

func infoStats(c *Ctx, b *infoBuilder) {
	b.int("total_connections_received", c.Stats.TotalConnections)
	b.int("total_commands_processed", c.Stats.TotalCommands)
	b.int("rejected_connections", c.Stats.RejectedConnections)
	b.int("expired_keys", c.KS.Stats.ExpiredKeys)
	b.int("evicted_keys", c.KS.Stats.EvictedKeys)
	b.int("evicted_clients", c.clientEvict.evicted)
	current := time.Duration(0)
	if since := c.evict.exceededSince; !since.IsZero() {
		current = time.Since(since)
	}
	b.int("total_eviction_exceeded_time", (c.evict.exceededTotal + current).Milliseconds())
	b.int("current_eviction_exceeded_time", current.Milliseconds())
	b.int("keyspace_hits", c.KS.Stats.KeyspaceHits)
	b.int("keyspace_misses", c.KS.Stats.KeyspaceMisses)
	b.int("pubsub_channels", int64(len(c.pubsub.channels)))
	b.int("pubsub_patterns", int64(len(c.pubsub.patterns)))
	b.int("pubsubshard_channels", int64(len(c.pubsub.shard)))
	b.int("latest_fork_usec", 0)
	b.int("total_forks", 0)
	keys, items, prefixes := c.trackingInfo()
	b.int("tracking_total_keys", keys)
	b.int("tracking_total_items", items)
	b.int("tracking_total_prefixes", prefixes)
	b.int("unexpected_error_replies", 0)
	b.int("total_error_replies", c.Stats.ErrorReplies)
	// Redis 7.2's counts of ACL denials, for dashboards.
	b.int("acl_access_denied_auth", c.ACLLog.Denied(acl.DeniedAuth))
	b.int("acl_access_denied_cmd", c.ACLLog.Denied(acl.DeniedCommand))
	b.int("acl_access_denied_key", c.ACLLog.Denied(acl.DeniedKey))
	b.int("acl_access_denied_channel", c.ACLLog.Denied(acl.DeniedChannel))
}

func infoReplication(c *Ctx, b *infoBuilder) {
	b.str("role", "master")
	b.int("connected_slaves", 0)
	b.str("master_failover_state", "no-failover")
	b.str("master_replid", c.replID)
	b.str("master_replid2", strings.Repeat("0", 40))
	b.int("master_repl_offset", 0)
	b.int("second_repl_offset", -1)
	b.int("repl_backlog_active", 0)
	b.int("repl_backlog_size", 1<<20)
	b.int("repl_backlog_first_byte_offset", 0)
	b.int("repl_backlog_histlen", 0)
}

func infoCPU(_ *Ctx, b *infoBuilder) {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	tv := func(t syscall.Timeval) string { return fmt.Sprintf("%d.%06d", t.Sec, t.Usec) }
	b.str("used_cpu_sys", tv(self.Stime))
	b.str("used_cpu_user", tv(self.Utime))
	b.str("used_cpu_sys_children", tv(children.Stime))
	b.str("used_cpu_user_children", tv(children.Utime))
}

// infoCommandstats lists every command and subcommand that was called or
// refused, by name.
func infoCommandstats(c *Ctx, b *infoBuilder) {
	for _, cmd := range c.commandsByName() {
		s := cmd.Stats
		if s.Calls == 0 && s.FailedCalls == 0 && s.RejectedCalls == 0 {
			continue
		}
		perCall := 0.0
		if s.Calls > 0 {
			perCall = float64(s.Usec) / float64(s.Calls)
		}
		b.str("cmdstat_"+cmd.Name, fmt.Sprintf("calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d",
			s.Calls, s.Usec, perCall, s.RejectedCalls, s.FailedCalls))
	}
}

func infoErrorstats(c *Ctx, b *infoBuilder) {
	codes := make([]string, 0, len(c.errorStats))
	for code := range c.errorStats {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		b.str("errorstat_"+code, "count="+strconv.FormatInt(c.errorStats[code], 10))
	}
}

// infoKeyspace lists the non-empty databases. avg_ttl is 0: Redis
// estimates it from the active expiry's samples, which cairn does not
// keep.
func infoKeyspace(c *Ctx, b *infoBuilder) {
	for i := range c.KS.NumDBs() {
		db := c.KS.DB(i)
		if db.Len() == 0 && db.VolatileLen() == 0 {
			continue
		}
		b.str("db"+strconv.Itoa(i), fmt.Sprintf("keys=%d,expires=%d,avg_ttl=0", db.Len(), db.VolatileLen()))
	}
}
