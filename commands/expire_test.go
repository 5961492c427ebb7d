package commands_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestExpireCommands(t *testing.T) {
	const (
		errNX     = "ERR NX and XX, GT or LT options at the same time are not compatible"
		errGTLT   = "ERR GT and LT options at the same time are not compatible"
		errNotInt = "ERR value is not an integer or out of range"
	)
	cases := []keyStepCase{
		{"ttl of missing and persistent keys", []keyStep{
			{[]any{"TTL", "nokey"}, "-2"},
			{[]any{"PTTL", "nokey"}, "-2"},
			{[]any{"EXPIRETIME", "nokey"}, "-2"},
			{[]any{"PEXPIRETIME", "nokey"}, "-2"},
			{[]any{"SET", "k", "v"}, `"OK"`},
			{[]any{"TTL", "k"}, "-1"},
			{[]any{"PTTL", "k"}, "-1"},
			{[]any{"EXPIRETIME", "k"}, "-1"},
			{[]any{"PEXPIRETIME", "k"}, "-1"},
		}},
		{"expire and ttl", []keyStep{
			{[]any{"EXPIRE", "nokey", "100"}, "0"},
			{[]any{"SET", "k", "v"}, `"OK"`},
			{[]any{"EXPIRE", "k", "100"}, "1"},
			{[]any{"TTL", "k"}, "100"},
			{[]any{"PEXPIRE", "k", "100000"}, "1"},
			{[]any{"TTL", "k"}, "100"},
			{[]any{"EXPIREAT", "k", "4000000000"}, "1"},
			{[]any{"EXPIRETIME", "k"}, "4000000000"},
			{[]any{"PEXPIRETIME", "k"}, "4000000000000"},
			{[]any{"PEXPIREAT", "k", "4000000000499"}, "1"},
			{[]any{"EXPIRETIME", "k"}, "4000000000"},
			{[]any{"PEXPIREAT", "k", "4000000000500"}, "1"},
			{[]any{"EXPIRETIME", "k"}, "4000000001"},
			{[]any{"PEXPIREAT", "k", "9223372036854775807"}, "1"},
			{[]any{"EXPIRETIME", "k"}, "9223372036854776"},
		}},
		{"time in the past deletes", []keyStep{
			{[]any{"SET", "k", "v"}, `"OK"`},
			{[]any{"EXPIRE", "k", "-1"}, "1"},
			{[]any{"EXISTS", "k"}, "0"},
			{[]any{"SET", "k", "v"}, `"OK"`},
			{[]any{"PEXPIREAT", "k", "1"}, "1"},
			{[]any{"GET", "k"}, "(nil)"},
			{[]any{"SET", "k", "v"}, `"OK"`},
			{[]any{"EXPIREAT", "k", "0"}, "1"},
			{[]any{"TTL", "k"}, "-2"},
		}},
		{"errors and overflow", []keyStep{
			{[]any{"SET", "k", "v"}, `"OK"`},
			{[]any{"EXPIRE", "k", "x"}, errNotInt},
			{[]any{"EXPIRE", "k", "9223372036854775"}, "ERR invalid expire time in 'expire' command"},
			{[]any{"EXPIRE", "k", "-9223372036854776"}, "ERR invalid expire time in 'expire' command"},
			{[]any{"EXPIREAT", "k", "9223372036854776"}, "ERR invalid expire time in 'expireat' command"},
			{[]any{"PEXPIRE", "k", "9223372036854775807"}, "ERR invalid expire time in 'pexpire' command"},
			{[]any{"EXPIRE", "k"}, "ERR wrong number of arguments for 'expire' command"},
			{[]any{"TTL", "k", "x"}, "ERR wrong number of arguments for 'ttl' command"},
			{[]any{"EXPIRE", "k", "10", "FOO"}, "ERR Unsupported option FOO"},
			{[]any{"EXPIRE", "k", "10", "x\x00y"}, "ERR Unsupported option x"},
			// Options are checked before the time, and before the key.
			{[]any{"EXPIRE", "k", "x", "NX", "XX"}, errNX},
			{[]any{"EXPIRE", "nokey", "10", "GT", "LT"}, errGTLT},
			{[]any{"EXPIRE", "k", "10", "NX", "GT"}, errNX},
			{[]any{"EXPIRE", "k", "10", "nx", "lt"}, errNX},
			{[]any{"EXPIRE", "k", "10", "XX", "GT"}, "0"},
			{[]any{"PEXPIREAT", "k", "1", "LT", "GT"}, errGTLT},
			{[]any{"TTL", "k"}, "-1"},
		}},
		{"nx xx gt lt", []keyStep{
			{[]any{"SET", "k", "v"}, `"OK"`},
			{[]any{"EXPIRE", "k", "100", "XX"}, "0"},
			{[]any{"EXPIRE", "k", "100", "GT"}, "0"},
			{[]any{"EXPIRE", "k", "100", "NX"}, "1"},
			{[]any{"EXPIRE", "k", "200", "NX"}, "0"},
			{[]any{"EXPIRE", "k", "200", "XX"}, "1"},
			// Equal relative times differ by the time between the two
			// commands, so only clearly smaller or larger ones are tested.
			{[]any{"EXPIRE", "k", "100", "GT"}, "0"},
			{[]any{"EXPIRE", "k", "300", "gt"}, "1"},
			{[]any{"EXPIRE", "k", "300", "LT"}, "0"},
			{[]any{"EXPIRE", "k", "150", "XX", "LT"}, "1"},
			{[]any{"TTL", "k"}, "150"},
			{[]any{"EXPIRE", "k", "-1", "GT"}, "0"},
			{[]any{"EXPIRE", "k", "-1", "LT"}, "1"},
			{[]any{"EXISTS", "k"}, "0"},
			{[]any{"SET", "k", "v"}, `"OK"`},
			{[]any{"EXPIRE", "k", "100", "LT"}, "1"},
			{[]any{"TTL", "k"}, "100"},
			{[]any{"EXPIRE", "nokey", "100", "NX"}, "0"},
		}},
		{"persist", []keyStep{
			{[]any{"PERSIST", "nokey"}, "0"},
			{[]any{"SET", "k", "v"}, `"OK"`},
			{[]any{"PERSIST", "k"}, "0"},
			{[]any{"EXPIRE", "k", "100"}, "1"},
			{[]any{"PERSIST", "k"}, "1"},
			{[]any{"TTL", "k"}, "-1"},
			{[]any{"PERSIST", "k"}, "0"},
		}},
	}
	runKeySteps(t, cases)
}

