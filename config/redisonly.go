package config

import (
	"fmt"
	"slices"
	"strings"
)

// redisOnly accounts for every Redis 7.0 option cairn does not implement
// (its CONFIG GET * names, aliases included), so that a redis.conf, a
// flag or a CAIRN_* variable naming one is never silently ignored. Each
// is accepted with a warning that names it, saying why it means nothing
// here; one whose value asks for what cairn cannot do (a replica, a
// cluster, TLS, a Unix socket) stops startup instead.
var redisOnly = map[string]redisOnlyOption{}

// redisOnlyNames are redisOnly's names in order, as CONFIG GET lists them.
var redisOnlyNames []string

// redisDefaults are redis-server 7.0's values of those options, which
// CONFIG GET reports until one is set.
var redisDefaults = map[string]string{
	"active-defrag-cycle-max":             "25",
	"active-defrag-cycle-min":             "1",
	"active-defrag-ignore-bytes":          "104857600",
	"active-defrag-max-scan-fields":       "1000",
	"active-defrag-threshold-lower":       "10",
	"active-defrag-threshold-upper":       "100",
	"active-expire-effort":                "1",
	"activedefrag":                        "no",
	"activerehashing":                     "yes",
	"always-show-logo":                    "no",
	"aof-disable-auto-gc":                 "no",
	"aof-load-truncated":                  "yes",
	"aof-rewrite-incremental-fsync":       "yes",
	"aof-timestamp-enabled":               "no",
	"aof-use-rdb-preamble":                "yes",
	"aof_rewrite_cpulist":                 "",
	"bgsave_cpulist":                      "",
	"bind-source-addr":                    "",
	"bio_cpulist":                         "",
	"cluster-allow-pubsubshard-when-down": "yes",
	"cluster-allow-reads-when-down":       "no",
	"cluster-allow-replica-migration":     "yes",
	"cluster-announce-bus-port":           "0",
	"cluster-announce-hostname":           "",
	"cluster-announce-ip":                 "",
	"cluster-announce-port":               "0",
	"cluster-announce-tls-port":           "0",
	"cluster-config-file":                 "nodes.conf",
	"cluster-enabled":                     "no",
	"cluster-link-sendbuf-limit":          "0",
	"cluster-migration-barrier":           "1",
	"cluster-node-timeout":                "15000",
	"cluster-port":                        "0",
	"cluster-preferred-endpoint-type":     "ip",
	"cluster-replica-no-failover":         "no",
	"cluster-replica-validity-factor":     "10",
	"cluster-require-full-coverage":       "yes",
	"cluster-slave-no-failover":           "no",
	"cluster-slave-validity-factor":       "10",
	"crash-log-enabled":                   "yes",
	"crash-memcheck-enabled":              "yes",
	"daemonize":                           "no",
	"disable-thp":                         "yes",
	"dynamic-hz":                          "yes",
	"enable-module-command":               "no",
	"enable-protected-configs":            "no",
	"ignore-warnings":                     "",
	"io-threads-do-reads":                 "no",
	"jemalloc-bg-thread":                  "yes",
	"lazyfree-lazy-eviction":              "no",
	"lazyfree-lazy-expire":                "no",
	"lazyfree-lazy-server-del":            "no",
	"lazyfree-lazy-user-del":              "no",
	"lazyfree-lazy-user-flush":            "no",
	"list-compress-depth":                 "0",
	"logfile":                             "",
	"masterauth":                          "",
	"masteruser":                          "",
	"min-replicas-max-lag":                "10",
	"min-replicas-to-write":               "0",
	"min-slaves-max-lag":                  "10",
	"min-slaves-to-write":                 "0",
	"no-appendfsync-on-rewrite":           "no",
	"oom-score-adj":                       "no",
	"oom-score-adj-values":                "0 200 800",
	"pidfile":                             "/var/run/redis.pid",
	"proc-title-template":                 "{title} {listen-addr} {server-mode}",
	"propagation-error-behavior":          "ignore",
	"rdb-del-sync-files":                  "no",
	"rdb-save-incremental-fsync":          "yes",
	"rdbchecksum":                         "yes",
	"rdbcompression":                      "yes",
	"repl-backlog-size":                   "1048576",
	"repl-backlog-ttl":                    "3600",
	"repl-disable-tcp-nodelay":            "no",
	"repl-diskless-load":                  "disabled",
	"repl-diskless-sync":                  "yes",
	"repl-diskless-sync-delay":            "5",
	"repl-diskless-sync-max-replicas":     "0",
	"repl-ping-replica-period":            "10",
	"repl-ping-slave-period":              "10",
	"repl-timeout":                        "60",
	"replica-announce-ip":                 "",
	"replica-announce-port":               "0",
	"replica-announced":                   "yes",
	"replica-ignore-disk-write-errors":    "no",
	"replica-ignore-maxmemory":            "yes",
	"replica-lazy-flush":                  "no",
	"replica-priority":                    "100",
	"replica-read-only":                   "yes",
	"replica-serve-stale-data":            "yes",
	"replicaof":                           "",
	"sanitize-dump-payload":               "no",
	"server_cpulist":                      "",
	"set-proc-title":                      "yes",
	"shutdown-on-sigint":                  "default",
	"shutdown-on-sigterm":                 "default",
	"shutdown-timeout":                    "10",
	"slave-announce-ip":                   "",
	"slave-announce-port":                 "0",
	"slave-ignore-maxmemory":              "yes",
	"slave-lazy-flush":                    "no",
	"slave-priority":                      "100",
	"slave-read-only":                     "yes",
	"slave-serve-stale-data":              "yes",
	"slaveof":                             "",
	"socket-mark-id":                      "0",
	"stream-node-max-bytes":               "4096",
	"stream-node-max-entries":             "100",
	"supervised":                          "no",
	"syslog-enabled":                      "no",
	"syslog-facility":                     "local0",
	"syslog-ident":                        "redis",
	"tcp-backlog":                         "511",
	"tcp-keepalive":                       "300",
	"tls-client-cert-file":                "",
	"tls-client-key-file":                 "",
	"tls-client-key-file-pass":            "",
	"tls-cluster":                         "no",
	"tls-dh-params-file":                  "",
	"tls-key-file-pass":                   "",
	"tls-prefer-server-ciphers":           "no",
	"tls-replication":                     "no",
	"tls-session-cache-size":              "20480",
	"tls-session-cache-timeout":           "300",
	"tls-session-caching":                 "yes",
	"unixsocket":                          "",
	"unixsocketperm":                      "0",
}

