package commands

import (
	"cmp"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/resp"
)

// Client-side caching (Redis's tracking.c): CLIENT TRACKING, CACHING,
// GETREDIR and TRACKINGINFO, and the invalidation messages.
//
// A tracking client's reads are remembered by key (trackRan, after each
// read-only command run): the table maps a key to the IDs of the clients
// that read it. Every change to a key reaches onEffect, which invalidates
// it (invalidateKey): each client in its entry is sent the key, and the
// entry is dropped until the key is read again. FLUSHDB and FLUSHALL send
// every tracking client a null instead (trackFlush). Clients in BCAST
// mode are not in the table: they subscribe to key prefixes, and the keys
// changed under a prefix are collected and sent, one message per prefix,
// when the batch of commands ends (flushBroadcasts), as Redis sends them
// before it sleeps.
//
// The messages a client's own command causes are held until its reply is
// written (pending), as Redis 7.0 holds them in tracking_pending_keys: an
// EXEC's or a script's come after the whole EXEC or script. Invalidations
// go to the client itself if it speaks RESP3 (a push), or to the client
// it redirects them to: a push if that one speaks RESP3, else a pub/sub
// message on __redis__:invalidate if it is subscribed to anything.
//
// As in Redis, the table keeps the IDs of clients that stopped tracking
// or went away until their keys change: they are skipped then.

// trackingChannel is the channel RESP2 clients get invalidations on.
const trackingChannel = "__redis__:invalidate"

// clientTracking is a client's CLIENT TRACKING state. Guarded by the
// keyspace lock.
type clientTracking struct {
	// on is set by CLIENT TRACKING ON; bcast, optin, optout and noloop
	// are its options.
	on, bcast, optin, optout, noloop bool
	// caching is set by CLIENT CACHING until the next command that is not
	// a CLIENT command (in a transaction, until EXEC).
	caching bool
	// brokenRedir is set when the client it redirects to has gone.
	brokenRedir bool
	// redirect is the ID of the client the messages go to, 0 for itself.
	redirect int64
	// prefixes are the BCAST prefixes, sorted.
	prefixes []string
}

// bcastState is one BCAST prefix: the keys changed under it since the
// last broadcast, each with the client whose command changed it last (for
// NOLOOP), and the clients subscribed to it.
type bcastState struct {
	keys    map[string]*Client
	clients []*Client
}

// trackingState is the server's side of client-side caching. Guarded by
// the keyspace lock.
type trackingState struct {
	// clients counts the clients with tracking on (tracking_clients).
	clients int
	// keys maps a key read by tracking clients to their IDs, in
	// raxIDOrder;
	// items is the number of IDs in it.
	keys  map[string][]int64
	items int64
	// prefixes are the BCAST prefixes; bcastKeys is set when one of them
	// has keys to send.
	prefixes  map[string]*bcastState
	bcastKeys bool
	// current is the client whose command Exec is processing; depth
	// counts the commands running for it (Engine.run), nested ones
	// included: its own invalidations wait in pending while depth > 0.
	current *Client
	depth   int
	pending []pendingInvalidation
	// cmd and args are the command of a client (not a script's) being
	// run, whose keys a script's reads remember; modifier is the client
	// running a command (a script's own client inside a script), whose
	// changes NOLOOP hides from a BCAST client.
	cmd      *Command
	args     [][]byte
	modifier *Client
	// limitRuns counts the limit's runs in a row that could not bring
	// the table within tracking-table-max-keys (Redis's timeout_counter).
	limitRuns int
	// frame builds the messages.
	frame resp.Writer
}

// pendingInvalidation is a message held for the current client: a key,
// or every key (a flush).
type pendingInvalidation struct {
	key   string
	flush bool
}

// trackCall is what Engine.run saves of the tracking state for the
// command it runs, and restores after it.
type trackCall struct {
	current  *Client
	cmd      *Command
	args     [][]byte
	modifier *Client
}

func newTrackingState() trackingState {
	return trackingState{keys: map[string][]int64{}, prefixes: map[string]*bcastState{}}
}

// Command handlers.

