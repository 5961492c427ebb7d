package commands

import (
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/glob"
	"github.com/cairn-db/cairn/resp"
)

func pubsubCommands() []*Command {
	subscriber := FlagPubSub | FlagNoScript | FlagLoading | FlagStale
	shardSpec := func(last int) []KeySpec {
		return []KeySpec{{Flags: KeyNotKey, Index: 1, LastKey: last}}
	}
	introspect := FlagPubSub | FlagLoading | FlagStale
	return []*Command{
		{Name: "subscribe", Arity: -2, Flags: subscriber, Channels: ChannelsAll, Group: "pubsub", Since: "2.0.0",
			Complexity: "O(N) where N is the number of channels to subscribe to.",
			Summary:    "Listen for messages published to the given channels",
			Syntax:     "channel [channel ...]", Run: subscribeCommand},
		{Name: "unsubscribe", Arity: -1, Flags: subscriber, Group: "pubsub", Since: "2.0.0",
			Complexity: "O(N) where N is the number of clients already subscribed to a channel.",
			Summary:    "Stop listening for messages posted to the given channels",
			Syntax:     "[channel [channel ...]]", Run: unsubscribeCommand},
		{Name: "psubscribe", Arity: -2, Flags: subscriber, Channels: ChannelsAllPatterns, Group: "pubsub", Since: "2.0.0",
			Complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
			Summary:    "Listen for messages published to channels matching the given patterns",
			Syntax:     "pattern [pattern ...]", Run: psubscribeCommand},
		{Name: "punsubscribe", Arity: -1, Flags: subscriber, Group: "pubsub", Since: "2.0.0",
			Complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
			Summary:    "Stop listening for messages posted to channels matching the given patterns",
			Syntax:     "[pattern [pattern ...]]", Run: punsubscribeCommand},
		{Name: "ssubscribe", Arity: -2, Flags: subscriber, FirstKey: 1, LastKey: -1, Step: 1, KeySpecs: shardSpec(-1),
			Channels: ChannelsAll,
			Group:    "pubsub", Since: "7.0.0",
			Complexity: "O(N) where N is the number of shard channels to subscribe to.",
			Summary:    "Listen for messages published to the given shard channels",
			Syntax:     "shardchannel [shardchannel ...]", Run: ssubscribeCommand},
		{Name: "sunsubscribe", Arity: -1, Flags: subscriber, FirstKey: 1, LastKey: -1, Step: 1, KeySpecs: shardSpec(-1),
			Group: "pubsub", Since: "7.0.0",
			Complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
			Summary:    "Stop listening for messages posted to the given shard channels",
			Syntax:     "[shardchannel [shardchannel ...]]", Run: sunsubscribeCommand},
		{Name: "publish", Arity: 3, Flags: FlagPubSub | FlagLoading | FlagStale | FlagFast, Channels: ChannelFirst,
			Group: "pubsub", Since: "2.0.0",
			Complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
			Summary:    "Post a message to a channel",
			Syntax:     "channel message", Run: publishCommand},
		{Name: "spublish", Arity: 3, Flags: FlagPubSub | FlagLoading | FlagStale | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			Channels: ChannelFirst,
			KeySpecs: shardSpec(0), Group: "pubsub", Since: "7.0.0",
			Complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
			Summary:    "Post a message to a shard channel",
			Syntax:     "shardchannel message", Run: spublishCommand},
		{Name: "pubsub", Arity: -2, Group: "pubsub", Since: "2.8.0",
			Complexity: "Depends on subcommand.", Summary: "A container for Pub/Sub commands",
			Subcommands: map[string]*Command{
				"channels": {Arity: -2, Flags: introspect, Group: "pubsub", Since: "2.8.0",
					Complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
					Summary:    "List active channels", Syntax: "[pattern]", Run: pubsubChannelsCommand},
				"numsub": {Arity: -2, Flags: introspect, Group: "pubsub", Since: "2.8.0",
					Complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
					Summary:    "Get the count of subscribers for channels", Syntax: "[channel [channel ...]]",
					Run: pubsubNumsubCommand},
				"numpat": {Arity: 2, Flags: introspect, Group: "pubsub", Since: "2.8.0", Complexity: "O(1)",
					Summary: "Get the count of unique patterns pattern subscriptions", Run: pubsubNumpatCommand},
				"shardchannels": {Arity: -2, Flags: introspect, Group: "pubsub", Since: "7.0.0",
					Complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
					Summary:    "List active shard channels", Syntax: "[pattern]", Run: pubsubShardChannelsCommand},
				"shardnumsub": {Arity: -2, Flags: introspect, Group: "pubsub", Since: "7.0.0",
					Complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
					Summary:    "Get the count of subscribers for shard channels", Syntax: "[shardchannel [shardchannel ...]]",
					Run: pubsubShardNumsubCommand},
				"help": {Arity: 2, Flags: FlagLoading | FlagStale, Group: "pubsub", Since: "6.2.0", Complexity: "O(1)",
					Summary: "Show helpful text about the different subcommands", Run: pubsubHelpCommand},
			}},
	}
}

