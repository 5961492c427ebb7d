package commands

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/acl"
	"github.com/cairn-db/cairn/glob"
	"github.com/cairn-db/cairn/resp"
)

// The COMMAND family. Everything it reports is derived from the command
// table: flags, key positions and ACL categories from each declaration's
// Flags, FirstKey/LastKey/Step, Keys and Group (as Redis derives its
// implicit categories), key specs from KeySpecs or, by default, from
// FirstKey/LastKey/Step and KeyFlags, and the COMMAND DOCS arguments from
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

// groupCategory is the data-type category Redis gives the commands of a
// group.
func groupCategory(group string) acl.Category {
	switch group {
	case "generic":
		return acl.Keyspace
	case "string":
		return acl.String
	case "list":
		return acl.List
	case "set":
		return acl.Set
	case "sorted-set":
		return acl.SortedSet
	case "hash":
		return acl.Hash
	case "bitmap":
		return acl.Bitmap
	case "hyperloglog":
		return acl.HyperLogLog
	case "geo":
		return acl.Geo
	case "stream":
		return acl.Stream
	case "connection":
		return acl.Connection
	case "transactions":
		return acl.Transaction
	case "scripting":
		return acl.Scripting
	}
	return 0
}

// aclAdjustments are the categories Redis's declarations give a command
// beyond, or instead of, its group's: KEYS is @dangerous, FLUSHALL is
// @keyspace although a server command, WAIT is @connection although a
// generic one.
func aclAdjustments(name string) (add, drop acl.Category) {
	switch name {
	case "keys", "migrate", "restore":
		return acl.Dangerous, 0
	case "restore-asking", "flushall", "flushdb", "swapdb":
		return acl.Keyspace | acl.Dangerous, 0
	case "sort", "sort_ro":
		return acl.Set | acl.SortedSet | acl.List | acl.Dangerous, acl.Keyspace
	case "dbsize":
		return acl.Keyspace, 0
	case "info":
		return acl.Dangerous, 0
	case "lastsave", "role":
		return acl.Admin | acl.Dangerous, 0
	case "asking", "readonly", "readwrite":
		return acl.Connection, 0
	case "wait":
		return acl.Connection, acl.Keyspace
	}
	if name == "command" || strings.HasPrefix(name, "command|") {
		return acl.Connection, 0
	}
	return 0, 0
}

