package commands_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace"
)

// rawReply is a RESP reply with its type kept, so that tests tell a
// status "+read" from a bulk "read" as clients do.
type rawReply struct {
	kind  byte // '+', '-', ':', '$', '*', '%', '~', '_', ...
	str   string
	n     int64
	null  bool
	elems []*rawReply // arrays and sets; maps as key, value, key, value...
}

func (r *rawReply) String() string {
	switch {
	case r.null:
		return "(nil)"
	case r.kind == ':':
		return strconv.FormatInt(r.n, 10)
	case r.kind == '+' || r.kind == '-':
		return string(r.kind) + r.str
	case r.elems != nil || r.kind == '*' || r.kind == '~' || r.kind == '%':
		parts := make([]string, len(r.elems))
		for i, e := range r.elems {
			parts[i] = e.String()
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return strconv.Quote(r.str)
}

// strs returns the strings of an array of strings.
func (r *rawReply) strs() []string {
	out := make([]string, len(r.elems))
	for i, e := range r.elems {
		out[i] = e.str
	}
	return out
}

// fields returns a map reply (or its RESP2 flat array) by key.
func (r *rawReply) fields() map[string]*rawReply {
	m := map[string]*rawReply{}
	for i := 0; i+1 < len(r.elems); i += 2 {
		m[r.elems[i].str] = r.elems[i+1]
	}
	return m
}

// rawConn is a RESP2 connection that reads replies with their types.
type rawConn struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawConn{conn: conn, r: bufio.NewReader(conn)}
}

func (c *rawConn) do(t *testing.T, args ...string) *rawReply {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c.conn, b.String()); err != nil {
		t.Fatal(err)
	}
	r, err := readRaw(c.r)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return r
}

func readRaw(r *bufio.Reader) (*rawReply, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("bad line %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	reply := &rawReply{kind: kind}
	switch kind {
	case '+', '-', ',', '#', '(':
		reply.str = body
	case '_':
		reply.null = true
	case ':':
		reply.n, err = strconv.ParseInt(body, 10, 64)
	case '$', '=':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			reply.null = true
			break
		}
		buf := make([]byte, n+2)
		if _, err = io.ReadFull(r, buf); err == nil {
			reply.str = string(buf[:n])
		}
	case '*', '~', '%', '>':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			reply.null = true
			break
		}
		if kind == '%' {
			n *= 2
		}
		reply.elems = make([]*rawReply, n)
		for i := range reply.elems {
			if reply.elems[i], err = readRaw(r); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("unknown reply type %q", line)
	}
	return reply, err
}

