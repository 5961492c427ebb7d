package keyspace

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/cairn-db/cairn/datatypes"
)

// snapState is a keyspace's contents rendered for comparison:
// "db/key" -> "value@expireAt".
type snapState map[string]string

func render(v datatypes.Value, expireAt int64) string {
	switch v := v.(type) {
	case *datatypes.String:
		return fmt.Sprintf("%s@%d", v.Bytes(), expireAt)
	case *datatypes.List:
		var s string
		v.Range(0, -1, func(e []byte) bool { s += string(e) + ","; return true })
		return fmt.Sprintf("[%s]@%d", s, expireAt)
	}
	return fmt.Sprintf("%T@%d", v, expireAt)
}

// current renders every stored key of tk, expired or not.
func (tk *testKeyspace) current() snapState {
	out := snapState{}
	for i, db := range tk.dbs {
		for p := range uint32(db.st.len()) {
			out[fmt.Sprintf("%d/%s", i, db.st.key(p))] = render(db.st.value(p), db.st.expireAt(p))
		}
	}
	return out
}

// TestSnapshotIsPointInTime interleaves a snapshot's steps with random
// changes of every kind (writes in place, overwrites, deletions, renames,
// moves, expiry times, flushes, swaps, expiry) and checks that the keys
// passed to the snapshot are exactly the keyspace as it was when the
// snapshot began, each passed once.
func TestSnapshotIsPointInTime(t *testing.T) {
	for seed := range uint64(40) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, seed))
			tk := newTestKeyspace(3)
			tk.Lock()
			defer tk.Unlock()
			key := func() []byte { return []byte("k" + strconv.Itoa(rng.IntN(60))) }
			mutate := func() {
				db := tk.DB(rng.IntN(3))
				switch rng.IntN(14) {
				case 0, 1, 2:
					db.Set(key(), str(strconv.Itoa(rng.IntN(1000))))
				case 3:
					if v, ok := db.LookupWrite(key()); ok {
						if l, isList := v.(*datatypes.List); isList {
							l.PushBack([]byte("x"))
						} else {
							v.(*datatypes.String).Append([]byte("+"))
						}
					}
				case 4:
					k := key()
					if _, ok := db.LookupWrite(k); !ok {
						l := datatypes.NewList(datatypes.DefaultLimits())
						l.PushBack([]byte("a"))
						db.Set(k, l)
					}
				case 5, 6:
					db.Delete(key())
				case 7:
					db.Rename(key(), key())
				case 8:
					db.Move(key(), tk.DB(rng.IntN(3)))
				case 9:
					db.SetExpire(key(), tk.Now()+int64(rng.IntN(2000)))
				case 10:
					db.Persist(key())
				case 11:
					if rng.IntN(8) == 0 {
						db.Flush()
					}
				case 12:
					if rng.IntN(4) == 0 {
						tk.SwapDB(rng.IntN(3), rng.IntN(3))
					}
				case 13:
					tk.advance(time.Duration(rng.IntN(300)) * time.Millisecond)
					db.ExpireStep(5)
				}
			}
			for range 400 {
				mutate()
				tk.FlushDirty() // as the dispatcher does after each command
			}
			want := tk.current()
			got := snapState{}
			var dup []string
			tk.BeginSnapshot(func(db int, k []byte, v datatypes.Value, exp int64) {
				name := fmt.Sprintf("%d/%s", db, k)
				if _, seen := got[name]; seen {
					dup = append(dup, name)
				}
				got[name] = render(v, exp)
			})
			for done := false; !done; {
				for range rng.IntN(20) {
					mutate()
					tk.FlushDirty()
				}
				done = tk.SnapshotStep(1 + rng.IntN(7))
			}
			if len(dup) > 0 {
				t.Errorf("keys passed twice: %v", dup)
			}
			if !maps.Equal(got, want) {
				for k, v := range want {
					if got[k] != v {
						t.Errorf("%s: snapshot has %q, state at the start was %q", k, got[k], v)
					}
				}
				for k, v := range got {
					if _, ok := want[k]; !ok {
						t.Errorf("%s: snapshot has %q, which did not exist at the start", k, v)
					}
				}
			}
			if tk.snap != nil {
				t.Error("snapshot still active after its last step")
			}
			for _, db := range tk.dbs {
				checkInvariants(t, db)
			}
		})
	}
}

// TestSnapshotAbandon checks that an abandoned snapshot leaves no trace:
// the next one passes every key.
func TestSnapshotAbandon(t *testing.T) {
	tk := newTestKeyspace(1)
	tk.Lock()
	defer tk.Unlock()
	for i := range 100 {
		tk.DB(0).Set([]byte(strconv.Itoa(i)), str("v"))
	}
	n := 0
	tk.BeginSnapshot(func(int, []byte, datatypes.Value, int64) { n++ })
	tk.SnapshotStep(30)
	tk.DB(0).Set([]byte("5"), str("w"))
	tk.AbandonSnapshot()
	tk.DB(0).Set([]byte("6"), str("w"))
	if n != 31 {
		t.Fatalf("passed %d keys before abandoning, want 31", n)
	}
	n = 0
	tk.BeginSnapshot(func(int, []byte, datatypes.Value, int64) { n++ })
	for !tk.SnapshotStep(10) {
	}
	if n != 100 {
		t.Fatalf("the next snapshot passed %d keys, want 100", n)
	}
}
