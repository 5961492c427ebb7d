"""Transactions through redis-py against the server at argv[1]:argv[2].

Run by python_tx_test.go with Debian's python3 and python3-redis. Prints
"ok" and exits 0 when every check passes; otherwise exits 1 with the
failed check on stderr.
"""

import sys
import threading

import redis


def check(what, got, want):
    if got != want:
        sys.exit(f"{what}: got {got!r}, want {want!r}")


def transactional_pipeline(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("a", "10").incrby("a", 5).get("a").exists("a", "nothing")
    check("pipeline", pipe.execute(), [True, 15, b"15", 1])


def runtime_error_does_not_roll_back(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("s", "abc").incr("s").set("t", "done")
    results = pipe.execute(raise_on_error=False)
    check("first reply", results[0], True)
    check("error reply", type(results[1]), redis.ResponseError)
    check("third reply", results[2], True)
    check("t after the transaction", r.get("t"), b"done")


def queue_error_aborts(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("q", "1").execute_command("NOPE", "x").set("q", "2")
    try:
        pipe.execute()
    except redis.ResponseError as e:
        check("abort error names the cause", "unknown command" in str(e), True)
    else:
        sys.exit("a transaction with an unknown command did not fail")
    check("q after the aborted transaction", r.exists("q"), 0)


def watch_error(r):
    other = redis.Redis(host=r.connection_pool.connection_kwargs["host"],
                        port=r.connection_pool.connection_kwargs["port"])
    with r.pipeline() as pipe:
        pipe.watch("w")
        other.set("w", "changed")
        pipe.multi()
        pipe.set("w", "mine")
        try:
            pipe.execute()
        except redis.WatchError:
            pass
        else:
            sys.exit("EXEC succeeded although the watched key changed")
    check("w after the failed transaction", r.get("w"), b"changed")
    other.close()


def increment_with_retries(r, key, times):
    for _ in range(times):
        with r.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    current = int(pipe.get(key) or 0)
                    pipe.multi()
                    pipe.set(key, current + 1)
                    pipe.execute()
                    break
                except redis.WatchError:
                    continue


def concurrent_counter(r):
    workers, times = 4, 50
    threads = [threading.Thread(target=increment_with_retries, args=(r, "counter", times))
               for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("counter", int(r.get("counter")), workers * times)


def transaction_helper(r):
    r.set("balance", 100)

    def withdraw(pipe):
        balance = int(pipe.get("balance"))
        pipe.multi()
        pipe.set("balance", balance - 30)

    check("transaction()", r.transaction(withdraw, "balance"), [True])
    check("balance", r.get("balance"), b"70")


def main():
    r = redis.Redis(host=sys.argv[1], port=int(sys.argv[2]))
    r.flushall()
    transactional_pipeline(r)
    runtime_error_does_not_roll_back(r)
    queue_error_aborts(r)
    watch_error(r)
    concurrent_counter(r)
    transaction_helper(r)
    print("ok")


if __name__ == "__main__":
    main()
