#!/usr/bin/env bash
# Compares cairn's eviction with Debian's redis-server's on this machine:
# each server, started fresh without persistence with --maxmemory 100mb
# --maxmemory-policy allkeys-lru, takes for 60 s a cache-aside load
# (bench/evictload) over a key space whose values add up to 3 times
# maxmemory, so that it must evict from the first seconds on:
#   - 50 connections, one request at a time each, pick a key by a Zipf
#     distribution (s = 1.1; key:0 the hottest) among the ~61,000 keys
#     (3 x 100 MiB over the mean value size, 5 KiB), GET it and, on a
#     miss, SET it; a value is 10 B to 10 KiB long (uniform), its length
#     and bytes derived from the key's number and the seed, so that both
#     servers get the same values (and a GET that returns another value
#     is counted as wrong);
#   - one turn in 25 of each connection's loop (not quite 4% of the
#     requests) is instead a SET of the next key of a stream that walks
#     the key space from its coldest key down, wrapping around: keys the
#     readers have mostly not read yet, which fill the cache whatever the
#     hit rate. With the misses' SETs, the bytes SET come to several
#     times maxmemory (a warning if less than 3 times). The stream is
#     paced by requests, not by time, so that a faster server does not
#     get fewer of these SETs per GET, which would raise its hit rate.
# An ideal LRU cache would hold the hottest ~20,000 keys, which draw
# about 94% of the GETs.
# The table shows, for each server and cairn's over Redis's:
#   - max RSS / maxmemory: the largest of VmRSS read every 100 ms and
#     VmHWM at the end (a fresh process: its peak over the run), then
#     VmRSS at the end;
#   - used_memory (INFO) at the end, and used_memory_peak, over
#     maxmemory (cairn updates its peak when INFO is read: evictload
#     reads INFO memory every second);
#   - evictions/s: INFO's evicted_keys over the run's length;
#   - the GET hit rate the client saw (INFO's keyspace_hits and
#     keyspace_misses must agree: a warning if not), over the run and
#     over its second half, once the cache is warm and the first reads of
#     the keys (cold misses, a larger share of a slower run) are past:
#     the aim is on the latter;
#   - requests/s, GETs and SETs; latency of all requests, from the write
#     of the request to the end of its reply, p50, p99, p99.9 (log-linear
#     histogram, 3% buckets);
#   - the bytes SET over maxmemory;
#   - the server's CPU time (utime+stime of /proc/PID/stat, all threads)
#     over the run's length and per request; a busy machine disturbs the
#     latter far less than requests/s;
#   - cairn's GC CPU share: the growth of INFO's gc_cpu_seconds over that
#     of its CPU time ("-" for Redis, or if the field is missing);
#   - evictload's own CPU share of its core: near 1, the client, not the
#     server, set the rate;
# then whether cairn met the aims: max RSS at most 1.3 x maxmemory, a hit
# rate (second half) at least Redis's, requests/s at least 0.9 x Redis's.
# The load is closed-loop (each connection sends its next request when
# the last is answered), as a cache's clients are: requests/s is what the
# server sustains. evictload speaks RESP itself (bufio over net.Conn), to
# keep its CPU per request low: measured on this 2-CPU VM, where system
# calls are dear, about 15 us of CPU per request, two thirds of it in the
# kernel, against about 25 us for redis-benchmark's GETs of 5 KB. That
# is still about what Redis spends on a request: at full speed either
# side can set the rate, and the two CPU shares in the table say which
# did (a warning when evictload's reaches 0.9: that server's requests/s
# may then be understated; if it is Redis's, cairn's ratio overstated).
# The servers run one after the other, Redis first, on CPU 0 and
# evictload on CPU 1 (taskset, with two CPUs or more), each with the same
# load and seed. One run each: about 2.5 minutes at the default 60 s;
# other work on the machine moves requests/s and latency much more than
# the CPU time per request.
# Usage: bench/eviction.sh [--maxmemory SIZE] [--policy POLICY]
#            [--duration DURATION] [--clients N] [--seed N]
#   or the environment variables MAXMEMORY (100mb, in redis.conf's units),
#   POLICY (allkeys-lru), DURATION (60s, as Go writes durations), CLIENTS
#   (50) and SEED (1); the flags win. CAIRN=PATH runs that cairn binary
#   instead of building ./cmd/cairn.
set -euo pipefail
cd "$(dirname "$0")/.."

