package commands

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/geohash"
	"github.com/cairn-db/cairn/pqsort"
	"github.com/cairn-db/cairn/resp"
)

// The geo commands (geo.c): points are members of a sorted set whose
// scores are their 52-bit geohashes (package geohash).

func geoCommands() []*Command {
	const (
		units    = "<unit: M | KM | FT | MI>"
		count    = "[count: <COUNT count> [ANY]]"
		order    = "[order: ASC | DESC]"
		with     = "[WITHCOORD] [WITHDIST] [WITHHASH]"
		from     = "<from: FROMMEMBER member | FROMLONLAT longitude latitude>"
		by       = "<by: <circle: <BYRADIUS radius> " + units + "> | <box: <BYBOX width> height " + units + ">>"
		store    = "[STORE key] [STOREDIST key]"
		radiusOf = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."
		searchOf = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape"
	)
	search := func(form geoForm, noStore bool) func(*Ctx) {
		return func(c *Ctx) { geoSearchCommand(c, form, noStore) }
	}
	return []*Command{
		{Name: "geoadd", Arity: -5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			KeyFlags: KeyRW | KeyUpdate, Group: "geo", Since: "3.2.0",
			Complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
			Summary:    "Add one or more geospatial items in the geospatial index represented using a sorted set",
			Syntax:     "key [condition: NX | XX] [change: CH] longitude latitude member [longitude latitude member ...]",
			Run:        geoaddCommand},
		{Name: "geodist", Arity: -4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "geo", Since: "3.2.0", Complexity: "O(log(N))",
			Summary: "Returns the distance between two members of a geospatial index",
			Syntax:  "key member1 member2 [unit: M | KM | FT | MI]", Run: geodistCommand},
		{Name: "geohash", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "geo", Since: "3.2.0",
			Complexity: "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
			Summary:    "Returns members of a geospatial index as standard geohash strings",
			Syntax:     "key member [member ...]", Run: geohashCommand},
		{Name: "geopos", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "geo", Since: "3.2.0", Complexity: "O(N) where N is the number of members requested.",
			Summary: "Returns longitude and latitude of members of a geospatial index",
			Syntax:  "key member [member ...]", Run: geoposCommand},
		{Name: "georadius", Arity: -6, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRO | KeyAccess, Index: 1},
				{Flags: KeyOW | KeyUpdate, Keyword: "STORE", StartFrom: 6},
				{Flags: KeyOW | KeyUpdate, Keyword: "STOREDIST", StartFrom: 6},
			},
			Keys: geoStoreKeys(6), Group: "geo", Since: "3.2.0", Complexity: radiusOf,
			Summary:         "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point",
			DeprecatedSince: "6.2.0", ReplacedBy: "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument",
			Syntax: "key longitude latitude radius " + units + " " + with + " " + count + " " + order + " " + store,
			Run:    search(geoRadius, false)},
		{Name: "georadius_ro", Arity: -6, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "geo", Since: "3.2.10", Complexity: radiusOf, Summary: "A read-only variant for GEORADIUS",
			DeprecatedSince: "6.2.0", ReplacedBy: "`GEOSEARCH` with the `BYRADIUS` argument",
			Syntax: "key longitude latitude radius " + units + " " + with + " " + count + " " + order,
			Run:    search(geoRadius, true)},
		{Name: "georadiusbymember", Arity: -5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyRO | KeyAccess, Index: 1},
				{Flags: KeyOW | KeyUpdate, Keyword: "STORE", StartFrom: 5},
				{Flags: KeyOW | KeyUpdate, Keyword: "STOREDIST", StartFrom: 5},
			},
			Keys: geoStoreKeys(5), Group: "geo", Since: "3.2.0", Complexity: radiusOf,
			Summary:         "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member",
			DeprecatedSince: "6.2.0", ReplacedBy: "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments",
			Syntax: "key member radius " + units + " " + with + " " + count + " " + order + " " + store,
			Run:    search(geoRadiusByMember, false)},
		{Name: "georadiusbymember_ro", Arity: -5, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "geo", Since: "3.2.10", Complexity: radiusOf, Summary: "A read-only variant for GEORADIUSBYMEMBER",
			DeprecatedSince: "6.2.0", ReplacedBy: "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments",
			Syntax: "key member radius " + units + " " + with + " " + count + " " + order,
			Run:    search(geoRadiusByMember, true)},
		{Name: "geosearch", Arity: -7, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "geo", Since: "6.2.0", Complexity: searchOf,
			Summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.",
			Syntax:  "key " + from + " " + by + " " + order + " " + count + " " + with,
			Run:     search(geoSearch, true)},
		{Name: "geosearchstore", Arity: -8, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1,
			KeySpecs: []KeySpec{
				{Flags: KeyOW | KeyUpdate, Index: 1},
				{Flags: KeyRO | KeyAccess, Index: 2},
			},
			Group: "geo", Since: "6.2.0", Complexity: searchOf,
			Summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.",
			Syntax:  "destination source " + from + " " + by + " " + order + " " + count + " [STOREDIST]",
			Run:     search(geoSearchStore, false)},
	}
}

