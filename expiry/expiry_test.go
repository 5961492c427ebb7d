package expiry

import (
	"strconv"
	"testing"
	"time"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/keyspace"
)

// fakeKeyspace is a keyspace on a clock the test moves, counting the DEL
// effects the cycle records.
type fakeKeyspace struct {
	*keyspace.Keyspace
	now  time.Time
	dels int
}

func newFakeKeyspace(dbs int) *fakeKeyspace {
	f := &fakeKeyspace{now: time.UnixMilli(1_700_000_000_000)}
	f.Keyspace = keyspace.New(keyspace.Options{Databases: dbs,
		Clock: func() time.Time { return f.now },
		Sink: func(effects []keyspace.Effect) {
			for _, e := range effects {
				if string(e.Args[0]) == "DEL" && len(e.Args) == 2 {
					f.dels++
				}
			}
		},
	})
	return f
}

// fill adds n keys to database db, expiring ttl after now (no expiry for
// ttl 0).
func (f *fakeKeyspace) fill(db int, prefix string, n int, ttl time.Duration) {
	f.Lock()
	defer f.Unlock()
	d := f.DB(db)
	for i := 0; i < n; i++ {
		k := []byte(prefix + strconv.Itoa(i))
		d.Set(k, datatypes.NewString([]byte("v")))
		if ttl != 0 {
			d.SetExpire(k, f.Now()+ttl.Milliseconds())
		}
	}
}

// run runs one cycle under the lock, as the server cron does.
func (f *fakeKeyspace) run(c *Cycler, budget time.Duration) {
	f.Lock()
	c.Run(budget)
	f.Unlock()
}

func (f *fakeKeyspace) lens(db int) (keys, volatile int) {
	f.Lock()
	defer f.Unlock()
	return f.DB(db).Len(), f.DB(db).VolatileLen()
}

func TestCycleReclaimsOnlyExpiredKeys(t *testing.T) {
	f := newFakeKeyspace(4)
	f.fill(0, "short", 50_000, time.Second)
	f.fill(0, "long", 1_000, time.Hour)
	f.fill(0, "plain", 1_000, 0)
	f.fill(3, "short", 20_000, time.Second)
	c := NewCycler(f.Keyspace)

	f.run(c, time.Second)
	if keys, _ := f.lens(0); keys != 52_000 {
		t.Fatalf("reclaimed keys before their time: %d left", keys)
	}

	// Few expired keys are left once the long ones dominate, but one sweep
	// of the 1000 long ones (50 loops of 20) finds them all.
	f.now = f.now.Add(time.Second)
	for i := 0; i < 60; i++ {
		f.run(c, 100*time.Millisecond)
	}
	if keys, volatile := f.lens(0); keys != 2_000 || volatile != 1_000 {
		t.Fatalf("db0: %d keys, %d volatile left; want 2000, 1000", keys, volatile)
	}
	if keys, _ := f.lens(3); keys != 0 {
		t.Fatalf("db3: %d keys left", keys)
	}
	f.Lock()
	expired := f.Stats.ExpiredKeys
	f.Unlock()
	if expired != 70_000 || f.dels != 70_000 {
		t.Fatalf("ExpiredKeys %d, DEL effects %d; want 70000", expired, f.dels)
	}
}

// TestCycleStopsWhenFewKeysExpired checks that a database where one key
// in a hundred has expired is not swept in one cycle.
func TestCycleStopsWhenFewKeysExpired(t *testing.T) {
	f := newFakeKeyspace(1)
	f.Lock()
	db := f.DB(0)
	for i := 0; i < 101_000; i++ {
		k := []byte("k" + strconv.Itoa(i))
		db.Set(k, datatypes.NewString([]byte("v")))
		ttl := time.Hour
		if i%101 == 0 {
			ttl = time.Second
		}
		db.SetExpire(k, f.Now()+ttl.Milliseconds())
	}
	f.Unlock()
	f.now = f.now.Add(time.Second)
	f.run(NewCycler(f.Keyspace), time.Second)
	if keys, _ := f.lens(0); keys < 100_000 {
		t.Fatalf("reclaimed keys before their time: %d left", keys)
	}
	if f.dels > 10 {
		t.Fatalf("swept %d keys of a 1%% expired database in one cycle", f.dels)
	}
}

func TestCycleRespectsBudget(t *testing.T) {
	f := newFakeKeyspace(1)
	f.fill(0, "k", 300_000, time.Second)
	f.now = f.now.Add(time.Second)
	start := time.Now()
	f.run(NewCycler(f.Keyspace), time.Millisecond)
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Fatalf("a 1ms cycle took %v", d)
	}
	if keys, _ := f.lens(0); keys == 0 {
		t.Fatal("a 1ms cycle reclaimed 300000 keys")
	}
}

// TestCycleResumesAtNextDatabase checks that cycles cut short by their
// budget do not starve the databases after the first.
func TestCycleResumesAtNextDatabase(t *testing.T) {
	f := newFakeKeyspace(16)
	for db := 0; db < 16; db++ {
		f.fill(db, "k", 20_000, time.Second)
	}
	f.now = f.now.Add(time.Second)
	c := NewCycler(f.Keyspace)
	for i := 0; i < 64; i++ {
		f.run(c, 0)
	}
	for db := 0; db < 16; db++ {
		if keys, _ := f.lens(db); keys == 20_000 {
			t.Fatalf("db%d was never visited", db)
		}
	}
}

func BenchmarkCycleMillionExpired(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := newFakeKeyspace(1)
		f.fill(0, "k", 1_000_000, time.Second)
		f.now = f.now.Add(time.Second)
		c := NewCycler(f.Keyspace)
		b.StartTimer()
		cycles := 0
		for keys := 1; keys > 0; keys, _ = f.lens(0) {
			f.run(c, 25*time.Millisecond)
			cycles++
		}
		b.ReportMetric(float64(cycles), "cycles")
	}
}
