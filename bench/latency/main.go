// Command latency measures GET/SET latency at a fixed request rate before
// and during a background snapshot (BGSAVE), and the server's memory
// meanwhile. bench/persistence.sh runs it against redis-server and cairn.
//
// -clients connections share -rate requests a second, half GET and half
// SET of -value-size bytes, on keys key:0 .. key:<-keys - 1>. Each
// connection has a fixed schedule, one request every -clients/-rate
// seconds; one that falls behind (a slow reply) sends the requests due at
// once, one after the other, so that the offered load stays the same, and
// a phase's rate is below -rate only when the clients could not keep up.
// Latency is measured twice. From the time a request was sent, as
// redis-benchmark does: the requests a client could not send while it
// waited for a slow reply are not charged the wait (coordinated
// omission), so a server that slows down shows in the rate more than in
// these. And from the time it was due, which charges them, as clients
// arriving at a steady rate would see it; but Go's timers wake up to
// about a millisecond late, which these include too.
//
// After -warmup (not measured) and -baseline, it sends BGSAVE and polls
// INFO persistence every 10 ms until rdb_bgsave_in_progress is 0; the
// requests sent (or, timed from when due, due) in that window are the
// "snapshot" phase. With -pid, it
// samples the VmRSS of that process every 10 ms, that of its child
// processes (Redis's BGSAVE child) added. It prints one line per phase:
//
//	baseline ops=N rate=R errors=E p50_ms=A p99_ms=B p999_ms=C max_ms=D due_p50_ms=A ...
//	snapshot ops=N rate=R errors=E p50_ms=A p99_ms=B p999_ms=C max_ms=D due_p50_ms=A ...
//
// (ops, rate and errors: the requests sent in the phase; due_*: the
// latencies timed from when due, of the requests due in the phase),
//
// then snapshot_s (BGSAVE to in-progress 0), rss_before_kb (the largest
// sample during the baseline), rss_peak_kb (the largest during the
// snapshot, children included), child_peak_kb (the children's largest)
// and cow_bytes (INFO's rdb_last_cow_size once done).
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// sampleEvery is the period of RSS samples and INFO polls.
const sampleEvery = 10 * time.Millisecond

// sample is one request: when it was due and when it was sent,
// relative to the start, and how long its reply took after it was sent;
// failed if it got an error.
type sample struct {
	due, sent, latency time.Duration
	failed             bool
}

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	pid := flag.Int("pid", 0, "server process whose VmRSS to sample (0: none)")
	rate := flag.Float64("rate", 20000, "requests per second, all clients together")
	clients := flag.Int("clients", 20, "connections")
	keys := flag.Int("keys", 1000000, "keys to pick from: key:0 .. key:N-1")
	valueSize := flag.Int("value-size", 100, "length of the values SET")
	warmup := flag.Duration("warmup", time.Second, "load before the measures start")
	baseline := flag.Duration("baseline", 5*time.Second, "measure before the snapshot")
	timeout := flag.Duration("timeout", 5*time.Minute, "longest snapshot waited for")
	flag.Parse()
	if *rate <= 0 || *clients < 1 || *keys < 1 || *valueSize < 0 || *warmup < 0 || *baseline <= 0 {
		fmt.Fprintln(os.Stderr, "latency: -rate, -clients, -keys and -baseline must be positive")
		os.Exit(2)
	}
	if err := run(*addr, *pid, *rate, *clients, *keys, *valueSize, *warmup, *baseline, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "latency:", err)
		os.Exit(1)
	}
}

func newClient(addr string) *redis.Client {
	// One connection each, RESP2, no CLIENT SETINFO, no retries (an error
	// is counted, not hidden), and timeouts long enough that a stall shows
	// as latency.
	return redis.NewClient(&redis.Options{
		Addr: addr, Protocol: 2, DisableIdentity: true,
		PoolSize: 1, PipelinePoolSize: -1, MaxRetries: -1,
		ReadTimeout: time.Minute, WriteTimeout: time.Minute, PoolTimeout: time.Minute,
	})
}

