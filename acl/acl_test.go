package acl

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testCatalog is a few commands with Redis's categories: enough for
// every kind of rule.
func testCatalog() *Catalog {
	cmd := func(name string, c Category, subs ...*Command) *Command {
		return &Command{Name: name, Categories: c, Subs: subs}
	}
	return NewCatalog([]*Command{
		cmd("get", Read|String|Fast),
		cmd("set", Write|String|Slow),
		cmd("mget", Read|String|Fast),
		cmd("del", Write|Keyspace|Slow),
		cmd("hget", Read|Hash|Fast),
		cmd("hset", Write|Hash|Fast),
		cmd("select", Fast|Connection),
		cmd("flushall", Write|Keyspace|Slow|Dangerous),
		cmd("publish", PubSub|Fast),
		{Name: "auth", Categories: Fast | Connection, NoAuth: true},
		cmd("config", Slow,
			cmd("config|get", Admin|Slow|Dangerous),
			cmd("config|set", Admin|Slow|Dangerous)),
	})
}

func setUser(t *testing.T, us *Users, name string, rules ...string) *User {
	t.Helper()
	u, _, err := us.SetUser(name, rules)
	if err != nil {
		t.Fatalf("SETUSER %s %q: %v", name, rules, err)
	}
	return u
}

// TestDescribe: ACL LIST's description of the rules, which must also
// give back the same rules when applied to a new user.
func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		rules []string
		want  string
	}{
		{nil, "off resetchannels -@all"},
		{[]string{"reset"}, "off sanitize-payload resetchannels -@all"},
		{[]string{"on", "nopass", "~*", "&*", "+@all"}, "on nopass ~* &* +@all"},
		{[]string{"+@all", "-@dangerous"}, "off resetchannels +@all -@dangerous"},
		{[]string{"+@read"}, "off resetchannels -@all +@read"},
		{[]string{"+@hash", "-hset"}, "off resetchannels -@all +hget"},
		// The category that fits best first, then what it got wrong.
		{[]string{"+@string", "+@hash", "-hset"}, "off resetchannels -@all +@read +set"},
		{[]string{"+@all", "-config|set"}, "off resetchannels +@all -config|set"},
		{[]string{"+config|get"}, "off resetchannels -@all +config|get"},
		{[]string{"+config"}, "off resetchannels -@all +@admin +config"},
		{[]string{"+select|0", "+select|1", "+select|0"}, "off resetchannels -@all +select|0 +select|1"},
		{[]string{"+select|0", "+select"}, "off resetchannels -@all +select"},
		{[]string{"~a*", "%R~b*", "%W~c*", "%RW~d*", "%R~a*", "%W~b*"}, "off ~a* ~b* %W~c* ~d* resetchannels -@all"},
		{[]string{"&x", "&y*", "&x"}, "off resetchannels &x &y* -@all"},
		{[]string{">p", ">p", "#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"},
			"off #" + hashPassword([]byte("p")) + " #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 resetchannels -@all"},
		{[]string{"on", "+get", "(~x* +set)", "(", "%R~y*", "+@hash)"},
			"on resetchannels -@all +get (~x* resetchannels -@all +set) (%R~y* resetchannels -@all +@hash)"},
		{[]string{"(+set)", "clearselectors"}, "off resetchannels -@all"},
	} {
		us := NewUsers(testCatalog())
		u := setUser(t, us, "u", tc.rules...)
		got := us.Describe(u)
		if got != tc.want {
			t.Errorf("%q: %q, want %q", tc.rules, got, tc.want)
			continue
		}
		// Applied again, the description gives the same rules.
		again := setUser(t, us, "again", strings.Fields(strings.NewReplacer("(", "", ")", "").Replace(got))...)
		if tc.rules != nil && !strings.Contains(got, "(") && us.Describe(again) != got {
			t.Errorf("%q: applied again, %q", got, us.Describe(again))
		}
	}
}

