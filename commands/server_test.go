package commands_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/version"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/server"
)

// infoFields parses INFO output into field: value, with "# Section"
// headings under the key "#".
func infoFields(t *testing.T, text string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, line := range strings.Split(text, "\r\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, "# "):
			m["#"] += line[2:] + " "
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				t.Fatalf("bad INFO line %q", line)
			}
			m[k] = v
		}
	}
	return m
}

func TestInfo(t *testing.T) {
	srv := startConnServer(t, nil)
	c := dialRaw(t, srv.Addr)
	c.do(t, "SET", "a", "1")
	c.do(t, "SET", "b", "2", "EX", "1000")
	c.do(t, "GET", "a")
	c.do(t, "GET", "nokey")
	c.do(t, "HELLO", "9")
	c.do(t, "NOSUCHCOMMAND")
	c.do(t, "SELECT", "5")
	c.do(t, "SET", "short", "x", "PX", "1")
	for c.do(t, "EXISTS", "short").n == 1 {
		time.Sleep(time.Millisecond)
	}
	c.do(t, "SELECT", "0")

	reply := c.do(t, "INFO", "everything")
	if reply.kind != '$' {
		t.Fatalf("INFO replied %q", reply.kind)
	}
	info := infoFields(t, reply.str)
	if want := "Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Latencystats Cluster Keyspace "; info["#"] != want {
		t.Errorf("sections %q, want %q", info["#"], want)
	}
	_, port, _ := strings.Cut(srv.Addr, ":")
	for field, want := range map[string]string{
		"redis_version":              "7.0.15",
		"cairn_version":              version.Version,
		"redis_mode":                 "standalone",
		"tcp_port":                   port,
		"process_id":                 strconv.Itoa(os.Getpid()),
		"connected_clients":          "1",
		"blocked_clients":            "0",
		"maxclients":                 "10000",
		"maxmemory":                  "0",
		"loading":                    "0",
		"aof_enabled":                "0",
		"total_connections_received": "1",
		"role":                       "master",
		"connected_slaves":           "0",
		"db0":                        "keys=2,expires=1,avg_ttl=0",
		"errorstat_NOPROTO":          "count=1",
		"errorstat_ERR":              "count=1",
		"total_error_replies":        "2",
		"cluster_enabled":            "0",
	} {
		if info[field] != want {
			t.Errorf("%s:%q, want %q", field, info[field], want)
		}
	}
	for field, pattern := range map[string]string{
		"run_id":                   `^[0-9a-f]{40}$`,
		"master_replid":            `^[0-9a-f]{40}$`,
		"uptime_in_seconds":        `^[0-9]+$`,
		"used_memory":              `^[1-9][0-9]*$`,
		"used_memory_human":        `^[0-9.]+[BKMGTP]$`,
		"used_cpu_user":            `^[0-9]+\.[0-9]{6}$`,
		"used_cpu_sys":             `^[0-9]+\.[0-9]{6}$`,
		"total_commands_processed": `^[0-9]+$`,
		"keyspace_hits":            `^[1-9][0-9]*$`,
		"keyspace_misses":          `^[1-9][0-9]*$`,
		"expired_keys":             `^[1-9][0-9]*$`,
		"cmdstat_set":              `^calls=3,usec=[0-9]+,usec_per_call=[0-9]+\.[0-9]{2},rejected_calls=0,failed_calls=0$`,
		"cmdstat_hello":            `^calls=1,usec=[0-9]+,usec_per_call=[0-9.]+,rejected_calls=0,failed_calls=1$`,
	} {
		if !regexp.MustCompile(pattern).MatchString(info[field]) {
			t.Errorf("%s:%q does not match %s", field, info[field], pattern)
		}
	}
	if _, ok := info["db5"]; ok {
		t.Error("db5 listed, but its only key expired")
	}

	for _, tc := range []struct {
		args     []string
		sections string
	}{
		{[]string{"INFO"}, "Server Clients Memory Persistence Stats Replication CPU Modules Errorstats Cluster Keyspace "},
		{[]string{"INFO", "default"}, "Server Clients Memory Persistence Stats Replication CPU Modules Errorstats Cluster Keyspace "},
		{[]string{"INFO", "all"}, "Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Latencystats Cluster Keyspace "},
		{[]string{"INFO", "KEYSPACE", "server", "keyspace"}, "Server Keyspace "},
		{[]string{"INFO", "commandstats", "nosuch"}, "Commandstats "},
		{[]string{"INFO", "nosuch"}, ""},
	} {
		if got := infoFields(t, c.do(t, tc.args...).str)["#"]; got != tc.sections {
			t.Errorf("%q: sections %q, want %q", tc.args, got, tc.sections)
		}
	}

	if r := c.do(t, "CONFIG", "RESETSTAT"); r.str != "OK" {
		t.Fatal(r)
	}
	after := infoFields(t, c.do(t, "INFO", "all").str)
	for field, want := range map[string]string{
		"total_commands_processed": "1", "keyspace_hits": "0", "keyspace_misses": "0", "expired_keys": "0",
		"total_error_replies": "0", "total_connections_received": "0", "rdb_changes_since_last_save": info["rdb_changes_since_last_save"],
	} {
		if after[field] != want {
			t.Errorf("after CONFIG RESETSTAT %s:%q, want %q", field, after[field], want)
		}
	}
	for field := range after {
		if field != "cmdstat_config|resetstat" && strings.HasPrefix(field, "cmdstat_") || strings.HasPrefix(field, "errorstat_") {
			t.Errorf("after CONFIG RESETSTAT %s:%s is still listed", field, after[field])
		}
	}

	// RESP3 clients get a verbatim string.
	c.do(t, "HELLO", "3")
	if r := c.do(t, "INFO", "server"); r.kind != '=' || !strings.HasPrefix(r.str, "txt:# Server\r\n") {
		t.Errorf("INFO in RESP3: %q %q", r.kind, r.str)
	}
}

