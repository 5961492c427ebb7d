package commands_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/expiry"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/redis/go-redis/v9"
)

// txStep is one command of a transaction test and its raw RESP reply.
type txStep struct {
	args []string
	want string
}

func tx(want string, args ...string) txStep { return txStep{args: args, want: want} }

// runSteps sends each step on c and compares the raw replies.
func runTxSteps(t *testing.T, c *rawConn, steps []txStep) {
	t.Helper()
	for _, s := range steps {
		if got := rawBytes(t, c, s.args); got != s.want {
			t.Errorf("%q = %q, want %q", s.args, got, s.want)
		}
	}
}

const (
	txOK     = "+OK\r\n"
	txQueued = "+QUEUED\r\n"
	txNull   = "*-1\r\n"
	txAbort  = "-EXECABORT Transaction discarded because of previous errors.\r\n"
)

// bothServers runs fn against cairn and, to keep the expectations honest,
// against redis-server 7.0.
func bothServers(t *testing.T, fn func(t *testing.T, addr string)) {
	t.Run("cairn", func(t *testing.T) { fn(t, testutil.StartCairn(t, nil).Addr) })
	t.Run("redis", func(t *testing.T) { fn(t, testutil.StartRedis(t)) })
}

// TestTransactionReplies checks MULTI, EXEC, DISCARD, WATCH and UNWATCH
// replies, errors included.
func TestTransactionReplies(t *testing.T) {
	tests := []struct {
		name  string
		steps []txStep
	}{
		{"exec runs the queue in order", []txStep{
			tx(txOK, "MULTI"), tx(txQueued, "SET", "k", "1"), tx(txQueued, "INCR", "k"),
			tx(txQueued, "GET", "k"), tx("*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n", "EXEC"),
			tx("$1\r\n2\r\n", "GET", "k"),
		}},
		{"empty transaction", []txStep{tx(txOK, "MULTI"), tx("*0\r\n", "EXEC")}},
		{"runtime errors do not roll back", []txStep{
			tx(txOK, "MULTI"), tx(txQueued, "SET", "s", "abc"), tx(txQueued, "INCR", "s"),
			tx(txQueued, "SET", "t", "1"),
			tx("*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n+OK\r\n", "EXEC"),
			tx("$1\r\n1\r\n", "GET", "t"),
		}},
		{"queue errors abort", []txStep{
			tx(txOK, "MULTI"), tx(txQueued, "SET", "a", "1"),
			tx("-ERR unknown command 'NOPE', with args beginning with: 'x' \r\n", "NOPE", "x"),
			tx("-ERR wrong number of arguments for 'get' command\r\n", "GET"),
			tx(txQueued, "SET", "a", "2"), tx(txAbort, "EXEC"), tx("$-1\r\n", "GET", "a"),
		}},
		{"unknown subcommand aborts", []txStep{
			tx(txOK, "MULTI"), tx("-ERR unknown subcommand 'NOPE'. Try CLIENT HELP.\r\n", "CLIENT", "NOPE"),
			tx(txAbort, "EXEC"),
		}},
		{"no-multi commands are refused", []txStep{
			tx(txOK, "MULTI"), tx("-ERR Command not allowed inside a transaction\r\n", "SHUTDOWN"),
			tx(txAbort, "EXEC"),
		}},
		{"nested MULTI does not abort", []txStep{
			tx(txOK, "MULTI"), tx("-ERR MULTI calls can not be nested\r\n", "MULTI"),
			tx(txQueued, "PING"), tx("*1\r\n+PONG\r\n", "EXEC"),
		}},
		{"WATCH inside MULTI does not abort", []txStep{
			tx(txOK, "MULTI"), tx("-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "k"),
			tx("*0\r\n", "EXEC"),
		}},
		{"WATCH of wrong arity inside MULTI aborts", []txStep{
			tx(txOK, "MULTI"), tx("-ERR wrong number of arguments for 'watch' command\r\n", "WATCH"),
			tx(txAbort, "EXEC"),
		}},
		{"EXEC of wrong arity discards", []txStep{
			tx(txOK, "MULTI"),
			tx("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n", "EXEC", "x"),
			tx("-ERR EXEC without MULTI\r\n", "EXEC"),
			tx("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n", "EXEC", "x"),
		}},
		{"without MULTI", []txStep{
			tx("-ERR EXEC without MULTI\r\n", "EXEC"), tx("-ERR DISCARD without MULTI\r\n", "DISCARD"),
			tx(txOK, "UNWATCH"), tx("-ERR wrong number of arguments for 'unwatch' command\r\n", "UNWATCH", "x"),
			tx("-ERR wrong number of arguments for 'multi' command\r\n", "MULTI", "x"),
		}},
		{"DISCARD", []txStep{
			tx(txOK, "MULTI"), tx(txQueued, "SET", "d", "1"), tx(txOK, "DISCARD"),
			tx("$-1\r\n", "GET", "d"), tx("-ERR DISCARD without MULTI\r\n", "DISCARD"),
		}},
		{"SELECT inside MULTI", []txStep{
			tx(txOK, "MULTI"), tx(txQueued, "SELECT", "1"), tx(txQueued, "SET", "d1", "x"),
			tx("*2\r\n+OK\r\n+OK\r\n", "EXEC"), tx("$1\r\nx\r\n", "GET", "d1"),
			tx(txOK, "SELECT", "0"), tx("$-1\r\n", "GET", "d1"),
		}},
		{"UNWATCH is queued", []txStep{
			tx(txOK, "WATCH", "w"), tx(txOK, "MULTI"), tx(txQueued, "UNWATCH"), tx("*1\r\n+OK\r\n", "EXEC"),
		}},
		{"RESET ends the transaction", []txStep{
			tx(txOK, "MULTI"), tx(txQueued, "SET", "r", "1"), tx("+RESET\r\n", "RESET"),
			tx("-ERR EXEC without MULTI\r\n", "EXEC"), tx("$-1\r\n", "GET", "r"),
		}},
		{"RESET forgets watches", []txStep{
			tx(txOK, "WATCH", "w"), tx("+RESET\r\n", "RESET"), tx(txOK, "SET", "w", "1"),
			tx(txOK, "MULTI"), tx(txQueued, "PING"), tx("*1\r\n+PONG\r\n", "EXEC"),
		}},
		{"watched key written by the watcher itself", []txStep{
			tx(txOK, "WATCH", "w"), tx(txOK, "SET", "w", "1"), tx(txOK, "MULTI"), tx(txQueued, "GET", "w"),
			tx(txNull, "EXEC"), tx(txOK, "MULTI"), tx(txQueued, "GET", "w"), tx("*1\r\n$1\r\n1\r\n", "EXEC"),
		}},
		{"UNWATCH clears a touched watch", []txStep{
			tx(txOK, "WATCH", "w"), tx(txOK, "SET", "w", "2"), tx(txOK, "UNWATCH"),
			tx(txOK, "MULTI"), tx(txQueued, "GET", "w"), tx("*1\r\n$1\r\n2\r\n", "EXEC"),
		}},
		{"WATCH after a touch changes nothing", []txStep{
			tx(txOK, "WATCH", "w"), tx(txOK, "SET", "w", "3"), tx(txOK, "WATCH", "v"),
			tx(txOK, "MULTI"), tx(txQueued, "PING"), tx(txNull, "EXEC"),
		}},
		{"reads and failed writes do not touch", []txStep{
			tx(txOK, "SET", "w", "1"), tx(txOK, "WATCH", "w", "missing"), tx("$1\r\n1\r\n", "GET", "w"),
			tx("$-1\r\n", "SET", "w", "2", "NX"), tx(":0\r\n", "DEL", "missing"),
			tx(":0\r\n", "EXPIRE", "w", "100", "XX"),
			tx(txOK, "MULTI"), tx(txQueued, "PING"), tx("*1\r\n+PONG\r\n", "EXEC"),
		}},
		{"RESP3", []txStep{
			tx("", "HELLO", "3"),
			tx(txOK, "WATCH", "w"), tx(txOK, "SET", "w", "4"), tx(txOK, "MULTI"), tx(txQueued, "PING"),
			tx("_\r\n", "EXEC"),
			tx(txOK, "MULTI"), tx(txQueued, "GET", "w"), tx(txQueued, "GET", "nothing"),
			tx("*2\r\n$1\r\n4\r\n_\r\n", "EXEC"),
		}},
	}
	bothServers(t, func(t *testing.T, addr string) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c := dialRaw(t, addr)
				c.do(t, "FLUSHALL")
				for _, s := range tc.steps {
					got := rawBytes(t, c, s.args)
					if s.want != "" && got != s.want {
						t.Errorf("%q = %q, want %q", s.args, got, s.want)
					}
				}
			})
		}
	})
}

