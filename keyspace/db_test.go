package keyspace

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/datatypes"
)

// testKeyspace is a keyspace with a clock the test moves and a record of
// every effect.
type testKeyspace struct {
	*Keyspace
	now     time.Time
	effects []Effect
}

func newTestKeyspace(dbs int) *testKeyspace {
	tk := &testKeyspace{now: time.UnixMilli(1_700_000_000_000)}
	tk.Keyspace = New(Options{Databases: dbs,
		Clock: func() time.Time { return tk.now },
		Sink:  func(e []Effect) { tk.effects = append(tk.effects, e...) },
	})
	return tk
}

// advance moves the clock and refreshes the cached time, as the
// dispatcher does before each command.
func (tk *testKeyspace) advance(d time.Duration) {
	tk.now = tk.now.Add(d)
	tk.Tick()
}

// takeEffects returns the effects recorded so far, rendered as
// "db:ARG ARG...", and forgets them.
func (tk *testKeyspace) takeEffects() []string {
	tk.Unlock()
	tk.Lock()
	var out []string
	for _, e := range tk.effects {
		args := make([]string, len(e.Args))
		for i, a := range e.Args {
			args[i] = string(a)
		}
		out = append(out, fmt.Sprintf("%d:%s", e.DB, strings.Join(args, " ")))
	}
	tk.effects = nil
	return out
}

func str(s string) datatypes.Value { return datatypes.NewString([]byte(s)) }

func b(s string) []byte { return []byte(s) }

// checkInvariants verifies the dense layout: the index and the entries
// agree, and the volatile index lists exactly the entries with an expiry
// time.
func checkInvariants(t testing.TB, db *DB) {
	t.Helper()
	st := db.st
	if st.index.n != st.len() {
		t.Fatalf("db%d: %d index slots for %d entries", db.index, st.index.n, st.len())
	}
	volatile := 0
	for i := range uint32(st.len()) {
		e := st.entry(i)
		key := st.key(i)
		if p, ok := st.find(key); !ok || p != i {
			t.Fatalf("db%d: entry %d (%q) has position %d, %v", db.index, i, key, p, ok)
		}
		if (st.expireAt(i) != 0) != (e.vidx != 0) {
			t.Fatalf("db%d: entry %q expireAt %d but vidx %d", db.index, key, st.expireAt(i), e.vidx)
		}
		if e.vidx != 0 {
			volatile++
			if int(e.vidx) > st.volatile.n || *st.volatile.at(int(e.vidx - 1)) != i {
				t.Fatalf("db%d: entry %q vidx %d does not point back", db.index, key, e.vidx)
			}
		}
	}
	if volatile != st.volatile.n {
		t.Fatalf("db%d: %d volatile entries, index holds %d", db.index, volatile, st.volatile.n)
	}
}

func TestLazyExpiryRecordsDel(t *testing.T) {
	tk := newTestKeyspace(2)
	tk.Lock()
	defer tk.Unlock()
	db := tk.DB(1)
	db.Set(b("k"), str("v"))
	db.SetExpire(b("k"), tk.Now()+1000)
	tk.advance(999 * time.Millisecond)
	if !db.Exists(b("k")) {
		t.Fatal("key expired early")
	}
	tk.advance(time.Millisecond)
	lookups := []struct {
		name string
		find func() bool
	}{
		{"Lookup", func() bool { _, ok := db.Lookup(b("k")); return ok }},
		{"LookupWrite", func() bool { _, ok := db.LookupWrite(b("k")); return ok }},
		{"LookupNoTouch", func() bool { _, ok := db.LookupNoTouch(b("k")); return ok }},
		{"Peek", func() bool { _, ok := db.Peek(b("k")); return ok }},
		{"Exists", func() bool { return db.Exists(b("k")) }},
		{"Delete", func() bool { return db.Delete(b("k")) }},
		{"Persist", func() bool { return db.Persist(b("k")) }},
		{"SetExpire", func() bool { return db.SetExpire(b("k"), tk.Now()+5000) }},
		{"Rename", func() bool { return db.Rename(b("k"), b("k2")) }},
		{"Move", func() bool { return db.Move(b("k"), tk.DB(0)) }},
	}
	for _, l := range lookups {
		t.Run(l.name, func(t *testing.T) {
			db.Set(b("k"), str("v"))
			db.SetExpire(b("k"), tk.Now()-1)
			tk.takeEffects()
			before := tk.Stats.ExpiredKeys
			if l.find() {
				t.Fatal("found an expired key")
			}
			if got := tk.takeEffects(); !slices.Equal(got, []string{"1:DEL k"}) {
				t.Fatalf("effects %q, want a DEL", got)
			}
			if tk.Stats.ExpiredKeys != before+1 {
				t.Fatalf("ExpiredKeys %d, want %d", tk.Stats.ExpiredKeys, before+1)
			}
			if db.Len() != 0 || db.VolatileLen() != 0 {
				t.Fatalf("Len %d VolatileLen %d after expiry", db.Len(), db.VolatileLen())
			}
		})
	}
}