maxmemory=${MAXMEMORY:-100mb} policy=${POLICY:-allkeys-lru} duration=${DURATION:-60s}
clients=${CLIENTS:-50} seed=${SEED:-1}
usage() { echo "usage: bench/eviction.sh [--maxmemory SIZE] [--policy POLICY] [--duration DURATION] [--clients N] [--seed N]" >&2; }
while [ $# -gt 0 ]; do
	case $1 in
	--maxmemory=* | --policy=* | --duration=* | --clients=* | --seed=*)
		set -- "${1%%=*}" "${1#*=}" "${@:2}"
		continue
		;;
	--maxmemory | --policy | --duration | --clients | --seed)
		[ $# -ge 2 ] || { usage; exit 2; }
		case $1 in
		--maxmemory) maxmemory=$2 ;;
		--policy) policy=$2 ;;
		--duration) duration=$2 ;;
		--clients) clients=$2 ;;
		--seed) seed=$2 ;;
		esac
		shift 2
		;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		usage
		exit 2
		;;
	esac
done

. bench/lib.sh

work=$(mktemp -d -t cairn-eviction.XXXXXX)
trap 'stop_servers; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${CAIRN:-}" ]; then
	echo "building bench/evictload (cairn: $CAIRN)..." >&2
	ln -s "$(realpath "$CAIRN")" "$work/cairn"
else
	echo "building cmd/cairn and bench/evictload..." >&2
	go build -o "$work/cairn" ./cmd/cairn
fi
go build -o "$work/evictload" ./bench/evictload

# up PORT PID waits for the server to answer PING; it fails if the
# process exits first, or after 10 s.
up() {
	for _ in $(seq 100); do
		[ "$(redis-cli -p "$1" PING 2>/dev/null)" = PONG ] && return
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# measure NAME starts a fresh server, redis or cairn, with the maxmemory
# flags, runs evictload against it into $work/NAME.out, and stops it; it
# fails, saying why on stderr, if the server does not start or evictload
# fails.
measure() {
	local name=$1 port pid log status=0
	local flags=(--maxmemory "$maxmemory" --maxmemory-policy "$policy")
	if [ "$name" = redis ]; then
		start_redis "${flags[@]}"
		port=$redis_port pid=$redis_pid log=$work/redis.log
	else
		start_cairn "${flags[@]}"
		port=$cairn_port pid=$cairn_pid log=${cairn_log:-$work/cairn.log}
	fi
	if ! up "$port" "$pid"; then
		echo "bench: $name did not start with ${flags[*]}; the end of its log:" >&2
		tail -5 "$log" >&2
		stop_servers
		return 1
	fi
	echo "running $name for $duration..." >&2
	"${on_client_cpu[@]}" "$work/evictload" -addr "127.0.0.1:$port" -pid "$pid" -maxmemory "$maxmemory" \
		-policy "$policy" -duration "$duration" -clients "$clients" -seed "$seed" -clk-tck "$(getconf CLK_TCK)" \
		>"$work/$name.out" || status=$?
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "bench: $name exited during the run; the end of its log:" >&2
		tail -5 "$log" >&2
		status=1
	fi
	stop_servers
	if [ "$status" != 0 ]; then
		echo "bench: evictload against $name failed" >&2
		rm -f "$work/$name.out"
		return 1
	fi
}

measure redis || true
measure cairn || true
[ -s "$work/redis.out" ] || [ -s "$work/cairn.out" ] || exit 1

# get NAME FIELD prints a figure evictload gave, "-" if there is none.
get() {
	local v=''
	[ -s "$work/$1.out" ] && v=$(awk -v f="$2" '$1 == f { print $2 }' "$work/$1.out")
	echo "${v:--}"
}

# div A B [SCALE [FORMAT]] prints A * SCALE / B in FORMAT (%.2f), "-" if
# A or B is not a number or B is 0.
div() {
	awk -v a="$1" -v b="$2" -v s="${3:-1}" -v f="${4:-%.2f}" 'BEGIN {
		num = "^-?[0-9.]+(e[-+]?[0-9]+)?$"
		if (a ~ num && b ~ num && b > 0) printf f "\n", a * s / b; else print "-" }'
}

# figure NAME WHAT prints one of the table's figures for a server.
figure() {
	local n=$1 m s
	m=$(get "$n" maxmemory) s=$(get "$n" seconds)
	case $2 in
	rss_max | rss_end) div "$(get "$n" "${2}_kb")" "$m" 1024 ;;
	used_end | used_peak) div "$(get "$n" "used_memory_${2#used_}")" "$m" ;;
	evictions) div "$(get "$n" evicted_keys)" "$s" 1 %.0f ;;
	hit_rate*) div "$(get "$n" "$2")" 1 100 %.1f ;;
	gets | sets) div "$(get "$n" "$2")" "$s" 1 %.0f ;;
	written) div "$(get "$n" written_bytes)" "$m" ;;
	server_cpu) div "$(get "$n" server_cpu_s)" "$s" ;;
	cpu_per_req) div "$(get "$n" server_cpu_s)" "$(get "$n" requests)" 1e6 ;;
	gc) div "$(get "$n" gc_cpu_s)" "$(get "$n" server_cpu_s)" 100 %.1f ;;
	*) get "$n" "$2" ;;
	esac
}