// geoStoreKeys finds the keys of GEORADIUS and GEORADIUSBYMEMBER as
// Redis's key specs do: the source, and the argument after the first
// STORE and after the first STOREDIST searched from position from (a
// keyword in last position names no key).
func geoStoreKeys(from int) func(args [][]byte) []int {
	return func(args [][]byte) []int {
		pos := []int{1}
		for _, kw := range []string{"store", "storedist"} {
			for i := from; i < len(args)-1; i++ {
				if tokenIs(args[i], kw) {
					pos = append(pos, i+1)
					break
				}
			}
		}
		return pos
	}
}

// geoLonLat parses the longitude and latitude at c.Args[i:i+2].
func geoLonLat(c *Ctx, i int) (lon, lat float64, ok bool) {
	if lon, ok = resp.ParseDouble(c.Args[i]); ok {
		lat, ok = resp.ParseDouble(c.Args[i+1])
	}
	if !ok {
		c.W.Error(resp.ErrNotFloat)
		return 0, 0, false
	}
	if lon < geohash.LonMin || lon > geohash.LonMax || lat < geohash.LatMin || lat > geohash.LatMax {
		c.W.Error(resp.ErrGeoLonLat(lon, lat))
		return 0, 0, false
	}
	return lon, lat, true
}

// geoUnit parses a unit and returns its length in meters.
func geoUnit(c *Ctx, arg []byte) (float64, bool) {
	switch {
	case tokenIs(arg, "m"):
		return 1, true
	case tokenIs(arg, "km"):
		return 1000, true
	case tokenIs(arg, "ft"):
		return 0.3048, true
	case tokenIs(arg, "mi"):
		return 1609.34, true
	}
	c.W.Error(resp.ErrGeoUnit)
	return 0, false
}

// geoRadiusArg parses a radius and its unit at c.Args[i:i+2] into s.
func geoRadiusArg(c *Ctx, i int, s *geohash.Shape) bool {
	r, ok := resp.ParseDouble(c.Args[i])
	switch {
	case !ok:
		c.W.Error(resp.ErrGeoRadiusNumeric)
		return false
	case r < 0:
		c.W.Error(resp.ErrGeoRadiusNegative)
		return false
	}
	conv, ok := geoUnit(c, c.Args[i+1])
	if ok {
		s.Box, s.Radius, s.Conversion = false, r, conv
	}
	return ok
}