func clientTrackingCommand(c *Ctx) {
	cl := c.Client
	var (
		redirect                     int64
		bcast, optin, optout, noloop bool
		prefixes                     []string
	)
	for j := 3; j < len(c.Args); j++ {
		more := j < len(c.Args)-1
		switch opt := c.Args[j]; {
		case tokenIs(opt, "redirect") && more:
			j++
			if redirect != 0 {
				c.W.Error("ERR A client can only redirect to a single other client")
				return
			}
			n, err := strconv.ParseInt(string(c.Args[j]), 10, 64)
			if err != nil {
				c.W.Error(resp.ErrNotInteger)
				return
			}
			if c.clients[n] == nil {
				c.W.Error("ERR The client ID you want redirect to does not exist")
				return
			}
			redirect = n
		case tokenIs(opt, "bcast"):
			bcast = true
		case tokenIs(opt, "optin"):
			optin = true
		case tokenIs(opt, "optout"):
			optout = true
		case tokenIs(opt, "noloop"):
			noloop = true
		case tokenIs(opt, "prefix") && more:
			j++
			prefixes = append(prefixes, string(c.Args[j]))
		default:
			c.W.Error(resp.ErrSyntax)
			return
		}
	}
	t := &cl.track
	switch {
	case tokenIs(c.Args[2], "on"):
		switch {
		case !bcast && len(prefixes) > 0:
			c.W.Error("ERR PREFIX option requires BCAST mode to be enabled")
			return
		case t.on && t.bcast != bcast:
			c.W.Error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
			return
		case bcast && (optin || optout):
			c.W.Error("ERR OPTIN and OPTOUT are not compatible with BCAST")
			return
		case optin && optout:
			c.W.Error("ERR You can't specify both OPTIN mode and OPTOUT mode")
			return
		case optin && t.optout || optout && t.optin:
			c.W.Error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
			return
		case bcast && !c.prefixesFit(prefixes):
			return
		}
		c.enableTracking(cl, redirect, bcast, optin, optout, noloop, prefixes)
	case tokenIs(c.Args[2], "off"):
		c.disableTracking(cl)
	default:
		c.W.Error(resp.ErrSyntax)
		return
	}
	c.W.OK()
}

// prefixesFit checks that no new prefix is a prefix of another, or of one
// the client has, as Redis's checkPrefixCollisionsOrReply, replying with
// the error if one is. Like Redis 7.0's it reports the new prefixes fit
// after an error about two of them unless the first is the first given:
// Redis then enables them and replies +OK after the error.
func (c *Ctx) prefixesFit(prefixes []string) bool {
	overlap := func(a, b string) bool { return strings.HasPrefix(a, b) || strings.HasPrefix(b, a) }
	for i, p := range prefixes {
		for _, old := range c.Client.track.prefixes {
			if overlap(old, p) {
				c.W.Error("ERR Prefix '" + string(cString([]byte(p))) + "' overlaps with an existing prefix '" + string(cString([]byte(old))) + "'. Prefixes for a single client must not overlap.")
				return false
			}
		}
		for _, q := range prefixes[i+1:] {
			if overlap(p, q) {
				c.W.Error("ERR Prefix '" + string(cString([]byte(p))) + "' overlaps with another provided prefix '" + string(cString([]byte(q))) + "'. Prefixes for a single client must not overlap.")
				return i > 0
			}
		}
	}
	return true
}

func clientCachingCommand(c *Ctx) {
	t := &c.Client.track
	if !t.on {
		c.W.Error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		return
	}
	switch opt := c.Args[2]; {
	case tokenIs(opt, "yes"):
		if !t.optin {
			c.W.Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
			return
		}
	case tokenIs(opt, "no"):
		if !t.optout {
			c.W.Error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
			return
		}
	default:
		c.W.Error(resp.ErrSyntax)
		return
	}
	t.caching = true
	c.W.OK()
}

func clientGetredirCommand(c *Ctx) {
	if t := &c.Client.track; t.on {
		c.W.Int(t.redirect)
	} else {
		c.W.Int(-1)
	}
}

