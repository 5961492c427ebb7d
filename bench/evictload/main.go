// Command evictload runs a cache-aside workload against a server with
// maxmemory set, for bench/eviction.sh, and prints what it measured.
//
// The key space, key:0 .. key:<K-1>, is sized so that its values add up
// to -keyspace times -maxmemory: K = keyspace * maxmemory / mean size.
// The value of key:I is -min-size to -max-size bytes long (uniform), its
// length and its bytes derived from I and -seed alone, so that every
// server, and every write of a key, gets the same value.
//
// -clients connections (raw RESP over bufio, one request at a time: the
// client's CPU per request kept low, so that it does not set the rate)
// each loop for -duration:
//   - pick a key by a Zipf distribution of exponent -zipf over the key
//     ids (key:0 the hottest; math/rand/v2's Zipf, each connection with its
//     own generator seeded from -seed and its number), GET it, and on a
//     miss SET it (cache-aside). A value a GET returns must be the key's:
//     one that is not is counted as wrong.
//   - every -stream-every'th turn of the loop, instead, SET the next key of the write
//     stream, which walks the key space from its coldest key (key:K-1)
//     down, wrapping around: keys the readers have mostly not read yet,
//     which fill the cache and make it evict whatever its hit rate. It
//     is paced by requests, not by time, so that a server that answers
//     faster does not get fewer of these per GET: its hit rate would be
//     better for it.
//
// Every request is timed, from its write to the end of its reply, into a
// log-linear histogram (3% buckets). With -pid, the server's VmRSS is read
// from /proc every 100 ms (and VmHWM at the end) and its CPU time
// (utime+stime of /proc/PID/stat) at the start and the end. INFO memory
// is read every second (used_memory's largest sample; cairn's
// used_memory_peak is its largest INFO reading) and INFO at the start and
// the end. It prints one "name value" line per figure, "-" where there is
// none:
//
//	maxmemory            bytes (the server's INFO must agree)
//	keys                 K
//	seconds              the run's length
//	requests, requests_per_s, gets, sets
//	hit_rate             GET hits over GETs
//	hit_rate_2nd_half    the same for the GETs sent in the run's second
//	                     half: the cache warm, LRU's order settled
//	info_hit_rate        keyspace_hits over hits+misses, INFO's deltas
//	errors, wrong        error replies (e.g. OOM), wrong values
//	written_bytes        the SETs' value bytes, stream_bytes the stream's
//	                     (error replies not counted)
//	p50_ms, p99_ms, p999_ms, max_ms         of all requests
//	get_p99_ms, set_p99_ms
//	rss_max_kb, rss_end_kb                  VmRSS (max includes VmHWM)
//	used_memory_end, used_memory_max, used_memory_peak
//	evicted_keys         INFO's delta
//	server_cpu_s         the server's CPU time over the run
//	gc_cpu_s             delta of INFO's gc_cpu_seconds (cairn's)
//	client_cpu           this process's CPU time over the run's length
//
//	evictload -addr 127.0.0.1:6379 -pid PID -maxmemory 100mb -duration 60s
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type options struct {
	addr                string
	pid                 int
	maxmemory           int64
	policy              string
	duration            time.Duration
	clients             int
	minSize, maxSize    int
	keyspace            float64
	streamEvery         int
	zipf                float64
	seed                uint64
	clkTck              int
	rssEvery, infoEvery time.Duration
}

