// Package expiry runs the active expiry cycle: it reclaims keys whose
// time has come even if nobody reads them, modelled on Redis's
// activeExpireCycle.
package expiry

import (
	"time"

	"github.com/cairn-db/cairn/keyspace"
)

const (
	// samplesPerLoop is how many keys with a TTL each loop looks at.
	samplesPerLoop = 20
	// acceptableStale is the percentage of expired keys in a sample below
	// which a database is considered clean enough to move on.
	acceptableStale = 25
)

// Cycler runs expiry cycles over a keyspace. It remembers where the last
// cycle stopped so that a cycle cut short by its time budget does not
// starve the databases after the first.
type Cycler struct {
	ks *keyspace.Keyspace
	// next is the database the next cycle starts with.
	next int
}

// NewCycler returns a cycler for ks.
func NewCycler(ks *keyspace.Keyspace) *Cycler { return &Cycler{ks: ks} }

// Run samples keys with an expiry time in every database and deletes the
// expired ones, repeating on a database while more than a quarter of the
// sample had expired, for at most budget. The caller holds the keyspace
// lock; deletions go through the keyspace's one expiry path, so each is
// recorded as a DEL.
func (c *Cycler) Run(budget time.Duration) {
	deadline := time.Now().Add(budget)
	n := c.ks.NumDBs()
	for visited := 0; visited < n; visited++ {
		db := c.ks.DB(c.next)
		for loops := 0; db.VolatileLen() > 0; loops++ {
			sampled, expired := db.ExpireSample(samplesPerLoop)
			if expired*100 <= sampled*acceptableStale {
				break
			}
			// Reading the clock every 16 loops keeps its cost low.
			if loops%16 == 15 && time.Now().After(deadline) {
				return
			}
		}
		c.next = (c.next + 1) % n
	}
}