func clientTrackinginfoCommand(c *Ctx) {
	t := &c.Client.track
	c.W.Map(3)
	c.W.BulkString("flags")
	flags := []string{"off"}
	if t.on {
		flags = []string{"on"}
		if t.bcast {
			flags = append(flags, "bcast")
		}
		if t.optin {
			flags = append(flags, "optin")
			if t.caching {
				flags = append(flags, "caching-yes")
			}
		}
		if t.optout {
			flags = append(flags, "optout")
			if t.caching {
				flags = append(flags, "caching-no")
			}
		}
		if t.noloop {
			flags = append(flags, "noloop")
		}
		if t.brokenRedir {
			flags = append(flags, "broken_redirect")
		}
	}
	c.W.Set(len(flags))
	for _, f := range flags {
		c.W.BulkString(f)
	}
	c.W.BulkString("redirect")
	if t.on {
		c.W.Int(t.redirect)
	} else {
		c.W.Int(-1)
	}
	c.W.BulkString("prefixes")
	c.W.BulkStrings(t.prefixes)
}

// trackingFlags are the client's flags in CLIENT LIST: t tracking, R its
// redirection broken, B broadcasting.
func (cl *Client) trackingFlags() string {
	t := &cl.track
	if !t.on {
		return ""
	}
	f := "t"
	if t.brokenRedir {
		f += "R"
	}
	if t.bcast {
		f += "B"
	}
	return f
}

// trackingRedirect is CLIENT LIST's redir: the client messages go to, 0
// for itself, -1 when not tracking.
func (cl *Client) trackingRedirect() int64 {
	if cl.track.on {
		return cl.track.redirect
	}
	return -1
}

// enableTracking turns tracking on for cl, or changes its options, as
// Redis's enableTracking: the BCAST prefixes add to those it has (the
// empty prefix if none is given), CACHING stays.
func (e *Engine) enableTracking(cl *Client, redirect int64, bcast, optin, optout, noloop bool, prefixes []string) {
	t := &cl.track
	if !t.on {
		e.track.clients++
	}
	t.on = true
	t.brokenRedir, t.bcast, t.optin, t.optout, t.noloop = false, false, false, false, false
	t.redirect = redirect
	if bcast {
		t.bcast = true
		if len(prefixes) == 0 {
			e.enableBcastPrefix(cl, "")
		}
		for _, p := range prefixes {
			e.enableBcastPrefix(cl, p)
		}
	}
	t.optin, t.optout, t.noloop = optin, optout, noloop
}

func (e *Engine) enableBcastPrefix(cl *Client, prefix string) {
	bs := e.track.prefixes[prefix]
	if bs == nil {
		bs = &bcastState{keys: map[string]*Client{}}
		e.track.prefixes[prefix] = bs
	}
	if slices.Contains(bs.clients, cl) {
		return
	}
	bs.clients = append(bs.clients, cl)
	t := &cl.track
	i, _ := slices.BinarySearch(t.prefixes, prefix)
	t.prefixes = slices.Insert(t.prefixes, i, prefix)
}

// disableTracking turns tracking off for cl (CLIENT TRACKING OFF, RESET,
// a disconnection). Its IDs stay in the table until their keys change.
// The caller holds the keyspace lock.
func (e *Engine) disableTracking(cl *Client) {
	t := &cl.track
	if t.bcast {
		for _, p := range t.prefixes {
			bs := e.track.prefixes[p]
			if bs == nil {
				continue
			}
			if i := slices.Index(bs.clients, cl); i >= 0 {
				bs.clients = slices.Delete(bs.clients, i, i+1)
			}
			if len(bs.clients) == 0 {
				delete(e.track.prefixes, p)
			}
		}
		t.prefixes = nil
	}
	if t.on {
		e.track.clients--
		*t = clientTracking{redirect: t.redirect}
	}
}

// Hooks called by the engine.

// trackBegin starts the processing of a command of cl by Exec: first, as
// Redis's processCommand, the table is brought within
// tracking-table-max-keys.
func (e *Engine) trackBegin(cl *Client) {
	e.track.current = cl
	if e.track.clients > 0 {
		e.limitTrackingTable()
	}
}

