package commands

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/cairn-db/cairn/acl"
	"github.com/cairn-db/cairn/resp"
)

// The ACL command and the engine's side of access control: every command
// a client runs, queues, or has a script run is checked against its
// user's rules (the acl package), from the command table's categories
// and key specs.

func aclCommands() []*Command {
	const (
		adm = FlagAdmin | FlagNoScript | FlagLoading | FlagStale
		usr = FlagNoScript | FlagLoading | FlagStale
	)
	const users = "O(N). Where N is the number of configured users."
	return []*Command{{Name: "acl", Arity: -2, Group: "server", Since: "6.0.0", Complexity: "Depends on subcommand.",
		// Redis's summary ends with a space.
		Summary: "A container for Access List Control commands ",
		Subcommands: map[string]*Command{
			"cat": {Arity: -2, Flags: usr, Group: "server", Since: "6.0.0",
				Complexity: "O(1) since the categories and commands are a fixed set.",
				Summary:    "List the ACL categories or the commands inside a category", Syntax: "[categoryname]",
				Run: aclCatCommand},
			"deluser": {Arity: -3, Flags: adm, Group: "server", Since: "6.0.0",
				Complexity: "O(1) amortized time considering the typical user.",
				Summary:    "Remove the specified ACL users and the associated rules", Syntax: "username [username ...]",
				Run: aclDeluserCommand},
			"dryrun": {Arity: -4, Flags: adm, Group: "server", Since: "7.0.0", Complexity: "O(1).",
				Summary: "Returns whether the user can execute the given command without executing the command.",
				Syntax:  "username command [arg [arg ...]]", Run: aclDryrunCommand},
			"genpass": {Arity: -2, Flags: usr, Group: "server", Since: "6.0.0", Complexity: "O(1)",
				Summary: "Generate a pseudorandom secure password to use for ACL users", Syntax: "[bits]",
				Run: aclGenpassCommand},
			"getuser": {Arity: 3, Flags: adm, Group: "server", Since: "6.0.0",
				Complexity: "O(N). Where N is the number of password, command and pattern rules that the user has.",
				Summary:    "Get the rules for a specific ACL user", Syntax: "username", Run: aclGetuserCommand},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, Group: "server", Since: "6.0.0", Complexity: "O(1)",
				Summary: "Show helpful text about the different subcommands", Run: aclHelpCommand},
			"list": {Arity: 2, Flags: adm, Group: "server", Since: "6.0.0", Complexity: users,
				Summary: "List the current ACL rules in ACL config file format", Run: aclListCommand},
			"load": {Arity: 2, Flags: adm, Group: "server", Since: "6.0.0", Complexity: users,
				Summary: "Reload the ACLs from the configured ACL file", Run: aclLoadCommand},
			"log": {Arity: -2, Flags: adm, Group: "server", Since: "6.0.0",
				Complexity: "O(N) with N being the number of entries shown.",
				Summary:    "List latest events denied because of ACLs in place", Syntax: "[operation: count | RESET]",
				Run: aclLogCommand},
			"save": {Arity: 2, Flags: adm, Group: "server", Since: "6.0.0", Complexity: users,
				Summary: "Save the current ACL rules in the configured ACL file", Run: aclSaveCommand},
			"setuser": {Arity: -3, Flags: adm, Group: "server", Since: "6.0.0",
				Complexity: "O(N). Where N is the number of rules provided.",
				Summary:    "Modify or create the rules for a specific ACL user", Syntax: "username [rule [rule ...]]",
				Run: aclSetuserCommand},
			"users": {Arity: 2, Flags: adm, Group: "server", Since: "6.0.0", Complexity: users,
				Summary: "List the username of all the configured ACL rules", Run: aclUsersCommand},
			"whoami": {Arity: 2, Flags: usr, Group: "server", Since: "6.0.0", Complexity: "O(1)",
				Summary: "Return the name of the user associated to the current connection", Run: aclWhoamiCommand},
		},
	}}
}

// aclCommand is cmd as the ACL rules know it; group is its group, or its
// container's.
func aclCommand(cmd *Command, group string) *acl.Command {
	return &acl.Command{Name: cmd.Name, Categories: aclCategories(cmd, group), NoAuth: cmd.Flags&FlagNoAuth != 0}
}