func TestExecRefusedBeforeAuth(t *testing.T) {
	srv := testutil.StartCairn(t, func(c *config.Config) { c.RequirePass = "pw" })
	c := dialRaw(t, srv.Addr)
	runTxSteps(t, c, []txStep{
		tx("-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n", "EXEC"),
		tx("-NOAUTH Authentication required.\r\n", "MULTI"),
		tx(txOK, "AUTH", "pw"), tx(txOK, "MULTI"), tx(txQueued, "AUTH", "bad"),
		tx("*1\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n", "EXEC"),
	})
}

// txClient starts cairn and returns a go-redis client for it. RESP2:
// go-redis's RESP3 handshake races with itself when connections are
// opened concurrently (maintnotifications), which -race reports.
func txClient(t *testing.T) *redis.Client {
	srv := testutil.StartCairn(t, nil)
	return goRedis(t, &redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true})
}

// TestTxPipelined runs go-redis transactional pipelines.
func TestTxPipelined(t *testing.T) {
	rdb := txClient(t)
	ctx := context.Background()
	var incr *redis.IntCmd
	var get *redis.StringCmd
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "a", "10", 0)
		incr = p.IncrBy(ctx, "a", 5)
		get = p.Get(ctx, "a")
		return nil
	})
	if err != nil || incr.Val() != 15 || get.Val() != "15" {
		t.Fatalf("TxPipelined: err %v, INCRBY %d, GET %q", err, incr.Val(), get.Val())
	}

	// The failing command does not undo the others.
	var set *redis.StatusCmd
	_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "s", "abc", 0)
		p.Incr(ctx, "s")
		set = p.Set(ctx, "t", "1", 0)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "not an integer") || set.Val() != "OK" {
		t.Fatalf("TxPipelined with a failing command: err %v, SET %q", err, set.Val())
	}
	if v := rdb.Get(ctx, "t").Val(); v != "1" {
		t.Fatalf("GET t = %q after the transaction", v)
	}
}

