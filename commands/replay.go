package commands

import (
	"fmt"
	"time"

	"github.com/cairn-db/cairn/keyspace"
)

// Apply replays effects, as Redis loads its append-only file: each one
// runs through the command table for a client of its own, with expiry
// suspended so that the replay reproduces the recorded state whatever the
// time now. Replayed commands are not recorded again. The caller holds the
// keyspace lock. A command may replay (DEBUG LOADAOF): the dispatcher's
// Ctx, which Exec reuses, is the caller's and is given back.
func (e *Engine) Apply(effects []keyspace.Effect) error {
	caller := e.ctx
	defer func() { e.ctx = caller }()
	loader := NewClient("", "", time.Now(), func() {})
	loader.Authenticated = true
	loader.replaying = true
	e.KS.SetLoading(true)
	defer e.KS.SetLoading(false)
	for _, ef := range effects {
		if ef.DB < 0 || ef.DB >= e.KS.NumDBs() {
			return fmt.Errorf("replaying %q: database %d out of range", ef.Args, ef.DB)
		}
		loader.DB = ef.DB
		loader.W.Reset()
		e.Exec(loader, ef.Args)
		if reply := loader.W.Bytes(); len(reply) > 0 && reply[0] == '-' {
			return fmt.Errorf("replaying %q: %s", ef.Args, reply[1:len(reply)-2])
		}
	}
	return nil
}
