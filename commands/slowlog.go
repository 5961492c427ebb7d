package commands

import (
	"strconv"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/resp"
)

// Redis's bounds on what an entry keeps of a command's arguments.
const (
	slowlogMaxArgs   = 32
	slowlogMaxString = 128
)

func slowlogCommands() []*Command {
	admin := FlagAdmin | FlagLoading | FlagStale
	return []*Command{
		{Name: "slowlog", Arity: -2, Group: "server", Since: "2.2.12", Complexity: "Depends on subcommand.",
			Summary: "A container for slow log commands",
			Subcommands: map[string]*Command{
				"get": {Arity: -2, Flags: admin, Group: "server", Since: "2.2.12",
					Complexity: "O(N) where N is the number of entries returned",
					Summary:    "Get the slow log's entries", Syntax: "[count]", Run: slowlogGetCommand},
				"len": {Arity: 2, Flags: admin, Group: "server", Since: "2.2.12", Complexity: "O(1)",
					Summary: "Get the slow log's length", Run: func(c *Ctx) { c.W.Int(int64(len(c.slowlog.entries))) }},
				"reset": {Arity: 2, Flags: admin, Group: "server", Since: "2.2.12",
					Complexity: "O(N) where N is the number of entries in the slowlog",
					Summary:    "Clear all entries from the slow log", Run: slowlogResetCommand},
				"help": {Arity: 2, Flags: FlagLoading | FlagStale, Group: "server", Since: "6.2.0", Complexity: "O(1)",
					Summary: "Show helpful text about the different subcommands", Run: slowlogHelpCommand},
			}},
	}
}

// slowlog is Redis's slow log: the latest commands that ran for at least
// slowlog-log-slower-than microseconds, at most slowlog-max-len of them.
// Guarded by the keyspace lock.
type slowlog struct {
	entries []slowEntry // oldest first
	nextID  int64
}

type slowEntry struct {
	id, time, micros int64
	args             [][]byte
	addr, name       string
}

// logSlow adds a command that took d to the slow log if it is slow enough
// and not one Redis leaves out (EXEC: its commands are logged instead).
// Commands a pipeline batch times together (Command.sharesClock) are not
// timed one by one and never logged, unless the log takes every command
// (slowlog-log-slower-than 0), when the dispatcher times each.
//
// args nil is a call whose arguments were not kept: one answered while a
// script was busy, which was not slow enough then (see busyWork.call).
func (e *Engine) logSlow(cfg *config.Config, cl *Client, cmd *Command, args [][]byte, d time.Duration) {
	if args == nil || !slowlogTakes(cfg, cmd, d) {
		return
	}
	addr := cl.Addr
	if addr == "" {
		addr = "?:0" // a script's client, as Redis names it
	}
	s := &e.slowlog
	s.entries = append(s.entries, slowEntry{id: s.nextID, time: time.Now().Unix(), micros: d.Microseconds(),
		args: slowlogArgs(args), addr: addr, name: cl.Name})
	s.nextID++
	s.trim(cfg.SlowlogMaxLen)
}

// slowlogTakes reports whether the slow log takes a call of cmd that took
// d.
func slowlogTakes(cfg *config.Config, cmd *Command, d time.Duration) bool {
	threshold := int64(cfg.SlowlogLogSlowerThan)
	return threshold >= 0 && cmd.Flags&FlagSkipSlowlog == 0 && d.Microseconds() >= threshold
}

// trim drops the oldest entries past max.
func (s *slowlog) trim(max int) {
	if n := len(s.entries) - max; n > 0 {
		s.entries = append(s.entries[:0], s.entries[n:]...)
	}
}

// slowlogArgs copies what an entry keeps of a command's arguments, as
// Redis's slowlogCreateEntry: secrets redacted, at most 32 arguments, the
// last saying how many more there were, each cut at 128 bytes.
func slowlogArgs(args [][]byte) [][]byte {
	n := min(len(args), slowlogMaxArgs)
	secret := redactedArgs(args)
	out := make([][]byte, n)
	for i := range n {
		a := args[i]
		switch {
		case n != len(args) && i == n-1:
			out[i] = []byte("... (" + strconv.Itoa(len(args)-n+1) + " more arguments)")
		case secret(i):
			out[i] = []byte("(redacted)")
		case len(a) > slowlogMaxString:
			out[i] = append(a[:slowlogMaxString:slowlogMaxString], "... ("+strconv.Itoa(len(a)-slowlogMaxString)+" more bytes)"...)
		default:
			out[i] = append([]byte(nil), a...)
		}
	}
	return out
}

func slowlogGetCommand(c *Ctx) {
	count := int64(10)
	if len(c.Args) > 3 {
		c.W.Error(resp.ErrSubcommandSyntax(c.Args[1], c.Args[0]))
		return
	}
	if len(c.Args) == 3 {
		n, ok := resp.ParseInt(c.Args[2])
		if !ok || n < -1 {
			c.W.Error("ERR count should be greater than or equal to -1")
			return
		}
		if n != -1 {
			count = n
		} else {
			count = int64(len(c.slowlog.entries))
		}
	}
	entries := c.slowlog.entries
	count = min(count, int64(len(entries)))
	c.W.Array(int(count))
	for i := len(entries) - 1; i >= len(entries)-int(count); i-- {
		en := &entries[i]
		c.W.Array(6)
		c.W.Int(en.id)
		c.W.Int(en.time)
		c.W.Int(en.micros)
		c.W.Array(len(en.args))
		for _, a := range en.args {
			c.W.Bulk(a)
		}
		c.W.BulkString(en.addr)
		c.W.BulkString(en.name)
	}
}

func slowlogResetCommand(c *Ctx) {
	clear(c.slowlog.entries)
	c.slowlog.entries = c.slowlog.entries[:0]
	c.W.OK()
}

func slowlogHelpCommand(c *Ctx) {
	c.Help(
		"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GET [<count>]",
		"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
		"    Entries are made of:",
		"    id, timestamp, time in microseconds, arguments array, client IP and port,",
		"    client name",
		"LEN",
		"    Return the length of the slowlog.",
		"RESET",
		"    Reset the slowlog.",
		"HELP",
		"    Prints this help.",
	)
}
