package commands

func expireCommands() []*Command { return nil }
