package commands

import (
	"bytes"
	"math"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/resp"
)

// Ctx is what a handler sees: its arguments, its client, the selected
// database and the reply writer. It is valid only during Run.
type Ctx struct {
	*Engine
	Args   [][]byte
	Client *Client
	DB     *keyspace.DB
	W      *resp.Writer
	Cmd    *Command
}

// Propagate records the command as it was given as the effect of this
// call; handlers call it when they changed something and their arguments
// replay deterministically as they are.
func (c *Ctx) Propagate() {
	c.KS.Emit(c.DB.Index(), c.Args...)
}

// Emit records a rewritten effect in the selected database.
func (c *Ctx) Emit(args ...[]byte) {
	c.KS.Emit(c.DB.Index(), args...)
}

// Int parses argument i as an integer, replying with Redis's error if it
// is not one.
func (c *Ctx) Int(i int) (int64, bool) {
	n, ok := resp.ParseInt(c.Args[i])
	if !ok {
		c.W.Error(resp.ErrNotInteger)
	}
	return n, ok
}

// Limits returns the encoding thresholds of lists, sets and hashes from
// the current configuration, so that a CONFIG SET applies to the next
// command as in Redis.
func (e *Engine) Limits() datatypes.Limits {
	cfg := e.Config.Load()
	return datatypes.Limits{
		ListMaxListpackSize:    cfg.ListMaxListpackSize,
		SetMaxIntsetEntries:    cfg.SetMaxIntsetEntries,
		HashMaxListpackEntries: cfg.HashMaxListpackEntries,
		HashMaxListpackValue:   int(min(cfg.HashMaxListpackValue, math.MaxInt)),
		ZSetMaxListpackEntries: cfg.ZSetMaxListpackEntries,
		ZSetMaxListpackValue:   int(min(cfg.ZSetMaxListpackValue, math.MaxInt)),
	}
}

// Help writes a HELP reply: an array of status lines.
func (c *Ctx) Help(lines ...string) {
	c.W.Array(len(lines))
	for _, line := range lines {
		c.W.Status(line)
	}
}

// tokenIs reports whether arg is the lower-case token tok in any case.
// Redis compares options as C strings, so anything from a NUL byte on is
// ignored: "NX\x00junk" is NX.
func tokenIs(arg []byte, tok string) bool {
	if i := bytes.IndexByte(arg, 0); i >= 0 {
		arg = arg[:i]
	}
	if len(arg) != len(tok) {
		return false
	}
	for i := range len(arg) {
		c := arg[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != tok[i] {
			return false
		}
	}
	return true
}

// asType returns v, the value a lookup found (or not) at a key, as a T; ok
// is false, and WRONGTYPE has been written, if the key holds another type.
func asType[T datatypes.Value](c *Ctx, v datatypes.Value, found bool) (t T, isFound, ok bool) {
	if !found {
		return t, false, true
	}
	t, isT := v.(T)
	if !isT {
		c.W.Error(resp.ErrWrongType)
		return t, true, false
	}
	return t, true, true
}

// dropIfEmpty deletes the collection at key once its last element is gone:
// Redis keeps no empty list, set or hash.
func dropIfEmpty(c *Ctx, key []byte, v interface{ Len() int }) {
	if v.Len() == 0 {
		c.DB.Delete(key)
	}
}