func TestNothingExpiresWhileLoading(t *testing.T) {
	tk := newTestKeyspace(1)
	tk.Lock()
	defer tk.Unlock()
	db := tk.DB(0)
	db.Set(b("k"), str("v"))
	db.SetExpire(b("k"), 1)
	tk.SetLoading(true)
	if _, ok := db.Lookup(b("k")); !ok {
		t.Fatal("key expired while loading")
	}
	if _, expired := db.ExpireStep(10); expired != 0 || db.Len() != 1 {
		t.Fatal("active expiry reclaimed a key while loading")
	}
	// PEXPIREAT k 0 in a log: the epoch must not read as "no expiry".
	db.Set(b("epoch"), str("v"))
	db.SetExpire(b("epoch"), 0)
	checkInvariants(t, db)
	tk.SetLoading(false)
	if db.Exists(b("k")) || db.Exists(b("epoch")) {
		t.Fatal("key did not expire after loading")
	}
}

func TestLookupStats(t *testing.T) {
	tests := []struct {
		name         string
		lookup       func(db *DB, key []byte)
		hits, misses int64
		touches      bool
	}{
		{"Lookup", func(db *DB, k []byte) { db.Lookup(k) }, 1, 1, true},
		{"LookupNoTouch", func(db *DB, k []byte) { db.LookupNoTouch(k) }, 1, 1, false},
		{"LookupWrite", func(db *DB, k []byte) { db.LookupWrite(k) }, 0, 0, true},
		{"Peek", func(db *DB, k []byte) { db.Peek(k) }, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := newTestKeyspace(1)
			tk.Lock()
			defer tk.Unlock()
			db := tk.DB(0)
			db.Set(b("k"), str("v"))
			tk.advance(10 * time.Second)
			tt.lookup(db, b("k"))
			tt.lookup(db, b("missing"))
			if tk.Stats.KeyspaceHits != tt.hits || tk.Stats.KeyspaceMisses != tt.misses {
				t.Errorf("hits/misses %d/%d, want %d/%d", tk.Stats.KeyspaceHits, tk.Stats.KeyspaceMisses, tt.hits, tt.misses)
			}
			idle, _ := db.IdleMillis(b("k"))
			if touched := idle == 0; touched != tt.touches {
				t.Errorf("idle %d ms after lookup, want touched=%v", idle, tt.touches)
			}
		})
	}
}

func TestRenameMoveSetWithExpire(t *testing.T) {
	tk := newTestKeyspace(2)
	tk.Lock()
	defer tk.Unlock()
	db, other := tk.DB(0), tk.DB(1)
	at := tk.Now() + 10_000

	// Fill so that removing the destination moves the source.
	db.Set(b("src"), str("v"))
	db.SetExpire(b("src"), at)
	db.Set(b("dst"), str("old"))
	db.SetExpire(b("dst"), at+1)
	db.Set(b("last"), str("x"))
	if !db.Rename(b("src"), b("dst")) {
		t.Fatal("Rename failed")
	}
	checkInvariants(t, db)
	if v, _ := db.Peek(b("dst")); string(v.(*datatypes.String).Bytes()) != "v" {
		t.Fatalf("dst holds %v", v)
	}
	if got, _ := db.ExpireAt(b("dst")); got != at {
		t.Fatalf("dst expires at %d, want %d", got, at)
	}
	if db.Exists(b("src")) || db.Len() != 2 {
		t.Fatal("src survived the rename")
	}
	if db.Rename(b("missing"), b("x")) || !db.Rename(b("dst"), b("dst")) {
		t.Fatal("Rename of a missing key or onto itself misreported")
	}

	if !db.Move(b("dst"), other) {
		t.Fatal("Move failed")
	}
	checkInvariants(t, db)
	checkInvariants(t, other)
	if got, _ := other.ExpireAt(b("dst")); got != at {
		t.Fatalf("moved key expires at %d, want %d", got, at)
	}
	db.Set(b("dst"), str("again"))
	if db.Move(b("dst"), other) || db.Move(b("missing"), other) {
		t.Fatal("Move onto an existing key or of a missing key succeeded")
	}

	db.SetWithExpire(b("last"), str("y"), at)
	db.SetWithExpire(b("new"), str("z"), 0)
	checkInvariants(t, db)
	if got, _ := db.ExpireAt(b("last")); got != at {
		t.Fatalf("SetWithExpire: expires at %d, want %d", got, at)
	}
	db.SetWithExpire(b("last"), str("w"), 0)
	if got, _ := db.ExpireAt(b("last")); got != 0 {
		t.Fatalf("SetWithExpire without expiry kept %d", got)
	}
	checkInvariants(t, db)
}

