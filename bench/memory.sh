#!/usr/bin/env bash
# Compares the memory cairn and Debian's redis-server take on this
# machine, side by side, and cairn's garbage collector under load:
#   1. the VmRSS growth per key from loading 1,000,000 strings key:N of
#      10-byte values (SET), then the same with a TTL on every key (SET
#      ... EX 100000);
#   2. the same per key for 100,000 hashes of 10 fields, sets of 10
#      integers, sets of 10 strings of 8 bytes, lists of 10 elements of 8
#      bytes and sorted sets of 10 members of 8 bytes (integer scores up to
#      10^7), and per element for one hash of 1,000,000 fields, one set of
#      1,000,000 members and one sorted set of 1,000,000 members;
#   3. with --keys10m (or CAIRN_BENCH_10M=1), per key for 10,000,000
#      strings (about 1 GB for Redis, a few for cairn; several minutes);
#   4. churn: the VmRSS with 1,000,000 strings loaded, then after a DEL of
#      a random 90% of them, and after SETting those again, over the
#      first (Redis's jemalloc and Go's heap should come back to
#      about where they were: ≤ 1.3);
#   5. large values: the growth from SETting one value of 100 MiB, then
#      from 5 GETs of it (redis-cli GET > /dev/null), then from APPENDs
#      of 1 MiB up to 512 MiB (proto-max-bulk-len), over the value's
#      size;
#   6. scripts: the growth from 100,000 distinct EVAL "return N" 0, and
#      what is left of it 1 s after a SCRIPT FLUSH;
#   7. GC: cairn with GODEBUG=gctrace=1, 1,000,000 keys (10,000,000 with
#      --keys10m) loaded, then redis-benchmark -t set,get -r <keys> -d 10
#      -c 50 for about 10 s (the request count set from a short GET run
#      against cairn, the same for Redis): the longest stop-the-world
#      pause of the GC cycles during the load and during the steady
#      SET/GET load (the larger of the first and third figures of
#      gctrace's "X+Y+Z ms clock"), the cycles in the latter, and the
#      share of CPU the GC took since cairn started (the last line's
#      "N%"); and for both servers the p99.9 latency of GET and SET and
#      GET's requests/s (redis-benchmark's "Latency by percentile
#      distribution": its first line at or above 99.9%).
# Every scenario loads into a fresh pair of servers, both without
# persistence (Redis --save '' --appendonly no; cairn --appendonly no
# --save ''), with their default io-threads (1), on CPU 0 and the clients
# on CPU 1 (taskset, with two CPUs or more). Data sets are written by
# bench/memload and sent with redis-cli --pipe, which returns once every
# reply is read; the servers take turns, Redis first.
# RSS is VmRSS from /proc: each figure is read once the servers' RSS has
# settled: 1 s after the load, then every 0.5 s until neither moved by
# more than 1% since the previous reading (at most 3 s more); the last
# reading counts. Nothing forces a GC: cairn's figures include the
# garbage its heap holds until the next cycle and the free memory Go has
# not yet returned to the system, as a client of a running server sees
# it. ("before" is read the same way once both answer PING.)
# Scenario rows show bytes per key (or element), MiB, or a ratio; the
# last column is cairn's over Redis's.
# Usage: bench/memory.sh [--quick] [--keys10m]
#   --quick    every scenario at 1/10 of its size, APPENDs still of 1 MiB
#              (development; about 1.5 minutes)
#   --keys10m  add scenario 3 and load 10,000,000 keys for 7
# Takes about 5 minutes without --keys10m; latency figures vary from run
# to run on a busy machine.
set -euo pipefail
cd "$(dirname "$0")/.."

scale=1 big=${CAIRN_BENCH_10M:-0}
for arg; do
	case $arg in
	--quick) scale=10 ;;
	--keys10m) big=1 ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "usage: bench/memory.sh [--quick] [--keys10m]" >&2
		exit 2
		;;
	esac
done
[ "$big" = 0 ] || [ "$big" = 1 ] || { echo "bench: CAIRN_BENCH_10M must be 0 or 1" >&2; exit 2; }

. bench/lib.sh

work=$(mktemp -d -t cairn-memory.XXXXXX)
trap 'stop_servers; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "building cmd/cairn and bench/memload..." >&2
go build -o "$work/cairn" ./cmd/cairn
go build -o "$work/memload" ./bench/memload

