package commands

func listCommands() []*Command { return nil }
