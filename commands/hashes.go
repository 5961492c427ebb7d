package commands

func hashCommands() []*Command { return nil }