// TestWatchRace increments a counter from many clients with go-redis's
// WATCH/MULTI/EXEC retry loop: no increment may be lost.
func TestWatchRace(t *testing.T) {
	rdb := txClient(t)
	ctx := context.Background()
	const workers, increments = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < increments; i++ {
				for {
					err := rdb.Watch(ctx, func(tx *redis.Tx) error {
						n, err := tx.Get(ctx, "counter").Int()
						if err != nil && !errors.Is(err, redis.Nil) {
							return err
						}
						_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
							p.Set(ctx, "counter", n+1, 0)
							return nil
						})
						return err
					}, "counter")
					if err == nil {
						break
					}
					if !errors.Is(err, redis.TxFailedErr) {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n, err := rdb.Get(ctx, "counter").Int(); err != nil || n != workers*increments {
		t.Fatalf("counter = %d (%v), want %d", n, err, workers*increments)
	}
}

// TestExecIsAtomic sends every command of its transactions in a round
// trip of its own, so that only EXEC can keep them together: a reader's
// transaction must never see x and y differ.
func TestExecIsAtomic(t *testing.T) {
	rdb := txClient(t)
	ctx := context.Background()
	const writers, rounds = 4, 100
	var wg sync.WaitGroup
	// The reader goes on until the writers are done (stop), then says it
	// is (done).
	stop, done := make(chan struct{}), make(chan struct{})
	errs := make(chan error, writers+1)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn := rdb.Conn()
			defer conn.Close()
			for i := 0; i < rounds; i++ {
				for _, args := range [][]any{{"MULTI"}, {"INCR", "x"}, {"INCR", "y"}, {"EXEC"}} {
					if err := conn.Do(ctx, args...).Err(); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	reads := 0
	go func() {
		conn := rdb.Conn()
		defer conn.Close()
		defer close(done)
		for {
			for _, args := range [][]any{{"MULTI"}, {"GET", "x"}, {"GET", "y"}} {
				if err := conn.Do(ctx, args...).Err(); err != nil {
					errs <- err
					return
				}
			}
			v, err := conn.Do(ctx, "EXEC").Slice()
			if err != nil {
				errs <- err
				return
			}
			if fmt.Sprint(v[0]) != fmt.Sprint(v[1]) {
				errs <- fmt.Errorf("transaction read x=%v y=%v", v[0], v[1])
				return
			}
			reads++
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-done
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if reads == 0 {
		t.Fatal("no transaction read x and y")
	}
}

// TestWatchTouched checks which changes by another client make a watcher's
// EXEC fail.
func TestWatchTouched(t *testing.T) {
	tests := []struct {
		name  string
		setup [][]string // before WATCH w, by the watcher
		touch [][]string // after, by another client
		fails bool
	}{
		{"SET", nil, [][]string{{"SET", "w", "1"}}, true},
		{"SET of another key", nil, [][]string{{"SET", "v", "1"}}, false},
		{"DEL", [][]string{{"SET", "w", "1"}}, [][]string{{"DEL", "w"}}, true},
		{"EXPIRE", [][]string{{"SET", "w", "1"}}, [][]string{{"EXPIRE", "w", "100"}}, true},
		{"MSET", nil, [][]string{{"MSET", "a", "1", "w", "2"}}, true},
		{"same key in another db", nil, [][]string{{"SELECT", "1"}, {"SET", "w", "1"}}, false},
		{"FLUSHDB of an existing key", [][]string{{"SET", "w", "1"}}, [][]string{{"FLUSHDB"}}, true},
		{"FLUSHDB of a missing key", [][]string{{"SET", "v", "1"}}, [][]string{{"FLUSHDB"}}, false},
		{"FLUSHDB of another db", [][]string{{"SET", "w", "1"}},
			[][]string{{"SELECT", "1"}, {"SET", "x", "1"}, {"FLUSHDB"}}, false},
		{"FLUSHALL", [][]string{{"SET", "w", "1"}}, [][]string{{"FLUSHALL"}}, true},
		{"FLUSHALL of a missing key", [][]string{{"SET", "v", "1"}}, [][]string{{"FLUSHALL"}}, false},
		{"FLUSHALL after a key was created", nil, [][]string{{"SET", "v", "1"}, {"FLUSHALL"}}, false},
		{"SWAPDB brings the key", [][]string{{"SELECT", "1"}, {"SET", "w", "1"}, {"SELECT", "0"}},
			[][]string{{"SWAPDB", "0", "1"}}, true},
		{"SWAPDB takes the key", [][]string{{"SET", "w", "1"}}, [][]string{{"SWAPDB", "1", "0"}}, true},
		{"SWAPDB without the key", [][]string{{"SET", "v", "1"}}, [][]string{{"SWAPDB", "0", "1"}}, false},
		{"SWAPDB twice", [][]string{{"SELECT", "1"}, {"SET", "v", "1"}, {"SELECT", "0"}},
			[][]string{{"SWAPDB", "0", "1"}, {"SWAPDB", "0", "1"}}, false},
		{"RENAME onto it", [][]string{{"SET", "v", "1"}}, [][]string{{"RENAME", "v", "w"}}, true},
		{"RENAME from it", [][]string{{"SET", "w", "1"}}, [][]string{{"RENAME", "w", "v"}}, true},
		{"MOVE from it", [][]string{{"SET", "w", "1"}}, [][]string{{"MOVE", "w", "1"}}, true},
		{"MOVE onto it", [][]string{{"SELECT", "2"}, {"SET", "w", "1"}, {"SELECT", "0"}},
			[][]string{{"SELECT", "2"}, {"MOVE", "w", "0"}}, true},
		{"COPY from it", [][]string{{"SET", "w", "1"}}, [][]string{{"COPY", "w", "v"}}, false},
		{"COPY onto it", [][]string{{"SET", "v", "1"}}, [][]string{{"COPY", "v", "w"}}, true},
		{"COPY onto it from another db", [][]string{{"SELECT", "1"}, {"SET", "v", "1"}, {"SELECT", "0"}},
			[][]string{{"SELECT", "1"}, {"COPY", "v", "w", "DB", "0"}}, true},
		{"COPY to another db", [][]string{{"SET", "v", "1"}}, [][]string{{"COPY", "v", "w", "DB", "1"}}, false},
		{"SINTERSTORE from it", [][]string{{"SADD", "w", "a"}}, [][]string{{"SINTERSTORE", "v", "w", "w"}}, false},
		{"SUNIONSTORE onto it", [][]string{{"SADD", "v", "a"}}, [][]string{{"SUNIONSTORE", "w", "v"}}, true},
	}
	bothServers(t, func(t *testing.T, addr string) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				watcher, other := dialRaw(t, addr), dialRaw(t, addr)
				watcher.do(t, "FLUSHALL")
				for _, args := range tc.setup {
					watcher.do(t, args...)
				}
				watcher.do(t, "WATCH", "w")
				for _, args := range tc.touch {
					if r := other.do(t, args...); r.kind == '-' {
						t.Fatalf("%q: %s", args, r)
					}
				}
				want := "*1\r\n+PONG\r\n"
				if tc.fails {
					want = txNull
				}
				runTxSteps(t, watcher, []txStep{tx(txOK, "MULTI"), tx(txQueued, "PING"), tx(want, "EXEC")})
			})
		}
	})
}

// TestWatchExpiredKey watches a key that then expires; the other client
// waits for it to be gone (lazily or actively reclaimed).
func TestWatchExpiredKey(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	watcher, other := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
	runTxSteps(t, watcher, []txStep{tx(txOK, "SET", "w", "1", "PX", "5"), tx(txOK, "WATCH", "w")})
	deadline := time.Now().Add(5 * time.Second)
	for other.do(t, "EXISTS", "w").n != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the key never expired")
		}
		time.Sleep(time.Millisecond)
	}
	runTxSteps(t, watcher, []txStep{tx(txOK, "MULTI"), tx(txQueued, "PING"), tx(txNull, "EXEC")})
}

