# Helpers shared by the bench/ scripts, which source this file from the
# repository's root. Sourcing it checks that the tools are installed and
# sets on_server_cpu and on_client_cpu.

for prog in go redis-server redis-cli redis-benchmark; do
	command -v "$prog" >/dev/null || { echo "bench: $prog is not installed (apt-get install redis-server redis-tools)" >&2; exit 1; }
done

# Both servers run on CPU 0 and the clients on CPU 1 when there are two
# CPUs or more: left to the kernel, a client sometimes lands on the core
# cairn's threads use, which made cairn's pipelined figures swing by a
# third from run to run while single-threaded Redis's held steady.
on_server_cpu=() on_client_cpu=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
	on_server_cpu=(taskset -c 0) on_client_cpu=(taskset -c 1)
fi

# free_port prints a loopback port nothing accepts connections on, below
# the ephemeral range: a port there may be the local end of an outgoing
# connection (this machine's other tests', or ours), which a server
# cannot bind.
free_port() {
	local low port
	low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true)
	low=${low:-32768}
	while :; do
		port=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
}

wait_ping() {
	for _ in $(seq 100); do
		[ "$(redis-cli -p "$1" PING 2>/dev/null)" = PONG ] && return
		sleep 0.1
	done
	echo "bench: server on port $1 did not start" >&2
	exit 1
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else print "-" }'; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# start_redis [ARGS...] starts a fresh redis-server without persistence
# on a free port, on the server CPU, with ARGS added to its command line
# and its log in $work/redis.log, and sets redis_port and redis_pid.
# start_cairn [ARGS...] does the same for $work/cairn, with the
# environment variables of the array cairn_env (NAME=VALUE) and its stderr
# appended to $cairn_log ($work/cairn.log by default), and sets
# cairn_port, cairn_pid, and cairn_started, its $EPOCHREALTIME at start.
# Neither waits for the server to answer (wait_ping PORT).
redis_pid='' cairn_pid='' cairn_env=()
start_redis() {
	redis_port=$(free_port)
	"${on_server_cpu[@]}" redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$work" --daemonize no --logfile "$work/redis.log" "$@" &
	redis_pid=$!
}

start_cairn() {
	cairn_port=$(free_port)
	cairn_started=$EPOCHREALTIME
	# cairn persists by default: turned off, as Redis's is, and so that a
	# restart does not bring back the keys of the previous run.
	"${on_server_cpu[@]}" env "${cairn_env[@]}" "$work/cairn" --port "$cairn_port" --bind 127.0.0.1 \
		--dir "$work/cairn-data" --appendonly no --save '' --loglevel warning "$@" \
		2>>"${cairn_log:-$work/cairn.log}" &
	cairn_pid=$!
}

# start_servers [ENV...] starts a fresh pair of servers, start_redis and
# start_cairn, the latter with the environment variables ENV
# (NAME=VALUE), and waits for both to answer PING. stop_servers stops
# whichever of them runs and removes cairn's data directory.
start_servers() {
	start_redis
	cairn_env=("$@")
	start_cairn
	cairn_env=()
	wait_ping "$redis_port"
	wait_ping "$cairn_port"
}

stop_servers() {
	for pid in $redis_pid $cairn_pid; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	redis_pid='' cairn_pid=''
	rm -rf "$work/cairn-data"
}

# rps PORT PIPELINE ARGS... prints the requests per second redis-benchmark
# measured, given -t TEST or a command to send as ARGS: the last line's,
# since LRANGE_* first runs an LPUSH to fill the list.
# Pipelined runs send 1,000,000 requests, so that each lasts about a
# second, long enough to be steady.
rps() {
	local port=$1 pipeline=$2 requests=200000 before v
	shift 2
	[ "$pipeline" -gt 1 ] && requests=1000000
	before=$(server_cpu "$port")
	v=$("${on_client_cpu[@]}" redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -n "$requests" -P "$pipeline" -q --csv "$@" 2>>"$work/benchmark.err" |
		awk -F'","' 'NR > 1 { v = $2 } END { print v }')
	echo "$v $(awk -v a="$before" -v b="$(server_cpu "$port")" -v n="$requests" -v t="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.2f", (b - a) / t * 1e6 / n }')"
}

# server_cpu PORT prints the CPU time (user and system, in clock ticks)
# the server on PORT has used. Per request it is a steadier figure than
# requests per second on a machine whose other work comes and goes.
server_cpu() {
	local pid=$cairn_pid
	[ "$1" = "$redis_port" ] && pid=$redis_pid
	awk '{ print $14 + $15 }' "/proc/$pid/stat"
}

# has_command PORT NAME succeeds if the server knows the command.
has_command() { [ -n "$(redis-cli -p "$1" COMMAND INFO "$2" | tr -d '\n')" ]; }

# compare LABEL PIPELINE CAIRN_HAS MEASURE ARGS... prints a table row:
# MEASURE PORT ARGS... run against redis, then against cairn unless
# CAIRN_HAS is false. Who goes first alternates from row to row, so that
# neither always runs on a machine warmed (or disturbed) by the other.
turn=0
compare() {
	local label=$1 pipeline=$2 cairn_has=$3 measure=$4 r c=''
	shift 4
	if ((turn++ % 2 == 0)); then
		r=$($measure "$redis_port" "$@")
		! $cairn_has || c=$($measure "$cairn_port" "$@")
	else
		! $cairn_has || c=$($measure "$cairn_port" "$@")
		r=$($measure "$redis_port" "$@")
	fi
	local rr=${r%% *} cr=${c%% *} ru=- cu=-
	[[ $r == *' '* ]] && ru=${r#* }
	[[ $c == *' '* ]] && cu=${c#* }
	printf '%-20s %8s %14s %14s %12s %10s %10s %12s\n' "$label" "$pipeline" "${rr:--}" "${cr:--}" "$(ratio "$cr" "${rr:-0}")" \
		"$ru" "$cu" "$(ratio "$([ "$cu" = - ] || echo "$cu")" "$([ "$ru" = - ] && echo 0 || echo "$ru")")"
}
