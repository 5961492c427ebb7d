//go:build race

package hll

// raceEnabled is set under the race detector, which makes the ten million
// additions of SelfTest take tens of seconds and finds nothing in them: it
// is single-threaded.
const raceEnabled = true
