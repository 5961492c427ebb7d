package integration

import (
	"strconv"
	"testing"
)

// TestGeoRandomDifferential is TestRandomDifferential for the geo
// commands: random GEOADDs of points anywhere (the poles' latitude limits
// and the antimeridian included, duplicates for ties), searches by radius
// and by box of every size around points and members, with every option,
// the stores (their sorted sets read with ZRANGE), GEODIST, GEOPOS and
// GEOHASH, over members ZADD gave any score, compared with redis-server.
// The environment variables of TestRandomDifferential make a long run.
func TestGeoRandomDifferential(t *testing.T) {
	seed, commands := randomSettings(t, 1, 3000)
	newRandomRunner(t).hunt(seed, commands, func(g *cmdGen, n int) []step {
		geo := geoGen{g}
		seq := make([]step, 0, n)
		for range n {
			seq = append(seq, step{args: geo.command()})
		}
		return seq
	})
}

type geoGen struct{ *cmdGen }

var (
	geoKeys = []string{"g0", "g1", "g2", "nokey", "str"}
	// geoEdgeLons and geoEdgeLats are the limits and values near them.
	geoEdgeLons = []string{"180", "-180", "179.9999999", "-179.9999999", "0", "-0", "180.0000001", "inf", "x"}
	geoEdgeLats = []string{"85.05112878", "-85.05112878", "85.05112879", "85", "-85", "0", "66.1", "-80.5", "90"}
	geoUnits    = []string{"m", "km", "ft", "mi", "KM", "Mi", "m", "km", "miles"}
)

func (g geoGen) key() string { return g.pick(geoKeys) }

// member is one of a few hundred names, so that searches find some again.
func (g geoGen) member() string { return "m" + strconv.Itoa(g.r.IntN(200)) }

// lon and lat are random coordinates, sometimes at the edges, sometimes
// clustered near 10,10 so that points coincide.
func (g geoGen) lon() string {
	switch n := g.r.IntN(20); {
	case n == 0:
		return g.pick(geoEdgeLons)
	case n < 4:
		return strconv.FormatFloat(10+g.r.Float64()/float64(1+g.r.IntN(1000)), 'f', -1, 64)
	}
	return strconv.FormatFloat(g.r.Float64()*360-180, 'f', g.r.IntN(8), 64)
}

func (g geoGen) lat() string {
	switch n := g.r.IntN(20); {
	case n == 0:
		return g.pick(geoEdgeLats)
	case n < 4:
		return strconv.FormatFloat(10+g.r.Float64()/float64(1+g.r.IntN(1000)), 'f', -1, 64)
	}
	return strconv.FormatFloat(g.r.Float64()*170.1-85.05, 'f', g.r.IntN(8), 64)
}

// size is a radius, width or height: tiny to huge, and now and then
// invalid.
func (g geoGen) size() string {
	switch n := g.r.IntN(30); {
	case n == 0:
		return g.pick([]string{"-1", "x", "inf", "0", "1e-300", "1e308"})
	case n < 10:
		return strconv.Itoa(g.r.IntN(100))
	case n < 20:
		return strconv.Itoa(g.r.IntN(5000))
	}
	return strconv.FormatFloat(g.r.Float64()*float64(g.pick2(10, 1000, 100000, 25000000)), 'f', 3, 64)
}

func (g geoGen) unit() string { return g.pick(geoUnits) }

// options are the options of the searches; store says which store
// options the command takes: 0 none, 1 STORE and STOREDIST with a key,
// 2 STOREDIST alone.
func (g geoGen) options(store int) []string {
	var args []string
	for n := g.r.IntN(4); n > 0; n-- {
		switch g.r.IntN(12) {
		case 0, 1:
			args = append(args, g.pick([]string{"ASC", "DESC", "asc"}))
		case 2, 3:
			args = append(args, "COUNT", g.pick([]string{"1", "2", "3", "5", "10", "50", "0", "-1", "x"}))
			if g.chance(0.4) {
				args = append(args, "ANY")
			}
		case 4:
			if g.chance(0.1) {
				args = append(args, "ANY")
			}
		case 5, 6, 7:
			if store == 0 || g.chance(0.05) {
				args = append(args, g.pick([]string{"WITHDIST", "WITHCOORD", "WITHHASH", "withdist"}))
			}
		default:
			switch {
			case store == 1:
				args = append(args, g.pick([]string{"STORE", "STOREDIST"}), g.key())
			case store == 2:
				args = append(args, "STOREDIST")
			case g.chance(0.05):
				args = append(args, "STORE", g.key())
			}
		}
	}
	return args
}

func (g geoGen) from() []string {
	if g.chance(0.5) {
		return []string{"FROMMEMBER", g.member()}
	}
	return []string{"FROMLONLAT", g.lon(), g.lat()}
}

func (g geoGen) by() []string {
	if g.chance(0.5) {
		return []string{"BYRADIUS", g.size(), g.unit()}
	}
	return []string{"BYBOX", g.size(), g.size(), g.unit()}
}

func (g geoGen) command() []string {
	switch g.r.IntN(23) {
	case 0, 1, 2, 3, 4:
		args := []string{"GEOADD", g.key()}
		if g.chance(0.2) {
			args = append(args, g.pick([]string{"NX", "XX", "CH", "GT"}))
		}
		for n := 1 + g.r.IntN(20); n > 0; n-- {
			args = append(args, g.lon(), g.lat(), g.member())
		}
		return args
	case 5:
		return []string{"SET", "str", "x"}
	case 6:
		args := []string{"GEODIST", g.key(), g.member(), g.member()}
		if g.chance(0.5) {
			args = append(args, g.unit())
		}
		return args
	case 7:
		return []string{g.pick([]string{"GEOPOS", "GEOHASH"}), g.key(), g.member(), g.member(), g.member()}
	case 8, 9:
		name := g.pick([]string{"GEORADIUS", "GEORADIUS_RO"})
		args := []string{name, g.key(), g.lon(), g.lat(), g.size(), g.unit()}
		return append(args, g.options(map[string]int{"GEORADIUS": 1}[name])...)
	case 10, 11:
		name := g.pick([]string{"GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO"})
		args := []string{name, g.key(), g.member(), g.size(), g.unit()}
		return append(args, g.options(map[string]int{"GEORADIUSBYMEMBER": 1}[name])...)
	case 12, 13, 14, 15:
		args := append(append([]string{"GEOSEARCH", g.key()}, g.from()...), g.by()...)
		return append(args, g.options(0)...)
	case 16, 17:
		args := append(append([]string{"GEOSEARCHSTORE", g.key(), g.key()}, g.from()...), g.by()...)
		return append(args, g.options(2)...)
	case 18:
		return []string{"OBJECT", "ENCODING", g.key()}
	case 19, 20:
		// The stored scores, and STOREDIST's distances, to the last bit.
		return []string{"ZRANGE", g.key(), "0", "-1", "WITHSCORES"}
	case 21:
		// A member with a score no GEOADD gives.
		return []string{"ZADD", g.key(), g.pick([]string{"0", "-1", "1.5", "inf", "-inf", "1e19", "4503599627370496",
			strconv.FormatUint(g.r.Uint64N(1<<54), 10)}), g.member()}
	}
	return []string{"DEL", g.key()}
}
