package latency

import (
	"sort"
	"strings"
)

// SeriesLen is how many samples an event keeps (Redis's LATENCY_TS_LEN).
const SeriesLen = 160

// Sample is the worst latency of an event in one second.
type Sample struct {
	// Time is the second, in Unix time; 0 for a slot never used.
	Time int64
	// Millis is the latency in milliseconds.
	Millis int64
}

// Series is the latency monitor's record of one event, as Redis's
// latencyTimeSeries: a ring of the latest SeriesLen samples, one per
// second at most, and the worst latency ever seen.
type Series struct {
	samples [SeriesLen]Sample
	// next is the slot the next sample goes to.
	next int
	// Max is the worst latency ever recorded, in milliseconds.
	Max int64
}

// Add records a latency of millis at Unix second now, as latencyAddSample:
// within the second of the latest sample, only a worse latency replaces
// it.
func (s *Series) Add(now, millis int64) {
	s.Max = max(s.Max, millis)
	prev := &s.samples[(s.next+SeriesLen-1)%SeriesLen]
	if prev.Time == now {
		prev.Millis = max(prev.Millis, millis)
		return
	}
	s.samples[s.next] = Sample{Time: now, Millis: millis}
	s.next = (s.next + 1) % SeriesLen
}

// Samples returns the samples kept, oldest first.
func (s *Series) Samples() []Sample {
	var out []Sample
	for j := range SeriesLen {
		if sm := s.samples[(s.next+j)%SeriesLen]; sm.Time != 0 {
			out = append(out, sm)
		}
	}
	return out
}

// Latest is the latest sample.
func (s *Series) Latest() Sample { return s.samples[(s.next+SeriesLen-1)%SeriesLen] }

// Monitor is the latency monitor: a Series per event that had a sample.
// The zero Monitor is empty and ready to use.
type Monitor struct {
	events map[string]*Series
}

// Add records a latency of millis for event at Unix second now. The
// caller applies latency-monitor-threshold.
func (m *Monitor) Add(event string, now, millis int64) {
	s := m.events[event]
	if s == nil {
		if m.events == nil {
			m.events = map[string]*Series{}
		}
		s = &Series{}
		m.events[event] = s
	}
	s.Add(now, millis)
}

// Series returns the series of event (its name matched exactly, as
// Redis's dict lookup), or nil.
func (m *Monitor) Series(event string) *Series { return m.events[event] }

// Events lists the events that have a series, by name (Redis lists them
// in its dict's order, which is arbitrary).
func (m *Monitor) Events() []string {
	names := make([]string, 0, len(m.events))
	for name := range m.events {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Reset forgets the events named (in any case, as latencyResetEvent
// compares them), or every event if none is named, and returns how many
// it forgot; an event named twice is forgotten once.
func (m *Monitor) Reset(events ...string) int {
	n := 0
	for name := range m.events {
		if len(events) == 0 || containsFold(events, name) {
			delete(m.events, name)
			n++
		}
	}
	return n
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Stats are the figures LATENCY DOCTOR gives of an event, as Redis's
// analyzeLatencyForEvent computes them.
type Stats struct {
	// AllTimeHigh is the worst latency ever recorded.
	AllTimeHigh int64
	// Avg, Min, Max and MAD (mean absolute deviation from Avg, integer
	// division as Redis's) are over the samples kept, in milliseconds.
	Avg, Min, Max, MAD int64
	// Samples is how many samples are kept.
	Samples int
	// Period is the seconds since the oldest sample, 1 rather than 0.
	Period int64
}

// Analyze computes the Stats of s at Unix second now.
func (s *Series) Analyze(now int64) Stats {
	st := Stats{AllTimeHigh: s.Max}
	samples := s.Samples()
	if len(samples) == 0 {
		return st
	}
	var sum, oldest int64
	for i, sm := range samples {
		if i == 0 {
			st.Min, st.Max = sm.Millis, sm.Millis
		}
		st.Min = min(st.Min, sm.Millis)
		st.Max = max(st.Max, sm.Millis)
		sum += sm.Millis
		if oldest == 0 || sm.Time < oldest {
			oldest = sm.Time
		}
	}
	st.Samples = len(samples)
	st.Avg = sum / int64(st.Samples)
	if st.Period = now - oldest; st.Period == 0 {
		st.Period = 1
	}
	var dev int64
	for _, sm := range samples {
		d := st.Avg - sm.Millis
		dev += max(d, -d)
	}
	st.MAD = dev / int64(st.Samples)
	return st
}
