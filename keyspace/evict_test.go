package keyspace

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cairn-db/cairn/datatypes"
)

// evictAll evicts until the policy has nothing left to take, returning
// the keys in the order they went (from the DEL effects) and checking
// that each eviction freed memory.
func evictAll(t *testing.T, tk *testKeyspace) []string {
	t.Helper()
	tk.takeEffects()
	for {
		before := tk.UsedMemory()
		freed, ok := tk.EvictOne()
		if !ok {
			break
		}
		if freed <= 0 || tk.UsedMemory() != before-int64(freed) {
			t.Fatalf("eviction freed %d bytes, used memory went from %d to %d", freed, before, tk.UsedMemory())
		}
	}
	return tk.takeEffects()
}

func TestEvictOneOrder(t *testing.T) {
	// Ten keys in database 0, k0 the least recently used (or least often
	// used, or nearest expiry); keys without an expiry time, p*, in
	// database 1. With as many samples as keys, every key is offered
	// each round: the approximation is exact.
	tests := []struct {
		policy Policy
		want   []string
	}{
		{AllKeysLRU, []string{"0:DEL k0", "0:DEL k1", "0:DEL k2"}},
		{VolatileLRU, []string{"0:DEL k0", "0:DEL k1", "0:DEL k2"}},
		{AllKeysLFU, []string{"0:DEL k0", "0:DEL k1", "0:DEL k2"}},
		{VolatileLFU, []string{"0:DEL k0", "0:DEL k1", "0:DEL k2"}},
		{VolatileTTL, []string{"0:DEL k0", "0:DEL k1", "0:DEL k2"}},
	}
	for _, tt := range tests {
		t.Run(tt.policy.String(), func(t *testing.T) {
			tk := newTestKeyspace(2)
			tk.Lock()
			defer tk.Unlock()
			tk.SetEviction(Eviction{Policy: tt.policy, Samples: 16, LFULogFactor: 0, LFUDecayMinutes: 1})
			db := tk.DB(0)
			for i := range 10 {
				tk.advance(time.Second)
				key := fmt.Appendf(nil, "k%d", i)
				// Nearest expiry first: k0.
				db.SetWithExpire(key, datatypes.NewString([]byte("v")), tk.Now()+int64(time.Hour/time.Millisecond)+int64(i))
				// With lfu-log-factor 0 each access adds one: ki is
				// read i times.
				for range i {
					db.Lookup(key)
				}
			}
			// Recent and often read: the last to go.
			for i := range 5 {
				key := fmt.Appendf(nil, "p%d", i)
				tk.DB(1).Set(key, datatypes.NewString([]byte("v")))
				for range 20 {
					tk.DB(1).Lookup(key)
				}
			}
			tk.advance(time.Second)
			got := evictAll(t, tk)
			if !slices.Equal(got[:3], tt.want) {
				t.Errorf("evicted first %v, want %v", got[:3], tt.want)
			}
			wantAll := 15
			if !tt.policy.allKeys() {
				wantAll = 10
			}
			if len(got) != wantAll || tk.Stats.EvictedKeys != int64(wantAll) {
				t.Errorf("evicted %d keys (evicted_keys %d), want %d: %v", len(got), tk.Stats.EvictedKeys, wantAll, got)
			}
			if tk.DB(1).Len() != 5-(wantAll-10) {
				t.Errorf("database 1 has %d keys left", tk.DB(1).Len())
			}
		})
	}
}

// TestEvictOneRandom: the random policies take a key of each database in
// turn.
func TestEvictOneRandom(t *testing.T) {
	for _, policy := range []Policy{AllKeysRandom, VolatileRandom} {
		t.Run(policy.String(), func(t *testing.T) {
			tk := newTestKeyspace(2)
			tk.Lock()
			defer tk.Unlock()
			tk.SetEviction(Eviction{Policy: policy, Samples: 5})
			for d := range 2 {
				for i := range 10 {
					tk.DB(d).SetWithExpire(fmt.Appendf(nil, "k%d", i), datatypes.NewString([]byte("v")), tk.Now()+3600_000)
				}
			}
			for range 10 {
				tk.EvictOne()
			}
			if tk.DB(0).Len() != 5 || tk.DB(1).Len() != 5 {
				t.Errorf("after 10 evictions, %d and %d keys left, want 5 and 5", tk.DB(0).Len(), tk.DB(1).Len())
			}
			evictAll(t, tk)
			if tk.DB(0).Len()+tk.DB(1).Len() != 0 {
				t.Errorf("keys left after evicting all")
			}
		})
	}
}

