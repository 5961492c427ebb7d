package commands

import "github.com/cairn-db/cairn/resp"

func memoryCommands() []*Command {
	return []*Command{
		{Name: "memory", Arity: -2, Group: "server", Since: "4.0.0", Complexity: "Depends on subcommand.",
			Summary: "A container for memory diagnostics commands",
			Subcommands: map[string]*Command{
				"help": {Arity: 2, Flags: FlagLoading | FlagStale,
					Group: "server", Since: "4.0.0", Complexity: "O(1)",
					Summary: "Show helpful text about the different subcommands", Run: memoryHelpCommand},
				"usage": {Arity: -3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1,
					Group: "server", Since: "4.0.0", Complexity: "O(N) where N is the number of samples.",
					Summary: "Estimate the memory usage of a key", Syntax: "key [SAMPLES count]",
					Run: memoryUsageCommand},
			}},
	}
}

// memoryUsageCommand reports what the key costs the keyspace (its record,
// entry and index slot) plus its value's own estimate. The estimate
// counts every element, so SAMPLES, which bounds how many elements Redis
// looks at, is checked and otherwise ignored.
func memoryUsageCommand(c *Ctx) {
	for j := 3; j < len(c.Args); j++ {
		if !tokenIs(c.Args[j], "samples") || j+1 >= len(c.Args) {
			c.W.Error(resp.ErrSyntax)
			return
		}
		j++
		n, ok := c.Int(j)
		if !ok {
			return
		}
		if n < 0 {
			c.W.Error(resp.ErrSyntax)
			return
		}
	}
	n, found := c.DB.MemoryUsage(c.Args[2])
	if !found {
		c.W.Null()
		return
	}
	c.W.Int(int64(n))
}

func memoryHelpCommand(c *Ctx) {
	c.Help(
		"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Every nested value is",
		"    counted: <count> is accepted for compatibility and otherwise ignored.",
		"HELP",
		"    Prints this help.",
	)
}