// newACL numbers the table's commands for the rules and gives the engine
// its users: "default" alone, whose password is requirepass.
func (e *Engine) newACL() {
	top := make([]*acl.Command, 0, len(e.Table))
	for _, cmd := range e.Table {
		top = append(top, cmd.acl)
	}
	e.ACL = acl.NewUsers(acl.NewCatalog(top))
	cfg := e.Config.Load()
	e.ACL.PubsubAllChannels = cfg.ACLPubsubDefault == "allchannels"
	e.ACL.SetDefaultPassword(cfg.RequirePass)
}

// LoadUsers loads the users the configuration declares: its user lines,
// or its ACL file (not both, as in Redis). Called once, before clients.
func (e *Engine) LoadUsers() error {
	cfg := e.Config.Load()
	if cfg.ACLFile != "" && len(cfg.Users) > 0 {
		return errors.New("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.")
	}
	if err := e.ACL.Configure(cfg.Users); err != nil {
		return err
	}
	if cfg.ACLFile != "" {
		if _, err := e.ACL.LoadFile(cfg.ACLFile); err != nil {
			return fmt.Errorf("Aborting startup because of ACL errors: %v", err)
		}
	}
	for _, name := range e.ACL.Names() {
		if u := e.ACL.Get(name); !u.Enabled() {
			e.Log.Info(fmt.Sprintf("The user '%s' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.", name))
		}
	}
	return nil
}

// authRequired reports whether cl must authenticate before running
// commands other than AUTH and HELLO.
func (e *Engine) authRequired(cl *Client) bool { return !cl.Authenticated && !e.ACL.Open() }

// setDefaultUser puts cl back to the default user, authenticated if that
// needs no password (Redis's clientSetDefaultAuth).
func (e *Engine) setDefaultUser(cl *Client) {
	cl.User = e.ACL.Default
	cl.Authenticated = e.ACL.Open()
}

// checkACL checks a command call of cl against u's rules (cl's own
// user, or a script's caller's).
func checkACL(cl *Client, u *acl.User, cmd *Command, args [][]byte) (acl.Denial, int) {
	if u == nil || u.Unrestricted() {
		return acl.Allowed, 0
	}
	r := cl.aclRequest(cmd, args)
	return u.Check(&r)
}

// readsAllKeys reports whether the client's user may read any key with the
// command running (SORT's BY and GET).
func (c *Ctx) readsAllKeys() bool {
	u := c.Client.User
	if u == nil || u.Unrestricted() {
		return true
	}
	r := c.Client.aclRequest(c.Cmd, c.Args)
	return u.ReadsAllKeys(&r)
}

// aclRequest is a command call as the rules see it: its keys, with what
// it does with them, and its channels, in buffers of cl's.
func (cl *Client) aclRequest(cmd *Command, args [][]byte) acl.Request {
	r := acl.Request{Cmd: cmd.acl, Args: args}
	keys := cl.aclKeys[:0]
	if cmd.Keys != nil || cmd.FirstKey > 0 {
		flags := keyFlagsAt(cmd, args)
		cl.aclPositions = cmd.appendKeyPositions(cl.aclPositions[:0], args)
		for _, p := range cl.aclPositions {
			keys = appendACLKey(keys, p, flags.at(p))
		}
	}
	cl.aclKeys, r.Keys = keys, keys
	chans := cl.aclChannels[:0]
	switch cmd.Channels {
	case ChannelFirst:
		chans = append(chans, acl.Channel{Pos: 1})
	case ChannelsAll, ChannelsAllPatterns:
		for i := 1; i < len(args); i++ {
			chans = append(chans, acl.Channel{Pos: i, Pattern: cmd.Channels == ChannelsAllPatterns})
		}
	}
	cl.aclChannels, r.Channels = chans, chans
	return r
}

// appendACLKey adds a key with the flags of its key spec: what it reads
// and writes. A shard channel is declared as a key that is not one.
func appendACLKey(keys []acl.Key, pos int, f KeyFlag) []acl.Key {
	if f&KeyNotKey != 0 {
		return keys
	}
	return append(keys, acl.Key{Pos: pos, Read: f&KeyAccess != 0, Write: f&(KeyInsert|KeyDelete|KeyUpdate) != 0})
}

// aclRefusal refuses a command cl's user may not run, and reports
// whether it did.
func (e *Engine) aclRefusal(cl *Client, cmd *Command, args [][]byte) bool {
	msg := e.aclDenial(cl, cmd, args)
	if msg == "" {
		return false
	}
	cmd.Stats.RejectedCalls++
	e.reject(cl, cmd, msg)
	return true
}

