package geohash

import (
	"strconv"
	"strings"
	"testing"
)

// human formats a coordinate as GEOPOS does (%.17Lf without trailing
// zeros).
func human(f float64) string {
	s := strconv.FormatFloat(f, 'f', 17, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// points are GEOADD's arguments with what redis-server 7.0 answers for
// them: ZSCORE, GEOPOS and GEOHASH.
var points = []struct {
	lon, lat       float64
	score          uint64
	posLon, posLat string
	hash           string
}{
	{0, 0, 3377699720527872, "0.00000268220901489", "0.00000126736058093", "s0000000000"},
	{180, 85.05112878, 13510798882111488, "180", "85.0511287799999991", "bp05b5048p0"},
	{-180, -85.05112878, 0, "-179.99999731779098511", "-85.05112751263942528", "00bh0hbj200"},
	{13.361389, 38.115556, 3479099956230698, "13.36138933897018433", "38.11555639549629859", "sqc8b49rny0"},
	{-122.27652, 37.805186, 1367952638197536, "-122.27652043104171753", "37.80518485897756165", "9q9p1d0znt0"},
	{179.9999999, 0.0000001, 4128299658422954, "179.99999731779098511", "0.00000126736058093", "xbpbpbpbpb0"},
	{-0.0000001, -0.0000001, 1125899906842623, "-0.00000268220901489", "-0.00000126736058093", "7zzzzzzzzz0"},
	{2.2944813, 48.8583701, 3663832614286749, "2.29448229074478149", "48.85837130043967136", "u09tunqu9k0"},
	{-73.9856644, 40.7484405, 1791875672649877, "-73.98566454648971558", "40.74843970117296976", "dr5ru6j2c50"},
	{151.2152967, -33.8567844, 3252046274729721, "151.21529728174209595", "-33.85678380632514006", "r3gx2ux9gy0"},
	// Longitude 180 sets a 54th bit; its cell's centre is clamped to 180.
	{-180, 0, 1125899906842624, "-179.99999731779098511", "0.00000126736058093", "80000000000"},
	{180, 0, 10133099161583616, "180", "0.00000126736058093", "80000000000"},
}

func TestScorePositionString(t *testing.T) {
	for _, p := range points {
		score, ok := Score(p.lon, p.lat)
		if !ok || score != p.score {
			t.Errorf("Score(%v, %v) = %d, %v; want %d", p.lon, p.lat, score, ok, p.score)
		}
		lon, lat := DecodeScore(float64(p.score))
		if human(lon) != p.posLon || human(lat) != p.posLat {
			t.Errorf("DecodeScore(%d) = %s, %s; want %s, %s", p.score, human(lon), human(lat), p.posLon, p.posLat)
		}
		if s := String(float64(p.score)); s != p.hash {
			t.Errorf("String(%d) = %s, want %s", p.score, s, p.hash)
		}
	}
}

func TestScoreOutOfRange(t *testing.T) {
	for _, p := range [][2]float64{{180.0000001, 0}, {-180.0000001, 0}, {0, 85.05112879}, {0, -85.05112879}, {0, 90}} {
		if _, ok := Score(p[0], p[1]); ok {
			t.Errorf("Score(%v, %v) accepted", p[0], p[1])
		}
	}
}

// TestDistance compares the distances between points with GEODIST's in
// meters.
func TestDistance(t *testing.T) {
	tests := []struct {
		a, b int
		want string
	}{
		{0, 3, "4454733.0204"}, {1, 4, "5525430.6107"}, {2, 5, "9459922.3650"}, {3, 6, "4454733.4594"},
		{4, 7, "8943278.6288"}, {5, 8, "11352176.0905"}, {6, 9, "15205079.2975"}, {7, 10, "14581935.6528"},
		{8, 11, "11352175.8683"}, {9, 0, "15205079.1786"}, {10, 1, "9459922.2241"}, {11, 2, "9459922.3650"},
	}
	for _, tt := range tests {
		lon1, lat1 := DecodeScore(float64(points[tt.a].score))
		lon2, lat2 := DecodeScore(float64(points[tt.b].score))
		if got := strconv.FormatFloat(Distance(lon1, lat1, lon2, lat2), 'f', 4, 64); got != tt.want {
			t.Errorf("distance %d-%d = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestScoreBits(t *testing.T) {
	tests := []struct {
		score float64
		want  uint64
	}{
		{0, 0}, {1.9, 1}, {-0.5, 0}, {-1.5, 1<<64 - 1}, {1 << 63, 1 << 63}, {1 << 64, 0},
		{-(1 << 64), 1 << 63}, {1e300, 0},
	}
	for _, tt := range tests {
		if got := ScoreBits(tt.score); got != tt.want {
			t.Errorf("ScoreBits(%v) = %#x, want %#x", tt.score, got, tt.want)
		}
	}
}
