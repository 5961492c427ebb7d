// Command loader writes, as a RESP stream for redis-cli --pipe, the data
// set bench/persistence.sh loads into redis-server and cairn: -keys
// strings key:0, key:1, ... of -value-size random letters and digits,
// every other one (the odd ones) set with EX -ex, then -hashes hashes
// hash:0, hash:1, ... of -fields fields field0, field1, ... whose values
// are 10 random letters and digits. The same flags write the same
// stream.
//
//	loader [-keys 1000000] [-hashes 100000] | redis-cli -p PORT --pipe
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
)

// hashValueSize is the length of a hash field's value: short enough that
// a hash of a few fields stays compact (listpack) in both servers.
const hashValueSize = 10

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func main() {
	keys := flag.Int("keys", 1000000, "number of strings")
	valueSize := flag.Int("value-size", 100, "length of a string's value")
	ex := flag.Int("ex", 100000, "TTL in seconds of every other string (SET ... EX); 0 for none")
	hashes := flag.Int("hashes", 100000, "number of hashes")
	fields := flag.Int("fields", 10, "fields per hash")
	seed := flag.Uint64("seed", 1, "seed of the random values")
	flag.Parse()
	if *keys < 0 || *valueSize < 0 || *ex < 0 || *hashes < 0 || *fields < 1 {
		fmt.Fprintln(os.Stderr, "loader: -keys, -value-size, -ex and -hashes must not be negative, -fields must be positive")
		os.Exit(2)
	}
	if err := write(os.Stdout, *keys, *valueSize, *ex, *hashes, *fields, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "loader:", err)
		os.Exit(1)
	}
}

func write(out *os.File, keys, valueSize, ex, hashes, fields int, seed uint64) error {
	w := bufio.NewWriterSize(out, 1<<20)
	rng := rand.New(rand.NewPCG(seed, 0))
	exArg, exValue := []byte("EX"), []byte(strconv.Itoa(ex))
	value := make([]byte, valueSize)
	var key []byte
	args := make([][]byte, 0, 2+2*fields)
	for i := range keys {
		key = strconv.AppendInt(append(key[:0], "key:"...), int64(i), 10)
		randomize(rng, value)
		args = append(args[:0], []byte("SET"), key, value)
		if ex > 0 && i%2 == 1 {
			args = append(args, exArg, exValue)
		}
		writeCommand(w, args)
	}
	names := make([][]byte, fields)
	values := make([][]byte, fields)
	for j := range fields {
		names[j] = []byte("field" + strconv.Itoa(j))
		values[j] = make([]byte, hashValueSize)
	}
	for i := range hashes {
		key = strconv.AppendInt(append(key[:0], "hash:"...), int64(i), 10)
		args = append(args[:0], []byte("HSET"), key)
		for j := range fields {
			randomize(rng, values[j])
			args = append(args, names[j], values[j])
		}
		writeCommand(w, args)
	}
	// bufio.Writer keeps its first error: Flush reports any.
	return w.Flush()
}

// randomize fills b with random letters and digits.
func randomize(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
}

// writeCommand writes args as a RESP array of bulk strings.
func writeCommand(w *bufio.Writer, args [][]byte) {
	var num [20]byte
	w.WriteByte('*')
	w.Write(strconv.AppendInt(num[:0], int64(len(args)), 10))
	w.WriteString("\r\n")
	for _, a := range args {
		w.WriteByte('$')
		w.Write(strconv.AppendInt(num[:0], int64(len(a)), 10))
		w.WriteString("\r\n")
		w.Write(a)
		w.WriteString("\r\n")
	}
}