func run(addr string, pid int, rate float64, clients, keys, valueSize int, warmup, baseline, timeout time.Duration) error {
	ctx := context.Background()
	ctl := newClient(addr)
	defer ctl.Close()
	conns := make([]*redis.Client, clients)
	for i := range conns {
		conns[i] = newClient(addr)
		defer conns[i].Close()
	}
	for _, c := range append(conns, ctl) {
		if err := c.Ping(ctx).Err(); err != nil {
			return err
		}
	}
	if info, err := persistenceInfo(ctx, ctl); err != nil {
		return err
	} else if info["rdb_bgsave_in_progress"] != "0" || info["aof_rewrite_in_progress"] != "0" {
		return fmt.Errorf("a snapshot is already in progress")
	}

	interval := time.Duration(float64(time.Second) * float64(clients) / rate)
	start := time.Now()
	// stopAt is when no more requests are due (relative to start), set
	// once the snapshot is over; until then, forever.
	var stopAt atomic.Int64
	stopAt.Store(int64(time.Duration(1<<62 - 1)))
	samples := make([][]sample, clients)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Clients are staggered over one interval.
			first := interval * time.Duration(i) / time.Duration(clients)
			samples[i] = load(ctx, c, start, first, interval, &stopAt, keys, valueSize, uint64(i))
		}()
	}

	rss := &rssSampler{pid: pid}
	time.Sleep(warmup)
	baseStart := time.Since(start)
	var before int64
	for t := time.NewTicker(sampleEvery); time.Since(start) < baseStart+baseline; <-t.C {
		total, _ := rss.sample()
		before = max(before, total)
	}
	snapStart := time.Since(start)
	if err := ctl.BgSave(ctx).Err(); err != nil {
		stopAt.Store(0)
		wg.Wait()
		return fmt.Errorf("BGSAVE: %w", err)
	}
	var peak, childPeak int64
	var info map[string]string
	var err error
	for t := time.NewTicker(sampleEvery); ; <-t.C {
		total, children := rss.sample()
		peak, childPeak = max(peak, total), max(childPeak, children)
		if info, err = persistenceInfo(ctx, ctl); err != nil || info["rdb_bgsave_in_progress"] == "0" {
			break
		}
		if time.Since(start) > snapStart+timeout {
			err = fmt.Errorf("the snapshot did not end within %v", timeout)
			break
		}
	}
	snapEnd := time.Since(start)
	stopAt.Store(int64(snapEnd))
	wg.Wait()
	if err != nil {
		return err
	}
	if status := info["rdb_last_bgsave_status"]; status != "ok" {
		return fmt.Errorf("rdb_last_bgsave_status is %q after BGSAVE", status)
	}

	var all []sample
	for _, ss := range samples {
		all = append(all, ss...)
	}
	report("baseline", all, baseStart, snapStart)
	report("snapshot", all, snapStart, snapEnd)
	fmt.Printf("snapshot_s=%.3f rss_before_kb=%d rss_peak_kb=%d child_peak_kb=%d cow_bytes=%s\n",
		(snapEnd - snapStart).Seconds(), before, peak, childPeak, orDefault(info["rdb_last_cow_size"], "0"))
	return nil
}

func orDefault(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// load sends a request every interval, the first at start+first, until
// one would be due at stopAt or later, and returns them.
func load(ctx context.Context, c *redis.Client, start time.Time, first, interval time.Duration,
	stopAt *atomic.Int64, keys, valueSize int, seed uint64) []sample {
	rng := rand.New(rand.NewPCG(seed, 1))
	value := strings.Repeat("v", valueSize)
	var out []sample
	for due := first; int64(due) < stopAt.Load(); due += interval {
		if wait := time.Until(start.Add(due)); wait > 0 {
			time.Sleep(wait)
		}
		key := "key:" + strconv.Itoa(rng.IntN(keys))
		sent := time.Now()
		var err error
		if rng.IntN(2) == 0 {
			err = c.Get(ctx, key).Err()
			if err == redis.Nil {
				err = nil
			}
		} else {
			err = c.Set(ctx, key, value, 0).Err()
		}
		out = append(out, sample{due: due, sent: sent.Sub(start), latency: time.Since(sent), failed: err != nil})
	}
	return out
}

// report prints the line of the phase from begin to end.
func report(name string, ss []sample, begin, end time.Duration) {
	var lat, fromDue []time.Duration
	errors := 0
	for _, s := range ss {
		if s.sent >= begin && s.sent < end {
			lat = append(lat, s.latency)
			if s.failed {
				errors++
			}
		}
		if s.due >= begin && s.due < end {
			fromDue = append(fromDue, s.sent-s.due+s.latency)
		}
	}
	fmt.Printf("%s ops=%d rate=%.0f errors=%d %s %s\n", name, len(lat), float64(len(lat))/(end-begin).Seconds(),
		errors, quantiles("", lat), quantiles("due_", fromDue))
}

// quantiles formats the p50, p99, p99.9 and max of lat in milliseconds.
func quantiles(prefix string, lat []time.Duration) string {
	slices.Sort(lat)
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		i := min(len(lat)-1, max(0, int(p*float64(len(lat))+0.999999)-1))
		return float64(lat[i]) / float64(time.Millisecond)
	}
	return fmt.Sprintf("%[1]sp50_ms=%.3[2]f %[1]sp99_ms=%.3[3]f %[1]sp999_ms=%.3[4]f %[1]smax_ms=%.3[5]f",
		prefix, q(0.50), q(0.99), q(0.999), q(1))
}

// persistenceInfo returns the fields of INFO persistence.
func persistenceInfo(ctx context.Context, c *redis.Client) (map[string]string, error) {
	s, err := c.Info(ctx, "persistence").Result()
	if err != nil {
		return nil, fmt.Errorf("INFO persistence: %w", err)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			fields[k] = v
		}
	}
	return fields, nil
}

// rssSampler reads the VmRSS of a process and of its children.
type rssSampler struct{ pid int }

// sample returns the VmRSS, in KiB, of the process and its children
// together, and of the children alone; zeros without a pid.
func (r *rssSampler) sample() (total, children int64) {
	if r.pid == 0 {
		return 0, 0
	}
	total = vmRSS(r.pid)
	// Each thread lists the children it forked.
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", r.pid))
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if child, err := strconv.Atoi(f); err == nil {
				children += vmRSS(child)
			}
		}
	}
	return total + children, children
}

// vmRSS returns a process's VmRSS in KiB, 0 if it cannot be read.
func vmRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
