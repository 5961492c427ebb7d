package integration

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/redis/go-redis/v9"
)

// testClock is a keyspace clock the test moves: access times have a
// resolution of a second (LRU) or a minute (LFU decay), which a test
// should not wait for.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// startEvicting starts a cairn with the given maxmemory-policy (and no
// limit yet) on clock, and returns a client of it.
func startEvicting(t *testing.T, clock *testClock, policy string) *redis.Client {
	t.Helper()
	var now func() time.Time
	if clock != nil {
		now = clock.Now
	}
	srv := testutil.StartCairnClock(t, now, func(c *config.Config) { c.MaxMemoryPolicy = policy })
	return pClient(t, srv.Addr, 0)
}

// infoInt returns an integer field of INFO.
func infoInt(t *testing.T, c *redis.Client, field string) int64 {
	t.Helper()
	s, err := c.Info(pctx, "everything").Result()
	if err != nil {
		t.Fatalf("INFO: %v", err)
	}
	for _, line := range strings.Split(s, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("INFO %s: %q", field, v)
			}
			return n
		}
	}
	t.Fatalf("INFO has no %s", field)
	return 0
}

// limitTo sets maxmemory to what is used now plus room.
func limitTo(t *testing.T, c *redis.Client, room int64) int64 {
	t.Helper()
	limit := infoInt(t, c, "used_memory") + room
	if err := c.ConfigSet(pctx, "maxmemory", strconv.FormatInt(limit, 10)).Err(); err != nil {
		t.Fatal(err)
	}
	return limit
}

// fill writes keys prefix:0..n-1 with 100-byte values (and an expiry time
// if ttl is not 0) in pipelines, returning the first error.
func fill(c *redis.Client, prefix string, from, n int, ttl time.Duration) error {
	value := strings.Repeat("v", 100)
	for i := from; i < from+n; i += 100 {
		p := c.Pipeline()
		for j := i; j < min(i+100, from+n); j++ {
			p.Set(pctx, fmt.Sprintf("%s:%d", prefix, j), value, ttl)
		}
		if _, err := p.Exec(pctx); err != nil {
			return err
		}
	}
	return nil
}

// surviving counts the keys prefix:from..from+n-1 that exist.
func surviving(t *testing.T, c *redis.Client, prefix string, from, n int) int {
	t.Helper()
	p := c.Pipeline()
	cmds := make([]*redis.IntCmd, n)
	for i := range n {
		cmds[i] = p.Exists(pctx, fmt.Sprintf("%s:%d", prefix, from+i))
	}
	if _, err := p.Exec(pctx); err != nil {
		t.Fatal(err)
	}
	alive := 0
	for _, cmd := range cmds {
		alive += int(cmd.Val())
	}
	return alive
}

// checkWithinLimit checks that used_memory is at most maxmemory once
// the background eviction, if any, is done.
func checkWithinLimit(t *testing.T, c *redis.Client) {
	t.Helper()
	limit := infoInt(t, c, "maxmemory")
	pWait(t, 10*time.Second, "used_memory to come down to maxmemory", func() bool {
		return infoInt(t, c, "used_memory") <= limit
	})
}

// TestEvictionLRUKeepsHotSet: under allkeys-lru, a hot set read between
// rounds of a scan that writes twenty times the room there is survives.
func TestEvictionLRUKeepsHotSet(t *testing.T) {
	clock := newTestClock()
	c := startEvicting(t, clock, "allkeys-lru")
	const hot = 1000
	if err := fill(c, "hot", 0, hot, 0); err != nil {
		t.Fatal(err)
	}
	limitTo(t, c, 2000*200)
	for round := range 40 {
		clock.Advance(time.Second)
		p := c.Pipeline()
		for i := range hot {
			p.Get(pctx, fmt.Sprintf("hot:%d", i))
		}
		p.Exec(pctx) // evicted hot keys are misses, not errors
		clock.Advance(time.Second)
		if err := fill(c, "cold", round*1000, 1000, 0); err != nil {
			t.Fatal(err)
		}
	}
	alive := surviving(t, c, "hot", 0, hot)
	t.Logf("%d of %d hot keys survive, %d keys evicted", alive, hot, infoInt(t, c, "evicted_keys"))
	if alive < hot*9/10 {
		t.Errorf("%d of %d hot keys survive, want at least 90%%", alive, hot)
	}
	checkWithinLimit(t, c)
}

