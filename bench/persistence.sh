#!/usr/bin/env bash
# Compares cairn's persistence with Debian's redis-server's on this
# machine:
#   1. SET throughput (redis-benchmark, 50 clients, random keys among
#      1,000,000, 100-byte values; 200,000 requests without pipelining,
#      1,000,000 with a pipeline of 16, a tenth of that under appendfsync
#      always) without persistence, with the log/AOF synced every second,
#      and synced on every write: each row in a server started for it in
#      an empty directory, with no save rules and the default
#      auto-aof-rewrite (64mb, 100%), the better of two rounds;
#   2. the time from a server's start to its first PONG (not -LOADING)
#      with 1,000,000 strings of 100 bytes, half of them with a TTL, and
#      100,000 hashes of 10 fields (bench/memload through redis-cli --pipe):
#      Redis from its RDB file (SAVE) and from its AOF (no RDB preamble,
#      never rewritten), cairn from the snapshot its SIGTERM took and from
#      its log alone (--save "", no snapshot), the better of two starts;
#      and what each takes on disk;
#   3. GET/SET latency at a steady 20,000 requests/s (bench/latency) on
#      that data, before and during a BGSAVE, the snapshot's duration,
#      and the servers' resident memory before and at its peak during the
#      snapshot (Redis's forked child included).
# Servers run on free loopback ports, on CPU 0 and the clients on CPU 1
# (with taskset, when there are two CPUs or more), in a temporary
# directory removed at exit; all are killed when the script exits.
# Takes 3 to 6 minutes. Usage: bench/persistence.sh
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh

work=$(mktemp -d -t cairn-persistence.XXXXXX)
# pids are the servers running; kill_all stops them all at exit (with
# SIGKILL: what they hold is thrown away).
pids=()
kill_all() {
	for pid in "${pids[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	pids=()
}
trap 'kill_all; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "building cmd/cairn, bench/memload and bench/latency..." >&2
go build -o "$work/cairn" ./cmd/cairn
go build -o "$work/memload" ./bench/memload
go build -o "$work/latency" ./bench/latency

# since T prints the seconds from T, an $EPOCHREALTIME, to now.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# pin is how servers are started: on the server CPU, except for the
# restarts that show what loading makes of every CPU.
pin=("${on_server_cpu[@]}")

# start KIND NAME ARGS... starts redis-server or cairn (KIND) on a free
# port with ARGS, its log in $work/NAME.log, and sets port, pid and
# started (its $EPOCHREALTIME at start) without waiting for it.
start() {
	local kind=$1 name=$2
	shift 2
	port=$(free_port)
	started=$EPOCHREALTIME
	if [ "$kind" = redis ]; then
		"${pin[@]}" redis-server --port "$port" --bind 127.0.0.1 --daemonize no \
			--logfile "$work/$name.log" "$@" &
	else
		"${pin[@]}" "$work/cairn" --port "$port" --bind 127.0.0.1 "$@" 2>>"$work/$name.log" &
	fi
	pid=$!
	pids+=("$pid")
	log=$work/$name.log
}

# pong_after prints the seconds from the start of the server just started
# (start's port, pid, started) to the first PING it answers PONG: not
# -LOADING, nor a refused connection.
pong_after() {
	local deadline=$((SECONDS + 300)) reply
	while ((SECONDS < deadline)); do
		reply=$("${on_client_cpu[@]}" redis-cli -p "$port" PING 2>/dev/null || true)
		if [ "$reply" = PONG ]; then
			since "$started"
			return
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "bench: the server on port $port exited; the end of $log:" >&2
			tail -20 "$log" >&2
			exit 1
		fi
		sleep 0.01
	done
	echo "bench: the server on port $port did not answer PONG within 300 s" >&2
	exit 1
}

# stop PID stops a server with SIGTERM, and sets stop_s to the seconds it
# took to exit; it fails if the server exits with an error. (Not in a
# subshell: only this shell can wait for its servers.)
stop() {
	local t=$EPOCHREALTIME status=0 p rest=()
	kill -TERM "$1"
	wait "$1" || status=$?
	for p in "${pids[@]}"; do [ "$p" = "$1" ] || rest+=("$p"); done
	pids=("${rest[@]}")
	if [ "$status" != 0 ]; then
		echo "bench: server $1 exited with status $status" >&2
		exit 1
	fi
	stop_s=$(since "$t")
}

