"""redis-py's Lua users against the server at argv[1]:argv[2].

redis-py's Lock extends, reacquires and releases through Lua scripts it
registers (SCRIPT LOAD, then EVALSHA, falling back to SCRIPT LOAD on
NOSCRIPT), and Script objects run inside transactional pipelines. Run by
python_test.go with Debian's python3 and python3-redis. Prints "ok" and
exits 0 when every check passes; otherwise exits 1 with the failed check
on stderr.
"""

import sys
import threading

import redis
from redis.exceptions import LockNotOwnedError


def check(what, got, want):
    if got != want:
        sys.exit(f"{what}: got {got!r}, want {want!r}")


def lock_lifecycle(r):
    lock = r.lock("res", timeout=5)
    check("acquire", lock.acquire(blocking=False), True)
    check("second acquire", r.lock("res", timeout=5).acquire(blocking=False), False)
    check("owned", lock.owned(), True)
    check("extend", lock.extend(10), True)
    check("ttl after extend", 10000 < r.pttl("res") <= 15000, True)
    check("reacquire", lock.reacquire(), True)
    check("ttl after reacquire", 4000 < r.pttl("res") <= 5000, True)
    lock.release()
    check("key after release", r.exists("res"), 0)
    try:
        lock.release()
        sys.exit("second release: no error")
    except redis.exceptions.LockError:
        pass


def lock_stolen(r):
    lock = r.lock("stolen", timeout=5)
    check("acquire", lock.acquire(blocking=False), True)
    r.set("stolen", "someone else")
    check("owned", lock.owned(), False)
    for op in (lambda: lock.extend(1), lock.reacquire, lock.release):
        try:
            op()
            sys.exit("operation on a stolen lock: no error")
        except LockNotOwnedError:
            pass
    check("value kept", r.get("stolen"), b"someone else")


def lock_contention(r):
    # Each thread increments a counter with a GET and a SET under the lock:
    # no increment may be lost.
    def work():
        c = redis.Redis(host=r.connection_pool.connection_kwargs["host"],
                        port=r.connection_pool.connection_kwargs["port"])
        for _ in range(20):
            with c.lock("counter-lock", timeout=5, blocking_timeout=30, sleep=0.001):
                n = int(c.get("counter") or 0)
                c.set("counter", n + 1)
        c.close()

    threads = [threading.Thread(target=work) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("counter", r.get("counter"), b"100")
    check("lock released", r.exists("counter-lock"), 0)


def scripts(r):
    concat = r.register_script("return KEYS[1] .. ARGV[1]")
    check("script", concat(keys=["a"], args=["b"]), b"ab")
    r.script_flush()
    check("script after SCRIPT FLUSH", concat(keys=["c"], args=["d"]), b"cd")
    check("script exists", r.script_exists(concat.sha), [True])
    try:
        r.eval("return redis.call('INCR', KEYS[1])", 1, "notnum")
        r.set("notnum", "x")
        r.eval("return redis.call('INCR', KEYS[1])", 1, "notnum")
        sys.exit("INCR of a string: no error")
    except redis.ResponseError as e:
        check("error", str(e).startswith("value is not an integer or out of range script: "), True)


def scripts_in_transaction(r):
    incr = r.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    r.script_flush()
    pipe = r.pipeline(transaction=True)
    incr(keys=["tx"], args=[2], client=pipe)
    incr(keys=["tx"], args=[3], client=pipe)
    pipe.get("tx")
    check("pipeline", pipe.execute(), [2, 5, b"5"])


def main():
    r = redis.Redis(host=sys.argv[1], port=int(sys.argv[2]))
    r.flushall()
    lock_lifecycle(r)
    lock_stolen(r)
    lock_contention(r)
    scripts(r)
    scripts_in_transaction(r)
    r.close()
    print("ok")


if __name__ == "__main__":
    main()