func TestEvictOneNothingToTake(t *testing.T) {
	tk := newTestKeyspace(1)
	tk.Lock()
	defer tk.Unlock()
	tk.DB(0).Set([]byte("k"), datatypes.NewString([]byte("v")))
	for _, p := range []Policy{NoEviction, VolatileLRU, VolatileLFU, VolatileRandom, VolatileTTL} {
		tk.SetEviction(Eviction{Policy: p, Samples: 5})
		if _, ok := tk.EvictOne(); ok || tk.DB(0).Len() != 1 {
			t.Errorf("%s evicted a key without expiry time", p)
		}
	}
	tk.DB(0).Delete([]byte("k"))
	for _, p := range []Policy{AllKeysLRU, AllKeysLFU, AllKeysRandom} {
		tk.SetEviction(Eviction{Policy: p, Samples: 5})
		if _, ok := tk.EvictOne(); ok {
			t.Errorf("%s evicted from an empty keyspace", p)
		}
	}
}

// TestEvictionPoolSkipsGhosts: a candidate deleted since it entered the
// pool is passed over for the next best.
func TestEvictionPoolSkipsGhosts(t *testing.T) {
	tk := newTestKeyspace(1)
	tk.Lock()
	defer tk.Unlock()
	// As many samples as keys: every key is offered, the pool holds the
	// 16 oldest.
	tk.SetEviction(Eviction{Policy: AllKeysLRU, Samples: 64})
	db := tk.DB(0)
	for i := range 40 {
		tk.advance(time.Second)
		db.Set(fmt.Appendf(nil, "k%02d", i), datatypes.NewString([]byte("v")))
	}
	tk.advance(time.Second)
	db.offer(&tk.pool, db.candidates())
	db.Delete([]byte("k00"))
	db.Delete([]byte("k01"))
	tk.takeEffects()
	tk.EvictOne()
	if got := tk.takeEffects(); len(got) != 1 || got[0] != "0:DEL k02" {
		t.Errorf("evicted %v, want k02 (k00 and k01 deleted while in the pool)", got)
	}
}

func TestLFUCounter(t *testing.T) {
	tk := newTestKeyspace(1)
	tk.SetEviction(Eviction{Policy: AllKeysLFU, Samples: 5, LFULogFactor: 10, LFUDecayMinutes: 2})
	now := lfuMinutes(tk.Now())
	tests := []struct {
		ldt, counter, want uint32
	}{
		{now, 10, 10},
		{now - 1, 10, 10},
		{now - 2, 10, 9},
		{now - 7, 10, 7},
		{now - 40, 10, 0},
		{now - 20, 10, 0},
		// The minute clock wraps at 16 bits.
		{(now + 1) & lfuMaxTime, 10, 0},
	}
	for _, tt := range tests {
		if got := tk.lfuCounter(tt.ldt<<8 | tt.counter); got != tt.want {
			t.Errorf("counter %d last decremented at minute %d, now %d: %d, want %d", tt.counter, tt.ldt, now, got, tt.want)
		}
	}
	if got := tk.lfuIncr(255); got != 255 {
		t.Errorf("lfuIncr(255) = %d", got)
	}
	for c := uint32(0); c <= lfuInitVal; c++ {
		if got := tk.lfuIncr(c); got != c+1 {
			t.Errorf("lfuIncr(%d) = %d: up to the initial value every access counts", c, got)
		}
	}
	// Logarithmic: with factor 10, about 10*base accesses raise the
	// counter by one. A million accesses take it to about 255 in Redis's
	// table (factor 10: 1M hits -> 255).
	c := uint32(lfuInitVal)
	for range 1_000_000 {
		c = tk.lfuIncr(c)
	}
	if c < 200 || c > 255 {
		t.Errorf("after a million accesses the counter is %d, want about 255", c)
	}
	c = lfuInitVal
	for range 1000 {
		c = tk.lfuIncr(c)
	}
	if c < 15 || c > 25 {
		t.Errorf("after 1000 accesses the counter is %d, want about 18", c)
	}
}
