package integration

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
)

// replyTimeout bounds the wait for each reply, so that a server that does
// not answer fails the script instead of hanging the test binary. A few
// scripts take a second each at full speed, several under -race on a
// busy machine.
const replyTimeout = 30 * time.Second

// TestDifferential runs every testdata/*.txt script against redis-server
// and cairn and compares the replies; see README.md for the format.
func TestDifferential(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata/: %v", err)
	}
	// DEBUG is allowed: scripts turn the active expiry cycle off (DEBUG
	// SET-ACTIVE-EXPIRE) to see what a read that finds a key expired does.
	redisAddr := testutil.StartRedis(t, "--enable-debug-command", "yes")
	// cairn persists as StartRedis's redis-server is configured (--save ""
	// --appendonly no), so that SAVE and BGSAVE work and CONFIG GET
	// answers alike.
	cairn := testutil.StartPersistent(t, t.TempDir(), func(c *config.Config) {
		c.AppendOnly = false
		c.Save = nil
		c.EnableDebugCommand = "yes"
	})
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txt")
		// Sequential: the scripts share both servers and begin with FLUSHALL.
		t.Run(name, func(t *testing.T) {
			runScript(t, file, redisAddr, cairn.Addr)
		})
	}
}

// scriptLine is one command of a script.
type scriptLine struct {
	num       int
	text      string // as written, for messages
	conn      string // the connection's name; "" for the main one
	directive string // "", "type", "sorted", "len" or "any"
	replies   int    // how many replies to read (!replies N)
	args      []string
}

// parseScript parses a script. Bad lines are returned as problems (with
// file:line) and left out, so that one typo does not hide the results of the
// rest.
func parseScript(file, script string) (lines []scriptLine, problems []string) {
	for i, text := range strings.Split(script, "\n") {
		text = strings.TrimRight(text, "\r")
		trimmed := strings.TrimLeft(text, " \t")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		l := scriptLine{num: i + 1, text: trimmed, replies: 1}
		counted := false
		rest := trimmed
		if strings.HasPrefix(rest, "@") {
			l.conn, rest, _ = strings.Cut(rest[1:], " ")
		}
		bad := false
		for !bad && strings.HasPrefix(rest, "!") {
			var d string
			d, rest, _ = strings.Cut(rest[1:], " ")
			switch d {
			case "type", "sorted", "len", "any", "ids":
				l.directive = d
			case "replies":
				var n string
				n, rest, _ = strings.Cut(rest, " ")
				var err error
				if l.replies, err = strconv.Atoi(n); err != nil || l.replies < 0 {
					problems = append(problems, fmt.Sprintf("%s:%d: !replies needs a count: %s", file, l.num, text))
					bad = true
				}
				counted = true
			default:
				problems = append(problems, fmt.Sprintf("%s:%d: unknown directive !%s", file, l.num, d))
				bad = true
			}
		}
		if bad {
			continue
		}
		args, err := SplitArgs(rest)
		if err == nil && len(args) == 0 && !counted {
			err = errors.New("no command")
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d: %v: %s", file, l.num, err, text))
			continue
		}
		l.args = args
		lines = append(lines, l)
	}
	return lines, problems
}

// conn is the harness's connection to one server.
type conn struct {
	name    string
	addr    string
	timeout time.Duration // for dialling and for each reply
	nc      net.Conn
	r       *bufio.Reader
}

func (c *conn) dial() error {
	if c.nc != nil {
		c.nc.Close()
	}
	nc, err := net.DialTimeout("tcp", c.addr, c.timeout)
	if err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	c.nc, c.r = nc, bufio.NewReader(nc)
	return nil
}

// do sends one command and reads one reply. extra is whatever else the
// server had already sent after that reply; it is discarded.
func (c *conn) do(cmd []byte) (rep Reply, extra []byte, err error) {
	reps, extra, err := c.doN(cmd, 1)
	if err != nil {
		return Reply{}, nil, err
	}
	return reps[0], extra, nil
}

