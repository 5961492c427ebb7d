// Package latency holds the data behind Redis's operator's view of
// latency: per-command latency histograms (LATENCY HISTOGRAM, INFO
// latencystats) and the latency monitor's per-event series of samples
// (LATENCY LATEST, HISTORY, GRAPH, DOCTOR). It is pure data: no clock, no
// locks, no network; the caller says what time it is and guards it.
package latency

import (
	"math/bits"
	"strconv"
	"strings"
)

// Histogram is the part of an HdrHistogram that Redis 7.0 uses for its
// per-command latencies (deps/hdr_histogram): values from 1 to 10^9
// nanoseconds with 2 significant digits. Each power of two above 255 is
// split into 128 sub-buckets, so a value is counted in a range of at most
// 1/128 of it; the bucket layout, the iteration and the percentile rule
// below are hdr_histogram's, so that the same latencies give Redis's
// replies to the digit.
//
// The zero Histogram is empty and ready to use; its counts are allocated
// at the first Record (24 KiB, as Redis's).
type Histogram struct {
	counts []int64
	total  int64
}

// The configuration Redis gives hdr_init: lowest 1, highest 10^9,
// 2 significant figures. With them hdr_calculate_bucket_config gives
// unit magnitude 0, 256 sub-buckets (128 per half) and 23 buckets.
const (
	// MinValue and MaxValue bound what Record counts (Redis's
	// LATENCY_HISTOGRAM_MIN_VALUE and _MAX_VALUE), in nanoseconds.
	MinValue = 1
	MaxValue = 1_000_000_000

	subBucketHalfCountMagnitude = 7
	subBucketCount              = 1 << (subBucketHalfCountMagnitude + 1)
	subBucketHalfCount          = subBucketCount / 2
	subBucketMask               = subBucketCount - 1
	bucketCount                 = 23
	countsLen                   = (bucketCount + 1) * subBucketHalfCount
)

func bucketIndex(v int64) int {
	return 64 - bits.LeadingZeros64(uint64(v|subBucketMask)) - (subBucketHalfCountMagnitude + 1)
}

func countsIndex(v int64) int {
	b := bucketIndex(v)
	sub := int(v >> b)
	return (b+1)<<subBucketHalfCountMagnitude + sub - subBucketHalfCount
}

// valueAtIndex is hdr_value_at_index: the lowest value counted at i.
func valueAtIndex(i int) int64 {
	b := i>>subBucketHalfCountMagnitude - 1
	sub := i&(subBucketHalfCount-1) + subBucketHalfCount
	if b < 0 {
		sub -= subBucketHalfCount
		b = 0
	}
	return int64(sub) << b
}

// lowestEquivalent and highestEquivalent bound the range of values
// counted together with v.
func lowestEquivalent(v int64) int64 {
	b := bucketIndex(v)
	return (v >> b) << b
}

func highestEquivalent(v int64) int64 {
	return lowestEquivalent(v) + int64(1)<<bucketIndex(v) - 1
}

// Record counts one value, in nanoseconds, brought within MinValue and
// MaxValue as Redis's updateCommandLatencyHistogram does.
func (h *Histogram) Record(ns int64) {
	ns = min(max(ns, MinValue), MaxValue)
	if h.counts == nil {
		h.counts = make([]int64, countsLen)
	}
	h.counts[countsIndex(ns)]++
	h.total++
}

// Count is the number of values recorded.
func (h *Histogram) Count() int64 { return h.total }

// Bucket is one line of a cumulative distribution: Count values were at
// most about Micros microseconds.
type Bucket struct {
	Micros, Count int64
}

// CDF is the cumulative distribution Redis's LATENCY HISTOGRAM reports
// (fillCommandCDF): hdr_histogram's logarithmic iteration from 1024 ns in
// powers of two, each step giving the highest value counted with the
// step's value, in whole microseconds, and the count of values up to it;
// steps that add no value are left out.
func (h *Histogram) CDF() []Bucket {
	var out []Bucket
	idx, cumulative, prev := -1, int64(0), int64(0)
	var highest int64 // of the value at idx
	level := int64(1024)
	levelLowest := lowestEquivalent(level)
	for cumulative < h.total || (idx < countsLen && valueAtIndex(idx+1) > levelLowest) {
		// One step of log_iter_next: move on until the value at idx
		// reaches the level, or the counts end.
		for idx < 0 || valueAtIndex(idx) < levelLowest {
			if idx+1 >= countsLen {
				idx = countsLen
				break
			}
			idx++
			cumulative += h.counts[idx]
			v := valueAtIndex(idx)
			highest = highestEquivalent(v)
		}
		if idx < countsLen {
			level *= 2
			levelLowest = lowestEquivalent(level)
		}
		if cumulative > prev {
			out = append(out, Bucket{highest / 1000, cumulative})
		}
		prev = cumulative
		if idx >= countsLen {
			break
		}
	}
	return out
}

// ValueAtPercentile is hdr_value_at_percentile as Redis 7.0 has it: the
// highest value counted with the value under which percentile percent
// of the values fall (at least one), or the lowest for percentile 0.
func (h *Histogram) ValueAtPercentile(percentile float64) int64 {
	requested := min(percentile, 100.0)
	count := int64(requested/100*float64(h.total) + 0.5)
	count = min(max(count, 1), h.total)
	var cumulative int64
	var v int64
	for i := 0; i < countsLen && cumulative < count; i++ {
		cumulative += h.counts[i]
		v = valueAtIndex(i)
	}
	if percentile == 0 {
		return lowestEquivalent(v)
	}
	return highestEquivalent(v)
}

// FormatPercentile writes a percentile as Redis does in INFO latencystats
// and CONFIG GET latency-tracking-info-percentiles: "%f" with trailing
// zeros and a trailing point taken off (trimDoubleString).
func FormatPercentile(p float64) string {
	s := strconv.FormatFloat(p, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// Percentiles formats the values at percentiles as INFO latencystats
// does: "p50=1.003,p99=2.007", in microseconds with three decimals.
func (h *Histogram) Percentiles(percentiles []float64) string {
	var b strings.Builder
	for i, p := range percentiles {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("p")
		b.WriteString(FormatPercentile(p))
		b.WriteByte('=')
		b.WriteString(strconv.FormatFloat(float64(h.ValueAtPercentile(p))/1000, 'f', 3, 64))
	}
	return b.String()
}
