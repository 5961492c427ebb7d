package commands

import (
	"bytes"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/latency"
)

// LATENCY and INFO latencystats: Redis's latency monitor (events that
// took at least latency-monitor-threshold milliseconds, a ring of
// samples each) and its per-command latency histograms
// (latency-tracking), over the latency package's data.
//
// The events cairn records, where it does what Redis times:
//   - command, fast-command: a command's call (commandDone), fast-command
//     for the commands flagged fast; command-unblocking: the reply to a
//     blocked command when it is served;
//   - expire-cycle: the active expiry cycle of the cron (server);
//   - eviction-cycle, eviction-del: one pass of eviction towards
//     maxmemory, and one key's eviction in it (evict.go);
//   - aof-fsync-always: a commit of the log synced to disk under
//     appendfsync always, which the clients wait for (persistence).
//
// Redis's fork, rdb- and other aof- events have no counterpart: cairn
// does not fork and its log is written off the command path.

func latencyCommands() []*Command {
	admin := FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	sub := func(arity int, since, complexity, summary, syntax string, run func(*Ctx)) *Command {
		return &Command{Arity: arity, Flags: admin, Group: "server", Since: since, Complexity: complexity,
			Summary: summary, Syntax: syntax, Run: run}
	}
	help := sub(2, "2.8.13", "O(1)", "Show helpful text about the different subcommands.", "", latencyHelpCommand)
	help.Flags = FlagLoading | FlagStale
	return []*Command{
		{Name: "latency", Arity: -2, Group: "server", Since: "2.8.13", Complexity: "Depends on subcommand.",
			Summary: "A container for latency diagnostics commands",
			Subcommands: map[string]*Command{
				"doctor": sub(2, "2.8.13", "O(1)", "Return a human readable latency analysis report.", "", latencyDoctorCommand),
				"graph":  sub(3, "2.8.13", "O(1)", "Return a latency graph for the event.", "event", latencyGraphCommand),
				"histogram": sub(-2, "7.0.0", "O(N) where N is the number of commands with latency information being retrieved.",
					"Return the cumulative distribution of latencies of a subset of commands or all.", "[command [command ...]]",
					latencyHistogramCommand),
				"history": sub(3, "2.8.13", "O(1)", "Return timestamp-latency samples for the event.", "event", latencyHistoryCommand),
				"latest":  sub(2, "2.8.13", "O(1)", "Return the latest latency samples for all events.", "", latencyLatestCommand),
				"reset":   sub(-2, "2.8.13", "O(1)", "Reset latency data for one or more events.", "[event [event ...]]", latencyResetCommand),
				"help":    help,
			}},
	}
}

// latencyMonitor is the latency monitor's state. Events come from the
// command path, the cron and the log's writer, so it has a lock of its
// own.
type latencyMonitor struct {
	mu sync.Mutex
	m  latency.Monitor // guarded by mu
}

// LatencySample records that event took d, if the latency monitor is on
// and d is at least its threshold (latencyAddSampleIfNeeded). Safe from
// any goroutine.
func (e *Engine) LatencySample(event string, d time.Duration) {
	e.latencySample(e.Config.Load(), event, d)
}

func (e *Engine) latencySample(cfg *config.Config, event string, d time.Duration) {
	threshold := int64(cfg.LatencyMonitorThreshold)
	if threshold == 0 || d.Milliseconds() < threshold {
		return
	}
	l := &e.latency
	l.mu.Lock()
	l.m.Add(event, time.Now().Unix(), d.Milliseconds())
	l.mu.Unlock()
}

// latencyOn reports whether the latency monitor records anything, for
// the callers that would read the clock only for it.
func latencyOn(cfg *config.Config) bool { return cfg.LatencyMonitorThreshold > 0 }

// commandDone counts a call of cmd that took d, as Redis's call() does
// after the command: its commandstats time and latency histogram, the
// slow log and the latency monitor. Every path that times a command one
// by one ends here; the commands of a pipeline batch that share its
// clock go through settleBatch instead. The options are read after the
// command, as Redis reads them: a CONFIG SET applies to its own call.
func (e *Engine) commandDone(cl *Client, cmd *Command, args [][]byte, d time.Duration) {
	if w := cl.blocked; w != nil {
		// The command blocked: only its time so far goes to
		// commandstats now; the rest is counted when its wait ends
		// (waiter.ran), as Redis 7.0 does (adding this time again).
		cmd.Stats.add(d, false)
		w.ran = d
		w.args = make([][]byte, len(args))
		for i, a := range args {
			w.args[i] = bytes.Clone(a)
		}
		return
	}
	cfg := e.Config.Load()
	cmd.Stats.add(d, cfg.LatencyTracking)
	e.logSlow(cfg, cl, cmd, args, d)
	if latencyOn(cfg) {
		e.latencySample(cfg, commandEvent(cmd), d)
	}
}

// commandEvent is the latency monitor's event for a call of cmd.
func commandEvent(cmd *Command) string {
	if cmd.Flags&FlagFast != 0 {
		return "fast-command"
	}
	return "command"
}

func latencyLatestCommand(c *Ctx) {
	l := &c.latency
	l.mu.Lock()
	defer l.mu.Unlock()
	events := l.m.Events()
	c.W.Array(len(events))
	for _, name := range events {
		s := l.m.Series(name)
		last := s.Latest()
		c.W.Array(4)
		c.W.BulkString(name)
		c.W.Int(last.Time)
		c.W.Int(last.Millis)
		c.W.Int(s.Max)
	}
}

func latencyHistoryCommand(c *Ctx) {
	l := &c.latency
	l.mu.Lock()
	defer l.mu.Unlock()
	var samples []latency.Sample
	if s := l.m.Series(string(c.Args[2])); s != nil {
		samples = s.Samples()
	}
	c.W.Array(len(samples))
	for _, sm := range samples {
		c.W.Array(2)
		c.W.Int(sm.Time)
		c.W.Int(sm.Millis)
	}
}

