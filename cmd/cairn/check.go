package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cairn-db/cairn/persistence"
)

// runCheck is `cairn check [--fix] DIR`: it verifies a data directory
// that no server is using and exits 0 if it is sound (or was fixed), 1
// if not, 2 on a usage error.
func runCheck(args []string) int {
	fs := flag.NewFlagSet("cairn check", flag.ContinueOnError)
	fix := fs.Bool("fix", false, "truncate the log at its first bad record, as redis-check-aof --fix")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: cairn check [--fix] DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	dir := fs.Arg(0)
	res, err := persistence.Check(dir, *fix, os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cairn check: %v\n", err)
		return 1
	}
	switch {
	case len(res.Problems) == 0:
		fmt.Printf("%s is sound: %d keys in the snapshot, %d log records after it\n", dir, res.Keys, res.Records)
		return 0
	case *fix && res.BadSeq != 0 && len(res.Problems) == 1:
		fmt.Printf("%s was repaired; it now loads the snapshot and %d log records\n", dir, res.Records)
		return 0
	default:
		fmt.Printf("%s has %d problem(s)\n", dir, len(res.Problems))
		return 1
	}
}