// subscribers are the clients subscribed to one channel or pattern, in
// the order they subscribed.
type subscribers []*Client

func (s subscribers) without(cl *Client) subscribers {
	for i, x := range s {
		if x == cl {
			return append(s[:i], s[i+1:]...)
		}
	}
	return s
}

// channelKind is one of the three namespaces of subscriptions: channels,
// patterns and shard channels, each with its own messages.
type channelKind struct {
	subscribe, unsubscribe, message string
	// subs is the server's table of the kind, byClient the client's own
	// subscriptions.
	subs     func(e *Engine) map[string]subscribers
	byClient func(cl *Client) *nameSet
	// count is the number the (un)subscribe replies report: Redis counts
	// channels and patterns together, shard channels apart.
	count func(cl *Client) int
}

var (
	channelsKind = &channelKind{subscribe: "subscribe", unsubscribe: "unsubscribe", message: "message",
		subs:     func(e *Engine) map[string]subscribers { return e.pubsub.channels },
		byClient: func(cl *Client) *nameSet { return &cl.subs.channels },
		count:    func(cl *Client) int { return cl.subs.channels.len() + cl.subs.patterns.len() }}
	patternsKind = &channelKind{subscribe: "psubscribe", unsubscribe: "punsubscribe", message: "pmessage",
		subs:     func(e *Engine) map[string]subscribers { return e.pubsub.patterns },
		byClient: func(cl *Client) *nameSet { return &cl.subs.patterns },
		count:    channelsKind.count}
	shardKind = &channelKind{subscribe: "ssubscribe", unsubscribe: "sunsubscribe", message: "smessage",
		subs:     func(e *Engine) map[string]subscribers { return e.pubsub.shard },
		byClient: func(cl *Client) *nameSet { return &cl.subs.shard },
		count:    func(cl *Client) int { return cl.subs.shard.len() }}
)

// pubsubState is the server's subscriptions. Guarded by the keyspace
// lock.
type pubsubState struct {
	channels, patterns, shard map[string]subscribers
	// patternOrder lists the patterns with subscribers in the order they
	// first got one, so that a client matching several sees their
	// messages in a stable order.
	patternOrder []string
}

func newPubsubState() pubsubState {
	return pubsubState{channels: map[string]subscribers{}, patterns: map[string]subscribers{}, shard: map[string]subscribers{}}
}

// nameSet is a set of names that remembers their order, with O(1)
// membership; removal moves the last name into the hole.
type nameSet struct {
	names []string
	index map[string]int
}

func (s *nameSet) len() int { return len(s.names) }

func (s *nameSet) add(name string) bool {
	if _, ok := s.index[name]; ok {
		return false
	}
	if s.index == nil {
		s.index = map[string]int{}
	}
	s.index[name] = len(s.names)
	s.names = append(s.names, name)
	return true
}

