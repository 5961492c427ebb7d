// Package config defines cairn's options, loads them (built-in defaults <
// config file < CAIRN_* environment < command-line flags) and serves
// CONFIG GET/SET/REWRITE. It is the only package that imports viper; the
// rest of the server reads an immutable *Config snapshot from a Store.
package config

import (
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/glob"
)

// Config is one consistent set of option values. A Config is never
// modified once published in a Store: CONFIG SET publishes a new one.
type Config struct {
	Bind        string
	Port        int
	Databases   int
	RequirePass string
	// Users are the user lines of a redis.conf, each the name then its
	// ACL rules (loaded by the acl package at start).
	Users [][]string
	// ACLFile is the ACL file ("" for none), ACLLogMaxLen the ACL LOG's
	// length, ACLPubsubDefault "allchannels" or "resetchannels".
	ACLFile          string
	ACLLogMaxLen     int
	ACLPubsubDefault string
	// RedisOnly are the values set of Redis's options that cairn accepts
	// without effect (redisonly.go), reported by CONFIG GET. Never changed
	// in place: setRedisOnly copies it.
	RedisOnly map[string]string
	// TLS: the port (0 for none), the server's certificate and key, the
	// CAs that sign clients' certificates, whether clients must present
	// one ("yes", "no", "optional"), the protocol versions allowed ("" for
	// TLSv1.2 and TLSv1.3), and the cipher suites up to TLSv1.2 and of
	// TLSv1.3 as OpenSSL names them ("" for Go's). See server/tls.go.
	TLSPort                     int
	TLSCertFile, TLSKeyFile     string
	TLSCACertFile, TLSCACertDir string
	TLSAuthClients              string
	TLSProtocols                string
	TLSCiphers, TLSCipherSuites string
	// ProtectedMode refuses clients from other hosts while there is no
	// password (protected-mode).
	ProtectedMode bool
	MaxClients    int
	// IOThreads is how many threads run Go code (GOMAXPROCS); see
	// config.yaml.
	IOThreads              int
	Timeout                time.Duration
	ProtoMaxBulkLen        int64
	ProtoMaxMultibulkLen   int
	ClientQueryBufferLimit int64
	Hz                     int
	// OutputLimits are client-output-buffer-limit's limits by class.
	OutputLimits OutputLimits
	Dir          string
	LogLevel     slog.Level
	// AppendOnly turns the append-only log on.
	AppendOnly bool
	// AppendFsync is when the append-only log is fsynced: "always",
	// "everysec" or "no".
	AppendFsync string
	// Save holds the automatic snapshot rules; none disables them.
	Save []SaveRule
	// StopWritesOnBgsaveError refuses writes with MISCONF after a failed
	// snapshot, until one succeeds.
	StopWritesOnBgsaveError bool
	// AutoAOFRewritePercentage and AutoAOFRewriteMinSize start a snapshot,
	// which truncates the log, once the log has grown by that percentage
	// of the last snapshot's size and past that size; percentage 0 never.
	AutoAOFRewritePercentage int
	AutoAOFRewriteMinSize    int64
	// DBFilename, AppendFilename and AppendDirname are Redis's file names,
	// reported by CONFIG GET; cairn's files are Pebble's, under Dir.
	DBFilename, AppendFilename, AppendDirname string
	// EnableDebugCommand is who may run DEBUG: "no", "yes" or "local"
	// (loopback clients only).
	EnableDebugCommand string
	// TrackingTableMaxKeys is the most keys client-side caching's table
	// remembers: past it, random keys are invalidated and forgotten; 0
	// for no limit.
	TrackingTableMaxKeys int
	// SlowlogLogSlowerThan is, in microseconds, how long a command runs
	// to enter the slow log: -1 logs none, 0 every command.
	SlowlogLogSlowerThan int
	// SlowlogMaxLen is how many entries the slow log keeps.
	SlowlogMaxLen int
	// LatencyMonitorThreshold is, in milliseconds, how long an event
	// (a command, an expiry cycle...) takes to enter the latency
	// monitor; 0 turns the monitor off.
	LatencyMonitorThreshold int
	// LatencyTracking keeps a latency histogram per command (LATENCY
	// HISTOGRAM, INFO latencystats).
	LatencyTracking bool
	// LatencyTrackingInfoPercentiles are the percentiles INFO
	// latencystats reports, each from 0 to 100.
	LatencyTrackingInfoPercentiles []float64
	// ListMaxListpackSize, SetMaxIntsetEntries, HashMaxListpackEntries and
	// HashMaxListpackValue are the encoding thresholds of datatypes.Limits.
	ListMaxListpackSize    int
	SetMaxIntsetEntries    int
	HashMaxListpackEntries int
	HashMaxListpackValue   int64
	// ZSetMaxListpackEntries and ZSetMaxListpackValue are the sorted set
	// thresholds of datatypes.Limits.
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int64
	// HLLSparseMaxBytes is the longest a sparse HyperLogLog grows, header
	// included, before it becomes dense.
	HLLSparseMaxBytes int64
	// MaxMemory is the memory limit in bytes (used_memory), 0 for none;
	// MaxMemoryPolicy is what goes when it is reached: "noeviction" or
	// one of Redis's volatile-* and allkeys-* policies.
	MaxMemory       int64
	MaxMemoryPolicy string
	// MaxMemoryClients is the most memory all clients together may hold
	// before the largest are closed, in bytes, or as a percentage of
	// MaxMemory when negative (-10 is 10%), as Redis stores it; 0 for no
	// limit.
	MaxMemoryClients int64
	// MaxMemorySamples is how many keys each database offers the eviction
	// pool per round; MaxMemoryEvictionTenacity (0..100) bounds the time a
	// command spends evicting before the rest is left to the background.
	MaxMemorySamples          int
	MaxMemoryEvictionTenacity int
	// LFULogFactor and LFUDecayTime shape the LFU counter: how slowly it
	// grows, and every how many minutes an idle key's counter drops by
	// one; 0 never.
	LFULogFactor int
	LFUDecayTime int
	// BusyReplyThreshold is how long a script runs before other clients
	// get BUSY and SCRIPT KILL may stop it; 0 never.
	BusyReplyThreshold time.Duration
	// NotifyKeyspaceEvents are the classes of keyspace events published
	// on the __keyspace@<db>__ and __keyevent@<db>__ channels; none by
	// default.
	NotifyKeyspaceEvents KeyspaceEvents
}