func TestCommandReplies(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	c := dialRaw(t, srv.Addr)
	count := len(commands.NewTable())
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"COMMAND", "COUNT"}, strconv.Itoa(count)},
		{[]string{"COMMAND", "INFO", "get"}, "[[\"get\" 2 [+readonly +fast] 1 1 1 [+@read +@string +@fast] [] " +
			"[[\"flags\" [+RO +access] \"begin_search\" [\"type\" \"index\" \"spec\" [\"index\" 1]] " +
			"\"find_keys\" [\"type\" \"range\" \"spec\" [\"lastkey\" 0 \"keystep\" 1 \"limit\" 0]]]] []]]"},
		{[]string{"COMMAND", "INFO", "nosuch", "GET|x", "command|count|x", "|count"}, "[(nil) (nil) (nil) (nil)]"},
		{[]string{"COMMAND", "INFO", "Command|Count"}, "[[\"command|count\" 2 [+loading +stale] 0 0 0 [+@slow +@connection] [] [] []]]"},
		{[]string{"COMMAND", "DOCS", "nosuch"}, "[]"},
		{[]string{"COMMAND", "DOCS", "nosuch", "command|count"}, "[\"command|count\" [\"summary\" \"Get total number of Redis commands\" " +
			"\"since\" \"2.8.13\" \"group\" \"server\" \"complexity\" \"O(1)\"]]"},
		{[]string{"COMMAND", "DOCS", "command|list"}, "[\"command|list\" [\"summary\" \"Get an array of Redis command names\" " +
			"\"since\" \"7.0.0\" \"group\" \"server\" \"complexity\" \"O(N) where N is the total number of Redis commands\" " +
			"\"arguments\" [[\"name\" \"filterby\" \"type\" \"oneof\" \"token\" \"FILTERBY\" \"flags\" [+optional] \"arguments\" " +
			"[[\"name\" \"module-name\" \"type\" \"string\" \"token\" \"MODULE\"] [\"name\" \"category\" \"type\" \"string\" \"token\" \"ACLCAT\"] " +
			"[\"name\" \"pattern\" \"type\" \"pattern\" \"token\" \"PATTERN\"]]]]]]"},
		{[]string{"COMMAND", "LIST", "FILTERBY", "PATTERN", "COMMAND|*"}, "[\"command|count\" \"command|docs\" \"command|getkeys\" " +
			"\"command|getkeysandflags\" \"command|help\" \"command|info\" \"command|list\"]"},
		{[]string{"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"}, "[]"},
		{[]string{"COMMAND", "LIST", "FILTERBY", "MODULE", "m"}, "[]"},
		{[]string{"COMMAND", "LIST", "FILTERBY", "PATTERN"}, "-ERR syntax error"},
		{[]string{"COMMAND", "LIST", "FILTERBY", "NAME", "x"}, "-ERR syntax error"},
		{[]string{"COMMAND", "LIST", "FILTERBY", "PATTERN", "x", "y"}, "-ERR syntax error"},
		{[]string{"COMMAND", "LIST", "x"}, "-ERR syntax error"},
		{[]string{"COMMAND", "GETKEYS", "get", "a"}, "[\"a\"]"},
		{[]string{"COMMAND", "GETKEYS", "SET", "a", "b", "EX", "10"}, "[\"a\"]"},
		{[]string{"COMMAND", "GETKEYSANDFLAGS", "get", "a"}, "[[\"a\" [+RO +access]]]"},
		{[]string{"COMMAND", "GETKEYS", "nosuch", "a"}, "-ERR Invalid command specified"},
		{[]string{"COMMAND", "GETKEYS", "command", "nosuch", "a"}, "-ERR Invalid command specified"},
		{[]string{"COMMAND", "GETKEYS", "ping", "a"}, "-ERR The command has no key arguments"},
		{[]string{"COMMAND", "GETKEYS", "command", "info", "a"}, "-ERR The command has no key arguments"},
		{[]string{"COMMAND", "GETKEYS", "get", "a", "b"}, "-ERR Invalid number of arguments specified for command"},
		{[]string{"COMMAND", "GETKEYS", "get"}, "-ERR wrong number of arguments for 'command|getkeys' command"},
		{[]string{"COMMAND", "COUNT", "x"}, "-ERR wrong number of arguments for 'command|count' command"},
		{[]string{"COMMAND", "NOSUCH"}, "-ERR unknown subcommand 'NOSUCH'. Try COMMAND HELP."},
	}
	for _, tt := range tests {
		if got := c.do(t, tt.args...).String(); got != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.args, got, tt.want)
		}
	}

	all := c.do(t, "COMMAND")
	if len(all.elems) != count {
		t.Errorf("COMMAND: %d entries, want %d", len(all.elems), count)
	}
	var names []string
	for _, e := range all.elems {
		names = append(names, e.elems[0].str)
	}
	if !slices.IsSorted(names) {
		t.Errorf("COMMAND: entries not in name order: %q", names)
	}
	if info := c.do(t, "COMMAND", "INFO"); info.String() != all.String() {
		t.Error("COMMAND INFO without names differs from COMMAND")
	}
	if docs := c.do(t, "COMMAND", "DOCS"); len(docs.elems) != 2*count {
		t.Errorf("COMMAND DOCS: %d entries, want %d", len(docs.elems)/2, count)
	}
	conn := c.do(t, "COMMAND", "LIST", "filterby", "aclcat", "CONNECTION").strs()
	for _, name := range []string{"command", "command|info", "ping"} {
		if !slices.Contains(conn, name) {
			t.Errorf("COMMAND LIST FILTERBY ACLCAT CONNECTION = %q, missing %s", conn, name)
		}
	}
	if slices.Contains(conn, "get") {
		t.Errorf("COMMAND LIST FILTERBY ACLCAT CONNECTION = %q, has get", conn)
	}
	if help := c.do(t, "COMMAND", "HELP"); len(help.elems) != 21 || help.elems[0].kind != '+' {
		t.Errorf("COMMAND HELP = %s", help)
	}
}

