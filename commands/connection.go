package commands

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-db/cairn/acl"
	"github.com/cairn-db/cairn/resp"
)

// The connection group: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT and
// the CLIENT container.

// ServerVersion is the Redis version cairn answers as (HELLO, INFO, the
// redis-ver of the RDB files it exports).
const ServerVersion = "7.0.15"

func connectionCommands() []*Command {
	const (
		handshake = FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagNoAuth | FlagAllowBusy
		clientSub = FlagNoScript | FlagLoading | FlagStale
		clientAdm = FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	)
	return []*Command{
		{Name: "auth", Arity: -2, Flags: handshake, Group: "connection", Since: "1.0.0",
			Complexity: "O(N) where N is the number of passwords defined for the user",
			Summary:    "Authenticate to the server", Syntax: "[username] password", Run: authCommand},
		{Name: "client", Arity: -2, Group: "connection", Since: "2.4.0", Complexity: "Depends on subcommand.",
			Summary: "A container for client connection commands",
			Subcommands: map[string]*Command{
				"caching": {Arity: 3, Flags: clientSub, Group: "connection", Since: "6.0.0", Complexity: "O(1)",
					Summary: "Instruct the server about tracking or not keys in the next request",
					Syntax:  "<mode: YES | NO>", Run: clientCachingCommand},
				"getredir": {Arity: 2, Flags: clientSub, Group: "connection", Since: "6.0.0", Complexity: "O(1)",
					Summary: "Get tracking notifications redirection client ID if any", Run: clientGetredirCommand},
				"getname": {Arity: 2, Flags: clientSub, Group: "connection", Since: "2.6.9", Complexity: "O(1)",
					Summary: "Get the current connection name", Run: clientGetnameCommand},
				"help": {Arity: 2, Flags: FlagLoading | FlagStale, Group: "connection", Since: "5.0.0", Complexity: "O(1)",
					Summary: "Show helpful text about the different subcommands", Run: clientHelpCommand},
				"id": {Arity: 2, Flags: clientSub, Group: "connection", Since: "5.0.0", Complexity: "O(1)",
					Summary: "Returns the client ID for the current connection", Run: clientIDCommand},
				"info": {Arity: 2, Flags: clientSub, Group: "connection", Since: "6.2.0", Complexity: "O(1)",
					Summary: "Returns information about the current client connection.", Run: clientInfoCommand},
				"kill": {Arity: -3, Flags: clientAdm, Group: "connection", Since: "2.4.0",
					Complexity: "O(N) where N is the number of client connections",
					Summary:    "Kill the connection of a client",
					Syntax:     "<filter: ip:port | <new-format: [ID client-id] | [normal_master_slave_pubsub: TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME yes/no] [[ID client-id] | [normal_master_slave_pubsub: TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME yes/no] ...]>>",
					Run:        clientKillCommand},
				"list": {Arity: -2, Flags: clientAdm, Group: "connection", Since: "2.4.0",
					Complexity: "O(N) where N is the number of client connections",
					Summary:    "Get the list of client connections",
					Syntax:     "[TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [id: ID client-id [client-id ...]]",
					Run:        clientListCommand},
				"no-evict": {Arity: 3, Flags: clientAdm, Group: "connection", Since: "7.0.0", Complexity: "O(1)",
					Summary: "Set client eviction mode for the current connection",
					Syntax:  "<enabled: ON | OFF>", Run: clientNoEvictCommand},
				"pause": {Arity: -3, Flags: clientAdm, Group: "connection", Since: "2.9.50", Complexity: "O(1)",
					Summary: "Stop processing commands from clients for some time",
					Syntax:  "timeout [mode: WRITE | ALL]", Run: clientPauseCommand},
				"reply": {Arity: 3, Flags: clientSub, Group: "connection", Since: "3.2.0", Complexity: "O(1)",
					Summary: "Instruct the server whether to reply to commands",
					Syntax:  "<ON | OFF | SKIP>", Run: clientReplyCommand},
				"setinfo": {Arity: 4, Flags: clientSub, Group: "connection", Since: "7.2.0", Complexity: "O(1)",
					Summary: "Sets information specific to the client or connection.",
					Syntax:  "<attr: LIB-NAME libname | LIB-VER libver>", Run: clientSetinfoCommand},
				"setname": {Arity: 3, Flags: clientSub, Group: "connection", Since: "2.6.9", Complexity: "O(1)",
					Summary: "Set the current connection name", Syntax: "connection-name", Run: clientSetnameCommand},
				"tracking": {Arity: -3, Flags: clientSub, Group: "connection", Since: "6.0.0",
					Complexity: "O(1). Some options may introduce additional complexity.",
					Summary:    "Enable or disable server assisted client side caching support",
					Syntax:     "<status: ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]",
					Run:        clientTrackingCommand},
				"trackinginfo": {Arity: 2, Flags: clientSub, Group: "connection", Since: "6.2.0", Complexity: "O(1)",
					Summary: "Return information about server assisted client side caching for the current connection",
					Run:     clientTrackinginfoCommand},
				"unblock": {Arity: -3, Flags: clientAdm, Group: "connection", Since: "5.0.0",
					Complexity: "O(log N) where N is the number of client connections",
					Summary:    "Unblock a client blocked in a blocking command from a different connection",
					Syntax:     "client-id [TIMEOUT | ERROR]", Run: clientUnblockCommand},
				"unpause": {Arity: 2, Flags: clientAdm, Group: "connection", Since: "6.2.0",
					Complexity: "O(N) Where N is the number of paused clients",
					Summary:    "Resume processing of clients that were paused", Run: clientUnpauseCommand},
			}},
		{Name: "echo", Arity: 2, Flags: FlagLoading | FlagStale | FlagFast, Group: "connection", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Echo the given string", Syntax: "message", Run: echoCommand},
		{Name: "hello", Arity: -1, Flags: handshake, Group: "connection", Since: "6.0.0", Complexity: "O(1)",
			Summary: "Handshake with Redis",
			Syntax:  "[arguments: protover [AUTH username password] [SETNAME clientname]]", Run: helloCommand},
		{Name: "ping", Arity: -1, Flags: FlagFast, Group: "connection", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Ping the server", Syntax: "[message]", Run: pingCommand},
		{Name: "quit", Arity: -1, Flags: handshake, Group: "connection", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Close the connection", Run: quitCommand},
		{Name: "reset", Arity: 1, Flags: handshake, Group: "connection", Since: "6.2.0",
			Complexity: "O(1)", Summary: "Reset the connection", Run: resetCommand},
		{Name: "select", Arity: 2, Flags: FlagLoading | FlagStale | FlagFast, Group: "connection", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Change the selected database for the current connection",
			Syntax: "index", Run: selectCommand},
	}
}

func pingCommand(c *Ctx) {
	// A subscribed RESP2 client cannot tell a status from a message: it
	// gets a "pong" message.
	if c.W.Proto == 2 && c.Client.subscribed() && len(c.Args) <= 2 {
		c.W.Array(2)
		c.W.BulkString("pong")
		if len(c.Args) == 1 {
			c.W.BulkString("")
		} else {
			c.W.Bulk(c.Args[1])
		}
		return
	}
	switch len(c.Args) {
	case 1:
		c.W.Status("PONG")
	case 2:
		c.W.Bulk(c.Args[1])
	default:
		c.W.Error(resp.ErrWrongArgs("ping"))
	}
}

func echoCommand(c *Ctx) { c.W.Bulk(c.Args[1]) }

func quitCommand(c *Ctx) {
	c.W.OK()
	c.Client.Closing = true
}

// resetCommand restores the connection's defaults as Redis 7.0's
// clearClientConnectionState: database 0, RESP2, the default user (which
// needs a password if one is required now), no name, replies on. NO-EVICT
// and the library name and version stay. A RESET whose own reply is
// skipped (CLIENT REPLY SKIP) still has it skipped.
func resetCommand(c *Ctx) {
	cl := c.Client
	c.discardTransaction(cl)
	c.unsubscribeAll(cl)
	c.stopMonitoring(cl)
	c.disableTracking(cl)
	cl.DB = 0
	cl.W.Proto = 2
	c.setDefaultUser(cl)
	cl.Name = ""
	if cl.ReplyMode != replySkipThis {
		cl.ReplyMode = ReplyOn
	}
	c.W.Status("RESET")
}

func authCommand(c *Ctx) {
	if len(c.Args) > 3 {
		c.W.Error(resp.ErrSyntax)
		return
	}
	user, pass := []byte("default"), c.Args[1]
	if len(c.Args) == 2 {
		if c.ACL.Default.NoPass() {
			c.W.Error(resp.ErrAuthNoPassword)
			return
		}
	} else {
		user, pass = c.Args[1], c.Args[2]
	}
	if !c.authenticate(user, pass) {
		c.W.Error(resp.ErrWrongPass)
		return
	}
	c.W.OK()
}

// helloCommand is HELLO [protover [AUTH username password] [SETNAME
// clientname]]: the options are applied in order (credentials checked,
// names validated), then the client must be authenticated; then the name
// and protocol change, and the reply is written in the new protocol.
func helloCommand(c *Ctx) {
	cl := c.Client
	proto := 0
	next := 1
	if len(c.Args) >= 2 {
		v, ok := resp.ParseInt(c.Args[1])
		if !ok {
			c.W.Error(resp.ErrProtoVersion)
			return
		}
		if v < 2 || v > 3 {
			c.W.Error(resp.ErrNoProto)
			return
		}
		proto, next = int(v), 2
	}
	var name []byte
	setName := false
	for j := next; j < len(c.Args); j++ {
		more := len(c.Args) - 1 - j
		switch opt := c.Args[j]; {
		case tokenIs(opt, "auth") && more >= 2:
			// Redis 7.0 authenticates as it meets the option: a client
			// whose later options are wrong stays authenticated.
			if !c.authenticate(c.Args[j+1], c.Args[j+2]) {
				c.W.Error(resp.ErrWrongPass)
				return
			}
			j += 2
		case tokenIs(opt, "setname") && more >= 1:
			name = c.Args[j+1]
			if !validClientName(name) {
				c.W.Error(resp.ErrClientName)
				return
			}
			setName = true
			j++
		default:
			c.W.Error(resp.ErrHelloOption(opt))
			return
		}
	}
	// As in Redis, this looks at the client's own state: a client that
	// connected while a password was required must authenticate even
	// after requirepass is cleared.
	if !cl.Authenticated {
		c.W.Error(resp.ErrHelloNoAuth)
		return
	}
	if setName {
		cl.Name = string(name)
	}
	if proto != 0 {
		cl.W.Proto = proto
	}
	c.W.Map(7)
	c.W.BulkString("server")
	c.W.BulkString("redis")
	c.W.BulkString("version")
	c.W.BulkString(ServerVersion)
	c.W.BulkString("proto")
	c.W.Int(int64(cl.W.Proto))
	c.W.BulkString("id")
	c.W.Int(cl.ID)
	c.W.BulkString("mode")
	c.W.BulkString("standalone")
	c.W.BulkString("role")
	c.W.BulkString("master")
	c.W.BulkString("modules")
	c.W.Array(0)
}

func selectCommand(c *Ctx) {
	if n, ok := dbIndexArg(c, 1); ok {
		c.Client.DB = n
		c.W.OK()
	}
}

func clientIDCommand(c *Ctx) { c.W.Int(c.Client.ID) }

func clientGetnameCommand(c *Ctx) {
	if c.Client.Name == "" {
		c.W.Null()
		return
	}
	c.W.BulkString(c.Client.Name)
}

func clientSetnameCommand(c *Ctx) {
	name := c.Args[2]
	if !validClientName(name) {
		c.W.Error(resp.ErrClientName)
		return
	}
	c.Client.Name = string(name)
	c.W.OK()
}

// clientSetinfoCommand is Redis 7.2's CLIENT SETINFO, which clients such
// as redis-py and go-redis send on every connection; an empty value
// clears the attribute.
func clientSetinfoCommand(c *Ctx) {
	attr, val := c.Args[2], c.Args[3]
	var dest *string
	switch {
	case tokenIs(attr, "lib-name"):
		dest = &c.Client.LibName
	case tokenIs(attr, "lib-ver"):
		dest = &c.Client.LibVer
	default:
		c.W.Error(resp.ErrSetinfoOption(attr))
		return
	}
	if !validClientName(val) {
		c.W.Error(resp.ErrSetinfoValue(attr))
		return
	}
	*dest = string(val)
	c.W.OK()
}

func clientInfoCommand(c *Ctx) {
	c.W.Verbatim("txt", c.clientInfo(c.Client, time.Now())+"\n")
}

// clientType is the TYPE of CLIENT LIST and CLIENT KILL.
type clientType int

const (
	clientNormal clientType = iota
	clientPubSub
	clientOther // master, replica: cairn has none
)

// typ is the client's type: pubsub once it has a subscription, as
// Redis's getClientType (a monitor is a normal client).
func (cl *Client) typ() clientType {
	if cl.subscribed() {
		return clientPubSub
	}
	return clientNormal
}

// parseClientType parses a TYPE argument, writing Redis's error if it
// names no type.
func (c *Ctx) parseClientType(b []byte) (clientType, bool) {
	switch {
	case tokenIs(b, "normal"):
		return clientNormal, true
	case tokenIs(b, "pubsub"):
		return clientPubSub, true
	case tokenIs(b, "master"), tokenIs(b, "slave"), tokenIs(b, "replica"):
		return clientOther, true
	}
	c.W.Error(resp.ErrUnknownClientType(b))
	return 0, false
}

// clientListCommand is CLIENT LIST [TYPE type] | [ID id ...]: one line per
// client, oldest first.
func clientListCommand(c *Ctx) {
	now := time.Now()
	var b strings.Builder
	switch {
	case len(c.Args) == 4 && tokenIs(c.Args[2], "type"):
		typ, ok := c.parseClientType(c.Args[3])
		if !ok {
			return
		}
		c.writeClients(&b, now, func(cl *Client) bool { return cl.typ() == typ })
	case len(c.Args) > 3 && tokenIs(c.Args[2], "id"):
		for _, arg := range c.Args[3:] {
			id, ok := resp.ParseInt(arg)
			if !ok {
				c.W.Error(resp.ErrInvalidClientID)
				return
			}
			if cl := c.clients[id]; cl != nil {
				b.WriteString(c.clientInfo(cl, now))
				b.WriteByte('\n')
			}
		}
	case len(c.Args) != 2:
		c.W.Error(resp.ErrSyntax)
		return
	default:
		c.writeClients(&b, now, func(*Client) bool { return true })
	}
	c.W.Verbatim("txt", b.String())
}

// sortedClients returns the connected clients in the order they came.
func (e *Engine) sortedClients() []*Client {
	out := make([]*Client, 0, len(e.clients))
	for _, cl := range e.clients {
		out = append(out, cl)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (c *Ctx) writeClients(b *strings.Builder, now time.Time, include func(*Client) bool) {
	for _, cl := range c.sortedClients() {
		if !include(cl) {
			continue
		}
		b.WriteString(c.clientInfo(cl, now))
		b.WriteByte('\n')
	}
}

// clientInfo is a client's CLIENT LIST line, in Redis 7.2's format. Fields
// cairn has no counterpart for (fd, buffer sizes) get plausible values.
func (c *Ctx) clientInfo(cl *Client, now time.Time) string {
	flags := ""
	if cl.monitor {
		flags += "O"
	}
	if cl.subscribed() {
		flags += "P"
	}
	if cl.tx.multi {
		flags += "x"
	}
	if cl.waiting {
		flags += "b"
	}
	flags += cl.trackingFlags()
	if cl.tx.dirty {
		flags += "d"
	}
	if cl.Closing {
		flags += "c"
	}
	if cl.NoEvict {
		flags += "e"
	}
	if flags == "" {
		flags = "N"
	}
	cmd := cl.LastCmd
	if cmd == "" {
		cmd = "NULL"
	}
	const rbs = replyBufferSize
	// Other clients' reply buffers are flushed outside the keyspace lock:
	// only the caller's may be looked at; of the others', what they have
	// not written.
	rbp := int(cl.unsent.Load())
	if cl == c.Client {
		rbp = cl.W.Len()
	}
	var b strings.Builder
	b.Grow(320)
	field := func(name, val string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(val)
	}
	num := func(name string, n int64) { field(name, strconv.FormatInt(n, 10)) }
	num("id", cl.ID)
	field("addr", cl.Addr)
	field("laddr", cl.LocalAddr)
	num("fd", -1)
	field("name", cl.Name)
	num("age", int64(now.Sub(cl.Created)/time.Second))
	num("idle", int64(now.Sub(cl.LastInteraction)/time.Second))
	field("flags", flags)
	num("db", int64(cl.DB))
	num("sub", int64(cl.subs.channels.len()))
	num("psub", int64(cl.subs.patterns.len()))
	num("ssub", int64(cl.subs.shard.len()))
	num("multi", int64(cl.tx.queuedCount()))
	qbuf := cl.query.Load()
	num("qbuf", qbuf)
	num("qbuf-free", 0)
	num("argv-mem", int64(cl.argvMem))
	num("multi-mem", int64(cl.tx.mem))
	num("rbs", rbs)
	num("rbp", int64(rbp))
	num("obl", 0)
	num("oll", 0)
	omem := cl.Out.Pending()
	num("omem", int64(omem))
	// What client eviction counts, with the caller's own replies so far.
	num("tot-mem", cl.memory()-cl.unsent.Load()+int64(rbp))
	field("events", "r")
	field("cmd", cmd)
	user := ""
	if cl.User != nil {
		user = cl.User.Name
	}
	field("user", user)
	num("redir", cl.trackingRedirect())
	num("resp", int64(cl.W.Proto))
	field("lib-name", cl.LibName)
	field("lib-ver", cl.LibVer)
	return b.String()
}

// clientKillCommand is CLIENT KILL ip:port (the old form: replies OK or
// an error, and may kill the caller) or CLIENT KILL <filter value> ...
// (replies with the number killed, and spares the caller unless SKIPME
// no). The caller, if killed, is closed after its reply.
func clientKillCommand(c *Ctx) {
	var addr, laddr []byte
	var id int64
	var user *acl.User
	typ, hasType := clientNormal, false
	skipme := true
	if len(c.Args) == 3 {
		addr, skipme = c.Args[2], false
	} else {
		for i := 2; i < len(c.Args); i += 2 {
			opt, more := c.Args[i], i+1 < len(c.Args)
			if !more {
				c.W.Error(resp.ErrSyntax)
				return
			}
			val := c.Args[i+1]
			switch {
			case tokenIs(opt, "id"):
				n, ok := resp.ParseInt(val)
				if !ok || n < 1 {
					c.W.Error(resp.ErrClientIDPositive)
					return
				}
				id = n
			case tokenIs(opt, "type"):
				t, ok := c.parseClientType(val)
				if !ok {
					return
				}
				typ, hasType = t, true
			case tokenIs(opt, "addr"):
				addr = val
			case tokenIs(opt, "laddr"):
				laddr = val
			case tokenIs(opt, "user"):
				if user = c.ACL.Get(string(val)); user == nil {
					c.W.Error(resp.ErrNoSuchUser(val))
					return
				}
			case tokenIs(opt, "skipme"):
				switch {
				case tokenIs(val, "yes"):
					skipme = true
				case tokenIs(val, "no"):
					skipme = false
				default:
					c.W.Error(resp.ErrSyntax)
					return
				}
			default:
				c.W.Error(resp.ErrSyntax)
				return
			}
		}
	}
	killed := int64(0)
	self := false
	for _, cl := range c.sortedClients() {
		switch {
		case addr != nil && cl.Addr != string(addr),
			laddr != nil && cl.LocalAddr != string(laddr),
			hasType && cl.typ() != typ,
			id != 0 && cl.ID != id,
			user != nil && cl.User != user,
			cl == c.Client && skipme:
			continue
		}
		if cl == c.Client {
			self = true
		} else {
			c.killClient(cl)
		}
		killed++
	}
	switch {
	case len(c.Args) == 3 && killed == 0:
		c.W.Error(resp.ErrNoSuchClient)
	case len(c.Args) == 3:
		c.W.OK()
	default:
		c.W.Int(killed)
	}
	if self {
		c.Client.Closing = true
	}
}

// clientPauseCommand is CLIENT PAUSE timeout [WRITE | ALL]. Every client,
// the caller included, is paused, as in Redis.
func clientPauseCommand(c *Ctx) {
	if len(c.Args) > 4 {
		c.W.Error(resp.ErrSubcommandSyntax(c.Args[1], c.Args[0]))
		return
	}
	mode := pauseAll
	if len(c.Args) == 4 {
		switch {
		case tokenIs(c.Args[3], "write"):
			mode = pauseWrite
		case tokenIs(c.Args[3], "all"):
			mode = pauseAll
		default:
			c.W.Error(resp.ErrPauseMode)
			return
		}
	}
	ms, ok := resp.ParseInt(c.Args[2])
	if !ok {
		c.W.Error(resp.ErrTimeout)
		return
	}
	if ms < 0 {
		c.W.Error(resp.ErrTimeoutNegative)
		return
	}
	c.pauseClients(pauseEnd(time.Now().UnixMilli(), ms), mode)
	c.W.OK()
}

func clientUnpauseCommand(c *Ctx) {
	c.unpauseClients()
	c.W.OK()
}

// clientReplyCommand is CLIENT REPLY ON | OFF | SKIP. Only ON replies;
// SKIP does nothing while replies are off. Exec applies the mode.
func clientReplyCommand(c *Ctx) {
	cl := c.Client
	switch arg := c.Args[2]; {
	case tokenIs(arg, "on"):
		cl.ReplyMode = ReplyOn
		c.W.OK()
	case tokenIs(arg, "off"):
		cl.ReplyMode = ReplyOff
	case tokenIs(arg, "skip"):
		if cl.ReplyMode != ReplyOff {
			cl.ReplyMode = ReplySkip
		}
	default:
		c.W.Error(resp.ErrSyntax)
	}
}

func clientNoEvictCommand(c *Ctx) {
	switch arg := c.Args[2]; {
	case tokenIs(arg, "on"):
		c.Client.NoEvict = true
	case tokenIs(arg, "off"):
		c.Client.NoEvict = false
	default:
		c.W.Error(resp.ErrSyntax)
		return
	}
	c.W.OK()
}

// clientHelpCommand lists the subcommands cairn implements, in Redis's
// words.
func clientHelpCommand(c *Ctx) {
	c.Help(
		"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CACHING (YES|NO)",
		"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
		"GETREDIR",
		"    Return the client ID we are redirecting to when tracking is enabled.",
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"UNPAUSE",
		"    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Suspend all, or just write, clients for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]",
		"    Unblock the specified blocked client.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
		"         [OPTIN] [OPTOUT] [NOLOOP]",
		"    Control server assisted client side caching.",
		"TRACKINGINFO",
		"    Report tracking status for the current connection.",
		"SETINFO <option> <value>",
		"    Set client meta attr. Options are:",
		"    * LIB-NAME: the client lib name.",
		"    * LIB-VER: the client lib version.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
		"HELP",
		"    Prints this help.",
	)
}
