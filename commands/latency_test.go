package commands_test

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/config"
)

// histogram checks a command's entry of LATENCY HISTOGRAM (a RESP2 flat
// map) and returns its calls.
func histogram(t *testing.T, name string, entry *rawReply) int64 {
	t.Helper()
	f := entry.fields()
	calls, buckets := f["calls"], f["histogram_usec"]
	if calls == nil || buckets == nil || len(entry.elems) != 4 {
		t.Fatalf("%s: histogram %v", name, entry)
	}
	// Bucket bounds grow, counts are cumulative and end at the calls.
	var lastBound, lastCount int64 = -1, 0
	for i := 0; i < len(buckets.elems); i += 2 {
		bound, count := buckets.elems[i].n, buckets.elems[i+1].n
		if bound <= lastBound || count <= lastCount {
			t.Errorf("%s: buckets %v not increasing", name, buckets)
		}
		lastBound, lastCount = bound, count
	}
	if lastCount != calls.n {
		t.Errorf("%s: buckets %v end at %d, want the calls, %d", name, buckets, lastCount, calls.n)
	}
	return calls.n
}

func TestLatencyHistogram(t *testing.T) {
	srv := startConnServer(t, nil)
	c := dialRaw(t, srv.Addr)
	for range 3 {
		c.do(t, "SET", "k", "v")
	}
	c.do(t, "GET", "k")
	// A pipeline of fast commands shares its time among them: they are
	// counted all the same.
	var pings [][]string
	for range 50 {
		pings = append(pings, []string{"PING"})
	}
	sendRaw(t, c, pings...)
	expectRaw(t, c, strings.Repeat("+PONG\r\n", 50))

	r := c.do(t, "LATENCY", "HISTOGRAM", "set", "PING", "get", "nosuch", "config")
	got := map[string]int64{}
	for i := 0; i < len(r.elems); i += 2 {
		got[r.elems[i].str] = histogram(t, r.elems[i].str, r.elems[i+1])
	}
	// 51 PINGs: the one expectRaw sends after the batch.
	want := map[string]int64{"set": 3, "ping": 51, "get": 1}
	if len(got) != len(want) || got["set"] != 3 || got["ping"] != 51 || got["get"] != 1 {
		t.Errorf("LATENCY HISTOGRAM calls %v, want %v", got, want)
	}

	info := infoFields(t, c.do(t, "INFO", "latencystats").str)
	line := regexp.MustCompile(`^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$`)
	for _, cmd := range []string{"set", "get", "ping", "latency|histogram"} {
		if v := info["latency_percentiles_usec_"+cmd]; !line.MatchString(v) {
			t.Errorf("latency_percentiles_usec_%s:%s", cmd, v)
		}
	}
	c.do(t, "CONFIG", "SET", "latency-tracking-info-percentiles", "0 100")
	info = infoFields(t, c.do(t, "INFO", "latencystats").str)
	if v := info["latency_percentiles_usec_set"]; !regexp.MustCompile(`^p0=\d+\.\d{3},p100=\d+\.\d{3}$`).MatchString(v) {
		t.Errorf("with percentiles 0 100: latency_percentiles_usec_set:%s", v)
	}

	// Off, the histograms stay as they are and INFO leaves them out.
	c.do(t, "CONFIG", "SET", "latency-tracking", "no")
	c.do(t, "SET", "k", "v")
	r = c.do(t, "LATENCY", "HISTOGRAM", "set")
	if n := histogram(t, "set", r.elems[1]); n != 3 {
		t.Errorf("latency-tracking no: set calls %d, want 3", n)
	}
	if s := c.do(t, "INFO", "latencystats").str; s != "# Latencystats\r\n" {
		t.Errorf("latency-tracking no: INFO latencystats %q", s)
	}
	// CONFIG RESETSTAT drops them, as Redis frees them.
	c.do(t, "CONFIG", "RESETSTAT")
	if r := c.do(t, "LATENCY", "HISTOGRAM"); len(r.elems) != 0 {
		t.Errorf("after CONFIG RESETSTAT: %v", r)
	}
}

