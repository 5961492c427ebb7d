package integration

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/testutil"
)

// Defaults of TestRandomDifferential: short enough to stay in the suite.
// CAIRN_RANDOM_COMMANDS=200000 makes a long run (with a fresh seed unless
// CAIRN_RANDOM_SEED is set too).
const (
	randomDefaultSeed     = 1
	randomDefaultCommands = 3000
	randomSequenceLen     = 300 // most commands per connection, after FLUSHALL
	randomMaxFailures     = 5
)

// TestRandomDifferential sends random but seeded command sequences to
// redis-server and cairn and compares the replies. Arguments come from small
// domains, so that commands collide on keys, types and edge values. A
// divergence is reported with its seed and a shrunk script that reproduces
// it (paste it into testdata/*.txt).
func TestRandomDifferential(t *testing.T) {
	seed, commands := randomSettings(t, randomDefaultSeed, randomDefaultCommands)
	newRandomRunner(t).hunt(seed, commands, func(g *cmdGen, n int) []step { return g.sequence(n) })
}

// randomSettings returns the seed and the number of commands of a random
// differential test: the defaults, or a long run with a fresh seed when
// CAIRN_RANDOM_COMMANDS is set (CAIRN_RANDOM_SEED replays one).
func randomSettings(t *testing.T, defaultSeed uint64, defaultCommands int) (seed uint64, commands int) {
	seed, commands = defaultSeed, defaultCommands
	if s := os.Getenv("CAIRN_RANDOM_COMMANDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("CAIRN_RANDOM_COMMANDS: %v", err)
		}
		commands = n
		seed = uint64(time.Now().UnixNano())
	}
	if s := os.Getenv("CAIRN_RANDOM_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CAIRN_RANDOM_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("CAIRN_RANDOM_SEED=%d, %d commands", seed, commands)
	return seed, commands
}

func newRandomRunner(t *testing.T) *randomRunner {
	return &randomRunner{
		t:         t,
		redisAddr: testutil.StartRedis(t),
		cairnAddr: testutil.StartCairn(t, nil).Addr,
	}
}

// hunt runs sequences made by gen (asked for about n commands each) until
// commands have been sent or randomMaxFailures divergences found, and
// reports each divergence with its seed and a shrunk script.
func (r *randomRunner) hunt(seed uint64, commands int, gen func(g *cmdGen, n int) []step) {
	t := r.t
	failures := 0
	for i := 0; commands > 0 && failures < randomMaxFailures; i++ {
		g := &cmdGen{r: rand.New(rand.NewPCG(seed, uint64(i)))}
		seq := gen(g, min(commands, 20+g.r.IntN(randomSequenceLen-20)))
		commands -= len(seq)
		res := r.run(seq)
		if res.at < 0 {
			continue
		}
		failures++
		shrunk := r.shrink(seq[:res.at+1])
		if sres := r.run(shrunk); sres.at >= 0 {
			res = sres
		} else { // flaky: report the original
			shrunk = seq
		}
		t.Errorf("CAIRN_RANDOM_SEED=%d sequence %d diverges at:\n\t%s\n\tredis: %s\n\tcairn: %s\nscript:\n%s",
			seed, i, shrunk[res.at].line(), res.outs[0], res.outs[1], script(shrunk[:res.at+1]))
	}
}

// mode says how two replies to a command are compared.
type mode int

const (
	exact  mode = iota
	sorted      // an unordered array (SMEMBERS, KEYS, HKEYS...)
	pairs       // an unordered array of field-value pairs (HGETALL)
	length      // random content: the type and the element count (SRANDMEMBER)
	typ         // only the RESP type (RANDOMKEY, OBJECT IDLETIME)
	nearS       // a time in seconds: equal, or both >= 0 and within 2 s
	nearMS      // a time in milliseconds: equal, or both >= 0 and within 2 s
	scan        // [cursor, keys]: keys compared sorted when both cursors are 0
	hscan       // as scan, with field-value pairs
	// refcount is OBJECT REFCOUNT: exact, but only its type in EXEC,
	// where Redis counts the queued command's own reference to the value
	// (an implementation detail cairn does not copy).
	refcount
)

// step is one generated command.
type step struct {
	args []string
	mode mode
}

// line renders the step in the script format (directive included), so a
// failure can be pasted into testdata/*.txt.
func (s step) line() string {
	var b strings.Builder
	switch s.mode {
	case sorted, pairs:
		b.WriteString("!sorted ")
	case length:
		b.WriteString("!len ")
	case typ, nearS, nearMS, scan, hscan:
		b.WriteString("!type ")
	}
	for i, a := range s.args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteArg(a))
	}
	return b.String()
}

func script(steps []step) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(s.line())
		b.WriteByte('\n')
	}
	return b.String()
}

