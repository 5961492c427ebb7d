package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/internal/testutil"
)

// pattern returns n bytes that differ from one offset to the next, so that
// a misplaced byte shows.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) + byte(i>>10) + seed
	}
	return b
}

func checkEqual(t *testing.T, what string, got string, want []byte) {
	t.Helper()
	if got == string(want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Fatalf("%s: %d bytes, want %d; first difference at %d", what, len(got), len(want), i)
}

// TestBigValuesRoundTrip stores values of 12 and 24 MiB through the string
// and list commands and reads them back whole and in part.
func TestBigValuesRoundTrip(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	ctx := context.Background()
	rdb := newClient(t, srv.Addr)
	const size = 12 << 20
	a, b := pattern(size, 1), pattern(size, 2)

	if err := rdb.Set(ctx, "s", a, 0).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := rdb.Get(ctx, "s").Result()
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "GET after SET", got, a)

	if n, err := rdb.Append(ctx, "s", string(b)).Result(); err != nil || n != 2*size {
		t.Fatalf("APPEND: %d, %v", n, err)
	}
	want := append(append([]byte(nil), a...), b...)
	got, _ = rdb.Get(ctx, "s").Result()
	checkEqual(t, "GET after APPEND", got, want)

	patch := pattern(5<<20, 3)
	if n, err := rdb.SetRange(ctx, "s", size-2<<20, string(patch)).Result(); err != nil || n != 2*size {
		t.Fatalf("SETRANGE: %d, %v", n, err)
	}
	copy(want[size-2<<20:], patch)
	got, _ = rdb.Get(ctx, "s").Result()
	checkEqual(t, "GET after SETRANGE", got, want)
	got, _ = rdb.GetRange(ctx, "s", 1000, 1000+6<<20-1).Result()
	checkEqual(t, "GETRANGE", got, want[1000:1000+6<<20])

	// In one batch, the first GET's reply holds the value while SETRANGE
	// changes it.
	pipe := rdb.Pipeline()
	get1 := pipe.Get(ctx, "s")
	pipe.SetRange(ctx, "s", 0, "changed")
	get2 := pipe.Get(ctx, "s")
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "GET before SETRANGE in a batch", get1.Val(), want)
	copy(want, "changed")
	checkEqual(t, "GET after SETRANGE in a batch", get2.Val(), want)

	// Several large arguments in one request, and a large value made by
	// SETRANGE past the end of a missing key.
	if err := rdb.MSet(ctx, "m1", a, "m2", "small", "m3", b).Err(); err != nil {
		t.Fatal(err)
	}
	vals, err := rdb.MGet(ctx, "m1", "m2", "m3").Result()
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "MGET m1", vals[0].(string), a)
	checkEqual(t, "MGET m3", vals[2].(string), b)
	if n, err := rdb.SetRange(ctx, "r", 1<<20, string(a[:1<<20])).Result(); err != nil || n != 2<<20 {
		t.Fatalf("SETRANGE of a missing key: %d, %v", n, err)
	}
	got, _ = rdb.Get(ctx, "r").Result()
	checkEqual(t, "GET after SETRANGE of a missing key", got, append(make([]byte, 1<<20), a[:1<<20]...))

	// Lists of large elements.
	if err := rdb.RPush(ctx, "l", a[:8<<20], "x", b[:8<<20]).Err(); err != nil {
		t.Fatal(err)
	}
	items, err := rdb.LRange(ctx, "l", 0, -1).Result()
	if err != nil || len(items) != 3 {
		t.Fatalf("LRANGE: %d items, %v", len(items), err)
	}
	checkEqual(t, "LRANGE 0", items[0], a[:8<<20])
	checkEqual(t, "LRANGE 2", items[2], b[:8<<20])
	got, _ = rdb.LIndex(ctx, "l", -1).Result()
	checkEqual(t, "LINDEX", got, b[:8<<20])
}

