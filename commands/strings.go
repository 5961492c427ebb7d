package commands

import (
	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/resp"
)

func stringCommands() []*Command {
	return []*Command{
		{Name: "get", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Get the value of a key", Syntax: "key", Run: get},
		{Name: "set", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "string", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Set the string value of a key",
			Syntax: "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]",
			Run:    set},
	}
}

// lookupString returns the string at key for reading; ok is false and an
// error has been written if the key holds another type.
func lookupString(c *Ctx, key []byte) (s *datatypes.String, found, ok bool) {
	v, found := c.DB.Lookup(key)
	if !found {
		return nil, false, true
	}
	s, isString := v.(*datatypes.String)
	if !isString {
		c.W.Error(resp.ErrWrongType)
		return nil, true, false
	}
	return s, true, true
}

func get(c *Ctx) {
	s, found, ok := lookupString(c, c.Args[1])
	switch {
	case !ok:
	case !found:
		c.W.Null()
	default:
		c.W.Bulk(s.Bytes())
	}
}

func set(c *Ctx) {
	c.DB.Set(c.Args[1], datatypes.NewString(c.Args[2]))
	c.Propagate()
	c.W.OK()
}
