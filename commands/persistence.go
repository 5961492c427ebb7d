package commands

import "github.com/cairn-db/cairn/resp"

// The persistence commands: SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE; with
// SHUTDOWN's SAVE, DEBUG RELOAD, INFO persistence, and the MISCONF and
// LOADING refusals of the dispatcher.

// Persistence is the durable store behind the keyspace
// (persistence.Manager). Unless said otherwise, its methods are called
// with the keyspace lock held. An engine without one runs in memory only.
type Persistence interface {
	// Loading reports whether the data is still being loaded; safe
	// without the lock.
	Loading() bool
	// WriteError is the MISCONF error write commands get while
	// persisting fails, or "".
	WriteError() string
	// Save takes a snapshot in the foreground.
	Save() error
	// BackgroundSave and RewriteLog start a snapshot in the background
	// (BGSAVE, BGREWRITEAOF) and return the status reply or an error
	// reply; inExec asks to schedule it instead, as inside MULTI.
	BackgroundSave(schedule, inExec bool) (string, error)
	RewriteLog(inExec bool) (string, error)
	// LastSave is the Unix time of the last successful snapshot.
	LastSave() int64
	// Reload is DEBUG RELOAD, ReloadLog DEBUG LOADAOF.
	Reload() error
	ReloadLog() error
	// Info writes INFO persistence's fields.
	Info(add func(name, value string))
	// Cron starts the automatic snapshots that are due.
	Cron()
	// Seq is the number of the last unit of work handed to the log.
	Seq() uint64
	// AwaitDurable returns once unit seq (0: every unit so far) is on
	// disk if appendfsync is always; it is called without the lock
	// before replies are sent.
	AwaitDurable(seq uint64)
}

func persistenceCommands() []*Command {
	const admin = FlagAdmin | FlagNoScript
	return []*Command{
		{Name: "bgrewriteaof", Arity: 1, Flags: admin | FlagNoAsyncLoading, Group: "server", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Asynchronously rewrite the append-only file", Run: bgrewriteaofCommand},
		{Name: "bgsave", Arity: -1, Flags: admin | FlagNoAsyncLoading, Group: "server", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Asynchronously save the dataset to disk", Syntax: "[SCHEDULE]",
			Run: bgsaveCommand},
		{Name: "lastsave", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast, Group: "server", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Get the UNIX time stamp of the last successful save to disk",
			Run: lastsaveCommand},
		{Name: "save", Arity: 1, Flags: admin | FlagNoAsyncLoading | FlagNoMulti, Group: "server", Since: "1.0.0",
			Complexity: "O(N) where N is the total number of keys in all databases",
			Summary:    "Synchronously save the dataset to disk", Run: saveCommand},
	}
}

// persistenceOff answers a command that needs persistence on an engine
// without it, and reports whether it did.
func persistenceOff(c *Ctx) bool {
	if c.Persist != nil {
		return false
	}
	c.W.Error("ERR persistence is not available in this server")
	return true
}

func saveCommand(c *Ctx) {
	if persistenceOff(c) {
		return
	}
	if err := c.Persist.Save(); err != nil {
		c.Log.Warn("SAVE failed", "err", err)
		c.W.Error("ERR")
		return
	}
	c.W.OK()
}

func bgsaveCommand(c *Ctx) {
	schedule := false
	if len(c.Args) > 1 {
		if len(c.Args) > 2 || !tokenIs(c.Args[1], "schedule") {
			c.W.Error(resp.ErrSyntax)
			return
		}
		schedule = true
	}
	if persistenceOff(c) {
		return
	}
	reply, err := c.Persist.BackgroundSave(schedule, c.Client.InExec())
	if err != nil {
		c.W.Error(err.Error())
		return
	}
	c.W.Status(reply)
}

func bgrewriteaofCommand(c *Ctx) {
	if persistenceOff(c) {
		return
	}
	reply, err := c.Persist.RewriteLog(c.Client.InExec())
	if err != nil {
		c.W.Error(err.Error())
		return
	}
	c.W.Status(reply)
}

func lastsaveCommand(c *Ctx) {
	if c.Persist == nil {
		c.W.Int(c.Started.Unix())
		return
	}
	c.W.Int(c.Persist.LastSave())
}

// rejectForPersistence refuses, as Redis's processCommand does, a write
// command (or PING, or an EXEC that writes) while persisting fails
// (MISCONF), and any command not allowed while loading (LOADING). It
// reports whether it did.
func (e *Engine) rejectForPersistence(cl *Client, cmd *Command, flags Flag) bool {
	if e.Persist == nil || cl.replaying {
		return false
	}
	writes := flags&FlagWrite != 0 || cmd.Name == "ping" ||
		cmd.Name == "exec" && cl.tx.multi && cl.tx.flags&FlagWrite != 0
	if writes {
		if msg := e.writeError(); msg != "" {
			cmd.Stats.RejectedCalls++
			e.reject(cl, cmd, msg)
			return true
		}
	}
	if cmd.Flags&FlagLoading == 0 && e.Persist.Loading() {
		cmd.Stats.RejectedCalls++
		e.reject(cl, cmd, resp.ErrLoading)
		return true
	}
	return false
}

// writeError is the MISCONF error of a write while persisting fails, or
// "".
func (e *Engine) writeError() string {
	if e.Persist == nil {
		return ""
	}
	return e.Persist.WriteError()
}

// infoPersistence writes INFO persistence: the persistence layer's
// fields, or those of a Redis that has never saved for an engine without
// one.
func infoPersistence(c *Ctx, b *infoBuilder) {
	if c.Persist != nil {
		c.Persist.Info(b.str)
		return
	}
	b.int("loading", 0)
	b.int("async_loading", 0)
	b.int("rdb_changes_since_last_save", c.KS.Stats.Dirty)
	b.int("rdb_bgsave_in_progress", 0)
	b.int("rdb_last_save_time", c.Started.Unix())
	b.str("rdb_last_bgsave_status", "ok")
	b.int("rdb_last_bgsave_time_sec", -1)
	b.int("rdb_current_bgsave_time_sec", -1)
	b.int("rdb_saves", 0)
	b.int("aof_enabled", 0)
	b.int("aof_rewrite_in_progress", 0)
	b.int("aof_rewrite_scheduled", 0)
	b.int("aof_last_rewrite_time_sec", -1)
	b.int("aof_current_rewrite_time_sec", -1)
	b.str("aof_last_bgrewrite_status", "ok")
	b.int("aof_rewrites", 0)
	b.str("aof_last_write_status", "ok")
}
