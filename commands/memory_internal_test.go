package commands

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/resp"
)

// TestMemoryStatsAgreesWithInfo writes INFO memory and MEMORY STATS from
// one count of the figures and requires each figure they share to read
// the same in both.
func TestMemoryStatsAgreesWithInfo(t *testing.T) {
	e := newTestEngine(keyspace.New(keyspace.Options{Databases: 16}))
	cl := NewClient("", "", time.Now(), func() {})
	cl.Authenticated = true
	e.KS.Lock()
	defer e.KS.Unlock()
	for _, args := range [][]string{{"SET", "a", "1"}, {"SELECT", "3"}, {"HSET", "h", "f", "v"},
		{"EXPIRE", "h", "1000"}, {"EVAL", "return 1", "0"}} {
		e.Exec(cl, bytesArgs(args))
	}
	f := e.memoryFigures()
	var b infoBuilder
	writeInfoMemory(&Ctx{Engine: e}, &b, f)
	info := map[string]string{}
	for line := range strings.Lines(b.String()) {
		field, value, _ := strings.Cut(strings.TrimSuffix(line, "\r\n"), ":")
		info[field] = value
	}
	w := resp.NewWriter()
	writeMemoryStats(w, f)
	stats := statsFields(string(w.Bytes()))

	for _, tc := range []struct{ stat, info, format string }{
		{"peak.allocated", "used_memory_peak", ""},
		{"total.allocated", "used_memory", ""},
		{"startup.allocated", "used_memory_startup", ""},
		{"clients.normal", "mem_clients_normal", ""},
		{"functions.caches", "used_memory_functions", ""},
		{"overhead.total", "used_memory_overhead", ""},
		{"dataset.bytes", "used_memory_dataset", ""},
		{"dataset.percentage", "used_memory_dataset_perc", "%.2f%%"},
		{"peak.percentage", "used_memory_peak_perc", "%.2f%%"},
		{"allocator.allocated", "allocator_allocated", ""},
		{"allocator.active", "allocator_active", ""},
		{"allocator.resident", "allocator_resident", ""},
		{"allocator-fragmentation.ratio", "allocator_frag_ratio", "%.2f"},
		{"allocator-fragmentation.bytes", "allocator_frag_bytes", ""},
		{"allocator-rss.ratio", "allocator_rss_ratio", "%.2f"},
		{"allocator-rss.bytes", "allocator_rss_bytes", ""},
		{"rss-overhead.ratio", "rss_overhead_ratio", "%.2f"},
		{"rss-overhead.bytes", "rss_overhead_bytes", ""},
		{"fragmentation", "mem_fragmentation_ratio", "%.2f"},
		{"fragmentation.bytes", "mem_fragmentation_bytes", ""},
	} {
		got, ok := stats[tc.stat]
		if !ok {
			t.Errorf("MEMORY STATS has no %s", tc.stat)
			continue
		}
		if tc.format != "" {
			d, err := strconv.ParseFloat(got, 64)
			if err != nil {
				t.Errorf("%s = %q: %v", tc.stat, got, err)
			}
			got = fmt.Sprintf(tc.format, d)
		}
		if got != info[tc.info] {
			t.Errorf("MEMORY STATS %s = %s, INFO %s = %s", tc.stat, got, tc.info, info[tc.info])
		}
	}
	scripts, _ := strconv.ParseInt(info["used_memory_scripts"], 10, 64)
	lua, _ := strconv.ParseInt(stats["lua.caches"], 10, 64)
	functions, _ := strconv.ParseInt(stats["functions.caches"], 10, 64)
	if lua == 0 || lua+functions != scripts {
		t.Errorf("lua.caches %d + functions.caches %d, INFO used_memory_scripts %d", lua, functions, scripts)
	}
	if stats["keys.count"] != "2" || stats["db.3.overhead.hashtable.expires"] == "0" || stats["dataset.bytes"] == "0" {
		t.Errorf("MEMORY STATS after two keys, one volatile: %v", stats)
	}
}

