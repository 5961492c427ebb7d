package integration

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/internal/testutil"
)

// Keyspace notifications that no script can time: keys expiring (found
// by a lookup or by the active cycle), keys evicted, and RESP3 pushes.
// notifications.txt compares every command's events with redis-server.

// notification is one message of a keyspace notification subscriber.
type notification struct{ channel, payload string }

// subscribeEvents subscribes a client of addr (RESP2 or RESP3) to the
// patterns and returns a function that waits for the next message.
func subscribeEvents(t *testing.T, addr string, protocol int, patterns ...string) func() notification {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: protocol, DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	sub := c.PSubscribe(pctx, patterns...)
	t.Cleanup(func() { sub.Close() })
	for range patterns {
		if _, err := sub.ReceiveTimeout(pctx, 5*time.Second); err != nil {
			t.Fatalf("%s: PSUBSCRIBE: %v", addr, err)
		}
	}
	return func() notification {
		t.Helper()
		msg, err := sub.ReceiveTimeout(pctx, 10*time.Second)
		if err != nil {
			t.Fatalf("%s: no notification: %v", addr, err)
		}
		m, ok := msg.(*redis.Message)
		if !ok {
			t.Fatalf("%s: not a message: %#v", addr, msg)
		}
		return notification{m.Channel, m.Payload}
	}
}

func setEvents(t *testing.T, c *redis.Client, classes string) {
	t.Helper()
	if err := c.ConfigSet(pctx, "notify-keyspace-events", classes).Err(); err != nil {
		t.Fatal(err)
	}
}

// TestNotifyExpired: a key whose time has come sends expired once,
// whether a read finds it (lazy expiry) or the active cycle does, on
// both servers; and nothing else, as the class is the only one enabled.
func TestNotifyExpired(t *testing.T) {
	servers := map[string]string{"cairn": testutil.StartCairn(t, nil).Addr}
	if testutil.RequireProgram(t, "redis-server") != "" {
		servers["redis"] = testutil.StartRedis(t)
	}
	for name, addr := range servers {
		t.Run(name, func(t *testing.T) {
			c := pClient(t, addr, 0)
			setEvents(t, c, "KEx")
			next := subscribeEvents(t, addr, 2, "__key*@0__:*")

			// Read at once when its time is up: the lookup, if not the
			// cycle, expires it.
			if err := c.Set(pctx, "lazy", "v", 50*time.Millisecond).Err(); err != nil {
				t.Fatal(err)
			}
			pWait(t, 5*time.Second, "lazy to expire", func() bool { return c.Get(pctx, "lazy").Err() == redis.Nil })
			want := []notification{{"__keyspace@0__:lazy", "expired"}, {"__keyevent@0__:expired", "lazy"}}
			for _, w := range want {
				if got := next(); got != w {
					t.Fatalf("got %v, want %v", got, w)
				}
			}

			// Never read: the active cycle finds it.
			if err := c.Set(pctx, "active", "v", 50*time.Millisecond).Err(); err != nil {
				t.Fatal(err)
			}
			want = []notification{{"__keyspace@0__:active", "expired"}, {"__keyevent@0__:expired", "active"}}
			for _, w := range want {
				if got := next(); got != w {
					t.Fatalf("got %v, want %v", got, w)
				}
			}
			if n, err := c.Exists(pctx, "active").Result(); err != nil || n != 0 {
				t.Fatalf("EXISTS active after its expired event: %d, %v", n, err)
			}
		})
	}
}

// TestNotifyEvicted: keys evicted for maxmemory send evicted, and each
// of them is gone.
func TestNotifyEvicted(t *testing.T) {
	c := startEvicting(t, nil, "allkeys-random")
	addr := c.Options().Addr
	setEvents(t, c, "Ee")
	next := subscribeEvents(t, addr, 2, "__keyevent@0__:evicted")
	if err := fill(c, "before", 0, 1000, 0); err != nil {
		t.Fatal(err)
	}
	limitTo(t, c, 50_000)
	if err := fill(c, "after", 0, 2000, 0); err != nil {
		t.Fatal(err)
	}
	evicted := infoInt(t, c, "evicted_keys")
	if evicted == 0 {
		t.Fatal("nothing evicted")
	}
	seen := map[string]bool{}
	for range evicted {
		m := next()
		if m.channel != "__keyevent@0__:evicted" || seen[m.payload] {
			t.Fatalf("unexpected %v", m)
		}
		seen[m.payload] = true
		if n := c.Exists(pctx, m.payload).Val(); n != 0 {
			t.Fatalf("%s evicted but still there", m.payload)
		}
	}
}

// TestNotifyRESP3: a RESP3 subscriber may run commands, and the events
// of a transaction or script it runs are pushed as each command runs,
// before EXEC's or EVAL's reply ends, on both servers. (Whether an event
// comes before or after the reply of the command that caused it differs
// among Redis's commands; cairn's come before.)
func TestNotifyRESP3(t *testing.T) {
	servers := map[string]string{"cairn": testutil.StartCairn(t, nil).Addr}
	if testutil.RequireProgram(t, "redis-server") != "" {
		servers["redis"] = testutil.StartRedis(t)
	}
	pushRe := regexp.MustCompile(`>4\r\n\$8\r\npmessage\r\n\$16\r\n__keyevent@0__:\*\r\n\$\d+\r\n__keyevent@0__:([^\r]*)\r\n\$\d+\r\n([^\r]*)\r\n`)
	for name, addr := range servers {
		t.Run(name, func(t *testing.T) {
			setEvents(t, pClient(t, addr, 0), "EA")
			c := dialRaw(t, addr)
			c.do(1, "HELLO", "3")
			steps := []struct {
				args    []string
				replies int
				want    string
				events  []string
			}{
				{[]string{"PSUBSCRIBE", "__keyevent@0__:*"}, 1, ">3\r\n$10\r\npsubscribe\r\n$16\r\n__keyevent@0__:*\r\n:1\r\n", nil},
				{[]string{"MULTI"}, 1, "+OK\r\n", nil},
				{[]string{"SET", "k", "1"}, 1, "+QUEUED\r\n", nil},
				{[]string{"LPUSH", "l", "a"}, 1, "+QUEUED\r\n", nil},
				{[]string{"DEL", "k", "l"}, 1, "+QUEUED\r\n", nil},
				{[]string{"EXEC"}, 5, "*3\r\n+OK\r\n:1\r\n:2\r\n", []string{"set k", "lpush l", "del k", "del l"}},
				{[]string{"EVAL", "redis.call('incr', KEYS[1]) return 1", "1", "n"}, 2, ":1\r\n", []string{"incrby n"}},
			}
			for _, s := range steps {
				got := c.do(s.replies, s.args...)
				var events []string
				for _, m := range pushRe.FindAllStringSubmatch(got, -1) {
					events = append(events, m[1]+" "+m[2])
				}
				if rest := pushRe.ReplaceAllString(got, ""); rest != s.want || !slices.Equal(events, s.events) {
					t.Errorf("%v: %q, want %q and the events %q", s.args, got, s.want, s.events)
				}
			}
		})
	}
}
