// Package geohash is the geohash of Redis 7.0 (geohash.c and
// geohash_helper.c), ported as it is so that scores, positions, distances
// and search areas equal Redis's to the last bit: longitude and latitude
// interleaved in 52 bits (26 steps each) over the Web Mercator ranges,
// with Redis's earth radius and haversine distance.
//
// A point is stored as a sorted set score, the 52-bit hash as a float64;
// its position is the centre of its cell, which is what GEOPOS returns.
package geohash

import "math"

// The ranges of the coordinates Redis can index (EPSG:900913): the poles
// cannot be geocoded.
const (
	LonMin = -180.0
	LonMax = 180.0
	LatMin = -85.05112878
	LatMax = 85.05112878
)

// StepMax is the precision of a stored point: 26 bits per coordinate.
const StepMax = 26

// Range is an interval of longitudes or latitudes.
type Range struct{ Min, Max float64 }

func (r Range) isZero() bool { return r.Min == 0 && r.Max == 0 }

// Hash is a geohash of Step bits per coordinate, latitude bits in the even
// positions and longitude bits in the odd ones.
type Hash struct {
	Bits uint64
	Step uint8
}

// IsZero reports whether h is the empty hash, which marks a search box
// not to look in.
func (h Hash) IsZero() bool { return h.Bits == 0 && h.Step == 0 }

// Align52 returns the hash as the 52-bit score of its cell's first point.
func (h Hash) Align52() uint64 { return h.Bits << (52 - 2*uint(h.Step)) }

// Area is the cell of a hash.
type Area struct {
	Hash     Hash
	Lon, Lat Range
}

// Neighbors are the eight cells around one, at the same step.
type Neighbors struct {
	North, South, East, West                   Hash
	NorthEast, NorthWest, SouthEast, SouthWest Hash
}

// WGS84 ranges, the ones scores are encoded with.
func wgs84() (lon, lat Range) { return Range{LonMin, LonMax}, Range{LatMin, LatMax} }