# info PORT FIELD prints a field of the server's INFO.
info() { redis-cli -p "$1" INFO | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'; }

dbsize() { redis-cli -p "$1" DBSIZE; }

size() { du -sb "$1" | awk '{ print $1 }'; }

# 1. SET throughput.
# set_rps PORT PIPELINE REQUESTS prints the SETs per second
# redis-benchmark measured.
set_rps() {
	"${on_client_cpu[@]}" redis-benchmark -h 127.0.0.1 -p "$1" -c 50 -n "$3" -P "$2" -r 1000000 -d 100 \
		-t set -q --csv 2>>"$work/benchmark.err" | awk -F'","' 'NR > 1 { v = $2 } END { print v }'
}

# best A B prints the larger of two numbers, worst the smaller; either
# may be empty (none yet).
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }'; }
worst() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }

# Two rounds, each of a fresh server per row; a cell is the better of its
# two runs: other programs on this machine can slow one down. The server
# that goes first alternates from row to row.
declare -A rps rewrites
modes=(none everysec always)
declare -A mode_args=(
	[none]="--appendonly no --save ''"
	[everysec]="--appendonly yes --appendfsync everysec --save ''"
	[always]="--appendonly yes --appendfsync always --save ''"
)
n=0
for round in 1 2; do
	for mode in "${modes[@]}"; do
		eval "args=(${mode_args[$mode]})"
		servers=(redis cairn)
		((n++ % 2 == 0)) || servers=(cairn redis)
		for server in "${servers[@]}"; do
			dir=$work/$server-set-$mode
			mkdir -p "$dir"
			start "$server" "$server-set-$mode-$round" --dir "$dir" "${args[@]}"
			wait_ping "$port"
			for pipeline in 1 16; do
				requests=200000
				[ "$pipeline" -gt 1 ] && requests=1000000
				[ "$mode" = always ] && requests=$((requests / 10))
				rps[$server,$mode,$pipeline]=$(best "${rps[$server,$mode,$pipeline]:-}" \
					"$(set_rps "$port" "$pipeline" "$requests")")
			done
			rewrites[$server,$mode]=$(best "${rewrites[$server,$mode]:-}" "$(info "$port" aof_rewrites)")
			stop "$pid"
			rm -rf "$dir"
		done
	done
done

echo "SET requests/s: 50 clients, random keys (-r 1000000), 100-byte values (-d 100)"
printf '%-7s %-36s %12s %12s %9s\n' server persistence "pipeline 1" "pipeline 16" rewrites
for server in redis cairn; do
	for mode in "${modes[@]}"; do
		label="appendfsync $mode"
		[ "$mode" = none ] && label='none (--appendonly no --save "")'
		printf '%-7s %-36s %12s %12s %9s\n' "$server" "$label" "${rps[$server,$mode,1]:--}" \
			"${rps[$server,$mode,16]:--}" "${rewrites[$server,$mode]:--}"
	done
done
echo "(best of 2 runs; requests: 200,000 with pipeline 1, 1,000,000 with 16, a tenth of that with"
echo " always; rewrites: log rewrites (snapshots for cairn) auto-aof-rewrite started in a server's run)"
echo
printf '%-36s %12s %12s\n' ratio "pipeline 1" "pipeline 16"
for r in "cairn everysec / cairn none" "cairn everysec / redis everysec" "cairn always / redis always" \
	"redis everysec / redis none"; do
	read -r s1 m1 _ s2 m2 <<<"$r"
	printf '%-36s %12s %12s\n' "$r" "$(ratio "${rps[$s1,$m1,1]:-}" "${rps[$s2,$m2,1]:-0}")" \
		"$(ratio "${rps[$s1,$m1,16]:-}" "${rps[$s2,$m2,16]:-0}")"
done
if grep -q . "$work/benchmark.err" 2>/dev/null; then
	echo "redis-benchmark wrote on stderr (count, line):" >&2
	sort "$work/benchmark.err" | uniq -c | sort -rn | head -5 >&2
fi

# 2. Restart.
echo >&2
echo "generating the data set..." >&2
{
	"${on_client_cpu[@]}" "$work/memload" -mode strings -n 1000000 -value-size 100 -ex 100000 -ex-every 2
	"${on_client_cpu[@]}" "$work/memload" -mode hashes -n 100000 -elements 10
} >"$work/data.resp"
keys=1100000

# load PORT loads the data set into a server and prints the seconds it
# took.
load() {
	local t=$EPOCHREALTIME out
	out=$("${on_client_cpu[@]}" redis-cli -p "$1" --pipe <"$work/data.resp" 2>&1) || true
	if ! grep -q "^errors: 0, replies: $keys\$" <<<"$out"; then
		echo "bench: loading the data set into port $1: $out" >&2
		exit 1
	fi
	since "$t"
}

# check_keys PORT WHAT warns if the server does not hold every key.
check_keys() {
	local n
	n=$(dbsize "$1")
	[ "$n" = "$keys" ] || echo "bench: $2 holds $n keys, not $keys" >&2
}

