package latency

import (
	"fmt"
	"strings"
)

// Graph is LATENCY GRAPH's text for event at Unix second now: a heading
// with the range of the samples kept, then Redis's ASCII sparkline of
// them (latencyCommandGenSparkeline), 80 columns by 4 rows, each labelled
// with how long ago it was.
func (s *Series) Graph(event string, now int64) string {
	samples := s.Samples()
	var lo, hi int64
	seq := make([]sparkSample, len(samples))
	for i, sm := range samples {
		if i == 0 {
			lo, hi = sm.Millis, sm.Millis
		}
		lo, hi = min(lo, sm.Millis), max(hi, sm.Millis)
		var label string
		switch elapsed := now - sm.Time; {
		case elapsed < 60:
			label = fmt.Sprintf("%ds", elapsed)
		case elapsed < 3600:
			label = fmt.Sprintf("%dm", elapsed/60)
		case elapsed < 3600*24:
			label = fmt.Sprintf("%dh", elapsed/3600)
		default:
			label = fmt.Sprintf("%dd", elapsed/(3600*24))
		}
		seq[i] = sparkSample{float64(sm.Millis), label}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s - high %d ms, low %d ms (all time high %d ms)\n", event, hi, lo, s.Max)
	b.WriteString(strings.Repeat("-", graphColumns) + "\n")
	renderSparkline(&b, seq, graphColumns, 4)
	return b.String()
}

const graphColumns = 80

type sparkSample struct {
	value float64
	label string
}

// renderSparkline is Redis's sparklineRender with SPARKLINE_FILL: rows
// of '_', 'o', '#' and '|' for the values, then a blank line and the
// labels written downwards, columns at a time.
func renderSparkline(b *strings.Builder, seq []sparkSample, columns, rows int) {
	if len(seq) == 0 {
		return
	}
	lo, hi := seq[0].value, seq[0].value
	labels := false
	for _, s := range seq {
		// sparklineSequenceAddSample's else-if: a value is checked
		// against the maximum only if not below the minimum.
		if s.value < lo {
			lo = s.value
		} else if s.value > hi {
			hi = s.value
		}
		labels = labels || s.label != ""
	}
	for j := 0; j < len(seq); j += columns {
		if j != 0 {
			b.WriteByte('\n')
		}
		renderRange(b, seq[j:min(j+columns, len(seq))], lo, hi, labels, rows)
	}
}

func renderRange(b *strings.Builder, seq []sparkSample, lo, hi float64, labels bool, rows int) {
	const charsetFill = "_o#"
	const charsetLen = len(charsetFill)
	relmax := hi - lo
	if relmax == 0 {
		relmax = 1
	}
	steps := charsetLen * rows
	chars := make([]byte, len(seq))
	for row := 0; ; row++ {
		loop := false
		for j := range chars {
			chars[j] = ' '
		}
		for j, s := range seq {
			// (int)(relval*steps)/relmax, truncated again to an int.
			step := int(float64(int((s.value-lo)*float64(steps))) / relmax)
			step = min(max(step, 0), steps-1)
			if row < rows {
				loop = true
				switch idx := step - (rows-row-1)*charsetLen; {
				case idx >= 0 && idx < charsetLen:
					chars[j] = charsetFill[idx]
				case idx >= charsetLen:
					chars[j] = '|'
				}
				continue
			}
			// The label margin: one blank line.
			if labels && row-rows < 1 {
				loop = true
				break
			}
			if labelChar := row - rows - 1; len(s.label) > labelChar {
				loop = true
				chars[j] = s.label[labelChar]
			}
		}
		if !loop {
			return
		}
		b.Write(chars)
		b.WriteByte('\n')
	}
}

// Facts are what LATENCY DOCTOR's advice depends on besides the events.
type Facts struct {
	// ThresholdMillis is latency-monitor-threshold.
	ThresholdMillis int64
	// SlowlogSlowerThan is slowlog-log-slower-than, in microseconds.
	SlowlogSlowerThan int64
	// Hz is the hz option.
	Hz int
	// FsyncAlways is whether appendfsync is always.
	FsyncAlways bool
	// AnonHugePages is whether the process has transparent huge pages.
	AnonHugePages bool
}

// Report is LATENCY DOCTOR's text at Unix second now, as Redis's
// createLatencyReport: each event's figures, then advice by what was
// seen. Events with no counterpart in cairn (fork, most of the AOF's)
// keep Redis's advice in case they are recorded some day.
func (m *Monitor) Report(f Facts, now int64) string {
	if len(m.events) == 0 && f.ThresholdMillis == 0 {
		return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
	}
	var b strings.Builder
	var adv struct {
		slowlogEnabled, slowlogTuning, slowlogInspect, diskContention, scheduler, dataWriteback,
		noAppendfsync, localDisk, ssd, writeLoadInfo, hz, largeObjects, massEviction, relaxFsync, disableTHP bool
	}
	advices := 0
	for i, event := range m.Events() {
		s := m.events[event]
		if i == 0 {
			b.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
		}
		st := s.Analyze(now)
		fmt.Fprintf(&b, "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %.2f sec). Worst all time event %dms.",
			i+1, event, st.Samples, st.Avg, st.MAD, float64(st.Period)/float64(st.Samples), s.Max)
		switch strings.ToLower(event) {
		case "command":
			if f.SlowlogSlowerThan < 0 {
				adv.slowlogEnabled = true
				advices++
			} else if f.SlowlogSlowerThan/1000 > f.ThresholdMillis {
				adv.slowlogTuning = true
				advices++
			}
			adv.slowlogInspect, adv.largeObjects = true, true
			advices += 2
		case "fast-command":
			adv.scheduler = true
			advices++
		case "aof-write-pending-fsync":
			adv.localDisk, adv.diskContention, adv.ssd, adv.dataWriteback = true, true, true, true
			advices += 4
		case "aof-write-active-child":
			adv.noAppendfsync, adv.dataWriteback, adv.ssd = true, true, true
			advices += 3
		case "aof-write-alone":
			adv.localDisk, adv.dataWriteback, adv.ssd = true, true, true
			advices += 3
		case "aof-fsync-always":
			adv.relaxFsync = true
			advices++
		case "aof-fstat", "rdb-unlink-temp-file":
			adv.diskContention, adv.localDisk = true, true
			advices += 2
		case "aof-rewrite-diff-write", "aof-rename":
			adv.writeLoadInfo, adv.dataWriteback, adv.ssd, adv.localDisk = true, true, true, true
			advices += 4
		case "expire-cycle":
			adv.hz, adv.largeObjects = true, true
			advices += 2
		case "eviction-del":
			adv.largeObjects = true
			advices++
		case "eviction-cycle":
			adv.massEviction = true
			advices++
		}
		b.WriteByte('\n')
	}
	if f.AnonHugePages {
		adv.disableTHP = true
		advices++
	}
	switch {
	case len(m.events) == 0 && advices == 0:
		b.WriteString("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n")
		return b.String()
	case len(m.events) > 0 && advices == 0:
		b.WriteString("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n")
		return b.String()
	}
	b.WriteString("\nI have a few advices for you:\n\n")
	if adv.slowlogEnabled {
		fmt.Fprintf(&b, "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %d'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n", f.ThresholdMillis*1000)
	}
	if adv.slowlogTuning {
		fmt.Fprintf(&b, "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %d'.\n", f.ThresholdMillis*1000)
	}
	if adv.slowlogInspect {
		b.WriteString("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n")
	}
	if adv.scheduler {
		b.WriteString("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
			"  1) Lower the system load.\n" +
			"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
			"  3) Check if you have a \"noisy neighbour\" problem.\n" +
			"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
			"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n")
	}
	if adv.localDisk {
		b.WriteString("- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.\n")
	}
	if adv.ssd {
		b.WriteString("- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage and smaller final AOF rewrite buffer flushes). With extremely high write load SSD disks can be a good option. However Redis should perform reasonably with high load using normal disks. Use this advice as a last resort.\n")
	}
	if adv.dataWriteback {
		b.WriteString("- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Redis restarts.\n")
	}
	if adv.diskContention {
		b.WriteString("- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Redis instances).\n")
	}
	if adv.noAppendfsync {
		b.WriteString("- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n")
	}
	if adv.relaxFsync && f.FsyncAlways {
		b.WriteString("- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n")
	}
	if adv.writeLoadInfo {
		b.WriteString("- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group multiple operations into a single EVALSHA call.\n")
	}
	if adv.hz && f.Hz < 100 {
		b.WriteString("- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n")
	}
	if adv.largeObjects {
		b.WriteString("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n")
	}
	if adv.massEviction {
		b.WriteString("- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n")
	}
	if adv.disableTHP {
		b.WriteString("- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n")
	}
	return b.String()
}