// Store holds the current Config and the file it was loaded from.
type Store struct {
	cur  atomic.Pointer[Config]
	path string // config file for CONFIG REWRITE; "" if none
	// redisFormat: the file is a redis.conf, not YAML.
	redisFormat bool
	warnings    []string
	// mu serialises writers (SET, REWRITE); readers only Load.
	mu sync.Mutex
}

// NewStore returns a store holding cfg. path is the config file, if any.
func NewStore(cfg *Config, path string) *Store {
	s := &Store{path: path}
	s.cur.Store(cfg)
	return s
}

// Warnings are the warnings loading the configuration gave: the options
// of Redis's that cairn accepts but that have no effect.
func (s *Store) Warnings() []string { return s.warnings }

// Load returns the current configuration. It is safe for concurrent use.
func (s *Store) Load() *Config { return s.cur.Load() }

// Level implements slog.Leveler, so that CONFIG SET loglevel takes effect
// on the logger at once.
func (s *Store) Level() slog.Level { return s.Load().LogLevel }

// Defaults returns the built-in configuration.
func Defaults() *Config {
	c := &Config{}
	for _, o := range options {
		if err := o.set(c, o.def); err != nil {
			panic("config: bad default for " + o.name + ": " + err.Error())
		}
	}
	return c
}

// Get returns name/value pairs as CONFIG GET does: a name without glob
// characters is looked up in any case and reported as given; a pattern
// matches every option name and alias in any case. An option already
// reported is not reported again under a pattern, nor a name already
// reported under the same name. Patterns match in table order.
func (s *Store) Get(patterns []string) [][2]string {
	c := s.Load()
	var out [][2]string
	// reported holds the lower-case names given in the reply so far.
	reported := map[string]bool{}
	add := func(name string, o *option) {
		reported[strings.ToLower(name)] = true
		out = append(out, [2]string{name, o.get(c)})
	}
	for _, p := range patterns {
		if !strings.ContainsAny(p, "[*?") {
			if o := lookup(p); o != nil && !reported[strings.ToLower(p)] {
				add(p, o)
			}
			continue
		}
		for _, o := range options {
			for _, name := range o.names() {
				if !reported[name] && glob.MatchString(p, name, true) {
					add(name, o)
				}
			}
		}
	}
	// Then Redis's options that cairn accepts without effect, with the
	// values set or Redis's defaults, in name order.
	for _, name := range redisOnlyNames {
		if reported[name] {
			continue
		}
		for _, p := range patterns {
			if strings.EqualFold(p, name) || strings.ContainsAny(p, "[*?") && glob.MatchString(p, name, true) {
				reported[name] = true
				out = append(out, [2]string{name, c.redisOnlyValue(name)})
				break
			}
		}
	}
	return out
}

// Path is the config file CONFIG REWRITE writes, or "" if none.
func (s *Store) Path() string { return s.path }

// SetError is a CONFIG SET failure, worded as Redis words it.
type SetError struct{ msg string }