func main() {
	var o options
	var maxmemory string
	flag.StringVar(&o.addr, "addr", "127.0.0.1:6379", "server address")
	flag.IntVar(&o.pid, "pid", 0, "the server's process, for its VmRSS and CPU time (0: none)")
	flag.StringVar(&maxmemory, "maxmemory", "100mb", "the server's maxmemory, as redis.conf writes it (100mb, 1gb, 5000000)")
	flag.StringVar(&o.policy, "policy", "", "the maxmemory-policy the server must report (empty: not checked)")
	flag.DurationVar(&o.duration, "duration", time.Minute, "length of the run")
	flag.IntVar(&o.clients, "clients", 50, "connections")
	flag.IntVar(&o.minSize, "min-size", 10, "shortest value, bytes")
	flag.IntVar(&o.maxSize, "max-size", 10240, "longest value, bytes")
	flag.Float64Var(&o.keyspace, "keyspace", 3, "the key space's value bytes over maxmemory")
	flag.IntVar(&o.streamEvery, "stream-every", 25, "one turn of a connection's loop in this many is a SET of the write stream (0: none)")
	flag.Float64Var(&o.zipf, "zipf", 1.1, "exponent of the Zipf distribution of the keys read (> 1)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the keys read and of the values")
	flag.IntVar(&o.clkTck, "clk-tck", 100, "clock ticks a second of /proc/PID/stat (getconf CLK_TCK)")
	flag.Parse()
	o.rssEvery, o.infoEvery = 100*time.Millisecond, time.Second
	var err error
	if o.maxmemory, err = parseMemory(maxmemory); err != nil || o.maxmemory <= 0 {
		fmt.Fprintf(os.Stderr, "evictload: -maxmemory %q is not a positive size\n", maxmemory)
		os.Exit(2)
	}
	if o.duration <= 0 || o.clients < 1 || o.minSize < 0 || o.maxSize < o.minSize || o.maxSize < 1 ||
		o.keyspace <= 0 || o.streamEvery < 0 || o.zipf <= 1 || o.clkTck < 1 {
		fmt.Fprintln(os.Stderr, "evictload: -duration, -clients, -keyspace, -clk-tck must be positive, -stream-every not negative, -zipf above 1, 0 <= -min-size <= -max-size, -max-size >= 1")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "evictload:", err)
		os.Exit(1)
	}
}

// parseMemory reads a size as redis.conf does: 1k is 1000 bytes, 1kb
// 1024, and so on for m, mb, g, gb; no unit is bytes.
func parseMemory(s string) (int64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	units := []struct {
		suffix string
		mul    int64
	}{{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"b", 1}}
	mul := int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mul = rest, u.mul
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	return n * mul, nil
}

// workload is what the clients share: the key space and its values, and
// the write stream's position.
type workload struct {
	o          options
	keys       uint64
	data       []byte // value bytes: a value is a slice of data
	start      time.Time
	end        time.Time
	half       time.Time     // the second half of the run starts
	streamNext atomic.Uint64 // keys the stream has taken
}

// splitmix64 is a 64-bit mix, for the values' lengths and offsets.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// value returns key:id's value.
func (w *workload) value(id uint64) []byte {
	h := splitmix64(w.o.seed<<32 ^ id)
	size := w.o.minSize + int(h%uint64(w.o.maxSize-w.o.minSize+1))
	off := int((h >> 32) % 4096)
	return w.data[off : off+size]
}

// streamKey takes the stream's next key and returns its id.
func (w *workload) streamKey() uint64 {
	n := w.streamNext.Add(1) - 1
	return w.keys - 1 - n%w.keys
}

// result is one client's counts.
type result struct {
	gets, hits, sets   int64
	gets2, hits2       int64 // in the run's second half
	errors, wrong      int64
	written, streamed  int64
	getLatency, setLat histogram
	firstErr           string
	connErr            error
}

func run(o options) error {
	meanSize := float64(o.minSize+o.maxSize) / 2
	w := &workload{o: o, keys: max(1, uint64(o.keyspace*float64(o.maxmemory)/meanSize))}
	rng := rand.New(rand.NewPCG(o.seed, 2))
	w.data = make([]byte, 4096+o.maxSize)
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for i := range w.data {
		w.data[i] = alphabet[rng.IntN(len(alphabet))]
	}

	ctl, err := dial(o.addr)
	if err != nil {
		return err
	}
	defer ctl.Close()
	info0, err := ctl.info("")
	if err != nil {
		return err
	}
	if got := info0["maxmemory"]; got != strconv.FormatInt(o.maxmemory, 10) {
		return fmt.Errorf("the server's INFO says maxmemory:%s, not %d", got, o.maxmemory)
	}
	if got := info0["maxmemory_policy"]; o.policy != "" && got != o.policy {
		return fmt.Errorf("the server's INFO says maxmemory_policy:%s, not %s", got, o.policy)
	}
	conns := make([]*conn, o.clients)
	for i := range conns {
		if conns[i], err = dial(o.addr); err != nil {
			return err
		}
		defer conns[i].Close()
	}
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	cpu0, err := processCPU(o.pid, o.clkTck)
	if err != nil {
		return err
	}

	w.start = time.Now()
	w.end = w.start.Add(o.duration)
	w.half = w.start.Add(o.duration / 2)
	results := make([]result, o.clients)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = w.client(c, uint64(i))
		}()
	}

	// Samples until the clients are done.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var rssMax, usedMax int64
	sampleUsed := func() error {
		m, err := ctl.info("memory")
		if err != nil {
			return err
		}
		n, _ := strconv.ParseInt(m["used_memory"], 10, 64)
		usedMax = max(usedMax, n)
		return nil
	}
	rssTick, infoTick := time.NewTicker(o.rssEvery), time.NewTicker(o.infoEvery)
