package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestRedisConfEveryForm reads a redis.conf using every form of the
// syntax: case-insensitive names, a later line winning, units, quotes
// and escapes, repeated save and client-output-buffer-limit lines, an
// include, an alias, and Redis options cairn accepts with a warning.
func TestRedisConfEveryForm(t *testing.T) {
	st, err := Load([]string{"testdata/every-form.conf"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range [][2]string{
		{"port", "7101"},
		{"maxmemory", "104857600"},
		{"maxmemory-policy", "allkeys-lru"},
		{"requirepass", "it's"},
		{"notify-keyspace-events", "xE"},
		{"appendonly", "no"},
		{"save", "900 1 300 10"},
		{"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 90"},
		{"hz", "20"},
		{"timeout", "7"},
		{"hash-max-listpack-entries", "64"},
		{"slowlog-log-slower-than", "100"},
	} {
		if got := st.Get([]string{tc[0]}); len(got) != 1 || got[0][1] != tc[1] {
			t.Errorf("%s = %v, want %q", tc[0], got, tc[1])
		}
	}
	w := strings.Join(st.Warnings(), "\n")
	for _, want := range []string{"every-form.conf:17: option 'daemonize' has no effect", "every-form.conf:18: option 'tcp-keepalive' has no effect"} {
		if !strings.Contains(w, want) {
			t.Errorf("no warning %q in:\n%s", want, w)
		}
	}
}

// TestRedisConfDebian reads Debian's redis.conf, the one redis-server 7.0
// installs: every option in it is implemented or accounted for.
func TestRedisConfDebian(t *testing.T) {
	const path = "/etc/redis/redis.conf"
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: %v (CI installs redis-server)", path, err)
		}
		t.Skipf("%s: %v", path, err)
	}
	st, err := Load([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	c := st.Load()
	if c.Bind != "127.0.0.1 -::1" || c.Port != 6379 || c.Dir != "/var/lib/redis" {
		t.Errorf("bind %q port %d dir %q", c.Bind, c.Port, c.Dir)
	}
	if len(st.Warnings()) == 0 {
		t.Error("no warning for the options that have no effect (daemonize, pidfile...)")
	}
}

// TestRedisConfRefusals: what cannot be honoured or is no option stops
// startup with the file, the line and the option named.
func TestRedisConfRefusals(t *testing.T) {
	for _, tc := range []struct{ conf, want string }{
		{"prot 6380", `:1: unknown option 'prot' (did you mean 'port'?)`},
		{"port 1\nmaxmemory-polcy allkeys-lru", `:2: unknown option 'maxmemory-polcy' (did you mean 'maxmemory-policy'?)`},
		{"no-such-thing-at-all yes", `:1: unknown option 'no-such-thing-at-all'`},
		{"replicaof 10.0.0.1 6379", `option 'replicaof 10.0.0.1 6379' cannot be honoured: cairn has no replication`},
		{"cluster-enabled yes", `cannot be honoured: cairn has no cluster mode`},
		{"tls-key-file-pass secret", `cannot be honoured: cairn reads only unencrypted private keys`},
		{"port 6380 \"", `:1: unbalanced quotes`},
		{"maxmemory lots", `invalid value for option 'maxmemory'`},
		{"include /no/such/file.conf", `include: open /no/such/file.conf`},
	} {
		path := filepath.Join(t.TempDir(), "redis.conf")
		if err := os.WriteFile(path, []byte(tc.conf+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load([]string{path})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.conf, err, tc.want)
		}
	}
}

// TestUnknownEnvironmentVariable: a CAIRN_* variable that names no option
// stops startup, as a setting believed in force must not be ignored.
func TestUnknownEnvironmentVariable(t *testing.T) {
	t.Setenv("CAIRN_MAXMEMORY_POLCY", "allkeys-lru")
	_, err := Load(nil)
	if err == nil || !strings.Contains(err.Error(), "environment CAIRN_MAXMEMORY_POLCY: unknown option 'maxmemory-polcy' (did you mean 'maxmemory-policy'?)") {
		t.Errorf("error %v", err)
	}
}

func TestUnknownFlag(t *testing.T) {
	_, err := Load([]string{"--maxmemory-polcy", "allkeys-lru"})
	if err == nil || err.Error() != "flag --maxmemory-polcy: unknown option 'maxmemory-polcy' (did you mean 'maxmemory-policy'?)" {
		t.Errorf("error %v", err)
	}
}

func TestRedisOnlyFlagsAndEnvironment(t *testing.T) {
	t.Setenv("CAIRN_DAEMONIZE", "no")
	st, err := Load([]string{"--tcp-backlog", "511", "--maxmemory", "100mb", "--daemonize", "no"})
	if err != nil {
		t.Fatal(err)
	}
	if w := st.Warnings(); len(w) != 2 {
		t.Errorf("warnings %q, want one for each of daemonize (given twice) and tcp-backlog", w)
	}
	if v := st.Get([]string{"tcp-backlog"}); len(v) != 1 || v[0][1] != "511" {
		t.Errorf("CONFIG GET tcp-backlog: %v", v)
	}
	if _, err := Load([]string{"--cluster-enabled", "yes"}); err == nil || !strings.Contains(err.Error(), "flag --cluster-enabled") {
		t.Errorf("--cluster-enabled yes: %v", err)
	}
}

// TestRedisConfRewrite: CONFIG REWRITE of a redis.conf keeps its comments
// and order, replaces an option's first line and drops its repeats,
// writes Redis's options without effect as CONFIG SET left them, appends
// what changed under Redis's marker, and reads back to the same
// configuration.
func TestRedisConfRewrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "redis.conf")
	conf := "# my cache\nport 7100\nsave 900 1\n\n# second save line\nsave 300 10\nactiverehashing yes\nmaxmemory-policy allkeys-lru\n"
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := Load([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Set([][2]string{{"maxmemory", "1gb"}, {"requirepass", "a b"}, {"save", ""}, {"tcp-keepalive", "60"}, {"activerehashing", "no"},
		{"maxmemory-clients", "10%"}}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second rewrite changes nothing
		if err := st.Rewrite([]string{builtinUsers}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// What redis-server 7.0 wrote for this file and these CONFIG SETs,
	// but for the order of the appended lines (its option table's): the
	// second save line blanked, a blank line before the marker, the users
	// last, and after the second rewrite a blank line at the end (Redis
	// appends after the empty line that the file's last newline makes).
	want := "# my cache\nport 7100\nsave \"\"\n\n# second save line\n\nactiverehashing no\nmaxmemory-policy allkeys-lru\n" +
		"\n# Generated by CONFIG REWRITE\nrequirepass \"a b\"\nmaxmemory 1gb\nmaxmemory-clients 10%\ntcp-keepalive 60\n" +
		builtinUsers + "\n\n"
	if string(got) != want {
		t.Errorf("rewritten:\n%s\nwant:\n%s", got, want)
	}
	back, err := Load([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := back.Get([]string{"*"}), st.Get([]string{"*"}); !slices.Equal(a, b) {
		t.Errorf("read back differs:\n%v\n%v", a, b)
	}
}

// TestRedisServerCommandLine: redis-server's command lines, where an
// option's arguments run to the next "--".
func TestRedisServerCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		opt  string
		want string
	}{
		{[]string{"--save", "900", "1", "300", "10", "--port", "7000"}, "save", "900 1 300 10"},
		{[]string{"--save", "", "--appendonly", "no"}, "save", ""},
		{[]string{"--save", "", "--appendonly", "no"}, "appendonly", "no"},
		{[]string{"--bind", "127.0.0.1", "-::1", "--port", "7000"}, "bind", "127.0.0.1 -::1"},
		{[]string{"--slowlog-log-slower-than", "-1"}, "slowlog-log-slower-than", "-1"},
		{[]string{"--maxmemory", "100mb"}, "maxmemory", "104857600"},
		{[]string{"--client-output-buffer-limit", "pubsub", "1mb", "0", "0"}, "client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 0 0"},
		{[]string{"testdata/every-form.conf", "--port", "7200"}, "port", "7200"},
		{[]string{"testdata/every-form.conf", "--port", "7200"}, "hz", "20"},
	} {
		st, err := Load(tc.args)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if got := st.Get([]string{tc.opt}); len(got) != 1 || got[0][1] != tc.want {
			t.Errorf("%q: %s = %v, want %q", tc.args, tc.opt, got, tc.want)
		}
	}
}

// TestDirIsReportedAbsolute: CONFIG GET dir answers an absolute path, as
// Redis's (it works from there), whatever form it was given in.
func TestDirIsReportedAbsolute(t *testing.T) {
	st, err := Load([]string{"--dir", "some/data"})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Abs("some/data")
	if got := st.Get([]string{"dir"}); len(got) != 1 || got[0][1] != want {
		t.Errorf("dir = %v, want %q", got, want)
	}
}

// TestYAMLRedisOnlyOption: a YAML file may name Redis's options without
// effect too, with the same warning as a redis.conf.
func TestYAMLRedisOnlyOption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cairn.yaml")
	if err := os.WriteFile(path, []byte("port: 7001\ndaemonize: \"no\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := Load([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if w := st.Warnings(); len(w) != 1 || !strings.Contains(w[0], "option 'daemonize' has no effect") || st.Load().Port != 7001 {
		t.Errorf("warnings %q, port %d", w, st.Load().Port)
	}
}

// TestRedisConfRewriteForms: lines as redis-server 7.0 writes them: one
// save line per rule (the one more appended), one
// client-output-buffer-limit line per class off its default, with units,
// and strings quoted.
func TestRedisConfRewriteForms(t *testing.T) {
	path := filepath.Join(t.TempDir(), "redis.conf")
	if err := os.WriteFile(path, []byte("save 900 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := Load([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Set([][2]string{{"save", "3600 1 300 100"}, {"client-output-buffer-limit", "pubsub 1mb 0 0"},
		{"notify-keyspace-events", "Ex"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Rewrite([]string{builtinUsers}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "save 3600 1\n\n# Generated by CONFIG REWRITE\nsave 300 100\n" +
		"client-output-buffer-limit pubsub 1mb 0 0\nnotify-keyspace-events \"xE\"\n" + builtinUsers + "\n"
	if string(got) != want {
		t.Errorf("rewritten:\n%s\nwant:\n%s", got, want)
	}
}

// TestUsers: user lines of a redis.conf, a YAML user list and --user
// flags, in that order, each the name then its rules.
func TestUsers(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "redis.conf")
	os.WriteFile(conf, []byte("user default on nopass ~* &* +@all\nUSER app on \">p w\" ~app:*\n"), 0o644)
	st, err := Load([]string{conf, "--user", "ops", "on", "nopass", "(+get", "~x)"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"default", "on", "nopass", "~*", "&*", "+@all"}, {"app", "on", ">p w", "~app:*"},
		{"ops", "on", "nopass", "(+get", "~x)"}}
	if got := st.Load().Users; !reflect.DeepEqual(got, want) {
		t.Errorf("users %q, want %q", got, want)
	}
	yaml := filepath.Join(dir, "c.yaml")
	os.WriteFile(yaml, []byte("user: [\"app on >pw ~app:*\"]\n"), 0o644)
	st, err = Load([]string{"--config", yaml})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Load().Users; !reflect.DeepEqual(got, [][]string{{"app", "on", ">pw", "~app:*"}}) {
		t.Errorf("YAML users %q", got)
	}
	// CONFIG REWRITE of a YAML file puts the users on its user line.
	if err := st.Rewrite([]string{"user app on #ab ~app:* resetchannels -@all", builtinUsers}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(yaml)
	if want := "user: [\"app on #ab ~app:* resetchannels -@all\", \"default on nopass ~* &* +@all\"]\n"; string(data) != want {
		t.Errorf("rewritten %q, want %q", data, want)
	}
	if st, err = Load([]string{"--config", yaml}); err != nil || len(st.Load().Users) != 2 {
		t.Errorf("rewritten file loads %v, %v", st, err)
	}
}
