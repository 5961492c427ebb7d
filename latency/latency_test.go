package latency

import (
	"reflect"
	"strings"
	"testing"
)

// us is n microseconds in nanoseconds, as Redis records a command's
// duration (duration*1000).
func us(n int64) int64 { return n * 1000 }

func TestHistogramCDF(t *testing.T) {
	tests := []struct {
		name   string
		values []int64
		want   []Bucket
	}{
		{"empty", nil, nil},
		{"one microsecond", []int64{us(1)}, []Bucket{{1, 1}}},
		// Redis records a 0 µs command as its minimum, 1 ns.
		{"zero", []int64{0, -5}, []Bucket{{1, 2}}},
		// The shape of redis-server 7.0's reply for PING after four
		// calls (1 -> 1, 2 -> 3, 16 -> 4).
		{"gaps left out", []int64{us(1), us(2), us(2), us(15)}, []Bucket{{1, 1}, {2, 3}, {16, 4}}},
		// The bucket of 2^k*1024 ns ends 2^(k-7) ns higher.
		{"bucket ends", []int64{us(33), us(132), us(264), us(8454)}, []Bucket{{33, 1}, {132, 2}, {264, 3}, {8454, 4}}},
		{"just past a bucket", []int64{1031, 1032}, []Bucket{{1, 1}, {2, 2}}},
		// Past 2^29 µs the counts end: the last step reports the highest
		// value the histogram can count.
		{"maximum", []int64{us(1), MaxValue, MaxValue + 1}, []Bucket{{1, 1}, {1073741, 3}}},
		{"half a second", []int64{us(500_000)}, []Bucket{{541065, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for _, v := range tt.values {
				h.Record(v)
			}
			if got := h.CDF(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CDF() = %v, want %v", got, tt.want)
			}
			if h.Count() != int64(len(tt.values)) {
				t.Errorf("Count() = %d, want %d", h.Count(), len(tt.values))
			}
		})
	}
}

func TestHistogramPercentiles(t *testing.T) {
	tests := []struct {
		name        string
		values      []int64
		percentiles []float64
		want        string
	}{
		// What redis-server 7.0's INFO latencystats gave for MULTI with
		// percentiles 0 0.001 50 100.
		{"redis multi", []int64{us(1), us(1), us(3)}, []float64{0, 0.001, 50, 100}, "p0=1.000,p0.001=1.003,p50=1.003,p100=3.007"},
		{"default", []int64{us(1), us(2), us(2), us(15)}, []float64{50, 99, 99.9}, "p50=2.007,p99=15.039,p99.9=15.039"},
		{"one value", []int64{us(18944)}, []float64{0, 50}, "p0=18874.368,p50=19005.439"},
		{"zero microseconds", []int64{0}, []float64{50}, "p50=0.001"},
		{"none", []int64{us(7)}, nil, ""},
		{"formatting", []int64{us(1)}, []float64{99.99999999, 1.5, 12.125}, "p100=1.003,p1.5=1.003,p12.125=1.003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for _, v := range tt.values {
				h.Record(v)
			}
			if got := h.Percentiles(tt.percentiles); got != tt.want {
				t.Errorf("Percentiles(%v) = %q, want %q", tt.percentiles, got, tt.want)
			}
		})
	}
}

func TestHistogramPercentileWalk(t *testing.T) {
	var h Histogram
	for i := int64(1); i <= 1000; i++ {
		h.Record(us(i))
	}
	tests := []struct {
		p    float64
		want int64
	}{
		{0, 1000},
		{50, 501759},   // the 500th value, 500 µs, in a bucket of 2^11 ns
		{99, 991231},   // the 990th
		{99.9, 999423}, // the 999th
		{100, 1003519},
		{150, 1003519},
	}
	for _, tt := range tests {
		if got := h.ValueAtPercentile(tt.p); got != tt.want {
			t.Errorf("ValueAtPercentile(%v) = %d, want %d", tt.p, got, tt.want)
		}
	}
}

func TestSeries(t *testing.T) {
	tests := []struct {
		name string
		adds [][2]int64 // time, millis
		want []Sample
		max  int64
	}{
		{"one", [][2]int64{{100, 5}}, []Sample{{100, 5}}, 5},
		{"same second keeps the worst", [][2]int64{{100, 5}, {100, 9}, {100, 2}}, []Sample{{100, 9}}, 9},
		{"seconds", [][2]int64{{100, 5}, {101, 3}, {100, 7}}, []Sample{{100, 5}, {101, 3}, {100, 7}}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Series
			for _, a := range tt.adds {
				s.Add(a[0], a[1])
			}
			if got := s.Samples(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Samples() = %v, want %v", got, tt.want)
			}
			if s.Max != tt.max {
				t.Errorf("Max = %d, want %d", s.Max, tt.max)
			}
			if got := s.Latest(); got != tt.want[len(tt.want)-1] {
				t.Errorf("Latest() = %v, want %v", got, tt.want[len(tt.want)-1])
			}
		})
	}
}