// aclCategories derives a command's categories as Redis does: the
// group's data-type category (containers have none), the adjustments,
// then the categories implied by the flags (setImplicitACLCategories).
// group is the command's group, or its container's for a subcommand that
// declares none.
func aclCategories(cmd *Command, group string) acl.Category {
	var c acl.Category
	if cmd.Subcommands == nil {
		c = groupCategory(group)
	}
	add, drop := aclAdjustments(cmd.Name)
	c = c&^drop | add
	if cmd.Flags&FlagWrite != 0 {
		c |= acl.Write
	}
	if cmd.Flags&FlagReadonly != 0 && c&acl.Scripting == 0 {
		c |= acl.Read
	}
	if cmd.Flags&FlagAdmin != 0 {
		c |= acl.Admin | acl.Dangerous
	}
	if cmd.Flags&FlagPubSub != 0 {
		c |= acl.PubSub
	}
	if cmd.Flags&FlagFast != 0 {
		c |= acl.Fast
	}
	if cmd.Flags&FlagBlocking != 0 {
		c |= acl.Blocking
	}
	if c&acl.Fast == 0 {
		c |= acl.Slow
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

// keySpecs returns cmd's key specs: the declared ones, or the one Redis
// derives from first/last/step (begin_search by index, find_keys by
// range).
func keySpecs(cmd *Command) []KeySpec {
	if cmd.KeySpecs != nil || cmd.FirstKey <= 0 {
		return cmd.KeySpecs
	}
	last := cmd.LastKey
	if last >= 0 {
		last -= cmd.FirstKey
	}
	flags := cmd.KeyFlags
	if flags == 0 {
		flags = defaultKeyFlags(cmd)
	}
	return []KeySpec{{Flags: flags, Index: cmd.FirstKey, LastKey: last, KeyStep: cmd.Step}}
}

// defaultKeyFlags are the flags most of Redis's key specs have for a
// command with cmd's flags.
func defaultKeyFlags(cmd *Command) KeyFlag {
	switch {
	case cmd.Flags&FlagWrite != 0:
		return KeyRW | KeyAccess | KeyUpdate
	case cmd.Flags&FlagReadonly != 0:
		return KeyRO | KeyAccess
	}
	return KeyRO
}

func (ks *KeySpec) unknown() bool { return ks.Index <= 0 && ks.Keyword == "" }

func (ks *KeySpec) step() int {
	if ks.KeyStep == 0 {
		return 1
	}
	return ks.KeyStep
}

// flagsFor returns the flags of the spec's keys in the call args.
func (ks *KeySpec) flagsFor(args [][]byte) KeyFlag {
	if ks.FlagsOf != nil {
		return ks.FlagsOf(args)
	}
	return ks.Flags
}

// positions finds the spec's keys in args (the command name first) as
// Redis's getKeysUsingKeySpecs does; nil for an unknown spec, a keyword
// not found, or arguments that do not fit the spec.
func (ks *KeySpec) positions(args [][]byte) []int {
	if ks.unknown() {
		return nil
	}
	first := ks.Index
	if ks.Keyword != "" {
		first = 0
		from, to, dir := ks.StartFrom, len(args)-1, 1
		if from < 0 {
			from, to, dir = len(args)+from, 1, -1
		}
		for i := from; i != to && i >= 1 && i < len(args); i += dir {
			if strings.EqualFold(string(args[i]), ks.Keyword) {
				first = i + 1
				break
			}
		}
		if first == 0 {
			return nil
		}
	}
	var last int
	switch {
	case ks.KeyNum:
		if first+ks.KeyNumIdx >= len(args) {
			return nil
		}
		n, err := strconv.Atoi(string(args[first+ks.KeyNumIdx]))
		if err != nil || n < 0 {
			return nil
		}
		first += ks.FirstKey
		last = first + n - 1
	case ks.LastKey >= 0:
		last = first + ks.LastKey
	case ks.Limit == 0:
		last = len(args) + ks.LastKey
	default:
		last = first + (len(args)-first)/ks.Limit + ks.LastKey
	}
	if first >= len(args) || last >= len(args) || last < first {
		return nil
	}
	var pos []int
	for i := first; i <= last; i += ks.step() {
		pos = append(pos, i)
	}
	return pos
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
	writeStatusSet(w, aclCategories(cmd, group).Names())
	w.Set(0) // tips: the table declares none
	specs := keySpecs(cmd)
	w.Set(len(specs))
	for i := range specs {
		writeKeySpec(w, &specs[i])
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

func writeKeySpec(w *resp.Writer, ks *KeySpec) {
	if ks.Notes != "" {
		w.Map(4)
		w.BulkString("notes")
		w.BulkString(ks.Notes)
	} else {
		w.Map(3)
	}
	w.BulkString("flags")
	writeStatusSet(w, ks.Flags.Names())
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	switch {
	case ks.unknown():
		w.BulkString("unknown")
		w.BulkString("spec")
		w.Map(0)
	case ks.Keyword != "":
		w.BulkString("keyword")
		w.BulkString("spec")
		w.Map(2)
		w.BulkString("keyword")
		w.BulkString(ks.Keyword)
		w.BulkString("startfrom")
		w.Int(int64(ks.StartFrom))
	default:
		w.BulkString("index")
		w.BulkString("spec")
		w.Map(1)
		w.BulkString("index")
		w.Int(int64(ks.Index))
	}
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	switch {
	case ks.unknown():
		w.BulkString("unknown")
		w.BulkString("spec")
		w.Map(0)
	case ks.KeyNum:
		w.BulkString("keynum")
		w.BulkString("spec")
		w.Map(3)
		w.BulkString("keynumidx")
		w.Int(int64(ks.KeyNumIdx))
		w.BulkString("firstkey")
		w.Int(int64(ks.FirstKey))
		w.BulkString("keystep")
		w.Int(int64(ks.step()))
	default:
		w.BulkString("range")
		w.BulkString("spec")
		w.Map(3)
		w.BulkString("lastkey")
		w.Int(int64(ks.LastKey))
		w.BulkString("keystep")
		w.Int(int64(ks.step()))
		w.BulkString("limit")
		w.Int(int64(ks.Limit))
	}
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
		w.BulkString("arguments")
		writeDocArgs(w, args, docKeySpecIndexes(args, keySpecs(cmd)))
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

// docKeySpecIndexes gives each argument that holds keys the index of its
// key spec: the arguments a spec names in Arg to that spec, and the key
// arguments, in order, to the other specs, the last of them taking any
// left over (LCS's key1 and key2 share one spec).
func docKeySpecIndexes(args []*docArg, specs []KeySpec) map[*docArg]int {
	idx := map[*docArg]int{}
	var free []int
	for i := range specs {
		if specs[i].Arg == "" {
			free = append(free, i)
		}
	}
	n := 0
	var walk func(args []*docArg)
	walk = func(args []*docArg) {
		for _, a := range args {
			named := slices.IndexFunc(specs, func(ks KeySpec) bool { return ks.Arg != "" && ks.Arg == a.Name })
			switch {
			case named >= 0:
				idx[a] = named
			case a.Type == argKey && len(free) > 0:
				idx[a] = free[min(n, len(free)-1)]
				n++
			}
			walk(a.Args)
		}
	}
	walk(args)
	return idx
}

// writeDocArgs writes arguments as Redis does: name, type, key_spec_index
// (from specIndex), token, flags, and the members of a oneof or block.
func writeDocArgs(w *resp.Writer, args []*docArg, specIndex map[*docArg]int) {
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
		spec, withSpec := specIndex[a]
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
			w.Int(int64(spec))
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
			writeDocArgs(w, a.Args, specIndex)
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
			cat, ok := acl.CategoryByName(arg)
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
	if !withFlags {
		c.W.Array(len(pos))
		for _, p := range pos {
			c.W.Bulk(args[p])
		}
		return
	}
	flags := keyFlagsAt(cmd, args)
	c.W.Array(len(pos))
	for _, p := range pos {
		c.W.Array(2)
		c.W.Bulk(args[p])
		writeStatusSet(c.W, flags.at(p).Names())
	}
}

// keyFlags gives the flags of the keys of one call (keyFlagsAt).
type keyFlags struct {
	// found are the flags of the keys the specs find, by position; nil
	// when the command has one spec, whose flags every key takes.
	found map[int]KeyFlag
	other KeyFlag
}

func (k keyFlags) at(pos int) KeyFlag {
	if f, ok := k.found[pos]; ok {
		return f
	}
	return k.other
}

// keyFlagsAt finds the flags of the keys at each position of args: those
// of the first spec that finds a key there; for a key no spec finds, the
// last spec's, which is the one SORT's STORE destination belongs to (the
// only key of Redis 7.0 that an unknown spec covers and GETKEYS reports).
// With one spec, the most common, that is all keys' flags: nothing to
// find, and nothing allocated, as the ACL check wants for every command.
func keyFlagsAt(cmd *Command, args [][]byte) keyFlags {
	specs := keySpecs(cmd)
	switch len(specs) {
	case 0:
		return keyFlags{other: defaultKeyFlags(cmd)}
	case 1:
		return keyFlags{other: specs[0].flagsFor(args)}
	}
	k := keyFlags{found: map[int]KeyFlag{}, other: specs[len(specs)-1].flagsFor(args)}
	for i := len(specs) - 1; i >= 0; i-- {
		for _, p := range specs[i].positions(args) {
			k.found[p] = specs[i].flagsFor(args)
		}
	}
	return k
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
