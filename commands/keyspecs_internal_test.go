package commands

import (
	"slices"
	"strings"
	"testing"
)

// TestKeySpecPositions checks the search of key specs, including the
// forms Redis 7.0 uses only for commands cairn does not have (MIGRATE's
// backward keyword search, XREAD's limit).
func TestKeySpecPositions(t *testing.T) {
	tests := []struct {
		spec KeySpec
		call string
		want []int
	}{
		{KeySpec{Index: 1, LastKey: -1}, "del a b c", []int{1, 2, 3}},
		{KeySpec{Index: 1, LastKey: -1, KeyStep: 2}, "mset a 1 b 2", []int{1, 3}},
		{KeySpec{Index: 1, LastKey: -2}, "blpop a b 0", []int{1, 2}},
		{KeySpec{Index: 2}, "lmove a b left right", []int{2}},
		{KeySpec{Index: 2, KeyNum: true, FirstKey: 1}, "eval s 2 a b c", []int{3, 4}},
		{KeySpec{Index: 2, KeyNum: true, FirstKey: 1}, "eval s 0 a", nil},
		{KeySpec{Index: 2, KeyNum: true, FirstKey: 1}, "eval s 3 a b", nil},
		{KeySpec{Index: 2, KeyNum: true, FirstKey: 1}, "eval s x a", nil},
		{KeySpec{Keyword: "STORE", StartFrom: 6}, "georadius k 0 0 1 km store d", []int{7}},
		{KeySpec{Keyword: "STORE", StartFrom: 6}, "georadius k 0 0 1 km", nil},
		{KeySpec{Keyword: "STORE", StartFrom: 6}, "georadius k 0 0 1 km STORE", nil},
		{KeySpec{Keyword: "STORE", StartFrom: 6}, "georadius STORE d 0 1 km asc", nil},
		{KeySpec{Keyword: "KEYS", StartFrom: -2, LastKey: -1}, "migrate h p _ 0 5 KEYS a b", []int{7, 8}},
		{KeySpec{Keyword: "STREAMS", StartFrom: 1, LastKey: -1, Limit: 2}, "xread COUNT 1 STREAMS a b 0 0", []int{4, 5}},
		{KeySpec{Arg: "pattern"}, "sort k BY p", nil},
	}
	for _, tt := range tests {
		var args [][]byte
		for _, f := range strings.Fields(tt.call) {
			args = append(args, []byte(f))
		}
		if got := tt.spec.positions(args); !slices.Equal(got, tt.want) {
			t.Errorf("%+v in %q: %v, want %v", tt.spec, tt.call, got, tt.want)
		}
	}
}

// TestKeySpecDeclarations checks what the table's declarations must keep
// consistent by hand.
func TestKeySpecDeclarations(t *testing.T) {
	check := func(cmd *Command) {
		if cmd.KeySpecs != nil && cmd.KeyFlags != 0 {
			t.Errorf("%s declares both KeySpecs and KeyFlags", cmd.Name)
		}
		for i, ks := range cmd.KeySpecs {
			if (ks.Flags&KeyVariableFlags != 0) != (ks.FlagsOf != nil) {
				t.Errorf("%s: key spec %d has variable_flags without FlagsOf or FlagsOf without variable_flags", cmd.Name, i)
			}
		}
	}
	for _, cmd := range NewTable() {
		check(cmd)
		for _, sub := range cmd.Subcommands {
			check(sub)
		}
	}
}