func TestSeriesRing(t *testing.T) {
	var s Series
	for i := int64(1); i <= SeriesLen+10; i++ {
		s.Add(i, i)
	}
	got := s.Samples()
	if len(got) != SeriesLen || got[0] != (Sample{11, 11}) || got[SeriesLen-1] != (Sample{SeriesLen + 10, SeriesLen + 10}) {
		t.Errorf("after %d samples: %d kept, from %v to %v", SeriesLen+10, len(got), got[0], got[len(got)-1])
	}
}

func TestMonitorReset(t *testing.T) {
	tests := []struct {
		reset []string
		n     int
		left  []string
	}{
		{nil, 3, []string{}},
		{[]string{"Command"}, 1, []string{"expire-cycle", "fast-command"}},
		{[]string{"command", "COMMAND", "nosuch"}, 1, []string{"expire-cycle", "fast-command"}},
		{[]string{"fast-command", "expire-cycle"}, 2, []string{"command"}},
	}
	for _, tt := range tests {
		var m Monitor
		for _, e := range []string{"command", "fast-command", "expire-cycle"} {
			m.Add(e, 1, 1)
		}
		if n := m.Reset(tt.reset...); n != tt.n || !reflect.DeepEqual(m.Events(), tt.left) {
			t.Errorf("Reset(%q) = %d leaving %q, want %d leaving %q", tt.reset, n, m.Events(), tt.n, tt.left)
		}
	}
}

// TestRedisReport compares the graph and the report with what
// redis-server 7.0 printed after DEBUG SLEEPs of 20, 50 and 3 ms a
// second apart (latency-monitor-threshold 1).
func TestRedisReport(t *testing.T) {
	var m Monitor
	m.Add("command", 1000, 20)
	m.Add("command", 1001, 50)
	m.Add("command", 1002, 3)
	graph := strings.Join([]string{
		"command - high 50 ms, low 3 ms (all time high 50 ms)",
		strings.Repeat("-", 80),
		" # ",
		" | ",
		"o| ",
		"||_",
		"   ",
		"210",
		"sss",
		"",
	}, "\n")
	if got := m.Series("command").Graph("command", 1002); got != graph {
		t.Errorf("Graph:\n%s\nwant:\n%s", got, graph)
	}
	report := "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n" +
		"1. command: 3 latency spikes (average 24ms, mean deviation 17ms, period 0.67 sec). Worst all time event 50ms.\n" +
		"\nI have a few advices for you:\n\n" +
		"- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than 1000'.\n" +
		"- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n" +
		"- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n"
	if got := m.Report(Facts{ThresholdMillis: 1, SlowlogSlowerThan: 10000, Hz: 10}, 1002); got != report {
		t.Errorf("Report:\n%s\nwant:\n%s", got, report)
	}
}

func TestReportWithoutEvents(t *testing.T) {
	var m Monitor
	tests := []struct {
		facts Facts
		want  string
	}{
		{Facts{}, "I'm sorry, Dave"},
		{Facts{ThresholdMillis: 5}, "Dave, no latency spike was observed"},
		{Facts{ThresholdMillis: 5, AnonHugePages: true}, "\nI have a few advices for you:\n\n- I detected a non zero amount of anonymous huge pages"},
	}
	for _, tt := range tests {
		if got := m.Report(tt.facts, 1); !strings.HasPrefix(got, tt.want) {
			t.Errorf("Report(%+v) = %q, want it to start with %q", tt.facts, got, tt.want)
		}
	}
}

func TestGraphLabels(t *testing.T) {
	var s Series
	s.Add(1, 5)
	s.Add(1+90, 5)
	s.Add(1+2*3600, 5)
	s.Add(1+3*86400, 5)
	got := s.Graph("e", 1+3*86400+30)
	lines := strings.Split(got, "\n")
	// Equal values: one row of '_' at the bottom; then the margin and
	// the labels 3d, 2d, 2d and 30s, read downwards.
	want := []string{"    ", "    ", "    ", "____", "    ", "3223", "ddd0", "   s", ""}
	if !reflect.DeepEqual(lines[2:], want) {
		t.Errorf("Graph rows %q, want %q", lines[2:], want)
	}
}