// clockEngine runs commands of several clients through an engine on a
// clock the test moves, recording the effects and how many units the
// sink got.
type clockEngine struct {
	t       *testing.T
	now     time.Time
	ks      *keyspace.Keyspace
	engine  *commands.Engine
	effects []keyspace.Effect
	units   []int
}

func newClockEngine(t *testing.T) *clockEngine {
	x := &clockEngine{t: t, now: time.UnixMilli(1_700_000_000_000)}
	cfg := config.Defaults()
	cfg.Databases = 3
	x.ks = keyspace.New(keyspace.Options{Databases: cfg.Databases,
		Clock: func() time.Time { return x.now },
		Sink: func(e []keyspace.Effect) {
			x.effects = append(x.effects, e...)
			x.units = append(x.units, len(e))
		},
	})
	x.engine = commands.NewEngine(x.ks, config.NewStore(cfg, ""), slog.New(slog.NewTextHandler(io.Discard, nil)))
	return x
}

func (x *clockEngine) client() *commands.Client {
	cl := commands.NewClient("", "", x.now, func() {})
	cl.Authenticated = true
	x.ks.Lock()
	x.engine.Connect(cl)
	x.ks.Unlock()
	return cl
}

// do runs one command for cl under a lock hold of its own and returns
// the raw reply.
func (x *clockEngine) do(cl *commands.Client, args ...string) string {
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	x.ks.Lock()
	x.engine.Exec(cl, bargs)
	x.ks.Unlock()
	reply := string(cl.W.Bytes())
	cl.W.Reset()
	return reply
}