# row LABEL WHAT prints a table row, with cairn's figure over Redis's
# when both are numbers.
row() {
	local r c q=-
	r=$(figure redis "$2") c=$(figure cairn "$2")
	[[ $r =~ ^-?[0-9.]+$ && $c =~ ^-?[0-9.]+$ ]] && q=$(ratio "$c" "$r")
	printf '%-42s %12s %12s %12s\n' "$1" "$r" "$c" "$q"
}

# The load's figures, from either run.
from=redis
[ -s "$work/redis.out" ] || from=cairn
echo "maxmemory $maxmemory ($(get $from maxmemory) bytes), $policy, $duration, $clients clients," \
	"$(get $from keys) keys of 10 B..10 KiB, Zipf s = 1.1, seed $seed"
printf '%-42s %12s %12s %12s\n' metric redis cairn cairn/redis
row "max RSS / maxmemory" rss_max
row "RSS at the end / maxmemory" rss_end
row "used_memory at the end / maxmemory" used_end
row "used_memory_peak / maxmemory" used_peak
row "evictions/s" evictions
row "GET hit rate (%)" hit_rate
row "  in the run's second half (%)" hit_rate_2nd_half
row "requests/s (GET + SET)" requests_per_s
row "  GETs/s" gets
row "  SETs/s" sets
row "latency p50 (ms)" p50_ms
row "latency p99 (ms)" p99_ms
row "latency p99.9 (ms)" p999_ms
row "  GET p99 (ms)" get_p99_ms
row "  SET p99 (ms)" set_p99_ms
row "bytes SET / maxmemory" written
row "server CPU (share of a core)" server_cpu
row "server CPU per request (us)" cpu_per_req
row "GC CPU share of the server's CPU (%)" gc
row "evictload CPU (share of its core)" client_cpu
row "error replies" errors
row "wrong values" wrong

# The aims, for cairn: aim X OP LIMIT prints met or MISSED ("-" without
# figures); the figures are compared unrounded (to 3 decimals).
aim() {
	awk -v x="$1" -v op="$2" -v lim="$3" 'BEGIN {
		if (x !~ /^[0-9.]+$/ || lim !~ /^[0-9.]+$/) print "-"
		else if (op == "<=" ? x + 0 <= lim + 0 : x + 0 >= lim + 0) print "met"
		else print "MISSED" }'
}
rss=$(div "$(get cairn rss_max_kb)" "$(get cairn maxmemory)" 1024 %.3f)
tput=$(div "$(get cairn requests_per_s)" "$(get redis requests_per_s)" 1 %.3f)
echo "aims for cairn: max RSS <= 1.3 x maxmemory ($rss): $(aim "$rss" '<=' 1.3);" \
	"hit rate in the second half >= Redis's ($(figure cairn hit_rate_2nd_half)% vs" \
	"$(figure redis hit_rate_2nd_half)%): $(aim "$(get cairn hit_rate_2nd_half)" '>=' "$(get redis hit_rate_2nd_half)");" \
	"requests/s >= 0.9 x Redis's ($tput): $(aim "$tput" '>=' 0.9)"

for n in redis cairn; do
	[ -s "$work/$n.out" ] || continue
	[ "$(get $n errors)" = 0 ] || echo "bench: $n answered $(get $n errors) requests with an error" >&2
	[ "$(get $n wrong)" = 0 ] || echo "bench: $n returned $(get $n wrong) wrong values" >&2
	if [ "$(get $n info_hit_rate)" != "$(get $n hit_rate)" ]; then
		echo "bench: $n's INFO gives a hit rate of $(get $n info_hit_rate), its GETs $(get $n hit_rate)" >&2
	fi
	if awk -v c="$(get $n client_cpu)" 'BEGIN { exit !(c >= 0.9) }'; then
		echo "bench: evictload took $(get $n client_cpu) of its CPU against $n: it may have set the rate" >&2
	elif awk -v c="$(get $n client_cpu)" -v s="$(figure $n server_cpu)" 'BEGIN { exit !(c < 0.8 && s < 0.8) }'; then
		echo "bench: neither $n ($(figure $n server_cpu)) nor evictload ($(get $n client_cpu)) had most of its CPU:" \
			"other work on the machine slowed the run" >&2
	fi
	if awk -v w="$(figure $n written)" 'BEGIN { exit !(w < 3) }'; then
		echo "bench: only $(figure $n written) x maxmemory was SET into $n" >&2
	fi
done
if grep -hE 'level=(WARN|ERROR)|panic|fatal error' "$work/cairn.log" >"$work/cairn-warnings" 2>/dev/null; then
	echo "cairn logged (count, line):" >&2
	sed 's/^time=[^ ]* //' "$work/cairn-warnings" | sort | uniq -c | sort -rn | head -10 >&2
fi
