# Helpers shared by bench/run.sh and bench/persistence.sh, which source
# this file from the repository's root. Sourcing it checks that the
# tools are installed and sets on_server_cpu and on_client_cpu.

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
