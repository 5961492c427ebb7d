package commands

import (
	"sort"
	"strings"

	"github.com/cairn-db/cairn/glob"
	"github.com/cairn-db/cairn/resp"
)

// The COMMAND family. Everything it reports is derived from the command
// table: flags, key positions, ACL categories and key specs from each
// declaration's Flags, FirstKey/LastKey/Step, Keys and Group (as Redis
// derives its implicit categories), and the COMMAND DOCS arguments from
// Syntax (syntax.go).

func introspectionCommands() []*Command {
	const flags = FlagLoading | FlagStale
	return []*Command{{
		Name: "command", Arity: -1, Flags: flags, Group: "server", Since: "2.8.13",
		Complexity: "O(N) where N is the total number of Redis commands",
		Summary:    "Get array of Redis command details",
		Run:        commandCommand,
		Subcommands: map[string]*Command{
			"count": {Arity: 2, Flags: flags, Group: "server", Since: "2.8.13", Complexity: "O(1)",
				Summary: "Get total number of Redis commands", Run: commandCountCommand},
			"docs": {Arity: -2, Flags: flags, Group: "server", Since: "7.0.0",
				Complexity: "O(N) where N is the number of commands to look up",
				Summary:    "Get array of specific Redis command documentation",
				Syntax:     "[command-name [command-name ...]]", Run: commandDocsCommand},
			"getkeys": {Arity: -4, Flags: flags, Group: "server", Since: "2.8.13",
				Complexity: "O(N) where N is the number of arguments to the command",
				Summary:    "Extract keys given a full Redis command", Run: commandGetKeysCommand},
			"getkeysandflags": {Arity: -4, Flags: flags, Group: "server", Since: "7.0.0",
				Complexity: "O(N) where N is the number of arguments to the command",
				Summary:    "Extract keys and access flags given a full Redis command", Run: commandGetKeysAndFlagsCommand},
			"help": {Arity: 2, Flags: flags, Group: "server", Since: "5.0.0", Complexity: "O(1)",
				Summary: "Show helpful text about the different subcommands", Run: commandHelpCommand},
			"info": {Arity: -2, Flags: flags, Group: "server", Since: "2.8.13",
				Complexity: "O(N) where N is the number of commands to look up",
				Summary:    "Get array of specific Redis command details, or all when no argument is given.",
				Syntax:     "[command-name [command-name ...]]", Run: commandInfoCommand},
			"list": {Arity: -2, Flags: flags, Group: "server", Since: "7.0.0",
				Complexity: "O(N) where N is the total number of Redis commands",
				Summary:    "Get an array of Redis command names",
				Syntax:     "[filterby: FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]",
				Run:        commandListCommand},
		},
	}}
}

// aclCategory is a set of Redis ACL categories.
type aclCategory uint32

// ACL categories in the order Redis lists them (ACL CAT, COMMAND INFO).
const (
	catKeyspace aclCategory = 1 << iota
	catRead
	catWrite
	catSet
	catSortedSet
	catList
	catHash
	catString
	catBitmap
	catHyperLogLog
	catGeo
	catStream
	catPubSub
	catAdmin
	catFast
	catSlow
	catBlocking
	catDangerous
	catConnection
	catTransaction
	catScripting
)

func aclCategoryNames() [21]string {
	return [...]string{
		"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
		"hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
		"connection", "transaction", "scripting",
	}
}

// names returns the categories in c as COMMAND INFO writes them.
func (c aclCategory) names() []string {
	var out []string
	for i, n := range aclCategoryNames() {
		if c&(1<<i) != 0 {
			out = append(out, "@"+n)
		}
	}
	return out
}

// aclCategoryByName finds a category by its name without "@", in any
// case, as COMMAND LIST FILTERBY ACLCAT does.
func aclCategoryByName(name string) (aclCategory, bool) {
	for i, n := range aclCategoryNames() {
		if strings.EqualFold(n, name) {
			return 1 << i, true
		}
	}
	return 0, false
}