# restart KIND NAME ARGS... starts a server on the data it finds twice,
# with a SIGTERM in between, and sets restart_s to the shorter of the two
# times to PONG; the second one stays up.
restart() {
	local kind=$1 name=$2 i t
	shift 2
	restart_s=''
	for i in 1 2; do
		start "$kind" "$name-$i" "$@"
		t=$(pong_after)
		check_keys "$port" "$name"
		restart_s=$(worst "$restart_s" "$t")
		[ "$i" = 2 ] || stop "$pid"
	done
}

# Redis: loaded with its AOF on, never rewritten, then SAVE writes the
# RDB file: the restarts read what that one load wrote.
redis_dir=$work/redis-restart
mkdir -p "$redis_dir"
redis_aof=(--dir "$redis_dir" --dbfilename dump.rdb --appendonly yes --appendfsync everysec
	--aof-use-rdb-preamble no --save '')
start redis redis-load "${redis_aof[@]}" --auto-aof-rewrite-percentage 0
wait_ping "$port"
redis_load_s=$(load "$port")
check_keys "$port" "redis after loading"
t=$EPOCHREALTIME
reply=$(redis-cli -p "$port" SAVE)
redis_save_s=$(since "$t")
[ "$reply" = OK ] || { echo "bench: redis's SAVE replied $reply" >&2; exit 1; }
stop "$pid"
redis_rdb_bytes=$(size "$redis_dir/dump.rdb")
redis_aof_bytes=$(size "$redis_dir/appendonlydir")

# cairn: loaded with its log on, no save rules, no auto-aof-rewrite: the
# directory holds the log alone, no snapshot.
cairn_dir=$work/cairn-restart
cairn_log=(--dir "$cairn_dir" --appendonly yes --appendfsync everysec --save '')
start cairn cairn-load "${cairn_log[@]}" --auto-aof-rewrite-percentage 0
wait_ping "$port"
cairn_load_s=$(load "$port")
check_keys "$port" "cairn after loading"
stop "$pid"
cairn_log_bytes=$(size "$cairn_dir")

# Redis from its RDB file, on the server CPU and on any.
restart redis redis-rdb --dir "$redis_dir" --dbfilename dump.rdb --appendonly no --save ''
redis_rdb_s=$restart_s
stop "$pid"
pin=()
restart redis redis-rdb-any --dir "$redis_dir" --dbfilename dump.rdb --appendonly no --save ''
redis_rdb_any_s=$restart_s
stop "$pid"
pin=("${on_server_cpu[@]}")

# cairn from its log; then given save rules (its default ones), so that
# SIGTERM takes a snapshot.
restart cairn cairn-log "${cairn_log[@]}" --auto-aof-rewrite-percentage 0
cairn_log_s=$restart_s
redis-cli -p "$port" CONFIG SET save "3600 1 300 100 60 10000" >/dev/null
stop "$pid"
cairn_stop_s=$stop_s
grep -q 'msg="snapshot saved"' "$log" || echo "bench: cairn's log does not say it took a snapshot at SIGTERM" >&2
cairn_snap_bytes=$(size "$cairn_dir")

# cairn from its snapshot on any CPU: it decodes on all of them.
pin=()
restart cairn cairn-snapshot-any "${cairn_log[@]}"
cairn_snap_any_s=$restart_s
stop "$pid"
pin=("${on_server_cpu[@]}")

# Redis from its AOF, and cairn from its snapshot: both stay up for 3.
restart redis redis-aof "${redis_aof[@]}"
redis_aof_s=$restart_s redis_port=$port redis_pid=$pid
restart cairn cairn-snapshot "${cairn_log[@]}"
cairn_snap_s=$restart_s cairn_port=$port cairn_pid=$pid

echo
echo "restart with 1,000,000 strings of 100 bytes (half with a TTL) and 100,000 hashes of 10 fields"
printf '%-44s %18s %16s\n' "server, loading from" "start to PONG (s)" "on disk (bytes)"
printf '%-44s %18s %16s\n' "redis, RDB file (SAVE took ${redis_save_s} s)" "$redis_rdb_s" "$redis_rdb_bytes"
printf '%-44s %18s %16s\n' "redis, AOF (no RDB preamble)" "$redis_aof_s" "$redis_aof_bytes"
printf '%-44s %18s %16s\n' "cairn, snapshot (SIGTERM took ${cairn_stop_s} s)" "$cairn_snap_s" "$cairn_snap_bytes"
printf '%-44s %18s %16s\n' "cairn, log alone (--save \"\")" "$cairn_log_s" "$cairn_log_bytes"
if [ "${#on_server_cpu[@]}" -gt 0 ]; then
	printf '%-44s %18s\n' "redis, RDB file, on any CPU" "$redis_rdb_any_s"
	printf '%-44s %18s\n' "cairn, snapshot, on any CPU" "$cairn_snap_any_s"
