package commands

func introspectionCommands() []*Command { return nil }