// interleave64 puts the bits of x in the even positions and those of y
// in the odd ones.
func interleave64(xlo, ylo uint32) uint64 {
	x, y := uint64(xlo), uint64(ylo)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	y = (y | y<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	y = (y | y<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	y = (y | y<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	y = (y | y<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	y = (y | y<<1) & 0x5555555555555555
	return x | y<<1
}

// deinterleave64 reverses interleave64: the even bits in the low half of
// the result, the odd ones in the high half.
func deinterleave64(v uint64) uint64 {
	x, y := v, v>>1
	x &= 0x5555555555555555
	y &= 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	y = (y | y>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
	y = (y | y>>2) & 0x0F0F0F0F0F0F0F0F
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	y = (y | y>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	y = (y | y>>8) & 0x0000FFFF0000FFFF
	x = (x | x>>16) & 0x00000000FFFFFFFF
	y = (y | y>>16) & 0x00000000FFFFFFFF
	return x | y<<32
}

// Encode hashes a point at step bits per coordinate over the given
// ranges; it reports false for a point outside them or outside what
// Redis can index.
func Encode(lonR, latR Range, lon, lat float64, step uint8) (Hash, bool) {
	if step > 32 || step == 0 || latR.isZero() || lonR.isZero() {
		return Hash{}, false
	}
	if lon > LonMax || lon < LonMin || lat > LatMax || lat < LatMin {
		return Hash{}, false
	}
	if lat < latR.Min || lat > latR.Max || lon < lonR.Min || lon > lonR.Max {
		return Hash{Step: step}, false
	}
	latOff := (lat - latR.Min) / (latR.Max - latR.Min)
	lonOff := (lon - lonR.Min) / (lonR.Max - lonR.Min)
	latOff *= float64(uint64(1) << step)
	lonOff *= float64(uint64(1) << step)
	return Hash{Bits: interleave64(uint32(latOff), uint32(lonOff)), Step: step}, true
}

// EncodeWGS84 hashes a point over the ranges scores use.
func EncodeWGS84(lon, lat float64, step uint8) (Hash, bool) {
	lonR, latR := wgs84()
	return Encode(lonR, latR, lon, lat, step)
}

// Decode returns the cell of h over the given ranges.
func Decode(lonR, latR Range, h Hash) (Area, bool) {
	if h.IsZero() || latR.isZero() || lonR.isZero() {
		return Area{}, false
	}
	sep := deinterleave64(h.Bits)
	latScale := latR.Max - latR.Min
	lonScale := lonR.Max - lonR.Min
	ilato := uint32(sep)
	ilono := uint32(sep >> 32)
	cells := float64(uint64(1) << h.Step)
	// The conversions round each product, as C does: no fused multiply-add.
	return Area{
		Hash: h,
		Lat: Range{
			Min: latR.Min + float64(float64(ilato)/cells*latScale),
			Max: latR.Min + float64(float64(ilato+1)/cells*latScale),
		},
		Lon: Range{
			Min: lonR.Min + float64(float64(ilono)/cells*lonScale),
			Max: lonR.Min + float64(float64(ilono+1)/cells*lonScale),
		},
	}, true
}

// DecodeWGS84 returns the cell of h over the ranges scores use.
func DecodeWGS84(h Hash) (Area, bool) {
	lonR, latR := wgs84()
	return Decode(lonR, latR, h)
}

// Center is the middle of the area, kept within the indexable ranges.
func (a Area) Center() (lon, lat float64) {
	lon = min(max((a.Lon.Min+a.Lon.Max)/2, LonMin), LonMax)
	lat = min(max((a.Lat.Min+a.Lat.Max)/2, LatMin), LatMax)
	return lon, lat
}

// ScoreBits converts a sorted set score to hash bits as Redis's
// (uint64_t) cast does on x86-64: truncation, and for what does not fit
// (negative, huge, infinite) the bits cvttsd2si gives.
func ScoreBits(score float64) uint64 {
	const two63 = 1 << 63
	if score >= two63 {
		return uint64(cvtt(score-two63)) ^ 1<<63
	}
	return uint64(cvtt(score))
}

// cvtt is x86-64's cvttsd2si: truncation, or math.MinInt64 when the
// result does not fit (NaN included).
func cvtt(x float64) int64 {
	if x >= -(1<<63) && x < 1<<63 {
		return int64(x)
	}
	return math.MinInt64
}

// DecodeScore returns the position of a point stored as score: the
// centre of its cell.
func DecodeScore(score float64) (lon, lat float64) {
	// A step of StepMax is never the zero hash, so decoding cannot fail.
	a, _ := DecodeWGS84(Hash{Bits: ScoreBits(score), Step: StepMax})
	return a.Center()
}

// Score is the score a point is stored with (GEOADD); ok is false for
// coordinates out of range.
func Score(lon, lat float64) (uint64, bool) {
	h, ok := EncodeWGS84(lon, lat, StepMax)
	return h.Align52(), ok
}

// String is GEOHASH's representation of a stored point: its position
// encoded again over the standard latitude range, -90 to 90, in 11
// base-32 characters, the last always '0' (52 bits make 10 and a bit).
func String(score float64) string {
	const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"
	lon, lat := DecodeScore(score)
	h, _ := Encode(Range{-180, 180}, Range{-90, 90}, lon, lat, StepMax)
	var buf [11]byte
	for i := range 10 {
		buf[i] = alphabet[(h.Bits>>(52-(i+1)*5))&0x1f]
	}
	buf[10] = alphabet[0]
	return string(buf[:])
}

// Interleaved bits of each axis: longitude (x) has the odd bits,
// latitude (y) the even ones.
const (
	xBits = 0xaaaaaaaaaaaaaaaa
	yBits = 0x5555555555555555
)

// move moves h one cell along the axis of bits (xBits east, yBits north)
// for d > 0, or back, wrapping around, as geohash_move_x and _y do: the
// other axis's bits are set so that the carry crosses them.
func (h *Hash) move(d int, bits uint64) {
	shift := 64 - 2*uint(h.Step)
	a, rest := h.Bits&bits, h.Bits&^bits
	zz := ^bits >> shift
	if d > 0 {
		a += zz + 1
	} else {
		a |= zz
		a -= zz + 1
	}
	h.Bits = a&(bits>>shift) | rest
}

// neighbors returns the eight cells around h.
func (h Hash) neighbors() Neighbors {
	at := func(dx, dy int) Hash {
		n := h
		if dx != 0 {
			n.move(dx, xBits)
		}
		if dy != 0 {
			n.move(dy, yBits)
		}
		return n
	}
	return Neighbors{
		North: at(0, 1), South: at(0, -1), East: at(1, 0), West: at(-1, 0),
		NorthEast: at(1, 1), NorthWest: at(-1, 1), SouthEast: at(1, -1), SouthWest: at(-1, -1),
	}
}