func TestConfigGetSet(t *testing.T) {
	srv := startConnServer(t, nil)
	ctx := context.Background()
	c := goRedis(t, &redis.Options{Addr: srv.Addr, Protocol: 3})
	got, err := c.ConfigGet(ctx, "*max*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if got["maxclients"] != "10000" || got["proto-max-bulk-len"] != "536870912" {
		t.Errorf("CONFIG GET *max*: %v", got)
	}
	if err := c.ConfigSet(ctx, "hz", "25").Err(); err != nil {
		t.Fatal(err)
	}
	if srv.Config.Load().Hz != 25 {
		t.Errorf("CONFIG SET hz did not reach the configuration: %d", srv.Config.Load().Hz)
	}

	raw := dialRaw(t, srv.Addr)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"GET", "Timeout", "hz", "HZ", "t*out"}, `["Timeout" "0" "hz" "25" "tls-session-cache-timeout" "300"]`},
		{[]string{"GET", "nosuch", "nosuch*"}, `[]`},
		{[]string{"SET", "maxclients", "50", "timeout", "7"}, "+OK"},
		{[]string{"GET", "maxclients", "timeout"}, `["maxclients" "50" "timeout" "7"]`},
		// All or nothing: a bad value leaves the earlier pairs unset.
		{[]string{"SET", "maxclients", "60", "timeout", "x"}, "-ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer"},
		{[]string{"SET", "maxclients", "60", "databases", "2"}, "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"},
		{[]string{"SET", "hz", "1", "HZ", "2"}, "-ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter"},
		{[]string{"SET", "dir", "/tmp"}, "-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{[]string{"SET", "enable-debug-command", "yes"}, "-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config"},
		{[]string{"SET", "nosuch", "1", "databases", "2"}, "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"},
		{[]string{"SET", "hz", "1", "timeout"}, "-ERR syntax error"},
		{[]string{"GET", "maxclients", "timeout", "hz"}, `["maxclients" "50" "timeout" "7" "hz" "25"]`},
		{[]string{"SET", "hz", "0"}, "+OK"},
		{[]string{"GET", "hz"}, `["hz" "1"]`},
		{[]string{"SET", "hz", "100000"}, "+OK"},
		{[]string{"GET", "hz"}, `["hz" "500"]`},
		{[]string{"SET", "loglevel", "nothing"}, "-ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"},
		{[]string{"REWRITE"}, "-ERR The server is running without a config file"},
	} {
		if r := raw.do(t, append([]string{"CONFIG"}, tc.args...)...); r.String() != tc.want {
			t.Errorf("CONFIG %q = %s, want %s", tc.args, r, tc.want)
		}
	}
	if cfg := srv.Config.Load(); cfg.MaxClients != 50 || cfg.Timeout != 7*time.Second {
		t.Errorf("maxclients %d, timeout %v after the failed CONFIG SETs", cfg.MaxClients, cfg.Timeout)
	}
}

