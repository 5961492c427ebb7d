#!/usr/bin/env bash
# Compares cairn with Debian's redis-server on this machine for the
# commands of sorted sets, HyperLogLogs and bitmaps, through
# redis-benchmark (50 clients; 200,000 requests without pipelining,
# 1,000,000 with a pipeline of 16), the servers taking turns test by test:
#   zadd         ZADD myzset score element:N, N random below 1,000,000
#   zrange_100   ZRANGE z1000 0 99 WITHSCORES on a sorted set of 1,000
#                members
#   zincrby      ZINCRBY zi 1 member:N, N random below 1,000
#   zpopmin      ZPOPMIN myzset, after a ZADD run of as many requests with
#                N random below 100,000,000 filled it (not measured)
#   pfadd        PFADD hll element:N, N random below 100,000,000
#   pfcount      PFCOUNT hll, the HLL the PFADD run made (dense)
#   setbit       SETBIT bits 999999 1 (redis-benchmark pads __rand_int__
#                with zeros, which an offset may not have)
#   bitcount     BITCOUNT bits, the 125 KB string the SETBIT run made
# Beside each rate, the server's CPU time per request (from /proc/PID/stat).
# Both servers run without persistence, with their default io-threads (1),
# on free loopback ports and are stopped when the script exits. The memory
# figures of sorted sets are bench/memory.sh's. Usage: bench/types.sh
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh

work=$(mktemp -d)
trap 'stop_servers; rm -rf "$work"' EXIT

echo "building cmd/cairn..." >&2
go build -o "$work/cairn" ./cmd/cairn

# fill PORT PIPELINE ARGS... runs redis-benchmark with ARGS and as many
# requests as rps sends, not measured.
fill() {
	local port=$1 pipeline=$2 requests=200000
	shift 2
	[ "$pipeline" -gt 1 ] && requests=1000000
	"${on_client_cpu[@]}" redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -n "$requests" -P "$pipeline" -q "$@" \
		>/dev/null 2>>"$work/benchmark.err"
}

# zpopmin_rps PORT PIPELINE fills myzset, then measures ZPOPMIN.
zpopmin_rps() {
	fill "$1" "$2" -r 100000000 -t zadd
	rps "$1" "$2" -t zpopmin
}

start_servers
for port in "$redis_port" "$cairn_port"; do
	seq 1000 | awk '{ printf "ZADD z1000 %d member:%d\n", $1 * 7 % 1000, $1 }' |
		redis-cli -p "$port" --pipe >/dev/null
done
printf '%-20s %8s %14s %14s %12s %10s %10s %12s\n' test pipeline "redis req/s" "cairn req/s" "cairn/redis" "redis µs" "cairn µs" "cairn/redis"
for pipeline in 1 16; do
	compare zadd "$pipeline" true rps "$pipeline" -r 1000000 -t zadd
	compare zrange_100 "$pipeline" true rps "$pipeline" ZRANGE z1000 0 99 WITHSCORES
	compare zincrby "$pipeline" true rps "$pipeline" -r 1000 ZINCRBY zi 1 member:__rand_int__
	redis-cli -p "$redis_port" DEL myzset >/dev/null
	redis-cli -p "$cairn_port" DEL myzset >/dev/null
	compare zpopmin "$pipeline" true zpopmin_rps "$pipeline"
	compare pfadd "$pipeline" true rps "$pipeline" -r 100000000 PFADD hll element:__rand_int__
	compare pfcount "$pipeline" true rps "$pipeline" PFCOUNT hll
	compare setbit "$pipeline" true rps "$pipeline" SETBIT bits 999999 1
	compare bitcount "$pipeline" true rps "$pipeline" BITCOUNT bits
done
echo "(µs: the server's CPU time per request, user and system)"
if grep -q . "$work/benchmark.err" 2>/dev/null; then
	echo "redis-benchmark wrote on stderr (count, line):" >&2
	sort "$work/benchmark.err" | uniq -c | sort -rn | head -5 >&2
fi