// redisImmutable are the Redis-only options that Redis 7.0 sets only at
// start: CONFIG SET refuses them as Redis does, "can't set immutable
// config", before looking at the value.
var redisImmutable = map[string]bool{
	"always-show-logo": true, "aof_rewrite_cpulist": true, "bgsave_cpulist": true, "bio_cpulist": true,
	"cluster-config-file": true, "cluster-enabled": true, "cluster-port": true, "daemonize": true,
	"disable-thp": true, "enable-module-command": true, "enable-protected-configs": true,
	"io-threads-do-reads": true, "logfile": true, "pidfile": true, "rdbchecksum": true, "replicaof": true,
	"server_cpulist": true, "set-proc-title": true, "slaveof": true, "socket-mark-id": true, "supervised": true,
	"syslog-enabled": true, "syslog-facility": true, "syslog-ident": true, "tcp-backlog": true,
	"unixsocket": true, "unixsocketperm": true,
}

type redisOnlyOption struct {
	why string
	// harmless are the values accepted; any other is refused. Empty: any
	// value is accepted.
	harmless []string
}

func init() {
	add := func(why string, harmless []string, names ...string) {
		for _, n := range names {
			redisOnly[n] = redisOnlyOption{why: why, harmless: harmless}
		}
	}
	add("cairn does not fork, so the tuning of Redis's background processes and allocator has no effect", nil,
		"activedefrag", "active-defrag-cycle-max", "active-defrag-cycle-min", "active-defrag-ignore-bytes",
		"active-defrag-max-scan-fields", "active-defrag-threshold-lower", "active-defrag-threshold-upper",
		"activerehashing", "active-expire-effort", "aof-rewrite-incremental-fsync", "rdb-save-incremental-fsync",
		"aof_rewrite_cpulist", "bgsave_cpulist", "bio_cpulist", "server_cpulist", "disable-thp",
		"jemalloc-bg-thread", "io-threads-do-reads", "dynamic-hz",
		"no-appendfsync-on-rewrite", "oom-score-adj", "oom-score-adj-values", "aof-disable-auto-gc",
		"list-compress-depth", "stream-node-max-bytes", "stream-node-max-entries")
	add("Go's network stack sets cairn's socket options", nil,
		"tcp-backlog", "tcp-keepalive", "socket-mark-id", "bind-source-addr")
	add("cairn frees what it deletes as it deletes it", nil,
		"lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "lazyfree-lazy-user-del",
		"lazyfree-lazy-user-flush")
	add("cairn's log and snapshots are Pebble's, not Redis's AOF and RDB files", nil,
		"aof-load-truncated", "aof-timestamp-enabled", "aof-use-rdb-preamble", "rdb-del-sync-files",
		"rdbchecksum", "rdbcompression", "sanitize-dump-payload")
	add("cairn runs in the foreground and logs to standard error", nil,
		"daemonize", "supervised", "pidfile", "logfile", "syslog-enabled", "syslog-facility", "syslog-ident",
		"always-show-logo", "set-proc-title", "proc-title-template", "crash-log-enabled", "crash-memcheck-enabled",
		"shutdown-on-sigint", "shutdown-on-sigterm", "shutdown-timeout", "ignore-warnings",
		"enable-module-command", "enable-protected-configs", "propagation-error-behavior")
	add("cairn has no replication", nil,
		"masterauth", "masteruser", "min-replicas-max-lag", "min-replicas-to-write", "min-slaves-max-lag",
		"min-slaves-to-write", "repl-backlog-size", "repl-backlog-ttl", "repl-disable-tcp-nodelay",
		"repl-diskless-load", "repl-diskless-sync", "repl-diskless-sync-delay", "repl-diskless-sync-max-replicas",
		"repl-ping-replica-period", "repl-ping-slave-period", "repl-timeout", "replica-announce-ip",
		"replica-announce-port", "replica-announced", "replica-ignore-disk-write-errors", "replica-ignore-maxmemory",
		"replica-lazy-flush", "replica-priority", "replica-read-only", "replica-serve-stale-data",
		"slave-announce-ip", "slave-announce-port", "slave-ignore-maxmemory", "slave-lazy-flush", "slave-priority",
		"slave-read-only", "slave-serve-stale-data")
	add("cairn has no replication", []string{""}, "replicaof", "slaveof")
	add("cairn has no cluster mode", nil,
		"cluster-allow-pubsubshard-when-down", "cluster-allow-reads-when-down", "cluster-allow-replica-migration",
		"cluster-announce-bus-port", "cluster-announce-hostname", "cluster-announce-ip", "cluster-announce-port",
		"cluster-announce-tls-port", "cluster-config-file", "cluster-link-sendbuf-limit", "cluster-migration-barrier",
		"cluster-node-timeout", "cluster-port", "cluster-preferred-endpoint-type", "cluster-replica-no-failover",
		"cluster-replica-validity-factor", "cluster-require-full-coverage", "cluster-slave-no-failover",
		"cluster-slave-validity-factor", "tls-cluster", "tls-replication")
	add("cairn has no cluster mode", []string{"no"}, "cluster-enabled")
	add("Go's crypto/tls manages sessions and uses no Diffie-Hellman parameters", nil,
		"tls-dh-params-file", "tls-session-cache-size", "tls-session-cache-timeout", "tls-session-caching")
	add("Go's crypto/tls picks a cipher suite by its own order, neither the server's nor the client's", nil,
		"tls-prefer-server-ciphers")
	add("cairn makes no outgoing TLS connections (no replication, no cluster)", nil,
		"tls-client-cert-file", "tls-client-key-file", "tls-client-key-file-pass")
	add("cairn reads only unencrypted private keys", []string{""}, "tls-key-file-pass")
	add("cairn listens on TCP only", []string{""}, "unixsocket")
	add("cairn listens on TCP only", nil, "unixsocketperm")
	for n := range redisOnly {
		redisOnlyNames = append(redisOnlyNames, n)
	}
	slices.Sort(redisOnlyNames)
}

