package acl

import (
	"slices"
	"strings"

	"github.com/cairn-db/cairn/glob"
)

// Denial is why a command is refused, in Redis's order of precedence
// when no selector allows it: a channel over a key over the command.
type Denial int

// Denials, numbered as Redis's ACL_DENIED_*.
const (
	Allowed Denial = iota
	DeniedCommand
	DeniedKey
	DeniedAuth
	DeniedChannel
)

// Key is a key argument of a command and what the command does with it.
type Key struct {
	Pos         int
	Read, Write bool
}

// Channel is a channel argument that publishes or subscribes; Pattern
// marks PSUBSCRIBE's, which only an identical rule allows.
type Channel struct {
	Pos     int
	Pattern bool
}

// Request is a command to check: its keys and the channels it publishes
// or subscribes to.
type Request struct {
	Cmd      *Command
	Args     [][]byte
	Keys     []Key
	Channels []Channel
}

// Check reports whether u may run r, and if not why and the argument that
// no selector allows (ACLCheckAllUserCommandPerm). A nil user is the
// server's own (the log's replay) and may run anything.
func (u *User) Check(r *Request) (Denial, int) {
	if u == nil {
		return Allowed, 0
	}
	if u.Unrestricted() {
		return Allowed, 0
	}
	worst, worstPos := DeniedCommand, 0
	for _, s := range u.selectors {
		d, pos := s.check(r)
		if d == Allowed {
			return Allowed, 0
		}
		if d > worst || d == worst && pos > worstPos {
			worst, worstPos = d, pos
		}
	}
	return worst, worstPos
}

func (s *selector) check(r *Request) (Denial, int) {
	cmd := r.Cmd
	if !s.allCommands && !cmd.NoAuth && !s.bit(cmd.id) {
		idx := 1
		if cmd.Parent != nil {
			idx = 2
		}
		allowed := s.firstArgs[cmd.id]
		if len(r.Args) <= idx || !slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, string(r.Args[idx])) }) {
			return DeniedCommand, 0
		}
	}
	if !s.allKeys {
		for _, k := range r.Keys {
			if !s.keyAllowed(r.Args[k.Pos], k) {
				return DeniedKey, k.Pos
			}
		}
	}
	if !s.allChannels {
		for _, ch := range r.Channels {
			if !channelAllowed(s.channels, r.Args[ch.Pos], ch.Pattern) {
				return DeniedChannel, ch.Pos
			}
		}
	}
	return Allowed, 0
}

func (s *selector) keyAllowed(key []byte, k Key) bool {
	var need perm
	if k.Read {
		need |= permRead
	}
	if k.Write {
		need |= permWrite
	}
	for _, p := range s.keys {
		if p.perm&need == need && glob.Match(p.glob, key, false) {
			return true
		}
	}
	return false
}

// channelAllowed matches a channel against the rules' patterns; a
// subscription pattern must equal a rule.
func channelAllowed(rules []string, ch []byte, pattern bool) bool {
	for _, r := range rules {
		if pattern && r == string(ch) || !pattern && glob.Match([]byte(r), ch, false) {
			return true
		}
	}
	return false
}

// ReadsAllKeys reports whether one of u's selectors allows r and reading
// any key (Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess), which SORT's
// BY and GET patterns need: the keys they read are known only as they
// run.
func (u *User) ReadsAllKeys(r *Request) bool {
	if u == nil || u.Unrestricted() {
		return true
	}
	for _, s := range u.selectors {
		readsAll := s.allKeys || slices.ContainsFunc(s.keys, func(k keyPattern) bool { return k.pattern == "*" && k.perm&permRead != 0 })
		if !readsAll {
			continue
		}
		if d, _ := s.check(r); d == Allowed {
			return true
		}
	}
	return false
}

// ChannelAllowed reports whether u may subscribe to ch (a pattern if
// pattern is set), for the subscriptions a rule change revokes.
func (u *User) ChannelAllowed(ch []byte, pattern bool) bool {
	for _, s := range u.selectors {
		if s.allChannels || channelAllowed(s.channels, ch, pattern) {
			return true
		}
	}
	return false
}

// MayLoseChannels reports whether u's channels may be fewer than were's
// (ACLKillPubsubClientsIfNeeded's shortcuts): whether the subscriptions
// of u's clients need checking.
func (u *User) MayLoseChannels(were *User) bool {
	var now []string
	for _, s := range u.selectors {
		if s.allChannels {
			return false
		}
		now = append(now, s.channels...)
	}
	for _, s := range were.selectors {
		// Redis 7.0 misses a user that had all channels; cairn checks
		// its subscribers.
		if s.allChannels {
			return true
		}
		for _, ch := range s.channels {
			if !slices.Contains(now, ch) {
				return true
			}
		}
	}
	return false
}

// Unrestricted reports whether u may run anything on anything, which
// spares the check its work.
func (u *User) Unrestricted() bool {
	root := u.root()
	return root.allCommands && root.allKeys && root.allChannels
}
