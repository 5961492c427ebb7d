package commands

import (
	"strconv"
	"time"
)

func monitorCommands() []*Command {
	return []*Command{
		{Name: "monitor", Arity: 1, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Group: "server", Since: "1.0.0",
			Summary: "Listen for all requests received by the server in real time", Run: monitorCommand},
	}
}

// monitorCommand makes the client a monitor: from now on it is sent every
// command the server runs, as a status line. A monitor that asks again
// gets no reply, as in Redis.
func monitorCommand(c *Ctx) {
	cl := c.Client
	if cl.InExec() {
		c.W.Error("ERR MONITOR isn't allowed for DENY BLOCKING client")
		return
	}
	if cl.monitor {
		return
	}
	cl.monitor = true
	c.monitors = append(c.monitors, cl)
	c.W.OK()
}

// stopMonitoring removes cl from the monitors (RESET, a disconnection).
// The caller holds the keyspace lock.
func (e *Engine) stopMonitoring(cl *Client) {
	if !cl.monitor {
		return
	}
	cl.monitor = false
	for i, m := range e.monitors {
		if m == cl {
			e.monitors = append(e.monitors[:i], e.monitors[i+1:]...)
			break
		}
	}
}

// monitored reports whether a command that ran must be shown to the
// monitors: not when there are none, nor for administrative commands and
// those that show themselves (scripts, before they run), nor while the
// log is replayed.
func (e *Engine) monitored(cl *Client, cmd *Command) bool {
	return len(e.monitors) > 0 && cmd.Flags&(FlagAdmin|FlagSkipMonitor) == 0 && !cl.replaying
}

// feedMonitorsFirst shows a script's command (EVAL, FCALL...) to the
// monitors before it runs, whatever comes of it, so that the commands it
// runs follow it: these commands skip the feed after a command.
func (c *Ctx) feedMonitorsFirst() {
	if len(c.monitors) > 0 && !c.Client.replaying {
		c.feedMonitors(c.Client, c.Args)
	}
}

// feedMonitors sends every monitor the line Redis's replicationFeedMonitors
// writes for a command: the time, the database (the one selected after
// the command ran), the client ("lua" for a script's commands) and the
// arguments quoted, with the secrets of AUTH and HELLO redacted.
// The caller holds the keyspace lock.
func (e *Engine) feedMonitors(cl *Client, args [][]byte) {
	now := time.Now()
	line := make([]byte, 0, 64)
	line = append(line, '+')
	line = strconv.AppendInt(line, now.Unix(), 10)
	line = append(line, '.')
	us := strconv.AppendInt(nil, int64(now.Nanosecond()/1000), 10)
	for range 6 - len(us) {
		line = append(line, '0')
	}
	line = append(line, us...)
	line = append(line, " ["...)
	line = strconv.AppendInt(line, int64(cl.DB), 10)
	line = append(line, ' ')
	if cl == e.scripts.client {
		line = append(line, "lua"...)
	} else {
		line = append(line, cl.Addr...)
	}
	line = append(line, ']')
	redacted := redactedArgs(args)
	for i, a := range args {
		line = append(line, ' ')
		if redacted(i) {
			line = append(line, `"(redacted)"`...)
		} else {
			line = appendRepr(line, a)
		}
	}
	line = append(line, "\r\n"...)
	for _, m := range e.monitors {
		e.deliver(m, line)
	}
}

// redactedArgs says which arguments of a command hide a secret from the
// monitors and the slow log: AUTH's, HELLO's AUTH pair, ACL SETUSER's
// name and rules, as Redis's handlers redact them.
func redactedArgs(args [][]byte) func(i int) bool {
	none := func(int) bool { return false }
	var secret []bool
	switch {
	case tokenIs(args[0], "auth"):
		return func(i int) bool { return i > 0 }
	case tokenIs(args[0], "acl") && len(args) >= 3 && tokenIs(args[1], "setuser"):
		return func(i int) bool { return i > 1 }
	case tokenIs(args[0], "hello"):
	options:
		for i := 2; i < len(args); i++ {
			switch {
			case tokenIs(args[i], "auth") && i+2 < len(args):
				secret = markSecret(secret, len(args), i+1, i+2)
				i += 2
			case tokenIs(args[i], "setname") && i+1 < len(args):
				i++
			default:
				break options
			}
		}
	}
	if secret == nil {
		return none
	}
	return func(i int) bool { return secret[i] }
}

func markSecret(secret []bool, n int, at ...int) []bool {
	if secret == nil {
		secret = make([]bool, n)
	}
	for _, i := range at {
		secret[i] = true
	}
	return secret
}

// appendRepr appends s quoted as Redis's sdscatrepr quotes it.
func appendRepr(b, s []byte) []byte {
	b = append(b, '"')
	for _, c := range s {
		switch c {
		case '\\', '"':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\a':
			b = append(b, '\\', 'a')
		case '\b':
			b = append(b, '\\', 'b')
		default:
			if c >= ' ' && c <= '~' {
				b = append(b, c)
			} else {
				const hex = "0123456789abcdef"
				b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return append(b, '"')
}