func (e *SetError) Error() string { return e.msg }

// Set applies name/value pairs atomically: all of them or none. As
// Redis's CONFIG SET, it first checks every name (unknown, immutable,
// protected, given twice: the first problem in argument order is
// reported, naming the argument as given), then parses the values in
// order (a bad one is reported under the option's own name).
func (s *Store) Set(pairs [][2]string) error { return s.SetApply(pairs, nil) }

// SetApply is Set with apply run on the new configuration before it is
// stored, as Redis's apply functions: an error from it (ApplyFailed)
// leaves the configuration as it was.
func (s *Store) SetApply(pairs [][2]string, apply func(next *Config) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	opts := make([]*option, len(pairs))
	for i, p := range pairs {
		o := lookup(p[0])
		switch {
		case o == nil && redisImmutable[strings.ToLower(p[0])]:
			return setFailed(p[0], "can't set immutable config")
		case o == nil && redisOnlyName(strings.ToLower(p[0])):
			if err := checkRedisOnly(strings.ToLower(p[0]), p[1], "CONFIG SET"); err != nil {
				return setFailed(p[0], "cairn cannot honour it: "+redisOnly[strings.ToLower(p[0])].why)
			}
			continue
		case o == nil:
			return &SetError{fmt.Sprintf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", p[0])}
		case o.protected:
			return setFailed(p[0], "can't set protected config")
		case !o.mutable:
			return setFailed(p[0], "can't set immutable config")
		case slices.Contains(opts[:i], o):
			return setFailed(p[0], "duplicate parameter")
		}
		opts[i] = o
	}
	next := *s.Load()
	for i, p := range pairs {
		if opts[i] == nil {
			next.setRedisOnly(strings.ToLower(p[0]), p[1])
			continue
		}
		if err := opts[i].set(&next, p[1]); err != nil {
			return setFailed(opts[i].name, err.Error())
		}
	}
	if apply != nil {
		if err := apply(&next); err != nil {
			return err
		}
	}
	s.cur.Store(&next)
	return nil
}

// ApplyFailed is the error of a CONFIG SET that the server could not
// apply to option name, for reason.
func ApplyFailed(name, reason string) error { return setFailed(name, reason) }

func setFailed(name, reason string) *SetError {
	return &SetError{fmt.Sprintf("ERR CONFIG SET failed (possibly related to argument '%s') - %s", name, reason)}
}

// Rewrite writes the current configuration back to the file it was
// loaded from, keeping its comments and layout: lines that set an option
// are updated in place, options changed from their default that the file
// does not mention are appended. users are the ACL users as user lines
// ("user name rules..."), which replace the file's (none when the users
// are kept in an ACL file).
func (s *Store) Rewrite(users []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.path == "" {
		return fmt.Errorf("ERR The server is running without a config file")
	}
	old, err := os.ReadFile(s.path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("ERR Rewriting config file: %v", err)
	}
	c := s.Load()
	defaults := Defaults()
	if s.redisFormat {
		return s.writeFile(rewriteRedisConf(string(old), c, defaults, users))
	}
	written := map[*option]bool{}
	var lines []string
	for _, line := range strings.Split(strings.TrimRight(string(old), "\n"), "\n") {
		key, _, found := strings.Cut(line, ":")
		key = strings.TrimSpace(key)
		if o := lookup(key); found && o != nil && !strings.HasPrefix(strings.TrimSpace(line), "#") && !written[o] {
			written[o] = true
			line = o.name + ": " + yamlQuote(o.fileValue(c))
		}
		lines = append(lines, line)
	}
	for _, o := range options {
		if !written[o] && o.get(c) != o.get(defaults) {
			lines = append(lines, o.name+": "+yamlQuote(o.fileValue(c)))
		}
	}
	// The users, on one line in YAML's flow style, unless they are the
	// built-in ones and the file names none.
	userLine := -1
	for i, line := range lines {
		if key, _, found := strings.Cut(line, ":"); found && strings.TrimSpace(key) == "user" && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			userLine = i
			break
		}
	}
	quoted := make([]string, len(users))
	for i, u := range users {
		quoted[i] = strconv.Quote(strings.TrimPrefix(u, "user "))
	}
	switch {
	case userLine >= 0:
		lines[userLine] = "user: [" + strings.Join(quoted, ", ") + "]"
	case len(users) > 1 || len(users) == 1 && users[0] != builtinUsers:
		lines = append(lines, "user: ["+strings.Join(quoted, ", ")+"]")
	}
	return s.writeFile(lines)
}

// writeFile replaces the config file with lines, atomically.
func (s *Store) writeFile(lines []string) error {
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("ERR Rewriting config file: %v", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("ERR Rewriting config file: %v", err)
	}
	return nil
}

