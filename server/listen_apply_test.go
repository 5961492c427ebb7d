package server_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/internal/testutil"
)

// TestConfigSetPortAndBind: CONFIG SET port moves the plain port (clients
// already connected stay), a port that cannot be listened on is refused
// with Redis's error and the old one kept, and so is a bind of addresses
// this machine lacks; port 0 stops listening.
func TestConfigSetPortAndBind(t *testing.T) {
	ctx := context.Background()
	srv := testutil.StartCairn(t, nil)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true, PoolSize: 1})
	defer c.Close()
	ping := func(addr string) error {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		nc.Close()
		return nil
	}

	newPort := testutil.FreePort(t)
	if err := c.ConfigSet(ctx, "port", strconv.Itoa(newPort)).Err(); err != nil {
		t.Fatal(err)
	}
	newAddr := "127.0.0.1:" + strconv.Itoa(newPort)
	if err := ping(newAddr); err != nil {
		t.Fatalf("new port: %v", err)
	}
	if ping(srv.Addr) == nil {
		t.Error("the old port still accepts clients")
	}
	if got := c.ConfigGet(ctx, "port").Val()["port"]; got != strconv.Itoa(newPort) {
		t.Errorf("CONFIG GET port %s", got)
	}
	if info := c.Info(ctx, "server").Val(); !strings.Contains(info, "tcp_port:") {
		t.Errorf("INFO server: %s", info)
	}

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, takenPort, _ := net.SplitHostPort(taken.Addr().String())
	err = c.ConfigSet(ctx, "port", takenPort).Err()
	if err == nil || err.Error() != "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs." {
		t.Errorf("a port in use: %v", err)
	}
	if err := ping(newAddr); err != nil {
		t.Errorf("after the failure, the port before: %v", err)
	}

	err = c.ConfigSet(ctx, "bind", "192.0.2.254").Err()
	if err == nil || err.Error() != "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses." {
		t.Errorf("an address this machine lacks: %v", err)
	}
	if err := ping(newAddr); err != nil {
		t.Errorf("after the failure, the addresses before: %v", err)
	}
	if err := c.ConfigSet(ctx, "bind", "127.0.0.1 -192.0.2.254").Err(); err != nil {
		t.Errorf("an optional address this machine lacks: %v", err)
	}
	if err := ping(newAddr); err != nil {
		t.Errorf("after bind: %v", err)
	}

	if err := c.ConfigSet(ctx, "port", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if ping(newAddr) == nil {
		t.Error("port 0 still accepts clients")
	}
	if err := c.Ping(ctx).Err(); err != nil {
		t.Errorf("a client connected before: %v", err)
	}
}
