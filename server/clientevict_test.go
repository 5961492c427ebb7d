package server_test

import (
	"bufio"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/internal/testutil"
)

// TestClientEviction: past maxmemory-clients, a client that pipelines
// large replies without reading them is closed, and so is a subscriber
// that does not read what is published to it, each counted in INFO's
// evicted_clients, and so is one whose query buffer holds a large
// argument; a client that sent CLIENT NO-EVICT on is not, and gets every
// reply once it reads them.
func TestClientEviction(t *testing.T) {
	ctx := context.Background()
	srv := testutil.StartCairn(t, nil)
	// While a client that may not be evicted holds more than the limit,
	// any other is evicted, in Redis as in cairn: so is this one.
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true,
		OnConnect: func(ctx context.Context, cn *redis.Conn) error { return cn.Do(ctx, "CLIENT", "NO-EVICT", "on").Err() }})
	t.Cleanup(func() { admin.Close() })
	value := strings.Repeat("v", 100<<10)
	if err := admin.Set(ctx, "big", value, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := admin.ConfigSet(ctx, "maxmemory-clients", "1mb").Err(); err != nil {
		t.Fatal(err)
	}
	evicted := func() string {
		t.Helper()
		info := admin.Info(ctx, "stats").Val()
		return regexp.MustCompile(`evicted_clients:(\d+)`).FindStringSubmatch(info)[1]
	}
	const gets = 100 // 10 MB of replies
	pipeline := strings.Repeat(bulkCommand("GET", "big"), gets)
	reply := "$" + "102400\r\n" + value + "\r\n"

	hog := dial(t, srv.Addr)
	if _, err := hog.Write([]byte(pipeline)); err != nil {
		t.Fatal(err)
	}
	if got := readUntilClose(t, hog); len(got) >= gets*len(reply) {
		t.Errorf("the client was sent all %d replies", gets)
	}
	if n := evicted(); n != "1" {
		t.Errorf("evicted_clients %s after the pipeline, want 1", n)
	}

	// CLIENT NO-EVICT on: the replies wait for the client, who is not
	// closed, and CLIENT LIST shows the flag and the memory held.
	spared := dial(t, srv.Addr)
	exchange(t, spared, bulkCommand("CLIENT", "SETNAME", "spared")+bulkCommand("CLIENT", "NO-EVICT", "on"), "+OK\r\n+OK\r\n")
	if _, err := spared.Write([]byte(pipeline)); err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`name=spared .*flags=(\S+) .*tot-mem=(\d+)`)
	for deadline := time.Now().Add(10 * time.Second); ; {
		m := line.FindStringSubmatch(admin.ClientList(ctx).Val())
		if m != nil && m[1] == "e" && len(m[2]) >= 7 { // a million bytes or more
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CLIENT LIST never showed the spared client holding its replies: %v", m)
		}
		time.Sleep(10 * time.Millisecond)
	}
	spared.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(spared)
	for i := 0; i < gets; i++ {
		expect(t, r, reply)
	}
	if n := evicted(); n != "1" {
		t.Errorf("evicted_clients %s after the NO-EVICT client's pipeline, want 1", n)
	}

	// A subscriber that does not read: what is pushed to it grows until
	// it is evicted (the publish then reaches no one).
	sub := dial(t, srv.Addr)
	exchange(t, sub, bulkCommand("SUBSCRIBE", "ch"), "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n")
	for i := 0; ; i++ {
		n, err := admin.Publish(ctx, "ch", value).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if i == 10000 {
			t.Fatal("the subscriber was never evicted")
		}
	}
	if n := evicted(); n != "2" {
		t.Errorf("evicted_clients %s after the subscriber, want 2", n)
	}
	readUntilClose(t, sub)

	// A client sending a large argument: its query buffer, made at the
	// argument's size, counts (the cron finds it, as it waits for the
	// rest).
	upload := dial(t, srv.Addr)
	if _, err := upload.Write([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\nabc")); err != nil {
		t.Fatal(err)
	}
	readUntilClose(t, upload)
	if n := evicted(); n != "3" {
		t.Errorf("evicted_clients %s after the upload, want 3", n)
	}
	if err := admin.ConfigSet(ctx, "maxmemory-clients", "0").Err(); err != nil {
		t.Fatal(err)
	}
}
