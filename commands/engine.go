package commands

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/resp"
)

// CommandStats are the per-command counters of INFO commandstats.
type CommandStats struct {
	Calls         int64
	Usec          int64
	RejectedCalls int64
	FailedCalls   int64
}

// Stats are the server counters INFO reports. Guarded by the keyspace lock.
type Stats struct {
	TotalCommands       int64
	TotalConnections    int64
	RejectedConnections int64
	ErrorReplies        int64
}

// Engine executes commands against the keyspace on behalf of clients.
type Engine struct {
	KS     *keyspace.Keyspace
	Config *config.Store
	Table  Table
	Log    *slog.Logger
	// Started is when the server started, for INFO uptime.
	Started time.Time
	// Shutdown stops the server; set by the server. SHUTDOWN calls it.
	Shutdown func()

	// Guarded by the keyspace lock:
	clients      map[int64]*Client
	nextClientID int64
	Stats        Stats
	ctx          Ctx
}

// NewEngine returns an engine over ks.
func NewEngine(ks *keyspace.Keyspace, cfg *config.Store, log *slog.Logger) *Engine {
	return &Engine{
		KS:      ks,
		Config:  cfg,
		Table:   NewTable(),
		Log:     log,
		Started: time.Now(),
		clients: map[int64]*Client{},
	}
}

// ErrMaxClients is the reply to a connection over the maxclients limit.
const ErrMaxClients = "ERR max number of clients reached"

// Connect registers a new client and gives it an ID, or refuses it with
// ErrMaxClients. The caller holds the keyspace lock.
func (e *Engine) Connect(cl *Client) bool {
	if len(e.clients) >= e.Config.Load().MaxClients {
		e.Stats.RejectedConnections++
		return false
	}
	e.nextClientID++
	cl.ID = e.nextClientID
	e.clients[cl.ID] = cl
	e.Stats.TotalConnections++
	return true
}

// Disconnect forgets a client. The caller holds the keyspace lock.
func (e *Engine) Disconnect(cl *Client) {
	delete(e.clients, cl.ID)
}

// Clients returns the connected clients. The caller holds the keyspace
// lock.
func (e *Engine) Clients() map[int64]*Client { return e.clients }

// Exec runs one command for cl and writes its reply to cl.W. The caller
// holds the keyspace lock.
func (e *Engine) Exec(cl *Client, args [][]byte) {
	if len(args) == 0 {
		return
	}
	start := cl.W.Len()
	errorsBefore := cl.W.Errors
	e.exec(cl, args)
	e.Stats.ErrorReplies += cl.W.Errors - errorsBefore
	switch cl.ReplyMode {
	case ReplyOff:
		cl.W.Truncate(start)
	case replySkipThis:
		cl.W.Truncate(start)
		cl.ReplyMode = ReplyOn
	case ReplySkip:
		cl.ReplyMode = replySkipThis
	}
}

func (e *Engine) exec(cl *Client, args [][]byte) {
	e.KS.Tick()
	cl.LastInteraction = time.Now()
	cmd := e.Table.Lookup(args[0])
	if cmd == nil {
		cl.W.Error(resp.ErrUnknownCommand(args[0], args[1:]))
		return
	}
	if cmd.Subcommands != nil && len(args) >= 2 {
		sub := cmd.Subcommands[lowerASCII(args[1])]
		if sub == nil {
			cmd.Stats.RejectedCalls++
			cl.W.Error(resp.ErrUnknownSubcommand(args[1], cmd.Name))
			return
		}
		cmd = sub
	}
	if !cmd.checkArity(len(args)) {
		cmd.Stats.RejectedCalls++
		cl.W.Error(resp.ErrWrongArgs(cmd.Name))
		return
	}
	if !cl.Authenticated && cmd.Flags&FlagNoAuth == 0 && e.Config.Load().RequirePass != "" {
		cmd.Stats.RejectedCalls++
		cl.W.Error(resp.ErrNoAuth)
		return
	}

	c := &e.ctx
	*c = Ctx{Engine: e, Args: args, Client: cl, DB: e.KS.DB(cl.DB), W: &cl.W, Cmd: cmd}
	cl.LastCmd = cmd.Name
	errorsBefore := cl.W.Errors
	t0 := time.Now()
	e.run(c)
	cmd.Stats.Usec += time.Since(t0).Microseconds()
	cmd.Stats.Calls++
	if cl.W.Errors != errorsBefore {
		cmd.Stats.FailedCalls++
	}
	e.Stats.TotalCommands++
}

// run calls the handler, turning a panic into an error reply so that one
// bad command cannot take the server down.
func (e *Engine) run(c *Ctx) {
	start := c.W.Len()
	defer func() {
		if r := recover(); r != nil {
			e.Log.Error("panic in command handler", "command", c.Cmd.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			c.W.Truncate(start)
			c.W.Error("ERR internal error while executing '" + c.Cmd.Name + "'")
		}
	}()
	c.Cmd.Run(c)
}

func lowerASCII(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}

// CloseIdle closes the connections of clients whose last command was
// before idleSince (the timeout option). The caller holds the keyspace
// lock.
func (e *Engine) CloseIdle(idleSince time.Time) {
	for _, cl := range e.clients {
		if cl.LastInteraction.Before(idleSince) {
			cl.kill()
		}
	}
}
