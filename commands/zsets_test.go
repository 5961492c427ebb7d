package commands_test

import "testing"

func TestZSetCommandMetadata(t *testing.T) {
	compareGroupMetadata(t, "sorted-set", []string{"bzmpop", "bzpopmax", "bzpopmin", "zadd", "zcard", "zcount",
		"zdiff", "zdiffstore", "zincrby", "zinter", "zintercard", "zinterstore", "zlexcount", "zmpop", "zmscore",
		"zpopmax", "zpopmin", "zrandmember", "zrange", "zrangebylex", "zrangebyscore", "zrangestore", "zrank",
		"zrem", "zremrangebylex", "zremrangebyrank", "zremrangebyscore", "zrevrange", "zrevrangebylex",
		"zrevrangebyscore", "zrevrank", "zscan", "zscore", "zunion", "zunionstore"})
}
