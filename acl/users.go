package acl

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
)

// Users are the server's users. Every change happens under the caller's
// lock (the keyspace lock); Open alone may be read from anywhere.
type Users struct {
	cat *Catalog
	// PubsubAllChannels is acl-pubsub-default: whether new users and
	// selectors start with all channels (allchannels) or none.
	PubsubAllChannels bool
	byName            map[string]*User
	// Default is the user every connection starts as.
	Default *User
	// open and defaultNoPass mirror the default user for readers
	// without the lock.
	open, defaultNoPass atomic.Bool
}

// NewUsers returns the users of a new server: "default", which may run
// everything, with no password.
func NewUsers(cat *Catalog) *Users {
	us := &Users{cat: cat, byName: map[string]*User{}}
	us.Default = us.newDefault()
	us.byName["default"] = us.Default
	us.changed()
	return us
}

// Catalog returns the commands the rules name.
func (us *Users) Catalog() *Catalog { return us.cat }

// newUser returns a user with no rights that no one can log in as, not
// yet one of us (ACLCreateUser).
func (us *Users) newUser(name string) *User {
	return &User{Name: name, selectors: []*selector{newSelector(us.cat, us.PubsubAllChannels)}}
}

func (us *Users) newDefault() *User {
	u := us.newUser("default")
	for _, op := range []string{"+@all", "~*", "&*", "on", "nopass"} {
		us.apply(u, op)
	}
	return u
}

// changed notes a change to the default user.
func (us *Users) changed() {
	us.open.Store(us.Default.enabled && us.Default.noPass)
	us.defaultNoPass.Store(us.Default.noPass)
}

// Open reports whether a new connection is authenticated at once: the
// default user is on and needs no password. Safe from any goroutine.
func (us *Users) Open() bool { return us.open.Load() }

// DefaultNoPass reports whether the default user needs no password, which
// protected mode looks at. Safe from any goroutine.
func (us *Users) DefaultNoPass() bool { return us.defaultNoPass.Load() }

// Get finds a user by name, or returns nil.
func (us *Users) Get(name string) *User { return us.byName[name] }

