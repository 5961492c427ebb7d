// Package commands holds the command table and the handlers. Every
// command is declared once, as data, with the metadata Redis publishes for
// it (arity, flags, key positions, docs); COMMAND, the dispatcher's checks,
// key extraction and the effect log all read that one declaration.
package commands

import (
	"bytes"
	"strings"

	"github.com/cairn-db/cairn/acl"
	"github.com/cairn-db/cairn/scripting"
)

// Flag is a Redis command flag.
type Flag uint32

// Flags in the order Redis lists them in COMMAND INFO.
const (
	FlagWrite Flag = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagFast
	FlagNoAuth
	FlagMayReplicate
	FlagNoMandatoryKeys
	FlagNoAsyncLoading
	FlagNoMulti
	FlagAllowBusy
)

var flagNames = []string{
	"write", "readonly", "denyoom", "admin", "pubsub", "noscript", "blocking",
	"loading", "stale", "skip_monitor", "skip_slowlog", "fast", "no_auth",
	"may_replicate", "no_mandatory_keys", "no_async_loading", "no_multi", "allow_busy",
}

// Names lists the flags set in f, in Redis's order.
func (f Flag) Names() []string {
	var names []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return names
}

// ChannelArgs are the channel arguments of a command.
type ChannelArgs uint8

const (
	NoChannels          ChannelArgs = iota
	ChannelFirst                    // the first argument (PUBLISH)
	ChannelsAll                     // every argument (SUBSCRIBE)
	ChannelsAllPatterns             // every argument, as patterns (PSUBSCRIBE)
)

// KeyFlag is an access flag of a key spec.
type KeyFlag uint16

// Key spec flags in the order Redis lists them.
const (
	KeyRO KeyFlag = 1 << iota
	KeyRW
	KeyOW
	KeyRM
	KeyAccess
	KeyUpdate
	KeyInsert
	KeyDelete
	KeyNotKey
	KeyIncomplete
	KeyVariableFlags
)

var keyFlagNames = []string{
	"RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags",
}