func (s *nameSet) remove(name string) bool {
	i, ok := s.index[name]
	if !ok {
		return false
	}
	last := len(s.names) - 1
	s.names[i] = s.names[last]
	s.index[s.names[i]] = i
	s.names = s.names[:last]
	delete(s.index, name)
	return true
}

// subscriptions are one client's.
type subscriptions struct {
	channels, patterns, shard nameSet
}

// subscribed reports whether the client is in pub/sub mode (Redis's
// CLIENT_PUBSUB): it has a subscription of any kind.
func (cl *Client) subscribed() bool {
	return cl.subs.channels.len()+cl.subs.patterns.len()+cl.subs.shard.len() > 0
}

// writePubsubHeader starts a pub/sub frame of n elements: an array in
// RESP2, a push in RESP3.
func writePubsubHeader(w *resp.Writer, n int) {
	if w.Proto == 3 {
		w.Push(n)
	} else {
		w.Array(n)
	}
}

// subscribe subscribes the client to each name of kind, replying for each.
func (c *Ctx) subscribe(kind *channelKind) {
	cl := c.Client
	mine := kind.byClient(cl)
	table := kind.subs(c.Engine)
	for _, arg := range c.Args[1:] {
		name := string(arg)
		if mine.add(name) {
			if kind == patternsKind && len(table[name]) == 0 {
				c.pubsub.patternOrder = append(c.pubsub.patternOrder, name)
			}
			table[name] = append(table[name], cl)
		}
		writePubsubHeader(c.W, 3)
		c.W.BulkString(kind.subscribe)
		c.W.Bulk(arg)
		c.W.Int(int64(kind.count(cl)))
	}
}

// unsubscribe removes the client's subscription to name of kind; with
// reply, it writes the unsubscribe message.
func (e *Engine) unsubscribe(cl *Client, kind *channelKind, name string, w *resp.Writer) {
	if kind.byClient(cl).remove(name) {
		table := kind.subs(e)
		if rest := table[name].without(cl); len(rest) > 0 {
			table[name] = rest
		} else {
			delete(table, name)
			if kind == patternsKind {
				e.pubsub.dropPattern(name)
			}
		}
	}
	if w != nil {
		writePubsubHeader(w, 3)
		w.BulkString(kind.unsubscribe)
		w.BulkString(name)
		w.Int(int64(kind.count(cl)))
	}
}

func (p *pubsubState) dropPattern(name string) {
	for i, n := range p.patternOrder {
		if n == name {
			p.patternOrder = append(p.patternOrder[:i], p.patternOrder[i+1:]...)
			return
		}
	}
}

// unsubscribeCommandOf is UNSUBSCRIBE, PUNSUBSCRIBE or SUNSUBSCRIBE: the
// names given, or every subscription of the kind; with none, one reply
// with a null name.
func (c *Ctx) unsubscribeCommandOf(kind *channelKind) {
	if len(c.Args) > 1 {
		for _, arg := range c.Args[1:] {
			c.unsubscribe(c.Client, kind, string(arg), c.W)
		}
		return
	}
	mine := kind.byClient(c.Client)
	if mine.len() == 0 {
		writePubsubHeader(c.W, 3)
		c.W.BulkString(kind.unsubscribe)
		c.W.Null()
		c.W.Int(int64(kind.count(c.Client)))
		return
	}
	for _, name := range append([]string(nil), mine.names...) {
		c.unsubscribe(c.Client, kind, name, c.W)
	}
}

// unsubscribeAll drops every subscription of cl without replying (RESET,
// a disconnection). The caller holds the keyspace lock.
func (e *Engine) unsubscribeAll(cl *Client) {
	for _, kind := range []*channelKind{channelsKind, patternsKind, shardKind} {
		for mine := kind.byClient(cl); mine.len() > 0; {
			e.unsubscribe(cl, kind, mine.names[mine.len()-1], nil)
		}
	}
}