// statsFields reads MEMORY STATS's RESP2 reply into a map of its fields'
// values (integers without their ':'); a database's fields are named
// "db.N.field".
func statsFields(reply string) map[string]string {
	var tokens []string
	for line := range strings.Lines(reply) {
		if line[0] != '*' && line[0] != '$' {
			tokens = append(tokens, strings.TrimPrefix(strings.TrimSuffix(line, "\r\n"), ":"))
		}
	}
	fields := map[string]string{}
	db := ""
	for i := 0; i+1 < len(tokens); i += 2 {
		name := tokens[i]
		switch {
		case strings.HasPrefix(name, "db."):
			db = name + "."
			i-- // a map follows, not a value
			continue
		case !strings.HasPrefix(name, "overhead.hashtable."):
			db = ""
		}
		fields[db+name] = tokens[i+1]
	}
	return fields
}

// TestDoctorReport checks MEMORY DOCTOR's thresholds, Redis's.
func TestDoctorReport(t *testing.T) {
	const mb = 1 << 20
	// healthy: 100 MB used, little fragmentation, one client.
	healthy := memoryFigures{used: 100 * mb, peak: 100 * mb, clients: 12 << 10,
		allocated: 100 * mb, active: 101 * mb, resident: 102 * mb, rss: 105 * mb}
	with := func(change func(*memoryFigures)) memoryFigures {
		f := healthy
		change(&f)
		return f
	}
	for _, tc := range []struct {
		name             string
		f                memoryFigures
		clients, scripts int
		want             []string // issues; nil: none
	}{
		{"empty", memoryFigures{used: 4 * mb, peak: 40 * mb, rss: 100 * mb}, 1, 2000, []string{"Hi Sam, this instance is empty"}},
		{"healthy", healthy, 1, 1000, nil},
		{"peak", with(func(f *memoryFigures) { f.peak = 151 * mb }), 1, 0, []string{doctorPeak}},
		{"peak at 150%", with(func(f *memoryFigures) { f.peak = 150 * mb }), 1, 0, nil},
		{"fragmentation", with(func(f *memoryFigures) { f.rss = 141 * mb }), 1, 0, []string{doctorFragmentation}},
		{"allocator rss", with(func(f *memoryFigures) { f.resident = 120 * mb; f.rss = 122 * mb }), 1, 0, []string{doctorAllocatorRSS}},
		{"allocator rss under 10 MB", with(func(f *memoryFigures) {
			f.used, f.peak, f.allocated, f.active, f.resident, f.rss = 20*mb, 20*mb, 20*mb, 20*mb, 29*mb, 29*mb
		}), 1, 0, nil},
		{"client buffers", with(func(f *memoryFigures) { f.clients = 2 * 201 << 10 }), 2, 0, []string{doctorClientBuffers}},
		{"client buffers 200K each", with(func(f *memoryFigures) { f.clients = 2 * 200 << 10 }), 2, 0, nil},
		{"scripts", healthy, 1, 1001, []string{doctorScripts}},
		{"several", with(func(f *memoryFigures) { f.peak = 200 * mb }), 1, 1001, []string{doctorPeak, doctorScripts}},
	} {
		got := doctorReport(tc.f, tc.clients, tc.scripts)
		switch {
		case tc.want == nil:
			if !strings.HasPrefix(got, "Hi Sam, I can't find any memory issue") {
				t.Errorf("%s: %q, want no issue", tc.name, got)
			}
		case tc.name == "empty":
			if !strings.HasPrefix(got, tc.want[0]) {
				t.Errorf("%s: %q", tc.name, got)
			}
		default:
			want := "Sam, I detected a few issues in this Redis instance memory implants:\n\n" +
				strings.Join(tc.want, "") + "I'm here to keep you safe, Sam. I want to help you.\n"
			if got != want {
				t.Errorf("%s: %q, want %q", tc.name, got, want)
			}
		}
	}
}