loop:
	for {
		select {
		case <-done:
			break loop
		case <-rssTick.C:
			rssMax = max(rssMax, procStatus(o.pid, "VmRSS"))
		case <-infoTick.C:
			if err := sampleUsed(); err != nil {
				return err
			}
		}
	}
	elapsed := time.Since(w.start)
	rssTick.Stop()
	infoTick.Stop()
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu1, err := processCPU(o.pid, o.clkTck)
	if err != nil {
		return err
	}
	rssEnd := procStatus(o.pid, "VmRSS")
	rssMax = max(rssMax, rssEnd, procStatus(o.pid, "VmHWM"))
	if err := sampleUsed(); err != nil {
		return err
	}
	info1, err := ctl.info("")
	if err != nil {
		return err
	}

	var total result
	for _, r := range results {
		if r.connErr != nil {
			return r.connErr
		}
		total.gets += r.gets
		total.hits += r.hits
		total.gets2 += r.gets2
		total.hits2 += r.hits2
		total.sets += r.sets
		total.errors += r.errors
		total.wrong += r.wrong
		total.written += r.written
		total.streamed += r.streamed
		total.getLatency.add(&r.getLatency)
		total.setLat.add(&r.setLat)
		if total.firstErr == "" {
			total.firstErr = r.firstErr
		}
	}
	if total.firstErr != "" {
		fmt.Fprintf(os.Stderr, "evictload: %d error replies, the first: %s\n", total.errors, total.firstErr)
	}
	var all histogram
	all.add(&total.getLatency)
	all.add(&total.setLat)
	secs := elapsed.Seconds()
	requests := total.gets + total.sets

	out := bufio.NewWriter(os.Stdout)
	line := func(name string, v any) { fmt.Fprintf(out, "%s %v\n", name, v) }
	f := func(format string, v float64) string { return fmt.Sprintf(format, v) }
	line("maxmemory", o.maxmemory)
	line("keys", w.keys)
	line("seconds", f("%.2f", secs))
	line("requests", requests)
	line("requests_per_s", f("%.0f", float64(requests)/secs))
	line("gets", total.gets)
	line("sets", total.sets)
	line("hit_rate", ratio(total.hits, total.gets, "%.4f"))
	line("hit_rate_2nd_half", ratio(total.hits2, total.gets2, "%.4f"))
	line("info_hit_rate", infoHitRate(info0, info1))
	line("errors", total.errors)
	line("wrong", total.wrong)
	line("written_bytes", total.written)
	line("stream_bytes", total.streamed)
	line("p50_ms", f("%.3f", all.quantile(0.50)))
	line("p99_ms", f("%.3f", all.quantile(0.99)))
	line("p999_ms", f("%.3f", all.quantile(0.999)))
	line("max_ms", f("%.3f", all.quantile(1)))
	line("get_p99_ms", f("%.3f", total.getLatency.quantile(0.99)))
	line("set_p99_ms", f("%.3f", total.setLat.quantile(0.99)))
	if o.pid != 0 {
		line("rss_max_kb", rssMax)
		line("rss_end_kb", rssEnd)
		line("server_cpu_s", f("%.2f", cpu1-cpu0))
	} else {
		line("rss_max_kb", "-")
		line("rss_end_kb", "-")
		line("server_cpu_s", "-")
	}
	line("used_memory_end", orDash(info1["used_memory"]))
	line("used_memory_max", usedMax)
	line("used_memory_peak", orDash(info1["used_memory_peak"]))
	line("evicted_keys", delta(info0, info1, "evicted_keys", "%.0f"))
	line("gc_cpu_s", delta(info0, info1, "gc_cpu_seconds", "%.3f"))
	clientCPU := time.Duration(syscall.TimevalToNsec(ru1.Utime) + syscall.TimevalToNsec(ru1.Stime) -
		syscall.TimevalToNsec(ru0.Utime) - syscall.TimevalToNsec(ru0.Stime))
	line("client_cpu", f("%.2f", clientCPU.Seconds()/secs))
	return out.Flush()
}