// aclDenial checks a command cl sends against its user's rules and, if
// they do not allow it, logs the denial and returns the error that
// refuses it; "" if they do.
func (e *Engine) aclDenial(cl *Client, cmd *Command, args [][]byte) string {
	d, pos := checkACL(cl, cl.User, cmd, args)
	if d == acl.Allowed {
		return ""
	}
	ctx := acl.TopLevel
	if cl.tx.multi {
		ctx = acl.Multi
	}
	e.logDenial(cl, d, ctx, cmd, args, pos)
	if d == acl.DeniedCommand {
		return "NOPERM this user has no permissions to run the '" + cmd.Name + "' command"
	}
	return denialTexts[d].refusal
}

// denialTexts are Redis's words for each denial a check gives: the error
// that refuses a command (but a command's, which names it), the end of a
// script's error (getAclErrorMessage), and EXEC's reason for a queued
// command the rules no longer allow.
var denialTexts = [...]struct{ refusal, script, exec string }{
	acl.DeniedCommand: {"", "can't run this command or subcommand",
		"no permission to execute the command or subcommand"},
	acl.DeniedKey: {"NOPERM this user has no permissions to access one of the keys used as arguments",
		"can't access at least one of the keys mentioned in the command arguments",
		"no permission to touch the specified keys"},
	acl.DeniedChannel: {"NOPERM this user has no permissions to access one of the channels used as arguments",
		"can't publish to the channel mentioned in the command",
		"no permission to access one of the channels used as arguments"},
}

// logDenial adds a denial of a command cl sent, or a script it called
// sent, to the ACL log.
func (e *Engine) logDenial(cl *Client, d acl.Denial, ctx acl.Context, cmd *Command, args [][]byte, pos int) {
	object := cmd.Name
	if d == acl.DeniedKey || d == acl.DeniedChannel {
		object = string(args[pos])
	}
	e.ACLLog.Add(acl.Entry{Reason: d, Context: ctx, Object: object, Username: cl.User.Name,
		Updated: time.Now(), ClientInfo: e.clientLine(cl)}, e.Config.Load().ACLLogMaxLen)
}

// logFailedAuth adds a failed AUTH or HELLO to the ACL log.
func (e *Engine) logFailedAuth(cl *Client, command []byte, user []byte) {
	ctx := acl.TopLevel
	if cl.tx.multi {
		ctx = acl.Multi
	}
	e.ACLLog.Add(acl.Entry{Reason: acl.DeniedAuth, Context: ctx, Object: string(command), Username: string(user),
		Updated: time.Now(), ClientInfo: e.clientLine(cl)}, e.Config.Load().ACLLogMaxLen)
}

func (e *Engine) clientLine(cl *Client) string {
	c := &Ctx{Engine: e, Client: cl}
	return c.clientInfo(cl, time.Now())
}

// closeClientsOf closes the connections authenticated as users that no
// longer exist, after putting them back to the default user, as Redis
// does; the caller's once its reply is sent.
func (c *Ctx) closeClientsOf(gone []*acl.User) {
	for _, cl := range c.sortedClients() {
		for _, u := range gone {
			if cl.User != u {
				continue
			}
			cl.User, cl.Authenticated = c.ACL.Default, false
			if cl == c.Client {
				cl.Closing = true
			} else {
				c.killClient(cl)
			}
		}
	}
}

// authenticate checks a username and password and authenticates the
// client as that user if they match; a failure is logged.
func (c *Ctx) authenticate(user, pass []byte) bool {
	u := c.ACL.Get(string(user))
	if u == nil || !u.CheckPassword(pass) {
		c.logFailedAuth(c.Client, c.Args[0], user)
		return false
	}
	c.Client.User, c.Client.Authenticated = u, true
	return true
}

func aclSetuserCommand(c *Ctx) {
	name := string(c.Args[2])
	if !acl.ValidName(name) {
		c.W.Error("ERR Usernames can't contain spaces or null characters")
		return
	}
	rules := make([]string, len(c.Args)-3)
	for i, a := range c.Args[3:] {
		rules[i] = string(a)
	}
	u, was, err := c.ACL.SetUser(name, rules)
	var unmatched *acl.ErrUnmatched
	var rule *acl.RuleError
	switch {
	case errors.As(err, &unmatched):
		c.W.Error(fmt.Sprintf("ERR Unmatched parenthesis in acl selector starting at '%s'.", rules[unmatched.At]))
		return
	case errors.As(err, &rule):
		c.W.Error(fmt.Sprintf("ERR Error in ACL SETUSER modifier '%s': %s", rule.Rule, rule.Why))
		return
	case err != nil:
		c.W.Error("ERR " + err.Error())
		return
	}
	if was != nil && u.MayLoseChannels(was) {
		c.closeRevokedSubscribers(u)
	}
	c.W.OK()
}

