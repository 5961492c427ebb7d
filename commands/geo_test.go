package commands_test

import (
	"slices"
	"testing"

	"github.com/cairn-db/cairn/internal/testutil"
)

var geoCommandNames = []string{"geoadd", "geodist", "geohash", "geopos", "georadius", "georadius_ro",
	"georadiusbymember", "georadiusbymember_ro", "geosearch", "geosearchstore"}

func TestGeoCommandMetadata(t *testing.T) {
	compareGroupMetadata(t, "geo", geoCommandNames)
}

// TestGeoDeprecation compares the deprecation of the GEORADIUS family in
// COMMAND DOCS with redis-server's.
func TestGeoDeprecation(t *testing.T) {
	rc := dialRaw(t, testutil.StartRedis(t))
	cc := dialRaw(t, testutil.StartCairn(t, nil).Addr)
	for _, name := range geoCommandNames {
		got := cc.do(t, "COMMAND", "DOCS", name).elems[1].fields()
		want := rc.do(t, "COMMAND", "DOCS", name).elems[1].fields()
		for _, f := range []string{"doc_flags", "deprecated_since", "replaced_by"} {
			if g, w := fieldString(got, f), fieldString(want, f); g != w {
				t.Errorf("%s: %s %s, redis %s", name, f, g, w)
			}
		}
	}
}

// TestGeoGetKeys compares COMMAND GETKEYS with redis-server's for the
// STORE and STOREDIST keys of GEORADIUS, which Redis finds by keyword.
func TestGeoGetKeys(t *testing.T) {
	rc := dialRaw(t, testutil.StartRedis(t))
	cc := dialRaw(t, testutil.StartCairn(t, nil).Addr)
	for _, args := range [][]string{
		{"GEORADIUS", "src", "0", "0", "1", "km", "STORE", "a", "STOREDIST", "b"},
		{"GEORADIUS", "src", "0", "0", "1", "km", "store", "a", "store", "b"},
		{"GEORADIUS", "src", "0", "0", "1", "km", "STORE"},
		{"GEORADIUS", "src", "0", "0", "1", "km"},
		{"GEORADIUS", "src", "0", "0", "1", "STORE", "x"},
		{"GEORADIUS", "src", "0", "0", "1", "km", "COUNT", "STORE", "x"},
		{"GEORADIUSBYMEMBER", "src", "m", "1", "km", "STOREDIST", "x"},
		{"GEORADIUSBYMEMBER", "src", "m", "1", "STORE", "x"},
		{"GEORADIUSBYMEMBER", "src", "STORE", "1", "km"},
		{"GEORADIUS_RO", "src", "0", "0", "1", "km", "STORE", "a"},
		{"GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "m", "BYRADIUS", "1", "km"},
		{"GEOSEARCH", "s", "FROMMEMBER", "m", "BYRADIUS", "1", "km"},
		{"GEOADD", "k", "1", "1", "m"},
	} {
		cmd := append([]string{"COMMAND", "GETKEYS"}, args...)
		if got, want := cc.do(t, cmd...).String(), rc.do(t, cmd...).String(); got != want {
			t.Errorf("%q: %s, redis %s", args, got, want)
		}
	}
}

// TestGeoEffects checks what the geo writes record: GEOADD as given when
// it changed something, the stores as a GEOSEARCHSTORE that names its
// destination first, and a DEL for an empty result.
func TestGeoEffects(t *testing.T) {
	e := newEffectsEngine()
	tests := []struct {
		args    []string
		effects []string
	}{
		{[]string{"GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
			[]string{"GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania"}},
		{[]string{"GEOADD", "g", "13.361389", "38.115556", "Palermo"}, nil},
		{[]string{"GEOADD", "g", "NX", "1", "1", "Palermo"}, nil},
		{[]string{"GEOADD", "g", "XX", "CH", "1", "1", "Palermo"}, []string{"GEOADD g XX CH 1 1 Palermo"}},
		{[]string{"GEOADD", "g", "XX", "1", "1", "x"}, nil},
		{[]string{"GEOADD", "g", "500", "1", "x"}, nil},
		{[]string{"GEORADIUS", "g", "15", "37", "200", "km"}, nil},
		{[]string{"GEORADIUS", "g", "15", "37", "200", "km", "COUNT", "1", "STORE", "d"},
			[]string{"GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 200 km ASC COUNT 1"}},
		{[]string{"GEORADIUS", "g", "15", "37", "200", "km", "COUNT", "1", "ANY", "STOREDIST", "d"},
			[]string{"GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1 ANY STOREDIST"}},
		{[]string{"GEORADIUSBYMEMBER", "g", "Catania", "2", "mi", "DESC", "STORE", "d"},
			[]string{"GEOSEARCHSTORE d g FROMMEMBER Catania BYRADIUS 2 mi DESC"}},
		{[]string{"GEOSEARCHSTORE", "d2", "g", "FROMMEMBER", "Catania", "BYBOX", "1", "2", "m"},
			[]string{"GEOSEARCHSTORE d2 g FROMMEMBER Catania BYBOX 1 2 m"}},
		{[]string{"GEORADIUS", "g", "15", "37", "1", "km", "STORE", "d"}, []string{"DEL d"}},
		{[]string{"GEORADIUS", "g", "15", "37", "1", "km", "STORE", "d"}, nil},
		{[]string{"GEOSEARCHSTORE", "d2", "nokey", "FROMMEMBER", "Catania", "BYRADIUS", "1", "m"}, []string{"DEL d2"}},
		{[]string{"GEOSEARCHSTORE", "d2", "g", "FROMMEMBER", "nope", "BYRADIUS", "1", "m"}, nil},
	}
	for _, tt := range tests {
		if _, got := e.exec(tt.args...); !slices.Equal(got, tt.effects) {
			t.Errorf("%q recorded %q, want %q", tt.args, got, tt.effects)
		}
	}
}
