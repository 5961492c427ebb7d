package commands

import (
	"github.com/cairn-db/cairn/datatypes"
)

func zsetCommands() []*Command {
	return []*Command{}
}

// lookupZSet returns the sorted set at key for a read command; ok is false
// and WRONGTYPE has been written if the key holds another type.
func lookupZSet(c *Ctx, key []byte) (z *datatypes.ZSet, found, ok bool) {
	v, found := c.DB.Lookup(key)
	return asType[*datatypes.ZSet](c, v, found)
}

// lookupZSetWrite is lookupZSet for a command about to change the key.
func lookupZSetWrite(c *Ctx, key []byte) (z *datatypes.ZSet, found, ok bool) {
	v, found := c.DB.LookupWrite(key)
	return asType[*datatypes.ZSet](c, v, found)
}