// quoteArg writes an argument so that SplitArgs reads it back.
func quoteArg(a string) string {
	plain := a != ""
	for i := 0; i < len(a); i++ {
		if c := a[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' {
			plain = false
		}
	}
	if plain {
		return a
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(a); i++ {
		switch c := a[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// equal compares two well-formed replies as m says.
func (m mode) equal(a, b Reply) bool {
	if a.Type != b.Type {
		return false
	}
	switch m {
	case sorted:
		return bytes.Equal(canonical(a), canonical(b))
	case pairs:
		if a.Type == '%' { // RESP3 map
			return bytes.Equal(canonical(a), canonical(b))
		}
		return bytes.Equal(canonicalPairs(a), canonicalPairs(b))
	case length:
		return !a.IsAggregate() || a.N == b.N
	case typ:
		return true
	case nearS, nearMS:
		return nearTimes(m, a, b)
	case scan, hscan:
		if a.Type != '*' || a.N != 2 || b.N != 2 {
			return bytes.Equal(a.Raw, b.Raw)
		}
		if string(a.Elems[0].Raw) != "$1\r\n0\r\n" || string(b.Elems[0].Raw) != "$1\r\n0\r\n" {
			return a.Elems[1].Type == b.Elems[1].Type
		}
		if m == hscan {
			return bytes.Equal(canonicalPairs(a.Elems[1]), canonicalPairs(b.Elems[1]))
		}
		return bytes.Equal(canonical(a.Elems[1]), canonical(b.Elems[1]))
	}
	return bytes.Equal(a.Raw, b.Raw)
}

// nearTimes compares TTLs and expire times taken at slightly different
// moments on the two servers: negative values (no key, no TTL) exactly.
func nearTimes(m mode, a, b Reply) bool {
	if a.Type != ':' {
		return bytes.Equal(a.Raw, b.Raw)
	}
	x, _ := strconv.ParseInt(string(a.Raw[1:len(a.Raw)-2]), 10, 64)
	y, _ := strconv.ParseInt(string(b.Raw[1:len(b.Raw)-2]), 10, 64)
	if x < 0 || y < 0 {
		return x == y
	}
	tol := int64(2)
	if m == nearMS {
		tol = 2000
	}
	return x-y <= tol && y-x <= tol
}

// canonicalPairs renders a flat field-value array with its pairs sorted.
func canonicalPairs(r Reply) []byte {
	if r.Type != '*' || len(r.Elems)%2 != 0 {
		return r.Raw
	}
	var items [][]byte
	for i := 0; i < len(r.Elems); i += 2 {
		items = append(items, slices.Concat(r.Elems[i].Raw, r.Elems[i+1].Raw))
	}
	slices.SortFunc(items, bytes.Compare)
	return slices.Concat(append([][]byte{r.Raw[:bytes.IndexByte(r.Raw, '\n')+1]}, items...)...)
}

// randomRunner runs sequences against both servers.
type randomRunner struct {
	t                    *testing.T
	redisAddr, cairnAddr string
}

// runResult is the index of the first diverging step (-1 for none) and what
// both servers did there.
type runResult struct {
	at   int
	outs [2]outcome
}

// run sends seq on fresh connections after FLUSHALL and stops at the first
// divergence.
func (r *randomRunner) run(seq []step) runResult {
	sides := [2]*conn{
		{name: "redis", addr: r.redisAddr, timeout: replyTimeout},
		{name: "cairn", addr: r.cairnAddr, timeout: replyTimeout},
	}
	for _, c := range sides {
		if err := c.dial(); err != nil {
			r.t.Fatal(err)
		}
		defer c.nc.Close()
		if rep, _, err := c.do(encodeCommand([]string{"FLUSHALL"})); err != nil || string(rep.Raw) != "+OK\r\n" {
			r.t.Fatalf("%s: FLUSHALL: %q %v", c.name, rep.Raw, err)
		}
	}
	var queued []mode // modes of the commands queued by MULTI, for EXEC
	for i, s := range seq {
		var res runResult
		cmd := encodeCommand(s.args)
		for j, c := range sides {
			rep, extra, err := c.do(cmd)
			res.outs[j] = outcome{reps: []Reply{rep}, extra: extra, err: err, closed: closedBeforeReply(err)}
		}
		a, b := res.outs[0], res.outs[1]
		if a.err != nil || b.err != nil || len(a.extra) > 0 || len(b.extra) > 0 {
			res.at = i
			return res
		}
		ok := s.mode.equal(a.reps[0], b.reps[0])
		name := strings.ToUpper(s.args[0])
		switch {
		case string(a.reps[0].Raw) == "+QUEUED\r\n":
			queued = append(queued, s.mode)
		case name == "EXEC" && a.reps[0].Type == '*' && b.reps[0].Type == '*' && int(a.reps[0].N) == len(queued) && a.reps[0].N == b.reps[0].N:
			ok = true
			for k, m := range queued {
				if m == refcount {
					m = typ
				}
				ok = ok && m.equal(a.reps[0].Elems[k], b.reps[0].Elems[k])
			}
			queued = nil
		case name == "EXEC" || name == "DISCARD":
			queued = nil
		}
		if !ok {
			res.at = i
			return res
		}
	}
	return runResult{at: -1}
}

// shrink removes the steps (other than the last, diverging one) whose
// removal keeps the last step diverging.
func (r *randomRunner) shrink(seq []step) []step {
	seq = slices.Clone(seq)
	for i := len(seq) - 2; i >= 0; i-- {
		cand := slices.Delete(slices.Clone(seq), i, i+1)
		if r.run(cand).at == len(cand)-1 {
			seq = cand
		}
	}
	return seq
}

// cmdGen generates command sequences.
type cmdGen struct {
	r *rand.Rand
}

// Argument domains: small, so that commands collide, with edge values.
var (
	genKeys    = []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"}
	genMembers = []string{"a", "b", "c", "foo", "1", "2", "3", "-1", "10", "", "1.5", "01"}
	genInts    = []string{"0", "1", "-1", "2", "3", "10", "-10", "100",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808",
		"1e3", "abc", "", " 1", "+1", "01", "-0", "1.5", "0x10"}
	genIndexes = []string{"0", "1", "2", "3", "-1", "-2", "-3", "-100", "100",
		"9223372036854775807", "-9223372036854775808", "abc", "1.5", "+1"}
	genFloats = []string{"0", "1", "-1", "1.5", "-1.5", "0.1", "10.5", "1e3", "5.0e3",
		"3.0e-5", "1e308", "-1e308", "inf", "-inf", "nan", "abc", "", " 1", "1e400",
		"9223372036854775807", "17", "0.2", "1.1", "-0.0", "1e-10", "123456789.123456789",
		"0x10", "1.5e", ".5", "5.", "+inf", "1_0"}
	// Relative TTLs: seconds and milliseconds never give the same time, so
	// that no comparison of two expire times depends on timing.
	genTTLs   = []string{"1000", "5000", "100000", "0", "-1", "abc", "1.5", "9223372036854775807", "-9223372036854775808"}
	genPTTLs  = []string{"2000000", "7000000", "300000000", "0", "-5", "abc", "9223372036854775807"}
	genAtS    = []string{"4102444800", "4133980800", "4000000000", "0", "-1", "abc", "9223372036854775807"}
	genAtMS   = []string{"4102444800000", "4133980800000", "4000000000123", "0", "-1", "abc", "9223372036854775807"}
	genPastS  = []string{"1", "1000000000"}
	genPastMS = []string{"1", "1000000000000"}
	genCounts = []string{"0", "1", "2", "3", "5", "-1", "-2", "-5", "100", "abc", "-9223372036854775808", "9223372036854775807"}
	genPats   = []string{"*", "k*", "k[0-2]", "k?", "*1*", "[a-c]", "?", "k\\1", "nomatch",
		"k[^0-2]", "k[!1]", "k[1-]", "k[", "k[9-0]", "K*", "*k*0*", "k[\\]]", "\\", "[]", "**", "k[0-9", "?*?"}
)

func (g *cmdGen) pick(from []string) string { return from[g.r.IntN(len(from))] }
func (g *cmdGen) chance(p float64) bool     { return g.r.Float64() < p }
func (g *cmdGen) key() string               { return g.pick(genKeys) }

// Each type prefers two of the keys, so that most commands meet a value of
// their type and some meet another.
func (g *cmdGen) typedKey(first int) string {
	if g.chance(0.75) {
		return genKeys[first+g.r.IntN(2)]
	}
	return g.key()
}

func (g *cmdGen) skey() string { return g.typedKey(0) }
func (g *cmdGen) lkey() string { return g.typedKey(2) }
func (g *cmdGen) tkey() string { return g.typedKey(4) } // sets
func (g *cmdGen) hkey() string { return g.typedKey(6) }

// value is a string value: a member, an integer, or one of a few lengths at
// the encoding boundaries (embstr 44, listpack values 64).
func (g *cmdGen) value() string {
	switch g.r.IntN(10) {
	case 0:
		return g.pick(genInts)
	case 1:
		return strings.Repeat("x", g.pick2(44, 45, 64, 65))
	case 2:
		return g.pick([]string{"hello", "a\x00b", "12345678901234567890", "-5", "3.0"})
	}
	return g.pick(genMembers)
}

// pairs returns one to four key-value or field-value pairs.
func (g *cmdGen) pairs(first func() string) []string {
	var out []string
	for range 1 + g.r.IntN(4) {
		out = append(out, first(), g.value())
	}
	return out
}

func (g *cmdGen) field() string { return g.pick(genMembers) }

func (g *cmdGen) pick2(ns ...int) int { return ns[g.r.IntN(len(ns))] }

// keysOf returns one to three keys.
func (g *cmdGen) keysOf(key func() string) []string {
	ks := make([]string, 1+g.r.IntN(3))
	for i := range ks {
		ks[i] = key()
	}
	return ks
}

func (g *cmdGen) many(f func() string, min int) []string {
	n := min + g.r.IntN(4)
	out := make([]string, n)
	for i := range out {
		out[i] = f()
	}
	return out
}

// bulk returns n members of one kind, to cross an encoding threshold.
func (g *cmdGen) bulk() []string {
	n := g.pick2(127, 129, 200, 513, 600)
	size := g.pick2(1, 1, 70)
	out := make([]string, n)
	for i := range out {
		if size == 1 && g.chance(0.5) {
			out[i] = strconv.Itoa(i)
		} else {
			out[i] = fmt.Sprintf("m%0*d", size, i)
		}
	}
	return out
}

func cmd(mode mode, args ...string) step { return step{args: args, mode: mode} }

func cat(parts ...[]string) []string { return slices.Concat(parts...) }

// generator is one command's generator with its weight.
type generator struct {
	weight int
	gen    func(g *cmdGen) []step
}

// one wraps a single-step generator.
func one(weight int, f func(g *cmdGen) step) generator {
	return generator{weight, func(g *cmdGen) []step { return []step{f(g)} }}
}

func (g *cmdGen) setOptions() []string {
	var opts [][]string
	if g.chance(0.4) {
		opts = append(opts, []string{g.pick([]string{"NX", "XX", "nx"})})
	}
	if g.chance(0.3) {
		opts = append(opts, []string{"GET"})
	}
	if g.chance(0.5) {
		switch g.r.IntN(6) {
		case 0:
			opts = append(opts, []string{"EX", g.pick(genTTLs)})
		case 1:
			opts = append(opts, []string{"PX", g.pick(genPTTLs)})
		case 2:
			// No time in the past: cairn deletes at once what Redis 7.0
			// keeps until the next lookup (a deliberate divergence).
			opts = append(opts, []string{"EXAT", g.pick(genAtS)})
		case 3:
			opts = append(opts, []string{"PXAT", g.pick(genAtMS)})
		case 4:
			opts = append(opts, []string{"KEEPTTL"})
		case 5:
			opts = append(opts, []string{"EX"}) // missing value
		}
	}
	if g.chance(0.1) {
		opts = append(opts, []string{g.pick([]string{"KEEPTTL", "FOO", "XX", "PX", "EX", "1000"})})
	}
	g.r.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
	return cat(opts...)
}

func (g *cmdGen) getexOptions() []string {
	switch g.r.IntN(9) {
	case 0:
		return []string{"EX", g.pick(genTTLs)}
	case 1:
		return []string{"PX", g.pick(genPTTLs)}
	case 2:
		return []string{"EXAT", g.pick(append(genAtS, genPastS...))}
	case 3:
		return []string{"PXAT", g.pick(append(genAtMS, genPastMS...))}
	case 4:
		return []string{"PERSIST"}
	case 5:
		return []string{"EX", "1000", "PERSIST"}
	case 6:
		return []string{g.pick([]string{"FOO", "EX", "KEEPTTL"})}
	}
	return nil
}

func (g *cmdGen) scanOptions(withType bool) []string {
	var opts [][]string
	if g.chance(0.5) {
		opts = append(opts, []string{"MATCH", g.pick(append(genPats, genMembers...))})
	}
	if g.chance(0.8) {
		opts = append(opts, []string{"COUNT", g.pick([]string{"1000", "1000", "1000", "1", "0", "-1", "abc"})})
	}
	if withType && g.chance(0.3) {
		opts = append(opts, []string{"TYPE", g.pick([]string{"string", "list", "set", "hash", "zset", "foo"})})
	}
	if g.chance(0.05) {
		opts = append(opts, []string{"FOO"})
	}
	g.r.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
	return cat(opts...)
}

func (g *cmdGen) expireOptions(absolute bool) []string {
	choices := []string{"NX", "XX"}
	if absolute {
		// GT and LT with relative times would compare two expire times
		// taken a few microseconds apart: a timing race.
		choices = append(choices, "GT", "LT")
	}
	var out []string
	for g.chance(0.4) {
		out = append(out, g.pick(choices))
	}
	if g.chance(0.03) {
		out = append(out, "FOO")
	}
	return out
}

func (g *cmdGen) lposOptions() []string {
	var opts [][]string
	if g.chance(0.4) {
		opts = append(opts, []string{"RANK", g.pick([]string{"1", "2", "-1", "-2", "0", "abc", "-9223372036854775808", "9223372036854775807"})})
	}
	if g.chance(0.4) {
		opts = append(opts, []string{"COUNT", g.pick([]string{"0", "1", "2", "-1", "abc"})})
	}
	if g.chance(0.3) {
		opts = append(opts, []string{"MAXLEN", g.pick([]string{"0", "1", "2", "-1", "abc"})})
	}
	if g.chance(0.05) {
		opts = append(opts, []string{g.pick([]string{"FOO", "RANK"})})
	}
	g.r.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
	return cat(opts...)
}

func (g *cmdGen) numkeys(key func() string) (string, []string) {
	ks := g.keysOf(key)
	n := strconv.Itoa(len(ks))
	if g.chance(0.1) {
		n = g.pick([]string{"0", "-1", "abc", "5", "1"})
	}
	return n, ks
}

func (g *cmdGen) side() string { return g.pick([]string{"LEFT", "RIGHT", "left", "UP"}) }

// generators lists the command generators with weights.
func generators() []generator {
	return append(zsetGenerators(), []generator{
		// Strings.
		one(8, func(g *cmdGen) step { return cmd(exact, cat([]string{"SET", g.skey(), g.value()}, g.setOptions())...) }),
		one(5, func(g *cmdGen) step { return cmd(exact, "GET", g.skey()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "GETSET", g.skey(), g.value()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "GETDEL", g.skey()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, cat([]string{"GETEX", g.skey()}, g.getexOptions())...) }),
		one(2, func(g *cmdGen) step { return cmd(exact, cat([]string{"MGET"}, g.keysOf(g.skey))...) }),
		one(2, func(g *cmdGen) step {
			return cmd(exact, cat([]string{g.pick([]string{"MSET", "MSETNX"})}, g.pairs(g.skey))...)
		}),
		one(3, func(g *cmdGen) step { return cmd(exact, "APPEND", g.skey(), g.value()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "STRLEN", g.skey()) }),
		one(3, func(g *cmdGen) step {
			return cmd(exact, g.pick([]string{"GETRANGE", "SUBSTR"}), g.skey(), g.pick(genIndexes), g.pick(genIndexes))
		}),
		one(2, func(g *cmdGen) step {
			return cmd(exact, "SETRANGE", g.skey(), g.pick([]string{"0", "1", "3", "10", "-1", "abc", "536870912", "9223372036854775807"}), g.value())
		}),
		one(3, func(g *cmdGen) step { return cmd(exact, g.pick([]string{"INCR", "DECR"}), g.skey()) }),
		one(3, func(g *cmdGen) step {
			return cmd(exact, g.pick([]string{"INCRBY", "DECRBY"}), g.skey(), g.pick(genInts))
		}),
		one(3, func(g *cmdGen) step { return cmd(exact, "INCRBYFLOAT", g.skey(), g.pick(genFloats)) }),
		one(1, func(g *cmdGen) step { return cmd(exact, "SETNX", g.skey(), g.value()) }),
		one(1, func(g *cmdGen) step { return cmd(exact, "SETEX", g.skey(), g.pick(genTTLs), g.value()) }),
		one(1, func(g *cmdGen) step { return cmd(exact, "PSETEX", g.skey(), g.pick(genPTTLs), g.value()) }),
		one(1, func(g *cmdGen) step {
			args := []string{"LCS", g.skey(), g.skey()}
			switch g.r.IntN(4) {
			case 0:
				args = append(args, "LEN")
			case 1:
				args = append(args, "IDX")
				if g.chance(0.5) {
					args = append(args, "MINMATCHLEN", g.pick([]string{"0", "1", "2", "-1", "abc"}))
				}
				if g.chance(0.5) {
					args = append(args, "WITHMATCHLEN")
				}
			case 2:
				args = append(args, g.pick([]string{"LEN", "IDX", "FOO"}), g.pick([]string{"IDX", "LEN", "MINMATCHLEN"}))
			}
			return cmd(exact, args...)
		}),

		// Keys.
		one(3, func(g *cmdGen) step {
			return cmd(exact, cat([]string{g.pick([]string{"DEL", "UNLINK"})}, g.keysOf(g.key))...)
		}),
		one(3, func(g *cmdGen) step {
			return cmd(exact, cat([]string{g.pick([]string{"EXISTS", "TOUCH"})}, g.keysOf(g.key))...)
		}),
		one(3, func(g *cmdGen) step { return cmd(exact, "TYPE", g.key()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, g.pick([]string{"RENAME", "RENAMENX"}), g.key(), g.key()) }),
		one(2, func(g *cmdGen) step {
			args := []string{"COPY", g.key(), g.key()}
			if g.chance(0.3) {
				args = append(args, "DB", g.pick([]string{"0", "1", "16", "-1", "abc"}))
			}
			if g.chance(0.4) {
				args = append(args, g.pick([]string{"REPLACE", "REPLACE", "FOO"}))
			}
			return cmd(exact, args...)
		}),
		one(1, func(g *cmdGen) step {
			return cmd(exact, "MOVE", g.key(), g.pick([]string{"0", "1", "1", "16", "-1", "abc"}))
		}),
		one(1, func(g *cmdGen) step { return cmd(exact, "SELECT", g.pick([]string{"0", "0", "1"})) }),
		one(1, func(g *cmdGen) step { return cmd(exact, "DBSIZE") }),
		one(2, func(g *cmdGen) step { return cmd(sorted, "KEYS", g.pick(genPats)) }),
		one(2, func(g *cmdGen) step { return cmd(scan, cat([]string{"SCAN", "0"}, g.scanOptions(true))...) }),
		one(1, func(g *cmdGen) step { return cmd(typ, "RANDOMKEY") }),
		one(2, func(g *cmdGen) step {
			sub := g.pick([]string{"ENCODING", "ENCODING", "ENCODING", "REFCOUNT", "IDLETIME", "FREQ", "FOO"})
			m := exact
			switch sub {
			case "IDLETIME":
				m = typ
			case "REFCOUNT":
				m = refcount
			}
			return cmd(m, "OBJECT", sub, g.key())
		}),

		// Expire.
		one(3, func(g *cmdGen) step {
			return cmd(exact, cat([]string{"EXPIRE", g.key(), g.pick(genTTLs)}, g.expireOptions(false))...)
		}),
		one(2, func(g *cmdGen) step {
			return cmd(exact, cat([]string{"PEXPIRE", g.key(), g.pick(genPTTLs)}, g.expireOptions(false))...)
		}),
		one(2, func(g *cmdGen) step {
			return cmd(exact, cat([]string{"EXPIREAT", g.key(), g.pick(append(genAtS, genPastS...))}, g.expireOptions(true))...)
		}),
		one(2, func(g *cmdGen) step {
			return cmd(exact, cat([]string{"PEXPIREAT", g.key(), g.pick(append(genAtMS, genPastMS...))}, g.expireOptions(true))...)
		}),
		one(3, func(g *cmdGen) step { return cmd(nearS, g.pick([]string{"TTL", "EXPIRETIME"}), g.key()) }),
		one(2, func(g *cmdGen) step { return cmd(nearMS, g.pick([]string{"PTTL", "PEXPIRETIME"}), g.key()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "PERSIST", g.key()) }),

		// Lists.
		one(6, func(g *cmdGen) step {
			return cmd(exact, cat([]string{g.pick([]string{"LPUSH", "RPUSH", "LPUSHX", "RPUSHX"}), g.lkey()}, g.many(g.value, 1))...)
		}),
		one(3, func(g *cmdGen) step {
			args := []string{g.pick([]string{"LPOP", "RPOP"}), g.lkey()}
			if g.chance(0.4) {
				args = append(args, g.pick(genCounts))
			}
			return cmd(exact, args...)
		}),
		one(2, func(g *cmdGen) step { return cmd(exact, "LLEN", g.lkey()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "LINDEX", g.lkey(), g.pick(genIndexes)) }),
		one(3, func(g *cmdGen) step { return cmd(exact, "LRANGE", g.lkey(), g.pick(genIndexes), g.pick(genIndexes)) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "LSET", g.lkey(), g.pick(genIndexes), g.value()) }),
		one(2, func(g *cmdGen) step {
			return cmd(exact, "LINSERT", g.lkey(), g.pick([]string{"BEFORE", "AFTER", "after", "MIDDLE"}), g.field(), g.value())
		}),
		one(2, func(g *cmdGen) step { return cmd(exact, "LREM", g.lkey(), g.pick(genCounts), g.pick(genMembers)) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "LTRIM", g.lkey(), g.pick(genIndexes), g.pick(genIndexes)) }),
		one(2, func(g *cmdGen) step {
			return cmd(exact, cat([]string{"LPOS", g.lkey(), g.pick(genMembers)}, g.lposOptions())...)
		}),
		one(2, func(g *cmdGen) step { return cmd(exact, "LMOVE", g.lkey(), g.lkey(), g.side(), g.side()) }),
		one(1, func(g *cmdGen) step { return cmd(exact, "RPOPLPUSH", g.lkey(), g.lkey()) }),
		one(2, func(g *cmdGen) step {
			n, ks := g.numkeys(g.lkey)
			args := cat([]string{"LMPOP", n}, ks, []string{g.side()})
			if g.chance(0.4) {
				args = append(args, "COUNT", g.pick(genCounts))
			}
			return cmd(exact, args...)
		}),

		// Sets.
		one(6, func(g *cmdGen) step { return cmd(exact, cat([]string{"SADD", g.tkey()}, g.many(g.value, 1))...) }),
		one(3, func(g *cmdGen) step { return cmd(exact, cat([]string{"SREM", g.tkey()}, g.many(g.value, 1))...) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "SCARD", g.tkey()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "SISMEMBER", g.tkey(), g.value()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, cat([]string{"SMISMEMBER", g.tkey()}, g.many(g.value, 1))...) }),
		one(3, func(g *cmdGen) step { return cmd(sorted, "SMEMBERS", g.tkey()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "SMOVE", g.tkey(), g.tkey(), g.value()) }),
		one(3, func(g *cmdGen) step {
			return cmd(sorted, cat([]string{g.pick([]string{"SDIFF", "SINTER", "SUNION"})}, g.keysOf(g.tkey))...)
		}),
		one(2, func(g *cmdGen) step {
			return cmd(exact, cat([]string{g.pick([]string{"SDIFFSTORE", "SINTERSTORE", "SUNIONSTORE"}), g.tkey()}, g.keysOf(g.tkey))...)
		}),
		one(2, func(g *cmdGen) step {
			n, ks := g.numkeys(g.tkey)
			args := cat([]string{"SINTERCARD", n}, ks)
			if g.chance(0.4) {
				args = append(args, "LIMIT", g.pick([]string{"0", "1", "2", "-1", "abc"}))
			}
			return cmd(exact, args...)
		}),
		one(2, func(g *cmdGen) step {
			args := []string{"SRANDMEMBER", g.tkey()}
			if g.chance(0.6) {
				args = append(args, g.pick(genCounts))
			}
			return cmd(length, args...)
		}),
		{2, func(g *cmdGen) []step {
			// SPOP leaves different sets on the two sides: the DEL that
			// follows (in the same transaction, if any) brings them back
			// in step.
			k := g.tkey()
			args := []string{"SPOP", k}
			if g.chance(0.5) {
				args = append(args, g.pick(genCounts))
			}
			return []step{cmd(length, args...), cmd(exact, "DEL", k)}
		}},
		one(2, func(g *cmdGen) step { return cmd(scan, cat([]string{"SSCAN", g.tkey(), "0"}, g.scanOptions(false))...) }),

		// SORT and SORT_RO.
		{2, (*cmdGen).sort},

		// Hashes.
		one(6, func(g *cmdGen) step {
			return cmd(exact, cat([]string{g.pick([]string{"HSET", "HMSET"}), g.hkey()}, g.pairs(g.field))...)
		}),
		one(2, func(g *cmdGen) step { return cmd(exact, "HSETNX", g.hkey(), g.field(), g.value()) }),
		one(3, func(g *cmdGen) step { return cmd(exact, "HGET", g.hkey(), g.field()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, cat([]string{"HMGET", g.hkey()}, g.many(g.field, 1))...) }),
		one(3, func(g *cmdGen) step { return cmd(exact, cat([]string{"HDEL", g.hkey()}, g.many(g.field, 1))...) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "HLEN", g.hkey()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, g.pick([]string{"HSTRLEN", "HEXISTS"}), g.hkey(), g.field()) }),
		one(3, func(g *cmdGen) step { return cmd(exact, "HINCRBY", g.hkey(), g.field(), g.pick(genInts)) }),
		one(3, func(g *cmdGen) step { return cmd(exact, "HINCRBYFLOAT", g.hkey(), g.field(), g.pick(genFloats)) }),
		one(3, func(g *cmdGen) step { return cmd(sorted, g.pick([]string{"HKEYS", "HVALS"}), g.hkey()) }),
		one(2, func(g *cmdGen) step { return cmd(pairs, "HGETALL", g.hkey()) }),
		one(2, func(g *cmdGen) step {
			args := []string{"HRANDFIELD", g.hkey()}
			if g.chance(0.6) {
				args = append(args, g.pick(genCounts))
				if g.chance(0.5) {
					args = append(args, g.pick([]string{"WITHVALUES", "WITHVALUES", "FOO"}))
				}
			}
			return cmd(length, args...)
		}),
		one(2, func(g *cmdGen) step {
			return cmd(hscan, cat([]string{"HSCAN", g.hkey(), "0"}, g.scanOptions(false))...)
		}),

		// Big values, to cross the encoding thresholds.
		one(1, func(g *cmdGen) step {
			m := g.bulk()
			switch g.r.IntN(3) {
			case 0:
				return cmd(exact, cat([]string{"RPUSH", g.key()}, m)...)
			case 1:
				return cmd(exact, cat([]string{"SADD", g.key()}, m)...)
			}
			var fv []string
			for _, f := range m {
				fv = append(fv, f, f)
			}
			return cmd(exact, cat([]string{"HSET", g.key()}, fv)...)
		}),

		// Keyspace-wide writes, which also touch WATCHed keys.
		one(1, func(g *cmdGen) step {
			if g.chance(0.5) {
				return cmd(exact, "SWAPDB", g.pick([]string{"0", "1"}), g.pick([]string{"0", "1", "16", "abc"}))
			}
			return cmd(exact, "FLUSHDB")
		}),

		// Stray transaction commands (blocks are made by sequence).
		one(1, func(g *cmdGen) step {
			return cmd(exact, g.pick([]string{"MULTI", "EXEC", "DISCARD", "UNWATCH", "WATCH"}))
		}),
	}...)
}

