package acl

import (
	"strings"
	"testing"
)

// FuzzSetUser applies random rules: they apply or fail whole, and what
// ACL LIST says of a user, applied to a new one, describes the same user.
func FuzzSetUser(f *testing.F) {
	for _, seed := range []string{
		"on >p ~k* &c +get",
		"+@all -@dangerous -config|set",
		"%R~a %W~b %RW~c ~d (+set ~x*) (+@hash %R~*)",
		"+select|0 +select|1 -@all +@read",
		"reset nopass allkeys allchannels allcommands",
		"(+get ~x",
		"(\x00) (&))",
		"#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 !5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		rules := strings.Fields(line)
		us := NewUsers(testCatalog())
		u, _, err := us.SetUser("u", rules)
		if err != nil {
			if us.Get("u") != nil {
				t.Fatalf("%q failed (%v) but made the user", rules, err)
			}
			return
		}
		desc := us.Describe(u)
		// A pattern with a parenthesis makes a line that does not split
		// back into the same selectors, in Redis's format too, and so does
		// one with a quote or backslash in a selector, whose rules are
		// split as quoted arguments.
		n := len(u.selectors) - 1
		if strings.Count(desc, "(") != n || strings.Count(desc, ")") != n || n > 0 && strings.ContainsAny(desc, "\"'\\") {
			return
		}
		// Split at spaces, as an ACL file's line is; SetUser joins the
		// selectors back.
		v, _, err := us.SetUser("v", strings.Split(desc, " "))
		if err != nil {
			t.Fatalf("%q: description %q does not apply: %v", rules, desc, err)
		}
		if got := us.Describe(v); got != desc {
			t.Fatalf("%q: described %q, applied again %q", rules, desc, got)
		}
	})
}