// TestEvictionLFUKeepsFrequentKeys: under allkeys-lfu, keys read often
// outlast keys written once, however recent.
func TestEvictionLFUKeepsFrequentKeys(t *testing.T) {
	c := startEvicting(t, newTestClock(), "allkeys-lfu")
	const hot = 1000
	if err := fill(c, "hot", 0, hot, 0); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		p := c.Pipeline()
		for i := range hot {
			p.Get(pctx, fmt.Sprintf("hot:%d", i))
		}
		if _, err := p.Exec(pctx); err != nil {
			t.Fatal(err)
		}
	}
	if f, err := c.ObjectFreq(pctx, "hot:0").Result(); err != nil || f <= 5 {
		t.Fatalf("OBJECT FREQ of a hot key: %d, %v; want more than 5", f, err)
	}
	limitTo(t, c, 2000*200)
	if err := fill(c, "cold", 0, 20000, 0); err != nil {
		t.Fatal(err)
	}
	alive := surviving(t, c, "hot", 0, hot)
	t.Logf("%d of %d hot keys survive", alive, hot)
	if alive < hot*9/10 {
		t.Errorf("%d of %d hot keys survive, want at least 90%%", alive, hot)
	}
	checkWithinLimit(t, c)
}

// TestEvictionLFUDecay: a counter loses one per lfu-decay-time minutes
// idle.
func TestEvictionLFUDecay(t *testing.T) {
	clock := newTestClock()
	c := startEvicting(t, clock, "allkeys-lfu")
	c.Set(pctx, "k", "v", 0)
	for range 50 {
		c.Get(pctx, "k")
	}
	before := c.ObjectFreq(pctx, "k").Val()
	clock.Advance(3 * time.Minute)
	if got := c.ObjectFreq(pctx, "k").Val(); got != max(before-3, 0) {
		t.Errorf("OBJECT FREQ after 3 idle minutes: %d, want %d - 3", got, before)
	}
	// As in Redis, reading the counter does not store the decrement:
	// without decay it reads as it was stored.
	c.ConfigSet(pctx, "lfu-decay-time", "0")
	clock.Advance(time.Hour)
	if got := c.ObjectFreq(pctx, "k").Val(); got != before {
		t.Errorf("OBJECT FREQ without decay: %d, want %d", got, before)
	}
}

// TestEvictionVolatile: the volatile policies evict only keys with an
// expiry time, and refuse writes with OOM once none is left.
func TestEvictionVolatile(t *testing.T) {
	for _, policy := range []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			c := startEvicting(t, nil, policy)
			const persistent = 1000
			if err := fill(c, "keep", 0, persistent, 0); err != nil {
				t.Fatal(err)
			}
			limitTo(t, c, 1000*200)
			if err := fill(c, "ttl", 0, 5000, time.Hour); err != nil {
				t.Fatal(err)
			}
			if n := infoInt(t, c, "evicted_keys"); n < 3000 {
				t.Errorf("%d keys evicted, want at least 3000", n)
			}
			checkWithinLimit(t, c)
			if alive := surviving(t, c, "keep", 0, persistent); alive != persistent {
				t.Errorf("%d of %d keys without expiry time survive", alive, persistent)
			}
			// Below what the keys without expiry time take, evicting
			// every other key is not enough: writes are refused, the rest
			// goes on.
			limitTo(t, c, -infoInt(t, c, "used_memory")*3/4)
			// Until the background has evicted every key with an expiry
			// time, writes go on (Redis's EVICT_RUNNING); then they get
			// OOM.
			var err error
			pWait(t, 10*time.Second, "SET to be refused with OOM", func() bool {
				err = c.Set(pctx, "more", "x", time.Hour).Err()
				return err != nil
			})
			if err.Error() != "OOM command not allowed when used memory > 'maxmemory'." {
				t.Errorf("SET with nothing to evict: %v, want OOM", err)
			}
			if alive := surviving(t, c, "keep", 0, persistent); alive != persistent {
				t.Errorf("%d of %d keys without expiry time survive", alive, persistent)
			}
			if n, err := c.Del(pctx, "keep:0").Result(); n != 1 || err != nil {
				t.Errorf("DEL over the limit: %d, %v", n, err)
			}
		})
	}
}