// sort generates a SORT or SORT_RO of a list or a set. A numeric sort
// reads the elements only, never a BY key: Redis 7.0 keeps strtod's ERANGE
// from one SORT to the next (see testdata/sort.txt), and INCRBYFLOAT and
// HINCRBYFLOAT leave values that overflow a double. Ties of ALPHA, and BY
// nosort, leave a set's elements in its own order, which the two servers
// do not share: those replies are compared sorted, or by length with a
// LIMIT, and a list they store is deleted again.
func (g *cmdGen) sort() []step {
	name := g.pick([]string{"SORT", "SORT", "SORT_RO"})
	args := []string{name, g.pick([]string{g.lkey(), g.tkey()})}
	alpha := g.chance(0.4)
	var by string
	switch {
	case g.chance(0.6):
	case alpha:
		by = g.pick([]string{"k*", "k*->a", "k*->1", "*", "nokey_*", "k*->", "nosort"})
	default:
		by = g.pick([]string{"nosort", "NOSORT", "k"})
	}
	if by != "" {
		args = append(args, "BY", by)
	}
	limit := g.chance(0.3)
	if limit {
		args = append(args, "LIMIT", g.pick(genIndexes), g.pick(genCounts))
	}
	for range g.pick2(0, 0, 1, 2) {
		args = append(args, "GET", g.pick([]string{"#", "k*", "k*->a", "nokey_*", "k"}))
	}
	if g.chance(0.3) {
		args = append(args, g.pick([]string{"ASC", "DESC", "desc"}))
	}
	if alpha {
		args = append(args, "ALPHA")
	}
	m := exact
	if alpha || by != "" && !strings.Contains(by, "*") {
		m = sorted
		if limit {
			m = length
		}
	}
	dst := ""
	if g.chance(0.3) {
		dst = g.lkey()
		args = append(args, "STORE", dst)
	}
	if g.chance(0.05) {
		args = append(args, g.pick([]string{"FOO", "LIMIT", "STORE"}))
	}
	steps := []step{cmd(m, args...)}
	if !alpha {
		// Any ERANGE of the server's strtod before (a ZADD of 1e400 from
		// any client) would stay in Redis's errno for this SORT to read.
		// A WEIGHTS argument goes through string2d, which clears errno.
		steps = append([]step{cmd(exact, "ZUNION", "1", "nokey", "WEIGHTS", "1")}, steps...)
	}
	if dst != "" && alpha && strings.Contains(by, "*") {
		steps = append(steps, cmd(exact, "DEL", dst))
	}
	return steps
}