// TestExpireEffects checks what the EXPIRE family records: absolute
// PEXPIREAT for a future time, DEL for a past one, nothing when nothing
// changed.
func TestExpireEffects(t *testing.T) {
	const now = 1_700_000_000_000 // the keyEngine clock, in ms
	at := func(ms int64) string { return strconv.FormatInt(ms, 10) }
	tests := []struct {
		name  string
		setup [][]string
		cmd   []string
		want  []string
	}{
		{"expire", [][]string{{"SET", "k", "v"}}, []string{"EXPIRE", "k", "10"},
			[]string{"0:PEXPIREAT k " + at(now+10_000)}},
		{"pexpire", [][]string{{"SET", "k", "v"}}, []string{"PEXPIRE", "k", "1500"},
			[]string{"0:PEXPIREAT k " + at(now+1500)}},
		{"expireat", [][]string{{"SET", "k", "v"}}, []string{"EXPIREAT", "k", "4000000000"},
			[]string{"0:PEXPIREAT k 4000000000000"}},
		{"pexpireat drops its options", [][]string{{"SET", "k", "v"}}, []string{"PEXPIREAT", "k", "4000000000001", "NX"},
			[]string{"0:PEXPIREAT k 4000000000001"}},
		{"expire gt", [][]string{{"SET", "k", "v"}, {"EXPIRE", "k", "5"}}, []string{"EXPIRE", "k", "10", "GT"},
			[]string{"0:PEXPIREAT k " + at(now+10_000)}},
		{"expire in the past", [][]string{{"SET", "k", "v"}}, []string{"EXPIRE", "k", "-5"}, []string{"0:DEL k"}},
		{"expire now", [][]string{{"SET", "k", "v"}}, []string{"PEXPIRE", "k", "0"}, []string{"0:DEL k"}},
		{"expireat in the past", [][]string{{"SET", "k", "v"}}, []string{"EXPIREAT", "k", "1"}, []string{"0:DEL k"}},
		{"expire refused by nx", [][]string{{"SET", "k", "v"}, {"EXPIRE", "k", "5"}}, []string{"EXPIRE", "k", "10", "NX"}, []string{}},
		{"expire refused by gt in the past", [][]string{{"SET", "k", "v"}, {"EXPIRE", "k", "5"}}, []string{"EXPIRE", "k", "-1", "GT"}, []string{}},
		{"expire of a missing key", nil, []string{"EXPIRE", "k", "10"}, []string{}},
		{"expire error", [][]string{{"SET", "k", "v"}}, []string{"EXPIRE", "k", "10", "FOO"}, []string{}},
		{"persist", [][]string{{"SET", "k", "v"}, {"EXPIRE", "k", "5"}}, []string{"PERSIST", "k"}, []string{"0:PERSIST k"}},
		{"persist without ttl", [][]string{{"SET", "k", "v"}}, []string{"PERSIST", "k"}, []string{}},
		{"ttl reads", [][]string{{"SET", "k", "v"}, {"EXPIRE", "k", "5"}}, []string{"TTL", "k"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyEngine(t)
			for _, s := range tt.setup {
				k.do(s...)
			}
			k.takeEffects()
			k.do(tt.cmd...)
			if got := k.takeEffects(); !slices.Equal(got, tt.want) {
				t.Fatalf("%q recorded %q, want %q", tt.cmd, got, tt.want)
			}
		})
	}
}

