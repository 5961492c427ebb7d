// Command memload writes, as a RESP stream for redis-cli --pipe, the data
// sets bench/memory.sh and bench/persistence.sh load into redis-server and
// cairn. -mode picks the data set, -n its size:
//
//	strings   SET key:I V for I in 0..n-1, V -value-size random letters and
//	          digits; with -ex, SET ... EX -ex (on every -ex-every'th key
//	          only); with -pad, I zero-padded to -pad digits (-pad 12 writes
//	          the keys redis-benchmark -r uses)
//	del       DEL key:I
//	hashes    HSET hash:I field0 V0 .. field<E-1> V<E-1>, values of 10 bytes
//	intsets   SADD intset:I with E random integers below 1,000,000
//	strsets   SADD strset:I with E random strings of 8 letters and digits
//	lists     RPUSH list:I with E random strings of 8 letters and digits
//	bighash   one hash, bighash, of n fields field:I with values of 10
//	          bytes, -batch fields an HSET
//	bigset    one set, bigset, of n members member:I, -batch an SADD
//	evals     EVAL "return I" 0: n distinct scripts
//	bigvalue  SET bigvalue to -size bytes
//	append    APPEND to bigvalue n times -size bytes
//
// where E is -elements. strings and del write only the keys a -fraction
// of them is drawn for (with -seed): the same flags draw the same keys,
// so a DEL stream and a SET stream with the same -fraction and -seed name
// the same ones. The same flags write the same stream.
//
//	memload -mode strings -n 1000000 | redis-cli -p PORT --pipe
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
)

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

type options struct {
	mode               string
	n, elements, batch int
	valueSize, ex, pad int
	exEvery            int
	size               int
	fraction           float64
	seed               uint64
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "strings", "data set: strings, del, hashes, intsets, strsets, lists, zsets, bighash, bigset, bigzset, evals, bigvalue, append")
	flag.IntVar(&o.n, "n", 1000000, "keys, elements of bighash/bigset, scripts, or APPENDs")
	flag.IntVar(&o.elements, "elements", 10, "fields, members or elements of each hash, set or list")
	flag.IntVar(&o.batch, "batch", 1000, "fields or members an HSET or SADD adds to bighash or bigset")
	flag.IntVar(&o.valueSize, "value-size", 10, "length of a string's value (strings)")
	flag.IntVar(&o.ex, "ex", 0, "TTL in seconds of the strings (SET ... EX); 0 for none")
	flag.IntVar(&o.exEvery, "ex-every", 1, "the TTL goes on every Nth string only: key:N-1, key:2N-1, ...")
	flag.IntVar(&o.pad, "pad", 0, "zero-pad the number in key:N to this many digits (strings, del)")
	flag.IntVar(&o.size, "size", 100<<20, "bytes of the value SET (bigvalue) or of each APPEND (append)")
	flag.Float64Var(&o.fraction, "fraction", 1, "share of the keys written (strings, del)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the random values and of the keys drawn")
	flag.Parse()
	if o.n < 0 || o.elements < 1 || o.batch < 1 || o.valueSize < 0 || o.ex < 0 || o.exEvery < 1 || o.pad < 0 ||
		o.size < 0 || o.fraction < 0 || o.fraction > 1 {
		fmt.Fprintln(os.Stderr, "memload: -n, -value-size, -ex, -pad and -size must not be negative, -elements, -batch and -ex-every must be positive, -fraction in [0, 1]")
		os.Exit(2)
	}
	w := &writer{Writer: bufio.NewWriterSize(os.Stdout, 1<<20), rng: rand.New(rand.NewPCG(o.seed, 0))}
	if err := w.write(o); err != nil {
		fmt.Fprintln(os.Stderr, "memload:", err)
		os.Exit(1)
	}
	// bufio.Writer keeps its first error: Flush reports any.
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "memload:", err)
		os.Exit(1)
	}
}

type writer struct {
	*bufio.Writer
	rng  *rand.Rand
	args [][]byte
	num  [24]byte
}