// closeRevokedSubscribers closes the subscribers authenticated as u that
// are subscribed to what u's rules no longer allow.
func (c *Ctx) closeRevokedSubscribers(u *acl.User) {
	for _, cl := range c.sortedClients() {
		if cl.User != u || !cl.subscribed() {
			continue
		}
		revoked := false
		check := func(names *nameSet, pattern bool) {
			for _, n := range names.names {
				revoked = revoked || !u.ChannelAllowed([]byte(n), pattern)
			}
		}
		check(&cl.subs.channels, false)
		check(&cl.subs.patterns, true)
		check(&cl.subs.shard, false)
		if !revoked {
			continue
		}
		if cl == c.Client {
			cl.Closing = true
		} else {
			c.killClient(cl)
		}
	}
}

func aclDeluserCommand(c *Ctx) {
	names := make([]string, len(c.Args)-2)
	for i, a := range c.Args[2:] {
		if string(a) == "default" {
			c.W.Error("ERR The 'default' user cannot be removed")
			return
		}
		names[i] = string(a)
	}
	gone := c.ACL.Delete(names)
	c.closeClientsOf(gone)
	c.W.Int(int64(len(gone)))
}

func aclGetuserCommand(c *Ctx) {
	u := c.ACL.Get(string(c.Args[2]))
	if u == nil {
		c.W.Null()
		return
	}
	info := c.ACL.Info(u)
	c.W.Map(6)
	c.W.BulkString("flags")
	c.W.Set(len(info.Flags))
	for _, f := range info.Flags {
		c.W.BulkString(f)
	}
	c.W.BulkString("passwords")
	c.W.BulkStrings(info.Passwords)
	writeSelector(c.W, info.Root)
	c.W.BulkString("selectors")
	c.W.Array(len(info.Selectors))
	for _, s := range info.Selectors {
		c.W.Map(3)
		writeSelector(c.W, s)
	}
}

func writeSelector(w *resp.Writer, s acl.Selector) {
	w.BulkString("commands")
	w.BulkString(s.Commands)
	w.BulkString("keys")
	w.BulkString(s.Keys)
	w.BulkString("channels")
	w.BulkString(s.Channels)
}

func aclListCommand(c *Ctx) {
	c.W.BulkStrings(c.ACL.Lines())
}

func aclUsersCommand(c *Ctx) {
	c.W.BulkStrings(c.ACL.Names())
}

func aclWhoamiCommand(c *Ctx) {
	if c.Client.User == nil {
		c.W.Null()
		return
	}
	c.W.BulkString(c.Client.User.Name)
}

// errNoACLFile is ACL LOAD's and SAVE's error without an aclfile.
const errNoACLFile = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."

func aclLoadCommand(c *Ctx) {
	path := c.Config.Load().ACLFile
	if path == "" {
		c.W.Error(errNoACLFile)
		return
	}
	replaced, err := c.ACL.LoadFile(path)
	if err != nil {
		c.W.Error("ERR " + err.Error())
		return
	}
	c.closeClientsOf(replaced)
	c.W.OK()
}