// TestBigValueRepliesNotTorn reads large values while another client
// rewrites them in place: every reply must be one version of the value, as
// it was when the reply was made, however slowly the reader reads it.
func TestBigValueRepliesNotTorn(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	ctx := context.Background()
	const size = 4 << 20
	versions := [][]byte{bytes.Repeat([]byte("a"), size), bytes.Repeat([]byte("b"), size)}
	pivot := bytes.Repeat([]byte("p"), 1<<20)
	setup := newClient(t, srv.Addr)
	if err := setup.Set(ctx, "s", versions[0], 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := setup.RPush(ctx, "l", versions[0], "x", versions[0], pivot).Err(); err != nil {
		t.Fatal(err)
	}

	writer := newClient(t, srv.Addr)
	stop := make(chan struct{})
	done := make(chan error)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				close(done)
				return
			default:
			}
			v := string(versions[i%2])
			var err error
			for _, cmd := range []redis.Cmder{
				writer.SetRange(ctx, "s", 0, v),
				writer.LSet(ctx, "l", int64(i/2%2)*2, v),
				// Inserting next to a large element moves it within
				// its node.
				writer.LInsert(ctx, "l", "BEFORE", string(pivot), "y"),
				writer.LRem(ctx, "l", 1, "y"),
			} {
				err = errors.Join(err, cmd.Err())
			}
			if err != nil {
				done <- err
				return
			}
		}
	}()
	defer func() {
		close(stop)
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	oneOf := func(what, v string, want ...[]byte) {
		t.Helper()
		for _, w := range want {
			if v == string(w) {
				return
			}
		}
		t.Fatalf("%s: torn reply of %d bytes", what, len(v))
	}
	// A raw connection that reads each reply slowly keeps it in flight
	// while the writer goes on.
	c := dial(t, srv.Addr)
	r := bufio.NewReaderSize(c, 64<<10)
	for range 10 {
		c.SetDeadline(time.Now().Add(30 * time.Second))
		c.Write([]byte(bulkCommand("GET", "s") + bulkCommand("LRANGE", "l", "0", "2") +
			bulkCommand("LINDEX", "l", "-1") + bulkCommand("LINDEX", "l", "0")))
		oneOf("GET", readBulk(t, r, true), versions...)
		if line, _ := r.ReadString('\n'); line != "*3\r\n" {
			t.Fatalf("LRANGE: %q", line)
		}
		oneOf("LRANGE 0", readBulk(t, r, true), versions...)
		oneOf("LRANGE 1", readBulk(t, r, false), []byte("x"))
		oneOf("LRANGE 2", readBulk(t, r, true), versions...)
		oneOf("LINDEX -1", readBulk(t, r, true), pivot)
		oneOf("LINDEX 0", readBulk(t, r, true), versions...)
	}
}

// readBulk reads a bulk string reply, slowly if slow.
func readBulk(t *testing.T, r *bufio.Reader, slow bool) string {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil || len(line) < 3 || line[0] != '$' {
		t.Fatalf("bulk header %q, %v", line, err)
	}
	n, _ := strconv.Atoi(line[1 : len(line)-2])
	v := make([]byte, n+2)
	for got := 0; got < len(v); {
		end := len(v)
		if slow {
			end = min(end, got+256<<10)
			time.Sleep(time.Millisecond)
		}
		k, err := io.ReadFull(r, v[got:end])
		if err != nil {
			t.Fatal(err)
		}
		got += k
	}
	return string(v[:n])
}

// heapInUse is the live heap after a collection.
func heapInUse() int64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// TestBigValueMemory checks what a large value costs the server's heap: a
// SET keeps about its size, and GETs keep nothing once their replies are
// written.
func TestBigValueMemory(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	const size = 32 << 20
	c := dial(t, srv.Addr)
	c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	exchange(t, c, "PING\r\n", "+PONG\r\n")

	val := pattern(size, 5)
	head := fmt.Sprintf("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n", size)
	before := heapInUse() + size // the test's own copy of the value is counted below
	c.Write([]byte(head))
	for p := 0; p < size; p += 1 << 20 {
		c.Write(val[p : p+1<<20])
	}
	exchange(t, c, "\r\n", "+OK\r\n")
	val = nil
	afterSet := heapInUse()
	if grew := afterSet - before + size; grew > size*13/10 {
		t.Errorf("SET of %d MiB grew the heap by %.1f MiB", size>>20, float64(grew)/(1<<20))
	}

	for range 5 {
		c.Write([]byte(bulkCommand("GET", "big")))
		line, err := r.ReadString('\n')
		if err != nil || line != "$"+strconv.Itoa(size)+"\r\n" {
			t.Fatalf("GET: %q, %v", line, err)
		}
		if _, err := io.CopyN(io.Discard, r, size+2); err != nil {
			t.Fatal(err)
		}
	}
	if grew := heapInUse() - afterSet; grew > 1<<20 {
		t.Errorf("GETs grew the heap by %.1f MiB", float64(grew)/(1<<20))
	}
}

// TestBigValueWithPipelinedRequests checks that the requests around one
// whose large argument is read apart run in order, with it in the right
// place.
func TestBigValueWithPipelinedRequests(t *testing.T) {
	srv := testutil.StartCairn(t, nil)
	val := pattern(1<<20, 9)
	var req bytes.Buffer
	req.WriteString(bulkCommand("SET", "a", "1"))
	req.WriteString(bulkCommand("APPEND", "big", string(val)))
	req.WriteString(bulkCommand("STRLEN", "big"))
	req.WriteString(bulkCommand("HSET", "h", string(val[:40000]), string(val[:50000])))
	req.WriteString(bulkCommand("HSTRLEN", "h", string(val[:40000])))
	req.WriteString(bulkCommand("GET", "a"))
	exchange(t, dial(t, srv.Addr), req.String(), "+OK\r\n:1048576\r\n:1048576\r\n:1\r\n:50000\r\n$1\r\n1\r\n")
	got, err := newClient(t, srv.Addr).Get(context.Background(), "big").Result()
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "GET", got, val)
}