// TestConfigRewrite runs a server whose configuration comes from a file,
// as cmd/cairn starts it, and rewrites that file.
func TestConfigRewrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cairn.yaml")
	orig := "# my settings\nhz: 10 # the cron rate\n\n# the data\ndir: " + dir + "\n"
	if err := os.WriteFile(path, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := config.Load([]string{"--config", path})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine := commands.NewEngine(keyspace.New(keyspace.Options{Databases: store.Load().Databases}), store, log)
	srv := server.New(engine, log)
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})

	c := dialRaw(t, srv.Addr().String())
	if info := infoFields(t, c.do(t, "INFO", "server").str); info["config_file"] != path {
		t.Errorf("config_file:%q, want %q", info["config_file"], path)
	}
	for _, args := range [][]string{{"CONFIG", "SET", "hz", "25", "timeout", "30"}, {"CONFIG", "REWRITE"}} {
		if r := c.do(t, args...); r.str != "OK" {
			t.Fatalf("%q: %v", args, r)
		}
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "# my settings\nhz: 25\n\n# the data\ndir: " + dir + "\ntimeout: 30\n"
	if string(text) != want {
		t.Errorf("rewritten file:\n%s\nwant:\n%s", text, want)
	}
	reloaded, err := config.Load([]string{"--config", path})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := reloaded.Load(); cfg.Hz != 25 || cfg.Timeout != 30*time.Second {
		t.Errorf("reloaded hz %d timeout %v", cfg.Hz, cfg.Timeout)
	}
}

