package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
)

// aclServers returns redis-server and cairn, each with an ACL file in its
// own directory that holds users, as the name of each server.
func aclServers(t *testing.T, users string) map[string]string {
	t.Helper()
	write := func() string {
		path := filepath.Join(t.TempDir(), "users.acl")
		if err := os.WriteFile(path, []byte(users), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	redisFile, cairnFile := write(), write()
	return map[string]string{
		testutil.StartRedis(t, "--aclfile", redisFile):                                redisFile,
		testutil.StartCairn(t, func(c *config.Config) { c.ACLFile = cairnFile }).Addr: cairnFile,
	}
}

// both runs scenario against redis-server and cairn and requires the same
// transcript from each.
func both(t *testing.T, users string, scenario func(t *testing.T, addr, aclFile string) string) {
	t.Helper()
	var got []string
	for addr, file := range aclServers(t, users) {
		out := scenario(t, addr, file)
		out = strings.ReplaceAll(out, file, "<aclfile>")
		got = append(got, out)
	}
	if got[0] != got[1] {
		t.Errorf("transcripts differ:\n--- one:\n%s\n--- other:\n%s", got[0], got[1])
	}
}

func reply(v any, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprint(v)
}

// TestACLClients: go-redis logging in as users (HELLO 3 AUTH, and AUTH on
// RESP2), what they may run, and what a change of their rules does to
// clients already connected: a deleted user's clients are closed, a
// subscriber whose channels are taken away is closed, one whose channels
// grow is not.
func TestACLClients(t *testing.T) {
	ctx := context.Background()
	const users = "user default on nopass ~* &* +@all\n" +
		"user reader on >rpw ~cache:* resetchannels &news* -@all +@read +@connection +subscribe\n"
	both(t, users, func(t *testing.T, addr, _ string) string {
		var b strings.Builder
		log := func(what, r string) { fmt.Fprintf(&b, "%s: %s\n", what, r) }
		admin := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
		defer admin.Close()
		for _, proto := range []int{2, 3} {
			c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, Username: "reader", Password: "rpw",
				DisableIdentity: true, MaxRetries: -1, PoolSize: 1})
			log("whoami", reply(c.Do(ctx, "ACL", "WHOAMI").Result()))
			log("get", reply(c.Get(ctx, "cache:1").Result()))
			log("get other", reply(c.Get(ctx, "other").Result()))
			log("set", reply(c.Set(ctx, "cache:1", "v", 0).Result()))
			c.Close()
			bad := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, Username: "reader", Password: "wrong",
				DisableIdentity: true, MaxRetries: -1})
			log("wrong password", reply(bad.Ping(ctx).Result()))
			bad.Close()
		}

		// A subscriber keeps its connection while its channels grow, loses
		// it when one it listens to is taken away.
		sub := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, Username: "reader", Password: "rpw",
			DisableIdentity: true, MaxRetries: -1})
		defer sub.Close()
		ps := sub.Subscribe(ctx, "news.today")
		defer ps.Close()
		if _, err := ps.Receive(ctx); err != nil {
			t.Fatal(err)
		}
		ps.Subscribe(ctx, "sport")
		log("denied subscribe", reply(ps.Receive(ctx)))
		log("grow", reply(admin.Do(ctx, "ACL", "SETUSER", "reader", "&sport").Result()))
		log("publish", reply(admin.Publish(ctx, "news.today", "hi").Result()))
		msg, err := ps.ReceiveMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		log("message", msg.String())
		log("revoke", reply(admin.Do(ctx, "ACL", "SETUSER", "reader", "resetchannels", "&sport").Result()))
		waitClients(t, admin, 1)

		// Deleting a user closes its connections.
		c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, Username: "reader", Password: "rpw",
			DisableIdentity: true, MaxRetries: -1, PoolSize: 1})
		defer c.Close()
		log("before", reply(c.Ping(ctx).Result()))
		log("kill by user", reply(admin.Do(ctx, "CLIENT", "KILL", "USER", "reader").Result()))
		waitClients(t, admin, 1)
		log("after kill", reply(c.Ping(ctx).Result()))
		log("again", reply(c.Ping(ctx).Result()))
		log("deluser", reply(admin.Do(ctx, "ACL", "DELUSER", "reader").Result()))
		waitClients(t, admin, 1)
		// The pool sees its connection closed, and cannot log in again.
		log("after deluser", reply(c.Ping(ctx).Result()))
		return b.String()
	})
}