// deniesSubscribe refuses a subscription in EXEC, where Redis's client
// expects one reply per command, unless the command is one Redis allows
// there for compatibility (SUBSCRIBE, PSUBSCRIBE). Scripts cannot reach
// these commands (noscript).
func (c *Ctx) deniesSubscribe(name string, allowedInMulti bool) bool {
	if allowedInMulti || !c.Client.InExec() {
		return false
	}
	c.W.Error("ERR " + name + " isn't allowed for a DENY BLOCKING client")
	return true
}

func subscribeCommand(c *Ctx) {
	if !c.deniesSubscribe("SUBSCRIBE", true) {
		c.subscribe(channelsKind)
	}
}

func psubscribeCommand(c *Ctx) {
	if !c.deniesSubscribe("PSUBSCRIBE", true) {
		c.subscribe(patternsKind)
	}
}

func ssubscribeCommand(c *Ctx) {
	if !c.deniesSubscribe("SSUBSCRIBE", false) {
		c.subscribe(shardKind)
	}
}

func unsubscribeCommand(c *Ctx)  { c.unsubscribeCommandOf(channelsKind) }
func punsubscribeCommand(c *Ctx) { c.unsubscribeCommandOf(patternsKind) }
func sunsubscribeCommand(c *Ctx) { c.unsubscribeCommandOf(shardKind) }

func publishCommand(c *Ctx) {
	c.W.Int(int64(c.Publish(c.Args[1], c.Args[2])))
}

func spublishCommand(c *Ctx) {
	c.W.Int(int64(c.publishTo(shardKind, c.Args[1], c.Args[2])))
}

// Publish sends message to the subscribers of channel and of the patterns
// matching it, and returns how many received it. The caller holds the
// keyspace lock.
func (e *Engine) Publish(channel, message []byte) int {
	return e.publishTo(channelsKind, channel, message)
}

// publishTo sends message on channel of kind (channels or shard
// channels); channels also go to the matching patterns.
func (e *Engine) publishTo(kind *channelKind, channel, message []byte) int {
	frames := e.pushFrames()
	n := 0
	for _, cl := range kind.subs(e)[string(channel)] {
		e.deliver(cl, frames.get(cl.W.Proto, func(w *resp.Writer) {
			w.BulkString(kind.message)
			w.Bulk(channel)
			w.Bulk(message)
		}, 3))
		n++
	}
	if kind != channelsKind {
		return n
	}
	for _, pattern := range e.pubsub.patternOrder {
		if !glob.Match([]byte(pattern), channel, false) {
			continue
		}
		frames = e.pushFrames()
		for _, cl := range e.pubsub.patterns[pattern] {
			e.deliver(cl, frames.get(cl.W.Proto, func(w *resp.Writer) {
				w.BulkString("pmessage")
				w.BulkString(pattern)
				w.Bulk(channel)
				w.Bulk(message)
			}, 4))
			n++
		}
	}
	return n
}

// pushFrames builds a pushed frame once per protocol, for the first
// receiver that speaks it, in the engine's scratch writers: deliver copies
// it, so they serve the next frame.
type pushFrames struct {
	w    *[2]resp.Writer
	made [2]bool
}

// pushFrames returns a builder for a new frame. The caller holds the
// keyspace lock.
func (e *Engine) pushFrames() pushFrames {
	for i := range e.frames {
		if e.frames[i].Cap() > maxKeptOutput {
			e.frames[i] = resp.Writer{}
		}
		e.frames[i].Reset()
	}
	return pushFrames{w: &e.frames}
}

func (f *pushFrames) get(proto int, body func(w *resp.Writer), n int) []byte {
	i := min(max(proto-2, 0), 1)
	w := &f.w[i]
	if !f.made[i] {
		w.Proto = proto
		writePubsubHeader(w, n)
		body(w)
		f.made[i] = true
	}
	return w.Bytes()
}