// TestWatchExpiryOnClock covers what depends on when keys are reclaimed,
// with a clock the test moves: Redis 7.0 fails the EXEC of a watched key
// that expired since WATCH even if nothing reclaimed it, but not for a
// key that had already expired when watched.
func TestWatchExpiryOnClock(t *testing.T) {
	type action struct {
		by   int // 0 the watcher, 1 another client, -1 the clock (args[0] ms), -2 active expiry
		args []string
	}
	tests := []struct {
		name    string
		actions []action
		fails   bool
	}{
		{"expires after WATCH, not reclaimed", []action{
			{0, []string{"SET", "w", "1", "PX", "100"}}, {0, []string{"WATCH", "w"}}, {-1, []string{"200"}},
		}, true},
		{"expires after WATCH, reclaimed by a read", []action{
			{0, []string{"SET", "w", "1", "PX", "100"}}, {0, []string{"WATCH", "w"}}, {-1, []string{"200"}},
			{1, []string{"GET", "w"}},
		}, true},
		{"expires after WATCH, reclaimed by active expiry", []action{
			{0, []string{"SET", "w", "1", "PX", "100"}}, {0, []string{"WATCH", "w"}}, {-1, []string{"200"}},
			{-2, nil},
		}, true},
		{"does not expire before EXEC", []action{
			{0, []string{"SET", "w", "1", "PX", "100"}}, {0, []string{"WATCH", "w"}}, {-1, []string{"50"}},
		}, false},
		{"expired when watched", []action{
			{0, []string{"SET", "w", "1", "PX", "100"}}, {-1, []string{"200"}}, {0, []string{"WATCH", "w"}},
		}, false},
		{"expired when watched, reclaimed by a read", []action{
			{0, []string{"SET", "w", "1", "PX", "100"}}, {-1, []string{"200"}}, {0, []string{"WATCH", "w"}},
			{1, []string{"GET", "w"}},
		}, false},
		{"expired when watched, reclaimed by active expiry", []action{
			{0, []string{"SET", "w", "1", "PX", "100"}}, {-1, []string{"200"}}, {0, []string{"WATCH", "w"}},
			{-2, nil},
		}, false},
		{"expired when watched, then written", []action{
			{0, []string{"SET", "w", "1", "PX", "100"}}, {-1, []string{"200"}}, {0, []string{"WATCH", "w"}},
			{1, []string{"SET", "w", "2"}},
		}, true},
		{"expired when watched, then flushed", []action{
			{0, []string{"SET", "w", "1", "PX", "100"}}, {-1, []string{"200"}}, {0, []string{"WATCH", "w"}},
			{1, []string{"FLUSHDB"}},
		}, false},
		{"SWAPDB brings an expired key", []action{
			{1, []string{"SELECT", "1"}}, {1, []string{"SET", "w", "1", "PX", "100"}}, {-1, []string{"200"}},
			{0, []string{"WATCH", "w"}}, {1, []string{"SWAPDB", "0", "1"}},
		}, false},
		{"SWAPDB brings a live key", []action{
			{1, []string{"SELECT", "1"}}, {1, []string{"SET", "w", "1", "PX", "100"}},
			{0, []string{"WATCH", "w"}}, {1, []string{"SWAPDB", "0", "1"}},
		}, true},
		{"SWAPDB brings a key that expires before EXEC", []action{
			{1, []string{"SELECT", "1"}}, {1, []string{"SET", "w", "1", "PX", "100"}},
			{0, []string{"WATCH", "w"}}, {1, []string{"SWAPDB", "0", "1"}}, {-1, []string{"200"}},
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := newClockEngine(t)
			clients := []*commands.Client{x.client(), x.client()}
			cycler := expiry.NewCycler(x.ks)
			for _, a := range tc.actions {
				switch a.by {
				case -1:
					ms, _ := strconv.Atoi(a.args[0])
					x.now = x.now.Add(time.Duration(ms) * time.Millisecond)
				case -2:
					x.ks.Lock()
					cycler.Run(time.Second)
					x.ks.Unlock()
				default:
					if r := x.do(clients[a.by], a.args...); strings.HasPrefix(r, "-") {
						t.Fatalf("%q: %s", a.args, r)
					}
				}
			}
			want := "*1\r\n+PONG\r\n"
			if tc.fails {
				want = txNull
			}
			for _, s := range []txStep{tx(txOK, "MULTI"), tx(txQueued, "PING"), tx(want, "EXEC")} {
				if got := x.do(clients[0], s.args...); got != s.want {
					t.Fatalf("%q = %q, want %q", s.args, got, s.want)
				}
			}
		})
	}
}

