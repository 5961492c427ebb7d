package commands

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"net"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/acl"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/latency"
	"github.com/cairn-db/cairn/rdb"
	"github.com/cairn-db/cairn/resp"
)

// CommandStats are the per-command counters of INFO commandstats.
type CommandStats struct {
	Calls         int64
	Usec          int64
	RejectedCalls int64
	FailedCalls   int64
	// subUsec carries what is below a microsecond into the next add, so
	// that commands shorter than a microsecond still add up.
	subUsec time.Duration
	// latency is the command's latency histogram (LATENCY HISTOGRAM,
	// INFO latencystats), fed while latency-tracking is on.
	latency latency.Histogram
}

// add counts a call's duration d in Usec and, if hist, in the latency
// histogram. The histogram takes d in whole microseconds, as Redis
// measures it (a call under a microsecond counts as Redis's 0).
func (s *CommandStats) add(d time.Duration, hist bool) {
	s.subUsec += d
	s.Usec += int64(s.subUsec / time.Microsecond)
	s.subUsec %= time.Microsecond
	if hist {
		s.latency.Record(d.Microseconds() * 1000)
	}
}

// batch is a client's pipeline batch in progress. Reading the clock costs
// as much as a GET's own work on virtual machines, so within a batch the
// commands that run in bounded time (Command.sharesBatchClock) read no
// clock: they share the time between two readings taken by the batch's
// other commands (which must be measured on their own, since any of them
// may be slow) or by its ends, and see the time of the last reading, as
// they would see Redis's cached clock.
type batch struct {
	on bool
	// last is the clock's last reading in the batch.
	last time.Time
	// fast are the commands sharing the clock run since then.
	fast []*Command
}

// settleBatch shares the time since the last reading of b among the
// commands run since that share the clock, and makes now the last
// reading. The shares feed commandstats, the latency histograms and the
// latency monitor, not the slow log (see logSlow).
func (e *Engine) settleBatch(b *batch, now time.Time) {
	if n := len(b.fast); n > 0 {
		cfg := e.Config.Load()
		share := max(now.Sub(b.last)/time.Duration(n), 0)
		for _, cmd := range b.fast {
			cmd.Stats.add(share, cfg.LatencyTracking)
		}
		if latencyOn(cfg) {
			e.latencySample(cfg, "fast-command", share)
		}
		clear(b.fast)
		b.fast = b.fast[:0]
	}
	b.last = now
}

// BeginBatch starts a pipeline batch of cl's commands, run by Exec until
// EndBatch. The caller holds the keyspace lock.
func (e *Engine) BeginBatch(cl *Client) {
	now := e.KS.Tick()
	cl.LastInteraction = now
	cl.batch.on, cl.batch.last = true, now
	cl.Out.Claim(&cl.W)
	cl.running = true
}

// EndBatch ends cl's pipeline batch. The caller holds the keyspace lock.
func (e *Engine) EndBatch(cl *Client) {
	if len(cl.batch.fast) > 0 {
		e.settleBatch(&cl.batch, time.Now())
	}
	e.flushBroadcasts()
	cl.batch.on = false
	cl.running = false
}

// Stats are the server counters INFO reports. Guarded by the keyspace lock.
type Stats struct {
	TotalCommands       int64
	TotalConnections    int64
	RejectedConnections int64
	ErrorReplies        int64
}

// maxErrorCodes bounds the error codes INFO errorstats tracks, as Redis
// does, so that clients cannot grow the table without end.
const maxErrorCodes = 128

// pauseMode is the kind of CLIENT PAUSE in force; a later pause can only
// raise it.
type pauseMode int

const (
	pauseOff   pauseMode = iota
	pauseWrite           // write and may-replicate commands wait
	pauseAll             // every command waits
)

