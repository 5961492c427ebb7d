//go:build !race

package commands

const hllRaceEnabled = false