// rewriteRedisConf is CONFIG REWRITE of a redis.conf, as redis-server
// 7.0 rewrites one: comments and order kept; an option's lines, where the
// file had them, replaced by its current ones in turn (a line left over
// is blanked, a line more is appended); the options the file does not
// name that differ from their defaults appended after a blank line and
// Redis's marker (added once). Redis's options that cairn accepts without
// effect are written as CONFIG SET left them.
func rewriteRedisConf(old string, c, defaults *Config, users []string) []string {
	// As Redis splits the file, a last newline leaves an empty line, after
	// which lines are appended.
	var lines []string
	if old != "" {
		lines = strings.Split(old, "\n")
	}
	// at are the lines of each option, by its name.
	at := map[string][]int{}
	marked := false
	for i, line := range lines {
		marked = marked || line == redisRewriteMarker
		args, err := splitLine(line)
		if err != nil || len(args) == 0 || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		name := strings.ToLower(args[0])
		if o := lookup(name); o != nil {
			name = o.name
		} else if !redisOnlyName(name) && name != "user" {
			continue
		}
		at[name] = append(at[name], i)
	}
	var appended []string
	place := func(name string, current []string) {
		for k, i := range at[name] {
			if k < len(current) {
				lines[i] = current[k]
			} else {
				lines[i] = ""
			}
		}
		if n := len(at[name]); n < len(current) {
			appended = append(appended, current[n:]...)
		}
	}
	for _, o := range options {
		if _, inFile := at[o.name]; inFile || o.get(c) != o.get(defaults) {
			place(o.name, redisConfLines(o, c, defaults))
		}
	}
	for _, name := range redisOnlyNames {
		v := c.redisOnlyValue(name)
		if _, inFile := at[name]; inFile || v != redisDefaults[name] {
			place(name, []string{name + " " + redisQuote(v)})
		}
	}
	// Redis writes every user, after the options.
	place("user", users)
	if len(appended) > 0 && !marked {
		lines = append(lines, redisRewriteMarker)
	}
	lines = append(lines, appended...)
	// Every run of empty lines becomes one.
	out := lines[:0]
	for _, line := range lines {
		if line == "" && len(out) > 0 && out[len(out)-1] == "" {
			continue
		}
		out = append(out, line)
	}
	return out
}

// builtinUsers are the users of a server started with no user lines, as
// a user line.
const builtinUsers = "user default on nopass ~* &* +@all"

// redisRewriteMarker heads what CONFIG REWRITE appends, as in Redis.
const redisRewriteMarker = "# Generated by CONFIG REWRITE"

// redisConfLines are o's lines in a redis.conf, as Redis writes them:
// save one line per rule, client-output-buffer-limit one per class that
// differs from its default (sizes with units), lists as words, strings
// quoted, other values as they are.
func redisConfLines(o *option, c, defaults *Config) []string {
	v := o.fileValue(c)
	switch o.name {
	case "save":
		f := strings.Fields(v)
		if len(f) == 0 {
			return []string{`save ""`}
		}
		var lines []string
		for i := 0; i+1 < len(f); i += 2 {
			lines = append(lines, "save "+f[i]+" "+f[i+1])
		}
		return lines
	case "client-output-buffer-limit":
		cur, def := strings.Fields(v), strings.Fields(o.get(defaults))
		var lines []string
		for i := 0; i+3 < len(cur) && i+3 < len(def); i += 4 {
			if !slices.Equal(cur[i:i+4], def[i:i+4]) {
				hard, _ := strconv.ParseInt(cur[i+1], 10, 64)
				soft, _ := strconv.ParseInt(cur[i+2], 10, 64)
				lines = append(lines, fmt.Sprintf("%s %s %s %s %s", o.name, cur[i], memoryWithUnit(hard), memoryWithUnit(soft), cur[i+3]))
			}
		}
		return lines
	case "bind", "latency-tracking-info-percentiles":
		if v != "" {
			return []string{o.name + " " + v}
		}
	}
	if o.quoted {
		return []string{o.name + " " + strconv.Quote(v)}
	}
	return []string{o.name + " " + redisQuote(v)}
}

// redisQuote is a value as a redis.conf holds it: quoted when it needs
// to be.
func redisQuote(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\"'\\#") || strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return strconv.Quote(v)
	}
	return v
}

func yamlQuote(v string) string {
	if v == "" || strings.ContainsAny(v, ":#'\"{}[],&*!|>%@` ") {
		return "\"" + strings.ReplaceAll(strings.ReplaceAll(v, `\`, `\\`), `"`, `\"`) + "\""
	}
	return v
}