func ratio(a, b int64, format string) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf(format, float64(a)/float64(b))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// delta formats an INFO field's change from a to b, "-" if either lacks
// it.
func delta(a, b map[string]string, field, format string) string {
	x, err1 := strconv.ParseFloat(a[field], 64)
	y, err2 := strconv.ParseFloat(b[field], 64)
	if err1 != nil || err2 != nil {
		return "-"
	}
	return fmt.Sprintf(format, y-x)
}

func infoHitRate(a, b map[string]string) string {
	var d [2]int64
	for i, field := range []string{"keyspace_hits", "keyspace_misses"} {
		x, err1 := strconv.ParseInt(a[field], 10, 64)
		y, err2 := strconv.ParseInt(b[field], 10, 64)
		if err1 != nil || err2 != nil {
			return "-"
		}
		d[i] = y - x
	}
	return ratio(d[0], d[0]+d[1], "%.4f")
}

// client runs one connection's loop until the end of the run.
func (w *workload) client(c *conn, n uint64) (r result) {
	rng := rand.New(rand.NewPCG(w.o.seed, 1000+n))
	zipf := rand.NewZipf(rng, w.o.zipf, 1, w.keys-1)
	key := make([]byte, 0, 32)
	now := time.Now()
	// do sends a GET (value nil) or a SET of key, times it into h, and
	// counts an error reply; it sets r.connErr and returns false if the
	// connection failed.
	do := func(name string, value []byte, h *histogram) (reply, bool) {
		t := time.Now()
		rep, err := c.do(name, key, value)
		now = time.Now()
		h.record(now.Sub(t))
		if err != nil {
			r.connErr = err
			return rep, false
		}
		if rep.kind == '-' {
			r.errors++
			if r.firstErr == "" {
				r.firstErr = string(rep.data)
			}
		}
		return rep, true
	}
	set := func(id uint64, stream bool) bool {
		v := w.value(id)
		rep, ok := do("SET", v, &r.setLat)
		if ok && rep.kind != '-' {
			r.written += int64(len(v))
			if stream {
				r.streamed += int64(len(v))
			}
		}
		r.sets++
		return ok
	}
	for i := 1; now.Before(w.end); i++ {
		if w.o.streamEvery > 0 && i%w.o.streamEvery == 0 {
			id := w.streamKey()
			key = strconv.AppendUint(append(key[:0], "key:"...), id, 10)
			if !set(id, true) {
				return r
			}
			continue
		}
		id := zipf.Uint64()
		key = strconv.AppendUint(append(key[:0], "key:"...), id, 10)
		second := now.After(w.half)
		rep, ok := do("GET", nil, &r.getLatency)
		if !ok {
			return r
		}
		r.gets++
		if second {
			r.gets2++
		}
		switch rep.kind {
		case '$':
			r.hits++
			if second {
				r.hits2++
			}
			if !bytes.Equal(rep.data, w.value(id)) {
				r.wrong++
			}
		case 'n':
			// A miss: cache-aside, the key is written back.
			if !set(id, false) {
				return r
			}
		case '-':
		default:
			r.wrong++
		}
	}
	return r
}

// conn is a RESP2 connection that sends one command at a time.
type conn struct {
	net.Conn
	r   *bufio.Reader
	w   *bufio.Writer
	buf []byte
	num [24]byte
}

// reply is a server's reply: kind is its RESP type byte ('$' a bulk
// string, 'n' a nil, '+', '-', ':'), data its bytes, valid until the next
// command.
type reply struct {
	kind byte
	data []byte
}

func dial(addr string) (*conn, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: nc, r: bufio.NewReaderSize(nc, 32<<10), w: bufio.NewWriterSize(nc, 32<<10)}, nil
}

func (c *conn) bulk(b []byte) {
	c.w.WriteByte('$')
	c.w.Write(strconv.AppendInt(c.num[:0], int64(len(b)), 10))
	c.w.WriteString("\r\n")
	c.w.Write(b)
	c.w.WriteString("\r\n")
}