// waitClients waits until the server has n clients.
func waitClients(t *testing.T, c *redis.Client, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := c.ClientList(context.Background()).Result()
		if err == nil && strings.Count(list, "\n") == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("clients: %v %q, want %d", err, list, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestACLLog: the entries of ACL LOG for denied commands, keys and
// channels, in MULTI and scripts, and failed logins, field by field
// (the age and the client's addresses and ids aside).
func TestACLLog(t *testing.T) {
	ctx := context.Background()
	const users = "user default on nopass ~* &* +@all\n" +
		"user u on >pw ~k* &c -@all +get +multi +exec +eval +publish +acl|log\n"
	both(t, users, func(t *testing.T, addr, _ string) string {
		c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, Username: "u", Password: "pw",
			DisableIdentity: true, MaxRetries: -1, PoolSize: 1})
		defer c.Close()
		admin := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
		defer admin.Close()
		c.Get(ctx, "other")
		c.Get(ctx, "other")
		c.Set(ctx, "k", "v", 0)
		c.Publish(ctx, "x", "m")
		c.Do(ctx, "EVAL", "return redis.call('get', 'nope')", "0")
		c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Get(ctx, "k1")
			p.Del(ctx, "k1")
			return nil
		})
		admin.Do(ctx, "AUTH", "u", "wrong")
		admin.Do(ctx, "AUTH", "nosuchuser", "pw")
		entries, err := admin.Do(ctx, "ACL", "LOG").Slice()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, e := range entries {
			f := e.([]any)
			fields := map[string]any{}
			for i := 0; i+1 < len(f); i += 2 {
				fields[f[i].(string)] = f[i+1]
			}
			info := fields["client-info"].(string)
			if !strings.Contains(info, " user=") || !strings.Contains(info, " cmd=") {
				t.Errorf("client-info %q", info)
			}
			cmd := info[strings.Index(info, " cmd="):]
			cmd = cmd[:strings.Index(cmd[1:], " ")+1]
			fmt.Fprintf(&b, "%v %v %v %v %v%s\n", fields["count"], fields["reason"], fields["context"], fields["object"], fields["username"], cmd)
		}
		two, err := admin.Do(ctx, "ACL", "LOG", "2").Slice()
		fmt.Fprintf(&b, "ACL LOG 2: %d entries, %v\n", len(two), err)
		admin.Do(ctx, "ACL", "LOG", "RESET")
		b.WriteString(reply(admin.Do(ctx, "ACL", "LOG").Slice()))
		return b.String()
	})
}

// TestACLFile: ACL SAVE writes the file as redis-server does, ACL LOAD
// reads it back, and a file with errors is refused with the same message,
// the users kept.
func TestACLFile(t *testing.T) {
	ctx := context.Background()
	both(t, "user default on nopass ~* &* +@all\n", func(t *testing.T, addr, file string) string {
		var b strings.Builder
		c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
		defer c.Close()
		do := func(args ...any) { b.WriteString(reply(c.Do(ctx, args...).Result()) + "\n") }
		do("ACL", "SETUSER", "a", "on", ">pw", "~x*", "&y", "+@hash", "(+get ~z*)")
		do("ACL", "SETUSER", "b", "reset", "+@all", "-@dangerous", "nopass")
		do("ACL", "SAVE")
		data, _ := os.ReadFile(file)
		b.Write(data)
		do("ACL", "DELUSER", "a", "b")
		do("ACL", "LOAD")
		do("ACL", "LIST")
		os.WriteFile(file, []byte("user a on +@nosuch\nuser b bogus\nnot a user\nuser a\n"), 0o644)
		do("ACL", "LOAD")
		do("ACL", "USERS")
		os.Remove(file)
		do("ACL", "LOAD")
		return b.String()
	})
}

