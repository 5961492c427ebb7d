"""Django's cache filled far past maxmemory under allkeys-lru.

Run by django_test.go against a server at argv[1]:argv[2] whose maxmemory
is set and whose policy is allkeys-lru. Writes argv[3] times the limit
through django.core.cache (set, set_many, get_or_set, incr, add), reading
a few keys between writes as an application would: no exception may
reach Django, the most recent writes must be there (90 of the last 100), and the server must
have evicted. (A hot set read between writes is not checked: access
times have a resolution of a second, as in Redis, and the whole run takes
a few.) Prints "ok" and exits 0; otherwise prints
the failures on stderr and exits 1.
"""

import sys
import time

import django
import redis
from django.conf import settings

failures = []


def check(what, ok):
    if not ok:
        failures.append(what)


def main():
    host, port, times = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    settings.configure(CACHES={"default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://{host}:{port}/1",
        "TIMEOUT": None,
    }})
    django.setup()
    from django.core.cache import cache

    raw = redis.Redis(host=host, port=port)
    limit = int(raw.config_get("maxmemory")["maxmemory"])
    value = "x" * 2000
    hot = {f"hot:{i}": i for i in range(50)}
    cache.set_many(hot)
    written, n = 0, 0
    while written < times * limit:
        for k in hot:
            cache.get(k)
        for _ in range(100):
            cache.set(f"page:{n}", value)
            n += 1
        cache.set_many({f"frag:{n}:{j}": value for j in range(10)})
        cache.get_or_set(f"computed:{n}", lambda: value)
        cache.add(f"once:{n}", value)
        # The counter may be evicted between the read and the increment
        # (the increment's own eviction runs first): Django's incr then
        # raises ValueError, as it does for any missing key.
        try:
            cache.incr("counter")
        except ValueError:
            cache.set("counter", 0)
        written += 113 * len(value)
    # Access times have a resolution of a second, as in Redis: keys written
    # in the same second tie, and approximated LRU may take any of them.
    recent = sum(1 for i in range(n - 100, n) if cache.get(f"page:{i}") == value)
    check(f"{recent} of the 100 most recent pages are there, want 90", recent >= 90)
    # Eviction past a command's time limit goes on in the background.
    deadline = time.monotonic() + 5
    while raw.info("memory")["used_memory"] > limit * 1.05 and time.monotonic() < deadline:
        time.sleep(0.01)
    info = raw.info()
    check(f"evicted_keys = {info['evicted_keys']}", info["evicted_keys"] > 0)
    # Each command evicts before it runs, then adds what it adds: memory
    # stays a little above the limit, in Redis as in cairn.
    check(f"used_memory {info['used_memory']} above maxmemory {limit}", info["used_memory"] <= limit * 1.05)
    check(f"only {n} pages written", n > 1000)


try:
    main()
except Exception as e:  # noqa: BLE001 - any exception is the failure
    failures.append(f"raised {e!r}")
if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
print("ok")