// TestTTLOverTime moves the clock: TTL rounds to the nearest second, the
// key expires lazily at its time exactly, and an expiry counts in
// ExpiredKeys while an EXPIRE into the past does not (Redis deletes then).
func TestTTLOverTime(t *testing.T) {
	k := newKeyEngine(t)
	k.do("SET", "k", "v")
	k.must(":1\r\n", "PEXPIRE", "k", "10000")
	steps := []struct {
		advance   time.Duration
		ttl, pttl string
	}{
		{0, ":10\r\n", ":10000\r\n"},
		{4500 * time.Millisecond, ":6\r\n", ":5500\r\n"},
		{time.Millisecond, ":5\r\n", ":5499\r\n"},
		{5498 * time.Millisecond, ":0\r\n", ":1\r\n"},
		{time.Millisecond, ":-2\r\n", ":-2\r\n"},
	}
	for _, s := range steps {
		k.now = k.now.Add(s.advance)
		k.must(s.ttl, "TTL", "k")
		k.must(s.pttl, "PTTL", "k")
	}
	if got := k.takeEffects(); got[len(got)-1] != "0:DEL k" {
		t.Fatalf("lazy expiry recorded %q", got)
	}
	if s := k.stats(); s.ExpiredKeys != 1 {
		t.Fatalf("ExpiredKeys = %d after a lazy expiry", s.ExpiredKeys)
	}
	k.do("SET", "k", "v")
	k.must(":1\r\n", "EXPIRE", "k", "-1")
	if s := k.stats(); s.ExpiredKeys != 1 {
		t.Fatalf("ExpiredKeys = %d after EXPIRE into the past", s.ExpiredKeys)
	}
}

// TestExpireWhileLoading replays what the log holds: a PEXPIREAT in the
// past sets the time instead of deleting, as Redis does while loading.
func TestExpireWhileLoading(t *testing.T) {
	k := newKeyEngine(t)
	k.do("SET", "k", "v")
	k.ks.SetLoading(true)
	k.must(":1\r\n", "PEXPIREAT", "k", "1000")
	k.must(":1000\r\n", "PEXPIRETIME", "k")
	k.ks.SetLoading(false)
	k.must(":-2\r\n", "PEXPIRETIME", "k")
}

// TestActiveExpiryReclaimsMillionKeys loads a million keys with a one
// second TTL that nobody reads again and waits for the server's cron to
// reclaim every one of them.
func TestActiveExpiryReclaimsMillionKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a million keys")
	}
	const keys = 1_000_000
	rdb, srv := startKeyServer(t)
	ctx := context.Background()
	start := time.Now()
	for i := 0; i < keys; {
		pipe := rdb.Pipeline()
		for end := min(i+10_000, keys); i < end; i++ {
			k := "key:" + strconv.Itoa(i)
			pipe.Set(ctx, k, "v", 0)
			pipe.PExpire(ctx, k, time.Second)
		}
		cmds, err := pipe.Exec(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := cmds[1].(*redis.BoolCmd).Result(); !n {
			t.Fatal("PEXPIRE did not set the TTL")
		}
	}
	t.Logf("loaded %d keys in %v", keys, time.Since(start))

	ks := srv.Engine.KS
	deadline := time.Now().Add(30 * time.Second)
	for {
		ks.Lock()
		n, expired := ks.DB(0).Len(), ks.Stats.ExpiredKeys
		ks.Unlock()
		if n == 0 {
			if expired != keys {
				t.Fatalf("ExpiredKeys = %d, want %d", expired, keys)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d keys left after 30s", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("all reclaimed %v after the load began", time.Since(start))
}
