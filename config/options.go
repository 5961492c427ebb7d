package config

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-db/cairn/latency"
	"github.com/cairn-db/cairn/resp"
)

// option is one configuration option, named as in Redis.
type option struct {
	name    string
	alias   string // older Redis name still accepted, or ""
	def     string
	mutable bool // may change at run time through CONFIG SET
	// protected options are refused by CONFIG SET with Redis's "can't set
	// protected config" (Redis's enable-protected-configs is off).
	protected bool
	set       func(c *Config, v string) error
	get       func(c *Config) string
	// written, if set, is the value as CONFIG REWRITE writes it, when
	// that differs from CONFIG GET's (memory sizes keep their units).
	written func(c *Config) string
	// quoted options are strings, which Redis's CONFIG REWRITE writes in
	// quotes whatever they hold.
	quoted bool
	// group and desc are the option's section and one line about it, for
	// --help; config.yaml says more, under the same sections.
	group, desc string
}

// doc gives o its group and description.
func (o *option) doc(group, desc string) *option {
	o.group, o.desc = group, desc
	return o
}

// fileValue is the option's value as CONFIG REWRITE writes it.
func (o *option) fileValue(c *Config) string {
	if o.written != nil {
		return o.written(c)
	}
	return o.get(c)
}

func (o *option) names() []string {
	if o.alias == "" {
		return []string{o.name}
	}
	return []string{o.name, o.alias}
}

