package geohash

import "math"

// EarthRadius is the earth's quadratic mean radius for WGS-84, in meters,
// that Redis computes distances with.
const EarthRadius = 6372797.560856

// mercatorMax is the half circumference Redis estimates steps with.
const mercatorMax = 20037726.37

// degToRad is Redis's D_R, M_PI / 180.0 in double precision.
const degToRad = math.Pi / 180.0

func degRad(ang float64) float64 { return ang * degToRad }
func radDeg(ang float64) float64 { return ang / degToRad }

// Shape is a search area: a circle of Radius, or with Box a box of Width
// by Height, centred on Lon, Lat. Sizes are in a unit of Conversion
// meters, and converted where Redis converts them, so that rounding is
// the same.
type Shape struct {
	Lon, Lat              float64
	Box                   bool
	Radius, Width, Height float64
	Conversion            float64
}

// estimateSteps is the step of the cells of a search of range_meters
// around latitude lat.
func estimateSteps(rangeMeters, lat float64) uint8 {
	if rangeMeters == 0 {
		return 26
	}
	step := 1
	for rangeMeters < mercatorMax {
		rangeMeters *= 2
		step++
	}
	step -= 2 // make sure the range is included in most of the base cases
	// Cells get narrower towards the poles.
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint8(min(max(step, 1), 26))
}

// boundingBox returns the longitudes and latitudes that bound the shape:
// min longitude, min latitude, max longitude, max latitude. Meridians
// converge, so the longitudes are taken at the edge nearer the pole.
func (s *Shape) boundingBox() [4]float64 {
	height, width := s.Conversion*s.Radius, s.Conversion*s.Radius
	if s.Box {
		height, width = s.Conversion*(s.Height/2), s.Conversion*(s.Width/2)
	}
	latDelta := radDeg(height / EarthRadius)
	lonDeltaTop := radDeg(width / EarthRadius / cos(degRad(s.Lat+latDelta)))
	lonDeltaBottom := radDeg(width / EarthRadius / cos(degRad(s.Lat-latDelta)))
	lonDelta := lonDeltaTop
	if s.Lat < 0 {
		lonDelta = lonDeltaBottom
	}
	return [4]float64{s.Lon - lonDelta, s.Lat - latDelta, s.Lon + lonDelta, s.Lat + latDelta}
}

// Boxes returns the cells to search for the shape, in Redis's order: the
// centre's, then north, south, east, west, north-east, north-west,
// south-east, south-west. A zero Hash is a cell not to search.
func (s *Shape) Boxes() [9]Hash {
	bounds := s.boundingBox()
	minLon, minLat, maxLon, maxLat := bounds[0], bounds[1], bounds[2], bounds[3]
	radius := s.Radius
	if s.Box {
		radius = math.Sqrt(float64((s.Width/2)*(s.Width/2)) + float64((s.Height/2)*(s.Height/2)))
	}
	radius *= s.Conversion
	steps := estimateSteps(radius, s.Lat)

	lonR, latR := wgs84()
	hash, _ := Encode(lonR, latR, s.Lon, s.Lat, steps)
	n := hash.neighbors()
	area, _ := Decode(lonR, latR, hash)

	// The estimated step may be too large near the edges of the centre's
	// cell, where a neighbour does not reach the end of the area.
	north, _ := Decode(lonR, latR, n.North)
	south, _ := Decode(lonR, latR, n.South)
	east, _ := Decode(lonR, latR, n.East)
	west, _ := Decode(lonR, latR, n.West)
	decrease := north.Lat.Max < maxLat || south.Lat.Min > minLat || east.Lon.Max < maxLon || west.Lon.Min > minLon
	if steps > 1 && decrease {
		steps--
		hash, _ = Encode(lonR, latR, s.Lon, s.Lat, steps)
		n = hash.neighbors()
		area, _ = Decode(lonR, latR, hash)
	}

	// Drop the neighbours outside the area.
	if steps >= 2 {
		if area.Lat.Min < minLat {
			n.South, n.SouthWest, n.SouthEast = Hash{}, Hash{}, Hash{}
		}
		if area.Lat.Max > maxLat {
			n.North, n.NorthEast, n.NorthWest = Hash{}, Hash{}, Hash{}
		}
		if area.Lon.Min < minLon {
			n.West, n.SouthWest, n.NorthWest = Hash{}, Hash{}, Hash{}
		}
		if area.Lon.Max > maxLon {
			n.East, n.SouthEast, n.NorthEast = Hash{}, Hash{}, Hash{}
		}
	}
	return [9]Hash{hash, n.North, n.South, n.East, n.West, n.NorthEast, n.NorthWest, n.SouthEast, n.SouthWest}
}

// ScoreRange returns the scores of the points in cell h: min <= score <
// max.
func (h Hash) ScoreRange() (lo, hi uint64) {
	next := h
	next.Bits++
	return h.Align52(), next.Align52()
}

// Distance is the haversine distance in meters between two points.
func Distance(lon1, lat1, lon2, lat2 float64) float64 {
	lat1r, lon1r := degRad(lat1), degRad(lon1)
	lat2r, lon2r := degRad(lat2), degRad(lon2)
	u := sin((lat2r - lat1r) / 2)
	v := sin((lon2r - lon1r) / 2)
	// float64() rounds each product as C does (no fused multiply-add).
	return 2.0 * EarthRadius * asin(math.Sqrt(float64(u*u)+float64(cos(lat1r)*cos(lat2r)*v*v)))
}

// Contains reports whether the point stored as score is in the shape,
// and returns its position and its distance in meters from the centre.
func (s *Shape) Contains(score float64) (lon, lat, dist float64, ok bool) {
	lon, lat = DecodeScore(score)
	if !s.Box {
		dist = Distance(s.Lon, s.Lat, lon, lat)
		return lon, lat, dist, dist <= s.Radius*s.Conversion
	}
	width, height := s.Width*s.Conversion, s.Height*s.Conversion
	lonDist := Distance(lon, lat, s.Lon, lat)
	latDist := Distance(lon, lat, lon, s.Lat)
	if lonDist > width/2 || latDist > height/2 {
		return lon, lat, 0, false
	}
	return lon, lat, Distance(s.Lon, s.Lat, lon, lat), true
}