# start_servers and stop_servers are bench/lib.sh's; cairn's stderr
# goes to $cairn_log.
cairn_log=$work/cairn.log

# settle sets redis_rss and cairn_rss to the servers' VmRSS in KiB once
# it has stopped moving (see the header).
settle() {
	local i r c pid
	sleep 1
	for pid in "$redis_pid" "$cairn_pid"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "bench: a server exited; the end of its log:" >&2
			tail -5 "$([ "$pid" = "$redis_pid" ] && echo "$work/redis.log" || echo "$cairn_log")" >&2
			exit 1
		fi
	done
	redis_rss=$(rss_kb "$redis_pid") cairn_rss=$(rss_kb "$cairn_pid")
	for i in 1 2 3 4 5 6; do
		sleep 0.5
		r=$(rss_kb "$redis_pid") c=$(rss_kb "$cairn_pid")
		if awk -v r0="$redis_rss" -v r="$r" -v c0="$cairn_rss" -v c="$c" \
			'BEGIN { d = r - r0; e = c - c0; exit !(d * d <= r0 * r0 / 10000 && e * e <= c0 * c0 / 10000) }'; then
			redis_rss=$r cairn_rss=$c
			return
		fi
		redis_rss=$r cairn_rss=$c
	done
}

# load PORT MEMLOAD-ARGS... sends the stream bench/memload writes with
# those arguments to a server through redis-cli --pipe; it fails, saying
# why on stderr, if a reply was an error.
load() {
	local port=$1 out
	shift
	out=$("${on_client_cpu[@]}" "$work/memload" "$@" | "${on_client_cpu[@]}" redis-cli -p "$port" --pipe 2>&1) || true
	if ! grep -q '^errors: 0,' <<<"$out"; then
		echo "bench: memload $* into port $port: $(tail -3 <<<"$out" | tr '\n' ' ')" >&2
		return 1
	fi
}

# load_both MEMLOAD-ARGS... loads into Redis, then cairn, and sets
# redis_ok and cairn_ok to true or false.
load_both() {
	redis_ok=true cairn_ok=true
	load "$redis_port" "$@" || redis_ok=false
	load "$cairn_port" "$@" || cairn_ok=false
}

# same_dbsize warns if the two servers do not hold as many keys.
same_dbsize() {
	local r c
	r=$(redis-cli -p "$redis_port" DBSIZE) c=$(redis-cli -p "$cairn_port" DBSIZE)
	[ "$r" = "$c" ] || echo "bench: after $1, redis holds $r keys, cairn $c" >&2
}

# commas N prints N with thousands separators.
commas() { sed ':a; s/\B[0-9]\{3\}\>/,&/; ta' <<<"$1"; }

# per KIB COUNT prints KIB KiB over COUNT in bytes; mib KIB prints KIB in
# MiB; both print "-" for an empty KIB.
per() { awk -v k="$1" -v n="$2" 'BEGIN { if (k == "") print "-"; else printf "%.1f", k * 1024 / n }'; }
mib() { awk -v k="$1" 'BEGIN { if (k == "") print "-"; else printf "%.1f", k / 1024 }'; }

# row LABEL REDIS CAIRN prints a table row, with cairn's figure over
# Redis's when both are numbers.
row() {
	local q=-
	[[ $2 =~ ^-?[0-9.]+$ && $3 =~ ^-?[0-9.]+$ ]] && q=$(ratio "$3" "$2")
	printf '%-52s %12s %12s %12s\n' "$1" "$2" "$3" "$q"
}

# growth LABEL COUNT MEMLOAD-ARGS... loads a data set into a fresh pair
# of servers and prints a row of their RSS growth over COUNT, in bytes.
growth() {
	local label=$1 count=$2 r0 c0 r c
	shift 2
	start_servers
	settle
	r0=$redis_rss c0=$cairn_rss
	load_both "$@"
	settle
	r=$((redis_rss - r0)) c=$((cairn_rss - c0))
	$redis_ok || r=''
	$cairn_ok || c=''
	same_dbsize "$label"
	row "$label" "$(per "$r" "$count")" "$(per "$c" "$count")"
	stop_servers
}

keys=$((1000000 / scale)) small=$((100000 / scale))
printf '%-52s %12s %12s %12s\n' scenario redis cairn cairn/redis

