package commands

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/resp"
)

// The server group: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, INFO (info.go),
// CONFIG, SHUTDOWN and DEBUG.

func serverCommands() []*Command {
	const admin = FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	return []*Command{
		{Name: "config", Arity: -2, Group: "server", Since: "2.0.0", Complexity: "Depends on subcommand.",
			Summary: "A container for server configuration commands",
			Subcommands: map[string]*Command{
				"get": {Arity: -3, Flags: admin, Group: "server", Since: "2.0.0",
					Complexity: "O(N) when N is the number of configuration parameters provided",
					Summary:    "Get the values of configuration parameters",
					Syntax:     "parameter [parameter ...]", Run: configGetCommand},
				"help": {Arity: 2, Flags: FlagLoading | FlagStale, Group: "server", Since: "5.0.0", Complexity: "O(1)",
					Summary: "Show helpful text about the different subcommands", Run: configHelpCommand},
				"resetstat": {Arity: 2, Flags: admin, Group: "server", Since: "2.0.0", Complexity: "O(1)",
					Summary: "Reset the stats returned by INFO", Run: configResetstatCommand},
				"rewrite": {Arity: 2, Flags: admin, Group: "server", Since: "2.8.0", Complexity: "O(1)",
					Summary: "Rewrite the configuration file with the in memory configuration", Run: configRewriteCommand},
				"set": {Arity: -4, Flags: admin, Group: "server", Since: "2.0.0",
					Complexity: "O(N) when N is the number of configuration parameters provided",
					Summary:    "Set configuration parameters to the given values",
					Syntax:     "<parameter value [parameter value ...]>", Run: configSetCommand},
			}},
		{Name: "dbsize", Arity: 1, Flags: FlagReadonly | FlagFast, Group: "server", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Return the number of keys in the selected database", Run: dbsizeCommand},
		// DEBUG is one command in Redis 7.0, not a container: it parses its
		// subcommands itself and COMMAND INFO lists none.
		{Name: "debug", Arity: -2, Flags: admin, Group: "server", Since: "1.0.0", Complexity: "Depends on subcommand.",
			Summary: "A container for debugging commands", Run: debugCommand},
		{Name: "flushall", Arity: -1, Flags: FlagWrite, Group: "server", Since: "1.0.0",
			Complexity: "O(N) where N is the total number of keys in all databases",
			Summary:    "Remove all keys from all databases", Syntax: "[async: ASYNC | SYNC]", Run: flushallCommand},
		{Name: "flushdb", Arity: -1, Flags: FlagWrite, Group: "server", Since: "1.0.0",
			Complexity: "O(N) where N is the number of keys in the selected database",
			Summary:    "Remove all keys from the current database", Syntax: "[async: ASYNC | SYNC]", Run: flushdbCommand},
		{Name: "info", Arity: -1, Flags: FlagLoading | FlagStale, Group: "server", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Get information and statistics about the server",
			Syntax: "[section [section ...]]", Run: infoCommand},
		{Name: "shutdown", Arity: -1, Flags: admin | FlagNoMulti | FlagAllowBusy, Group: "server", Since: "1.0.0",
			Complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
			Summary:    "Synchronously save the dataset to disk and then shut down the server",
			Syntax:     "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]", Run: shutdownCommand},
		{Name: "swapdb", Arity: 3, Flags: FlagWrite | FlagFast, Group: "server", Since: "4.0.0",
			Complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
			Summary:    "Swaps two Redis databases", Syntax: "index1 index2", Run: swapdbCommand},
		{Name: "time", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast, Group: "server", Since: "2.6.0",
			Complexity: "O(1)", Summary: "Return the current server time", Run: timeCommand},
	}
}

// DBSIZE counts expired keys not yet reclaimed, as Redis does.
func dbsizeCommand(c *Ctx) { c.W.Int(int64(c.DB.Len())) }

// flushFlagsOK checks FLUSHDB and FLUSHALL's optional ASYNC | SYNC (both
// flush at once: the garbage collector frees the values either way).
func (c *Ctx) flushFlagsOK() bool {
	if len(c.Args) > 2 || len(c.Args) == 2 && !tokenIs(c.Args[1], "async") && !tokenIs(c.Args[1], "sync") {
		c.W.Error(resp.ErrSyntax)
		return false
	}
	return true
}

func flushdbCommand(c *Ctx) {
	if !c.flushFlagsOK() {
		return
	}
	if c.DB.Len() > 0 {
		c.DB.Flush()
		c.Emit([]byte("FLUSHDB"))
	}
	c.trackFlush()
	c.W.OK()
}

func flushallCommand(c *Ctx) {
	if !c.flushFlagsOK() {
		return
	}
	for i := range c.KS.NumDBs() {
		if c.KS.DB(i).Len() > 0 {
			c.KS.FlushAll()
			c.Emit([]byte("FLUSHALL"))
			break
		}
	}
	c.trackFlush()
	c.W.OK()
}

func swapdbCommand(c *Ctx) {
	a, okA := int32Arg(c.Args[1])
	if !okA {
		c.W.Error(resp.ErrInvalidFirstDB)
		return
	}
	b, okB := int32Arg(c.Args[2])
	if !okB {
		c.W.Error(resp.ErrInvalidSecondDB)
		return
	}
	n := int64(c.KS.NumDBs())
	if a < 0 || a >= n || b < 0 || b >= n {
		c.W.Error(resp.ErrDBIndex)
		return
	}
	if a != b && (c.KS.DB(int(a)).Len() > 0 || c.KS.DB(int(b)).Len() > 0) {
		c.KS.SwapDB(int(a), int(b))
		c.Emit([]byte("SWAPDB"), strconv.AppendInt(nil, a, 10), strconv.AppendInt(nil, b, 10))
	}
	c.W.OK()
}

// int32Arg parses an argument as getIntFromObject: an integer that fits
// a C int.
func int32Arg(b []byte) (int64, bool) {
	n, ok := resp.ParseInt(b)
	return n, ok && n >= math.MinInt32 && n <= math.MaxInt32
}

func timeCommand(c *Ctx) {
	now := time.Now()
	c.W.Array(2)
	c.W.BulkString(strconv.FormatInt(now.Unix(), 10))
	c.W.BulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
}

func configGetCommand(c *Ctx) {
	patterns := make([]string, len(c.Args)-2)
	for i, a := range c.Args[2:] {
		patterns[i] = string(a)
	}
	pairs := c.Config.Get(patterns)
	c.W.Map(len(pairs))
	for _, p := range pairs {
		c.W.BulkString(p[0])
		c.W.BulkString(p[1])
	}
}

// configSetCommand sets every pair or none. A password set here becomes
// the default user's: clients already authenticated stay so.
func configSetCommand(c *Ctx) {
	if len(c.Args)%2 != 0 {
		c.W.Error(resp.ErrSyntax)
		return
	}
	pairs := make([][2]string, 0, (len(c.Args)-2)/2)
	for i := 2; i < len(c.Args); i += 2 {
		pairs = append(pairs, [2]string{string(c.Args[i]), string(c.Args[i+1])})
	}
	before := c.Config.Load()
	if err := c.Config.SetApply(pairs, func(next *config.Config) error {
		if err := c.applyMaxClients(before, next); err != nil {
			return err
		}
		if c.ApplyListen != nil {
			if err := c.ApplyListen(before, next); err != nil {
				return err
			}
		}
		if err := c.applyTLS(pairs, next); err != nil {
			// The whole CONFIG SET is undone: the listeners too.
			if c.ApplyListen != nil {
				c.ApplyListen(next, before)
			}
			return err
		}
		return nil
	}); err != nil {
		c.W.Error(err.Error())
		return
	}
	for _, p := range pairs {
		if why, ok := config.RedisOnlyWhy(p[0]); ok {
			c.Log.Warn("CONFIG SET of an option that has no effect", "option", p[0], "value", p[1], "why", why)
		}
	}
	cfg := c.Config.Load()
	c.applyEviction(cfg)
	c.applyNotify(cfg)
	// As Redis, a requirepass set replaces the default user's passwords.
	for _, p := range pairs {
		if strings.EqualFold(p[0], "requirepass") {
			c.ACL.SetDefaultPassword(cfg.RequirePass)
		}
	}
	c.ACL.PubsubAllChannels = cfg.ACLPubsubDefault == "allchannels"
	if cfg.MaxMemory != before.MaxMemory && cfg.MaxMemory != 0 {
		// As Redis, a lower limit takes effect at once.
		if used := c.usedMemory(); used > cfg.MaxMemory {
			c.Log.Warn("the new maxmemory is smaller than the memory in use: keys will be evicted, or writes refused, as maxmemory-policy says",
				"maxmemory", cfg.MaxMemory, "used_memory", used)
		}
		c.performEvictions(cfg)
	}
	c.W.OK()
}

// applyMaxClients makes room for a higher maxclients in the open files
// limit, or fails with Redis's error (updateMaxclients) naming how many
// clients fit.
func (c *Ctx) applyMaxClients(before, next *config.Config) error {
	if next.MaxClients == before.MaxClients || c.FitClients == nil {
		return nil
	}
	if fit := c.FitClients(next.MaxClients); fit < next.MaxClients {
		c.Log.Warn("failed applying new configuration, possibly related to new maxclients setting; restoring previous settings")
		return config.ApplyFailed("maxclients",
			fmt.Sprintf("The operating system is not able to handle the specified number of clients, try with %d", fit))
	}
	return nil
}

// applyTLS has the server apply the tls-* options pairs change, as Redis
// does at once: load the certificates again, move the TLS port; if it
// cannot, the change is refused with Redis's error, naming the first of
// them unless the server names one.
func (c *Ctx) applyTLS(pairs [][2]string, next *config.Config) error {
	if c.ApplyTLS == nil {
		return nil
	}
	for _, p := range pairs {
		if !strings.HasPrefix(strings.ToLower(p[0]), "tls-") || config.OptionName(p[0]) == "" {
			continue
		}
		if err := c.ApplyTLS(next); err != nil {
			if _, named := err.(*config.SetError); named {
				return err
			}
			return config.ApplyFailed(p[0], err.Error())
		}
		return nil
	}
	return nil
}

func configResetstatCommand(c *Ctx) {
	c.ResetStats()
	c.W.OK()
}

func configRewriteCommand(c *Ctx) {
	users := []string{} // kept in the ACL file, not here
	if c.Config.Load().ACLFile == "" {
		users = c.ACL.Lines()
	}
	if err := c.Config.Rewrite(users); err != nil {
		c.Log.Warn("CONFIG REWRITE failed", "err", err)
		c.W.Error(err.Error())
		return
	}
	c.Log.Info("CONFIG REWRITE executed with success")
	c.W.OK()
}

func configHelpCommand(c *Ctx) {
	c.Help(
		"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
		"HELP",
		"    Prints this help.",
	)
}

// shutdownCommand is SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]. The
// log is written as commands run, so every form stops the same way: no
// reply, the connection closes, the server stops. ABORT has no shutdown
// to abort: cairn's is never in progress.
func shutdownCommand(c *Ctx) {
	var save, nosave, other, abort, force bool
	for _, a := range c.Args[1:] {
		switch {
		case tokenIs(a, "nosave"):
			nosave = true
		case tokenIs(a, "save"):
			save = true
		case tokenIs(a, "now"):
			other = true
		case tokenIs(a, "force"):
			other, force = true, true
		case tokenIs(a, "abort"):
			abort = true
		default:
			c.W.Error(resp.ErrSyntax)
			return
		}
	}
	if abort && (save || nosave || other) || save && nosave {
		c.W.Error(resp.ErrSyntax)
		return
	}
	if abort {
		c.W.Error(resp.ErrNoShutdown)
		return
	}
	c.Log.Warn("User requested shutdown...", "client", c.Client.Addr)
	// As Redis's prepareForShutdown: save if asked to, or if save rules
	// are set and NOSAVE was not given; a failed save stops the shutdown
	// unless FORCE.
	// While loading, Redis skips the save: the data set is not whole.
	if c.Persist != nil && !c.Persist.Loading() && (save || !nosave && len(c.Config.Load().Save) > 0) {
		if err := c.Persist.Save(); err != nil && !force {
			c.Log.Warn("Error trying to save the DB, can't exit.", "err", err)
			c.W.Error(resp.ErrShutdownErrors)
			return
		}
	}
	c.Engine.Close()
	c.Client.Closing = true
	if c.Shutdown != nil {
		c.Shutdown()
	}
}

// debugCommand dispatches DEBUG's subcommands, each with its own argument
// count, as Redis's debugCommand does.
func debugCommand(c *Ctx) {
	sub := c.Args[1]
	switch {
	case tokenIs(sub, "help") && len(c.Args) == 2:
		debugHelp(c)
	case tokenIs(sub, "sleep") && len(c.Args) == 3:
		debugSleep(c)
	case tokenIs(sub, "object") && len(c.Args) == 3:
		debugObject(c)
	case tokenIs(sub, "reload") && len(c.Args) == 2:
		debugReload(c)
	case tokenIs(sub, "loadaof") && len(c.Args) == 2:
		debugLoadAOF(c)
	case tokenIs(sub, "set-active-expire") && len(c.Args) == 3:
		// As Redis: atoi, so anything but a non-zero number turns it off.
		n, _ := strconv.Atoi(string(c.Args[2]))
		c.activeExpireOff.Store(n == 0)
		c.W.OK()
	default:
		c.W.Error(resp.ErrSubcommandSyntax(sub, c.Args[0]))
	}
}

// debugReload is DEBUG RELOAD: a snapshot, the keyspace emptied, and the
// snapshot loaded back.
func debugReload(c *Ctx) {
	if persistenceOff(c) {
		return
	}
	if err := c.Persist.Reload(); err != nil {
		c.Log.Warn("DEBUG RELOAD failed", "err", err)
		c.W.Error("ERR Error trying to load the RDB dump, check server logs.")
		return
	}
	c.W.OK()
}

// debugLoadAOF is DEBUG LOADAOF: the keyspace emptied and loaded back from
// the snapshot and the log.
func debugLoadAOF(c *Ctx) {
	if persistenceOff(c) {
		return
	}
	if err := c.Persist.ReloadLog(); err != nil {
		c.Log.Error("DEBUG LOADAOF failed", "err", err)
		c.W.Error("ERR Error trying to load the AOF files, check server logs.")
		return
	}
	c.Log.Info("Append Only File loaded by DEBUG LOADAOF")
	c.W.OK()
}

func debugHelp(c *Ctx) {
	c.Help(
		"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"OBJECT <key>",
		"    Show low level info about `key` and associated value.",
		"LOADAOF",
		"    Empty the keyspace and load it back from the snapshot and the log.",
		"RELOAD",
		"    Save the data set to disk, empty the keyspace and load it back.",
		"SET-ACTIVE-EXPIRE <0|1>",
		"    Setting it to 0 disables expiring keys in background when they are not",
		"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
		"    default.",
		"SLEEP <seconds>",
		"    Stop the server for <seconds>. Decimals allowed.",
		"HELP",
		"    Prints this help.",
	)
}

// debugSleep blocks the whole server, keyspace lock held, as Redis's
// single thread blocks. The seconds are read as strtod reads them: the
// longest number at the start, 0 if none; a negative time sleeps not at
// all.
func debugSleep(c *Ctx) {
	secs := strtod(string(c.Args[2]))
	if secs > 0 {
		d := time.Duration(math.MaxInt64)
		if secs < d.Seconds() {
			d = time.Duration(secs * float64(time.Second))
		}
		time.Sleep(d)
	}
	c.W.OK()
}

// strtod parses the longest prefix of s that is a number, as C's strtod,
// or returns 0.
func strtod(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	for end := len(s); end > 0; end-- {
		if f, err := strconv.ParseFloat(s[:end], 64); err == nil || isRangeErr(err) {
			return f
		}
	}
	return 0
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// debugObject describes a key's value in Redis's format. The address is
// the value's, the serialized length an estimate of its RDB size.
func debugObject(c *Ctx) {
	key := c.Args[2]
	v, ok := c.DB.Peek(key)
	if !ok {
		c.W.Error(resp.ErrNoSuchKey)
		return
	}
	idle, _ := c.DB.IdleMillis(key)
	idleSecs := idle / 1000
	lru := (c.KS.Now()/1000 - idleSecs) & lruClockMax
	c.W.Status(fmt.Sprintf("Value at:%p refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d",
		v, refcount(v), v.Encoding(), serializedLength(v), lru, idleSecs))
}

// lruClockMax is the mask of Redis's 24-bit LRU clock.
const lruClockMax = 1<<24 - 1

// serializedLength estimates the RDB size of a value: for strings as
// rdbSaveStringObject writes them, without LZF compression.
func serializedLength(v datatypes.Value) int {
	s, ok := v.(*datatypes.String)
	if !ok {
		return v.MemoryUsage()
	}
	b := s.Bytes()
	if len(b) <= 11 {
		if n, ok := resp.ParseInt(b); ok {
			switch {
			case n >= math.MinInt8 && n <= math.MaxInt8:
				return 2
			case n >= math.MinInt16 && n <= math.MaxInt16:
				return 3
			case n >= math.MinInt32 && n <= math.MaxInt32:
				return 5
			}
		}
	}
	switch {
	case len(b) < 1<<6:
		return 1 + len(b)
	case len(b) < 1<<14:
		return 2 + len(b)
	case len(b) <= math.MaxUint32:
		return 5 + len(b)
	}
	return 9 + len(b)
}
