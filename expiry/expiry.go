// Package expiry runs the active expiry cycle: it reclaims keys whose
// time has come even if nobody reads them, modelled on Redis's
// activeExpireCycle.
package expiry

import (
	"time"

	"github.com/cairn-db/cairn/keyspace"
)

const (
	// keysPerLoop is how many keys with a TTL each loop looks at.
	keysPerLoop = 20
	// acceptableStale is the percentage of expired keys in a loop at or
	// below which a database is considered clean enough to move on.
	acceptableStale = 25
	// loopsPerClockCheck is how many loops run between two readings of
	// the clock against the budget.
	loopsPerClockCheck = 16
)

// Cycler runs expiry cycles over a keyspace. It remembers where the last
// cycle stopped so that a cycle cut short by its time budget does not
// starve the databases after the first.
type Cycler struct {
	ks *keyspace.Keyspace
	// next is the database the next cycle starts with. Guarded by the
	// keyspace lock.
	next int
}

// NewCycler returns a cycler for ks.
func NewCycler(ks *keyspace.Keyspace) *Cycler { return &Cycler{ks: ks} }

// Run looks at keys with an expiry time in every database and deletes
// the expired ones, repeating on a database while more than a quarter of
// what it looked at had expired, for at most about budget. Each database
// sweeps its keys with a TTL across cycles (keyspace.DB.ExpireStep), so
// every expired key is reclaimed within a sweep even when few are. The
// caller holds the keyspace lock; deletions go through the keyspace's one
// expiry path, so each is recorded as a DEL.
func (c *Cycler) Run(budget time.Duration) {
	deadline := time.Now().Add(budget)
	n := c.ks.NumDBs()
	for visited := 0; visited < n; visited++ {
		// Advancing first makes a cycle cut short resume with the next
		// database, as Redis's current_db does.
		db := c.ks.DB(c.next)
		c.next = (c.next + 1) % n
		for loops := 1; db.VolatileLen() > 0; loops++ {
			looked, expired := db.ExpireStep(keysPerLoop)
			if expired*100 <= looked*acceptableStale {
				break
			}
			if loops%loopsPerClockCheck == 0 && time.Now().After(deadline) {
				return
			}
		}
	}
}