// TestCommandGetKeysMovable covers the paths of COMMAND GETKEYS that only
// commands with movable keys reach, with a command added to the table.
func TestCommandGetKeysMovable(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	// The numkeys convention: "x numkeys key... rest".
	numkeys := func(args [][]byte) []int {
		n, err := strconv.Atoi(string(args[1]))
		if err != nil || n <= 0 || 2+n > len(args) {
			return nil
		}
		var pos []int
		for i := 2; i < 2+n; i++ {
			pos = append(pos, i)
		}
		return pos
	}
	srv.Engine.KS.Lock()
	srv.Engine.Table["xmovable"] = &commands.Command{Name: "xmovable", Arity: -3, Flags: commands.FlagReadonly,
		Keys: numkeys, Group: "generic", Run: func(*commands.Ctx) {}}
	srv.Engine.Table["xoptional"] = &commands.Command{Name: "xoptional", Arity: -3,
		Flags: commands.FlagNoMandatoryKeys, Keys: numkeys, Group: "scripting", Run: func(*commands.Ctx) {}}
	srv.Engine.KS.Unlock()
	c := dialRaw(t, srv.Addr)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"COMMAND", "GETKEYS", "xmovable", "2", "a", "b", "c"}, "[\"a\" \"b\"]"},
		{[]string{"COMMAND", "GETKEYSANDFLAGS", "xmovable", "1", "a"}, "[[\"a\" [+RO +access]]]"},
		{[]string{"COMMAND", "GETKEYS", "xmovable", "0", "a"}, "-ERR Invalid arguments specified for command"},
		{[]string{"COMMAND", "GETKEYS", "xmovable", "5", "a"}, "-ERR Invalid arguments specified for command"},
		{[]string{"COMMAND", "GETKEYS", "xoptional", "0", "a"}, "[]"},
		{[]string{"COMMAND", "INFO", "xmovable"}, "[[\"xmovable\" -3 [+readonly +movablekeys] 0 0 0 " +
			"[+@keyspace +@read +@slow] [] [] []]]"},
		{[]string{"COMMAND", "INFO", "xoptional"}, "[[\"xoptional\" -3 [+no_mandatory_keys +movablekeys] 0 0 0 " +
			"[+@slow +@scripting] [] [] []]]"},
	}
	for _, tt := range tests {
		if got := c.do(t, tt.args...).String(); got != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.args, got, tt.want)
		}
	}
}

// TestCommandRESP3 compares the RESP3 bytes of COMMAND replies with
// redis-server's: sets of status strings for flags and categories, maps
// for key specs and docs.
func TestCommandRESP3(t *testing.T) {
	rc := dialRaw(t, testutil.StartRedis(t))
	if r := rc.do(t, "HELLO", "3"); r.kind != '%' {
		t.Fatalf("HELLO 3 = %s", r)
	}
	engine := commands.NewEngine(keyspace.New(keyspace.Options{Databases: 16}),
		config.NewStore(config.Defaults(), ""), slog.New(slog.NewTextHandler(io.Discard, nil)))
	cl := commands.NewClient("", "", time.Now(), func() {})
	cl.W.Proto = 3
	for _, args := range [][]string{
		{"COMMAND", "INFO", "get", "nosuch"},
		{"COMMAND", "DOCS", "get", "nosuch"},
		{"COMMAND", "GETKEYSANDFLAGS", "get", "a"},
		{"COMMAND", "LIST", "FILTERBY", "PATTERN", "getrange"},
	} {
		want := rawBytes(t, rc, args)
		bargs := make([][]byte, len(args))
		for i, a := range args {
			bargs[i] = []byte(a)
		}
		cl.W.Reset()
		engine.KS.Lock()
		engine.Exec(cl, bargs)
		engine.KS.Unlock()
		if got := string(cl.W.Bytes()); got != want {
			t.Errorf("%q:\n got %q\nwant %q", args, got, want)
		}
	}
}

