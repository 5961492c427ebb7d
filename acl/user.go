package acl

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/cairn-db/cairn/resp"
)

// Redis's descriptions of a rule that cannot be applied
// (ACLSetUserStringError).
const (
	whySyntax      = "Syntax error"
	whyUnknown     = "Unknown command or category name in ACL"
	whyAfterAllKey = "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
	whyAfterAllCh  = "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
	whyNoSuchPass  = "The password you are trying to remove from the user does not exist"
	whyBadHash     = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
	whyDuplicate   = "Duplicate user found. A user can only be defined once in config files"
	whySubFirstArg = "Allowing first-arg of a subcommand is not supported"
)

// RuleError is a rule that cannot be applied.
type RuleError struct {
	Rule string
	Why  string
}

func (e *RuleError) Error() string { return e.Why }

// unknownName reports whether the rule names a command or category that
// does not exist, which a file's loader reports in full.
func (e *RuleError) unknownName() bool { return e.Why == whyUnknown }

// perm is what a key pattern grants.
type perm uint8

const (
	permRead perm = 1 << iota
	permWrite
	permAll = permRead | permWrite
)

type keyPattern struct {
	pattern string
	glob    []byte // pattern, for matching without a conversion
	perm    perm
}

func (k keyPattern) String() string {
	switch k.perm {
	case permRead:
		return "%R~" + k.pattern
	case permWrite:
		return "%W~" + k.pattern
	}
	return "~" + k.pattern
}

// selector is one set of permissions: commands, keys, channels. A user has
// its root selector and the ones in parentheses; a command is allowed if
// one selector allows all of it.
type selector struct {
	allKeys, allChannels bool
	// allCommands is set by +@all and cleared by any command taken away.
	allCommands bool
	commands    []uint64 // a bit per Catalog id, then the future bit
	// firstArgs are the first arguments allowed to a command whose bit
	// is not set (+select|0).
	firstArgs map[int][]string
	keys      []keyPattern
	channels  []string
	// allowedEmpty and deniedEmpty are the categories without commands
	// (in this cairn: @stream) that rules allowed or denied since the last
	// +@all or -@all: they give no bits, but the description keeps them,
	// as Redis's does, so that the rules mean the same to a cairn that
	// has such commands.
	allowedEmpty, deniedEmpty Category
}

func newSelector(cat *Catalog, allChannels bool) *selector {
	return &selector{allChannels: allChannels, commands: make([]uint64, (cat.bits+63)/64)}
}

func (s *selector) clone() *selector {
	c := *s
	c.commands = slices.Clone(s.commands)
	c.keys = slices.Clone(s.keys)
	c.channels = slices.Clone(s.channels)
	if s.firstArgs != nil {
		c.firstArgs = map[int][]string{}
		for id, args := range s.firstArgs {
			c.firstArgs[id] = slices.Clone(args)
		}
	}
	return &c
}

func (s *selector) bit(id int) bool { return s.commands[id/64]&(1<<(id%64)) != 0 }

func (s *selector) setBit(id int, on bool) {
	if on {
		s.commands[id/64] |= 1 << (id % 64)
		return
	}
	s.commands[id/64] &^= 1 << (id % 64)
	s.allCommands = false
}

// allow allows or denies a command, and a container's subcommands with
// it (ACLChangeSelectorPerm).
func (s *selector) allow(cmd *Command, on bool) {
	s.setBit(cmd.id, on)
	delete(s.firstArgs, cmd.id)
	for _, sub := range cmd.Subs {
		s.setBit(sub.id, on)
	}
}

func (s *selector) allowCategory(cat *Catalog, c Category, on bool) {
	if cat.used&c == 0 {
		if on {
			s.allowedEmpty, s.deniedEmpty = s.allowedEmpty|c, s.deniedEmpty&^c
		} else {
			s.allowedEmpty, s.deniedEmpty = s.allowedEmpty&^c, s.deniedEmpty|c
		}
		return
	}
	for _, cmd := range cat.all {
		if cmd.Categories&c != 0 {
			s.allow(cmd, on)
		}
	}
}

func (s *selector) setAll(on bool) {
	fill := uint64(0)
	if on {
		fill = ^uint64(0)
	}
	for i := range s.commands {
		s.commands[i] = fill
	}
	s.allCommands = on
	s.firstArgs = nil
	s.allowedEmpty, s.deniedEmpty = 0, 0
}

// hasSpace reports whether a name or pattern holds a blank or NUL, which
// Redis refuses so that rules can be written back as they are read.
func hasSpace(s string) bool {
	return strings.ContainsAny(s, " \t\n\v\f\r\x00")
}

