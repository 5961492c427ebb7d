package commands

func connectionCommands() []*Command {
	return []*Command{
		{Name: "ping", Arity: -1, Flags: FlagFast | FlagStale, Group: "connection", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Ping the server", Syntax: "[message]", Run: ping},
		{Name: "echo", Arity: 2, Flags: FlagFast | FlagStale | FlagLoading, Group: "connection", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Echo the given string", Syntax: "message", Run: echo},
		{Name: "quit", Arity: -1, Flags: FlagAllowBusy | FlagNoAuth | FlagFast | FlagStale | FlagLoading | FlagNoScript, Group: "connection", Since: "1.0.0",
			Complexity: "O(1)", Summary: "Close the connection", Syntax: "", Run: quit},
	}
}

func ping(c *Ctx) {
	switch len(c.Args) {
	case 1:
		c.W.Status("PONG")
	case 2:
		c.W.Bulk(c.Args[1])
	default:
		c.W.Error("ERR wrong number of arguments for 'ping' command")
	}
}

func echo(c *Ctx) { c.W.Bulk(c.Args[1]) }

func quit(c *Ctx) {
	c.W.OK()
	c.Client.Closing = true
}