func aclSaveCommand(c *Ctx) {
	path := c.Config.Load().ACLFile
	if path == "" {
		c.W.Error(errNoACLFile)
		return
	}
	if err := c.ACL.Save(path); err != nil {
		c.Log.Warn("ACL SAVE failed", "path", path, "err", err)
		c.W.Error("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
		return
	}
	c.W.OK()
}

func aclCatCommand(c *Ctx) {
	if len(c.Args) > 3 {
		c.W.Error(resp.ErrSubcommandSyntax(c.Args[1], c.Args[0]))
		return
	}
	if len(c.Args) == 2 {
		c.W.BulkStrings(acl.CategoryNames())
		return
	}
	cat, ok := acl.CategoryByName(string(c.Args[2]))
	if !ok {
		name := c.Args[2]
		if len(name) > 128 {
			name = name[:128]
		}
		c.W.Error(fmt.Sprintf("ERR Unknown category '%s'", name))
		return
	}
	c.W.BulkStrings(c.ACL.Catalog().InCategory(cat))
}

// genpassMaxBits is the longest password ACL GENPASS makes.
const genpassMaxBits = 4096

func aclGenpassCommand(c *Ctx) {
	if len(c.Args) > 3 {
		c.W.Error(resp.ErrSubcommandSyntax(c.Args[1], c.Args[0]))
		return
	}
	bits := int64(256)
	if len(c.Args) == 3 {
		n, ok := resp.ParseInt(c.Args[2])
		if !ok {
			c.W.Error(resp.ErrNotInteger)
			return
		}
		bits = n
	}
	if bits <= 0 || bits > genpassMaxBits {
		c.W.Error(fmt.Sprintf("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to %d", genpassMaxBits))
		return
	}
	chars := (bits + 3) / 4
	buf := make([]byte, (chars+1)/2)
	rand.Read(buf)
	c.W.BulkString(hex.EncodeToString(buf)[:chars])
}

func aclLogCommand(c *Ctx) {
	if len(c.Args) > 3 {
		c.W.Error(resp.ErrSubcommandSyntax(c.Args[1], c.Args[0]))
		return
	}
	count := int64(10)
	if len(c.Args) == 3 {
		if tokenIs(c.Args[2], "reset") {
			c.ACLLog.Reset()
			c.W.OK()
			return
		}
		n, ok := resp.ParseInt(c.Args[2])
		if !ok {
			c.W.Error(resp.ErrNotInteger)
			return
		}
		count = max(n, 0)
	}
	entries := c.ACLLog.Entries(int(min(count, int64(1<<30))))
	now := time.Now()
	c.W.Array(len(entries))
	for _, e := range entries {
		c.W.Map(7)
		c.W.BulkString("count")
		c.W.Int(e.Count)
		c.W.BulkString("reason")
		c.W.BulkString(e.Reason.String())
		c.W.BulkString("context")
		c.W.BulkString(e.Context.String())
		c.W.BulkString("object")
		c.W.BulkString(e.Object)
		c.W.BulkString("username")
		c.W.BulkString(e.Username)
		c.W.BulkString("age-seconds")
		c.W.Double(float64(now.Sub(e.Updated).Milliseconds()) / 1000)
		c.W.BulkString("client-info")
		c.W.BulkString(e.ClientInfo)
	}
}

func aclDryrunCommand(c *Ctx) {
	u := c.ACL.Get(string(c.Args[2]))
	if u == nil {
		c.W.Error(fmt.Sprintf("ERR User '%s' not found", c.Args[2]))
		return
	}
	args := c.Args[3:]
	// As Redis's lookupCommand: a container alone is itself (and fails
	// its arity), with an unknown subcommand nothing.
	cmd := c.Table.Lookup(args[0])
	if cmd != nil && cmd.Subcommands != nil && len(args) >= 2 {
		cmd = cmd.Subcommands[lowerASCII(args[1])]
	}
	if cmd == nil {
		c.W.Error(fmt.Sprintf("ERR Command '%s' not found", args[0]))
		return
	}
	if !cmd.checkArity(len(args)) {
		c.W.Error(resp.ErrWrongArgs(cmd.Name))
		return
	}
	switch d, pos := checkACL(c.Client, u, cmd, args); d {
	case acl.Allowed:
		c.W.OK()
	case acl.DeniedCommand:
		c.W.BulkString("This user has no permissions to run the '" + cmd.Name + "' command")
	case acl.DeniedKey:
		c.W.BulkString("This user has no permissions to access the '" + string(args[pos]) + "' key")
	default:
		c.W.BulkString("This user has no permissions to access the '" + string(args[pos]) + "' channel")
	}
}

func aclHelpCommand(c *Ctx) {
	c.Help(
		"ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CAT [<category>]",
		"    List all commands that belong to <category>, or all command categories",
		"    when no category is specified.",
		"DELUSER <username> [<username> ...]",
		"    Delete a list of users.",
		"DRYRUN <username> <command> [<arg> ...]",
		"    Returns whether the user can execute the given command without executing the command.",
		"GETUSER <username>",
		"    Get the user's details.",
		"GENPASS [<bits>]",
		"    Generate a secure 256-bit user password. The optional `bits` argument can",
		"    be used to specify a different size.",
		"LIST",
		"    Show users details in config file format.",
		"LOAD",
		"    Reload users from the ACL file.",
		"LOG [<count> | RESET]",
		"    Show the ACL log entries.",
		"SAVE",
		"    Save the current config to the ACL file.",
		"SETUSER <username> <attribute> [<attribute> ...]",
		"    Create or modify a user with the specified attributes.",
		"USERS",
		"    List all the registered usernames.",
		"WHOAMI",
		"    Return the current connection username.",
		"HELP",
		"    Prints this help.",
	)
}
