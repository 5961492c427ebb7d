// Package acl holds Redis's access control lists: users, their passwords
// and the selectors that say which commands, keys and channels they may
// use; the rules that build them (ACL SETUSER's language), their
// description (ACL LIST), the permission check and the ACL log. It knows
// commands only by name and category (Catalog), not how they run.
package acl

import "strings"

// Category is a set of Redis ACL categories.
type Category uint32

// Categories in the order Redis lists them (ACL CAT, COMMAND INFO).
const (
	Keyspace Category = 1 << iota
	Read
	Write
	Set
	SortedSet
	List
	Hash
	String
	Bitmap
	HyperLogLog
	Geo
	Stream
	PubSub
	Admin
	Fast
	Slow
	Blocking
	Dangerous
	Connection
	Transaction
	Scripting
)

var categoryNames = [...]string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
	"hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
	"connection", "transaction", "scripting",
}

// CategoryNames lists every category's name, in Redis's order.
func CategoryNames() []string { return categoryNames[:] }

// Names returns the categories in c as COMMAND INFO writes them ("@read").
func (c Category) Names() []string {
	var out []string
	for i, n := range categoryNames {
		if c&(1<<i) != 0 {
			out = append(out, "@"+n)
		}
	}
	return out
}

// CategoryByName finds a category by its name without "@", in any case.
func CategoryByName(name string) (Category, bool) {
	for i, n := range categoryNames {
		if strings.EqualFold(n, name) {
			return 1 << i, true
		}
	}
	return 0, false
}
