package commands

import (
	"errors"
	"fmt"
	"strings"
)

// The argument trees of COMMAND DOCS are derived from each command's
// Syntax, written in redis.io's notation:
//
//	key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL]
//
//   - An upper-case word (no lower-case letter) is a literal token: NX,
//     KEEPTTL, NO-EVICT. Any other word names an argument: key, seconds,
//     ip:port, yes/no.
//   - "[ ... ]" is an optional group, "< ... >" a required one; "a | b"
//     inside a group (or at the top level) are alternatives (oneof).
//   - "X [X ...]" means X one or more times and "[X [X ...]]" zero or
//     more; X may be several words ("GET pattern [GET pattern ...]",
//     "key value [key value ...]"). A repeated oneof is written
//     "<a | b [a | b ...]>" or "<a | b> [a | b ...]". "[X ...]" alone and
//     "X ..." are accepted too.
//   - A token followed by one argument gives that argument its token
//     ("EX seconds", "TYPE <NORMAL | MASTER>"); a longer sequence is a
//     block ("LIMIT offset count"). At the top level each item is an
//     argument of its own: a required block there is written in < >
//     ("<GROUP group consumer>").
//   - Redis names a group after its members joined by "_" (nx_xx,
//     offset_count) unless its declaration says otherwise. Where it does,
//     a group may start with a label: "[condition: NX | XX]",
//     "<filter: ip:port | ...>". Labels do not show in hints.
//
// An argument's type follows from its name: see argTypeFor.

// Argument types of COMMAND DOCS.
const (
	argString    = "string"
	argInteger   = "integer"
	argDouble    = "double"
	argKey       = "key"
	argPattern   = "pattern"
	argUnixTime  = "unix-time"
	argPureToken = "pure-token"
	argOneOf     = "oneof"
	argBlock     = "block"
)

// docArg is one argument as COMMAND DOCS describes it.
type docArg struct {
	Name  string
	Type  string
	Token string
	// Optional, Multiple and MultipleToken are the argument flags;
	// MultipleToken means the token is repeated with each value.
	Optional, Multiple, MultipleToken bool
	// Args are the members of a oneof or a block.
	Args []*docArg
}

// maxSyntaxDepth bounds the nesting of groups, so that no Syntax, however
// odd, can exhaust the stack.
const maxSyntaxDepth = 32

// synNode is a parsed piece of Syntax before it becomes a docArg.
type synNode struct {
	// word is set for a single word; alts for a group.
	word string
	alts [][]*synNode
	// label names a group explicitly ("condition" in "[condition: NX | XX]").
	label    string
	optional bool
	multiple bool
	// ellipsis is a "..." that ends a group: the group repeats what
	// precedes it.
	ellipsis bool
	// repeat marks a group "[X ...]" not yet matched with the X it
	// repeats.
	repeat bool
}

// parseSyntax parses a Syntax string into COMMAND DOCS arguments; typeOf
// gives the type of a named argument. An empty syntax has no arguments.
func parseSyntax(syntax string, typeOf func(name string) string) ([]*docArg, error) {
	p := &synParser{toks: lexSyntax(syntax)}
	if len(p.toks) == 0 {
		return nil, nil
	}
	alts, err := p.parseAlts("")
	if err != nil {
		return nil, err
	}
	b := argBuilder{typeOf: typeOf}
	if len(alts) > 1 {
		a, err := b.group(&synNode{alts: alts})
		if err != nil {
			return nil, err
		}
		return []*docArg{a}, nil
	}
	// At the top level each item is an argument of its own: "key seconds"
	// is two arguments, not a block.
	args := make([]*docArg, 0, len(alts[0]))
	for _, n := range alts[0] {
		a, err := b.node(n)
		if err != nil {
			return nil, err
		}
		args = append(args, a)
	}
	return args, nil
}

// lexSyntax splits a Syntax into words and the punctuation [ ] < > | and
// "...".
func lexSyntax(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case strings.IndexByte("[]<>|", c) >= 0:
			toks = append(toks, s[i:i+1])
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\r\n[]<>|", s[j]) < 0 {
				j++
			}
			w := s[i:j]
			if w != "..." && strings.HasSuffix(w, "...") {
				toks = append(toks, w[:len(w)-3], "...")
			} else {
				toks = append(toks, w)
			}
			i = j
		}
	}
	return toks
}

type synParser struct {
	toks  []string
	i     int
	depth int
}

func (p *synParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

// parseAlts parses "seq | seq | ..." up to closer, which it consumes; ""
// means the end of the input.
func (p *synParser) parseAlts(closer string) ([][]*synNode, error) {
	var alts [][]*synNode
	for {
		seq, err := p.parseSeq()
		if err != nil {
			return nil, err
		}
		if len(seq) == 0 {
			return nil, fmt.Errorf("empty alternative before %q", p.peek())
		}
		alts = append(alts, seq)
		if p.peek() != "|" {
			break
		}
		p.i++
	}
	if p.i == len(p.toks) {
		if closer != "" {
			return nil, fmt.Errorf("missing %q", closer)
		}
		return alts, nil
	}
	if p.toks[p.i] != closer {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.i])
	}
	p.i++
	return alts, nil
}

