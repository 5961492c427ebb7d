package commands_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/internal/testutil"
)

var hllCommandNames = []string{"pfadd", "pfcount", "pfmerge", "pfdebug", "pfselftest"}

// TestHyperLogLogCommandMetadata compares the declarations of the HLL
// commands with what redis-server reports: COMMAND INFO's arity, flags
// (may_replicate, which Redis does not list, aside) and key positions,
// and COMMAND DOCS's summary, since, group, complexity and arguments.
func TestHyperLogLogCommandMetadata(t *testing.T) {
	addr := testutil.StartRedis(t)
	rc := dialRaw(t, addr)
	cc := dialRaw(t, testutil.StartCairn(t, nil).Addr)
	table := commands.NewTable()
	for _, name := range hllCommandNames {
		cmd := table[name]
		if cmd == nil {
			t.Errorf("%s: not declared", name)
			continue
		}
		info := rc.do(t, "COMMAND", "INFO", name).elems[0]
		flags := slices.DeleteFunc(cmd.Flags.Names(), func(f string) bool { return f == "may_replicate" })
		got := fmt.Sprint(cmd.Arity, flags, cmd.FirstKey, cmd.LastKey, cmd.Step)
		want := fmt.Sprint(info.elems[1].n, info.elems[2].strs(), info.elems[3].n, info.elems[4].n, info.elems[5].n)
		if got != want {
			t.Errorf("%s: COMMAND INFO declared %s, redis %s", name, got, want)
		}
		gotDocs := cc.do(t, "COMMAND", "DOCS", name).elems[1].fields()
		wantDocs := rc.do(t, "COMMAND", "DOCS", name).elems[1].fields()
		for _, d := range diffDocs(name, gotDocs, wantDocs) {
			t.Error(d)
		}
	}
	// PFCOUNT may propagate: CLIENT PAUSE WRITE holds it, in Redis 7.0
	// as in cairn.
	if table["pfcount"].Flags&commands.FlagMayReplicate == 0 {
		t.Error("pfcount is not may_replicate")
	}
}

// TestHyperLogLogFromRedis moves HLLs between redis-server and cairn as
// strings (GET, then SET on the other side), sparse and dense, and
// requires the same counts, and the same bytes after both add the same
// elements, merge and count.
func TestHyperLogLogFromRedis(t *testing.T) {
	ctx := context.Background()
	r := redis.NewClient(&redis.Options{Addr: testutil.StartRedis(t), Protocol: 2, DisableIdentity: true})
	defer r.Close()
	c := redis.NewClient(&redis.Options{Addr: testutil.StartCairn(t, nil).Addr, Protocol: 2, DisableIdentity: true})
	defer c.Close()
	both := func(args ...any) []any {
		t.Helper()
		var out []any
		for _, cl := range []*redis.Client{r, c} {
			v, err := cl.Do(ctx, args...).Result()
			if err != nil && err != redis.Nil {
				v = "error: " + err.Error()
			}
			out = append(out, v)
		}
		if fmt.Sprint(out[0]) != fmt.Sprint(out[1]) {
			t.Errorf("%.60v: redis %.200q, cairn %.200q", args, out[0], out[1])
		}
		return out
	}
	elems := func(prefix string, from, to int) []any {
		var out []any
		for i := from; i < to; i++ {
			out = append(out, prefix+strconv.Itoa(i))
		}
		return out
	}
	for i, n := range []int{1, 100, 1000, 2500, 20000} {
		src := fmt.Sprint("src", i)
		for j := 0; j < n; j += 1000 {
			if err := r.Do(ctx, append([]any{"PFADD", src}, elems("e", j, min(j+1000, n))...)...).Err(); err != nil {
				t.Fatal(err)
			}
		}
		// Redis to cairn, and cairn's copy back to Redis.
		b, err := r.Get(ctx, src).Result()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Set(ctx, src, b, 0).Err(); err != nil {
			t.Fatal(err)
		}
		both("PFCOUNT", src)
		both("GET", src)
		both(append([]any{"PFADD", src}, elems("f", 0, 300)...)...)
		both("GET", src)
		both("PFCOUNT", src)
		both("PFDEBUG", "ENCODING", src)
		back, err := c.Get(ctx, src).Result()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Set(ctx, "back", back, 0).Err(); err != nil {
			t.Fatal(err)
		}
		c.Set(ctx, "back", back, 0)
		both("PFCOUNT", "back")
		both("PFMERGE", "merged", src, "back")
		both("GET", "merged")
		both("PFCOUNT", "merged", src)
	}
}