func TestRandomKeyReclaimsExpired(t *testing.T) {
	tk := newTestKeyspace(1)
	tk.Lock()
	defer tk.Unlock()
	db := tk.DB(0)
	for i := 0; i < 500; i++ {
		k := b("k" + strconv.Itoa(i))
		db.Set(k, str("v"))
		db.SetExpire(k, tk.Now()+1)
	}
	db.Set(b("live"), str("v"))
	tk.advance(time.Second)
	for i := 0; i < 20; i++ {
		if k, ok := db.RandomKey(); !ok || k != "live" {
			t.Fatalf("RandomKey = %q, %v", k, ok)
		}
	}
	db.Delete(b("live"))
	for i := 0; i < 500; i++ {
		k := b("e" + strconv.Itoa(i))
		db.Set(k, str("v"))
		db.SetExpire(k, tk.Now()-1)
	}
	if k, ok := db.RandomKey(); ok {
		t.Fatalf("RandomKey on expired keys = %q", k)
	}
	if db.Len() != 0 {
		t.Fatalf("%d keys left", db.Len())
	}
	checkInvariants(t, db)
}

// scanAll walks a whole scan, calling between after every step.
func scanAll(db *DB, count int, between func()) map[string]bool {
	seen := map[string]bool{}
	cursor := uint64(0)
	for {
		cursor = db.Scan(cursor, count, func(key string) { seen[key] = true })
		if cursor == 0 {
			return seen
		}
		between()
	}
}

// TestScanGuarantee interleaves scan steps with random inserts and
// deletes that grow and shrink the database, and requires every key
// present for the whole walk to be returned.
func TestScanGuarantee(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		tk := newTestKeyspace(1)
		tk.Lock()
		db := tk.DB(0)
		// Keys that may be deleted are mixed with the stable ones from the
		// start, so that deletions can shrink the database below the
		// cursor.
		stable := map[string]bool{}
		var churn []string
		next := 0
		for i := 0; i < 100+r.IntN(400); i++ {
			k := "stable" + strconv.Itoa(i)
			if r.IntN(2) == 0 {
				k = "churn" + strconv.Itoa(next)
				next++
				churn = append(churn, k)
			} else {
				stable[k] = true
			}
			db.Set(b(k), str("v"))
		}
		// Grow or shrink in phases, so the cursor can end up past the end.
		grow := true
		seen := scanAll(db, 1+r.IntN(30), func() {
			if r.IntN(4) == 0 {
				grow = !grow
			}
			for n := r.IntN(60); n > 0; n-- {
				if grow || len(churn) == 0 {
					k := "churn" + strconv.Itoa(next)
					next++
					db.Set(b(k), str("v"))
					churn = append(churn, k)
					continue
				}
				i := r.IntN(len(churn))
				db.Delete(b(churn[i]))
				churn = slices.Delete(churn, i, i+1)
			}
		})
		checkInvariants(t, db)
		tk.Unlock()
		for k := range stable {
			if !seen[k] {
				t.Fatalf("seed %d: %q present for the whole scan was not returned", seed, k)
			}
		}
	}
}