// geoBoxArg parses a width, a height and their unit at c.Args[i:i+3]
// into s.
func geoBoxArg(c *Ctx, i int, s *geohash.Shape) bool {
	w, ok := resp.ParseDouble(c.Args[i])
	if !ok {
		c.W.Error(resp.ErrGeoWidthNumeric)
		return false
	}
	h, ok := resp.ParseDouble(c.Args[i+1])
	switch {
	case !ok:
		c.W.Error(resp.ErrGeoHeightNumeric)
		return false
	case h < 0 || w < 0:
		c.W.Error(resp.ErrGeoBoxNegative)
		return false
	}
	conv, ok := geoUnit(c, c.Args[i+2])
	if ok {
		s.Box, s.Width, s.Height, s.Conversion = true, w, h, conv
	}
	return ok
}

func geoaddCommand(c *Ctx) {
	var flags datatypes.ZAddFlags
	ch := false
	i := 2
options:
	for ; i < len(c.Args); i++ {
		switch arg := c.Args[i]; {
		case tokenIs(arg, "nx"):
			flags |= datatypes.ZAddNX
		case tokenIs(arg, "xx"):
			flags |= datatypes.ZAddXX
		case tokenIs(arg, "ch"):
			ch = true
		default:
			break options
		}
	}
	if (len(c.Args)-i)%3 != 0 || flags == datatypes.ZAddNX|datatypes.ZAddXX {
		c.W.Error(resp.ErrSyntax)
		return
	}
	scores := make([]float64, (len(c.Args)-i)/3)
	for e := range scores {
		lon, lat, ok := geoLonLat(c, i+3*e)
		if !ok {
			return
		}
		score, _ := geohash.Score(lon, lat)
		// As the decimal integer Redis hands to ZADD reads back.
		scores[e] = float64(score)
	}
	if len(scores) == 0 {
		c.W.Error(resp.ErrSyntax)
		return
	}
	zaddTo(c, flags, ch, scores, func(e int) []byte { return c.Args[i+3*e+2] })
}

func geodistCommand(c *Ctx) {
	conv := 1.0
	switch {
	case len(c.Args) == 5:
		var ok bool
		if conv, ok = geoUnit(c, c.Args[4]); !ok {
			return
		}
	case len(c.Args) > 5:
		c.W.Error(resp.ErrSyntax)
		return
	}
	z, found, ok := lookupZSet(c, c.Args[1])
	if !ok {
		return
	}
	if !found {
		c.W.Null()
		return
	}
	s1, ok1 := z.Score(c.Args[2])
	s2, ok2 := z.Score(c.Args[3])
	if !ok1 || !ok2 {
		c.W.Null()
		return
	}
	lon1, lat1 := geohash.DecodeScore(s1)
	lon2, lat2 := geohash.DecodeScore(s2)
	writeGeoDistance(c, geohash.Distance(lon1, lat1, lon2, lat2)/conv)
}

// writeGeoDistance replies with a distance as Redis does: a bulk string
// with four decimals, whatever the protocol.
func writeGeoDistance(c *Ctx, d float64) {
	var buf [32]byte
	c.W.Bulk(strconv.AppendFloat(buf[:0], d, 'f', 4, 64))
}