// trackEnd ends the processing of cl's command: the invalidations it
// caused for itself follow its reply, and the CACHING flag is dropped
// unless the command was a CLIENT command or is queued in a transaction.
func (e *Engine) trackEnd(cl *Client) {
	t := &e.track
	t.current = nil
	if len(t.pending) > 0 {
		pending := t.pending
		t.pending = nil
		for _, p := range pending {
			if cl.killed {
				break
			}
			if p.flush {
				e.sendTracking(cl, nullFor(cl))
			} else {
				e.sendTracking(cl, keyArray(p.key))
			}
		}
		clear(pending)
		t.pending = pending[:0]
	}
	if cl.track.caching && !cl.tx.multi && !strings.HasPrefix(cl.LastCmd, "client|") {
		cl.track.caching = false
	}
}

// touchesKeys reports whether cmd may read or change keys, or run a
// script that does: the commands tracking follows (Engine.run). The others
// include those a busy script lets run without the keyspace lock
// (serveBusy), which must not touch the tracking state; cmd's flags are
// looked at first for that reason.
func (cmd *Command) touchesKeys() bool {
	return cmd.Flags&(FlagReadonly|FlagWrite) != 0 || cmd.Group == "scripting"
}

// trackRun notes the command c is about to run (Engine.run), while some
// client tracks: the commands run while none does read nothing for a
// tracking client, and change nothing one is told of but through a BCAST
// prefix or the table, which are empty then.
func (e *Engine) trackRun(c *Ctx) trackCall {
	t := &e.track
	saved := trackCall{current: t.current, cmd: t.cmd, args: t.args, modifier: t.modifier}
	if t.depth == 0 {
		// A command that waited for a CLIENT PAUSE to end let other
		// clients' commands run meanwhile: it is current again, until
		// it ends.
		t.current = c.Client
	}
	t.depth++
	if c.Client != e.scripts.client {
		t.cmd, t.args = c.Cmd, c.Args
	}
	t.modifier = c.Client
	return saved
}

// trackRan remembers the keys a read-only command read for the tracking
// client that ran it, as Redis's call(): inside a script, the keys the
// script declared, for the client running the script. EVAL_RO, EVALSHA_RO
// and FCALL_RO remember nothing themselves, only through the reads of
// their script.
func (e *Engine) trackRan(c *Ctx, saved trackCall) {
	t := &e.track
	t.depth--
	if t.clients > 0 && c.Cmd.Flags&FlagReadonly != 0 {
		switch c.Cmd.Name {
		case "eval_ro", "evalsha_ro", "fcall_ro":
		default:
			cl, cmd, args := c.Client, c.Cmd, c.Args
			if cl == e.scripts.client {
				cl, cmd, args = t.current, t.cmd, t.args
			}
			if cl != nil && cmd != nil {
				e.rememberKeys(cl, cmd, args)
			}
		}
	}
	t.current, t.cmd, t.args, t.modifier = saved.current, saved.cmd, saved.args, saved.modifier
}

// rememberKeys records that cl read the keys of cmd (trackingRememberKeys).
func (e *Engine) rememberKeys(cl *Client, cmd *Command, args [][]byte) {
	tr := &cl.track
	if !tr.on || tr.bcast || tr.optin && !tr.caching || tr.optout && tr.caching {
		return
	}
	t := &e.track
	for _, p := range cmd.KeyPositions(args) {
		ids := t.keys[string(args[p])]
		i, found := slices.BinarySearchFunc(ids, cl.ID, raxIDOrder)
		if found {
			continue
		}
		t.keys[string(args[p])] = slices.Insert(ids, i, cl.ID)
		t.items++
	}
}

// raxIDOrder orders client IDs as Redis's table holds them: by the bytes
// of their in-memory little-endian form, which is the order their
// invalidations are sent in when several go to one client.
func raxIDOrder(a, b int64) int {
	return cmp.Compare(bits.ReverseBytes64(uint64(a)), bits.ReverseBytes64(uint64(b)))
}

