//go:build race

package commands

// hllRaceEnabled is set under the race detector, which makes PFSELFTEST's
// ten million additions take tens of seconds and finds nothing in them.
const hllRaceEnabled = true