// parseSeq parses items up to "|", a closing bracket or the end.
func (p *synParser) parseSeq() ([]*synNode, error) {
	var seq []*synNode
	for p.i < len(p.toks) {
		switch t := p.toks[p.i]; t {
		case "|", "]", ">":
			return seq, nil
		case "[", "<":
			p.i++
			n, err := p.parseGroup(t)
			if err != nil {
				return nil, err
			}
			seq = append(seq, n)
			seq = foldRepeat(seq)
		case "...":
			p.i++
			if next := p.peek(); next == "]" || next == ">" {
				seq = append(seq, &synNode{ellipsis: true})
				continue
			}
			if len(seq) == 0 || seq[len(seq)-1].ellipsis {
				return nil, errors.New(`"..." repeats nothing`)
			}
			last := seq[len(seq)-1]
			seq[len(seq)-1] = &synNode{alts: [][]*synNode{{last}}, multiple: true}
		default:
			p.i++
			seq = append(seq, &synNode{word: t})
		}
	}
	return seq, nil
}

// parseGroup parses a group after its opening bracket.
func (p *synParser) parseGroup(open string) (*synNode, error) {
	if p.depth >= maxSyntaxDepth {
		return nil, errors.New("groups nested too deeply")
	}
	p.depth++
	defer func() { p.depth-- }()
	n := &synNode{optional: open == "["}
	if w := p.peek(); isLabel(w) && p.i+1 < len(p.toks) {
		n.label = w[:len(w)-1]
		p.i++
	}
	closer := "]"
	if open == "<" {
		closer = ">"
	}
	alts, err := p.parseAlts(closer)
	if err != nil {
		return nil, err
	}
	last := alts[len(alts)-1]
	if last[len(last)-1].ellipsis {
		if len(last) == 1 {
			return nil, errors.New(`"..." repeats nothing`)
		}
		alts[len(alts)-1] = last[:len(last)-1]
		n.alts = alts
		n.repeat = true
		return n, nil
	}
	// "<a | b [a | b ...]>": the last alternative ends with a repetition
	// of all the alternatives, so the group itself repeats.
	if r := last[len(last)-1]; r.repeat && len(last) > 1 {
		rest := append(alts[:len(alts)-1:len(alts)-1], last[:len(last)-1])
		if canonAlts(r.alts) == canonAlts(rest) {
			alts = rest
			n.multiple = true
		}
	}
	n.alts = alts
	return n, nil
}

// foldRepeat turns "X [X ...]" at the end of seq into one repeated item.
// A repetition that matches nothing before it is left for the enclosing
// group, and otherwise stands alone ("[key ...]": zero or more).
func foldRepeat(seq []*synNode) []*synNode {
	r := seq[len(seq)-1]
	if !r.repeat {
		return seq
	}
	head := seq[:len(seq)-1]
	if len(r.alts) == 1 {
		k := len(r.alts[0])
		if k <= len(head) && canonSeq(head[len(head)-k:]) == canonSeq(r.alts[0]) {
			x := append([]*synNode(nil), head[len(head)-k:]...)
			return append(head[:len(head)-k], &synNode{alts: [][]*synNode{x}, multiple: true})
		}
		return seq
	}
	if len(head) > 0 {
		prev := head[len(head)-1]
		if prev.word == "" && !prev.repeat && !prev.multiple && canonAlts(prev.alts) == canonAlts(r.alts) {
			prev.multiple = true
			return head
		}
	}
	return seq
}