// TestExecEffectsReplay runs transactions, checks that each EXEC's
// effects reach the sink as one unit, and replays all the effects into an
// empty keyspace, which must end up the same.
func TestExecEffectsReplay(t *testing.T) {
	x := newClockEngine(t)
	a, b := x.client(), x.client()
	script := []struct {
		cl   *commands.Client
		args []string
	}{
		{a, []string{"SET", "counter", "1"}},
		{a, []string{"MULTI"}},
		{a, []string{"INCR", "counter"}},
		{a, []string{"SET", "tmp", "x", "EX", "100"}},
		{a, []string{"SELECT", "1"}},
		{a, []string{"SET", "other", "y", "PX", "5000"}},
		{a, []string{"SELECT", "0"}},
		{a, []string{"EXEC"}},
		{b, []string{"WATCH", "counter"}},
		{a, []string{"INCR", "counter"}},
		{b, []string{"MULTI"}},
		{b, []string{"SET", "counter", "100"}},
		{b, []string{"EXEC"}}, // fails: nothing recorded
		{a, []string{"MULTI"}},
		{a, []string{"SET", "s", "abc"}},
		{a, []string{"INCR", "s"}}, // fails at run time
		{a, []string{"GETDEL", "tmp"}},
		{a, []string{"SWAPDB", "0", "1"}},
		{a, []string{"RENAME", "other", "renamed"}},
		{a, []string{"EXPIRE", "renamed", "1"}},
		{a, []string{"EXEC"}},
		{b, []string{"MULTI"}},
		{b, []string{"FLUSHDB"}},
		{b, []string{"SET", "after", "flush"}},
		{b, []string{"COPY", "after", "copied", "DB", "2"}},
		{b, []string{"EXEC"}},
		{b, []string{"SELECT", "1"}},
		{b, []string{"MULTI"}},
		{b, []string{"SET", "k", "v"}},
		{b, []string{"DISCARD"}}, // nothing recorded
	}
	for _, s := range script {
		x.now = x.now.Add(7 * time.Millisecond)
		before := len(x.units)
		x.do(s.cl, s.args...)
		if s.args[0] == "EXEC" && len(x.units)-before > 1 {
			t.Errorf("EXEC's effects came in %d units", len(x.units)-before)
		}
	}
	want := []string{
		"0:SET counter 1",
		"0:INCR counter", "0:SET tmp x PXAT 1700000100056", "1:SET other y PXAT 1700000005056",
		"0:INCR counter",
		"0:SET s abc", "0:DEL tmp", "0:SWAPDB 0 1", "0:RENAME other renamed", "0:PEXPIREAT renamed 1700000001147",
		"0:FLUSHDB", "0:SET after flush", "0:COPY after copied DB 2",
	}
	if got := renderEffects(x.effects); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("effects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	replayed := newClockEngine(t)
	replayed.now = x.now
	replayed.ks.Lock()
	err := replayed.engine.Apply(x.effects)
	replayed.ks.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stateOf(replayed.ks), stateOf(x.ks); got != want {
		t.Fatalf("replayed state:\n%s\noriginal:\n%s", got, want)
	}
}

func renderEffects(effects []keyspace.Effect) []string {
	out := make([]string, len(effects))
	for i, e := range effects {
		args := make([]string, len(e.Args))
		for j, a := range e.Args {
			args[j] = string(a)
		}
		out[i] = strconv.Itoa(e.DB) + ":" + strings.Join(args, " ")
	}
	return out
}

// stateOf renders every key of ks with its type, value and expiry time,
// sorted.
func stateOf(ks *keyspace.Keyspace) string {
	ks.Lock()
	defer ks.Unlock()
	var lines []string
	for i := 0; i < ks.NumDBs(); i++ {
		db := ks.DB(i)
		db.ForEach(func(key string, v datatypes.Value) {
			at, _ := db.ExpireAt([]byte(key))
			val := fmt.Sprint(v)
			if s, ok := v.(*datatypes.String); ok {
				val = strconv.Quote(string(s.Bytes()))
			}
			lines = append(lines, fmt.Sprintf("db%d %q %s %s expireat=%d", i, key, v.Type(), val, at))
		})
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestClientListShowsTransaction checks CLIENT LIST's multi, multi-mem
// and flags x (in MULTI) and d (a watched key was touched).
func TestClientListShowsTransaction(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	c, admin := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
	id := strconv.FormatInt(c.do(t, "CLIENT", "ID").n, 10)
	fields := func() map[string]string {
		lines, _ := clientFields(t, admin.do(t, "CLIENT", "LIST", "ID", id).str)
		if len(lines) != 1 {
			t.Fatalf("CLIENT LIST ID %s: %v", id, lines)
		}
		return lines[0]
	}
	check := func(flags, multi, mem string) {
		t.Helper()
		f := fields()
		if f["flags"] != flags || f["multi"] != multi || f["multi-mem"] != mem {
			t.Errorf("flags=%s multi=%s multi-mem=%s, want %s %s %s", f["flags"], f["multi"], f["multi-mem"], flags, multi, mem)
		}
	}
	check("N", "-1", "0")
	c.do(t, "MULTI")
	check("x", "0", "0")
	c.do(t, "SET", "k", "v")
	c.do(t, "SET", "k", "v", "PX")
	// As Redis: the argument bytes and 8 per argument.
	check("x", "2", "68")
	c.do(t, "DISCARD")
	c.do(t, "WATCH", "k")
	admin.do(t, "SET", "k", "1")
	check("d", "-1", "0")
	c.do(t, "MULTI")
	check("xd", "0", "0")
	c.do(t, "EXEC")
	check("N", "-1", "0")
}

// TestExecWaitsForPauseWrite checks Redis 7.0's CLIENT PAUSE WRITE: an
// EXEC whose queue writes waits, one that only reads does not, and a
// write is held back when it is txQueued.
func TestExecWaitsForPauseWrite(t *testing.T) {
	srv := startConnServer(t, nil)
	admin, writer, reader := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
	writerID, readerID := writer.do(t, "CLIENT", "ID").n, reader.do(t, "CLIENT", "ID").n
	runTxSteps(t, writer, []txStep{tx(txOK, "MULTI"), tx(txQueued, "SET", "k", "1")})
	runTxSteps(t, reader, []txStep{tx(txOK, "MULTI"), tx(txQueued, "GET", "k")})
	runTxSteps(t, admin, []txStep{tx(txOK, "CLIENT", "PAUSE", "60000", "WRITE")})
	execDone := doAsync(writer, "EXEC")
	waitBlocked(t, admin, writerID)
	runTxSteps(t, reader, []txStep{tx("*1\r\n$-1\r\n", "EXEC"), tx(txOK, "MULTI")})
	queuedDone := doAsync(reader, "SET", "k", "2")
	waitBlocked(t, admin, readerID)
	runTxSteps(t, admin, []txStep{tx(txOK, "CLIENT", "UNPAUSE")})
	if r := <-execDone; r == nil || r.String() != "[+OK]" {
		t.Fatalf("EXEC after the pause: %v", r)
	}
	if r := <-queuedDone; r == nil || r.String() != "+QUEUED" {
		t.Fatalf("SET txQueued after the pause: %v", r)
	}
	runTxSteps(t, reader, []txStep{tx("*1\r\n+OK\r\n", "EXEC")})
}