// checkRedisOnly refuses a Redis-only option's value that asks for what
// cairn cannot do.
func checkRedisOnly(name, value, where string) error {
	r := redisOnly[name]
	if len(r.harmless) > 0 && !slices.ContainsFunc(r.harmless, func(h string) bool { return strings.EqualFold(h, value) }) {
		return fmt.Errorf("%s: option '%s %s' cannot be honoured: %s", where, name, value, r.why)
	}
	return nil
}

// unknownOption is the error for a name that is no option, suggesting
// the closest known one.
func unknownOption(where, name string) error {
	best, bestDist := "", 4
	consider := func(n string) {
		if d := editDistance(name, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	for _, o := range options {
		for _, n := range o.names() {
			consider(n)
		}
	}
	for n := range redisOnly {
		consider(n)
	}
	if best != "" {
		return fmt.Errorf("%s: unknown option '%s' (did you mean '%s'?)", where, name, best)
	}
	return fmt.Errorf("%s: unknown option '%s'", where, name)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// RedisOnlyWhy says why a Redis option cairn accepts has no effect here,
// and false for any other name.
func RedisOnlyWhy(name string) (string, bool) {
	r, ok := redisOnly[strings.ToLower(name)]
	return r.why, ok
}

// redisOnlyValue is a Redis-only option's value in c: as set, or Redis's
// default.
func (c *Config) redisOnlyValue(name string) string {
	if v, ok := c.RedisOnly[name]; ok {
		return v
	}
	return redisDefaults[name]
}

// setRedisOnly sets a Redis-only option's value in c, copying the map so
// that configurations already published are not changed.
func (c *Config) setRedisOnly(name, value string) {
	m := make(map[string]string, len(c.RedisOnly)+1)
	for k, v := range c.RedisOnly {
		m[k] = v
	}
	m[name] = value
	c.RedisOnly = m
}