// Names lists the flags set in f, in Redis's order.
func (f KeyFlag) Names() []string {
	var names []string
	for i, n := range keyFlagNames {
		if f&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return names
}

// KeySpec is one of Redis's key specs: where one kind of a command's keys
// is, and what the command does with it.
//
// The search begins at argument Index or, if Keyword is set, after that
// keyword, looked for from argument StartFrom (counted from the end and
// searched backwards if negative); with neither, the spec is unknown. From
// there the keys are a range, to LastKey after the beginning (counted from
// the end if negative; Limit > 0 takes only 1/Limit of the rest) every
// KeyStep; or, with KeyNum, KeyStep apart starting FirstKey after the
// beginning, as many as the argument KeyNumIdx after the beginning says.
// A KeyStep of 0 means 1.
type KeySpec struct {
	Flags KeyFlag
	Notes string

	Index     int
	Keyword   string
	StartFrom int

	LastKey, KeyStep, Limit int
	KeyNum                  bool
	KeyNumIdx, FirstKey     int

	// Arg names the COMMAND DOCS arguments that hold the spec's keys
	// when they are not of type key (SORT's BY and GET patterns); the key
	// arguments belong to the other specs in order.
	Arg string
	// FlagsOf gives the flags of the keys of one call, for a spec with
	// KeyVariableFlags.
	FlagsOf func(args [][]byte) KeyFlag
}

// Command describes one command or subcommand.
type Command struct {
	// Name is the lower-case name; a subcommand's is "container|sub".
	Name string
	// Arity is Redis's arity: N means exactly N arguments counting the
	// name, -N means at least N.
	Arity int
	Flags Flag
	// FirstKey, LastKey and Step give the key positions in the arguments
	// (LastKey -1 means the last argument, -2 the one before). Commands
	// without keys have FirstKey 0.
	FirstKey, LastKey, Step int
	// Keys, if set, finds the key positions of a command whose keys move
	// with its arguments (movablekeys).
	Keys func(args [][]byte) []int
	// Channels says which arguments are channels the command publishes
	// or subscribes to, which ACL rules check (Redis's
	// getChannelsFromCommand; unsubscribing is never refused).
	Channels ChannelArgs
	// KeySpecs are Redis's key specs for the command, where they are not
	// the one spec derived from FirstKey/LastKey/Step (see keySpecs);
	// KeyFlags, if set, are the derived spec's flags, where they are not
	// the default for the command's flags. COMMAND INFO, COMMAND DOCS and
	// COMMAND GETKEYSANDFLAGS report them; key positions come from the
	// fields above.
	KeySpecs []KeySpec
	KeyFlags KeyFlag

	// Group, Since, Complexity and Summary are the COMMAND DOCS metadata.
	Group      string
	Since      string
	Complexity string
	Summary    string
	// DeprecatedSince and ReplacedBy mark a deprecated command in COMMAND
	// DOCS (doc_flags "deprecated").
	DeprecatedSince string
	ReplacedBy      string
	// Syntax is the argument list in redis.io's notation, for example
	// "key value [NX | XX]"; COMMAND DOCS and redis-cli's hints derive
	// from it.
	Syntax string

	// Subcommands of a container command (CONFIG, CLIENT), by lower-case
	// name.
	Subcommands map[string]*Command

	// Stats are the command's INFO commandstats counters, guarded by the
	// keyspace lock.
	Stats CommandStats
	// sharesClock caches sharesBatchClock, which the dispatcher asks of
	// every command it runs in a batch.
	sharesClock bool

	// ScriptFlags, on the commands that run a script, returns the flags
	// the script declares, if it is known and declares any (see
	// Engine.callFlags).
	ScriptFlags func(args [][]byte) (scripting.Flags, bool)

	// acl is the command as the ACL rules know it.
	acl *acl.Command

	// Run executes the command. It runs with the keyspace lock held and
	// must not block.
	Run func(c *Ctx)
}

// KeyPositions returns the indexes of the keys in args.
func (cmd *Command) KeyPositions(args [][]byte) []int { return cmd.appendKeyPositions(nil, args) }

// appendKeyPositions appends the indexes of the keys in args to pos, so
// that a caller may reuse a buffer.
func (cmd *Command) appendKeyPositions(pos []int, args [][]byte) []int {
	if cmd.Keys != nil {
		return append(pos, cmd.Keys(args)...)
	}
	if cmd.FirstKey == 0 {
		return pos
	}
	last := cmd.LastKey
	if last < 0 {
		last = len(args) + last
	}
	for i := cmd.FirstKey; i <= last && i < len(args); i += cmd.Step {
		pos = append(pos, i)
	}
	return pos
}

// checkArity reports whether n arguments (the name included) fit the
// command's arity.
func (cmd *Command) checkArity(n int) bool {
	if cmd.Arity >= 0 {
		return n == cmd.Arity
	}
	return n >= -cmd.Arity
}

// Table maps lower-case command names to commands.
type Table map[string]*Command

// NewTable builds the table from every command group.
func NewTable() Table { return newTable(newScripter()) }

// newTable builds the table with the scripting commands of s.
func newTable(s *scripter) Table {
	groups := [][]*Command{
		connectionCommands(),
		serverCommands(),
		stringCommands(),
		bitmapCommands(),
		keyCommands(),
		expireCommands(),
		introspectionCommands(),
		listCommands(),
		setCommands(),
		hashCommands(),
		transactionCommands(),
		s.commands(),
		memoryCommands(),
		persistenceCommands(),
		hyperloglogCommands(),
		zsetCommands(),
		sortCommands(),
		geoCommands(),
		dumpCommands(),
		pubsubCommands(),
		monitorCommands(),
		slowlogCommands(),
		latencyCommands(),
		aclCommands(),
	}
	t := Table{}
	for _, g := range groups {
		for _, cmd := range g {
			if _, dup := t[cmd.Name]; dup {
				panic("commands: " + cmd.Name + " declared twice")
			}
			cmd.sharesClock = cmd.sharesBatchClock()
			cmd.acl = aclCommand(cmd, cmd.Group)
			for name, sub := range cmd.Subcommands {
				sub.Name = cmd.Name + "|" + name
				sub.sharesClock = sub.sharesBatchClock()
				sub.acl = aclCommand(sub, groupOf(sub, cmd))
				cmd.acl.Subs = append(cmd.acl.Subs, sub.acl)
			}
			t[cmd.Name] = cmd
		}
	}
	return t
}

// sharesBatchClock reports whether cmd runs in bounded time in cairn, so
// that within a pipeline batch it reads no clock of its own (see batch):
// the fast commands, and the O(1) writes that Redis keeps out of "fast"
// only because they may free a large value synchronously, which cairn
// leaves to the garbage collector.
func (cmd *Command) sharesBatchClock() bool {
	return cmd.Flags&FlagFast != 0 || cmd.Flags&(FlagWrite|FlagBlocking) == FlagWrite && cmd.Complexity == "O(1)"
}

// cmdCache remembers the command a client last named: clients pipeline
// the same command, and comparing its name costs less than the table's
// hash lookup.
type cmdCache struct {
	name [16]byte
	n    int
	cmd  *Command
}

func (cc *cmdCache) lookup(t Table, name []byte) *Command {
	if cc.cmd != nil && len(name) == cc.n && bytes.Equal(name, cc.name[:cc.n]) {
		return cc.cmd
	}
	cmd := t.Lookup(name)
	if cmd != nil && len(name) <= len(cc.name) {
		cc.n, cc.cmd = copy(cc.name[:], name), cmd
	}
	return cmd
}

// Lookup finds a command by name in any case without allocating.
func (t Table) Lookup(name []byte) *Command {
	var buf [32]byte
	if len(name) > len(buf) {
		return t[strings.ToLower(string(name))]
	}
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return t[string(buf[:len(name)])]
}