// options is every option, in the order CONFIG GET * lists them, each
// with its group and a line of description for --help (help.go).
// config.yaml at the repository root documents each one at length, under
// the same groups.
var options = []*option{
	// The default of redis.conf: both loopback addresses, the IPv6 one if
	// the machine has it.
	stringOpt("bind", "127.0.0.1 -::1", true, func(c *Config) *string { return &c.Bind }).
		doc(groupNetwork, "addresses to listen on: * every IPv4 one, ::* every IPv6 one, -ADDR one that may be missing"),
	intOpt("port", "6379", 0, 65535, true, func(c *Config) *int { return &c.Port }).
		doc(groupNetwork, "TCP port"),
	intOpt("databases", "16", 1, 1<<20, false, func(c *Config) *int { return &c.Databases }).
		doc(groupGeneral, "number of databases (SELECT 0 to databases-1)"),
	stringOpt("requirepass", "", true, func(c *Config) *string { return &c.RequirePass }).
		doc(groupSecurity, "password for AUTH and HELLO AUTH; empty: none"),
	boolOpt("protected-mode", "yes", true, func(c *Config) *bool { return &c.ProtectedMode }).
		doc(groupNetwork, "without a password, refuse clients from addresses other than the loopback ones"),
	// TLS (server/tls.go), with Redis's names and defaults; the files are
	// read again when CONFIG SET changes any of them.
	intOpt("tls-port", "0", 0, 65535, true, func(c *Config) *int { return &c.TLSPort }).
		doc(groupTLS, "TLS port, served beside the plain one; 0: no TLS"),
	stringOpt("tls-cert-file", "", true, func(c *Config) *string { return &c.TLSCertFile }).
		doc(groupTLS, "the server's certificate (PEM)"),
	stringOpt("tls-key-file", "", true, func(c *Config) *string { return &c.TLSKeyFile }).
		doc(groupTLS, "the server's private key (PEM, unencrypted)"),
	stringOpt("tls-ca-cert-file", "", true, func(c *Config) *string { return &c.TLSCACertFile }).
		doc(groupTLS, "CA certificates that sign clients' certificates (PEM)"),
	stringOpt("tls-ca-cert-dir", "", true, func(c *Config) *string { return &c.TLSCACertDir }).
		doc(groupTLS, "a directory of CA certificates that sign clients' certificates"),
	enumOpt("tls-auth-clients", "yes", true, []string{"no", "yes", "optional"}, func(c *Config) *string { return &c.TLSAuthClients }).
		doc(groupTLS, "whether clients must present a certificate: yes, no or optional"),
	stringOpt("tls-protocols", "", true, func(c *Config) *string { return &c.TLSProtocols }).
		doc(groupTLS, "protocol versions, a range of TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; empty: TLSv1.2 and TLSv1.3"),
	stringOpt("tls-ciphers", "", true, func(c *Config) *string { return &c.TLSCiphers }).
		doc(groupTLS, "cipher suites up to TLSv1.2, OpenSSL's names joined by colons; empty: Go's defaults"),
	stringOpt("tls-ciphersuites", "", true, func(c *Config) *string { return &c.TLSCipherSuites }).
		doc(groupTLS, "TLSv1.3 suites, OpenSSL's names joined by colons: Go offers all three, so it must list them"),
	intOpt("maxclients", "10000", 1, math.MaxUint32, true, func(c *Config) *int { return &c.MaxClients }).
		doc(groupClients, "most clients connected at once (within the open files limit)"),
	// Redis's bounds: 1 to IO_THREADS_MAX_NUM.
	intOpt("io-threads", "1", 1, 128, false, func(c *Config) *int { return &c.IOThreads }).
		doc(groupGeneral, "threads that run cairn's code, socket I/O included (GOMAXPROCS), 1 to 128"),
	secondsOpt("timeout", "0", true, func(c *Config) *time.Duration { return &c.Timeout }).
		doc(groupClients, "seconds a client may stay idle before it is closed; 0: forever"),
	memoryOpt("proto-max-bulk-len", "512mb", 1024*1024, math.MaxInt64, true, func(c *Config) *int64 { return &c.ProtoMaxBulkLen }).
		doc(groupClients, "largest bulk string a client may send, and largest string value"),
	intOpt("proto-max-multibulk-len", "2147483647", 1, 2147483647, true, func(c *Config) *int { return &c.ProtoMaxMultibulkLen }).
		doc(groupClients, "most arguments a client may announce in one command"),
	memoryOpt("client-query-buffer-limit", "1gb", 1024*1024, math.MaxInt64, true, func(c *Config) *int64 { return &c.ClientQueryBufferLimit }).
		doc(groupClients, "a client whose unparsed input grows past this is disconnected"),
	// The operator's view (commands/slowlog.go, commands/latency.go),
	// with Redis's ranges and defaults.
	intOpt("slowlog-log-slower-than", "10000", -1, math.MaxInt64, true, func(c *Config) *int { return &c.SlowlogLogSlowerThan }).
		doc(groupObservability, "microseconds a command runs to enter the slow log; -1: none, 0: every command"),
	intOpt("slowlog-max-len", "128", 0, math.MaxInt64, true, func(c *Config) *int { return &c.SlowlogMaxLen }).
		doc(groupObservability, "entries the slow log keeps"),
	intOpt("latency-monitor-threshold", "0", 0, math.MaxInt64, true, func(c *Config) *int { return &c.LatencyMonitorThreshold }).
		doc(groupObservability, "milliseconds an event takes to enter the latency monitor; 0: off"),
	boolOpt("latency-tracking", "yes", true, func(c *Config) *bool { return &c.LatencyTracking }).
		doc(groupObservability, "keep a latency histogram per command (LATENCY HISTOGRAM)"),
	percentilesOpt("latency-tracking-info-percentiles", "50 99 99.9", func(c *Config) *[]float64 { return &c.LatencyTrackingInfoPercentiles }).
		doc(groupObservability, "the percentiles INFO latencystats reports"),
	// Client-side caching: the most keys the tracking table remembers, 0
	// for no limit (Redis's range and default).
	intOpt("tracking-table-max-keys", "1000000", 0, math.MaxInt64, true, func(c *Config) *int { return &c.TrackingTableMaxKeys }).
		doc(groupClients, "most keys client-side caching remembers the readers of; 0: no limit"),
	// Redis accepts any hz and clamps it to 1..500.
	clampOpt(intOpt("hz", "10", 0, math.MaxInt32, true, func(c *Config) *int { return &c.Hz }), 1, 500).
		doc(groupGeneral, "background tasks (active expiry, idle clients) run this often a second, 1 to 500"),
	protectedOpt(absPathOpt(stringOpt("dir", "./data", false, func(c *Config) *string { return &c.Dir }))).
		doc(groupPersistence, "data directory: the Pebble database of the log and snapshots"),
	// Persistence (the persistence package; FORMAT.md). cairn persists by
	// default, unlike Redis: see config.yaml.
	boolOpt("appendonly", "yes", true, func(c *Config) *bool { return &c.AppendOnly }).
		doc(groupPersistence, "log every write, so that a restart or a crash loses nothing"),
	saveOpt("save", "3600 1 300 100 60 10000", func(c *Config) *[]SaveRule { return &c.Save }).
		doc(groupPersistence, "snapshot rules, \"SECONDS CHANGES\" pairs; \"\": none"),
	boolOpt("stop-writes-on-bgsave-error", "yes", true, func(c *Config) *bool { return &c.StopWritesOnBgsaveError }).
		doc(groupPersistence, "refuse writes with -MISCONF after a failed snapshot"),
	intOpt("auto-aof-rewrite-percentage", "100", 0, math.MaxInt32, true, func(c *Config) *int { return &c.AutoAOFRewritePercentage }).
		doc(groupPersistence, "snapshot once the log grows by this percentage of the last snapshot; 0: never"),
	memoryOpt("auto-aof-rewrite-min-size", "64mb", 0, math.MaxInt64, true, func(c *Config) *int64 { return &c.AutoAOFRewriteMinSize }).
		doc(groupPersistence, "...and is at least this large"),
	// Redis's file names, reported for the clients that read them
	// (redis-benchmark); cairn keeps everything in one Pebble database
	// under dir, so they name no file and cannot be changed.
	// dbfilename is protected in Redis (CONFIG SET refuses it as it
	// refuses dir), the AOF's names immutable.
	protectedOpt(fixedOpt("dbfilename", "dump.rdb", func(c *Config) *string { return &c.DBFilename })).
		doc(groupPersistence, "Redis's file name, reported only: cairn's files are under dir"),
	fixedOpt("appendfilename", "appendonly.aof", func(c *Config) *string { return &c.AppendFilename }).
		doc(groupPersistence, "Redis's file name, reported only"),
	fixedOpt("appenddirname", "appendonlydir", func(c *Config) *string { return &c.AppendDirname }).
		doc(groupPersistence, "Redis's directory name, reported only"),
	// Redis's order of the values, which its error message lists.
	enumOpt("appendfsync", "everysec", true, []string{"everysec", "always", "no"}, func(c *Config) *string { return &c.AppendFsync }).
		doc(groupPersistence, "when the log is synced: always, everysec or no"),
	levelOpt("loglevel", "notice", func(c *Config) *slog.Level { return &c.LogLevel }).
		doc(groupGeneral, "debug, verbose, notice or warning"),
	enumOpt("enable-debug-command", "no", false, []string{"no", "yes", "local"}, func(c *Config) *string { return &c.EnableDebugCommand }).
		doc(groupGeneral, "who may run DEBUG: no, yes or local (loopback clients)"),
	// The encoding thresholds of lists, sets and hashes, with Redis 7.0's
	// names (the ziplist ones as aliases), ranges and built-in defaults.
	aliasOpt(intOpt("list-max-listpack-size", "-2", math.MinInt32, math.MaxInt32, true, func(c *Config) *int { return &c.ListMaxListpackSize }), "list-max-ziplist-size").
		doc(groupEncodings, "entries of a list node, or -1 to -5 for 4 to 64 KiB"),
	intOpt("set-max-intset-entries", "512", 0, math.MaxInt64, true, func(c *Config) *int { return &c.SetMaxIntsetEntries }).
		doc(groupEncodings, "largest set of integers kept as an intset"),
	aliasOpt(intOpt("hash-max-listpack-entries", "512", 0, math.MaxInt64, true, func(c *Config) *int { return &c.HashMaxListpackEntries }), "hash-max-ziplist-entries").
		doc(groupEncodings, "largest hash, in fields, kept as a listpack"),
	// The -value thresholds are memory values in Redis (1kb is 1024).
	aliasOpt(memoryOpt("hash-max-listpack-value", "64", 0, math.MaxInt64, true, func(c *Config) *int64 { return &c.HashMaxListpackValue }), "hash-max-ziplist-value").
		doc(groupEncodings, "longest field or value, in bytes, a listpack hash keeps"),
	aliasOpt(intOpt("zset-max-listpack-entries", "128", 0, math.MaxInt64, true, func(c *Config) *int { return &c.ZSetMaxListpackEntries }), "zset-max-ziplist-entries").
		doc(groupEncodings, "largest sorted set, in members, kept as a listpack"),
	aliasOpt(memoryOpt("zset-max-listpack-value", "64", 0, math.MaxInt64, true, func(c *Config) *int64 { return &c.ZSetMaxListpackValue }), "zset-max-ziplist-value").
		doc(groupEncodings, "longest member, in bytes, a listpack sorted set keeps"),
	// The longest sparse HyperLogLog (the hll package), in bytes: Redis's
	// size_t memory option, 0 to LONG_MAX.
	memoryOpt("hll-sparse-max-bytes", "3000", 0, math.MaxInt64, true, func(c *Config) *int64 { return &c.HLLSparseMaxBytes }).
		doc(groupEncodings, "longest HyperLogLog, in bytes, kept sparse"),
	// Memory limit and eviction (keyspace/evict.go), with Redis 7.0's
	// ranges and defaults; the policies in the order Redis lists them.
	memoryOpt("maxmemory", "0", 0, math.MaxInt64, true, func(c *Config) *int64 { return &c.MaxMemory }).
		doc(groupMemory, "memory limit (used_memory), past which keys are evicted or writes refused; 0: none"),
	enumOpt("maxmemory-policy", "noeviction", true, []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
		"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}, func(c *Config) *string { return &c.MaxMemoryPolicy }).
		doc(groupMemory, "what goes past maxmemory: noeviction, allkeys-* or volatile-* lru, lfu, random, volatile-ttl"),
	intOpt("maxmemory-samples", "5", 1, math.MaxInt32, true, func(c *Config) *int { return &c.MaxMemorySamples }).
		doc(groupMemory, "keys each database offers the eviction pool per round"),
	intOpt("maxmemory-eviction-tenacity", "10", 0, 100, true, func(c *Config) *int { return &c.MaxMemoryEvictionTenacity }).
		doc(groupMemory, "how long a command may evict before the background takes over, 0 to 100"),
	intOpt("lfu-log-factor", "10", 0, math.MaxInt32, true, func(c *Config) *int { return &c.LFULogFactor }).
		doc(groupMemory, "how many accesses it takes to raise the LFU counter"),
	intOpt("lfu-decay-time", "1", 0, math.MaxInt32, true, func(c *Config) *int { return &c.LFUDecayTime }).
		doc(groupMemory, "minutes after which an idle key's LFU counter drops by one; 0: never"),
	outputLimitsOpt("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
		func(c *Config) *OutputLimits { return &c.OutputLimits }).
		doc(groupClients, "\"CLASS HARD SOFT SOFT-SECONDS\" output limits of normal, slave and pubsub clients"),
	// Client eviction (commands/clientevict.go), with Redis 7.0's forms.
	percentMemoryOpt("maxmemory-clients", "0", func(c *Config) *int64 { return &c.MaxMemoryClients }).
		doc(groupClients, "past this memory of all clients together (or N% of maxmemory), the largest are closed; 0: none"),
	keyspaceEventsOpt("notify-keyspace-events", "", func(c *Config) *KeyspaceEvents { return &c.NotifyKeyspaceEvents }).
		doc(groupNotifications, "classes of keyspace events published, as Redis's letters (KEA...); empty: none"),
	aliasOpt(millisOpt("busy-reply-threshold", "5000", true, func(c *Config) *time.Duration { return &c.BusyReplyThreshold }), "lua-time-limit").
		doc(groupScripting, "milliseconds a script runs before others get -BUSY and SCRIPT KILL may stop it; 0: never"),
	// ACL (the acl package): the users' file, the ACL LOG's length, and
	// the channels new users start with; Redis's defaults and ranges.
	stringOpt("aclfile", "", false, func(c *Config) *string { return &c.ACLFile }).
		doc(groupSecurity, "file of the ACL users (ACL LOAD, ACL SAVE); empty: the users are in the config file"),
	intOpt("acllog-max-len", "128", 0, math.MaxInt64, true, func(c *Config) *int { return &c.ACLLogMaxLen }).
		doc(groupSecurity, "entries the ACL LOG keeps"),
	enumOpt("acl-pubsub-default", "resetchannels", true, []string{"allchannels", "resetchannels"}, func(c *Config) *string { return &c.ACLPubsubDefault }).
		doc(groupSecurity, "channels a new user may use: allchannels or resetchannels (none)"),
}

// absPathOpt reports a path option as an absolute path, as Redis reports
// dir (it works from there).
func absPathOpt(o *option) *option {
	get := o.get
	o.get = func(c *Config) string {
		if abs, err := filepath.Abs(get(c)); err == nil {
			return abs
		}
		return get(c)
	}
	return o
}

// OptionName is the name of the option name names (itself, or the one it
// is an alias of), or "" if it names none of cairn's.
func OptionName(name string) string {
	if o := lookup(name); o != nil {
		return o.name
	}
	return ""
}

func lookup(name string) *option {
	name = strings.ToLower(name)
	for _, o := range options {
		if o.name == name || (o.alias != "" && o.alias == name) {
			return o
		}
	}
	return nil
}

func stringOpt(name, def string, mutable bool, field func(*Config) *string) *option {
	return &option{name: name, def: def, mutable: mutable, quoted: true,
		set: func(c *Config, v string) error { *field(c) = v; return nil },
		get: func(c *Config) string { return *field(c) },
	}
}

// enumOpt is one of a fixed set of words, matched in any case and stored
// in lower case.
func enumOpt(name, def string, mutable bool, values []string, field func(*Config) *string) *option {
	return &option{name: name, def: def, mutable: mutable,
		set: func(c *Config, v string) error {
			for _, w := range values {
				if strings.EqualFold(v, w) {
					*field(c) = w
					return nil
				}
			}
			return fmt.Errorf("argument(s) must be one of the following: %s", strings.Join(values, ", "))
		},
		get: func(c *Config) string { return *field(c) },
	}
}

// fixedOpt is an immutable option that only takes its default: a Redis
// option cairn reports but has no use for, which a user must not believe
// set.
func fixedOpt(name, def string, field func(*Config) *string) *option {
	return &option{name: name, def: def, quoted: true,
		set: func(c *Config, v string) error {
			if v != def {
				return fmt.Errorf("cairn keeps its data in one Pebble database under dir; %s names no file and must stay %q", name, def)
			}
			*field(c) = v
			return nil
		},
		get: func(c *Config) string { return *field(c) },
	}
}

// boolOpt is yes or no, in any case, as Redis's bool configs.
func boolOpt(name, def string, mutable bool, field func(*Config) *bool) *option {
	return &option{name: name, def: def, mutable: mutable,
		set: func(c *Config, v string) error {
			switch {
			case strings.EqualFold(v, "yes"):
				*field(c) = true
			case strings.EqualFold(v, "no"):
				*field(c) = false
			default:
				return fmt.Errorf("argument must be 'yes' or 'no'")
			}
			return nil
		},
		get: func(c *Config) string {
			if *field(c) {
				return "yes"
			}
			return "no"
		},
	}
}

// OutputLimit is the output buffer limit of one class of clients: a
// client whose pending output passes Hard, or stays past Soft for
// SoftSeconds, is disconnected. Zero is no limit.
type OutputLimit struct {
	Hard, Soft  int64
	SoftSeconds int64
}

// Client classes of client-output-buffer-limit, in Redis's order.
const (
	ClassNormal = iota
	ClassReplica
	ClassPubSub
)

// OutputLimits are the limits of each client class.
type OutputLimits [3]OutputLimit

var outputClassNames = []string{"normal", "slave", "pubsub"}

// outputLimitsOpt is Redis's client-output-buffer-limit: groups of class,
// hard limit, soft limit and soft seconds; setting it changes only the
// classes it names.
func outputLimitsOpt(name, def string, field func(*Config) *OutputLimits) *option {
	return &option{name: name, def: def, mutable: true,
		set: func(c *Config, v string) error {
			f := strings.Fields(v)
			if len(f)%4 != 0 {
				return fmt.Errorf("Wrong number of arguments in buffer limit configuration.")
			}
			limits := *field(c)
			for i := 0; i < len(f); i += 4 {
				class := -1
				switch strings.ToLower(f[i]) {
				case "normal":
					class = ClassNormal
				case "slave", "replica":
					class = ClassReplica
				case "pubsub":
					class = ClassPubSub
				}
				if class < 0 {
					return fmt.Errorf("Invalid client class specified in buffer limit configuration.")
				}
				hard, okHard := memtoull(f[i+1])
				soft, okSoft := memtoull(f[i+2])
				secs, err := strconv.ParseInt(f[i+3], 10, 64)
				if !okHard || !okSoft || err != nil || secs < 0 || hard > math.MaxInt64 || soft > math.MaxInt64 {
					return fmt.Errorf("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
				}
				limits[class] = OutputLimit{Hard: int64(hard), Soft: int64(soft), SoftSeconds: secs}
			}
			*field(c) = limits
			return nil
		},
		get: func(c *Config) string {
			var parts []string
			for i, l := range *field(c) {
				parts = append(parts, fmt.Sprintf("%s %d %d %d", outputClassNames[i], l.Hard, l.Soft, l.SoftSeconds))
			}
			return strings.Join(parts, " ")
		},
	}
}

// SaveRule is one snapshot rule of the save option: snapshot when at
// least Changes changes were made in the last Seconds.
type SaveRule struct {
	Seconds int64
	Changes int64
}

// saveOpt is Redis's save option: pairs of seconds (at least 1) and
// changes (at least 0), or "" for no automatic snapshots. Setting it
// replaces every rule, as CONFIG SET save does.
func saveOpt(name, def string, field func(*Config) *[]SaveRule) *option {
	return &option{name: name, def: def, mutable: true,
		set: func(c *Config, v string) error {
			f := strings.Fields(v)
			if len(f)%2 != 0 {
				return fmt.Errorf("Invalid save parameters")
			}
			rules := []SaveRule{}
			for i := 0; i < len(f); i += 2 {
				secs, err1 := strconv.ParseInt(f[i], 10, 64)
				changes, err2 := strconv.ParseInt(f[i+1], 10, 64)
				if err1 != nil || err2 != nil || secs < 1 || changes < 0 {
					return fmt.Errorf("Invalid save parameters")
				}
				rules = append(rules, SaveRule{secs, changes})
			}
			*field(c) = rules
			return nil
		},
		get: func(c *Config) string {
			var parts []string
			for _, r := range *field(c) {
				parts = append(parts, strconv.FormatInt(r.Seconds, 10), strconv.FormatInt(r.Changes, 10))
			}
			return strings.Join(parts, " ")
		},
	}
}

// percentilesOpt is latency-tracking-info-percentiles: numbers from 0 to
// 100 separated by single spaces ("" for none), read as Redis's
// string2ld reads them (hexadecimal and exponents too, no space around
// them) and written back as "%f" with its trailing zeros taken off.
func percentilesOpt(name, def string, field func(*Config) *[]float64) *option {
	return &option{name: name, def: def, mutable: true,
		set: func(c *Config, v string) error {
			ps := []float64{}
			if v != "" {
				for _, f := range strings.Split(v, " ") {
					p, ok := parseLongDouble(f)
					if !ok {
						return fmt.Errorf("Invalid latency-tracking-info-percentiles parameters")
					}
					if p > 100 || p < 0 {
						return fmt.Errorf("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
					}
					ps = append(ps, p)
				}
			}
			*field(c) = ps
			return nil
		},
		get: func(c *Config) string {
			parts := make([]string, len(*field(c)))
			for i, p := range *field(c) {
				parts[i] = latency.FormatPercentile(p)
			}
			return strings.Join(parts, " ")
		},
	}
}

// parseLongDouble parses a number as Redis's string2ld (strtold on the
// whole string): decimal or hexadecimal, with an optional sign and
// exponent, or inf; not nan, not spaces. A value beyond a float64 is
// infinite (or 0), where Redis's long double still holds it.
func parseLongDouble(s string) (float64, bool) {
	if s == "" || strings.ContainsAny(s, "_ \t\n\v\f\r") {
		return 0, false
	}
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 {
		return 0, false
	}
	if len(digits) > 2 && (digits[:2] == "0x" || digits[:2] == "0X") && !strings.ContainsAny(digits, "pP") {
		s += "p0" // strtold's hexadecimal needs no exponent, Go's does
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// protectedOpt marks o protected.
func protectedOpt(o *option) *option {
	o.protected = true
	return o
}

// clampOpt makes an int option store values outside lo..hi as the nearest
// bound, as Redis does for hz.
func clampOpt(o *option, lo, hi int) *option {
	set := o.set
	o.set = func(c *Config, v string) error {
		if err := set(c, v); err != nil {
			return err
		}
		n, err := strconv.Atoi(o.get(c))
		if err != nil {
			return err
		}
		return set(c, strconv.Itoa(min(max(n, lo), hi)))
	}
	return o
}

// parseInt parses an integer with Redis's string2ll rules: no spaces, no
// plus sign, no leading zeros.
func parseInt(v string) (int64, error) {
	n, ok := resp.ParseInt([]byte(v))
	if !ok {
		return 0, fmt.Errorf("argument couldn't be parsed into an integer")
	}
	return n, nil
}

func intOpt(name, def string, min, max int, mutable bool, field func(*Config) *int) *option {
	return &option{name: name, def: def, mutable: mutable,
		set: func(c *Config, v string) error {
			n, err := parseInt(v)
			if err != nil {
				return err
			}
			if n < int64(min) || n > int64(max) {
				return fmt.Errorf("argument must be between %d and %d inclusive", min, max)
			}
			*field(c) = int(n)
			return nil
		},
		get: func(c *Config) string { return strconv.Itoa(*field(c)) },
	}
}

// secondsOpt is a duration given in whole seconds, as Redis's timeout is.
func secondsOpt(name, def string, mutable bool, field func(*Config) *time.Duration) *option {
	return &option{name: name, def: def, mutable: mutable,
		set: func(c *Config, v string) error {
			n, err := parseInt(v)
			if err != nil {
				return err
			}
			if n < 0 || n > math.MaxInt32 {
				return fmt.Errorf("argument must be between 0 and 2147483647 inclusive")
			}
			*field(c) = time.Duration(n) * time.Second
			return nil
		},
		get: func(c *Config) string { return strconv.FormatInt(int64(*field(c)/time.Second), 10) },
	}
}

// memoryOpt is a byte count with Redis's units (k, kb, m, mb, g, gb).
func memoryOpt(name, def string, min, max int64, mutable bool, field func(*Config) *int64) *option {
	return &option{name: name, def: def, mutable: mutable,
		set: func(c *Config, v string) error {
			n, ok := memtoull(v)
			if !ok {
				return fmt.Errorf("argument must be a memory value")
			}
			// Redis checks the bounds on the value as a long long, so
			// that one above 2^63-1 is out of range rather than bad.
			if n > uint64(max) || int64(n) < min {
				return fmt.Errorf("argument must be between %d and %d inclusive", min, max)
			}
			*field(c) = int64(n)
			return nil
		},
		get:     func(c *Config) string { return strconv.FormatInt(*field(c), 10) },
		written: func(c *Config) string { return memoryWithUnit(*field(c)) },
	}
}

// percentMemoryOpt is a byte count with Redis's units or a percentage
// ("10%", 0 to 100), stored as Redis stores it: a percentage as its
// negative. As Redis's numericParseString, a memory value is tried first
// and kept as a signed number, so that one past 2^63 (-N) reads as N%.
func percentMemoryOpt(name, def string, field func(*Config) *int64) *option {
	return &option{name: name, def: def, mutable: true,
		set: func(c *Config, v string) error {
			n, ok := memtoull(v)
			ll := int64(n)
			if !ok {
				digits, isPercent := strings.CutSuffix(v, "%")
				p, err := parseInt(digits)
				if !isPercent || digits == "" || err != nil || p < 0 {
					return fmt.Errorf("argument must be a memory or percent value")
				}
				ll = -p
			}
			if ll < -100 {
				return fmt.Errorf("percentage argument must be less or equal to 100")
			}
			*field(c) = ll
			return nil
		},
		get: func(c *Config) string {
			if v := *field(c); v < 0 {
				return strconv.FormatInt(-v, 10) + "%"
			}
			return strconv.FormatInt(*field(c), 10)
		},
		written: func(c *Config) string {
			if v := *field(c); v < 0 {
				return strconv.FormatInt(-v, 10) + "%"
			}
			return memoryWithUnit(*field(c))
		},
	}
}

// memoryWithUnit writes a memory size in the largest of gb, mb and kb
// that divides it, as Redis's CONFIG REWRITE does (512mb stays 512mb).
func memoryWithUnit(n int64) string {
	switch {
	case n == 0:
		return "0"
	case n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "gb"
	case n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "mb"
	case n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "kb"
	}
	return strconv.FormatInt(n, 10)
}

var levels = []struct {
	name  string
	level slog.Level
}{
	{"debug", slog.LevelDebug},
	{"verbose", slog.LevelDebug + 2},
	{"notice", slog.LevelInfo},
	{"warning", slog.LevelWarn},
}

// levelOpt maps Redis's log levels onto slog's.
func levelOpt(name, def string, field func(*Config) *slog.Level) *option {
	return &option{name: name, def: def, mutable: true,
		set: func(c *Config, v string) error {
			for _, l := range levels {
				if strings.EqualFold(v, l.name) {
					*field(c) = l.level
					return nil
				}
			}
			return fmt.Errorf("argument(s) must be one of the following: debug, verbose, notice, warning")
		},
		get: func(c *Config) string {
			for _, l := range levels {
				if l.level == *field(c) {
					return l.name
				}
			}
			return "notice"
		},
	}
}

// ParseMemory parses a byte count as Redis's memtoull (see memtoull),
// refusing one above the largest int64.
func ParseMemory(s string) (int64, bool) {
	n, ok := memtoull(s)
	if !ok || n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}

// memtoull parses a byte count as Redis's memtoull: decimal digits and an
// optional unit b, k, kb, m, mb, g, gb in any case (k is 1000, kb is
// 1024). As there, no sign or space is allowed, no digits at all count as
// 0 ("" and "kb" are 0), and too many digits for 64 bits are the largest
// value (strtoull). A unit that takes the value past 64 bits is an error,
// where Redis 7.0 lets the product wrap around (17179869184gb is 0).
func memtoull(s string) (uint64, bool) {
	digits := 0
	for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	var mul uint64
	switch strings.ToLower(s[digits:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1 << 10
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1 << 20
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1 << 30
	default:
		return 0, false
	}
	// Redis copies the digits into a 128-byte buffer.
	if digits >= 128 {
		return 0, false
	}
	var n uint64
	if digits > 0 {
		var err error
		if n, err = strconv.ParseUint(s[:digits], 10, 64); err != nil {
			n = math.MaxUint64 // out of range: strtoull's ULLONG_MAX
		}
	}
	if n > math.MaxUint64/mul {
		return 0, false
	}
	return n * mul, true
}

// aliasOpt gives o a second name, the one older Redis versions used.
func aliasOpt(o *option, alias string) *option {
	o.alias = alias
	return o
}

// millisOpt is a duration given in milliseconds, as Redis's
// busy-reply-threshold is. Redis accepts up to LONG_MAX; cairn up to what
// a time.Duration holds.
func millisOpt(name, def string, mutable bool, field func(*Config) *time.Duration) *option {
	const maxMillis = math.MaxInt64 / int64(time.Millisecond)
	return &option{name: name, def: def, mutable: mutable,
		set: func(c *Config, v string) error {
			n, err := parseInt(v)
			if err != nil {
				return err
			}
			if n < 0 || n > maxMillis {
				return fmt.Errorf("argument must be between 0 and %d inclusive", maxMillis)
			}
			*field(c) = time.Duration(n) * time.Millisecond
			return nil
		},
		get: func(c *Config) string { return strconv.FormatInt(field(c).Milliseconds(), 10) },
	}
}