func latencyGraphCommand(c *Ctx) {
	l := &c.latency
	l.mu.Lock()
	defer l.mu.Unlock()
	event := string(c.Args[2])
	s := l.m.Series(event)
	if s == nil {
		c.W.Error("ERR No samples available for event '" + event + "'")
		return
	}
	c.W.Verbatim("txt", s.Graph(event, time.Now().Unix()))
}

func latencyDoctorCommand(c *Ctx) {
	cfg := c.Config.Load()
	facts := latency.Facts{
		ThresholdMillis:   int64(cfg.LatencyMonitorThreshold),
		SlowlogSlowerThan: int64(cfg.SlowlogLogSlowerThan),
		Hz:                cfg.Hz,
		FsyncAlways:       cfg.AppendFsync == "always",
		AnonHugePages:     anonHugePages() > 0,
	}
	l := &c.latency
	l.mu.Lock()
	report := l.m.Report(facts, time.Now().Unix())
	l.mu.Unlock()
	c.W.Verbatim("txt", report)
}

// anonHugePages is the process's transparent huge pages in kB, summed
// over /proc/self/smaps as Redis's THPGetAnonHugePagesSize; 0 where
// there is no such file.
func anonHugePages() int64 {
	data, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0
	}
	var kb int64
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "AnonHugePages:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			kb += n
		}
	}
	return kb
}

func latencyResetCommand(c *Ctx) {
	events := make([]string, 0, len(c.Args)-2)
	for _, a := range c.Args[2:] {
		events = append(events, string(a))
	}
	l := &c.latency
	l.mu.Lock()
	n := 0
	if len(events) == 0 {
		n = l.m.Reset()
	} else {
		// Each name resets what it matches, as Redis adds up one
		// latencyResetEvent per name.
		for _, ev := range events {
			n += l.m.Reset(ev)
		}
	}
	l.mu.Unlock()
	c.W.Int(int64(n))
}

// latencyHistogramCommand is LATENCY HISTOGRAM [command ...]: the
// cumulative distribution of each command's latencies, of every command
// that has one, or of those named (a container stands for its
// subcommands; unknown names are left out, a name given twice is
// reported twice, as Redis does).
func latencyHistogramCommand(c *Ctx) {
	var cmds []*Command
	if len(c.Args) == 2 {
		cmds = c.commandsByName()
	} else {
		for _, a := range c.Args[2:] {
			cmd := c.lookupFullName(a)
			if cmd == nil {
				continue
			}
			cmds = append(cmds, cmd)
			subs := make([]*Command, 0, len(cmd.Subcommands))
			for _, sub := range cmd.Subcommands {
				subs = append(subs, sub)
			}
			sort.Slice(subs, func(i, j int) bool { return subs[i].Name < subs[j].Name })
			cmds = append(cmds, subs...)
		}
	}
	n := 0
	for _, cmd := range cmds {
		if cmd.Stats.latency.Count() > 0 {
			n++
		}
	}
	c.W.Map(n)
	for _, cmd := range cmds {
		h := &cmd.Stats.latency
		if h.Count() == 0 {
			continue
		}
		c.W.BulkString(cmd.Name)
		c.W.Map(2)
		c.W.BulkString("calls")
		c.W.Int(h.Count())
		c.W.BulkString("histogram_usec")
		cdf := h.CDF()
		c.W.Map(len(cdf))
		for _, b := range cdf {
			c.W.Int(b.Micros)
			c.W.Int(b.Count)
		}
	}
}

// lookupFullName finds a command by its full name, "get" or
// "config|get", in any case, as Redis's lookupCommandBySds.
func (e *Engine) lookupFullName(name []byte) *Command {
	container, sub, isSub := strings.Cut(strings.ToLower(string(name)), "|")
	cmd := e.Table[container]
	if cmd == nil || !isSub {
		return cmd
	}
	if strings.Contains(sub, "|") {
		return nil
	}
	return cmd.Subcommands[sub]
}

// commandsByName lists every command and subcommand by name, as INFO
// commandstats and latencystats list them.
func (e *Engine) commandsByName() []*Command {
	var cmds []*Command
	for _, cmd := range e.Table {
		cmds = append(cmds, cmd)
		for _, sub := range cmd.Subcommands {
			cmds = append(cmds, sub)
		}
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	return cmds
}

// infoLatencystats is INFO latencystats: the percentiles of each
// command's latencies that latency-tracking-info-percentiles asks for,
// while latency-tracking is on.
func infoLatencystats(c *Ctx, b *infoBuilder) {
	cfg := c.Config.Load()
	if !cfg.LatencyTracking {
		return
	}
	for _, cmd := range c.commandsByName() {
		if h := &cmd.Stats.latency; h.Count() > 0 {
			b.str("latency_percentiles_usec_"+cmd.Name, h.Percentiles(cfg.LatencyTrackingInfoPercentiles))
		}
	}
}

func latencyHelpCommand(c *Ctx) {
	c.Help(
		"LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"DOCTOR",
		"    Return a human readable latency analysis report.",
		"GRAPH <event>",
		"    Return an ASCII latency graph for the <event> class.",
		"HISTORY <event>",
		"    Return time-latency samples for the <event> class.",
		"LATEST",
		"    Return the latest latency samples for all events.",
		"RESET [<event> ...]",
		"    Reset latency data of one or more <event> classes.",
		"    (default: reset all data for all event classes)",
		"HISTOGRAM [COMMAND ...]",
		"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
		"    If no commands are specified then all histograms are replied.",
		"HELP",
		"    Prints this help.",
	)
}
