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
				"usage": {Arity: -3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, KeyFlags: KeyRO,
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

// usedMemory is used_memory: what the process holds for its data and its
// clients, as cairn counts it (docs/architecture.md, "Memory accounting
// and eviction"). The caller holds the keyspace lock.
func (e *Engine) usedMemory() int64 {
	return e.startupMemory + e.KS.UsedMemory() + e.clientsMemory() + e.scripts.memoryUsage()
}

// clientOverhead estimates what a connected client holds besides its
// buffers and transaction queue: its goroutine's stack, redcon's reader
// and its Client. 2,000 idle connections added 16 KB each to the
// resident set, 4 KiB of it their read buffers.
const clientOverhead = 12 << 10

// RefreshMemory takes the size of the clients' buffers (the server's
// count) and recounts what their transactions and the messages pushed to
// them but not yet written hold, and updates the peak
// of used_memory; the server's cron calls it. The caller holds the
// keyspace lock.
func (e *Engine) RefreshMemory(buffers int64) {
	var n, pushed, maxPushed int64
	for _, cl := range e.clients {
		n += int64(cl.tx.mem)
		p := int64(cl.Out.Pending())
		pushed += p
		maxPushed = max(maxPushed, p)
	}
	e.queuedMemory, e.bufferMemory = n, buffers+pushed
	e.maxOutput = maxPushed
	e.recountClients()
	e.peakMemory = max(e.peakMemory, e.usedMemory())
}

// clientsMemory is what the clients hold: mem_clients_normal.
func (e *Engine) clientsMemory() int64 {
	return int64(len(e.clients))*clientOverhead + e.bufferMemory + e.queuedMemory
}

// SetStartupMemory records the heap the server holds before it serves
// (used_memory_startup). The caller holds the keyspace lock.
func (e *Engine) SetStartupMemory(n int64) { e.startupMemory = n }