// doN sends cmd, if any, and reads n replies (pushed messages count), as
// do.
func (c *conn) doN(cmd []byte, n int) (reps []Reply, extra []byte, err error) {
	if err := c.nc.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return nil, nil, err
	}
	if len(cmd) > 0 {
		if _, err := c.nc.Write(cmd); err != nil {
			return nil, nil, err
		}
	}
	for range n {
		rep, err := ReadReply(c.r)
		if err != nil {
			return nil, nil, err
		}
		reps = append(reps, rep)
	}
	if n := c.r.Buffered(); n > 0 {
		extra, _ = c.r.Peek(n)
		extra = bytes.Clone(extra)
		c.r.Discard(n)
	}
	return reps, extra, nil
}

// closedBeforeReply reports whether err means the server had closed the
// connection (after QUIT, for example) before answering anything.
func closedBeforeReply(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// outcome is what one server did with one command, for comparison and
// messages.
type outcome struct {
	reps   []Reply
	extra  []byte
	err    error
	closed bool
}

func (o outcome) String() string {
	switch {
	case o.closed:
		return "(connection closed)"
	case o.err != nil:
		return "(error: " + o.err.Error() + ")"
	}
	var raw []byte
	for _, r := range o.reps {
		raw = append(raw, r.Raw...)
	}
	if len(o.extra) > 0 {
		return strconv.Quote(string(raw)) + " followed by unexpected " + strconv.Quote(string(o.extra))
	}
	return strconv.Quote(string(raw))
}

func runScript(t *testing.T, file, redisAddr, cairnAddr string) {
	script, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines, problems := parseScript(file, string(script))
	for _, p := range problems {
		t.Error(p)
	}
	// Each named connection is a pair: one to each server. ids holds
	// the client IDs of the connections whose $name the script uses.
	conns := map[string][]*conn{}
	referenced := referencedIDs(lines)
	ids := map[string][]string{}
	reconnect := func(name string) []*conn {
		sides := conns[name]
		if sides == nil {
			sides = []*conn{
				{name: "redis", addr: redisAddr, timeout: replyTimeout},
				{name: "cairn", addr: cairnAddr, timeout: replyTimeout},
			}
			conns[name] = sides
		}
		for _, c := range sides {
			if err := c.dial(); err != nil {
				t.Fatal(err)
			}
		}
		if referenced[name] {
			ids[name] = make([]string, len(sides))
			for i, c := range sides {
				rep, _, err := c.do(encodeCommand([]string{"CLIENT", "ID"}))
				if err != nil || rep.Type != ':' {
					t.Fatalf("%s: CLIENT ID of @%s: %q %v", c.name, name, rep.Raw, err)
				}
				ids[name][i] = strings.TrimSuffix(string(rep.Raw[1:]), "\r\n")
			}
		}
		return sides
	}
	defer func() {
		for _, sides := range conns {
			for _, c := range sides {
				c.nc.Close()
			}
		}
	}()
	for _, c := range reconnect("") {
		rep, _, err := c.do(encodeCommand([]string{"FLUSHALL"}))
		if err != nil || string(rep.Raw) != "+OK\r\n" {
			t.Fatalf("%s: FLUSHALL: %q %v", c.name, rep.Raw, err)
		}
	}

	// Connections whose ID the script uses are opened first, so that
	// $name means something before @name's first line.
	for _, l := range lines {
		if referenced[l.conn] && conns[l.conn] == nil {
			reconnect(l.conn)
		}
	}
	for _, l := range lines {
		sides := conns[l.conn]
		if sides == nil {
			sides = reconnect(l.conn)
		}
		outs := make([]outcome, len(sides))
		send := func() {
			for i, c := range sides {
				var cmd []byte
				if len(l.args) > 0 {
					cmd = encodeCommand(expandIDs(l.args, ids, i))
				}
				reps, extra, err := c.doN(cmd, l.replies)
				outs[i] = outcome{reps: reps, extra: extra, err: err, closed: closedBeforeReply(err)}
			}
		}
		send()
		if outs[0].closed && outs[1].closed {
			// Both closed the connection, as after QUIT: the command goes
			// to new connections, as redis-cli would send it.
			reconnect(l.conn)
			send()
		}
		ok := true
		for _, o := range outs {
			ok = ok && o.err == nil && len(o.extra) == 0
		}
		for i := 0; ok && i < l.replies; i++ {
			if l.directive == "ids" {
				ok = bytes.Equal(namedIDs(outs[0].reps[i].Raw, ids, 0), namedIDs(outs[1].reps[i].Raw, ids, 1))
			} else {
				ok = equalReplies(l.directive, outs[0].reps[i], outs[1].reps[i])
			}
		}
		if !ok {
			t.Errorf("%s:%d: %s\n\tredis: %s\n\tcairn: %s", file, l.num, l.text, outs[0], outs[1])
		}
		if outs[0].err != nil || outs[1].err != nil {
			// One side is out of step (closed, timed out, garbled); start
			// both afresh so that the rest of the script still means
			// something.
			reconnect(l.conn)
		}
	}
}

// referencedIDs returns the names of the connections whose client ID the
// script uses: an argument $name where some line runs on @name.
func referencedIDs(lines []scriptLine) map[string]bool {
	named := map[string]bool{}
	for _, l := range lines {
		if l.conn != "" {
			named[l.conn] = true
		}
	}
	used := map[string]bool{}
	for _, l := range lines {
		for _, a := range l.args {
			if name, ok := strings.CutPrefix(a, "$"); ok && named[name] {
				used[name] = true
			}
		}
	}
	return used
}

// expandIDs replaces each argument $name by the client ID of connection
// @name on the server of side i.
func expandIDs(args []string, ids map[string][]string, side int) []string {
	var out []string
	for j, a := range args {
		if name, ok := strings.CutPrefix(a, "$"); ok && ids[name] != nil {
			if out == nil {
				out = slices.Clone(args)
			}
			out[j] = ids[name][side]
		}
	}
	if out == nil {
		return args
	}
	return out
}

// namedIDs returns raw with every integer that is the client ID of a
// connection named by $name on the server of side i written $name
// instead, so that replies holding IDs compare (!ids).
func namedIDs(raw []byte, ids map[string][]string, side int) []byte {
	for name, sides := range ids {
		raw = bytes.ReplaceAll(raw, []byte(":"+sides[side]+"\r\n"), []byte(":$"+name+"\r\n"))
	}
	return raw
}

// encodeCommand renders args as a RESP multibulk request.
func encodeCommand(args []string) []byte {
	b := fmt.Appendf(nil, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b
}

// equalReplies compares two well-formed replies as a directive says.
func equalReplies(directive string, a, b Reply) bool {
	switch directive {
	case "type":
		return a.Type == b.Type
	case "len":
		return a.Type == b.Type && (!a.IsAggregate() || a.N == b.N)
	case "sorted":
		return bytes.Equal(canonical(a), canonical(b))
	case "any":
		return true
	}
	return bytes.Equal(a.Raw, b.Raw)
}

// canonical renders a reply with the elements of every array, set and
// push, and the pairs of every map, in sorted order, at every depth (so
// that SCAN's nested key list is sorted too).
func canonical(r Reply) []byte {
	if !r.IsAggregate() || r.Type == '|' {
		return r.Raw
	}
	var items [][]byte
	if r.Type == '%' {
		for i := 0; i+1 < len(r.Elems); i += 2 {
			items = append(items, append(canonical(r.Elems[i]), canonical(r.Elems[i+1])...))
		}
	} else {
		for _, e := range r.Elems {
			items = append(items, canonical(e))
		}
	}
	slices.SortFunc(items, bytes.Compare)
	header := r.Raw[:bytes.IndexByte(r.Raw, '\n')+1]
	return slices.Concat(append([][]byte{header}, items...)...)
}