// groupCategory is the data-type category Redis gives the commands of a
// group.
func groupCategory(group string) aclCategory {
	switch group {
	case "generic":
		return catKeyspace
	case "string":
		return catString
	case "list":
		return catList
	case "set":
		return catSet
	case "sorted-set":
		return catSortedSet
	case "hash":
		return catHash
	case "bitmap":
		return catBitmap
	case "hyperloglog":
		return catHyperLogLog
	case "geo":
		return catGeo
	case "stream":
		return catStream
	case "connection":
		return catConnection
	case "transactions":
		return catTransaction
	case "scripting":
		return catScripting
	}
	return 0
}

// aclAdjustments are the categories Redis's declarations give a command
// beyond, or instead of, its group's: KEYS is @dangerous, FLUSHALL is
// @keyspace although a server command, WAIT is @connection although a
// generic one.
func aclAdjustments(name string) (add, drop aclCategory) {
	switch name {
	case "keys", "migrate", "restore":
		return catDangerous, 0
	case "restore-asking", "flushall", "flushdb", "swapdb":
		return catKeyspace | catDangerous, 0
	case "sort", "sort_ro":
		return catSet | catSortedSet | catList | catDangerous, catKeyspace
	case "dbsize":
		return catKeyspace, 0
	case "info":
		return catDangerous, 0
	case "lastsave", "role":
		return catAdmin | catDangerous, 0
	case "asking", "readonly", "readwrite":
		return catConnection, 0
	case "wait":
		return catConnection, catKeyspace
	}
	if name == "command" || strings.HasPrefix(name, "command|") {
		return catConnection, 0
	}
	return 0, 0
}

// aclCategories derives a command's categories as Redis does: the
// group's data-type category (containers have none), the adjustments,
// then the categories implied by the flags (setImplicitACLCategories).
// group is the command's group, or its container's for a subcommand that
// declares none.
func aclCategories(cmd *Command, group string) aclCategory {
	var c aclCategory
	if cmd.Subcommands == nil {
		c = groupCategory(group)
	}
	add, drop := aclAdjustments(cmd.Name)
	c = c&^drop | add
	if cmd.Flags&FlagWrite != 0 {
		c |= catWrite
	}
	if cmd.Flags&FlagReadonly != 0 && c&catScripting == 0 {
		c |= catRead
	}
	if cmd.Flags&FlagAdmin != 0 {
		c |= catAdmin | catDangerous
	}
	if cmd.Flags&FlagPubSub != 0 {
		c |= catPubSub
	}
	if cmd.Flags&FlagFast != 0 {
		c |= catFast
	}
	if cmd.Flags&FlagBlocking != 0 {
		c |= catBlocking
	}
	if c&catFast == 0 {
		c |= catSlow
	}
	return c
}

