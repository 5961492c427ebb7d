"""Django's cache across a restart of the server at argv[2]:argv[3].

Usage: django_restart.py write|verify HOST PORT STATE_FILE

Run by django_test.go with Debian's python3, python3-django (3.2) and
python3-django-redis (5.2), through django_redis.cache.RedisCache on
database 1 as django_cache.py does. The write phase stores values through
django.core.cache with various timeouts (none, 300 s, the default, a
second), set_many, add, incr/decr, touch, persist, delete and a second
version, then saves what the verify phase must find, with the remaining
TTLs and the time they were read, in STATE_FILE (JSON). The verify phase,
run after the server restarted, reads everything back through the cache:
the same values, the deleted and the short-lived keys gone, and each TTL
what it was minus the time elapsed since (downtime included), within
TTL_SLACK seconds. Prints "ok" and exits 0 when every check passes;
otherwise prints each failed check on stderr and exits 1.
"""

import json
import sys
import time
import traceback

import django
import redis
from django.conf import settings

# cache.ttl is whole seconds (TTL rounds), and the two reads are a moment
# apart from the times recorded: allow a couple of seconds either way.
TTL_SLACK = 2

failures = []


def check(what, got, want):
    if got != want:
        failures.append(f"{what}: got {got!r}, want {want!r}")


def configure(host, port):
    settings.configure(CACHES={
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://{host}:{port}/1",
            "TIMEOUT": 300,
        },
    })
    django.setup()


# The values stored with set, by key and timeout (absent: the default of
# 300 s), each read back after the restart.
VALUES = {
    "forever": ({"a": 1, "b": [1, 2], "c": {"nested": True}}, None),
    "five-minutes": ("hello", 300),
    "default-timeout": ([1, "two", 3.0, None], "default"),
    "an-hour": ("x" * 100_000 + "é", 3600),
    "bytes": (b"\x00\xff\r\n", None),
    "float": (0.1, 1000),
    "negative": (-7, None),
}

# The keys whose TTL is recorded after the write phase and checked after
# the restart, with what cache.ttl returned then.
TTL_KEYS = ["forever", "five-minutes", "default-timeout", "an-hour", "bytes",
            "float", "negative", "m1", "m2", "m3", "added", "counter",
            "counter-ttl", "touched", "persisted"]


def write(cache, raw, raw0, state_file):
    raw.flushall()
    for key, (value, timeout) in VALUES.items():
        if timeout == "default":
            check(f"set {key}", cache.set(key, value), True)
        else:
            check(f"set {key}", cache.set(key, value, timeout=timeout), True)
    cache.set_many({"m1": 1, "m2": "two", "m3": [3]}, timeout=600)
    check("add", cache.add("added", "first", timeout=900), True)
    check("add present", cache.add("added", "second"), False)

    cache.set("counter", 10, timeout=None)
    check("incr", cache.incr("counter", 5), 15)
    check("decr", cache.decr("counter"), 14)
    cache.set("counter-ttl", 100, timeout=1000)
    check("incr with a ttl", cache.incr("counter-ttl"), 101)

    cache.set("touched", "t", timeout=300)
    check("touch", cache.touch("touched", 900), True)
    cache.set("persisted", "p", timeout=300)
    check("persist", cache.persist("persisted"), True)

    cache.set("deleted", "d", timeout=None)
    check("delete", cache.delete("deleted"), True)
    cache.set("versioned", "v2", version=2)
    raw0.set("db0-key", "untouched")

    # Gone by the time the server is back (the test keeps it down for
    # longer than that), but here now.
    cache.set("short", "soon gone", timeout=1)
    check("short-lived key before the restart", cache.get("short"), "soon gone")

    ttls = {key: cache.ttl(key) for key in TTL_KEYS}
    written_at = time.time()
    check("ttl without timeout", ttls["forever"], None)
    check("ttl of 300 s", ttls["five-minutes"] in (299, 300), True)
    check("ttl of set_many", ttls["m2"] in (599, 600), True)
    check("ttl after incr", ttls["counter-ttl"] in (999, 1000), True)
    check("ttl after touch", ttls["touched"] in (899, 900), True)
    check("ttl after persist", ttls["persisted"], None)
    with open(state_file, "w") as f:
        json.dump({"written_at": written_at, "ttls": ttls}, f)


def verify(cache, raw, raw0, state_file):
    with open(state_file) as f:
        state = json.load(f)
    for key, (value, _) in VALUES.items():
        got = cache.get(key, "MISSING")
        check(f"value of {key}", (got, type(got)), (value, type(value)))
    check("set_many values", cache.get_many(["m1", "m2", "m3"]),
          {"m1": 1, "m2": "two", "m3": [3]})
    check("added value", cache.get("added"), "first")
    check("counter", cache.get("counter"), 14)
    check("raw counter is a plain integer", raw.get(":1:counter"), b"14")
    check("counter with a ttl", cache.get("counter-ttl"), 101)
    check("touched value", cache.get("touched"), "t")
    check("persisted value", cache.get("persisted"), "p")
    check("deleted key", cache.get("deleted", "gone"), "gone")
    check("version 2", cache.get("versioned", version=2), "v2")
    check("version 1", cache.get("versioned", "none"), "none")
    check("db 0 key", raw0.get("db0-key"), b"untouched")
    check("short-lived key after the restart", cache.get("short", "gone"), "gone")
    check("short-lived key not in the keyspace", raw.exists(":1:short"), 0)

    elapsed = time.time() - state["written_at"]
    for key, before in state["ttls"].items():
        got = cache.ttl(key)
        if before is None:
            check(f"ttl of {key}", got, None)
        elif got is None or abs(got - (before - elapsed)) > TTL_SLACK:
            failures.append(f"ttl of {key}: got {got!r}, want {before} - {elapsed:.1f} s "
                            f"(± {TTL_SLACK})")

    # Version 1's keys: neither the deleted nor the short-lived one.
    want_keys = set(VALUES) | {"m1", "m2", "m3", "added", "counter", "counter-ttl",
                               "touched", "persisted"}
    check("keys", sorted(cache.keys("*")), sorted(want_keys))

    # The cache goes on working.
    check("incr after the restart", cache.incr("counter"), 15)
    check("add after the restart", cache.add("added", "again"), False)
    check("set after the restart", cache.set("new", "n", timeout=60), True)
    check("get after the restart", cache.get("new"), "n")


def main():
    phase, host, port, state_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if phase not in ("write", "verify"):
        sys.exit(f"unknown phase {phase!r}: want write or verify")
    raw = redis.Redis(host=host, port=port, db=1)
    raw0 = redis.Redis(host=host, port=port, db=0)
    configure(host, port)
    from django.core.cache import cache

    try:
        (write if phase == "write" else verify)(cache, raw, raw0, state_file)
    except Exception:  # noqa: BLE001 - report it with the failed checks
        failures.append("raised:\n" + traceback.format_exc())
    raw.close()
    raw0.close()
    if failures:
        sys.exit("\n".join(f"[{phase}] {f}" for f in failures))
    print("ok")


if __name__ == "__main__":
    main()
