"""Django's cache API through django_redis against the server at argv[1]:argv[2].

Run by django_test.go with Debian's python3, python3-django (3.2) and
python3-django-redis (5.2). Django is configured in-process with
django_redis.cache.RedisCache on database 1, and every check goes through
django.core.cache; a raw redis-py client looks behind it at what was
stored (database, TTL, encoding). Prints "ok" and exits 0 when every check
passes; otherwise prints each failed check (and the exception of a
section that raised) on stderr and exits 1.
"""

import datetime
import sys
import time
import traceback

import django
import redis
from django.conf import settings

failures = []


def check(what, got, want):
    if got != want:
        failures.append(f"{what}: got {got!r}, want {want!r}")


def raises(what, exc, fn):
    try:
        got = fn()
    except exc:
        return
    except Exception as e:  # noqa: BLE001 - any other exception is the failure
        failures.append(f"{what}: raised {e!r}, want {exc.__name__}")
        return
    failures.append(f"{what}: returned {got!r}, want {exc.__name__}")


def wait_until(what, cond, seconds=5):
    deadline = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > deadline:
            failures.append(f"{what}: not true after {seconds}s")
            return
        time.sleep(0.01)


def configure(host, port):
    location = f"redis://{host}:{port}/1"
    settings.configure(CACHES={
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "TIMEOUT": 300,
        },
        # Two more aliases whose prefixes differ by a glob character: the
        # escaped pattern of "p*" must not match "pq" keys.
        "star": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "p*",
        },
        "pq": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "pq",
        },
    })
    django.setup()


def set_get(cache, raw):
    check("set", cache.set("greeting", "hello", timeout=30), True)
    check("get", cache.get("greeting"), "hello")
    check("ttl", cache.ttl("greeting") in (29, 30), True)
    check("raw pttl", 29000 < raw.pttl(":1:greeting") <= 30000, True)
    cache.set("default-timeout", 1)
    check("ttl with the default timeout", cache.ttl("default-timeout") in (299, 300), True)
    cache.set("forever", "v", timeout=None)
    check("ttl without timeout", cache.ttl("forever"), None)
    check("raw ttl without timeout", raw.ttl(":1:forever"), -1)
    check("get missing", cache.get("missing"), None)
    check("get missing with default", cache.get("missing", "dflt"), "dflt")
    check("ttl missing", cache.ttl("missing"), 0)
    check("set with timeout 0 deletes", cache.set("forever", "v", timeout=0), True)
    check("after timeout 0", cache.get("forever", "gone"), "gone")
    cache.set("short", "v", timeout=0.2)
    wait_until("key set with timeout=0.2 expires", lambda: cache.get("short") is None)


def add(cache):
    check("add absent", cache.add("added", "first"), True)
    check("add present", cache.add("added", "second"), False)
    check("value after add", cache.get("added"), "first")


def many(cache, raw):
    cache.set_many({"m1": 1, "m2": "two", "m3": [3]}, timeout=60)
    check("get_many", cache.get_many(["m1", "m2", "m3", "m-missing"]),
          {"m1": 1, "m2": "two", "m3": [3]})
    check("set_many ttl", 59000 < raw.pttl(":1:m2") <= 60000, True)
    check("delete", cache.delete("m1"), True)
    check("delete missing", cache.delete("m1"), False)
    check("delete_many", cache.delete_many(["m2", "m3", "m-missing"]), 2)
    check("get_many after delete", cache.get_many(["m1", "m2", "m3"]), {})


def incr_decr(cache, raw):
    cache.set("n", 10)
    check("incr", cache.incr("n"), 11)
    check("incr by", cache.incr("n", 5), 16)
    check("decr", cache.decr("n"), 15)
    check("decr by", cache.decr("n", 20), -5)
    check("value after incr/decr", cache.get("n"), -5)
    check("raw value is a plain integer", raw.get(":1:n"), b"-5")
    raises("incr missing", ValueError, lambda: cache.incr("n-missing"))
    raises("decr missing", ValueError, lambda: cache.decr("n-missing"))
    check("incr missing creates nothing", raw.exists(":1:n-missing"), 0)
    cache.set("n-ttl", 1, timeout=100)
    cache.incr("n-ttl")
    check("incr keeps the ttl", 99000 < raw.pttl(":1:n-ttl") <= 100000, True)
    # INCRBY fails inside the script on overflow and on a pickled value;
    # django_redis then falls back to GET, TTL and SET.
    cache.set("big", 2**63 - 1)
    check("incr past int64", cache.incr("big"), 2**63)
    check("value past int64", cache.get("big"), 2**63)
    cache.set("float", 1.5)
    check("incr of a pickled float", cache.incr("float"), 2.5)
    check("incr_version", cache.incr_version("n"), 2)
    check("old version gone", cache.get("n", version=1), None)
    check("new version", cache.get("n", version=2), -5)
    check("raw key of version 2", raw.get(":2:n"), b"-5")


def contains(cache):
    cache.set("here", "x")
    check("has_key", cache.has_key("here"), True)
    check("has_key missing", cache.has_key("not-here"), False)
    check("in", "here" in cache, True)
    check("not in", "not-here" in cache, False)