// TestRuleErrors: each rule Redis refuses, with its message.
func TestRuleErrors(t *testing.T) {
	for _, tc := range []struct {
		rules []string
		why   string
	}{
		{[]string{"bogus"}, whySyntax},
		{[]string{"+nosuch"}, whyUnknown},
		{[]string{"-nosuch"}, whyUnknown},
		{[]string{"+@nosuch"}, whyUnknown},
		{[]string{"+"}, whyUnknown},
		{[]string{"-get|x"}, whyUnknown},
		{[]string{"+config|nosuch"}, whyUnknown},
		{[]string{"+config|get|x"}, whySubFirstArg},
		{[]string{"+get|"}, whySyntax},
		{[]string{"~*", "~a"}, whyAfterAllKey},
		{[]string{"&*", "&a"}, whyAfterAllCh},
		{[]string{"~a b"}, whySyntax},
		{[]string{"&a\x00"}, whySyntax},
		{[]string{"%~x"}, whySyntax},
		{[]string{"%RR~x"}, whySyntax},
		{[]string{"%X~x"}, whySyntax},
		{[]string{"<nopass"}, whyNoSuchPass},
		{[]string{"#abc"}, whyBadHash},
		{[]string{"#" + strings.ToUpper(hashPassword([]byte("x")))}, whyBadHash},
		{[]string{"(on)"}, whySyntax},
	} {
		us := NewUsers(testCatalog())
		_, _, err := us.SetUser("u", tc.rules)
		var re *RuleError
		if !errors.As(err, &re) || re.Why != tc.why {
			t.Errorf("%q: %v, want %q", tc.rules, err, tc.why)
		}
		if us.Get("u") != nil {
			t.Errorf("%q: the user was created", tc.rules)
		}
	}
	us := NewUsers(testCatalog())
	if _, _, err := us.SetUser("u", []string{"on", "(+get", "~x"}); !errors.As(err, new(*ErrUnmatched)) {
		t.Errorf("unclosed selector: %v", err)
	}
}

// TestCheck: which calls a user's rules allow, and why others are not.
func TestCheck(t *testing.T) {
	cat := testCatalog()
	us := NewUsers(cat)
	u := setUser(t, us, "u", "on", "~k*", "%R~r*", "%W~w*", "&news", "&s*", "+get", "+set", "+mget", "+publish",
		"+select|0", "+config|get", "(~sel* +del)")
	read := func(pos ...int) []Key {
		var ks []Key
		for _, p := range pos {
			ks = append(ks, Key{Pos: p, Read: true})
		}
		return ks
	}
	write := func(pos int) []Key { return []Key{{Pos: pos, Write: true}} }
	ch := func(pattern bool) []Channel { return []Channel{{Pos: 1, Pattern: pattern}} }
	for _, tc := range []struct {
		cmd      string
		args     []string
		keys     []Key
		channels []Channel
		want     Denial
		pos      int
	}{
		{"get", []string{"get", "k1"}, read(1), nil, Allowed, 0},
		{"get", []string{"get", "r1"}, read(1), nil, Allowed, 0},
		{"get", []string{"get", "w1"}, read(1), nil, DeniedKey, 1},
		{"set", []string{"set", "w1", "v"}, write(1), nil, Allowed, 0},
		{"set", []string{"set", "r1", "v"}, write(1), nil, DeniedKey, 1},
		{"mget", []string{"mget", "k1", "r2", "x"}, read(1, 2, 3), nil, DeniedKey, 3},
		{"hget", []string{"hget", "k", "f"}, read(1), nil, DeniedCommand, 0},
		{"del", []string{"del", "sel1"}, write(1), nil, Allowed, 0},
		// No selector allows it: the root's key denial is reported over
		// the other selector's command denial.
		{"del", []string{"del", "k1"}, write(1), nil, DeniedKey, 1},
		{"select", []string{"select", "0"}, nil, nil, Allowed, 0},
		{"select", []string{"select", "1"}, nil, nil, DeniedCommand, 0},
		{"config|get", []string{"config", "get", "x"}, nil, nil, Allowed, 0},
		{"config|set", []string{"config", "set", "x", "y"}, nil, nil, DeniedCommand, 0},
		{"auth", []string{"auth", "x"}, nil, nil, Allowed, 0},
		{"publish", []string{"publish", "news", "x"}, nil, ch(false), Allowed, 0},
		{"publish", []string{"publish", "sport", "x"}, nil, ch(false), Allowed, 0},
		{"publish", []string{"publish", "other", "x"}, nil, ch(false), DeniedChannel, 1},
		// A subscription pattern must be a rule as it is.
		{"publish", []string{"psubscribe", "s*"}, nil, ch(true), Allowed, 0},
		{"publish", []string{"psubscribe", "sp*"}, nil, ch(true), DeniedChannel, 1},
	} {
		args := make([][]byte, len(tc.args))
		for i, a := range tc.args {
			args[i] = []byte(a)
		}
		d, pos := u.Check(&Request{Cmd: cat.Lookup(tc.cmd), Args: args, Keys: tc.keys, Channels: tc.channels})
		if d != tc.want || pos != tc.pos {
			t.Errorf("%q: %v at %d, want %v at %d", tc.args, d, pos, tc.want, tc.pos)
		}
	}
	if d, _ := (*User)(nil).Check(&Request{Cmd: cat.Lookup("flushall")}); d != Allowed {
		t.Errorf("the server's own client refused: %v", d)
	}
}

