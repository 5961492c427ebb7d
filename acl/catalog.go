package acl

import (
	"slices"
	"strings"
)

// Command is what the rules know of a command or subcommand.
type Command struct {
	// Name is the full lower-case name: "get", "config|get".
	Name       string
	Categories Category
	// NoAuth commands (AUTH, HELLO) are allowed to everyone.
	NoAuth bool
	// Subs are a container's subcommands; NewCatalog sets their Parent.
	Subs   []*Command
	Parent *Command
	id     int
}

// Catalog is every command the rules can name, each with a bit of its
// own in a selector's command set.
type Catalog struct {
	top    []*Command // by name
	all    []*Command // each command followed by its subcommands
	byName map[string]*Command
	bits   int // the ids, then the bit that +@all alone sets
	// used are the categories of at least one command.
	used Category
}

// NewCatalog numbers the commands top and their subcommands.
func NewCatalog(top []*Command) *Catalog {
	c := &Catalog{top: slices.Clone(top), byName: map[string]*Command{}}
	byName := func(a, b *Command) int { return strings.Compare(a.Name, b.Name) }
	slices.SortFunc(c.top, byName)
	for _, cmd := range c.top {
		slices.SortFunc(cmd.Subs, byName)
		for _, sub := range cmd.Subs {
			sub.Parent = cmd
		}
		for _, cmd := range append([]*Command{cmd}, cmd.Subs...) {
			cmd.id = len(c.all)
			c.all = append(c.all, cmd)
			c.byName[cmd.Name] = cmd
			c.used |= cmd.Categories
		}
	}
	c.bits = len(c.all) + 1
	return c
}

// futureBit is the bit only +@all sets: a selector that has it allows the
// commands a later version would add, and is described from +@all.
func (c *Catalog) futureBit() int { return c.bits - 1 }

// Lookup finds a command by full name in any case, as Redis's
// lookupCommandBySds: "config|get" names a subcommand; "get|x" nothing.
func (c *Catalog) Lookup(name string) *Command {
	return c.byName[strings.ToLower(name)]
}

// InCategory lists the full names of the commands in cat, as ACL CAT.
func (c *Catalog) InCategory(cat Category) []string {
	var out []string
	for _, cmd := range c.all {
		if cmd.Categories&cat != 0 {
			out = append(out, cmd.Name)
		}
	}
	return out
}
