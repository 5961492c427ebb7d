package glob_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/glob"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/redis/go-redis/v9"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		nocase     bool
		want       bool
	}{
		{"", "", false, true},
		{"", "a", false, false},
		{"a", "", false, false},
		// Redis's matcher stops when the string ends, so "*" does not match
		// the empty string: KEYS and SCAN special-case the pattern "*".
		{"*", "", false, false},
		{"**", "", false, false},
		{"*", "anything", false, true},
		{"**", "x", false, true},
		{"h*o", "hello", false, true},
		{"h*o", "hell", false, false},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"?", "", false, false},
		{"a*b*c", "aXbYc", false, true},
		{"a*b*c", "aXbY", false, false},
		{"*a", "bbba", false, true},
		{"a*", "a", false, true},
		{"a**", "a", false, true},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hallo", false, true}, // reversed range
		{"h[a-b]llo", "hcllo", false, false},
		{"HELLO", "hello", true, true},
		{"HELLO", "hello", false, false},
		{"h[A-Z]llo", "hello", true, true},
		{"h[A-Z]llo", "hello", false, false},
		{"[E]", "e", true, true},
		{`[\E]`, "e", true, false}, // escapes in a class ignore nocase
		{`\*`, "*", false, true},
		{`\*`, "a", false, false},
		{`\`, `\`, false, true}, // trailing backslash is literal
		{`a\`, `a`, false, false},
		{`[\]]`, "]", false, true},
		{`[\`, `\`, false, true},  // "\" at the end of a class is literal
		{`[a\`, `a`, false, true}, // unterminated class
		{"[", "a", false, false},
		{"[^", "a", false, true}, // unterminated negated empty class
		{"[]", "a", false, false},
		{"[]]", "]]", false, false},
		{"[^]", "x", false, true},
		{"[a-", "a", false, true},
		{"[a-", "-", false, true},
		{"[a-]", "]", false, true}, // range a..]
		{"[a-]", "b", false, false},
		{"a[", "a", false, false},
		{"[abc", "b", false, true},
		{"[abc", "bc", false, false},
		{"\xff", "\xff", false, true},
		// Ranges compare signed chars: [a-\xff] is -1..'a'.
		{"[a-\xff]", "0", false, true},
		{"[a-\xff]", "b", false, false},
		{"[a-\xff]", "\xff", false, true},
		{"[a-\xff]", "\x80", false, false},
		{"[\x80-a]", "\x80", false, true},
		{"[\x80-a]", "b", false, false},
		{"*a*", "\x00a\x00", false, true},
		{"a\x00b", "a\x00b", false, true},
		{strings.Repeat("*a", 1000), strings.Repeat("a", 1200), false, true},
		{strings.Repeat("*a", 1001), strings.Repeat("a", 1200), false, false}, // nesting limit
	}
	for _, tt := range tests {
		if got := glob.MatchString(tt.pattern, tt.s, tt.nocase); got != tt.want {
			t.Errorf("Match(%q, %q, nocase=%v) = %v, want %v", tt.pattern, tt.s, tt.nocase, got, tt.want)
		}
	}
}

// TestMatchHostilePatternIsFast checks that the skip-longer-matches rule
// keeps a pattern that would be exponential in a naive matcher fast.
func TestMatchHostilePatternIsFast(t *testing.T) {
	pattern := strings.Repeat("a*", 30) + "b"
	s := strings.Repeat("a", 60)
	start := time.Now()
	if glob.MatchString(pattern, s, false) {
		t.Fatal("unexpected match")
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %v", d)
	}
}

// TestMatchAgainstRedis compares Match with redis-server's KEYS on random
// keys and patterns drawn from a small alphabet full of special bytes.
func TestMatchAgainstRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("needs redis-server")
	}
	addr := testutil.StartRedis(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()

	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("abAB*?[]^-\\\x00\xff\x80")
	randString := func(max int) string {
		b := make([]byte, r.IntN(max+1))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	keys := map[string]bool{}
	for len(keys) < 200 {
		keys[randString(5)] = true
	}
	pipe := rdb.Pipeline()
	for k := range keys {
		pipe.Set(ctx, k, "1", 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		pattern := randString(7)
		got, err := rdb.Keys(ctx, pattern).Result()
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for k := range keys {
			// KEYS answers "*" without matching, so it includes "".
			if pattern == "*" || glob.MatchString(pattern, k, false) {
				want = append(want, k)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("pattern %q: redis %q, glob %q", pattern, got, want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{"*", "abc"}, {"[a-", "a"}, {`[\`, `\`}, {"[^", "x"}, {"a*b?c", "aXbYc"},
		{"[a-\xff]", "0"}, {strings.Repeat("*a", 20) + "b", strings.Repeat("a", 40)},
	} {
		f.Add(seed[0], seed[1], false)
		f.Add(seed[0], seed[1], true)
	}
	f.Fuzz(func(t *testing.T, pattern, s string, nocase bool) {
		start := time.Now()
		got := glob.MatchString(pattern, s, nocase)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Match(%q, %q) took %v", pattern, s, d)
		}
		// Every string matches itself once its bytes are escaped.
		var escaped strings.Builder
		for i := 0; i < len(s); i++ {
			escaped.WriteByte('\\')
			escaped.WriteByte(s[i])
		}
		if !glob.MatchString(escaped.String(), s, nocase) {
			t.Fatalf("escaped %q does not match itself", s)
		}
		if pattern == "*" && s != "" && !got {
			t.Fatalf("* does not match %q", s)
		}
	})
}