func TestPasswords(t *testing.T) {
	us := NewUsers(testCatalog())
	if !us.Open() || !us.Default.CheckPassword([]byte("anything")) {
		t.Fatal("the default user needs a password")
	}
	us.SetDefaultPassword("s3cret")
	if us.Open() || us.Default.CheckPassword([]byte("x")) || !us.Default.CheckPassword([]byte("s3cret")) {
		t.Error("requirepass not the default user's password")
	}
	u := setUser(t, us, "u", ">a", ">b")
	if u.CheckPassword([]byte("a")) {
		t.Error("a user that is off logged in")
	}
	setUser(t, us, "u", "on", "<a")
	if u.CheckPassword([]byte("a")) || !u.CheckPassword([]byte("b")) {
		t.Error("passwords after <a")
	}
	us.SetDefaultPassword("")
	if !us.Open() {
		t.Error("requirepass cleared, the default user still needs a password")
	}
}

// TestLoadFile: an ACL file replaces the users all at once, or not at
// all with every error described as Redis does.
func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "users.acl")
	us := NewUsers(testCatalog())
	old := setUser(t, us, "old", "on", "nopass")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("user a on >x ~* +get\n\nuser b off +@nosuch +nosuch bogus bogus2\nfoo a\nuser a\nuser \"a b\n")
	if _, err := us.LoadFile(path); err == nil {
		t.Fatal("a bad file loaded")
	} else if want := path + ":3: Error in applying operation '+@nosuch': Unknown command or category name in ACL. " +
		path + ":3: Error in applying operation '+nosuch': Unknown command or category name in ACL. " +
		path + ":3: Syntax error. " +
		path + ":4 should start with user keyword followed by the username. " +
		"WARNING: Duplicate user 'a' found on line 5. " +
		// Words are split at spaces, not as quoted arguments.
		path + ":6: Syntax error. " +
		"WARNING: ACL errors detected, no change to the previously active ACL rules was performed"; err.Error() != want {
		t.Errorf("errors:\n%s\nwant:\n%s", err, want)
	}
	if us.Get("old") != old {
		t.Error("a failed load changed the users")
	}
	write("user a on >x ~* +get\nuser default on >pw ~* &* +@all\n")
	replaced, err := us.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(replaced) != 1 || replaced[0] != old || us.Get("old") != nil || us.Get("a") == nil {
		t.Errorf("replaced %v, users %v", replaced, us.Names())
	}
	if us.Open() || !us.Default.CheckPassword([]byte("pw")) || us.Get("default") != us.Default {
		t.Error("the default user's rules were not loaded in place")
	}
	if err := us.Save(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	want := "user a on #" + hashPassword([]byte("x")) + " ~* resetchannels -@all +get\nuser default on #" + hashPassword([]byte("pw")) + " ~* &* +@all\n"
	if string(data) != want {
		t.Errorf("saved:\n%s\nwant:\n%s", data, want)
	}
	if _, err := us.LoadFile(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "No such file or directory") {
		t.Errorf("missing file: %v", err)
	}
}

func TestLogGroupsDenials(t *testing.T) {
	var l Log
	add := func(object string) {
		l.Add(Entry{Reason: DeniedKey, Context: TopLevel, Object: object, Username: "u"}, 3)
	}
	add("a")
	add("b")
	add("a")
	got := l.Entries(10)
	if len(got) != 2 || got[0].Object != "a" || got[0].Count != 2 || got[1].Object != "b" {
		t.Errorf("entries %+v", got)
	}
	add("c")
	add("d")
	if got := l.Entries(10); len(got) != 3 || got[0].Object != "d" {
		t.Errorf("entries past the limit %+v", got)
	}
	l.Reset()
	if len(l.Entries(10)) != 0 {
		t.Error("not reset")
	}
}

// TestCategoryWithoutCommands: a category no command of this cairn is in
// (@stream) is kept in the description, as Redis describes it.
func TestCategoryWithoutCommands(t *testing.T) {
	for _, tc := range []struct {
		rules []string
		want  string
	}{
		{[]string{"+@all", "-@stream"}, "off resetchannels +@all -@stream"},
		{[]string{"+@stream"}, "off resetchannels -@all +@stream"},
		{[]string{"+@stream", "+@read"}, "off resetchannels -@all +@read +@stream"},
		{[]string{"+@stream", "-@stream"}, "off resetchannels -@all"},
		{[]string{"+@stream", "-@all"}, "off resetchannels -@all"},
		{[]string{"+@all", "-@stream", "+@all"}, "off resetchannels +@all"},
	} {
		us := NewUsers(testCatalog())
		if got := us.Describe(setUser(t, us, "u", tc.rules...)); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.rules, got, tc.want)
		}
	}
}
