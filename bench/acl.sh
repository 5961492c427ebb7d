#!/usr/bin/env bash
# Compares what an ACL user restricted by keys and categories costs, in
# cairn and in Debian's redis-server on this machine: GET and SET through
# redis-benchmark (50 clients; 200,000 requests without pipelining,
# 1,000,000 with a pipeline of 16) as the default user, whom neither
# server checks further, and as the user
#   app  on >pw ~key:* %R~other:* +@all -@dangerous
# (redis-benchmark's keys are key:__rand_int__). Beside each rate, the
# server's CPU time per request. Both servers run without persistence on
# free loopback ports and are stopped when the script exits.
# Usage: bench/acl.sh
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh

work=$(mktemp -d)
trap 'stop_servers; rm -rf "$work"' EXIT

echo "building cmd/cairn..." >&2
go build -o "$work/cairn" ./cmd/cairn

start_servers
for port in "$redis_port" "$cairn_port"; do
	redis-cli -p "$port" ACL SETUSER app on '>pw' '~key:*' '%R~other:*' +@all -@dangerous >/dev/null
done
printf '%-20s %8s %14s %14s %12s %10s %10s %12s\n' test pipeline "redis req/s" "cairn req/s" "cairn/redis" "redis µs" "cairn µs" "cairn/redis"
for pipeline in 1 16; do
	for t in get set; do
		compare "$t default" "$pipeline" true rps "$pipeline" -r 100000 -t "$t"
		compare "$t app" "$pipeline" true rps "$pipeline" -r 100000 --user app -a pw -t "$t"
	done
done