fi
echo "(best of 2 starts, files in the page cache; loading them through redis-cli --pipe, AOF/log on,"
echo " everysec, took redis ${redis_load_s} s, cairn ${cairn_load_s} s; on disk: redis's dump.rdb and"
echo " appendonlydir, cairn's data directory, whose log records the snapshot deleted still count"
echo " until Pebble compacts them away)"

# 3. Snapshot under load.
# measure PORT PID runs bench/latency and prints its output.
measure() {
	"${on_client_cpu[@]}" "$work/latency" -addr "127.0.0.1:$1" -pid "$2" -rate 20000 -clients 20 \
		-keys 1000000 -value-size 100 -warmup 1s -baseline 5s
}
redis_out=$(measure "$redis_port" "$redis_pid")
cairn_out=$(measure "$cairn_port" "$cairn_pid")

# field OUTPUT PHASE NAME prints NAME's value in bench/latency's OUTPUT,
# from the line of PHASE (baseline or snapshot), or the last line if
# PHASE is "".
field() {
	awk -v phase="$2" -v name="$3" '
		(phase == "" && /^snapshot_s=/) || (phase != "" && $1 == phase) {
			for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2 && kv[1] == name) print kv[2]
		}' <<<"$1"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
row() { printf '%-44s %12s %12s\n' "$@"; }

echo
echo "snapshot under load: 20 clients, 20,000 requests/s (half GET, half SET of 100 bytes) on the"
echo "data above, BGSAVE after 5 s; redis with its AOF on, cairn with its log on (everysec)"
row "" redis cairn
for phase in baseline snapshot; do
	if [ "$phase" = baseline ]; then echo "no snapshot (5 s)"; else echo "during BGSAVE"; fi
	row "  requests/s sent" "$(field "$redis_out" $phase rate)" "$(field "$cairn_out" $phase rate)"
	for from in "" due_; do
		for q in p50 p99 p999 max; do
			name=$q
			[ "$q" = p999 ] && name=p99.9
			label="from send"
			[ "$from" = due_ ] && label="from when due"
			row "  latency $name (ms), $label" "$(field "$redis_out" $phase "$from${q}_ms")" \
				"$(field "$cairn_out" $phase "$from${q}_ms")"
		done
	done
	for out in "$redis_out" "$cairn_out"; do
		errors=$(field "$out" $phase errors)
		[ "${errors:-0}" = 0 ] || echo "bench: $errors requests failed ($phase)" >&2
	done
done
row "snapshot duration (s)" "$(field "$redis_out" "" snapshot_s)" "$(field "$cairn_out" "" snapshot_s)"
row "RSS before (MiB)" "$(mib "$(field "$redis_out" "" rss_before_kb)")" "$(mib "$(field "$cairn_out" "" rss_before_kb)")"
row "peak RSS during BGSAVE, child's added (MiB)" "$(mib "$(field "$redis_out" "" rss_peak_kb)")" \
	"$(mib "$(field "$cairn_out" "" rss_peak_kb)")"
row "  the forked child's peak (MiB)" "$(mib "$(field "$redis_out" "" child_peak_kb)")" \
	"$(mib "$(field "$cairn_out" "" child_peak_kb)")"
row "RSS before + rdb_last_cow_size (MiB)" \
	"$(mib $(($(field "$redis_out" "" rss_before_kb) + $(field "$redis_out" "" cow_bytes) / 1024)))" -
echo "(latency from send: each request's round trip; from when due: from its slot in the fixed"
echo " schedule, so that it counts the wait of the requests a slowed server left queued, plus up"
echo " to ~1 ms of timer lateness; RSS sampled every 10 ms; a child's VmRSS counts the pages it"
echo " shares with its parent, rdb_last_cow_size only those it copied; both servers confined to"
echo " CPU 0, Redis's child takes its CPU time from its parent as cairn's snapshot does from clients)"

# What the servers logged that looks wrong.
if grep -hE 'level=(WARN|ERROR)|panic|fatal error' "$work"/cairn-*.log >"$work/cairn-warnings"; then
	echo "cairn logged (count, line):" >&2
	sed 's/^time=[^ ]* //' "$work/cairn-warnings" | sort | uniq -c | sort -rn | head -10 >&2
fi
# Redis logs its start and stop at warning level (#) too.
boilerplate='Redis is starting|Redis version=|Configuration loaded|Server initialized|User requested shutdown|ready to exit|Memory overcommit'
if grep -h ' # ' "$work"/redis-*.log | grep -vE "$boilerplate" >"$work/redis-warnings"; then
	echo "redis logged (count, line):" >&2
	sed 's/^[0-9]*:[A-Z] [^#]*# //' "$work/redis-warnings" | sort | uniq -c | sort -rn | head -10 >&2
fi
