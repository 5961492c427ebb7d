#!/usr/bin/env bash
# Compares cairn's pub/sub fan-out with Debian's redis-server on this
# machine: bench/pubfan subscribes 1, 100 and 1,000 connections to a
# channel (or to a pattern matching it, PSUBSCRIBE), publishes 32-byte
# messages from one connection pipelining 64 PUBLISH at a time, and
# reports the messages delivered per second, from the first PUBLISH
# until every subscriber has read them all (2,000,000 deliveries a run,
# at least 1,000 messages). Beside each rate, the server's CPU time per
# delivered message. Both servers run without persistence on free
# loopback ports and are stopped when the script exits.
# Usage: bench/pubsub.sh
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh

work=$(mktemp -d)
trap 'stop_servers; rm -rf "$work"' EXIT

echo "building cmd/cairn and bench/pubfan..." >&2
go build -o "$work/cairn" ./cmd/cairn
go build -o "$work/pubfan" ./bench/pubfan
# A thousand subscribers need as many descriptors, and more for the
# servers' own.
ulimit -n 4096 2>/dev/null || true

# fanout PORT SUBSCRIBERS [-pattern] prints deliveries per second and the
# server's CPU time per delivery (µs).
fanout() {
	local port=$1 subs=$2 before v
	shift 2
	before=$(server_cpu "$port")
	v=$("${on_client_cpu[@]}" "$work/pubfan" -addr "127.0.0.1:$port" -subscribers "$subs" "$@")
	echo "$v $(awk -v a="$before" -v b="$(server_cpu "$port")" -v n=2000000 -v t="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.3f", (b - a) / t * 1e6 / n }')"
}

start_servers
printf '%-20s %8s %14s %14s %12s %10s %10s %12s\n' test subs "redis msg/s" "cairn msg/s" "cairn/redis" "redis µs" "cairn µs" "cairn/redis"
for subs in 1 100 1000; do
	compare publish "$subs" true fanout "$subs"
	compare publish_pattern "$subs" true fanout "$subs" -pattern
done
echo "(µs: the server's CPU time per delivered message, user and system)"