# 1, 2, 3. Growth per key.
growth "$(commas $keys) strings, SET (bytes/key)" "$keys" -mode strings -n "$keys"
growth "$(commas $keys) strings, SET EX (bytes/key)" "$keys" -mode strings -n "$keys" -ex 100000
growth "$(commas $small) hashes of 10 fields (bytes/key)" "$small" -mode hashes -n "$small"
growth "$(commas $small) sets of 10 integers (bytes/key)" "$small" -mode intsets -n "$small"
growth "$(commas $small) sets of 10 strings (bytes/key)" "$small" -mode strsets -n "$small"
growth "$(commas $small) lists of 10 elements (bytes/key)" "$small" -mode lists -n "$small"
growth "$(commas $small) sorted sets of 10 members (bytes/key)" "$small" -mode zsets -n "$small"
growth "1 hash of $(commas $keys) fields (bytes/field)" "$keys" -mode bighash -n "$keys"
growth "1 set of $(commas $keys) members (bytes/member)" "$keys" -mode bigset -n "$keys"
growth "1 sorted set of $(commas $keys) members (bytes/member)" "$keys" -mode bigzset -n "$keys"
if [ "$big" = 1 ]; then
	n=$((10000000 / scale))
	growth "$(commas $n) strings, SET (bytes/key)" "$n" -mode strings -n "$n"
fi

# 4. Churn.
start_servers
load_both -mode strings -n "$keys"
settle
r0=$redis_rss c0=$cairn_rss
load_both -mode del -n "$keys" -fraction 0.9 -seed 7
settle
r1=$redis_rss c1=$cairn_rss
load_both -mode strings -n "$keys" -fraction 0.9 -seed 7
settle
same_dbsize churn
row "churn: RSS after DEL of 90% / loaded" "$(ratio "$r1" "$r0")" "$(ratio "$c1" "$c0")"
row "churn: RSS after SET again / loaded (<= 1.3)" "$(ratio "$redis_rss" "$r0")" "$(ratio "$cairn_rss" "$c0")"
stop_servers

# 5. Large values.
# APPENDs of 1 MiB, up to 512 MiB or the largest size below a tenth of
# it.
size=$((100 * 1024 * 1024 / scale)) step=$((1024 * 1024))
appends=$(((512 * 1024 * 1024 / scale - size) / step)) top=$((size + appends * step))
label=$(mib $((size / 1024)) | sed 's/\.0$//')
start_servers
settle
r0=$redis_rss c0=$cairn_rss
load_both -mode bigvalue -size "$size"
settle
r1=$redis_rss c1=$cairn_rss
row "$label MiB value: SET, growth / size" "$(ratio $((r1 - r0)) $((size / 1024)))" \
	"$(ratio $((c1 - c0)) $((size / 1024)))"
for port in "$redis_port" "$cairn_port"; do
	for _ in 1 2 3 4 5; do
		"${on_client_cpu[@]}" redis-cli -p "$port" GET bigvalue >/dev/null
	done
done
settle
row "  then 5 GETs, growth / size" "$(ratio $((redis_rss - r1)) $((size / 1024)))" \
	"$(ratio $((cairn_rss - c1)) $((size / 1024)))"
load_both -mode append -n "$appends" -size "$step"
settle
for port in "$redis_port" "$cairn_port"; do
	n=$(redis-cli -p "$port" STRLEN bigvalue)
	[ "$n" = "$top" ] || echo "bench: bigvalue is $n bytes long on port $port, not $top" >&2
done
row "  then APPENDs of 1 MiB up to $(mib $((top / 1024)) | sed 's/\.0$//') MiB, growth / size" \
	"$(ratio $((redis_rss - r0)) $((top / 1024)))" "$(ratio $((cairn_rss - c0)) $((top / 1024)))"
stop_servers

# 6. Scripts.
start_servers
settle
r0=$redis_rss c0=$cairn_rss
load_both -mode evals -n "$small"
settle
row "$(commas $small) EVAL scripts, growth (MiB)" "$(mib $((redis_rss - r0)))" "$(mib $((cairn_rss - c0)))"
for port in "$redis_port" "$cairn_port"; do
	redis-cli -p "$port" SCRIPT FLUSH >/dev/null
done
sleep 1
row "  1 s after SCRIPT FLUSH, growth (MiB)" "$(mib $(($(rss_kb "$redis_pid") - r0)))" \
	"$(mib $(($(rss_kb "$cairn_pid") - c0)))"