// isLabel reports whether w is a group label such as "condition:".
func isLabel(w string) bool {
	if len(w) < 2 || w[len(w)-1] != ':' {
		return false
	}
	for i := 0; i < len(w)-1; i++ {
		c := w[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// canonSeq renders a sequence in a normal form, to recognise "X [X ...]".
func canonSeq(seq []*synNode) string {
	parts := make([]string, len(seq))
	for i, n := range seq {
		parts[i] = canon(n)
	}
	return strings.Join(parts, " ")
}

func canonAlts(alts [][]*synNode) string {
	parts := make([]string, len(alts))
	for i, a := range alts {
		parts[i] = canonSeq(a)
	}
	return strings.Join(parts, " | ")
}

func canon(n *synNode) string {
	switch {
	case n.ellipsis:
		return "..."
	case n.alts == nil:
		return n.word
	}
	s := "<" + canonAlts(n.alts) + ">"
	if n.optional {
		s = "[" + canonAlts(n.alts) + "]"
	}
	if n.multiple || n.repeat {
		s += "..."
	}
	return s
}

// isToken reports whether a word is a literal token: it has no lower-case
// letter.
func isToken(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= 'a' && w[i] <= 'z' {
			return false
		}
	}
	return true
}

func isTokenNode(n *synNode) bool {
	return n.alts == nil && !n.ellipsis && isToken(n.word)
}

// argBuilder turns parsed nodes into docArgs.
type argBuilder struct {
	typeOf func(name string) string
}

func (b argBuilder) node(n *synNode) (*docArg, error) {
	switch {
	case n.ellipsis:
		return nil, errors.New(`misplaced "..."`)
	case isTokenNode(n):
		return &docArg{Name: strings.ToLower(n.word), Type: argPureToken, Token: n.word}, nil
	case n.alts == nil:
		return &docArg{Name: n.word, Type: b.typeOf(n.word)}, nil
	}
	return b.group(n)
}

func (b argBuilder) group(n *synNode) (*docArg, error) {
	var a *docArg
	if len(n.alts) == 1 {
		var err error
		if a, err = b.seq(n.alts[0], n.label != ""); err != nil {
			return nil, err
		}
	} else {
		a = &docArg{Type: argOneOf}
		names := make([]string, len(n.alts))
		for i, alt := range n.alts {
			m, err := b.seq(alt, false)
			if err != nil {
				return nil, err
			}
			a.Args = append(a.Args, m)
			names[i] = m.Name
		}
		a.Name = strings.Join(names, "_")
	}
	if n.label != "" {
		a.Name = n.label
	}
	if n.optional {
		a.Optional = true
	}
	if n.multiple || n.repeat {
		a.Multiple = true
		a.MultipleToken = a.Token != ""
	}
	return a, nil
}

// seq makes one argument of a sequence of items: the item itself, a
// token given to the argument after it, or a block. A token before a
// repeated argument is that argument's ("WEIGHTS weight [weight ...]")
// unless the group is labeled, which makes a block of them ("[id: ID
// client-id [client-id ...]]").
func (b argBuilder) seq(seq []*synNode, labeled bool) (*docArg, error) {
	if len(seq) == 1 {
		return b.node(seq[0])
	}
	// A leading token is the token of what follows, unless a token
	// follows: "NO ONE" is a block of two tokens.
	var token string
	if isTokenNode(seq[0]) && !isTokenNode(seq[1]) {
		token = seq[0].word
		seq = seq[1:]
	}
	members := make([]*docArg, len(seq))
	for i, n := range seq {
		m, err := b.node(n)
		if err != nil {
			return nil, err
		}
		members[i] = m
	}
	if m := members[0]; token != "" && len(members) == 1 && m.Token == "" && m.Type != argPureToken &&
		!m.Optional && (!m.Multiple || !labeled && m.Type != argBlock) {
		m.Token = token
		return m, nil
	}
	a := &docArg{Type: argBlock, Token: token, Args: members}
	if token != "" && len(members) == 1 {
		a.Name = strings.ToLower(token)
	} else {
		names := make([]string, len(members))
		for i, m := range members {
			names[i] = m.Name
		}
		a.Name = strings.Join(names, "_")
	}
	return a, nil
}

// argTypeFor returns the function that types cmd's arguments by name, as
// Redis's command docs type them.
func argTypeFor(cmd *Command) func(name string) string {
	return func(name string) string {
		if cmd.Group == "sorted-set" {
			switch {
			case name == "score",
				(name == "min" || name == "max") && (strings.Contains(cmd.Name, "score") || cmd.Name == "zcount"):
				return argDouble
			case name == "weight":
				// As Redis's docs type WEIGHTS, though weights are floats.
				return argInteger
			case (name == "start" || name == "stop") && cmd.Name == "zrange":
				// Ranks, scores or lex bounds, as BYSCORE and BYLEX say.
				return argString
			}
		}
		switch {
		case name == "key" || strings.HasSuffix(name, "key") || name == "source" || name == "destination" ||
			name == "src" || name == "dst" ||
			len(name) > 3 && strings.HasPrefix(name, "key") && strings.Trim(name[3:], "0123456789") == "":
			return argKey
		case strings.HasPrefix(name, "unix-time"):
			return argUnixTime
		case name == "pattern":
			return argPattern
		case cmd.Group == "bitmap" && (name == "bit" || name == "value"):
			// SETBIT's and BITFIELD's values, BITPOS's bit.
			return argInteger
		case cmd.Group == "geo" && (name == "longitude" || name == "latitude" || name == "radius" ||
			name == "width" || name == "height"):
			return argDouble
		case name == "increment" && strings.Contains(cmd.Name, "float"),
			name == "timeout" && cmd.Flags&FlagBlocking != 0:
			return argDouble
		}
		switch name {
		case "seconds", "milliseconds", "count", "numkeys", "offset", "start", "end", "stop", "index",
			"index1", "index2", "cursor", "increment", "decrement", "db", "destination-db", "client-id",
			"timeout", "rank", "len", "num-matches", "min-match-len", "limit", "protover", "numreplicas",
			"port", "ttl", "frequency", "bits", "version":
			return argInteger
		}
		return argString
	}
}

// docArgs returns the COMMAND DOCS arguments of cmd.
func (cmd *Command) docArgs() ([]*docArg, error) {
	return parseSyntax(cmd.Syntax, argTypeFor(cmd))
}