// TestEvictionVolatileTTL: volatile-ttl takes the nearest expiry times
// first.
func TestEvictionVolatileTTL(t *testing.T) {
	c := startEvicting(t, nil, "volatile-ttl")
	const n = 4000
	p := c.Pipeline()
	for i := range n {
		p.Set(pctx, fmt.Sprintf("ttl:%d", i), strings.Repeat("v", 100), time.Hour+time.Duration(i)*time.Second)
	}
	if _, err := p.Exec(pctx); err != nil {
		t.Fatal(err)
	}
	// Evict about half.
	limitTo(t, c, -infoInt(t, c, "used_memory_dataset")/2)
	checkWithinLimit(t, c)
	nearest, farthest := surviving(t, c, "ttl", 0, n/4), surviving(t, c, "ttl", n*3/4, n/4)
	t.Logf("survivors: %d of the nearest quarter, %d of the farthest", nearest, farthest)
	if nearest > n/4/10 || farthest < n/4*9/10 {
		t.Errorf("survivors: %d of the %d nearest expiry times, %d of the farthest; want at most 10%% and at least 90%%", nearest, n/4, farthest)
	}
}

// TestEvictionRandomSpreads: the random policies take keys evenly from
// every part of the keyspace and every database.
func TestEvictionRandomSpreads(t *testing.T) {
	for _, policy := range []string{"allkeys-random", "volatile-random"} {
		t.Run(policy, func(t *testing.T) {
			c := startEvicting(t, nil, policy)
			c1 := pClient(t, c.Options().Addr, 1)
			const n = 5000
			for _, cl := range []*redis.Client{c, c1} {
				if err := fill(cl, "k", 0, n, time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			limitTo(t, c, -infoInt(t, c, "used_memory_dataset")/2)
			checkWithinLimit(t, c)
			for db, cl := range []*redis.Client{c, c1} {
				for part := range 5 {
					alive := surviving(t, cl, "k", part*n/5, n/5)
					if alive < n/5*3/10 || alive > n/5*7/10 {
						t.Errorf("db%d, keys %d..%d: %d of %d survive; want 30%% to 70%%", db, part*n/5, (part+1)*n/5-1, alive, n/5)
					}
				}
			}
		})
	}
}

// TestEvictionNoEviction: noeviction refuses writes that may grow memory
// with OOM, and serves reads and deletes.
func TestEvictionNoEviction(t *testing.T) {
	c := startEvicting(t, nil, "noeviction")
	if err := fill(c, "k", 0, 1000, 0); err != nil {
		t.Fatal(err)
	}
	limitTo(t, c, 50*200)
	err := fill(c, "more", 0, 1000, 0)
	if err == nil || !strings.HasPrefix(err.Error(), "OOM ") {
		t.Fatalf("writing past the limit: %v, want OOM", err)
	}
	if v, err := c.Get(pctx, "k:1").Result(); err != nil || len(v) != 100 {
		t.Errorf("GET over the limit: %q, %v", v, err)
	}
	if err := c.Del(pctx, "k:1", "k:2", "k:3").Err(); err != nil {
		t.Errorf("DEL over the limit: %v", err)
	}
	if n := infoInt(t, c, "evicted_keys"); n != 0 {
		t.Errorf("evicted_keys = %d under noeviction", n)
	}
	if surviving(t, c, "k", 4, 996) != 996 {
		t.Error("noeviction lost keys")
	}
	c.ConfigSet(pctx, "maxmemory", "0")
	if err := c.Set(pctx, "more:0", "x", 0).Err(); err != nil {
		t.Errorf("SET without a limit: %v", err)
	}
}

// TestEvictionConfigSetLower: lowering maxmemory below what is used
// evicts down to it, in the background past the command's time limit
// (tenacity 0 allows one batch of keys a command), while clients go on.
func TestEvictionConfigSetLower(t *testing.T) {
	c := startEvicting(t, nil, "allkeys-lru")
	c.ConfigSet(pctx, "maxmemory-eviction-tenacity", "0")
	if err := fill(c, "k", 0, 50000, 0); err != nil {
		t.Fatal(err)
	}
	used := infoInt(t, c, "used_memory")
	if err := c.ConfigSet(pctx, "maxmemory", strconv.FormatInt(used/4, 10)).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(pctx, "during", "x", 0).Err(); err != nil {
		t.Errorf("SET while the background evicts: %v", err)
	}
	checkWithinLimit(t, c)
	if keys := c.DBSize(pctx).Val(); keys > 50000/3 {
		t.Errorf("%d keys left of 50000 at a quarter of the memory", keys)
	}
	if n := infoInt(t, c, "evicted_keys"); n < 50000/2 {
		t.Errorf("evicted_keys = %d", n)
	}
	if n := infoInt(t, c, "current_eviction_exceeded_time"); n != 0 {
		t.Errorf("current_eviction_exceeded_time = %d once within the limit", n)
	}
}

// TestEvictionTransactions: an EXEC whose queue may grow memory is
// refused when memory is out by then, and a WATCHed key that is evicted
// aborts the transaction; against redis-server too, which the replies
// are Redis's.
func TestEvictionTransactions(t *testing.T) {
	run := func(t *testing.T, addr string) {
		c := pClient(t, addr, 0)
		tx := &conn{name: "server", addr: addr, timeout: replyTimeout}
		if err := tx.dial(); err != nil {
			t.Fatal(err)
		}
		defer tx.nc.Close()
		send := func(want string, args ...string) {
			t.Helper()
			rep, _, err := tx.do(encodeCommand(args))
			if err != nil || string(rep.Raw) != want {
				t.Errorf("%v: %q, %v; want %q", args, rep.Raw, err, want)
			}
		}
		send("+OK\r\n", "SET", "filler", "x")
		send("+OK\r\n", "MULTI")
		send("+QUEUED\r\n", "SET", "k", "v")
		c.ConfigSet(pctx, "maxmemory", "1")
		send("-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.\r\n", "EXEC")
		send("$-1\r\n", "GET", "k")
		c.ConfigSet(pctx, "maxmemory", "0")

		send("+OK\r\n", "SET", "w", "1")
		send("+OK\r\n", "WATCH", "w")
		c.ConfigSet(pctx, "maxmemory-policy", "allkeys-random")
		c.ConfigSet(pctx, "maxmemory", "1")
		c.ConfigSet(pctx, "maxmemory", "0")
		send("+OK\r\n", "MULTI")
		send("+QUEUED\r\n", "SET", "w", "2")
		send("*-1\r\n", "EXEC")
	}
	t.Run("cairn", func(t *testing.T) {
		run(t, testutil.StartCairn(t, func(c *config.Config) { c.MaxMemoryPolicy = "noeviction" }).Addr)
	})
	t.Run("redis", func(t *testing.T) { run(t, testutil.StartRedis(t)) })
}

// TestEvictionSurvivesRestart: keys evicted stay gone after a restart:
// the log records each eviction as DEL.
func TestEvictionSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	edit := func(c *config.Config) { c.MaxMemoryPolicy = "allkeys-lru"; c.Save = nil }
	srv := testutil.StartPersistent(t, dir, edit)
	c := pClient(t, srv.Addr, 0)
	if err := fill(c, "k", 0, 2000, 0); err != nil {
		t.Fatal(err)
	}
	limitTo(t, c, 500*200)
	if err := fill(c, "k", 2000, 8000, 0); err != nil {
		t.Fatal(err)
	}
	c.ConfigSet(pctx, "maxmemory", "0")
	before := surviving(t, c, "k", 0, 10000)
	if before >= 10000 || before == 0 {
		t.Fatalf("%d of 10000 keys left after eviction", before)
	}
	alive := map[int]bool{}
	for i := range 10000 {
		alive[i] = c.Exists(pctx, fmt.Sprintf("k:%d", i)).Val() == 1
	}
	srv.Stop(t)

	srv = testutil.StartPersistent(t, dir, edit)
	c = pClient(t, srv.Addr, 0)
	for i := range 10000 {
		if got := c.Exists(pctx, fmt.Sprintf("k:%d", i)).Val() == 1; got != alive[i] {
			t.Fatalf("k:%d exists: %v after the restart, %v before", i, got, alive[i])
		}
	}
}