func TestScanCursor(t *testing.T) {
	tk := newTestKeyspace(1)
	tk.Lock()
	defer tk.Unlock()
	db := tk.DB(0)
	if c := db.Scan(0, 10, func(string) { t.Fatal("key in an empty db") }); c != 0 {
		t.Fatalf("cursor %d on an empty db", c)
	}
	for i := 0; i < 25; i++ {
		db.Set(b(strconv.Itoa(i)), str("v"))
	}
	var got []string
	cursors := []uint64{}
	for c := uint64(0); ; {
		c = db.Scan(c, 10, func(k string) { got = append(got, k) })
		cursors = append(cursors, c)
		if c == 0 {
			break
		}
	}
	if !slices.Equal(cursors, []uint64{15, 5, 0}) || len(got) != 25 {
		t.Fatalf("cursors %v, %d keys", cursors, len(got))
	}
	// A cursor no walk returns (SCAN 18446744073709551615) ends the walk
	// with an empty page, as Redis's past its table's size.
	if c := db.Scan(math.MaxUint64, 100, func(string) { t.Fatal("a key for a cursor no walk returns") }); c != 0 {
		t.Fatalf("cursor 2^64-1: next %d", c)
	}
	// A cursor past the end resumes at the end.
	n := 0
	if c := db.Scan(1000, 100, func(string) { n++ }); c != 0 || n != 25 {
		t.Fatalf("cursor past the end: next %d, %d keys", c, n)
	}
}

// model is the reference a DB is checked against: live keys with their
// value and expiry time.
type model map[string]struct {
	val string
	at  int64
}

// TestDBAgainstModel runs random operations on a DB and a map and
// requires the same live contents after every one.
func TestDBAgainstModel(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		runModel(t, rand.New(rand.NewPCG(seed, seed)), 3000)
	}
}

func FuzzDB(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		runModel(t, rand.New(rand.NewPCG(a, b)), 300)
	})
}

func runModel(t *testing.T, r *rand.Rand, steps int) {
	t.Helper()
	tk := newTestKeyspace(2)
	tk.Lock()
	defer tk.Unlock()
	models := []model{{}, {}}
	key := func() string { return "k" + strconv.Itoa(r.IntN(20)) }
	// live drops expired keys from the model, as lookups would.
	live := func(m model, k string) bool {
		e, ok := m[k]
		if ok && e.at != 0 && e.at <= tk.Now() {
			delete(m, k)
			return false
		}
		return ok
	}
	for step := 0; step < steps; step++ {
		d := r.IntN(2)
		db, m := tk.DB(d), models[d]
		k := key()
		v := strconv.Itoa(step)
		var op string
		switch r.IntN(11) {
		case 0:
			op = "Set"
			db.Set(b(k), str(v))
			m[k] = struct {
				val string
				at  int64
			}{v, 0}
		case 1:
			op = "SetKeepTTL"
			db.SetKeepTTL(b(k), str(v))
			e := m[k]
			if !live(m, k) {
				e.at = 0
			}
			e.val = v
			m[k] = e
		case 2:
			op = "Delete"
			if got, want := db.Delete(b(k)), live(m, k); got != want {
				t.Fatalf("step %d: Delete(%s) = %v, want %v", step, k, got, want)
			}
			delete(m, k)
		case 3:
			op = "SetExpire"
			at := tk.Now() + int64(r.IntN(50))
			if got, want := db.SetExpire(b(k), at), live(m, k); got != want {
				t.Fatalf("step %d: SetExpire(%s) = %v, want %v", step, k, got, want)
			} else if want {
				e := m[k]
				e.at = at
				m[k] = e
			}
		case 4:
			op = "Persist"
			want := live(m, k) && m[k].at != 0
			if got := db.Persist(b(k)); got != want {
				t.Fatalf("step %d: Persist(%s) = %v, want %v", step, k, got, want)
			}
			if want {
				e := m[k]
				e.at = 0
				m[k] = e
			}
		case 5:
			op = "Rename"
			k2 := key()
			want := live(m, k)
			live(m, k2)
			if got := db.Rename(b(k), b(k2)); got != want {
				t.Fatalf("step %d: Rename(%s, %s) = %v, want %v", step, k, k2, got, want)
			}
			if want && k != k2 {
				m[k2] = m[k]
				delete(m, k)
			}
		case 6:
			op = "Move"
			om := models[1-d]
			want := live(m, k) && !live(om, k)
			if got := db.Move(b(k), tk.DB(1-d)); got != want {
				t.Fatalf("step %d: Move(%s) = %v, want %v", step, k, got, want)
			}
			if want {
				om[k] = m[k]
				delete(m, k)
			}
		case 7:
			op = "SetWithExpire"
			at := int64(0)
			if r.IntN(2) == 0 {
				at = tk.Now() + int64(r.IntN(50))
			}
			db.SetWithExpire(b(k), str(v), at)
			m[k] = struct {
				val string
				at  int64
			}{v, at}
		case 8:
			op = "ExpireStep"
			db.ExpireStep(r.IntN(5))
		case 9:
			op = "RandomKey"
			if got, ok := db.RandomKey(); ok && !live(m, got) {
				t.Fatalf("step %d: RandomKey returned %q, not live", step, got)
			}
		case 10:
			op = "advance"
			tk.advance(time.Duration(r.IntN(20)) * time.Millisecond)
		}
		for i := range models {
			checkInvariants(t, tk.DB(i))
			compareModel(t, step, op, tk.DB(i), models[i], tk.Now())
		}
	}
}