def expiry(cache, raw):
    cache.set("t", "v", timeout=None)
    check("touch", cache.touch("t", 50), True)
    check("ttl after touch", cache.ttl("t") in (49, 50), True)
    check("touch missing", cache.touch("t-missing", 50), False)
    check("persist", cache.persist("t"), True)
    check("ttl after persist", cache.ttl("t"), None)
    check("persist without ttl", cache.persist("t"), False)
    check("expire", cache.expire("t", 40), True)
    check("ttl after expire", cache.ttl("t") in (39, 40), True)
    check("pttl", 39000 < cache.pttl("t") <= 40000, True)
    check("pexpire", cache.pexpire("t", 20000), True)
    check("pttl after pexpire", 19000 < cache.pttl("t") <= 20000, True)
    at = datetime.datetime.now() + datetime.timedelta(seconds=70)
    check("expire_at", cache.expire_at("t", at), True)
    check("ttl after expire_at", cache.ttl("t") in (68, 69, 70), True)
    check("expire missing", cache.expire("t-missing", 40), False)
    check("touch with None persists", cache.touch("t", None), True)
    check("raw ttl after touch None", raw.ttl(":1:t"), -1)


def patterns(caches, raw):
    cache = caches["default"]
    for k in ("user:1", "user:2", "user:10", "session:1"):
        cache.set(k, k)
    check("keys", sorted(cache.keys("user:*")), ["user:1", "user:10", "user:2"])
    check("keys ?", sorted(cache.keys("user:?")), ["user:1", "user:2"])
    check("iter_keys", sorted(cache.iter_keys("user:*", itersize=2)),
          ["user:1", "user:10", "user:2"])
    check("keys none", cache.keys("nothing:*"), [])
    check("delete_pattern", cache.delete_pattern("user:*"), 3)
    check("keys after delete_pattern", cache.keys("user:*"), [])
    check("other keys kept", cache.get("session:1"), "session:1")

    star, pq = caches["star"], caches["pq"]
    star.set("k", "star")
    pq.set("k", "pq")
    check("raw key of the p* prefix", raw.get("p*:1:k") is not None, True)
    check("escaped prefix keys", star.keys("*"), ["k"])
    check("escaped prefix iter_keys", list(star.iter_keys("*")), ["k"])
    check("escaped prefix delete_pattern", star.delete_pattern("*"), 1)
    check("pq key survives", pq.get("k"), "pq")


def get_or_set(cache):
    check("get_or_set absent", cache.get_or_set("gos", "computed", timeout=60), "computed")
    check("ttl of get_or_set", cache.ttl("gos") in (59, 60), True)
    check("get_or_set present", cache.get_or_set("gos", "other"), "computed")
    check("get_or_set callable", cache.get_or_set("gos2", lambda: [1, 2]), [1, 2])


def lock(cache, raw):
    lk = cache.lock("res", timeout=5)
    check("lock acquire", lk.acquire(blocking=False), True)
    check("lock key in db 1", raw.exists(":1:res"), 1)
    check("lock ttl", 4000 < raw.pttl(":1:res") <= 5000, True)
    check("second acquire", cache.lock("res", timeout=5).acquire(blocking=False), False)
    lk.release()
    check("lock key after release", raw.exists(":1:res"), 0)
    with cache.lock("ctx", timeout=5, blocking_timeout=5):
        check("lock held in with", raw.exists(":1:ctx"), 1)
    check("lock released after with", raw.exists(":1:ctx"), 0)


def values(cache, raw):
    cases = {
        "dict": {"a": 1, "b": [1, 2], "c": {"nested": True}},
        "list": [1, "two", 3.0, None, (4, 5)],
        "large": "x" * 5000 + "é",
        "int": 42,
        "negative": -7,
        "bool": True,
        "bytes": b"\x00\xff\r\n",
        "none": None,
        "float": 0.1,
    }
    for k, v in cases.items():
        cache.set("v:" + k, v)
    for k, v in cases.items():
        got = cache.get("v:" + k, "MISSING")
        check(f"round trip of {k}", (got, type(got)), (v, type(v)))
    # Integers are stored as plain numbers (so INCRBY works), everything
    # else pickled.
    check("raw int", raw.get(":1:v:int"), b"42")
    check("raw bool is pickled", raw.get(":1:v:bool")[:1], b"\x80")
    check("raw dict is pickled", raw.get(":1:v:dict")[:1], b"\x80")
    check("raw large length > 5000", raw.strlen(":1:v:large") > 5000, True)


def databases(caches, raw, raw0):
    cache = caches["default"]
    raw0.set("db0-key", "untouched")
    cache.set("where", "db1")
    check("key in db 1", raw.exists(":1:where"), 1)
    check("key not in db 0", raw0.exists(":1:where"), 0)
    check("db 0 key invisible to the cache", cache.get("db0-key"), None)
    cache.clear()
    check("db 1 empty after clear", raw.dbsize(), 0)
    check("db 0 kept after clear", raw0.get("db0-key"), b"untouched")
    check("get after clear", cache.get("where"), None)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    raw = redis.Redis(host=host, port=port, db=1)
    raw0 = redis.Redis(host=host, port=port, db=0)
    raw.flushall()
    configure(host, port)
    from django.core.cache import cache, caches

    sections = [
        ("set/get", lambda: set_get(cache, raw)),
        ("add", lambda: add(cache)),
        ("many", lambda: many(cache, raw)),
        ("incr/decr", lambda: incr_decr(cache, raw)),
        ("has_key", lambda: contains(cache)),
        ("expiry", lambda: expiry(cache, raw)),
        ("patterns", lambda: patterns(caches, raw)),
        ("get_or_set", lambda: get_or_set(cache)),
        ("lock", lambda: lock(cache, raw)),
        ("values", lambda: values(cache, raw)),
        ("databases", lambda: databases(caches, raw, raw0)),
    ]
    for name, run in sections:
        before = len(failures)
        try:
            run()
        except Exception:  # noqa: BLE001 - report and go on with the next section
            failures.append("raised:\n" + traceback.format_exc())
        for i in range(before, len(failures)):
            failures[i] = f"[{name}] {failures[i]}"
    raw.close()
    raw0.close()
    if failures:
        sys.exit("\n".join(failures))
    print("ok")


if __name__ == "__main__":
    main()