// TestACLConfigFile: users declared in a redis.conf, and CONFIG REWRITE
// writing them back as redis-server does; a user in both the file and an
// ACL file stops startup.
func TestACLConfigFile(t *testing.T) {
	ctx := context.Background()
	conf := "port 0\nuser default on nopass ~* &* +@all\nuser app on >s3cret ~app:* +@all -@dangerous\n" +
		"user ops on nopass ~* &* +@all\n"
	rewrite := func(run func(dir, path string) string) string {
		dir := t.TempDir()
		path := filepath.Join(dir, "redis.conf")
		os.WriteFile(path, []byte(conf), 0o644)
		addr := run(dir, path)
		c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
		defer c.Close()
		if err := c.Do(ctx, "ACL", "SETUSER", "app", ">more").Err(); err != nil {
			t.Fatal(err)
		}
		c.Do(ctx, "ACL", "DELUSER", "ops")
		if err := c.ConfigRewrite(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		app := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, Username: "app", Password: "more", DisableIdentity: true})
		defer app.Close()
		return string(data) + reply(app.Do(ctx, "ACL", "WHOAMI").Result())
	}
	fromRedis := rewrite(func(dir, path string) string {
		return testutil.StartRedisConf(t, path, "--dir", dir)
	})
	fromCairn := rewrite(func(dir, path string) string {
		return testutil.StartProcess(t, dir, "--config", path).Addr
	})
	// redis-server writes the options it was given on its command line.
	keep := func(s string) string {
		var lines []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.HasPrefix(l, "port") && !strings.HasPrefix(l, "dir") && !strings.HasPrefix(l, "save") &&
				!strings.HasPrefix(l, "appendonly") && !strings.HasPrefix(l, "daemonize") && !strings.HasPrefix(l, "bind") &&
				!strings.HasPrefix(l, "latency-tracking") && !strings.HasPrefix(l, "#") && l != "" {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n")
	}
	if !strings.Contains(fromCairn, "user app on #") || keep(fromRedis) != keep(fromCairn) {
		t.Errorf("rewritten by redis-server:\n%s\nby cairn:\n%s", fromRedis, fromCairn)
	}

	dir := t.TempDir()
	acl := filepath.Join(dir, "users.acl")
	os.WriteFile(acl, nil, 0o644)
	path := filepath.Join(dir, "both.conf")
	os.WriteFile(path, []byte("aclfile "+acl+"\nuser x on\n"), 0o644)
	out, err := exec.Command(testutil.BuildCairn(t), path, "--dir", dir, "--port", "0").CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(string(out), "please define either an ACL file or declare users directly") {
		t.Errorf("users in both places: %v\n%s", err, out)
	}
}

// TestACLRedisCLI: redis-cli logging in with --user and --pass.
func TestACLRedisCLI(t *testing.T) {
	cli := testutil.RequireProgram(t, "redis-cli")
	c := testutil.StartCairn(t, func(c *config.Config) {
		c.Users = [][]string{{"ops", "on", ">pw", "+@all", "~*"}, {"default", "off"}}
	})
	host, port, _ := strings.Cut(c.Addr, ":")
	out, err := exec.Command(cli, "-h", host, "-p", port, "--user", "ops", "--pass", "pw", "--no-auth-warning", "ACL", "WHOAMI").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ops" {
		t.Errorf("redis-cli --user ops: %v %q", err, out)
	}
	out, _ = exec.Command(cli, "-h", host, "-p", port, "PING").CombinedOutput()
	if !strings.Contains(string(out), "NOAUTH") {
		t.Errorf("without a user (default is off): %q", out)
	}
}

// TestACLDescribesEveryCategory: +@all -@cat and -@all +@cat are
// described as they were written, for every category, as redis-server
// describes them (Redis's own test suite checks this).
func TestACLDescribesEveryCategory(t *testing.T) {
	ctx := context.Background()
	both(t, "user default on nopass ~* &* +@all\n", func(t *testing.T, addr, _ string) string {
		c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
		defer c.Close()
		cats, err := c.Do(ctx, "ACL", "CAT").StringSlice()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, cat := range cats {
			for _, rules := range [][]any{{"+@all", "-@" + cat}, {"-@all", "+@" + cat}} {
				c.Do(ctx, append([]any{"ACL", "SETUSER", "u", "reset"}, rules...)...)
				fields, err := c.Do(ctx, "ACL", "GETUSER", "u").Slice()
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&b, "%v: %v\n", rules, fields[5])
			}
		}
		return b.String()
	})
}

// TestACLRequirepass: requirepass is the default user's password, set
// and cleared by CONFIG SET as in Redis; a password given to the default
// user with ACL SETUSER does not change requirepass; the default user
// turned off leaves new connections unauthenticated.
func TestACLRequirepass(t *testing.T) {
	ctx := context.Background()
	both(t, "user default on nopass ~* &* +@all\n", func(t *testing.T, addr, _ string) string {
		var b strings.Builder
		c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, PoolSize: 1})
		defer c.Close()
		do := func(args ...any) { b.WriteString(reply(c.Do(ctx, args...).Result()) + "\n") }
		fresh := func() {
			nc := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
			defer nc.Close()
			b.WriteString("new connection: " + reply(nc.Ping(ctx).Result()) + "\n")
		}
		do("CONFIG", "SET", "requirepass", "pw")
		do("ACL", "LIST")
		do("AUTH", "pw")
		fresh()
		do("ACL", "SETUSER", "default", "resetpass", ">other")
		do("CONFIG", "GET", "requirepass")
		do("AUTH", "pw")
		do("AUTH", "default", "other")
		do("CONFIG", "SET", "requirepass", "")
		do("ACL", "LIST")
		do("AUTH", "x")
		fresh()
		do("ACL", "SETUSER", "default", "off")
		fresh()
		do("ACL", "SETUSER", "default", "on")
		fresh()
		return b.String()
	})
}