// infoFlags lists a command's flags as COMMAND INFO does: Redis's order,
// may_replicate hidden, movablekeys for commands whose keys move.
func infoFlags(cmd *Command) []string {
	order := [...]struct {
		flag Flag
		name string
	}{
		{FlagWrite, "write"}, {FlagReadonly, "readonly"}, {FlagDenyOOM, "denyoom"}, {FlagAdmin, "admin"},
		{FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"}, {FlagBlocking, "blocking"},
		{FlagLoading, "loading"}, {FlagStale, "stale"}, {FlagSkipMonitor, "skip_monitor"},
		{FlagSkipSlowlog, "skip_slowlog"}, {FlagFast, "fast"}, {FlagNoAuth, "no_auth"},
		{FlagNoMandatoryKeys, "no_mandatory_keys"}, {FlagNoAsyncLoading, "no_async_loading"}, {FlagNoMulti, "no_multi"},
		{0, "movablekeys"}, {FlagAllowBusy, "allow_busy"},
	}
	var out []string
	for _, f := range order {
		if f.flag&cmd.Flags != 0 || f.flag == 0 && cmd.Keys != nil {
			out = append(out, f.name)
		}
	}
	return out
}

// keySpec is the one key spec derived from a command's first/last/step:
// begin_search by index, find_keys by range.
type keySpec struct {
	index, lastKey, keyStep int
}

// keySpecOf derives cmd's key spec; ok is false for commands without key
// positions.
func keySpecOf(cmd *Command) (ks keySpec, ok bool) {
	if cmd.FirstKey <= 0 {
		return keySpec{}, false
	}
	last := cmd.LastKey
	if last >= 0 {
		last -= cmd.FirstKey
	}
	return keySpec{index: cmd.FirstKey, lastKey: last, keyStep: cmd.Step}, true
}

// keyFlags are the access flags of cmd's keys: the most common ones of
// Redis's key specs for read and for write commands. Redis declares them
// per key spec; the table does not.
func keyFlags(cmd *Command) []string {
	switch {
	case cmd.Flags&FlagWrite != 0:
		return []string{"RW", "access", "update"}
	case cmd.Flags&FlagReadonly != 0:
		return []string{"RO", "access"}
	}
	return []string{"RO"}
}

// sortedCommands returns the commands of t by name, for replies that list
// them all in a stable order.
func sortedCommands(cmds map[string]*Command) []*Command {
	out := make([]*Command, 0, len(cmds))
	for _, cmd := range cmds {
		out = append(out, cmd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// lookupFullName finds a command by its full name ("get", "client|kill")
// in any case, as COMMAND INFO and COMMAND DOCS do. group is its group,
// inherited from the container when a subcommand declares none.
func (t Table) lookupFullName(name string) (cmd *Command, group string) {
	base, sub, isSub := strings.Cut(name, "|")
	cmd = t[strings.ToLower(base)]
	if cmd == nil || !isSub {
		return cmd, groupOf(cmd, nil)
	}
	if cmd.Subcommands == nil || strings.Contains(sub, "|") {
		return nil, ""
	}
	s := cmd.Subcommands[strings.ToLower(sub)]
	return s, groupOf(s, cmd)
}

func groupOf(cmd, container *Command) string {
	if cmd == nil {
		return ""
	}
	if cmd.Group == "" && container != nil {
		return container.Group
	}
	return cmd.Group
}

// COMMAND: the COMMAND INFO entries of every command.
func commandCommand(c *Ctx) {
	cmds := sortedCommands(c.Table)
	c.W.Array(len(cmds))
	for _, cmd := range cmds {
		writeInfo(c.W, cmd, cmd.Group)
	}
}

func commandCountCommand(c *Ctx) { c.W.Int(int64(len(c.Table))) }

func commandInfoCommand(c *Ctx) {
	if len(c.Args) == 2 {
		commandCommand(c)
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, name := range c.Args[2:] {
		cmd, group := c.Table.lookupFullName(string(name))
		if cmd == nil {
			c.W.Null()
			continue
		}
		writeInfo(c.W, cmd, group)
	}
}

// writeInfo writes a COMMAND INFO entry: name, arity, flags, first key,
// last key, step, ACL categories, tips, key specs, subcommands.
func writeInfo(w *resp.Writer, cmd *Command, group string) {
	w.Array(10)
	w.BulkString(cmd.Name)
	w.Int(int64(cmd.Arity))
	writeStatusSet(w, infoFlags(cmd))
	w.Int(int64(cmd.FirstKey))
	w.Int(int64(cmd.LastKey))
	w.Int(int64(cmd.Step))
	writeStatusSet(w, aclCategories(cmd, group).names())
	w.Set(0) // tips: the table declares none
	if ks, ok := keySpecOf(cmd); ok {
		w.Set(1)
		writeKeySpec(w, ks, keyFlags(cmd))
	} else {
		w.Set(0)
	}
	if cmd.Subcommands == nil {
		w.Set(0)
		return
	}
	subs := sortedCommands(cmd.Subcommands)
	w.Array(len(subs))
	for _, sub := range subs {
		writeInfo(w, sub, groupOf(sub, cmd))
	}
}

func writeKeySpec(w *resp.Writer, ks keySpec, flags []string) {
	w.Map(3)
	w.BulkString("flags")
	writeStatusSet(w, flags)
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("index")
	w.BulkString("spec")
	w.Map(1)
	w.BulkString("index")
	w.Int(int64(ks.index))
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("range")
	w.BulkString("spec")
	w.Map(3)
	w.BulkString("lastkey")
	w.Int(int64(ks.lastKey))
	w.BulkString("keystep")
	w.Int(int64(ks.keyStep))
	w.BulkString("limit")
	w.Int(0)
}

// writeStatusSet writes a set of simple strings, the type Redis uses for
// flags and categories.
func writeStatusSet(w *resp.Writer, items []string) {
	w.Set(len(items))
	for _, s := range items {
		w.Status(s)
	}
}

func commandDocsCommand(c *Ctx) {
	if len(c.Args) == 2 {
		cmds := sortedCommands(c.Table)
		c.W.Map(len(cmds))
		for _, cmd := range cmds {
			c.W.BulkString(cmd.Name)
			writeDocs(c.W, cmd, cmd.Group)
		}
		return
	}
	// Unknown names are left out, so the map's size is known only after
	// the lookups.
	type found struct {
		cmd   *Command
		group string
	}
	var docs []found
	for _, name := range c.Args[2:] {
		if cmd, group := c.Table.lookupFullName(string(name)); cmd != nil {
			docs = append(docs, found{cmd, group})
		}
	}
	c.W.Map(len(docs))
	for _, d := range docs {
		c.W.BulkString(d.cmd.Name)
		writeDocs(c.W, d.cmd, d.group)
	}
}

// writeDocs writes a COMMAND DOCS entry: summary, since, group,
// complexity, arguments, subcommands.
func writeDocs(w *resp.Writer, cmd *Command, group string) {
	// A Syntax that does not parse (TestEverySyntaxParses rules that out)
	// leaves the arguments out.
	args, _ := cmd.docArgs()
	n := 1
	for _, s := range []string{cmd.Summary, cmd.Since, cmd.Complexity} {
		if s != "" {
			n++
		}
	}
	if cmd.DeprecatedSince != "" {
		n += 3
	}
	if len(args) > 0 {
		n++
	}
	if cmd.Subcommands != nil {
		n++
	}
	w.Map(n)
	if cmd.Summary != "" {
		w.BulkString("summary")
		w.BulkString(cmd.Summary)
	}
	if cmd.Since != "" {
		w.BulkString("since")
		w.BulkString(cmd.Since)
	}
	w.BulkString("group")
	w.BulkString(group)
	if cmd.Complexity != "" {
		w.BulkString("complexity")
		w.BulkString(cmd.Complexity)
	}
	if cmd.DeprecatedSince != "" {
		w.BulkString("doc_flags")
		writeStatusSet(w, []string{"deprecated"})
		w.BulkString("deprecated_since")
		w.BulkString(cmd.DeprecatedSince)
		w.BulkString("replaced_by")
		w.BulkString(cmd.ReplacedBy)
	}
	if len(args) > 0 {
		_, hasKeySpec := keySpecOf(cmd)
		w.BulkString("arguments")
		writeDocArgs(w, args, hasKeySpec)
	}
	if cmd.Subcommands != nil {
		subs := sortedCommands(cmd.Subcommands)
		w.BulkString("subcommands")
		w.Map(len(subs))
		for _, sub := range subs {
			w.BulkString(sub.Name)
			writeDocs(w, sub, groupOf(sub, cmd))
		}
	}
}

// writeDocArgs writes arguments as Redis does: name, type, key_spec_index
// (every key argument belongs to the command's one key spec), token,
// flags, and the members of a oneof or block.
func writeDocArgs(w *resp.Writer, args []*docArg, hasKeySpec bool) {
	w.Array(len(args))
	for _, a := range args {
		var flags []string
		if a.Optional {
			flags = append(flags, "optional")
		}
		if a.Multiple {
			flags = append(flags, "multiple")
		}
		if a.MultipleToken {
			flags = append(flags, "multiple_token")
		}
		withSpec := a.Type == argKey && hasKeySpec
		n := 2
		for _, has := range []bool{withSpec, a.Token != "", len(flags) > 0, len(a.Args) > 0} {
			if has {
				n++
			}
		}
		w.Map(n)
		w.BulkString("name")
		w.BulkString(a.Name)
		w.BulkString("type")
		w.BulkString(a.Type)
		if withSpec {
			w.BulkString("key_spec_index")
			w.Int(0)
		}
		if a.Token != "" {
			w.BulkString("token")
			w.BulkString(a.Token)
		}
		if len(flags) > 0 {
			w.BulkString("flags")
			writeStatusSet(w, flags)
		}
		if len(a.Args) > 0 {
			w.BulkString("arguments")
			writeDocArgs(w, a.Args, hasKeySpec)
		}
	}
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
func commandListCommand(c *Ctx) {
	keep := func(*Command, string) bool { return true }
	switch args := c.Args[2:]; {
	case len(args) == 0:
	case len(args) == 3 && strings.EqualFold(string(args[0]), "filterby"):
		arg := string(args[2])
		switch strings.ToLower(string(args[1])) {
		case "module":
			// cairn loads no modules.
			keep = func(*Command, string) bool { return false }
		case "aclcat":
			cat, ok := aclCategoryByName(arg)
			keep = func(cmd *Command, group string) bool { return ok && aclCategories(cmd, group)&cat != 0 }
		case "pattern":
			keep = func(cmd *Command, _ string) bool { return glob.MatchString(arg, cmd.Name, true) }
		default:
			c.W.Error(resp.ErrSyntax)
			return
		}
	default:
		c.W.Error(resp.ErrSyntax)
		return
	}
	var names []string
	for _, cmd := range sortedCommands(c.Table) {
		if keep(cmd, cmd.Group) {
			names = append(names, cmd.Name)
		}
		for _, sub := range sortedCommands(cmd.Subcommands) {
			if keep(sub, groupOf(sub, cmd)) {
				names = append(names, sub.Name)
			}
		}
	}
	c.W.BulkStrings(names)
}

func commandGetKeysCommand(c *Ctx)         { getKeys(c, false) }
func commandGetKeysAndFlagsCommand(c *Ctx) { getKeys(c, true) }

// getKeys answers COMMAND GETKEYS and GETKEYSANDFLAGS for the command
// given as arguments, with Redis's checks in Redis's order.
func getKeys(c *Ctx, withFlags bool) {
	args := c.Args[2:]
	cmd := c.Table.Lookup(args[0])
	if cmd != nil && cmd.Subcommands != nil && len(args) >= 2 {
		cmd = cmd.Subcommands[lowerASCII(args[1])]
	}
	switch {
	case cmd == nil:
		c.W.Error(resp.ErrGetKeysInvalidCommand)
		return
	case cmd.Keys == nil && cmd.FirstKey <= 0:
		c.W.Error(resp.ErrGetKeysNoKeys)
		return
	case !cmd.checkArity(len(args)):
		c.W.Error(resp.ErrGetKeysArity)
		return
	}
	pos := cmd.KeyPositions(args)
	if len(pos) == 0 {
		if cmd.Flags&FlagNoMandatoryKeys != 0 {
			c.W.Array(0)
		} else {
			c.W.Error(resp.ErrGetKeysInvalidArgs)
		}
		return
	}
	flags := keyFlags(cmd)
	c.W.Array(len(pos))
	for _, p := range pos {
		if !withFlags {
			c.W.Bulk(args[p])
			continue
		}
		c.W.Array(2)
		c.W.Bulk(args[p])
		writeStatusSet(c.W, flags)
	}
}

func commandHelpCommand(c *Ctx) {
	help := []string{
		"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
		"HELP",
		"    Prints this help.",
	}
	c.W.Array(len(help))
	for _, line := range help {
		c.W.Status(line)
	}
}
