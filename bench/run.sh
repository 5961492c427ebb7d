#!/usr/bin/env bash
# Compares cairn with Debian's redis-server on this machine:
#   1. redis-benchmark throughput (SET GET INCR MSET LPUSH RPOP SADD HSET
#      LRANGE_100, and EVALSHA of a script doing one INCRBY; 50 clients,
#      200,000 requests without pipelining, 1,000,000 with a pipeline of
#      16), then bench/txbench's MULTI/EXEC of 10 commands (50 clients,
#      100,000 transactions), the servers taking turns test by test; a test whose
#      command cairn does not have yet shows "-"; beside each rate, the
#      server's CPU time per request (from /proc/PID/stat), which a busy
#      machine disturbs far less than the rate;
#   2. resident memory (VmRSS) after loading 1,000,000 keys with 10-byte
#      values through redis-cli --pipe;
#   3. the VmRSS growth from loading 100,000 hashes of 10 fields, and
#      100,000 sets of 10 integers, each into a fresh pair of servers.
# Both servers run without persistence, with their default io-threads (1),
# on free loopback ports and are stopped when the script exits. Usage: bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh

work=$(mktemp -d)
trap 'stop_servers; rm -rf "$work"' EXIT

echo "building cmd/cairn..." >&2
go build -o "$work/cairn" ./cmd/cairn
go build -o "$work/txbench" ./bench/txbench

# tps PORT prints the MULTI/EXEC transactions per second txbench measured,
# or nothing if it failed (its error is reported with redis-benchmark's).
tps() { "${on_client_cpu[@]}" "$work/txbench" -addr "127.0.0.1:$1" -clients 50 -n 100000 2>>"$work/benchmark.err" | awk '{ print $1 }' || true; }

start_servers
# The script EVALSHA runs, loaded into both servers: its SHA1 names it on
# both.
script="return redis.call('INCRBY', KEYS[1], ARGV[1])"
sha=$(redis-cli -p "$redis_port" SCRIPT LOAD "$script")
if has_command "$cairn_port" script && [ "$(redis-cli -p "$cairn_port" SCRIPT LOAD "$script")" != "$sha" ]; then
	echo "bench: cairn's SCRIPT LOAD did not reply $sha" >&2
	exit 1
fi
printf '%-20s %8s %14s %14s %12s %10s %10s %12s\n' test pipeline "redis req/s" "cairn req/s" "cairn/redis" "redis µs" "cairn µs" "cairn/redis"
for pipeline in 1 16; do
	for test in set get incr mset lpush rpop sadd hset lrange_100 evalsha; do
		# lrange_100 fills its list with LPUSH first.
		cairn_has=true
		for name in "${test%%_*}" $([ "$test" = lrange_100 ] && echo lpush); do
			has_command "$cairn_port" "$name" || cairn_has=false
		done
		if [ "$test" = evalsha ]; then
			compare "$test" "$pipeline" "$cairn_has" rps "$pipeline" EVALSHA "$sha" 1 counter 1
		else
			compare "$test" "$pipeline" "$cairn_has" rps "$pipeline" -t "$test"
		fi
	done
done
cairn_has=true
has_command "$cairn_port" multi || cairn_has=false
compare "MULTI/EXEC (10 cmds)" 1 "$cairn_has" tps
echo "(µs: the server's CPU time per request, user and system; MULTI/EXEC: transactions/s, each of"
echo " 10 commands, 5 INCR and 5 SET)"
if grep -q . "$work/benchmark.err" 2>/dev/null; then
	echo "redis-benchmark or txbench wrote on stderr (count, line):" >&2
	sort "$work/benchmark.err" | uniq -c | sort -rn | head -5 >&2
fi
stop_servers

echo
start_servers
# key:N -> a 10-digit value, as a RESP stream for redis-cli --pipe.
awk 'BEGIN { for (i = 0; i < 1000000; i++) { k = "key:" i; printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$10\r\n%010d\r\n", length(k), k, i } }' >"$work/load.resp"
redis_empty=$(rss_kb "$redis_pid") cairn_empty=$(rss_kb "$cairn_pid")
for port in "$redis_port" "$cairn_port"; do
	"${on_client_cpu[@]}" redis-cli -p "$port" --pipe <"$work/load.resp" | grep -E '^errors:' | sed "s/^/port $port: /" >&2
done
redis_full=$(rss_kb "$redis_pid") cairn_full=$(rss_kb "$cairn_pid")
printf '%-22s %14s %14s %12s\n' "RSS (KiB)" redis cairn "cairn/redis"
printf '%-22s %14s %14s %12s\n' empty "$redis_empty" "$cairn_empty" "$(ratio "$cairn_empty" "$redis_empty")"
printf '%-22s %14s %14s %12s\n' "1,000,000 keys" "$redis_full" "$cairn_full" "$(ratio "$cairn_full" "$redis_full")"
printf '%-22s %14s %14s\n' "DBSIZE" "$(redis-cli -p "$redis_port" DBSIZE)" "$(redis-cli -p "$cairn_port" DBSIZE 2>&1)"
stop_servers

# RSS growth from loading 100,000 values of 10 elements: HSET key f0 v0 ..
# f9 v9 (short values: listpack hashes) and SADD key with 10 integers
# (intsets), each into servers started for it.
echo
awk 'BEGIN { for (i = 0; i < 100000; i++) { k = "hash:" i; printf "*22\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n", length(k), k
	for (j = 0; j < 10; j++) { f = "field" j; v = "value" j "-" (i % 1000); printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(f), f, length(v), v } } }' >"$work/hashes.resp"
awk 'BEGIN { srand(1); for (i = 0; i < 100000; i++) { k = "set:" i; printf "*12\r\n$4\r\nSADD\r\n$%d\r\n%s\r\n", length(k), k
	for (j = 0; j < 10; j++) { m = int(rand() * 1000000); printf "$%d\r\n%s\r\n", length(m), m } } }' >"$work/sets.resp"
printf '%-30s %14s %14s %12s\n' "RSS growth (KiB)" redis cairn "cairn/redis"
for data in hashes sets; do
	start_servers
	redis_empty=$(rss_kb "$redis_pid") cairn_empty=$(rss_kb "$cairn_pid")
	for port in "$redis_port" "$cairn_port"; do
		"${on_client_cpu[@]}" redis-cli -p "$port" --pipe <"$work/$data.resp" | grep -E '^errors:' | sed "s/^/port $port: /" >&2
	done
	r=$(($(rss_kb "$redis_pid") - redis_empty)) c=$(($(rss_kb "$cairn_pid") - cairn_empty))
	label="100,000 hashes of 10 fields"
	[ "$data" = sets ] && label="100,000 sets of 10 integers"
	printf '%-30s %14s %14s %12s\n' "$label" "$r" "$c" "$(ratio "$c" "$r")"
	stop_servers
done
