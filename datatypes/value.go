// Package datatypes holds the values a key can have: strings, lists, sets
// and hashes, each with Redis 7.0's compact and large encodings. Values
// know nothing of keys, clocks, locks, the network or the disk.
package datatypes

// Value is what a key maps to.
type Value interface {
	// Type is the name TYPE reports: "string", "list", "set", "hash".
	Type() string
	// Encoding is the name OBJECT ENCODING reports.
	Encoding() string
	// MemoryUsage estimates the bytes the value occupies, for INFO memory,
	// MEMORY USAGE and eviction.
	MemoryUsage() int
	// Clone returns a deep copy, for COPY.
	Clone() Value
}
