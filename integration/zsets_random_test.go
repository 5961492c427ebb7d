package integration

// Generators of TestRandomDifferential for sorted sets, HyperLogLogs and
// bits of strings, over the same keys as the other types so that they
// meet WRONGTYPE, other encodings and each other.

var (
	genScores = []string{"0", "1", "-1", "2", "3", "1.5", "-2.5", "0.1", "10", "1e308", "-1e308",
		"inf", "-inf", "+inf", "-0", "nan", "abc", "", "1e400", "0x10", "17"}
	genScoreBounds = []string{"-inf", "+inf", "inf", "0", "1", "(1", "2", "(2", "-1", "(-1", "1.5", "(inf",
		"(-inf", "abc", "((1", "[1", "", "nan"}
	genLexBounds = []string{"-", "+", "[a", "(a", "[b", "(c", "[foo", "(1", "[10", "[", "(", "a", "+x", ""}
	genWeights   = []string{"1", "2", "0", "-1", "0.5", "inf", "-inf", "abc", "1e308"}
	genZKeys     = []string{"k8", "k9"}
	// genLexKeys hold sorted sets whose members all score 0: Redis's lex
	// ranges over a skiplist of mixed scores depend on its random levels,
	// so lex commands go to these only (mixed scores in a listpack are in
	// zsets.txt).
	genLexKeys = []string{"l0", "l1"}
)

func (g *cmdGen) lexKey() string { return g.pick(genLexKeys) }

func (g *cmdGen) zkey() string {
	if g.chance(0.75) {
		return g.pick(genZKeys)
	}
	return g.key()
}

// zaddOptions returns ZADD's options, compatible or not.
func (g *cmdGen) zaddOptions() []string {
	var out []string
	for _, o := range []string{"NX", "XX", "GT", "LT", "CH", "INCR"} {
		if g.chance(0.12) {
			out = append(out, o)
		}
	}
	return out
}

// zlimit returns LIMIT offset count, or nothing.
func (g *cmdGen) zlimit() []string {
	if !g.chance(0.3) {
		return nil
	}
	return []string{"LIMIT", g.pick([]string{"0", "1", "2", "-1", "5", "abc"}), g.pick([]string{"0", "1", "2", "-1", "10"})}
}

func (g *cmdGen) withScores() []string {
	if g.chance(0.5) {
		return []string{"WITHSCORES"}
	}
	return nil
}

// zsetOpOptions returns the options of ZUNION and ZINTER for n keys.
func (g *cmdGen) zsetOpOptions(n int) []string {
	var out []string
	if g.chance(0.3) {
		out = append(out, "WEIGHTS")
		for range n {
			out = append(out, g.pick(genWeights))
		}
	}
	if g.chance(0.3) {
		out = append(out, "AGGREGATE", g.pick([]string{"SUM", "MIN", "MAX", "max", "AVG"}))
	}
	return out
}