func TestShutdown(t *testing.T) {
	srv := startConnServer(t, nil)
	c := dialRaw(t, srv.Addr)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ABORT"}, "ERR No shutdown in progress."},
		{[]string{"NOSAVE", "SAVE"}, "ERR syntax error"},
		{[]string{"ABORT", "NOW"}, "ERR syntax error"},
		{[]string{"LATER"}, "ERR syntax error"},
	} {
		if r := c.do(t, append([]string{"SHUTDOWN"}, tc.args...)...); r.str != tc.want {
			t.Errorf("SHUTDOWN %q = %q, want %q", tc.args, r.str, tc.want)
		}
	}
	// No reply: the connection closes and the server stops listening.
	sendRaw(t, c, []string{"SHUTDOWN", "NOSAVE", "NOW", "FORCE"}, []string{"PING"})
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if b, err := io.ReadAll(c.r); len(b) != 0 {
		t.Errorf("SHUTDOWN replied %q (%v)", b, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := (&net.Dialer{Timeout: time.Second}).Dial("tcp", srv.Addr)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after SHUTDOWN")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDebug(t *testing.T) {
	const refused = `ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`
	for _, tc := range []struct {
		option string
		want   string
	}{
		{"no", refused},
		{"yes", "OK"},
		{"local", "OK"}, // the test connects over loopback
	} {
		t.Run(tc.option, func(t *testing.T) {
			srv := startConnServer(t, func(c *config.Config) { c.EnableDebugCommand = tc.option })
			c := dialRaw(t, srv.Addr)
			if r := c.do(t, "DEBUG", "SLEEP", "0"); r.str != tc.want {
				t.Errorf("DEBUG SLEEP 0 = %q, want %q", r.str, tc.want)
			}
			if r := c.do(t, "DEBUG"); r.str != "ERR wrong number of arguments for 'debug' command" {
				t.Errorf("arity comes first: %q", r.str)
			}
		})
	}

	srv := startConnServer(t, func(c *config.Config) { c.EnableDebugCommand = "yes" })
	c := dialRaw(t, srv.Addr)
	c.do(t, "SET", "s", "hello")
	c.do(t, "SET", "n", "5")
	c.do(t, "SET", "big", "123456")
	for _, tc := range []struct {
		args    []string
		pattern string
	}{
		{[]string{"OBJECT", "s"}, `^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:6 lru:[0-9]+ lru_seconds_idle:[0-9]+$`},
		{[]string{"OBJECT", "n"}, `^Value at:0x[0-9a-f]+ refcount:2147483647 encoding:int serializedlength:2 lru:[0-9]+ lru_seconds_idle:[0-9]+$`},
		{[]string{"OBJECT", "big"}, `^Value at:0x[0-9a-f]+ refcount:1 encoding:int serializedlength:5 lru:[0-9]+ lru_seconds_idle:[0-9]+$`},
		{[]string{"OBJECT", "nokey"}, `^ERR no such key$`},
		{[]string{"OBJECT"}, `^ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP.$`},
		{[]string{"sleep", "1", "2"}, `^ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.$`},
		{[]string{"NOSUCH"}, `^ERR unknown subcommand or wrong number of arguments for 'NOSUCH'. Try DEBUG HELP.$`},
		{[]string{"SLEEP", "abc"}, `^OK$`},
		{[]string{"SLEEP", "-1"}, `^OK$`},
	} {
		if r := c.do(t, append([]string{"DEBUG"}, tc.args...)...); !regexp.MustCompile(tc.pattern).MatchString(r.str) {
			t.Errorf("DEBUG %q = %q, want %s", tc.args, r.str, tc.pattern)
		}
	}
	help := c.do(t, "debug", "help")
	if len(help.elems) == 0 || help.elems[0].kind != '+' || !strings.HasPrefix(help.elems[0].str, "DEBUG <subcommand>") {
		t.Errorf("DEBUG HELP: %v", help)
	}

	// DEBUG SLEEP blocks the server, as Redis's does: while it sleeps,
	// another client's PINGs wait. One of a stream of PINGs must take
	// most of the sleep.
	const sleep = 300 * time.Millisecond
	other := dialRaw(t, srv.Addr)
	other.do(t, "PING")
	done := doAsync(c, "DEBUG", "SLEEP", strconv.FormatFloat(sleep.Seconds(), 'f', -1, 64))
	var longest time.Duration
	for slept := false; !slept; {
		start := time.Now()
		if r := other.do(t, "PING"); r.str != "PONG" {
			t.Fatal(r)
		}
		longest = max(longest, time.Since(start))
		select {
		case r := <-done:
			if r == nil || r.str != "OK" {
				t.Fatalf("DEBUG SLEEP: %v", r)
			}
			slept = true
		default:
		}
	}
	if longest < sleep/2 {
		t.Errorf("the longest PING during DEBUG SLEEP took %v", longest)
	}
}

func TestTimeAndDBSize(t *testing.T) {
	srv := startConnServer(t, nil)
	ctx := context.Background()
	c := goRedis(t, &redis.Options{Addr: srv.Addr})
	before := time.Now()
	now, err := c.Time(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if now.Before(before.Add(-time.Second)) || now.After(time.Now().Add(time.Second)) {
		t.Errorf("TIME %v, local time %v", now, before)
	}
	c.MSet(ctx, "a", 1, "b", 2)
	if n, err := c.DBSize(ctx).Result(); n != 2 || err != nil {
		t.Errorf("DBSIZE %d %v", n, err)
	}
	if err := c.Do(ctx, "SWAPDB", 0, 1).Err(); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.DBSize(ctx).Result(); n != 0 {
		t.Errorf("DBSIZE after SWAPDB 0 1: %d", n)
	}
	if err := c.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, "SWAPDB", 0, 1).Err(); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.DBSize(ctx).Result(); n != 0 {
		t.Errorf("DBSIZE after FLUSHALL: %d", n)
	}
}