// pause is the CLIENT PAUSE in force. Guarded by the keyspace lock.
type pause struct {
	mode pauseMode
	// end is when the pause ends, in Unix milliseconds.
	end int64
	// wake is closed when the pause is lifted by CLIENT UNPAUSE, then
	// replaced.
	wake chan struct{}
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
	// FitClients makes room for maxclients clients in the process's open
	// files limit, as far as it can, and returns how many fit; set by the
	// server. CONFIG SET maxclients calls it.
	FitClients func(maxclients int) int
	// Persist is the persistence layer, nil to run in memory only. Set
	// before the engine serves.
	Persist Persistence
	// runID and replID identify this run of the server (INFO run_id,
	// master_replid); random, as Redis's.
	runID, replID string

	// stopped is closed by Close; stopOnce guards the close.
	stopped  chan struct{}
	stopOnce sync.Once

	// ACL are the users, changed under the keyspace lock; ACLLog, the
	// ACL LOG, has its own.
	ACL    *acl.Users
	ACLLog acl.Log

	// Guarded by the keyspace lock:
	clients      map[int64]*Client
	nextClientID int64
	Stats        Stats
	// errorStats counts error replies by error code ("ERR", "WRONGTYPE").
	errorStats map[string]int64
	// peakMemory is the highest used_memory seen by INFO and the cron.
	peakMemory int64
	pause      pause
	ctx        Ctx
	// tx holds the WATCHed keys and the EXEC in progress
	// (transactions.go).
	tx txEngine
	// pubsub holds the subscriptions (pubsub.go).
	pubsub pubsubState
	// notify is the keyspace notifications' state (notify.go).
	notify notifyState
	// monitors are the clients that sent MONITOR, in that order.
	monitors []*Client
	slowlog  slowlog
	// latency is the latency monitor (latency.go), under a lock of its
	// own.
	latency latencyMonitor
	// ApplyTLS, if set (by the server), applies the tls-* options CONFIG
	// SET changed, or gives Redis's reason why it cannot.
	ApplyTLS func(*config.Config) error
	// ApplyListen, if set (by the server), listens as the port and bind
	// options CONFIG SET changed say (before to next), or gives Redis's
	// reason why it cannot.
	ApplyListen func(before, next *config.Config) error
	// activeExpireOff is DEBUG SET-ACTIVE-EXPIRE 0: keys expire only when
	// found (ActiveExpire).
	activeExpireOff atomic.Bool
	// frames are scratch writers for pushed frames (pushFrames).
	frames [2]resp.Writer
	// blocking holds the clients blocked by list commands (blocking.go).
	blocking blocking
	// scripts is the Lua runtime and script cache behind the scripting
	// commands of Table (scripting.go).
	scripts *scripter
	// evict is the maxmemory state (evict.go).
	evict evictState
	// clientEvict is the maxmemory-clients state (clientevict.go).
	clientEvict clientEvictState
	// track is the client-side caching state (tracking.go).
	track trackingState
	// scratchString is the value of a short string argument about to be
	// stored (stringArg).
	scratchString datatypes.String
	// dumper encodes DUMP's payloads; kept because its LZF table is
	// 256 KiB.
	dumper rdb.Encoder
	// startupMemory is the heap the server held when it started serving;
	// bufferMemory and queuedMemory what the clients' buffers and
	// transactions hold, refreshed by the cron: parts of used_memory
	// (usedMemory).
	startupMemory int64
	bufferMemory  int64
	queuedMemory  int64
	// maxOutput is the most a client had pushed to it and not yet
	// written at the cron's last count (client_recent_max_output_buffer).
	maxOutput int64
}

// NewEngine returns an engine over ks.
func NewEngine(ks *keyspace.Keyspace, cfg *config.Store, log *slog.Logger) *Engine {
	e := &Engine{
		KS:         ks,
		Config:     cfg,
		Log:        log,
		Started:    time.Now(),
		runID:      randomHex(),
		replID:     randomHex(),
		stopped:    make(chan struct{}),
		clients:    map[int64]*Client{},
		errorStats: map[string]int64{},
		pause:      pause{wake: make(chan struct{})},
		pubsub:     newPubsubState(),
		evict:      evictState{wake: make(chan struct{}, 1)},
		track:      newTrackingState(),
	}
	e.scripts = newScripter()
	e.Table = newTable(e.scripts)
	e.newACL()
	ks.OnEffect(e.onEffect)
	e.applyEviction(cfg.Load())
	e.applyNotify(cfg.Load())
	return e
}