// Names lists the users' names in byte order, as Redis's radix tree.
func (us *Users) Names() []string {
	names := make([]string, 0, len(us.byName))
	for n := range us.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ErrUnmatched is SetUser's error for a selector left open; At is the
// index of the rule that opens it.
type ErrUnmatched struct{ At int }

func (e *ErrUnmatched) Error() string { return "unmatched parenthesis" }

// SetUser creates or changes a user with rules, all of them or none
// (ACL SETUSER). It returns the user and, if it existed, a copy of it as
// it was.
func (us *Users) SetUser(name string, rules []string) (u, was *User, err error) {
	ops, at, ok := mergeSelectors(rules)
	if !ok {
		return nil, nil, &ErrUnmatched{At: at}
	}
	u = us.byName[name]
	var next *User
	if u != nil {
		next = u.clone()
	} else {
		next = us.newUser(name)
	}
	for _, op := range ops {
		if err := us.apply(next, op); err != nil {
			return nil, nil, err
		}
	}
	if u == nil {
		u = next
		us.byName[name] = u
	} else {
		was = u.clone()
		u.copyRules(next)
	}
	if u == us.Default {
		us.changed()
	}
	return u, was, nil
}

// Delete removes users, reporting which existed. The default user cannot
// be removed.
func (us *Users) Delete(names []string) []*User {
	var gone []*User
	for _, n := range names {
		if u := us.byName[n]; u != nil && u != us.Default {
			delete(us.byName, n)
			gone = append(gone, u)
		}
	}
	return gone
}

// SetDefaultPassword makes requirepass the default user's only password,
// or the user passwordless if it is "" (ACLUpdateDefaultUserPassword).
func (us *Users) SetDefaultPassword(pass string) {
	us.apply(us.Default, "resetpass")
	if pass != "" {
		us.apply(us.Default, ">"+pass)
	} else {
		us.apply(us.Default, "nopass")
	}
	us.changed()
}

// ValidName reports whether a user name is allowed: no blanks, no NUL.
func ValidName(name string) bool { return !hasSpace(name) }

// Configure loads the users of a configuration file's user lines, each
// the name then its rules, over the present ones (ACLLoadConfiguredUsers).
// A rule that fails stops it with Redis's message.
func (us *Users) Configure(lines [][]string) error {
	seen := map[string]bool{}
	for _, l := range lines {
		name := l[0]
		if seen[name] {
			return errors.New(whyDuplicate)
		}
		seen[name] = true
		if hasSpace(name) {
			return errors.New("Spaces not allowed in ACL usernames")
		}
		ops, _, ok := mergeSelectors(l[1:])
		if !ok {
			return fmt.Errorf("Unmatched parenthesis in selector definition of the user named '%s'", name)
		}
		u := us.byName[name]
		if u == nil {
			u = us.newUser(name)
			us.byName[name] = u
		} else {
			us.apply(u, "reset")
		}
		for _, op := range ops {
			if err := us.apply(u, op); err != nil {
				return fmt.Errorf("Error loading ACL rule '%s' for the user named '%s': %s", op, name, err)
			}
		}
	}
	us.changed()
	return nil
}

// LoadFile replaces the users with those of an ACL file, or changes
// nothing and returns Redis's description of every error
// (ACLLoadFromFile). The users it replaces, whose clients must be closed,
// are returned; the default user is kept, with its new rules.
func (us *Users) LoadFile(path string) (replaced []*User, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var perr *os.PathError
		if errors.As(err, &perr) {
			err = perr.Err
		}
		return nil, fmt.Errorf("Error loading ACLs, opening file '%s': %s", path, strerror(err))
	}
	fresh := &Users{cat: us.cat, PubsubAllChannels: us.PubsubAllChannels, byName: map[string]*User{}}
	var errs strings.Builder
	for i, line := range bytes.Split(data, []byte("\n")) {
		n := i + 1
		line = bytes.Trim(line, " \t\r\n")
		if len(line) == 0 {
			continue
		}
		argv := strings.Split(string(line), " ")
		if argv[0] != "user" || len(argv) < 2 {
			fmt.Fprintf(&errs, "%s:%d should start with user keyword followed by the username. ", path, n)
			continue
		}
		name := argv[1]
		if hasSpace(name) {
			fmt.Fprintf(&errs, "'%s:%d: username '%s' contains invalid characters. ", path, n, name)
			continue
		}
		if fresh.byName[name] != nil {
			fmt.Fprintf(&errs, "WARNING: Duplicate user '%s' found on line %d. ", name, n)
			continue
		}
		u := fresh.newUser(name)
		fresh.byName[name] = u
		ops, _, ok := mergeSelectors(argv[2:])
		if !ok {
			fmt.Fprintf(&errs, "%s:%d: Unmatched parenthesis in selector definition.", path, n)
			continue
		}
		syntaxReported := false
		for _, op := range ops {
			op = strings.Trim(op, "\t\r\n")
			err := fresh.apply(u, op)
			var rerr *RuleError
			if err == nil || !errors.As(err, &rerr) {
				continue
			}
			if rerr.unknownName() {
				fmt.Fprintf(&errs, "%s:%d: Error in applying operation '%s': %s. ", path, n, op, rerr.Why)
			} else if !syntaxReported {
				fmt.Fprintf(&errs, "%s:%d: %s. ", path, n, rerr.Why)
				syntaxReported = true
			}
		}
	}
	if errs.Len() > 0 {
		errs.WriteString("WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
		return nil, errors.New(errs.String())
	}
	def := fresh.byName["default"]
	if def == nil {
		def = us.newDefault()
	}
	for name, u := range us.byName {
		if u != us.Default {
			replaced = append(replaced, u)
		}
		delete(us.byName, name)
	}
	for name, u := range fresh.byName {
		us.byName[name] = u
	}
	us.Default.copyRules(def)
	us.byName["default"] = us.Default
	us.changed()
	return replaced, nil
}

// Save writes the users to an ACL file, through a temporary file renamed
// over it (ACLSaveToFile).
func (us *Users) Save(path string) error {
	var b strings.Builder
	for _, name := range us.Names() {
		b.WriteString("user " + name + " " + us.Describe(us.byName[name]) + "\n")
	}
	tmp := fmt.Sprintf("%s.tmp-%d", path, os.Getpid())
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Lines describes every user as a configuration file's user line does,
// for CONFIG REWRITE.
func (us *Users) Lines() []string {
	var out []string
	for _, name := range us.Names() {
		out = append(out, "user "+name+" "+us.Describe(us.byName[name]))
	}
	return out
}

// strerror spells an error as C's strerror does ("No such file or
// directory"), which Go's errno messages are in lower case.
func strerror(err error) string {
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
