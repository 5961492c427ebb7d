package commands

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/cairn-db/cairn/keyspace"
)

func geoKey(r *rand.Rand) string { return "g" + strconv.Itoa(r.IntN(4)) }

func geoCoord(r *rand.Rand, limit float64) string {
	return strconv.FormatFloat((r.Float64()*2-1)*limit, 'f', 1+r.IntN(6), 64)
}

func geoMember(r *rand.Rand) string { return "m" + strconv.Itoa(r.IntN(300)) }

// geoSearchOptions are the options GEORADIUS and GEOSEARCHSTORE share.
func geoSearchOptions(r *rand.Rand) []string {
	var args []string
	if r.IntN(2) == 0 {
		args = append(args, []string{"ASC", "DESC"}[r.IntN(2)])
	}
	if r.IntN(2) == 0 {
		args = append(args, "COUNT", strconv.Itoa(1+r.IntN(20)))
		if r.IntN(3) == 0 {
			args = append(args, "ANY")
		}
	}
	return args
}

func geoaddArgs(r *rand.Rand) []string {
	args := []string{"GEOADD", geoKey(r)}
	if r.IntN(4) == 0 {
		args = append(args, []string{"NX", "XX", "CH"}[r.IntN(3)])
	}
	for range 1 + r.IntN(30) {
		args = append(args, geoCoord(r, 180), geoCoord(r, 85), geoMember(r))
	}
	return args
}

// geoWorkload adds points to a few keys and stores searches of them, over
// each other and over other types.
var geoWorkload = []func(r *rand.Rand) []string{
	geoaddArgs, geoaddArgs, geoaddArgs,
	func(r *rand.Rand) []string {
		store := []string{"STORE", "STOREDIST"}[r.IntN(2)]
		args := []string{"GEORADIUS", geoKey(r), geoCoord(r, 180), geoCoord(r, 85),
			strconv.Itoa(r.IntN(5000)), "km", store, geoKey(r)}
		return append(args, geoSearchOptions(r)...)
	},
	func(r *rand.Rand) []string {
		args := []string{"GEORADIUSBYMEMBER", geoKey(r), geoMember(r), strconv.Itoa(r.IntN(9000)), "mi",
			"STORE", geoKey(r)}
		return append(args, geoSearchOptions(r)...)
	},
	func(r *rand.Rand) []string {
		args := []string{"GEOSEARCHSTORE", geoKey(r), geoKey(r)}
		if r.IntN(2) == 0 {
			args = append(args, "FROMMEMBER", geoMember(r))
		} else {
			args = append(args, "FROMLONLAT", geoCoord(r, 180), geoCoord(r, 85))
		}
		if r.IntN(2) == 0 {
			args = append(args, "BYRADIUS", strconv.Itoa(r.IntN(3000)), "km")
		} else {
			args = append(args, "BYBOX", strconv.Itoa(r.IntN(6000)), strconv.Itoa(r.IntN(6000)), "km")
		}
		if r.IntN(2) == 0 {
			args = append(args, "STOREDIST")
		}
		return append(args, geoSearchOptions(r)...)
	},
	func(r *rand.Rand) []string { return []string{"DEL", geoKey(r)} },
	func(*rand.Rand) []string { return []string{"SET", "g3", "x"} },
}

// TestGeoReplay runs the geo workload while recording every effect,
// replays them and requires the same sorted sets, encodings included.
func TestGeoReplay(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 11))
			var log []keyspace.Effect
			ks := keyspace.New(keyspace.Options{Databases: 1,
				Sink: func(effects []keyspace.Effect) { log = append(log, effects...) }})
			engine := newTestEngine(ks)
			cl := NewClient("", "", time.Now(), func() {})
			cl.Authenticated = true
			for range 600 {
				ks.Lock()
				for range 1 + r.IntN(4) {
					engine.Exec(cl, bytesArgs(geoWorkload[r.IntN(len(geoWorkload))](r)))
				}
				ks.Unlock()
				cl.W.Reset()
			}
			replayed := keyspace.New(keyspace.Options{Databases: 1})
			replayed.Lock()
			if err := newTestEngine(replayed).Apply(log); err != nil {
				t.Fatal(err)
			}
			got := dumpKeyspace(replayed)
			replayed.Unlock()
			ks.Lock()
			want := dumpKeyspace(ks)
			ks.Unlock()
			if got != want {
				t.Fatalf("replayed state differs (%d effects)\nreplayed:\n%.3000s\noriginal:\n%.3000s", len(log), got, want)
			}
		})
	}
}