// do sends name and key, and value unless it is nil, and reads the reply.
func (c *conn) do(name string, key, value []byte) (reply, error) {
	if value == nil {
		c.w.WriteString("*2\r\n")
	} else {
		c.w.WriteString("*3\r\n")
	}
	c.bulk([]byte(name))
	c.bulk(key)
	if value != nil {
		c.bulk(value)
	}
	if err := c.w.Flush(); err != nil {
		return reply{}, err
	}
	return c.read()
}

func (c *conn) read() (reply, error) {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return reply{}, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return reply{}, fmt.Errorf("bad reply line %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	switch kind {
	case '+', '-', ':':
		c.buf = append(c.buf[:0], body...)
		return reply{kind, c.buf}, nil
	case '$':
		n, err := strconv.Atoi(string(body))
		if err != nil {
			return reply{}, fmt.Errorf("bad bulk length %q", body)
		}
		if n < 0 {
			return reply{kind: 'n'}, nil
		}
		if cap(c.buf) < n+2 {
			c.buf = make([]byte, n+2)
		}
		c.buf = c.buf[:n+2]
		if _, err := io.ReadFull(c.r, c.buf); err != nil {
			return reply{}, err
		}
		return reply{kind, c.buf[:n]}, nil
	}
	return reply{}, fmt.Errorf("unexpected reply %q", line)
}

// info returns the fields of INFO section (every default one for "").
func (c *conn) info(section string) (map[string]string, error) {
	var r reply
	var err error
	if section == "" {
		r, err = c.do("INFO", []byte("default"), nil)
	} else {
		r, err = c.do("INFO", []byte(section), nil)
	}
	if err == nil && r.kind != '$' {
		err = errors.New(string(r.data))
	}
	if err != nil {
		return nil, fmt.Errorf("INFO: %w", err)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(string(r.data), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			fields[k] = v
		}
	}
	return fields, nil
}

// procStatus returns a field of /proc/PID/status in KiB (VmRSS, VmHWM),
// 0 without a pid or if it cannot be read.
func procStatus(pid int, field string) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// processCPU returns the CPU time, user and system, in seconds, a process
// has used, all its threads together; 0 without a pid.
func processCPU(pid, clkTck int) (float64, error) {
	if pid == 0 {
		return 0, nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command's name, which is in parentheses and
	// may hold spaces: state is field 3, utime 14 and stime 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("cannot parse /proc/%d/stat", pid)
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("cannot parse /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("cannot parse /proc/%d/stat", pid)
	}
	return float64(utime+stime) / float64(clkTck), nil
}

// histogram counts durations in log-linear buckets: exact below 64 ns,
// then 32 buckets per power of two (a bucket is at most 1/32 of its
// values wide).
type histogram struct {
	counts [histBuckets]int64
	total  int64
}

const (
	subBits     = 6
	histBuckets = 64 * (1 << (subBits - 1))
)

func bucketOf(d time.Duration) int {
	v := uint64(max(d, 0))
	shift := max(bits.Len64(v)-subBits, 0)
	return min(shift<<(subBits-1)+int(v>>shift), histBuckets-1)
}

// upper returns the largest duration bucket i holds.
func upper(i int) time.Duration {
	if i < 1<<subBits {
		return time.Duration(i)
	}
	half := 1 << (subBits - 1)
	shift := i/half - 1
	low := uint64(i%half+half) << shift
	return time.Duration(low + 1<<shift - 1)
}

func (h *histogram) record(d time.Duration) {
	h.counts[bucketOf(d)]++
	h.total++
}

func (h *histogram) add(o *histogram) {
	for i, n := range o.counts {
		h.counts[i] += n
	}
	h.total += o.total
}

// quantile returns the q quantile in milliseconds (the upper end of its
// bucket), 0 for an empty histogram.
func (h *histogram) quantile(q float64) float64 {
	if h.total == 0 {
		return 0
	}
	rank := max(int64(q*float64(h.total)+0.999999), 1)
	var seen int64
	for i, n := range h.counts {
		seen += n
		if seen >= rank {
			return float64(upper(i)) / float64(time.Millisecond)
		}
	}
	return float64(upper(histBuckets-1)) / float64(time.Millisecond)
}
