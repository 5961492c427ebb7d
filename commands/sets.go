package commands

func setCommands() []*Command { return nil }
