package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/internal/testutil"
)

// TestSlowlogEntries sends the same commands to redis-server and cairn
// with every command logged and compares the slow logs, ids, times and
// durations aside: which commands enter (those EXEC runs and a script's,
// not EXEC), their arguments as Redis keeps them (at most 32, each cut at
// 128 bytes, secrets redacted), the client's address form and name, and
// slowlog-max-len's bound.
func TestSlowlogEntries(t *testing.T) {
	ctx := context.Background()
	many := []any{"RPUSH", "l"}
	for i := range 40 {
		many = append(many, i)
	}
	cmds := [][]any{
		{"CLIENT", "SETNAME", "who"},
		{"SET", "big", strings.Repeat("x", 200)},
		many,
		{"MULTI"}, {"INCR", "n"}, {"EXEC"},
		{"EVAL", "return redis.call('get', KEYS[1])", "1", "big"},
		{"AUTH", "secret"},
		{"HELLO", "2", "AUTH", "default", "pw"},
		{"ACL", "SETUSER", "slowlog", "on", ">pw", "+@all"},
		{"ACL", "DELUSER", "slowlog"},
		{"GET", "big"},
	}
	run := func(addr string) string {
		c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, PoolSize: 1, MaxRetries: -1})
		defer c.Close()
		defer c.ConfigSet(ctx, "slowlog-log-slower-than", "10000")
		c.ConfigSet(ctx, "slowlog-log-slower-than", "0")
		c.SlowLogReset(ctx)
		for _, args := range cmds {
			c.Do(ctx, args...)
		}
		var b strings.Builder
		entries, err := c.SlowLogGet(ctx, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			addr := "client"
			if e.ClientAddr == "?:0" {
				addr = e.ClientAddr
			}
			fmt.Fprintf(&b, "%q %s %q\n", e.Args, addr, e.ClientName)
		}
		c.ConfigSet(ctx, "slowlog-max-len", "2")
		c.Ping(ctx)
		fmt.Fprintf(&b, "len %d\n", c.SlowLogLen(ctx).Val())
		c.ConfigSet(ctx, "slowlog-max-len", "128")
		return b.String()
	}
	want := run(testutil.StartRedis(t))
	got := run(testutil.StartCairn(t, nil).Addr)
	if got != want {
		t.Errorf("slow logs differ\nredis:\n%s\ncairn:\n%s", want, got)
	}
}