// rawBytes returns the bytes of one reply from c.
func rawBytes(t *testing.T, c *rawConn, args []string) string {
	t.Helper()
	var rec strings.Builder
	c.r = bufio.NewReader(io.TeeReader(c.conn, &rec))
	c.do(t, args...)
	c.r = bufio.NewReader(c.conn)
	return rec.String()
}

// TestCommandInfoMatchesRedis compares the COMMAND INFO of every command
// in cairn's table with redis-server's and reports all the differences at
// once: the tables are written by several people at the same time.
func TestCommandInfoMatchesRedis(t *testing.T) {
	rc := dialRaw(t, testutil.StartRedis(t))
	cc := dialRaw(t, testutil.StartCairn(t, nil).Addr)
	var diffs []string
	for _, name := range cc.do(t, "COMMAND", "LIST").strs() {
		got := cc.do(t, "COMMAND", "INFO", name).elems[0]
		want := rc.do(t, "COMMAND", "INFO", name).elems[0]
		// CLIENT SETINFO is Redis 7.2's, kept because redis-py and
		// go-redis send it on every connect.
		if want.null && name == "client|setinfo" {
			continue
		}
		if want.null {
			diffs = append(diffs, name+": not a Redis 7.0 command")
			continue
		}
		for _, f := range []struct {
			field string
			index int
		}{{"arity", 1}, {"flags", 2}, {"first key", 3}, {"last key", 4}, {"step", 5}, {"ACL categories", 6}} {
			if g, w := got.elems[f.index].String(), want.elems[f.index].String(); g != w {
				diffs = append(diffs, fmt.Sprintf("%s: %s %s, redis %s", name, f.field, g, w))
			}
		}
	}
	if len(diffs) > 0 {
		t.Errorf("COMMAND INFO differs from redis-server in %d places:\n%s", len(diffs), strings.Join(diffs, "\n"))
	}
}

// TestCommandDocsMatchRedis compares the COMMAND DOCS of commands whose
// Syntax exercises the notation with redis-server's: summary, since,
// group, complexity, and for every argument its name, type, token and
// flags. Fields cairn does not declare (history, doc_flags, per-argument
// since, deprecated_since, display_text) are not compared.
func TestCommandDocsMatchRedis(t *testing.T) {
	rc := dialRaw(t, testutil.StartRedis(t))
	cc := dialRaw(t, testutil.StartCairn(t, nil).Addr)
	var diffs []string
	for _, name := range []string{"set", "get", "expire", "scan", "client|kill", "command|list", "command|info"} {
		got := cc.do(t, "COMMAND", "DOCS", name)
		if len(got.elems) == 0 {
			t.Logf("%s: not declared yet", name)
			continue
		}
		want := rc.do(t, "COMMAND", "DOCS", name)
		diffs = append(diffs, diffDocs(name, got.elems[1].fields(), want.elems[1].fields())...)
	}
	if len(diffs) > 0 {
		t.Errorf("COMMAND DOCS differs from redis-server in %d places:\n%s", len(diffs), strings.Join(diffs, "\n"))
	}
}

func diffDocs(name string, got, want map[string]*rawReply) []string {
	var diffs []string
	for _, f := range []string{"summary", "since", "group", "complexity"} {
		if g, w := fieldString(got, f), fieldString(want, f); g != w {
			diffs = append(diffs, fmt.Sprintf("%s: %s %s, redis %s", name, f, g, w))
		}
	}
	return append(diffs, diffArgs(name, got["arguments"], want["arguments"])...)
}

func fieldString(m map[string]*rawReply, f string) string {
	if r := m[f]; r != nil {
		return r.String()
	}
	return "(none)"
}

