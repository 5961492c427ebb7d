package config

import (
	"fmt"
	"io"
)

// The sections options are grouped in, for --help and config.yaml.
const (
	groupNetwork       = "Network"
	groupTLS           = "TLS"
	groupGeneral       = "General"
	groupSecurity      = "Security"
	groupClients       = "Clients"
	groupMemory        = "Memory"
	groupPersistence   = "Persistence"
	groupScripting     = "Scripting"
	groupObservability = "Slow log and latency"
	groupNotifications = "Keyspace notifications"
	groupEncodings     = "Encodings"
)

// groups are the sections in the order --help and config.yaml give them,
// redis.conf's order.
var groups = []string{groupNetwork, groupTLS, groupGeneral, groupSecurity, groupClients, groupMemory,
	groupPersistence, groupScripting, groupObservability, groupNotifications, groupEncodings}

// helpColumn is where descriptions start, unless the flag and its
// default are longer.
const helpColumn = 40

// WriteHelp writes the usage: every option of the table by group, with
// its default and its description.
func WriteHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: cairn [CONFIG-FILE] [--OPTION VALUE...]
       cairn -v | --version
       cairn check [--fix] DIR
       cairn import-rdb [--skip-unsupported] FILE [CONFIG-FILE] [--OPTION VALUE...]
       cairn export-rdb FILE [CONFIG-FILE] [--OPTION VALUE...]

The config file is YAML (a name ending in .yaml or .yml) or a redis.conf;
--config FILE names it too. Each option is also a CAIRN_* environment
variable (CAIRN_MAXMEMORY_POLICY); flags win over the environment, which
wins over the file. An option's value runs to the next --, as for
redis-server (--save 900 1 300 10). --user NAME RULES... adds an ACL user,
as a redis.conf's user line does (repeatable). config.yaml documents every
option. Options, with their defaults:
`)
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s:\n", g)
		for _, o := range options {
			if o.group != g {
				continue
			}
			flag := "  --" + o.name + " " + helpValue(o.def)
			if len(flag) >= helpColumn-1 {
				fmt.Fprintf(w, "%s\n%*s%s\n", flag, helpColumn, "", o.desc)
			} else {
				fmt.Fprintf(w, "%-*s%s\n", helpColumn, flag, o.desc)
			}
		}
	}
	fmt.Fprintf(w, "\nRedis 7.0's %d other options are accepted with a warning that they have no effect\n"+
		"here, or refused when their value asks for what cairn cannot do (config/redisonly.go).\n", len(redisOnlyNames))
}

// helpValue is a default as a command line gives it.
func helpValue(v string) string {
	if v == "" {
		return `""`
	}
	return v
}
