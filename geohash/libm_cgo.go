//go:build cgo

package geohash

// #cgo LDFLAGS: -lm
// #include <math.h>
import "C"

// Redis computes distances with the C library's sin, cos and asin. Go's
// math package differs from glibc's in the last bit for a good share of
// arguments, which shows in STOREDIST's scores; the C library's own
// functions give the same bits as redis-server on the same machine.

func sin(x float64) float64  { return float64(C.sin(C.double(x))) }
func cos(x float64) float64  { return float64(C.cos(C.double(x))) }
func asin(x float64) float64 { return float64(C.asin(C.double(x))) }