// diffArgs compares two argument lists; path locates them in messages.
func diffArgs(path string, got, want *rawReply) []string {
	var g, w []*rawReply
	if got != nil {
		g = got.elems
	}
	if want != nil {
		w = want.elems
	}
	var diffs []string
	if len(g) != len(w) {
		diffs = append(diffs, fmt.Sprintf("%s: %d arguments %s, redis %d %s", path, len(g), argNames(g), len(w), argNames(w)))
	}
	for i := 0; i < len(g) && i < len(w); i++ {
		ga, wa := g[i].fields(), w[i].fields()
		p := path + "/" + fieldString(wa, "name")
		for _, f := range []string{"name", "type", "token", "flags"} {
			if gs, ws := fieldString(ga, f), fieldString(wa, f); gs != ws {
				diffs = append(diffs, fmt.Sprintf("%s: %s %s, redis %s", p, f, gs, ws))
			}
		}
		diffs = append(diffs, diffArgs(p, ga["arguments"], wa["arguments"])...)
	}
	return diffs
}

func argNames(args []*rawReply) string {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = fieldString(a.fields(), "name")
	}
	return "[" + strings.Join(names, " ") + "]"
}

// TestSyntaxRoundTripRedis checks the Syntax notation against every
// Redis 7.0 command of the groups cairn implements: each command's
// COMMAND DOCS arguments are written as a Syntax (labels where Redis's
// names are not the derived ones), declared in a cairn table, and
// cairn's COMMAND DOCS must give back the same arguments.
func TestSyntaxRoundTripRedis(t *testing.T) {
	rc := dialRaw(t, testutil.StartRedis(t))
	srv := testutil.StartCairn(t, nil)
	groups := []string{"generic", "string", "list", "set", "hash", "sorted-set", "geo", "connection", "server"}
	// Redis declarations the notation cannot tell apart from others.
	unwritable := map[string]string{
		"migrate":       "the empty-string token",
		"module|loadex": `"[ARGS arg [arg ...]]" is repeated as a whole, not by its member`,
		"config|get":    "a block of one member is written as that member; the hint is the same",
	}
	docs := rc.do(t, "COMMAND", "DOCS").fields()
	table := commands.Table{}
	for _, info := range rc.do(t, "COMMAND", "INFO").elems {
		cmd := commandFromRedis(t, info, docs[info.elems[0].str].fields())
		if slices.Contains(groups, cmd.Group) {
			table[cmd.Name] = cmd
		}
	}
	srv.Engine.KS.Lock()
	// COMMAND itself must keep working: it keeps cairn's declaration.
	table["command"] = srv.Engine.Table["command"]
	srv.Engine.Table = table
	srv.Engine.KS.Unlock()

	cc := dialRaw(t, srv.Addr)
	var diffs []string
	for _, name := range cc.do(t, "COMMAND", "LIST").strs() {
		if unwritable[name] != "" {
			continue
		}
		got := cc.do(t, "COMMAND", "DOCS", name).elems[1].fields()
		want := rc.do(t, "COMMAND", "DOCS", name).elems[1].fields()
		if d := diffArgs(name, got["arguments"], want["arguments"]); len(d) > 0 {
			diffs = append(diffs, d...)
			diffs = append(diffs, fmt.Sprintf("%s: written as %q", name, cmdSyntax(table, name)))
		}
	}
	if len(diffs) > 0 {
		t.Errorf("round trip through Syntax differs in %d places:\n%s", len(diffs), strings.Join(diffs, "\n"))
	}
}

func cmdSyntax(t commands.Table, name string) string {
	base, sub, ok := strings.Cut(name, "|")
	if ok {
		return t[base].Subcommands[sub].Syntax
	}
	return t[base].Syntax
}