func geohashCommand(c *Ctx) {
	z, found, ok := lookupZSet(c, c.Args[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if score, has := geoScore(z, found, m); has {
			c.W.BulkString(geohash.String(score))
		} else {
			c.W.Null()
		}
	}
}

// geoScore is the score of member in z, if z was found and has it.
func geoScore(z *datatypes.ZSet, found bool, member []byte) (float64, bool) {
	if !found {
		return 0, false
	}
	return z.Score(member)
}

func geoposCommand(c *Ctx) {
	z, found, ok := lookupZSet(c, c.Args[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		score, has := geoScore(z, found, m)
		if !has {
			c.W.NullArray()
			continue
		}
		lon, lat := geohash.DecodeScore(score)
		c.W.Array(2)
		c.W.HumanDouble(lon)
		c.W.HumanDouble(lat)
	}
}

// geoForm is one of the argument forms of Redis's georadiusGeneric.
type geoForm uint8

const (
	geoRadius         geoForm = iota // key longitude latitude radius unit ...
	geoRadiusByMember                // key member radius unit ...
	geoSearch                        // key FROMMEMBER|FROMLONLAT BYRADIUS|BYBOX ...
	geoSearchStore                   // destination source, then as geoSearch
)

// geoSort is the order asked for the results.
type geoSort uint8

const (
	geoUnsorted geoSort = iota
	geoAsc
	geoDesc
)

// geoQuery is a parsed search.
type geoQuery struct {
	form                          geoForm
	shape                         geohash.Shape
	withDist, withHash, withCoord bool
	sort                          geoSort
	// count is COUNT's argument, 0 for all results; with any the search
	// stops at count results found instead of the count nearest.
	count int64
	any   bool
	// store is the destination key, nil for a reply; storeDist stores
	// the distances instead of the geohashes.
	store     []byte
	storeDist bool
}

// geoPoint is a search result.
type geoPoint struct {
	member                []byte
	lon, lat, dist, score float64
}

// parse reads the arguments from position base on as Redis does, in
// order: errors are reported in the order of the arguments, a FROMMEMBER
// looked up when it is read. z is the source, nil if missing.
func (q *geoQuery) parse(c *Ctx, z *datatypes.ZSet, noStore bool) bool {
	var base int
	switch q.form {
	case geoRadius:
		base = 6
		var ok bool
		if q.shape.Lon, q.shape.Lat, ok = geoLonLat(c, 2); !ok || !geoRadiusArg(c, 4, &q.shape) {
			return false
		}
	case geoRadiusByMember:
		// A missing source answers empty whatever the radius.
		base = 5
		if z != nil && (!q.fromMember(c, z, c.Args[2]) || !geoRadiusArg(c, 3, &q.shape)) {
			return false
		}
	case geoSearch:
		base = 2
	case geoSearchStore:
		base = 3
		q.store = c.Args[1]
	}
	search := q.form == geoSearch || q.form == geoSearchStore
	var fromMember, fromLonLat, byRadius, byBox bool
	for i := base; i < len(c.Args); i++ {
		arg, left := c.Args[i], len(c.Args)-1-i
		switch {
		case tokenIs(arg, "withdist"):
			q.withDist = true
		case tokenIs(arg, "withhash"):
			q.withHash = true
		case tokenIs(arg, "withcoord"):
			q.withCoord = true
		case tokenIs(arg, "any"):
			q.any = true
		case tokenIs(arg, "asc"):
			q.sort = geoAsc
		case tokenIs(arg, "desc"):
			q.sort = geoDesc
		case tokenIs(arg, "count") && left >= 1:
			n, ok := c.Int(i + 1)
			if !ok {
				return false
			}
			if n <= 0 {
				c.W.Error(resp.ErrGeoCount)
				return false
			}
			q.count = n
			i++
		case (tokenIs(arg, "store") || tokenIs(arg, "storedist")) && left >= 1 && !noStore && !search:
			q.store, q.storeDist = c.Args[i+1], tokenIs(arg, "storedist")
			i++
		case tokenIs(arg, "storedist") && q.form == geoSearchStore:
			q.storeDist = true
		case tokenIs(arg, "frommember") && left >= 1 && search && !fromLonLat:
			if z != nil && !q.fromMember(c, z, c.Args[i+1]) {
				return false
			}
			fromMember = true
			i++
		case tokenIs(arg, "fromlonlat") && left >= 2 && search && !fromMember:
			var ok bool
			if q.shape.Lon, q.shape.Lat, ok = geoLonLat(c, i+1); !ok {
				return false
			}
			fromLonLat = true
			i += 2
		case tokenIs(arg, "byradius") && left >= 2 && search && !byBox:
			if !geoRadiusArg(c, i+1, &q.shape) {
				return false
			}
			byRadius = true
			i += 2
		case tokenIs(arg, "bybox") && left >= 3 && search && !byRadius:
			if !geoBoxArg(c, i+1, &q.shape) {
				return false
			}
			byBox = true
			i += 3
		default:
			c.W.Error(resp.ErrSyntax)
			return false
		}
	}
	switch {
	case q.store != nil && (q.withDist || q.withHash || q.withCoord):
		if q.form == geoSearchStore {
			c.W.Error(resp.ErrGeoSearchStore)
		} else {
			c.W.Error(resp.ErrGeoRadiusStore)
		}
	case search && !fromMember && !fromLonLat:
		c.W.Error(resp.ErrGeoFrom(c.Args[0]))
	case search && !byRadius && !byBox:
		c.W.Error(resp.ErrGeoBy(c.Args[0]))
	case q.any && q.count == 0:
		c.W.Error(resp.ErrGeoAnyCount)
	default:
		return true
	}
	return false
}

// fromMember centres the search on member of z.
func (q *geoQuery) fromMember(c *Ctx, z *datatypes.ZSet, member []byte) bool {
	score, ok := z.Score(member)
	if !ok {
		c.W.Error(resp.ErrGeoMember)
		return false
	}
	q.shape.Lon, q.shape.Lat = geohash.DecodeScore(score)
	return true
}

// geoSearchCommand is GEORADIUS, GEORADIUSBYMEMBER, their _RO forms,
// GEOSEARCH and GEOSEARCHSTORE (Redis's georadiusGeneric).
func geoSearchCommand(c *Ctx, form geoForm, noStore bool) {
	src := c.Args[1]
	if form == geoSearchStore {
		src = c.Args[2]
	}
	z, found, ok := lookupZSet(c, src)
	if !ok {
		return
	}
	q := geoQuery{form: form}
	if !q.parse(c, z, noStore) {
		return
	}
	if !found {
		if q.store != nil {
			geoStoreEmpty(c, q.store)
		} else {
			c.W.Array(0)
		}
		return
	}
	// The nearest count need sorting; ANY takes the first found.
	if q.count != 0 && q.sort == geoUnsorted && !q.any {
		q.sort = geoAsc
	}
	var limit int64
	if q.any {
		limit = q.count
	}
	pts := geoPointsIn(z, &q.shape, limit)
	if len(pts) == 0 && q.store == nil {
		c.W.Array(0)
		return
	}
	n := len(pts)
	if q.count != 0 && q.count < int64(n) {
		n = int(q.count)
	}
	q.sortPoints(pts, n)
	for i := range pts[:n] {
		pts[i].dist /= q.shape.Conversion
	}
	if q.store != nil {
		geoStore(c, &q, pts[:n])
		return
	}
	q.reply(c, pts[:n])
}

// geoPointsIn returns the members of z in the shape, searching the
// shape's cells in Redis's order, each in score order, and stopping once
// limit are found if limit is not 0.
func geoPointsIn(z *datatypes.ZSet, s *geohash.Shape, limit int64) []geoPoint {
	var pts []geoPoint
	full := func() bool { return limit > 0 && int64(len(pts)) >= limit }
	boxes := s.Boxes()
	last := 0
	for i, box := range boxes {
		if box.IsZero() {
			continue
		}
		// Huge radii make neighbours equal: skip a cell that is the one
		// searched last. As in Redis, the centre's cell (index 0) is not
		// compared with.
		if last != 0 && box == boxes[last] {
			continue
		}
		if full() {
			break
		}
		lo, hi := box.ScoreRange()
		r := datatypes.ScoreRange{Min: float64(lo), Max: float64(hi), MaxEx: true}
		z.RangeByScore(r, false, 0, -1, func(m []byte, score float64) bool {
			if lon, lat, dist, in := s.Contains(score); in {
				pts = append(pts, geoPoint{member: slices.Clone(m), lon: lon, lat: lat, dist: dist, score: score})
			}
			return !full()
		})
		last = i
	}
	return pts
}

// sortPoints orders the first n points as Redis does: glibc's qsort, a
// stable merge sort, for all of them, pqsort for a part.
func (q *geoQuery) sortPoints(pts []geoPoint, n int) {
	if q.sort == geoUnsorted {
		return
	}
	byDist := func(a, b *geoPoint) int {
		if q.sort == geoDesc {
			return cmp.Compare(b.dist, a.dist)
		}
		return cmp.Compare(a.dist, b.dist)
	}
	if n == len(pts) {
		slices.SortStableFunc(pts, func(a, b geoPoint) int { return byDist(&a, &b) })
		return
	}
	pqsort.Sort(pts, 0, n-1, byDist)
}

func (q *geoQuery) reply(c *Ctx, pts []geoPoint) {
	opts := 0
	for _, on := range []bool{q.withDist, q.withHash, q.withCoord} {
		if on {
			opts++
		}
	}
	c.W.Array(len(pts))
	for _, p := range pts {
		if opts > 0 {
			c.W.Array(opts + 1)
		}
		c.W.Bulk(p.member)
		if q.withDist {
			writeGeoDistance(c, p.dist)
		}
		if q.withHash {
			c.W.Int(int64(p.score))
		}
		if q.withCoord {
			c.W.Array(2)
			c.W.HumanDouble(p.lon)
			c.W.HumanDouble(p.lat)
		}
	}
}

// geoStoreEmpty deletes the destination of a search that found nothing.
func geoStoreEmpty(c *Ctx, dst []byte) {
	if c.DB.Delete(dst) {
		c.Emit([]byte("DEL"), dst)
	}
	c.W.Int(0)
}

// geoStore stores the results in q.store, with their geohashes or with
// STOREDIST their distances as scores, and records the search as a
// GEOSEARCHSTORE: replayed on the same source it stores the same set,
// and it names the destination first, the one key it writes.
func geoStore(c *Ctx, q *geoQuery, pts []geoPoint) {
	if len(pts) == 0 {
		geoStoreEmpty(c, q.store)
		return
	}
	maxLen := 0
	for _, p := range pts {
		maxLen = max(maxLen, len(p.member))
	}
	// Redis fills a skiplist and converts it to a listpack if it fits.
	lim := c.Limits()
	z := datatypes.NewZSetSized(lim, len(pts), maxLen)
	for _, p := range pts {
		score := p.score
		if q.storeDist {
			score = p.dist
		}
		z.Add(lim, p.member, score, 0)
	}
	c.DB.Set(q.store, z)
	if q.form == geoSearchStore {
		c.Propagate()
	} else {
		c.Emit(q.searchStoreEffect(c)...)
	}
	c.W.Int(int64(len(pts)))
}

// searchStoreEffect is GEORADIUS's or GEORADIUSBYMEMBER's STORE as the
// GEOSEARCHSTORE that stores the same results.
func (q *geoQuery) searchStoreEffect(c *Ctx) [][]byte {
	args := [][]byte{[]byte("GEOSEARCHSTORE"), q.store, c.Args[1]}
	radius := 4
	if q.form == geoRadius {
		args = append(args, []byte("FROMLONLAT"), c.Args[2], c.Args[3])
	} else {
		args = append(args, []byte("FROMMEMBER"), c.Args[2])
		radius = 3
	}
	args = append(args, []byte("BYRADIUS"), c.Args[radius], c.Args[radius+1])
	switch q.sort {
	case geoAsc:
		args = append(args, []byte("ASC"))
	case geoDesc:
		args = append(args, []byte("DESC"))
	}
	if q.count != 0 {
		args = append(args, []byte("COUNT"), strconv.AppendInt(nil, q.count, 10))
		if q.any {
			args = append(args, []byte("ANY"))
		}
	}
	if q.storeDist {
		args = append(args, []byte("STOREDIST"))
	}
	return args
}
