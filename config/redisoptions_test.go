package config_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
)

// TestEveryRedisOptionAccountedFor: every option redis-server's CONFIG
// GET * lists is implemented or accepted, and CONFIG GET * lists them all.
func TestEveryRedisOptionAccountedFor(t *testing.T) {
	addr := testutil.StartRedis(t)
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	defer c.Close()
	redisConfig, err := c.ConfigGet(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	st := config.NewStore(config.Defaults(), "")
	got := map[string]bool{}
	for _, kv := range st.Get([]string{"*"}) {
		got[kv[0]] = true
	}
	for n := range redisConfig {
		if !got[n] {
			t.Errorf("CONFIG GET * lacks %s, which redis-server has", n)
		}
	}
	// A Redis-only option answers its Redis default, then what is set.
	if v := st.Get([]string{"tcp-keepalive"}); len(v) != 1 || v[0][1] != "300" {
		t.Errorf("tcp-keepalive: %v", v)
	}
	if err := st.Set([][2]string{{"tcp-keepalive", "60"}, {"hz", "20"}}); err != nil {
		t.Fatal(err)
	}
	if v := st.Get([]string{"hz", "TCP-KEEPALIVE"}); len(v) != 2 || v[0] != [2]string{"hz", "20"} || v[1] != [2]string{"tcp-keepalive", "60"} {
		t.Errorf("after CONFIG SET: %v", v)
	}
	if err := st.Set([][2]string{{"hz", "30"}, {"cluster-enabled", "yes"}}); err == nil || st.Load().Hz != 20 {
		t.Errorf("cluster-enabled yes: %v, hz %d (the set is all or nothing)", err, st.Load().Hz)
	}
}

// TestConfigSetEveryOptionAsRedis: CONFIG SET of every option to the
// value CONFIG GET gives is accepted or refused as redis-server does it
// (immutable, protected), Redis's own "CONFIG sanity" check.
func TestConfigSetEveryOptionAsRedis(t *testing.T) {
	ctx := context.Background()
	verdicts := func(addr string) map[string]string {
		c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
		defer c.Close()
		all, err := c.ConfigGet(ctx, "*").Result()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for k, v := range all {
			if err := c.ConfigSet(ctx, k, v).Err(); err != nil {
				out[k] = err.Error()
			} else {
				out[k] = "OK"
			}
		}
		return out
	}
	want := verdicts(testutil.StartRedis(t))
	got := verdicts(testutil.StartCairn(t, nil).Addr)
	for k, w := range want {
		if g, ok := got[k]; ok && g != w {
			t.Errorf("CONFIG SET %s <its value>: %q, redis-server %q", k, g, w)
		}
	}
}
