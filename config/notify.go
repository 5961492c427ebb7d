package config

import (
	"errors"
	"strings"
)

// KeyspaceEvents is a set of keyspace event classes, as Redis's
// notify-keyspace-events flags.
type KeyspaceEvents uint16

// The event classes, each with its letter in notify-keyspace-events.
const (
	NotifyKeyspace KeyspaceEvents = 1 << iota // K: __keyspace@<db>__:<key> channels
	NotifyKeyevent                            // E: __keyevent@<db>__:<event> channels
	NotifyGeneric                             // g: DEL, EXPIRE, RENAME...
	NotifyString                              // $
	NotifyList                                // l
	NotifySet                                 // s
	NotifyHash                                // h
	NotifyZSet                                // z
	NotifyExpired                             // x: a key expired
	NotifyEvicted                             // e: a key was evicted
	NotifyStream                              // t
	NotifyKeyMiss                             // m: a read found no key
	NotifyModule                              // d
	NotifyNew                                 // n: a key was added

	// NotifyAll is A: every class of changes, not key misses or new keys.
	NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash | NotifyZSet |
		NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

// errKeyspaceEvents is Redis's error for a letter that names no class.
var errKeyspaceEvents = errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")

// ParseKeyspaceEvents parses notify-keyspace-events' letters, as Redis's
// keyspaceEventsStringToFlags: any order, repeats allowed.
func ParseKeyspaceEvents(s string) (KeyspaceEvents, error) {
	var f KeyspaceEvents
	for i := range len(s) {
		switch s[i] {
		case 'A':
			f |= NotifyAll
		case 'g':
			f |= NotifyGeneric
		case '$':
			f |= NotifyString
		case 'l':
			f |= NotifyList
		case 's':
			f |= NotifySet
		case 'h':
			f |= NotifyHash
		case 'z':
			f |= NotifyZSet
		case 'x':
			f |= NotifyExpired
		case 'e':
			f |= NotifyEvicted
		case 'K':
			f |= NotifyKeyspace
		case 'E':
			f |= NotifyKeyevent
		case 't':
			f |= NotifyStream
		case 'm':
			f |= NotifyKeyMiss
		case 'd':
			f |= NotifyModule
		case 'n':
			f |= NotifyNew
		default:
			return 0, errKeyspaceEvents
		}
	}
	return f, nil
}

// String is the canonical form CONFIG GET returns, as Redis's
// keyspaceEventsFlagsToString: A for all the change classes, else their
// letters in a fixed order, then K, E and m.
func (f KeyspaceEvents) String() string {
	var b strings.Builder
	if f&NotifyAll == NotifyAll {
		b.WriteByte('A')
	} else {
		for _, c := range []struct {
			flag   KeyspaceEvents
			letter byte
		}{{NotifyGeneric, 'g'}, {NotifyString, '$'}, {NotifyList, 'l'}, {NotifySet, 's'},
			{NotifyHash, 'h'}, {NotifyZSet, 'z'}, {NotifyExpired, 'x'}, {NotifyEvicted, 'e'},
			{NotifyStream, 't'}, {NotifyModule, 'd'}, {NotifyNew, 'n'}} {
			if f&c.flag != 0 {
				b.WriteByte(c.letter)
			}
		}
	}
	if f&NotifyKeyspace != 0 {
		b.WriteByte('K')
	}
	if f&NotifyKeyevent != 0 {
		b.WriteByte('E')
	}
	if f&NotifyKeyMiss != 0 {
		b.WriteByte('m')
	}
	return b.String()
}

func keyspaceEventsOpt(name, def string, field func(*Config) *KeyspaceEvents) *option {
	return &option{name: name, def: def, mutable: true, quoted: true,
		set: func(c *Config, v string) error {
			f, err := ParseKeyspaceEvents(v)
			if err != nil {
				return err
			}
			*field(c) = f
			return nil
		},
		get: func(c *Config) string { return field(c).String() },
	}
}