func (w *writer) write(o options) error {
	var key []byte
	// keyName sets key to prefix followed by i.
	keyName := func(prefix string, i int) []byte {
		key = append(key[:0], prefix...)
		if s := strconv.Itoa(i); len(s) < o.pad && prefix == "key:" {
			for range o.pad - len(s) {
				key = append(key, '0')
			}
		}
		key = strconv.AppendInt(key, int64(i), 10)
		return key
	}
	switch o.mode {
	case "strings", "del":
		// The keys are drawn with their own generator, so that a DEL
		// stream (which writes no values) draws the ones a SET stream
		// with the same seed does.
		pick := rand.New(rand.NewPCG(o.seed, 1))
		value := make([]byte, o.valueSize)
		exArg, exValue := []byte("EX"), []byte(strconv.Itoa(o.ex))
		for i := range o.n {
			if o.fraction < 1 && pick.Float64() >= o.fraction {
				continue
			}
			if o.mode == "del" {
				w.command("DEL", keyName("key:", i))
				continue
			}
			w.random(value)
			if o.ex > 0 && i%o.exEvery == o.exEvery-1 {
				w.command("SET", keyName("key:", i), value, exArg, exValue)
			} else {
				w.command("SET", keyName("key:", i), value)
			}
		}
	case "hashes":
		names := make([][]byte, o.elements)
		values := make([][]byte, o.elements)
		for j := range names {
			names[j] = []byte("field" + strconv.Itoa(j))
			values[j] = make([]byte, 10)
		}
		for i := range o.n {
			w.start("HSET", keyName("hash:", i))
			for j := range names {
				w.random(values[j])
				w.args = append(w.args, names[j], values[j])
			}
			w.send()
		}
	case "intsets", "strsets", "lists", "zsets":
		name, prefix := "SADD", o.mode[:len(o.mode)-1]+":"
		switch o.mode {
		case "lists":
			name = "RPUSH"
		case "zsets":
			name = "ZADD"
		}
		members := make([][]byte, o.elements)
		scores := make([][]byte, o.elements)
		for j := range members {
			members[j] = make([]byte, 0, 20)
			scores[j] = make([]byte, 0, 20)
		}
		for i := range o.n {
			w.start(name, keyName(prefix, i))
			for j := range members {
				if o.mode == "zsets" {
					// Scores as a leaderboard has them: integers of up to
					// seven digits.
					scores[j] = strconv.AppendInt(scores[j][:0], int64(w.rng.IntN(10000000)), 10)
					w.args = append(w.args, scores[j])
				}
				if o.mode == "intsets" {
					members[j] = strconv.AppendInt(members[j][:0], int64(w.rng.IntN(1000000)), 10)
				} else {
					members[j] = members[j][:8]
					w.random(members[j])
				}
				w.args = append(w.args, members[j])
			}
			w.send()
		}
	case "bighash", "bigset", "bigzset":
		name, prefix, k := "HSET", "field:", []byte("bighash")
		switch o.mode {
		case "bigset":
			name, prefix, k = "SADD", "member:", []byte("bigset")
		case "bigzset":
			name, prefix, k = "ZADD", "member:", []byte("bigzset")
		}
		// Each element's name (and value) gets its own buffer: the
		// command holds -batch of them at once.
		for first := 0; first < o.n; first += o.batch {
			w.start(name, k)
			for i := first; i < min(o.n, first+o.batch); i++ {
				if o.mode == "bigzset" {
					w.args = append(w.args, strconv.AppendInt(nil, int64(w.rng.IntN(10000000)), 10))
				}
				w.args = append(w.args, strconv.AppendInt([]byte(prefix), int64(i), 10))
				if o.mode == "bighash" {
					v := make([]byte, 10)
					w.random(v)
					w.args = append(w.args, v)
				}
			}
			w.send()
		}
	case "evals":
		script := make([]byte, 0, 32)
		for i := range o.n {
			script = strconv.AppendInt(append(script[:0], "return "...), int64(i), 10)
			w.command("EVAL", script, []byte("0"))
		}
	case "bigvalue", "append":
		// A random MiB repeated: what the bytes are does not change the
		// memory they take.
		chunk := make([]byte, min(o.size, 1<<20))
		w.random(chunk)
		count, name := 1, "SET"
		if o.mode == "append" {
			count, name = o.n, "APPEND"
		}
		for range count {
			// The value is written a chunk at a time, not as one argument.
			w.WriteString("*3\r\n")
			for _, a := range []string{name, "bigvalue"} {
				w.header(len(a))
				w.WriteString(a + "\r\n")
			}
			w.header(o.size)
			for left := o.size; left > 0; left -= len(chunk) {
				w.Write(chunk[:min(left, len(chunk))])
			}
			w.WriteString("\r\n")
		}
	default:
		return fmt.Errorf("unknown -mode %q", o.mode)
	}
	return nil
}

// random fills b with random letters and digits.
func (w *writer) random(b []byte) {
	for i := range b {
		b[i] = alphabet[w.rng.IntN(len(alphabet))]
	}
}

// start begins a command of name and key; send writes it with the
// arguments appended to w.args since.
func (w *writer) start(name string, key []byte) {
	w.args = append(w.args[:0], []byte(name), key)
}

func (w *writer) send() {
	w.WriteByte('*')
	w.Write(strconv.AppendInt(w.num[:0], int64(len(w.args)), 10))
	w.WriteString("\r\n")
	for _, a := range w.args {
		w.header(len(a))
		w.Write(a)
		w.WriteString("\r\n")
	}
}

// command writes name and args as a RESP array of bulk strings.
func (w *writer) command(name string, args ...[]byte) {
	w.args = append(w.args[:0], []byte(name))
	w.args = append(w.args, args...)
	w.send()
}

// header writes a bulk string's $N line.
func (w *writer) header(n int) {
	w.WriteByte('$')
	w.Write(strconv.AppendInt(w.num[:0], int64(n), 10))
	w.WriteString("\r\n")
}