func zsetGenerators() []generator {
	return []generator{
		one(8, func(g *cmdGen) step {
			args := cat([]string{"ZADD", g.zkey()}, g.zaddOptions())
			for range 1 + g.r.IntN(4) {
				args = append(args, g.pick(genScores), g.value())
			}
			return cmd(exact, args...)
		}),
		one(3, func(g *cmdGen) step { return cmd(exact, "ZINCRBY", g.zkey(), g.pick(genScores), g.value()) }),
		one(3, func(g *cmdGen) step { return cmd(exact, cat([]string{"ZREM", g.zkey()}, g.many(g.value, 1))...) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "ZCARD", g.zkey()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, "ZSCORE", g.zkey(), g.value()) }),
		one(2, func(g *cmdGen) step { return cmd(exact, cat([]string{"ZMSCORE", g.zkey()}, g.many(g.value, 1))...) }),
		one(2, func(g *cmdGen) step { return cmd(exact, g.pick([]string{"ZRANK", "ZREVRANK"}), g.zkey(), g.value()) }),
		one(2, func(g *cmdGen) step {
			return cmd(exact, "ZCOUNT", g.zkey(), g.pick(genScoreBounds), g.pick(genScoreBounds))
		}),
		one(2, func(g *cmdGen) step {
			return cmd(exact, "ZLEXCOUNT", g.lexKey(), g.pick(genLexBounds), g.pick(genLexBounds))
		}),
		one(4, func(g *cmdGen) step {
			name := g.pick([]string{"ZRANGE", "ZREVRANGE"})
			args := []string{name, g.zkey(), g.pick(genIndexes), g.pick(genIndexes)}
			if name == "ZRANGE" && g.chance(0.3) {
				args = append(args, "REV")
			}
			return cmd(exact, cat(args, g.withScores())...)
		}),
		one(4, func(g *cmdGen) step {
			name := g.pick([]string{"ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZRANGE"})
			args := []string{name, g.zkey(), g.pick(genScoreBounds), g.pick(genScoreBounds)}
			if name == "ZRANGE" {
				args = append(args, "BYSCORE")
				if g.chance(0.4) {
					args = append(args, "REV")
				}
			}
			return cmd(exact, cat(args, g.withScores(), g.zlimit())...)
		}),
		one(3, func(g *cmdGen) step {
			name := g.pick([]string{"ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZRANGE"})
			args := []string{name, g.lexKey(), g.pick(genLexBounds), g.pick(genLexBounds)}
			if name == "ZRANGE" {
				args = append(args, "BYLEX")
				if g.chance(0.4) {
					args = append(args, "REV")
				}
			}
			return cmd(exact, cat(args, g.zlimit())...)
		}),
		one(2, func(g *cmdGen) step {
			args := []string{"ZRANGESTORE", g.zkey(), g.zkey()}
			switch g.r.IntN(3) {
			case 0:
				args = append(args, g.pick(genIndexes), g.pick(genIndexes))
			case 1:
				args = cat(args, []string{g.pick(genScoreBounds), g.pick(genScoreBounds), "BYSCORE"}, g.zlimit())
			default:
				args = cat([]string{"ZRANGESTORE", g.lexKey(), g.lexKey(), g.pick(genLexBounds), g.pick(genLexBounds), "BYLEX"}, g.zlimit())
			}
			return cmd(exact, args...)
		}),
		one(2, func(g *cmdGen) step {
			switch g.r.IntN(3) {
			case 0:
				return cmd(exact, "ZREMRANGEBYRANK", g.zkey(), g.pick(genIndexes), g.pick(genIndexes))
			case 1:
				return cmd(exact, "ZREMRANGEBYSCORE", g.zkey(), g.pick(genScoreBounds), g.pick(genScoreBounds))
			}
			return cmd(exact, "ZREMRANGEBYLEX", g.lexKey(), g.pick(genLexBounds), g.pick(genLexBounds))
		}),
		one(3, func(g *cmdGen) step {
			args := []string{g.pick([]string{"ZPOPMIN", "ZPOPMAX"}), g.zkey()}
			if g.chance(0.5) {
				args = append(args, g.pick(genCounts))
			}
			return cmd(exact, args...)
		}),
		one(2, func(g *cmdGen) step {
			n, ks := g.numkeys(g.zkey)
			args := cat([]string{"ZMPOP", n}, ks, []string{g.pick([]string{"MIN", "MAX", "max", "LEFT"})})
			if g.chance(0.4) {
				args = append(args, "COUNT", g.pick(genCounts))
			}
			return cmd(exact, args...)
		}),
		one(3, func(g *cmdGen) step {
			op := g.pick([]string{"ZUNION", "ZINTER", "ZDIFF"})
			n, ks := g.numkeys(g.zkey)
			args := cat([]string{op, n}, ks)
			if op != "ZDIFF" {
				args = append(args, g.zsetOpOptions(len(ks))...)
			}
			return cmd(exact, cat(args, g.withScores())...)
		}),
		one(3, func(g *cmdGen) step {
			op := g.pick([]string{"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"})
			n, ks := g.numkeys(g.zkey)
			args := cat([]string{op, g.zkey(), n}, ks)
			if op != "ZDIFFSTORE" {
				args = append(args, g.zsetOpOptions(len(ks))...)
			}
			return cmd(exact, args...)
		}),
		one(1, func(g *cmdGen) step {
			n, ks := g.numkeys(g.zkey)
			args := cat([]string{"ZINTERCARD", n}, ks)
			if g.chance(0.4) {
				args = append(args, "LIMIT", g.pick([]string{"0", "1", "2", "-1", "abc"}))
			}
			return cmd(exact, args...)
		}),
		one(2, func(g *cmdGen) step {
			args := []string{"ZRANDMEMBER", g.zkey()}
			if g.chance(0.6) {
				args = append(args, g.pick(genCounts))
				if g.chance(0.5) {
					args = append(args, g.pick([]string{"WITHSCORES", "WITHSCORES", "FOO"}))
				}
			}
			return cmd(length, args...)
		}),
		one(2, func(g *cmdGen) step {
			return cmd(hscan, cat([]string{"ZSCAN", g.zkey(), "0"}, g.scanOptions(false))...)
		}),
		one(3, func(g *cmdGen) step {
			args := []string{"ZADD", g.lexKey()}
			members := g.many(g.value, 1)
			if g.chance(0.1) {
				members = g.bulk()
			}
			for _, m := range members {
				args = append(args, "0", m)
			}
			return cmd(exact, args...)
		}),
		one(1, func(g *cmdGen) step { return cmd(exact, cat([]string{"ZREM", g.lexKey()}, g.many(g.value, 1))...) }),
		// Big sorted sets cross the listpack thresholds (128 entries, 64
		// bytes).
		one(1, func(g *cmdGen) step {
			args := []string{"ZADD", g.zkey()}
			for i, m := range g.bulk() {
				args = append(args, g.pick([]string{"0", "1", "2.5", "-3"})+string(rune('0'+i%10)), m)
			}
			return cmd(exact, args...)
		}),

		// HyperLogLogs on the string keys, which hold other strings too.
		one(2, func(g *cmdGen) step { return cmd(exact, cat([]string{"PFADD", g.skey()}, g.many(g.value, 0))...) }),
		one(2, func(g *cmdGen) step { return cmd(exact, cat([]string{"PFCOUNT"}, g.keysOf(g.skey))...) }),
		one(1, func(g *cmdGen) step { return cmd(exact, cat([]string{"PFMERGE", g.skey()}, g.keysOf(g.skey))...) }),
		// Bits of strings.
		one(2, func(g *cmdGen) step {
			return cmd(exact, "SETBIT", g.skey(), g.pick([]string{"0", "1", "7", "8", "100", "-1", "abc"}), g.pick([]string{"0", "1", "2"}))
		}),
		one(1, func(g *cmdGen) step { return cmd(exact, "GETBIT", g.skey(), g.pick([]string{"0", "1", "7", "100"})) }),
		one(1, func(g *cmdGen) step {
			args := []string{"BITCOUNT", g.skey()}
			if g.chance(0.5) {
				args = append(args, g.pick(genIndexes), g.pick(genIndexes))
			}
			return cmd(exact, args...)
		}),
	}
}

// zsetBlockingGenerators are the blocking sorted set pops, generated only
// in MULTI (see blockingGenerators).
func zsetBlockingGenerators(timeout func(g *cmdGen) string) []generator {
	return []generator{
		one(2, func(g *cmdGen) step {
			return cmd(exact, cat([]string{g.pick([]string{"BZPOPMIN", "BZPOPMAX"})}, g.keysOf(g.zkey), []string{timeout(g)})...)
		}),
		one(1, func(g *cmdGen) step {
			n, ks := g.numkeys(g.zkey)
			args := cat([]string{"BZMPOP", timeout(g), n}, ks, []string{g.pick([]string{"MIN", "MAX"})})
			if g.chance(0.4) {
				args = append(args, "COUNT", g.pick(genCounts))
			}
			return cmd(exact, args...)
		}),
	}
}