// apply applies one selector rule (ACLSetSelector).
func (s *selector) apply(cat *Catalog, op string) error {
	fail := func(why string) error { return &RuleError{Rule: op, Why: why} }
	switch {
	case op == "":
		return fail(whySyntax)
	case strings.EqualFold(op, "allkeys"), op == "~*":
		s.allKeys, s.keys = true, nil
	case strings.EqualFold(op, "resetkeys"):
		s.allKeys, s.keys = false, nil
	case strings.EqualFold(op, "allchannels"), op == "&*":
		s.allChannels, s.channels = true, nil
	case strings.EqualFold(op, "resetchannels"):
		s.allChannels, s.channels = false, nil
	case strings.EqualFold(op, "allcommands"), strings.EqualFold(op, "+@all"):
		s.setAll(true)
	case strings.EqualFold(op, "nocommands"), strings.EqualFold(op, "-@all"):
		s.setAll(false)
	case op[0] == '~' || op[0] == '%':
		if s.allKeys {
			return fail(whyAfterAllKey)
		}
		p, rest := permAll, op[1:]
		if op[0] == '%' {
			p = 0
			i := 1
			for ; i < len(op); i++ {
				switch c := op[i]; {
				case (c == 'R' || c == 'r') && p&permRead == 0:
					p |= permRead
					continue
				case (c == 'W' || c == 'w') && p&permWrite == 0:
					p |= permWrite
					continue
				case c == '~':
					i++
				default:
					return fail(whySyntax)
				}
				break
			}
			rest = op[min(i, len(op)):]
			// Redis takes "%~x" and then fails describing it; a
			// pattern that grants nothing is refused here.
			if p == 0 {
				return fail(whySyntax)
			}
		}
		if hasSpace(rest) {
			return fail(whySyntax)
		}
		if i := slices.IndexFunc(s.keys, func(k keyPattern) bool { return k.pattern == rest }); i >= 0 {
			s.keys[i].perm |= p
		} else {
			s.keys = append(s.keys, keyPattern{rest, []byte(rest), p})
		}
		s.allKeys = false
	case op[0] == '&':
		if s.allChannels {
			return fail(whyAfterAllCh)
		}
		if hasSpace(op[1:]) {
			return fail(whySyntax)
		}
		if !slices.Contains(s.channels, op[1:]) {
			s.channels = append(s.channels, op[1:])
		}
		s.allChannels = false
	case op[0] == '+' && !strings.HasPrefix(op, "+@"):
		i := strings.LastIndexByte(op, '|')
		if i < 0 {
			cmd := cat.Lookup(op[1:])
			if cmd == nil {
				return fail(whyUnknown)
			}
			s.allow(cmd, true)
			return nil
		}
		cmd := cat.Lookup(op[1:i])
		switch {
		case cmd == nil:
			return fail(whyUnknown)
		case cmd.Parent != nil:
			return fail(whySubFirstArg)
		case i == len(op)-1:
			return fail(whySyntax)
		case cmd.Subs != nil:
			sub := cat.Lookup(op[1:])
			if sub == nil {
				return fail(whyUnknown)
			}
			s.allow(sub, true)
		default:
			// Redis's deprecated way to allow a first argument of a
			// command otherwise denied (+select|0).
			arg := op[i+1:]
			if s.firstArgs == nil {
				s.firstArgs = map[int][]string{}
			}
			if !slices.ContainsFunc(s.firstArgs[cmd.id], func(a string) bool { return strings.EqualFold(a, arg) }) {
				s.firstArgs[cmd.id] = append(s.firstArgs[cmd.id], arg)
			}
		}
	case op[0] == '-' && !strings.HasPrefix(op, "-@"):
		cmd := cat.Lookup(op[1:])
		if cmd == nil {
			return fail(whyUnknown)
		}
		s.allow(cmd, false)
	case op[0] == '+' || op[0] == '-':
		c, ok := CategoryByName(op[2:])
		if !ok {
			return fail(whyUnknown)
		}
		s.allowCategory(cat, c, op[0] == '+')
	default:
		return fail(whySyntax)
	}
	return nil
}

// User is an ACL user. Clients authenticated as a user keep a pointer to
// it, and see its rules change (ACL SETUSER changes it in place).
type User struct {
	Name    string
	enabled bool
	noPass  bool
	// sanitize is "", "sanitize-payload" or "skip-sanitize-payload": the
	// flags Redis shows. cairn always checks a RESTORE payload whole.
	sanitize  string
	passwords []string // SHA-256, hex
	selectors []*selector
}

// Enabled reports whether the user can authenticate.
func (u *User) Enabled() bool { return u.enabled }

// NoPass reports whether any password authenticates the user.
func (u *User) NoPass() bool { return u.noPass }