stop_servers

# 7. GC under a steady load.
n=$keys
[ "$big" = 0 ] || n=$((10000000 / scale))
cairn_log=$work/gctrace.log
start_servers GODEBUG=gctrace=1
# The keys redis-benchmark -r reads and writes: key:%012d.
load_both -mode strings -n "$n" -pad 12
same_dbsize "loading $n keys"
# bench CMD... runs redis-benchmark against a server: SET then GET of
# 10-byte values on random keys among the ones loaded, with latency
# percentiles to the microsecond.
bench() { "${on_client_cpu[@]}" redis-benchmark -h 127.0.0.1 -c 50 -r "$n" -d 10 --precision 3 "$@" 2>>"$work/benchmark.err"; }
rps=$(bench -p "$cairn_port" -t get -n 20000 -q --csv | awk -F'","' 'NR > 1 { v = $2 } END { printf "%d", v }')
requests=$((rps * 5 / scale))
((requests >= 10000)) || requests=10000
steady_from=$(awk -v a="$cairn_started" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
bench -p "$cairn_port" -t set,get -n "$requests" | tr '\r' '\n' >"$work/cairn.bench"
steady_to=$(awk -v a="$cairn_started" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
bench -p "$redis_port" -t set,get -n "$requests" | tr '\r' '\n' >"$work/redis.bench"

# p999 FILE TEST prints the latency redis-benchmark's first percentile
# line at or above 99.9% gives for TEST; throughput FILE TEST its
# requests/s.
p999() {
	awk -v t="$2" '/^====== / { test = $2 } /^Latency by percentile/ { on = test == t; next } /^$/ { on = 0 }
		on && $1 + 0 >= 99.9 { print $3; exit }' "$1"
}
throughput() { awk -v t="$2" '/^====== / { test = $2 } test == t && /throughput summary:/ { print $3 }' "$1"; }
# gc FROM TO prints, for the gctrace lines of the cycles that started
# between FROM and TO seconds after cairn's start, the longest STW pause
# (ms) and their count; then the last line's GC CPU share (%).
gc() {
	awk -v from="$1" -v to="$2" '
		$1 == "gc" && $3 ~ /^@/ {
			t = substr($3, 2) + 0
			pct = $4; sub(/%:$/, "", pct)
			split($5, clock, "+")
			if (t >= from && t < to) {
				n++
				if (clock[1] + 0 > stw) stw = clock[1] + 0
				if (clock[3] + 0 > stw) stw = clock[3] + 0
			}
		}
		END { printf "%s %d %s\n", (n ? stw : "-"), n, pct }' "$cairn_log"
}
read -r stw_load _ _ < <(gc 0 "$steady_from")
read -r stw_steady cycles gc_pct < <(gc "$steady_from" "$steady_to")
label="steady SET/GET, $(commas "$n") keys, $(commas "$requests") each"
echo "$label:"
row "  GET p99.9 latency (ms)" "$(p999 "$work/redis.bench" GET)" "$(p999 "$work/cairn.bench" GET)"
row "  SET p99.9 latency (ms)" "$(p999 "$work/redis.bench" SET)" "$(p999 "$work/cairn.bench" SET)"
row "  GET requests/s" "$(throughput "$work/redis.bench" GET)" "$(throughput "$work/cairn.bench" GET)"
row "  cairn GC: longest STW pause, loading (ms)" - "$stw_load"
row "  cairn GC: longest STW pause, steady load (ms)" - "$stw_steady"
row "  cairn GC: cycles during the steady load" - "$cycles"
row "  cairn GC: CPU share since start (%)" - "${gc_pct:--}"
stop_servers

if grep -q . "$work/benchmark.err" 2>/dev/null; then
	echo "redis-benchmark wrote on stderr (count, line):" >&2
	sort "$work/benchmark.err" | uniq -c | sort -rn | head -5 >&2
fi
if grep -hE 'level=(WARN|ERROR)|panic|fatal error' "$work/cairn.log" "$work/gctrace.log" >"$work/cairn-warnings"; then
	echo "cairn logged (count, line):" >&2
	sed 's/^time=[^ ]* //' "$work/cairn-warnings" | sort | uniq -c | sort -rn | head -10 >&2
fi