// trackEffect invalidates the keys an effect changed (Engine.onEffect).
// FLUSHDB and FLUSHALL invalidate everything from their command
// (trackFlush), even when there was nothing to flush; SWAPDB invalidates
// nothing, as in Redis.
func (e *Engine) trackEffect(ef keyspace.Effect) {
	t := &e.track
	if len(t.keys) == 0 && len(t.prefixes) == 0 || len(ef.Args) == 0 {
		return
	}
	if tokenIs(ef.Args[0], "flushall") || tokenIs(ef.Args[0], "flushdb") {
		return
	}
	// An expiry or an eviction is no client's change: BCAST's NOLOOP
	// hides it from no one (Redis passes no client).
	byCommand := ef.Cause == keyspace.CauseCommand
	e.effectKeys(ef, func(_ int, k []byte) { e.invalidateKey(k, true, byCommand) }, func(int, bool) {})
}

// trackModified invalidates key for a command that changed nothing but
// that Redis's signalModifiedKey still reports (Ctx.signalUnchanged).
func (e *Engine) trackModified(key []byte) {
	if len(e.track.keys) > 0 || len(e.track.prefixes) > 0 {
		e.invalidateKey(key, true, true)
	}
}

// invalidateKey sends the invalidation of key to the clients that read it
// and forgets them; with bcast, the key is also collected for the BCAST
// prefixes it falls under (Redis's trackingInvalidateKey). byCommand
// says the running command changed it, which BCAST's NOLOOP hides from
// its client.
func (e *Engine) invalidateKey(key []byte, bcast, byCommand bool) {
	t := &e.track
	modifier := t.modifier
	if !byCommand {
		modifier = nil
	}
	if bcast && len(t.prefixes) > 0 {
		for p, bs := range t.prefixes {
			if strings.HasPrefix(string(key), p) {
				bs.keys[string(key)] = modifier
				t.bcastKeys = true
			}
		}
	}
	ids, ok := t.keys[string(key)]
	if !ok {
		return
	}
	delete(t.keys, string(key))
	t.items -= int64(len(ids))
	for _, id := range ids {
		target := e.clients[id]
		if target == nil || !target.track.on || target.track.bcast {
			continue
		}
		// Redis compares the current client here, whatever the cause.
		if target.track.noloop && target == t.current {
			continue
		}
		if target == t.current && t.depth > 0 {
			t.pending = append(t.pending, pendingInvalidation{key: string(key)})
			continue
		}
		e.sendTracking(target, keyArray(string(key)))
	}
}

// trackFlush invalidates every key for every tracking client, with a
// null, and empties the table: FLUSHDB and FLUSHALL, as Redis's
// trackingInvalidateKeysOnFlush. The caller holds the keyspace lock.
func (e *Engine) trackFlush() {
	t := &e.track
	if t.clients > 0 {
		for _, cl := range e.sortedClients() {
			if !cl.track.on {
				continue
			}
			if cl == t.current {
				t.pending = append(t.pending, pendingInvalidation{flush: true})
			} else {
				e.sendTracking(cl, nullFor(cl))
			}
		}
	}
	if len(t.keys) > 0 {
		t.keys = map[string][]int64{}
	}
	t.items = 0
}

// nullFor is the null a flush is invalidated with: in the protocol of the
// tracking client, wherever the message goes.
func nullFor(cl *Client) []byte {
	if cl.W.Proto == 3 {
		return []byte("_\r\n")
	}
	return []byte("$-1\r\n")
}

// keyArray renders the one-key array of an invalidation.
func keyArray(key string) []byte {
	b := make([]byte, 0, len(key)+16)
	b = append(b, "*1\r\n$"...)
	b = strconv.AppendInt(b, int64(len(key)), 10)
	b = append(b, "\r\n"...)
	b = append(b, key...)
	return append(b, "\r\n"...)
}