// command generates one command (or a command and its resync).
func (g *cmdGen) command(gens []generator, total int) []step {
	n := g.r.IntN(total)
	for _, gen := range gens {
		if n -= gen.weight; n < 0 {
			steps := gen.gen(g)
			if g.chance(0.05) {
				steps[0].args[0] = strings.ToLower(steps[0].args[0])
			}
			if g.chance(0.04) {
				steps[0].args = g.mutate(steps[0].args)
			}
			return steps
		}
	}
	panic("weights do not add up")
}

// mutate changes the arity or one argument of a command.
func (g *cmdGen) mutate(args []string) []string {
	name := strings.ToUpper(args[0])
	if len(args) > 1 && slices.Contains(genLexKeys, args[1]) {
		// A score other than 0 there would make lex ranges depend on
		// Redis's random skiplist levels.
		return args
	}
	switch name {
	case "SRANDMEMBER", "HRANDFIELD", "SETRANGE", "SET", "SPOP", "SCAN", "SSCAN", "HSCAN",
		"BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "ZRANDMEMBER", "ZSCAN",
		"EXPIRE", "PEXPIRE", "SETEX", "PSETEX", "GETEX":
		// A huge negative count or offset costs gigabytes on both sides;
		// a past EXAT/PXAT in SET is a known divergence; a cursor other
		// than 0 means something different to each server; a timeout of
		// 0 could block for ever; a TTL of a few ms is a timing race.
		return args
	}
	args = slices.Clone(args)
	switch g.r.IntN(3) {
	case 0:
		if len(args) > 1 {
			return args[:len(args)-1]
		}
	case 1:
		return append(args, g.pick(genInts))
	}
	if len(args) > 1 {
		args[1+g.r.IntN(len(args)-1)] = g.pick(slices.Concat(genInts, genMembers, genKeys))
	}
	return args
}

