package commands

import (
	"strings"
	"testing"
)

// formatArgs renders docArgs compactly for comparison:
// name:type=TOKEN{flags}(members).
func formatArgs(args []*docArg) string {
	parts := make([]string, len(args))
	for i, a := range args {
		s := a.Name + ":" + a.Type
		if a.Token != "" {
			s += "=" + a.Token
		}
		var flags []string
		if a.Optional {
			flags = append(flags, "opt")
		}
		if a.Multiple {
			flags = append(flags, "mul")
		}
		if a.MultipleToken {
			flags = append(flags, "multok")
		}
		if len(flags) > 0 {
			s += "{" + strings.Join(flags, ",") + "}"
		}
		if len(a.Args) > 0 {
			s += "(" + formatArgs(a.Args) + ")"
		}
		parts[i] = s
	}
	return strings.Join(parts, " ")
}

func TestParseSyntax(t *testing.T) {
	set := &Command{Name: "set"}
	tests := []struct {
		cmd    *Command
		syntax string
		want   string
	}{
		{set, "", ""},
		{set, "key", "key:key"},
		{set, "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]",
			"key:key value:string nx_xx:oneof{opt}(nx:pure-token=NX xx:pure-token=XX) get:pure-token=GET{opt} " +
				"seconds_milliseconds_unix-time-seconds_unix-time-milliseconds_keepttl:oneof{opt}(seconds:integer=EX " +
				"milliseconds:integer=PX unix-time-seconds:unix-time=EXAT unix-time-milliseconds:unix-time=PXAT keepttl:pure-token=KEEPTTL)"},
		{set, "key value [condition: NX | XX] [expiration: EX seconds | KEEPTTL]",
			"key:key value:string condition:oneof{opt}(nx:pure-token=NX xx:pure-token=XX) " +
				"expiration:oneof{opt}(seconds:integer=EX keepttl:pure-token=KEEPTTL)"},
		{set, "cursor [MATCH pattern] [COUNT count] [TYPE type]",
			"cursor:integer pattern:pattern=MATCH{opt} count:integer=COUNT{opt} type:string=TYPE{opt}"},
		{set, "key [key ...]", "key:key{mul}"},
		{set, "[key [key ...]]", "key:key{opt,mul}"},
		{set, "[command-name ...]", "command-name:string{opt,mul}"},
		{set, "key ...", "key:key{mul}"},
		{set, "key... value", "key:key{mul} value:string"},
		{set, "key value [key value ...]", "key_value:block{mul}(key:key value:string)"},
		{set, "key [GET pattern [GET pattern ...]]", "key:key pattern:pattern=GET{opt,mul,multok}"},
		{set, "[id: ID client-id [client-id ...]]", "id:block=ID{opt}(client-id:integer{mul})"},
		{set, "[WEIGHTS weight [weight ...]]", "weight:string=WEIGHTS{opt,mul}"},
		{set, "[LIMIT offset count]", "offset_count:block=LIMIT{opt}(offset:integer count:integer)"},
		{set, "[TYPE <NORMAL | MASTER>]", "normal_master:oneof=TYPE{opt}(normal:pure-token=NORMAL master:pure-token=MASTER)"},
		{set, "<ON | OFF>", "on_off:oneof(on:pure-token=ON off:pure-token=OFF)"},
		{set, "host port | NO ONE", "host_port_no_one:oneof(host_port:block(host:string port:integer) no_one:block(no:pure-token=NO one:pure-token=ONE))"},
		{set, "key1 key2 newkey destkey source destination", "key1:key key2:key newkey:key destkey:key source:key destination:key"},
		{set, "[filterby: FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]",
			"filterby:oneof=FILTERBY{opt}(module-name:string=MODULE category:string=ACLCAT pattern:pattern=PATTERN)"},
		// A repeated oneof, written both ways redis.io writes it.
		{set, "<a | B b [a | B b ...]>", "a_b:oneof{mul}(a:string b:string=B)"},
		{set, "<a | B b> [a | B b ...]", "a_b:oneof{mul}(a:string b:string=B)"},
		{set, "<filter: ip:port | <new-format: [ID client-id] | [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | " +
			"[USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME yes/no] [[ID client-id] | " +
			"[TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | " +
			"[SKIPME yes/no] ...]>>",
			"filter:oneof(ip:port:string new-format:oneof{mul}(client-id:integer=ID{opt} " +
				"normal_master_slave_replica_pubsub:oneof=TYPE{opt}(normal:pure-token=NORMAL master:pure-token=MASTER " +
				"slave:pure-token=SLAVE replica:pure-token=REPLICA pubsub:pure-token=PUBSUB) username:string=USER{opt} " +
				"ip:port:string=ADDR{opt} ip:port:string=LADDR{opt} yes/no:string=SKIPME{opt}))"},
		// Types that depend on the command.
		{&Command{Name: "incrbyfloat"}, "key increment", "key:key increment:double"},
		{&Command{Name: "incrby"}, "key increment", "key:key increment:integer"},
		{&Command{Name: "blpop", Flags: FlagBlocking}, "key [key ...] timeout", "key:key{mul} timeout:double"},
		{&Command{Name: "client|pause"}, "timeout [WRITE | ALL]", "timeout:integer write_all:oneof{opt}(write:pure-token=WRITE all:pure-token=ALL)"},
	}
	for _, tt := range tests {
		args, err := parseSyntax(tt.syntax, argTypeFor(tt.cmd))
		if err != nil {
			t.Errorf("%q: %v", tt.syntax, err)
			continue
		}
		if got := formatArgs(args); got != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.syntax, got, tt.want)
		}
	}
}