func (u *User) root() *selector { return u.selectors[0] }

// copyRules gives u the rules of v, keeping u's name (ACLCopyUser).
func (u *User) copyRules(v *User) {
	name := u.Name
	*u = *v.clone()
	u.Name = name
}

func (u *User) clone() *User {
	c := *u
	c.passwords = slices.Clone(u.passwords)
	c.selectors = make([]*selector, len(u.selectors))
	for i, s := range u.selectors {
		c.selectors[i] = s.clone()
	}
	return &c
}

// hashPassword is the form Redis keeps a password in.
func hashPassword(p []byte) string {
	sum := sha256.Sum256(p)
	return hex.EncodeToString(sum[:])
}

// passwordHash is the hash a password rule names: the password's after
// plain (> or <), or the hash given, if valid.
func passwordHash(op string, plain byte) (string, bool) {
	if op[0] == plain {
		return hashPassword([]byte(op[1:])), true
	}
	return op[1:], validHash(op[1:])
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// CheckPassword reports whether pass authenticates the user, comparing
// hashes in constant time.
func (u *User) CheckPassword(pass []byte) bool {
	if !u.enabled {
		return false
	}
	if u.noPass {
		return true
	}
	h := []byte(hashPassword(pass))
	ok := 0
	for _, p := range u.passwords {
		ok |= subtle.ConstantTimeCompare(h, []byte(p))
	}
	return ok == 1
}

// apply applies one rule to u (ACLSetUser).
func (us *Users) apply(u *User, op string) error {
	if op == "" {
		return nil
	}
	fail := func(why string) error { return &RuleError{Rule: op, Why: why} }
	switch {
	case strings.EqualFold(op, "on"):
		u.enabled = true
	case strings.EqualFold(op, "off"):
		u.enabled = false
	case strings.EqualFold(op, "skip-sanitize-payload"), strings.EqualFold(op, "sanitize-payload"):
		u.sanitize = strings.ToLower(op)
	case strings.EqualFold(op, "nopass"):
		u.noPass, u.passwords = true, nil
	case strings.EqualFold(op, "resetpass"):
		u.noPass, u.passwords = false, nil
	case op[0] == '>' || op[0] == '#':
		h, ok := passwordHash(op, '>')
		if !ok {
			return fail(whyBadHash)
		}
		if !slices.Contains(u.passwords, h) {
			u.passwords = append(u.passwords, h)
		}
		u.noPass = false
	case op[0] == '<' || op[0] == '!':
		h, ok := passwordHash(op, '<')
		if !ok {
			return fail(whyBadHash)
		}
		i := slices.Index(u.passwords, h)
		if i < 0 {
			return fail(whyNoSuchPass)
		}
		u.passwords = slices.Delete(u.passwords, i, i+1)
	case op[0] == '(' && op[len(op)-1] == ')':
		s := newSelector(us.cat, us.PubsubAllChannels)
		args, ok := resp.SplitArgs([]byte(op[1 : len(op)-1]))
		if !ok {
			return fail(whySyntax)
		}
		for _, a := range args {
			if err := s.apply(us.cat, string(a)); err != nil {
				return fail(err.(*RuleError).Why)
			}
		}
		u.selectors = append(u.selectors, s)
	case strings.EqualFold(op, "clearselectors"):
		u.selectors = u.selectors[:1]
	case strings.EqualFold(op, "reset"):
		u.noPass, u.passwords = false, nil
		root := u.root()
		root.allKeys, root.keys = false, nil
		root.allChannels, root.channels = us.PubsubAllChannels, nil
		u.enabled = false
		u.sanitize = "sanitize-payload"
		u.selectors = u.selectors[:1]
		root.setAll(false)
	default:
		return u.root().apply(us.cat, op)
	}
	return nil
}

// mergeSelectors joins the rules of a selector written across several
// arguments ("(+get" "~k*)") into one, as Redis's
// ACLMergeSelectorArguments; it reports the index of an unclosed one.
func mergeSelectors(ops []string) ([]string, int, bool) {
	var out []string
	open := -1
	for i, op := range ops {
		// An opening one while another is open starts over, as Redis.
		if strings.HasPrefix(op, "(") && !strings.HasSuffix(op, ")") {
			if open >= 0 {
				out[len(out)-1] = op
			} else {
				out = append(out, op)
			}
			open = i
			continue
		}
		if open >= 0 {
			out[len(out)-1] += " " + op
			if strings.HasSuffix(op, ")") {
				open = -1
			}
			continue
		}
		out = append(out, op)
	}
	if open >= 0 {
		return nil, open, false
	}
	return out, 0, true
}