func TestLatencyMonitor(t *testing.T) {
	srv := startConnServer(t, func(c *config.Config) { c.LatencyMonitorThreshold = 1 })
	c := dialRaw(t, srv.Addr)
	// Below the threshold, and with the monitor off, nothing is kept.
	srv.Engine.LatencySample("expire-cycle", 999*time.Microsecond)
	srv.Config.Set([][2]string{{"latency-monitor-threshold", "0"}})
	srv.Engine.LatencySample("expire-cycle", time.Second)
	if r := c.do(t, "LATENCY", "LATEST"); len(r.elems) != 0 {
		t.Fatalf("LATENCY LATEST %v, want none", r)
	}
	c.do(t, "CONFIG", "SET", "latency-monitor-threshold", "1")
	srv.Engine.LatencySample("eviction-cycle", 7*time.Millisecond)
	srv.Engine.LatencySample("eviction-cycle", 3*time.Millisecond)
	c.do(t, "EVAL", "local i = 0 while i < 300000 do i = i + 1 end return i", "0")

	latest := map[string][]int64{}
	for _, e := range c.do(t, "LATENCY", "LATEST").elems {
		latest[e.elems[0].str] = []int64{e.elems[1].n, e.elems[2].n, e.elems[3].n}
	}
	now := time.Now().Unix()
	if ev := latest["eviction-cycle"]; len(ev) != 3 || now-ev[0] > 60 || ev[1] != 7 || ev[2] != 7 {
		t.Errorf("eviction-cycle %v: the worst of the second, 7 ms", ev)
	}
	if ev := latest["command"]; len(ev) != 3 || ev[1] < 1 || ev[2] < ev[1] {
		t.Errorf("command %v: the slow EVAL", ev)
	}
	if r := c.do(t, "LATENCY", "HISTORY", "eviction-cycle"); len(r.elems) != 1 || r.elems[0].elems[1].n != 7 {
		t.Errorf("LATENCY HISTORY eviction-cycle %v", r)
	}
	graph := c.do(t, "LATENCY", "GRAPH", "eviction-cycle").str
	if !strings.HasPrefix(graph, "eviction-cycle - high 7 ms, low 7 ms (all time high 7 ms)\n"+strings.Repeat("-", 80)+"\n") {
		t.Errorf("LATENCY GRAPH %q", graph)
	}
	doctor := c.do(t, "LATENCY", "DOCTOR").str
	// The period is the seconds since the sample, which a slow machine
	// may have let pass.
	for _, want := range []string{`Dave, I have observed latency spikes`, `\. eviction-cycle: 1 latency spikes \(average 7ms, mean deviation 0ms, period \d+\.00 sec\)\. Worst all time event 7ms\.`,
		`- Sudden changes to the 'maxmemory' setting`} {
		if !regexp.MustCompile(want).MatchString(doctor) {
			t.Errorf("LATENCY DOCTOR has no %q:\n%s", want, doctor)
		}
	}
	if r := c.do(t, "LATENCY", "RESET", "EVICTION-CYCLE", "eviction-cycle", "nosuch"); r.n != 1 {
		t.Errorf("LATENCY RESET of one event: %v", r)
	}
	if r := c.do(t, "LATENCY", "GRAPH", "eviction-cycle"); r.str != "ERR No samples available for event 'eviction-cycle'" {
		t.Errorf("LATENCY GRAPH of a reset event: %v", r)
	}
}

// TestLatencyExpireCycle expires many keys at once: the active expiry
// cycle that reclaims them takes over a millisecond and is an
// expire-cycle event.
func TestLatencyExpireCycle(t *testing.T) {
	srv := startConnServer(t, func(c *config.Config) { c.LatencyMonitorThreshold = 1 })
	c := dialRaw(t, srv.Addr)
	var cmds [][]string
	for i := range 50000 {
		cmds = append(cmds, []string{"SET", "k" + strconv.Itoa(i), "v", "PX", "50"})
	}
	sendRaw(t, c, cmds...)
	expectRaw(t, c, strings.Repeat("+OK\r\n", len(cmds)))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if r := c.do(t, "LATENCY", "HISTORY", "expire-cycle"); len(r.elems) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no expire-cycle event; DBSIZE %v", c.do(t, "DBSIZE"))
		}
	}
}

// TestLatencyBlocked follows Redis 7.0 with a blocking command: it enters
// its histogram and the slow log when it is served (after the command
// that served it) or CLIENT UNBLOCKed, and not when it times out; its
// call is counted when it blocks.
func TestLatencyBlocked(t *testing.T) {
	srv := startConnServer(t, func(c *config.Config) { c.SlowlogLogSlowerThan = 0 })
	c, b := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
	c.do(t, "SLOWLOG", "RESET")
	if r := b.do(t, "BLPOP", "none", "0.01"); !r.null {
		t.Fatalf("BLPOP timed out: %v", r)
	}
	served := doAsync(b, "BLPOP", "l", "0")
	waitInfo(t, c, "blocked_clients", "1")
	c.do(t, "LPUSH", "l", "x")
	if r := <-served; r == nil || len(r.elems) != 2 {
		t.Fatalf("BLPOP served: %v", r)
	}
	id := b.do(t, "CLIENT", "ID").n
	unblocked := doAsync(b, "BLPOP", "l", "0")
	waitInfo(t, c, "blocked_clients", "1")
	c.do(t, "CLIENT", "UNBLOCK", strconv.FormatInt(id, 10))
	<-unblocked

	var names []string
	for _, e := range c.do(t, "SLOWLOG", "GET", "-1").elems {
		names = append(names, strings.ToLower(e.elems[3].elems[0].str))
	}
	// Newest first. The BLPOP that timed out is not there; INFO's are
	// waitInfo's polls.
	got := strings.Join(slices.DeleteFunc(names, func(s string) bool { return s == "info" }), " ")
	if want := "client blpop client blpop lpush slowlog"; got != want {
		t.Errorf("slow log %q, want %q", got, want)
	}
	if n := histogram(t, "blpop", c.do(t, "LATENCY", "HISTOGRAM", "blpop").elems[1]); n != 2 {
		t.Errorf("blpop histogram: %d calls, want 2", n)
	}
	if s := infoFields(t, c.do(t, "INFO", "commandstats").str)["cmdstat_blpop"]; !strings.HasPrefix(s, "calls=3,") {
		t.Errorf("cmdstat_blpop:%s, want 3 calls", s)
	}
}