// ActiveExpire reports whether the cron's active expiry cycle is to run
// (DEBUG SET-ACTIVE-EXPIRE).
func (e *Engine) ActiveExpire() bool { return !e.activeExpireOff.Load() }

// randomHex returns 40 random hex digits, the form of Redis's run IDs.
func randomHex() string {
	var b [20]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ErrMaxClients is the reply to a connection over the maxclients limit.
const ErrMaxClients = "ERR max number of clients reached"

// Connect registers a new client and gives it an ID, or refuses it with
// ErrMaxClients. A client starts authenticated when no password is
// required at that moment. The caller holds the keyspace lock.
func (e *Engine) Connect(cl *Client) bool {
	cfg := e.Config.Load()
	if len(e.clients) >= cfg.MaxClients {
		e.Stats.RejectedConnections++
		return false
	}
	e.nextClientID++
	cl.ID = e.nextClientID
	// A client that connected while a script was busy may have
	// authenticated before it could be registered (ExecBusy).
	if cl.User == nil {
		e.setDefaultUser(cl)
	}
	e.clients[cl.ID] = cl
	e.Stats.TotalConnections++
	return true
}

// Disconnect forgets a client. The caller holds the keyspace lock.
func (e *Engine) Disconnect(cl *Client) {
	delete(e.clients, cl.ID)
	e.forgetClientMemory(cl)
	e.unwatchAll(cl)
	e.unsubscribeAll(cl)
	e.stopMonitoring(cl)
	e.disableTracking(cl)
}

// Clients returns the connected clients. The caller holds the keyspace
// lock.
func (e *Engine) Clients() map[int64]*Client { return e.clients }

// killClient closes another client's connection. It is forgotten at once,
// as Redis frees it (its watches and subscriptions with it), and commands
// it has pending do not run. The caller holds the keyspace lock.
func (e *Engine) killClient(cl *Client) {
	e.Disconnect(cl)
	cl.markKilled()
	cl.kill()
}

// Close releases the commands waiting for a CLIENT PAUSE to end without
// running them, and makes later ones fail the same way: the server is
// stopping. Blocked clients are released too, without a reply, and their
// connections closed. It may be called more than once, from any goroutine, with or
// without the keyspace lock.
func (e *Engine) Close() {
	e.stopOnce.Do(func() { close(e.stopped) })
}

func (e *Engine) isStopped() bool {
	select {
	case <-e.stopped:
		return true
	default:
		return false
	}
}

// Exec runs one command for cl and writes its reply to cl.W. The caller
// holds the keyspace lock; Exec releases it while the command waits for a
// CLIENT PAUSE to end, or is blocked (blocking.go).
func (e *Engine) Exec(cl *Client, args [][]byte) {
	if len(args) == 0 || cl.killed {
		return
	}
	if cl.ReplyMode == ReplySkip {
		cl.ReplyMode = replySkipThis
	}
	start := cl.W.Len()
	errorsBefore := cl.W.Errors
	e.trackBegin(cl)
	e.exec(cl, args)
	e.trackEnd(cl)
	start = e.afterCommand(cl, start)
	// Replies a client has not read count against its output buffer
	// limit, like the messages pushed to it.
	if cl.Out.write != nil {
		e.checkOutputLimit(cl, int64(cl.W.Len()))
		cl.unsent.Store(int64(cl.W.Len()))
		e.countClient(cl)
	}
	if n := cl.W.Errors - errorsBefore; n > 0 {
		e.Stats.ErrorReplies += n
		forEachError(cl.W.Since(start), e.countErrorCode)
	}
	// The reply is dropped if replies are off, or skipped for this
	// command. CLIENT REPLY ON and RESET turn replies on before they
	// reply, so their reply is sent; CLIENT REPLY OFF and SKIP write none.
	switch cl.ReplyMode {
	case ReplyOff, ReplySkip:
		cl.W.Truncate(start)
	case replySkipThis:
		cl.W.Truncate(start)
		cl.ReplyMode = ReplyOn
	}
}

func (e *Engine) exec(cl *Client, args [][]byte) {
	if !cl.batch.on {
		cl.LastInteraction = e.KS.Tick()
	}
	cmd := cl.lastCmd.lookup(e.Table, args[0])
	if cmd == nil {
		cl.LastCmd = ""
		e.reject(cl, nil, resp.ErrUnknownCommand(args[0], args[1:]))
		return
	}
	if cmd.Subcommands != nil && len(args) >= 2 {
		sub := cmd.Subcommands[lowerASCII(args[1])]
		if sub == nil {
			cl.LastCmd = ""
			cmd.Stats.RejectedCalls++
			e.reject(cl, nil, resp.ErrUnknownSubcommand(args[1], cmd.Name))
			return
		}
		cmd = sub
	}
	cl.LastCmd = cmd.Name
	if !cmd.checkArity(len(args)) {
		cmd.Stats.RejectedCalls++
		e.reject(cl, cmd, resp.ErrWrongArgs(cmd.Name))
		return
	}
	cfg := e.Config.Load()
	// Redis checks DEBUG's protection before authentication.
	if cmd.Flags&FlagAdmin != 0 && cmd.Name == "debug" && !debugAllowed(cfg.EnableDebugCommand, cl) {
		cmd.Stats.RejectedCalls++
		e.reject(cl, cmd, resp.ErrDebugNotAllowed)
		return
	}
	if cmd.Flags&FlagNoAuth == 0 && e.authRequired(cl) {
		cmd.Stats.RejectedCalls++
		e.reject(cl, cmd, resp.ErrNoAuth)
		return
	}
	flags := e.callFlags(cmd, args)
	if e.rejectNoMulti(cl, cmd) || e.aclRefusal(cl, cmd, args) || e.rejectForMemory(cfg, cl, cmd, flags) || e.rejectForPersistence(cl, cmd, flags) {
		return
	}
	if cl.W.Proto == 2 && cl.subscribed() && !pubsubModeAllows(cmd) {
		cmd.Stats.RejectedCalls++
		e.reject(cl, cmd, errPubsubContext(cmd.Name))
		return
	}
	if !e.waitWhilePaused(cl, cmd, flags) {
		return
	}
	if e.queueCommand(cl, cmd, args, flags) {
		return
	}

	c := &e.ctx
	*c = Ctx{Engine: e, Args: args, Client: cl, DB: e.KS.DB(cl.DB), W: &cl.W, Cmd: cmd}
	cl.argvMem = 0
	for _, a := range args {
		cl.argvMem += len(a)
	}
	errorsBefore := cl.W.Errors
	switch b := &cl.batch; {
	case !b.on:
		t0 := cl.LastInteraction // refreshed by waitWhilePaused if it waited
		e.run(c)
		e.commandDone(cl, cmd, args, time.Since(t0))
	case cmd.sharesClock && cfg.SlowlogLogSlowerThan != 0:
		e.run(c)
		b.fast = append(b.fast, cmd)
	default:
		if len(b.fast) > 0 {
			e.settleBatch(b, e.KS.Tick())
		}
		t0 := b.last
		e.run(c)
		// The command may have taken long, or released the lock while
		// it blocked: the commands after it need a new time.
		b.last = e.KS.Tick()
		e.commandDone(cl, cmd, args, b.last.Sub(t0))
	}
	cmd.Stats.Calls++
	if cl.W.Errors != errorsBefore {
		cmd.Stats.FailedCalls++
	}
	e.Stats.TotalCommands++
	cl.argvMem = 0
	if e.monitored(cl, cmd) {
		e.feedMonitors(cl, args)
	}
}

// runCounted runs c's command as a call of its own made by another command
// (a command EXEC runs, a script's redis.call), without the dispatcher's
// checks: it keeps the command's statistics, and counts its error replies
// here, taking them off the writer's count so that they do not count
// again as the outer command's.
func (e *Engine) runCounted(c *Ctx) {
	w := c.W
	start, errorsBefore := w.Len(), w.Errors
	t0 := time.Now()
	e.run(c)
	e.commandDone(c.Client, c.Cmd, c.Args, time.Since(t0))
	c.Cmd.Stats.Calls++
	if n := w.Errors - errorsBefore; n > 0 {
		c.Cmd.Stats.FailedCalls++
		e.Stats.ErrorReplies += n
		forEachError(w.Since(start), e.countErrorCode)
		w.Errors = errorsBefore
	}
	e.Stats.TotalCommands++
	if e.monitored(c.Client, c.Cmd) {
		e.feedMonitors(c.Client, c.Args)
	}
}

// debugAllowed applies the enable-debug-command option: "local" admits
// loopback clients only.
func debugAllowed(option string, cl *Client) bool {
	switch option {
	case "yes":
		return true
	case "local":
		host, _, err := net.SplitHostPort(cl.Addr)
		ip := net.ParseIP(host)
		return err == nil && ip != nil && ip.IsLoopback()
	}
	return false
}

// run calls the handler, turning a panic into an error reply so that one
// bad command cannot take the server down.
//
// When it ends, the collections it changed in place are written back to
// the keyspace (keyspace.Keyspace.FlushDirty), and, while a client
// tracks, the keys a read-only command read are remembered (trackRan;
// a panic there is turned into an error reply too).
func (e *Engine) run(c *Ctx) {
	start := c.W.Len()
	// A write is the cause of the effects it records, which keyspace
	// notifications name (notify.go); with none enabled nothing is kept.
	// Only writes: the few commands a client may send while a script is
	// busy run here without the keyspace lock, and none of them writes.
	noted := c.Cmd.Flags&FlagWrite != 0 && e.notify.flags != 0
	var outer *Command
	if noted {
		outer, e.notify.cmd = e.notify.cmd, c.Cmd
	}
	defer e.KS.FlushDirty()
	defer func() {
		if noted {
			e.notify.cmd = outer
		}
		if r := recover(); r != nil {
			e.Log.Error("panic in command handler", "command", c.Cmd.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			c.W.Truncate(start)
			c.W.Error("ERR internal error while executing '" + c.Cmd.Name + "'")
		}
	}()
	if c.Cmd.touchesKeys() && e.track.clients > 0 {
		defer e.trackRan(c, e.trackRun(c))
	}
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
// before idleSince (the timeout option). A client waiting for a CLIENT
// PAUSE to end is blocked, not idle, and is spared as Redis spares it.
// The caller holds the keyspace lock.
func (e *Engine) CloseIdle(idleSince time.Time) {
	for _, cl := range e.clients {
		if !cl.waiting && cl.LastInteraction.Before(idleSince) {
			e.killClient(cl)
		}
	}
}

// pauseClients starts or extends a CLIENT PAUSE until end (Unix ms). As in
// Redis 7.0, a pause only grows: the later end and the stronger mode win.
// The caller holds the keyspace lock.
func (e *Engine) pauseClients(end int64, mode pauseMode) {
	p := &e.pause
	p.mode = max(p.mode, mode)
	p.end = max(p.end, end)
}

// unpauseClients lifts the pause and wakes the commands waiting for it.
// The caller holds the keyspace lock.
func (e *Engine) unpauseClients() {
	if e.pause.mode == pauseOff {
		return
	}
	close(e.pause.wake)
	e.pause = pause{wake: make(chan struct{})}
}

// pausedFor reports whether a command with flags must wait for the pause
// to end, lifting a pause whose time is up. As in Redis, the pause lasts until the clock is
// past its end millisecond: the end was computed from a clock truncated to
// the millisecond, so lifting it during that millisecond would resume
// clients up to 1ms before the full timeout.
func (e *Engine) pausedFor(flags Flag) bool {
	p := &e.pause
	if p.mode == pauseOff {
		return false
	}
	if time.Now().UnixMilli() > p.end {
		e.unpauseClients()
		return false
	}
	return p.mode == pauseAll || flags&(FlagWrite|FlagMayReplicate) != 0
}

// waitWhilePaused holds cl's command back while a CLIENT PAUSE applies to
// it, with the keyspace lock released so that the server goes on serving
// the commands the pause allows. It reports false if the command must not
// run after all: its client was killed or the server is stopping. The
// caller holds the keyspace lock.
func (e *Engine) waitWhilePaused(cl *Client, cmd *Command, flags Flag) bool {
	for !e.nestedExec() && (e.pausedFor(flags) || e.pausedForExec(cl, cmd)) {
		wake := e.pause.wake
		if cl.batch.on {
			e.settleBatch(&cl.batch, time.Now())
		}
		timer := time.NewTimer(time.Until(time.UnixMilli(e.pause.end).Add(time.Millisecond)))
		cl.waiting = true
		e.KS.Unlock()
		select {
		case <-wake:
		case <-timer.C:
		case <-cl.done:
		case <-e.stopped:
		}
		timer.Stop()
		e.KS.Lock()
		cl.waiting = false
		if cl.killed || e.isStopped() {
			return false
		}
		cl.LastInteraction = e.KS.Tick()
		// The wait is no part of the batch's commands' time.
		cl.batch.last = cl.LastInteraction
	}
	return true
}

// CountError records an error reply written outside Exec (a protocol
// error) in INFO's total_error_replies and errorstats. The caller holds
// the keyspace lock.
func (e *Engine) CountError(msg string) {
	e.Stats.ErrorReplies++
	e.countErrorCode(errorCode([]byte(msg)))
}

func (e *Engine) countErrorCode(code string) {
	if _, ok := e.errorStats[code]; ok || len(e.errorStats) < maxErrorCodes {
		e.errorStats[code]++
	}
}

// errorCode is the code of an error message as Redis's afterErrorReply
// takes it: the text before the first space within 32 bytes, or "ERR".
func errorCode(msg []byte) string {
	if i := bytes.IndexByte(msg[:min(len(msg), 32)], ' '); i > 0 {
		return string(msg[:i])
	}
	return "ERR"
}

// forEachError calls fn with the code of every error in b, which holds
// complete replies as resp.Writer writes them, errors nested in
// aggregates included.
func forEachError(b []byte, fn func(code string)) {
	for len(b) > 0 {
		b = walkReply(b, fn)
	}
}

// walkReply walks the reply at the start of b and returns the rest; nil
// if b is not well formed.
func walkReply(b []byte, fn func(code string)) []byte {
	eol := bytes.Index(b, []byte("\r\n"))
	if eol < 1 {
		return nil
	}
	line, rest := b[1:eol], b[eol+2:]
	n, _ := strconv.Atoi(string(line))
	switch b[0] {
	case '-':
		fn(errorCode(line))
	case '$', '=', '!':
		if n < 0 {
			return rest
		}
		if n+2 > len(rest) {
			return nil
		}
		return rest[n+2:]
	case '*', '~', '>', '%', '|':
		if b[0] == '%' || b[0] == '|' {
			n *= 2
		}
		for i := 0; i < n && rest != nil; i++ {
			rest = walkReply(rest, fn)
		}
	}
	return rest
}

// ResetStats clears the counters CONFIG RESETSTAT resets: the server's and
// the keyspace's statistics, every command's, the error codes'. The
// caller holds the keyspace lock.
func (e *Engine) ResetStats() {
	e.Stats = Stats{}
	e.errorStats = map[string]int64{}
	e.peakMemory = 0
	e.KS.Stats.ExpiredKeys, e.KS.Stats.EvictedKeys, e.KS.Stats.KeyspaceHits, e.KS.Stats.KeyspaceMisses = 0, 0, 0, 0
	e.evict.exceededTotal = 0
	e.ACLLog.ResetCounts()
	e.clientEvict.evicted = 0
	for _, cmd := range e.Table {
		cmd.Stats = CommandStats{}
		for _, sub := range cmd.Subcommands {
			sub.Stats = CommandStats{}
		}
	}
}

// pauseEnd is the end of a pause of ms milliseconds from now, as Redis
// computes it: a sum that overflows wraps to the past, ending the pause
// at once.
func pauseEnd(now, ms int64) int64 {
	if ms > 0 && ms > math.MaxInt64-now {
		return math.MinInt64
	}
	return now + ms
}