// blockingGenerators are the blocking list commands, generated only in
// MULTI, where they do not block. The timeouts are short anyway, as a
// stray EXEC in the block may run them outside: an empty key waits 10 ms
// on both sides.
func blockingGenerators() []generator {
	timeout := func(g *cmdGen) string { return g.pick([]string{"0.01", "0.01", "-1", "abc", "1e400"}) }
	return append(zsetBlockingGenerators(timeout), []generator{
		one(2, func(g *cmdGen) step {
			return cmd(exact, cat([]string{g.pick([]string{"BLPOP", "BRPOP"})}, g.keysOf(g.lkey), []string{timeout(g)})...)
		}),
		one(1, func(g *cmdGen) step { return cmd(exact, "BLMOVE", g.lkey(), g.lkey(), g.side(), g.side(), timeout(g)) }),
		one(1, func(g *cmdGen) step { return cmd(exact, "BRPOPLPUSH", g.lkey(), g.lkey(), timeout(g)) }),
		one(1, func(g *cmdGen) step {
			n, ks := g.numkeys(g.lkey)
			args := cat([]string{"BLMPOP", timeout(g), n}, ks, []string{g.side()})
			if g.chance(0.4) {
				args = append(args, "COUNT", g.pick(genCounts))
			}
			return cmd(exact, args...)
		}),
	}...)
}

