"""redis-py's sorted set API, in plain calls and in pipelines that mix
sorted sets with other types, against the server at argv[1]:argv[2].
Prints "ok" or raises."""

import sys

import redis

r = redis.Redis(host=sys.argv[1], port=int(sys.argv[2]), decode_responses=True)
r.flushall()


def eq(got, want):
    if got != want:
        raise AssertionError(f"got {got!r}, want {want!r}")


# ZADD and its options, scores as floats.
eq(r.zadd("board", {"alice": 10, "bob": 20.5, "carol": 15}), 3)
eq(r.zadd("board", {"alice": 30}, nx=True), 0)
eq(r.zadd("board", {"alice": 30, "dave": 1}, xx=True, ch=True), 1)
eq(r.zadd("board", {"bob": 5}, gt=True, ch=True), 0)
eq(r.zadd("board", {"bob": 1}, incr=True), 21.5)
eq(r.zincrby("board", -0.5, "carol"), 14.5)
eq(r.zscore("board", "alice"), 30.0)
eq(r.zscore("board", "nobody"), None)
eq(r.zmscore("board", ["alice", "nobody"]), [30.0, None])
eq(r.zcard("board"), 3)
eq(r.zrank("board", "carol"), 0)
eq(r.zrevrank("board", "carol"), 2)

# Ranges in every form.
eq(r.zrange("board", 0, -1, withscores=True), [("carol", 14.5), ("bob", 21.5), ("alice", 30.0)])
eq(r.zrange("board", 0, 0, desc=True), ["alice"])
eq(r.zrangebyscore("board", 15, "+inf"), ["bob", "alice"])
eq(r.zrevrangebyscore("board", "+inf", "(21.5", withscores=True), [("alice", 30.0)])
eq(r.zrange("board", "(14.5", 100, byscore=True, offset=1, num=1), ["alice"])
eq(r.zcount("board", "-inf", 20), 1)
eq(r.zrangestore("top", "board", 0, 1, desc=True), 2)
eq(r.zrange("top", 0, -1), ["bob", "alice"])

r.zadd("words", {w: 0 for w in ["apple", "banana", "cherry", "date"]})
eq(r.zrangebylex("words", "[b", "(d"), ["banana", "cherry"])
eq(r.zrevrangebylex("words", "+", "[c"), ["date", "cherry"])
eq(r.zlexcount("words", "-", "+"), 4)
eq(r.zremrangebylex("words", "[a", "[b"), 1)

# Set operations, with weights and aggregates.
r.zadd("a", {"x": 1, "y": 2})
r.zadd("b", {"y": 10, "z": 20})
r.sadd("s", "x", "z")
eq(r.zunion(["a", "b"], withscores=True), [("x", 1.0), ("y", 12.0), ("z", 20.0)])
eq(r.zinter({"a": 2, "b": 1}, aggregate="MAX", withscores=True), [("y", 10.0)])
eq(r.zdiff(["a", "b"], withscores=True), ["x", "1"])
eq(r.zunionstore("u", ["a", "s"]), 3)
eq(r.zrange("u", 0, -1, withscores=True), [("z", 1.0), ("x", 2.0), ("y", 2.0)])
eq(r.zinterstore("i", ["a", "b"], aggregate="MIN"), 1)
eq(r.zintercard(2, ["a", "b"]), 1)
eq(r.zdiffstore("d", ["b", "a"]), 1)

# Pops, blocking pops and random members.
eq(r.zpopmin("board"), [("carol", 14.5)])
eq(r.zpopmax("board", 5), [("alice", 30.0), ("bob", 21.5)])
eq(r.exists("board"), 0)
r.zadd("q", {"job1": 1, "job2": 2})
eq(r.bzpopmin(["none", "q"], timeout=1), ("q", "job1", 1.0))
eq(r.bzpopmax("q", timeout=1), ("q", "job2", 2.0))
eq(r.bzpopmin("q", timeout=0.05), None)
r.zadd("q", {"m1": 1, "m2": 2, "m3": 3})
eq(r.zmpop(1, ["q"], min=True, count=2), ["q", [["m1", "1"], ["m2", "2"]]])
eq(r.bzmpop(1, 1, ["q"], max=True), ["q", [["m3", "3"]]])
r.zadd("rand", {"a": 1, "b": 2, "c": 3})
eq(sorted(r.zrandmember("rand", 5)), ["a", "b", "c"])
eq(len(r.zrandmember("rand", -7)), 7)
eq(sorted(m for m, _ in r.zscan_iter("rand")), ["a", "b", "c"])

# Removal by rank and score; errors.
eq(r.zremrangebyrank("rand", 0, 0), 1)
eq(r.zremrangebyscore("rand", 3, 3), 1)
eq(r.zrem("rand", "b", "nothing"), 1)
r.set("str", "x")
try:
    r.zadd("str", {"m": 1})
    raise AssertionError("ZADD on a string succeeded")
except redis.ResponseError as e:
    eq(str(e), "WRONGTYPE Operation against a key holding the wrong kind of value")
try:
    r.zadd("z", {"m": float("nan")})
    raise AssertionError("ZADD of NaN succeeded")
except (redis.ResponseError, redis.DataError):
    pass

# Pipelines, transactional and not, mixing sorted sets with other types.
for transaction in (True, False):
    p = r.pipeline(transaction=transaction)
    p.zadd("pz", {"a": 1, "b": 2})
    p.rpush("pl", "x")
    p.zincrby("pz", 5, "a")
    p.hset("ph", "f", "v")
    p.zrange("pz", 0, -1, withscores=True)
    p.zpopmin("pz")
    p.zcard("pz")
    p.delete("pz", "pl", "ph")
    eq(p.execute(), [2, 1, 6.0, 1, [("b", 2.0), ("a", 6.0)], [("b", 2.0)], 1, 3])

# WATCH on a sorted set.
with r.pipeline() as p:
    r.zadd("w", {"m": 1})
    p.watch("w")
    r.zincrby("w", 1, "m")
    p.multi()
    p.zscore("w", "m")
    try:
        p.execute()
        raise AssertionError("EXEC ran after a WATCHed ZINCRBY")
    except redis.WatchError:
        pass

print("ok")