func TestParseSyntaxErrors(t *testing.T) {
	for _, syntax := range []string{
		"[", "]", "<a", "a>", "[a", "a | ", "| a", "[]", "<>", "[a | ]", "...", "[...]", "a [| b]",
		"a ] b", strings.Repeat("[", maxSyntaxDepth+1) + "a" + strings.Repeat("]", maxSyntaxDepth+1),
	} {
		if args, err := parseSyntax(syntax, argTypeFor(&Command{})); err == nil {
			t.Errorf("%q parsed as %s, want an error", syntax, formatArgs(args))
		}
	}
}

// TestEverySyntaxParses keeps every declaration's Syntax parseable, so
// that COMMAND DOCS has arguments for each command.
func TestEverySyntaxParses(t *testing.T) {
	for _, cmd := range NewTable() {
		for _, c := range append([]*Command{cmd}, sortedCommands(cmd.Subcommands)...) {
			if _, err := c.docArgs(); err != nil {
				t.Errorf("%s: Syntax %q: %v", c.Name, c.Syntax, err)
			}
		}
	}
}

func FuzzParseSyntax(f *testing.F) {
	for _, s := range []string{
		"key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL]",
		"<filter: ip:port | <new-format: [ID client-id] | [USER username] [[ID client-id] | [USER username] ...]>>",
		"key [GET pattern [GET pattern ...]]", "<a | b> [a | b ...]", "key... value ...", "[x: A b c | D]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, syntax string) {
		args, err := parseSyntax(syntax, argTypeFor(&Command{Name: "x"}))
		if err != nil {
			return
		}
		var check func(args []*docArg)
		check = func(args []*docArg) {
			for _, a := range args {
				if a.Name == "" && a.Type != argPureToken || a.Type == "" {
					t.Fatalf("%q: argument without name or type: %s", syntax, formatArgs(args))
				}
				if (a.Type == argOneOf || a.Type == argBlock) != (len(a.Args) > 0) {
					t.Fatalf("%q: %s has members %d", syntax, a.Type, len(a.Args))
				}
				check(a.Args)
			}
		}
		check(args)
	})
}