func totalWeight(gens []generator) int {
	total := 0
	for _, gen := range gens {
		total += gen.weight
	}
	return total
}

// sequence generates about n commands, with MULTI/EXEC/DISCARD and WATCH
// blocks among them.
func (g *cmdGen) sequence(n int) []step {
	gens, blocking := generators(), blockingGenerators()
	total, totalBlocking := totalWeight(gens), totalWeight(blocking)
	var seq []step
	if g.chance(0.15) {
		seq = append(seq, cmd(typ, "HELLO", "3"))
	}
	for len(seq) < n {
		if !g.chance(0.06) {
			seq = append(seq, g.command(gens, total)...)
			continue
		}
		if g.chance(0.5) {
			seq = append(seq, cmd(exact, cat([]string{"WATCH"}, g.keysOf(g.key))...))
			for range g.r.IntN(3) {
				seq = append(seq, g.command(gens, total)...)
			}
		}
		seq = append(seq, cmd(exact, "MULTI"))
		for range 1 + g.r.IntN(5) {
			if g.chance(0.15) {
				seq = append(seq, g.command(blocking, totalBlocking)...)
			} else {
				seq = append(seq, g.command(gens, total)...)
			}
		}
		seq = append(seq, cmd(exact, g.pick([]string{"EXEC", "EXEC", "EXEC", "DISCARD"})))
	}
	return seq
}
