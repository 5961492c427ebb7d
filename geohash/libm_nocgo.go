//go:build !cgo

package geohash

import "math"

// Without cgo, Go's math package: distances may differ from Redis's in
// the last bit (see libm_cgo.go).

func sin(x float64) float64  { return math.Sin(x) }
func cos(x float64) float64  { return math.Cos(x) }
func asin(x float64) float64 { return math.Asin(x) }