// deliver sends a pushed frame to cl: into its replies if it is running a
// batch (the frame then comes between its replies where Redis would put
// it), else through its Output, within the output buffer limit of its
// class. The caller holds the keyspace lock.
func (e *Engine) deliver(cl *Client, frame []byte) {
	// A client whose replies are off still gets its pushes, as in Redis:
	// not in its replies, which are dropped.
	if cl.running && cl.ReplyMode == ReplyOn {
		cl.W.Raw(frame)
		return
	}
	if cl.Out.write == nil || cl.killed {
		return
	}
	e.checkOutputLimit(cl, int64(cl.Out.push(frame)))
	e.countClient(cl)
}

// checkOutputLimit closes cl if what it has not read, pending bytes,
// passes its class's output buffer limit, as Redis's
// checkClientOutputBufferLimits. The caller holds the keyspace lock.
func (e *Engine) checkOutputLimit(cl *Client, pending int64) {
	class := config.ClassNormal
	if cl.subscribed() {
		class = config.ClassPubSub
	}
	limit := e.Config.Load().OutputLimits[class]
	if limit == (config.OutputLimit{}) {
		return
	}
	over := limit.Hard > 0 && pending >= limit.Hard
	if !over && limit.Soft > 0 && pending >= limit.Soft {
		now := time.Now()
		if cl.Out.softSince.IsZero() {
			cl.Out.softSince = now
		} else if now.Sub(cl.Out.softSince) > time.Duration(limit.SoftSeconds)*time.Second {
			over = true
		}
	} else if !over {
		cl.Out.softSince = time.Time{}
	}
	if over {
		e.Log.Warn("client closed for overcoming of output buffer limits", "id", cl.ID, "addr", cl.Addr, "name", cl.Name, "pending", pending)
		// As Redis's freeClientAsync: it stays subscribed until its
		// connection is gone, so that a PUBLISH going over the
		// subscribers can close one.
		delete(e.clients, cl.ID)
		cl.markKilled()
		cl.kill()
	}
}

func pubsubChannelsCommand(c *Ctx)      { c.channelList(c.pubsub.channels) }
func pubsubShardChannelsCommand(c *Ctx) { c.channelList(c.pubsub.shard) }

func (c *Ctx) channelList(table map[string]subscribers) {
	if len(c.Args) > 3 {
		c.W.Error(resp.ErrSubcommandSyntax(c.Args[1], c.Args[0]))
		return
	}
	var names [][]byte
	for name := range table {
		if len(c.Args) == 2 || glob.Match(c.Args[2], []byte(name), false) {
			names = append(names, []byte(name))
		}
	}
	c.W.Array(len(names))
	for _, n := range names {
		c.W.Bulk(n)
	}
}

func pubsubNumsubCommand(c *Ctx)      { c.numsub(c.pubsub.channels) }
func pubsubShardNumsubCommand(c *Ctx) { c.numsub(c.pubsub.shard) }

func (c *Ctx) numsub(table map[string]subscribers) {
	c.W.Array(2 * (len(c.Args) - 2))
	for _, name := range c.Args[2:] {
		c.W.Bulk(name)
		c.W.Int(int64(len(table[string(name)])))
	}
}

func pubsubNumpatCommand(c *Ctx) { c.W.Int(int64(len(c.pubsub.patterns))) }

func pubsubHelpCommand(c *Ctx) {
	c.Help(
		"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
		"HELP",
		"    Prints this help.",
	)
}

// pubsubModeAllows reports whether a RESP2 client in pub/sub mode may run
// cmd: only the (un)subscribe commands, PING, QUIT and RESET.
func pubsubModeAllows(cmd *Command) bool {
	switch cmd.Name {
	case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset":
		return true
	}
	return false
}

func errPubsubContext(name string) string {
	return "ERR Can't execute '" + name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
}
