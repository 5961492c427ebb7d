package datatypes

// Limits are the encoding thresholds of lists, sets, hashes and sorted
// sets, named after the Redis options they come from. The caller builds
// them from its configuration and passes them to every operation that may
// convert a value, so a CONFIG SET takes effect on the next command, as in
// Redis.
//
// Redis 7.0 has no listpack sets (they came in 7.2), so there are no
// set-max-listpack-* limits: a 7.0 set is "intset" or "hashtable".
type Limits struct {
	// ListMaxListpackSize bounds a list node: a positive value is a number
	// of entries (and a node never passes 8 KiB unless it holds a single
	// entry), -1..-5 mean 4, 8, 16, 32 or 64 KiB per node. A list keeps
	// the value it was created with.
	ListMaxListpackSize int
	// SetMaxIntsetEntries is the largest set kept as an intset.
	SetMaxIntsetEntries int
	// HashMaxListpackEntries is the largest field count kept as a listpack.
	HashMaxListpackEntries int
	// HashMaxListpackValue is the longest field or value, in bytes, kept
	// in a listpack.
	HashMaxListpackValue int
	// ZSetMaxListpackEntries is the largest member count of a sorted set
	// kept as a listpack.
	ZSetMaxListpackEntries int
	// ZSetMaxListpackValue is the longest member, in bytes, of a sorted
	// set kept as a listpack.
	ZSetMaxListpackValue int
}

// DefaultLimits are redis-server 7.0's built-in defaults (what CONFIG GET
// reports when no redis.conf sets them; the sample redis.conf says 128
// hash entries, the code's default is 512).
func DefaultLimits() Limits {
	return Limits{
		ListMaxListpackSize:    -2,
		SetMaxIntsetEntries:    512,
		HashMaxListpackEntries: 512,
		HashMaxListpackValue:   64,
		ZSetMaxListpackEntries: 128,
		ZSetMaxListpackValue:   64,
	}
}