// commandFromRedis declares a command from redis-server's COMMAND INFO
// entry and COMMAND DOCS map, its Syntax written from the arguments.
func commandFromRedis(t *testing.T, info *rawReply, docs map[string]*rawReply) *commands.Command {
	flagByName := map[string]commands.Flag{
		"write": commands.FlagWrite, "readonly": commands.FlagReadonly, "denyoom": commands.FlagDenyOOM,
		"admin": commands.FlagAdmin, "pubsub": commands.FlagPubSub, "noscript": commands.FlagNoScript,
		"blocking": commands.FlagBlocking, "loading": commands.FlagLoading, "stale": commands.FlagStale,
		"fast": commands.FlagFast, "no_auth": commands.FlagNoAuth, "no_mandatory_keys": commands.FlagNoMandatoryKeys,
	}
	cmd := &commands.Command{
		Name:     info.elems[0].str,
		Arity:    int(info.elems[1].n),
		FirstKey: int(info.elems[3].n), LastKey: int(info.elems[4].n), Step: int(info.elems[5].n),
		Group: fieldStr(docs, "group"), Since: fieldStr(docs, "since"),
		Complexity: fieldStr(docs, "complexity"), Summary: fieldStr(docs, "summary"),
		Run: func(*commands.Ctx) {},
	}
	for _, f := range info.elems[2].strs() {
		cmd.Flags |= flagByName[f]
	}
	if args := docs["arguments"]; args != nil {
		parts := make([]string, len(args.elems))
		for i, a := range args.elems {
			parts[i] = writeSyntax(a.fields())
		}
		cmd.Syntax = strings.Join(parts, " ")
	}
	if subs := info.elems[9].elems; len(subs) > 0 {
		subDocs := docs["subcommands"].fields()
		cmd.Subcommands = map[string]*commands.Command{}
		for _, s := range subs {
			sub := commandFromRedis(t, s, subDocs[s.elems[0].str].fields())
			_, short, _ := strings.Cut(sub.Name, "|")
			cmd.Subcommands[short] = sub
		}
	}
	return cmd
}

func fieldStr(m map[string]*rawReply, f string) string {
	if r := m[f]; r != nil {
		return r.str
	}
	return ""
}

// writeSyntax writes one COMMAND DOCS argument in the Syntax notation.
func writeSyntax(a map[string]*rawReply) string {
	typ, token := fieldStr(a, "type"), fieldStr(a, "token")
	var flags []string
	if f := a["flags"]; f != nil {
		flags = f.strs()
	}
	var members []map[string]*rawReply
	var memberNames []string
	if m := a["arguments"]; m != nil {
		for _, e := range m.elems {
			members = append(members, e.fields())
			memberNames = append(memberNames, fieldStr(e.fields(), "name"))
		}
	}
	unit := fieldStr(a, "name")
	derived := unit
	switch typ {
	case "pure-token":
		unit, derived = token, strings.ToLower(token)
	case "oneof":
		parts := make([]string, len(members))
		for i, m := range members {
			parts[i] = writeSyntax(m)
		}
		unit, derived = strings.Join(parts, " | "), strings.Join(memberNames, "_")
		if token != "" {
			unit = token + " <" + unit + ">"
		}
	case "block":
		parts := make([]string, len(members))
		for i, m := range members {
			parts[i] = writeSyntax(m)
		}
		unit, derived = strings.Join(parts, " "), strings.Join(memberNames, "_")
		if token != "" {
			unit = token + " " + unit
			if len(members) == 1 {
				derived = strings.ToLower(token)
			}
		}
	default:
		if token != "" && slices.Contains(flags, "multiple") && !slices.Contains(flags, "multiple_token") {
			// "WEIGHTS weight [weight ...]": the token once.
			unit = token + " " + unit + " [" + unit + " ...]"
			flags = slices.DeleteFunc(flags, func(f string) bool { return f == "multiple" })
		} else if token != "" {
			unit = token + " " + unit
		}
	}
	label := ""
	if name := fieldStr(a, "name"); name != derived || typ == "block" && token != "" && len(members) == 1 &&
		members[0]["flags"] != nil && slices.Contains(members[0]["flags"].strs(), "multiple") {
		// A label keeps "ID client-id [client-id ...]" a block.
		label = name + ": "
	}
	if slices.Contains(flags, "multiple") {
		unit += " [" + unit + " ...]"
	}
	switch {
	case slices.Contains(flags, "optional"):
		return "[" + label + unit + "]"
	case label != "" || typ == "oneof" || typ == "block" || token != "" && typ != "pure-token":
		return "<" + label + unit + ">"
	}
	return unit
}