// sendTracking sends cl's invalidation message, keys being the array of
// keys (or the null) already in RESP, where cl's messages go, as Redis's
// sendTrackingMessage: to the client cl redirects to, if any, else to cl
// itself; in a push to a RESP3 client, in a message on
// __redis__:invalidate to a RESP2 client it redirects to that is
// subscribed to anything; otherwise nowhere. A RESP3 client whose
// redirection broke is told so instead.
func (e *Engine) sendTracking(cl *Client, keys []byte) {
	w := &e.track.frame
	w.Reset()
	target, redirected := cl, false
	if id := cl.track.redirect; id != 0 {
		target, redirected = e.clients[id], true
		if target == nil {
			cl.track.brokenRedir = true
			if cl.W.Proto == 3 {
				w.Proto = 3
				w.Push(2)
				w.BulkString("tracking-redir-broken")
				w.Int(id)
				e.deliver(cl, w.Bytes())
			}
			return
		}
	}
	w.Proto = target.W.Proto
	switch {
	case target.W.Proto == 3:
		w.Push(2)
		w.BulkString("invalidate")
	case redirected && target.subscribed():
		w.Array(3)
		w.BulkString("message")
		w.BulkString(trackingChannel)
	default:
		return
	}
	w.Raw(keys)
	e.deliver(target, w.Bytes())
}

// flushBroadcasts sends the BCAST clients the keys changed under their
// prefixes since the last time, one message per prefix, in the order of
// the prefixes and of the keys; a NOLOOP client is not sent the keys it
// changed itself (trackingBroadcastInvalidationMessages). The caller
// holds the keyspace lock.
func (e *Engine) flushBroadcasts() {
	t := &e.track
	if !t.bcastKeys {
		return
	}
	t.bcastKeys = false
	var names []string
	for p, bs := range t.prefixes {
		if len(bs.keys) > 0 {
			names = append(names, p)
		}
	}
	slices.Sort(names)
	for _, p := range names {
		bs := t.prefixes[p]
		keys := make([]string, 0, len(bs.keys))
		for k := range bs.keys {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		all := broadcastArray(keys, bs.keys, nil)
		for _, cl := range slices.Clone(bs.clients) {
			if !cl.track.noloop {
				e.sendTracking(cl, all)
			} else if mine := broadcastArray(keys, bs.keys, cl); mine != nil {
				e.sendTracking(cl, mine)
			}
		}
		clear(bs.keys)
	}
}

// broadcastArray renders the array of keys, without those last changed by
// except if it is not nil; nil if none is left.
func broadcastArray(keys []string, by map[string]*Client, except *Client) []byte {
	n := 0
	for _, k := range keys {
		if except == nil || by[k] != except {
			n++
		}
	}
	if n == 0 && except != nil {
		return nil
	}
	b := strconv.AppendInt([]byte{'*'}, int64(n), 10)
	b = append(b, "\r\n"...)
	for _, k := range keys {
		if except != nil && by[k] == except {
			continue
		}
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(k)), 10)
		b = append(b, "\r\n"...)
		b = append(b, k...)
		b = append(b, "\r\n"...)
	}
	return b
}

// limitTrackingTable evicts random keys from the table, invalidating
// them, while it holds more than tracking-table-max-keys, with an effort
// that grows with each run that could not bring it within the limit
// (trackingLimitUsedSlots).
func (e *Engine) limitTrackingTable() {
	t := &e.track
	limit := e.Config.Load().TrackingTableMaxKeys
	if limit == 0 {
		return
	}
	if len(t.keys) <= limit {
		t.limitRuns = 0
		return
	}
	for effort := 100 * (t.limitRuns + 1); effort > 0; effort-- {
		var key string
		for k := range t.keys {
			key = k
			break
		}
		e.invalidateKey([]byte(key), false, false)
		if len(t.keys) <= limit {
			t.limitRuns = 0
			return
		}
	}
	t.limitRuns++
}

// TrackingCron does the periodic work of client-side caching: the table
// is brought within tracking-table-max-keys even when no command comes,
// and the BCAST keys changed by expiry and eviction are sent. The caller
// holds the keyspace lock.
func (e *Engine) TrackingCron() {
	if e.track.clients > 0 {
		e.limitTrackingTable()
	}
	e.flushBroadcasts()
}

// trackingInfo are INFO's tracking_total_keys, tracking_total_items and
// tracking_total_prefixes.
func (e *Engine) trackingInfo() (keys, items, prefixes int64) {
	return int64(len(e.track.keys)), e.track.items, int64(len(e.track.prefixes))
}