func compareModel(t *testing.T, step int, op string, db *DB, m model, now int64) {
	t.Helper()
	got := map[string]string{}
	db.ForEach(func(k string, v datatypes.Value) {
		at, _ := db.ExpireAt([]byte(k))
		got[k] = fmt.Sprintf("%s@%d", v.(*datatypes.String).Bytes(), at)
	})
	want := map[string]string{}
	for k, e := range m {
		if e.at == 0 || e.at > now {
			want[k] = fmt.Sprintf("%s@%d", e.val, e.at)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("step %d (%s): db%d holds\n%v\nwant\n%v", step, op, db.index, got, want)
	}
}

// TestExpireStepSweepsEveryKey checks that one sweep of the volatile
// index finds every expired key, however rare, while keys come and go.
func TestExpireStepSweepsEveryKey(t *testing.T) {
	tk := newTestKeyspace(1)
	tk.Lock()
	defer tk.Unlock()
	db := tk.DB(0)
	const hour = 3_600_000
	for i := 0; i < 10_000; i++ {
		k := b("k" + strconv.Itoa(i))
		db.Set(k, str("v"))
		ttl := int64(hour)
		if i%997 == 0 {
			ttl = 1
		}
		db.SetExpire(k, tk.Now()+ttl)
		// Keys that churn deletes, with a TTL so that deleting them moves
		// entries of the volatile index.
		d := b("d" + strconv.Itoa(i))
		db.Set(d, str("v"))
		db.SetExpire(d, tk.Now()+hour)
	}
	tk.advance(time.Second)
	expired := 0
	for looked, i := 0, 0; looked < 20_000; i++ {
		l, e := db.ExpireStep(7)
		looked += l
		expired += e
		db.Set(b("new"+strconv.Itoa(i)), str("v"))
		db.SetExpire(b("new"+strconv.Itoa(i)), tk.Now()+hour)
		db.Delete(b("d" + strconv.Itoa(i*7%10_000)))
	}
	if expired != 11 {
		t.Fatalf("one sweep reclaimed %d of the 11 expired keys", expired)
	}
	checkInvariants(t, db)
}

// TestSetWrappedString: a String wrapping its caller's bytes (an
// argument) is copied by the store, whether into its record or, long, as
// an object: the caller's bytes may change afterwards.
func TestSetWrappedString(t *testing.T) {
	tk := newTestKeyspace(1)
	tk.Lock()
	defer tk.Unlock()
	db := tk.DB(0)
	for _, n := range []int{10, MaxInlineString, MaxInlineString + 1, 100_000} {
		arg := bytes.Repeat([]byte{'a'}, n)
		var s datatypes.String
		s.Wrap(arg, 0)
		key := []byte(fmt.Sprint("k", n))
		db.Set(key, &s)
		arg[0] = 'b'
		s.Wrap([]byte("other"), 0)
		v, _ := db.Lookup(key)
		if got := v.(*datatypes.String).Bytes(); len(got) != n || got[0] != 'a' {
			t.Errorf("%d bytes: the store kept the caller's bytes (%d bytes, first %q)", n, len(got), got[0])
		}
	}
}
