"""redis-py's pub/sub API against the server at argv[1]:argv[2]: channel
and pattern subscriptions, get_message and listen, handlers run by a
thread, PUBSUB introspection, a subscriber's PING, and MONITOR.
Prints "ok" or raises."""

import sys
import threading
import time

import redis

host, port = sys.argv[1], int(sys.argv[2])
r = redis.Redis(host=host, port=port, decode_responses=True)
r.flushall()


def eq(got, want):
    if got != want:
        raise AssertionError(f"got {got!r}, want {want!r}")


def next_message(p, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = p.get_message(timeout=deadline - time.time())
        if m is not None:
            return m
    raise AssertionError("no message")


# Subscriptions and their confirmations.
p = r.pubsub()
p.subscribe("news", "sport")
eq(next_message(p), {"type": "subscribe", "pattern": None, "channel": "news", "data": 1})
eq(next_message(p), {"type": "subscribe", "pattern": None, "channel": "sport", "data": 2})
p.psubscribe("n*")
eq(next_message(p), {"type": "psubscribe", "pattern": None, "channel": "n*", "data": 3})
eq(sorted(r.pubsub_channels()), ["news", "sport"])
eq(r.pubsub_channels("n*"), ["news"])
eq(r.pubsub_numsub("news", "none"), [("news", 1), ("none", 0)])
eq(r.pubsub_numpat(), 1)

# Messages, in publishing order, from channels and patterns.
eq(r.publish("news", "hello"), 2)
eq(r.publish("sport", "goal"), 1)
eq(r.publish("nowhere", "x"), 1)
eq(r.publish("elsewhere", "x"), 0)
eq(next_message(p), {"type": "message", "pattern": None, "channel": "news", "data": "hello"})
eq(next_message(p), {"type": "pmessage", "pattern": "n*", "channel": "news", "data": "hello"})
eq(next_message(p), {"type": "message", "pattern": None, "channel": "sport", "data": "goal"})
eq(next_message(p), {"type": "pmessage", "pattern": "n*", "channel": "nowhere", "data": "x"})
for i in range(100):
    r.publish("sport", str(i))
for i in range(100):
    eq(next_message(p)["data"], str(i))

# PING while subscribed.
p.ping("hi")
eq(next_message(p), {"type": "pong", "pattern": None, "channel": None, "data": "hi"})

# Unsubscribing.
p.unsubscribe("news")
eq(next_message(p), {"type": "unsubscribe", "pattern": None, "channel": "news", "data": 2})
p.punsubscribe()
eq(next_message(p), {"type": "punsubscribe", "pattern": None, "channel": "n*", "data": 1})
p.close()

# Handlers run by a thread.
got = []
done = threading.Event()


def handler(m):
    got.append(m["data"])
    if len(got) == 3:
        done.set()


p = r.pubsub(ignore_subscribe_messages=True)
p.subscribe(**{"events": handler})
t = p.run_in_thread(sleep_time=0.01)
deadline = time.time() + 10
while r.pubsub_numsub("events")[0][1] != 1:
    if time.time() > deadline:
        raise AssertionError("subscription not seen")
    time.sleep(0.01)
for m in ["a", "b", "c"]:
    r.publish("events", m)
if not done.wait(10):
    raise AssertionError(f"handler got {got!r}")
eq(got, ["a", "b", "c"])
t.stop()
t.join(10)
p.close()

# MONITOR shows the commands of other clients.
with r.monitor() as m:
    other = redis.Redis(host=host, port=port, decode_responses=True)
    other.set("watched", "value")
    for info in m.listen():
        if info["command"] == "SET watched value":
            eq(info["db"], 0)
            break
    other.close()

print("ok")
