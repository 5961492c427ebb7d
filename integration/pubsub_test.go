package integration

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
)

// TestGoRedisPubSub drives go-redis's PubSub in RESP2 and RESP3 against
// cairn and redis-server and compares what the client decoded:
// subscription confirmations, messages from channels and patterns in
// publishing order, PUBSUB introspection, unsubscribing, and a
// subscriber's PING.
func TestGoRedisPubSub(t *testing.T) {
	redisAddr := testutil.StartRedis(t)
	cairnAddr := testutil.StartCairn(t, nil).Addr
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			want := goRedisPubSubSession(t, redisAddr, proto)
			got := goRedisPubSubSession(t, cairnAddr, proto)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("cairn:\n%s\nredis:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func goRedisPubSubSession(t *testing.T, addr string, proto int) []string {
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DisableIdentity: true})
	defer c.Close()
	var out []string
	rec := func(v any) { out = append(out, fmt.Sprintf("%v", v)) }
	receive := func(ps *redis.PubSub) {
		msg, err := ps.ReceiveTimeout(ctx, 10*time.Second)
		if err != nil {
			t.Fatalf("%s: receive: %v", addr, err)
		}
		rec(msg)
	}

	ps := c.Subscribe(ctx, "news", "sport")
	defer ps.Close()
	receive(ps)
	receive(ps)
	if err := ps.PSubscribe(ctx, "n*"); err != nil {
		t.Fatal(err)
	}
	receive(ps)
	rec(c.PubSubNumSub(ctx, "news", "sport", "none"))
	rec(c.PubSubNumPat(ctx))
	for i := range 3 {
		rec(c.Publish(ctx, "news", fmt.Sprintf("m%d", i)))
	}
	rec(c.Publish(ctx, "sport", "goal"))
	rec(c.Publish(ctx, "nothing", "x"))
	for range 8 {
		receive(ps)
	}
	if err := ps.Ping(ctx, "hi"); err != nil {
		t.Fatal(err)
	}
	receive(ps)
	if err := ps.Unsubscribe(ctx, "news"); err != nil {
		t.Fatal(err)
	}
	receive(ps)
	rec(c.PubSubNumSub(ctx, "news"))
	// A channel message reaches each subscriber through go-redis's
	// channel API too.
	ch := ps.Channel()
	rec(c.Publish(ctx, "sport", "late"))
	select {
	case m := <-ch:
		rec(m)
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no message on the channel", addr)
	}
	return out
}

// TestPubSubOutputLimit checks client-output-buffer-limit's pubsub class:
// a subscriber that stops reading is disconnected once the messages it
// has not taken pass the hard limit, or stay past the soft limit for its
// seconds, instead of growing the server's memory; one that reads keeps
// up and stays.
func TestPubSubOutputLimit(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) {
		c.OutputLimits[config.ClassPubSub] = config.OutputLimit{Hard: 1 << 20, Soft: 256 << 10, SoftSeconds: 1}
	})
	pub := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true})
	defer pub.Close()
	ctx := context.Background()
	message := strings.Repeat("x", 16<<10)

	// subscribe opens a raw connection with a small receive buffer,
	// subscribed to channel, and returns it.
	subscribe := func(channel string) *net.TCPConn {
		nc, err := net.Dial("tcp", srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		tc := nc.(*net.TCPConn)
		tc.SetReadBuffer(4096)
		t.Cleanup(func() { tc.Close() })
		fmt.Fprintf(tc, "SUBSCRIBE %s\r\n", channel)
		r := bufio.NewReader(tc)
		if rep, err := ReadReply(r); err != nil || !strings.Contains(string(rep.Raw), channel) {
			t.Fatalf("SUBSCRIBE: %q %v", rep.Raw, err)
		}
		return tc
	}
	numsub := func(channel string) int64 {
		return pub.PubSubNumSub(ctx, channel).Val()[channel]
	}

	t.Run("hard", func(t *testing.T) {
		subscribe("hard")
		// The socket's buffers take some; the rest piles up until the
		// hard limit closes the subscriber.
		for i := 0; numsub("hard") == 1; i++ {
			if i > 2000 {
				t.Fatal("a subscriber that does not read was never disconnected")
			}
			pub.Publish(ctx, "hard", message)
		}
	})

	t.Run("soft", func(t *testing.T) {
		subscribe("soft")
		// Past the soft limit, under the hard one (what the socket's
		// buffers take is not pending: CLIENT LIST's omem shows what is),
		// then for longer than the soft seconds: the next message closes
		// it.
		for i := 0; omem(t, pub) < 300<<10; i++ {
			if i > 2000 {
				t.Fatal("messages to a subscriber that does not read never piled up")
			}
			pub.Publish(ctx, "soft", message)
		}
		if numsub("soft") != 1 {
			t.Fatal("closed before the soft limit's time")
		}
		deadline := time.Now().Add(10 * time.Second)
		for numsub("soft") == 1 {
			if time.Now().After(deadline) {
				t.Fatal("a subscriber past the soft limit for its seconds was never disconnected")
			}
			pub.Publish(ctx, "soft", "x")
			time.Sleep(100 * time.Millisecond) // the soft limit is a matter of time
		}
	})

	t.Run("reader", func(t *testing.T) {
		ps := pub.Subscribe(ctx, "read")
		defer ps.Close()
		if _, err := ps.Receive(ctx); err != nil {
			t.Fatal(err)
		}
		ch := ps.Channel(redis.WithChannelSize(1000))
		for range 400 { // 6.4 MiB in all
			pub.Publish(ctx, "read", message)
			<-ch
		}
		if numsub("read") != 1 {
			t.Fatal("a subscriber that reads was disconnected")
		}
	})
}

// omem is the output memory CLIENT LIST reports for the pub/sub client.
func omem(t *testing.T, c *redis.Client) int64 {
	list := c.ClientList(context.Background()).Val()
	for _, f := range strings.Fields(list) {
		if n, ok := strings.CutPrefix(f, "omem="); ok {
			if v, err := strconv.ParseInt(n, 10, 64); err == nil && v > 0 {
				return v
			}
		}
	}
	return 0
}

// TestNormalOutputLimit checks the normal class: a client whose replies
// pass the hard limit is disconnected.
func TestNormalOutputLimit(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) {
		c.OutputLimits[config.ClassNormal] = config.OutputLimit{Hard: 1 << 20}
	})
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
	defer c.Close()
	ctx := context.Background()
	if err := c.Set(ctx, "big", strings.Repeat("x", 600<<10), 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, "big").Err(); err != nil {
		t.Fatalf("a reply under the limit: %v", err)
	}
	pipe := c.Pipeline()
	pipe.Get(ctx, "big")
	pipe.Get(ctx, "big")
	if _, err := pipe.Exec(ctx); err == nil {
		t.Fatal("replies past the hard limit were sent")
	}
}
