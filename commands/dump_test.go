package commands_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc64"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/rdb"
)

// payloadOf returns the DUMP payload of v.
func payloadOf(v datatypes.Value) string {
	var enc rdb.Encoder
	return string(enc.Dump(v))
}

// withFooter frames body as a DUMP payload of RDB version 10.
func withFooter(body string) string { return withVersion(body, rdb.Version) }

// withVersion frames body as a DUMP payload of RDB version ver.
func withVersion(body string, ver uint16) string {
	b := binary.LittleEndian.AppendUint16([]byte(body), ver)
	tab := crc64.MakeTable(0x95ac9329ac4bc9b5)
	return string(binary.LittleEndian.AppendUint64(b, ^crc64.Update(^uint64(0), tab, b)))
}

func TestDumpRestoreEffects(t *testing.T) {
	e := newEffectsEngine()
	v := payloadOf(datatypes.NewString([]byte("v")))
	in := func(ms int64) string { return fmt.Sprint(effectsNow + ms) }
	bulk := func(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }
	tests := []struct {
		args    []string
		reply   string
		effects []string
	}{
		{[]string{"DUMP", "k"}, "$-1\r\n", nil},
		{[]string{"SET", "k", "v"}, "+OK\r\n", []string{"SET k v"}},
		{[]string{"DUMP", "k"}, bulk(v), nil},
		{[]string{"RESTORE", "k", "0", v}, "-BUSYKEY Target key name already exists.\r\n", nil},
		// An existing key is reported before a bad TTL or payload.
		{[]string{"RESTORE", "k", "x", "junk"}, "-BUSYKEY Target key name already exists.\r\n", nil},
		{[]string{"RESTORE", "k2", "0", v}, "+OK\r\n", []string{"RESTORE k2 0 " + v}},
		{[]string{"RESTORE", "k3", "1000", v}, "+OK\r\n", []string{"RESTORE k3 " + in(1000) + " " + v + " ABSTTL"}},
		{[]string{"PTTL", "k3"}, ":1000\r\n", nil},
		{[]string{"RESTORE", "k4", in(5000), v, "ABSTTL"}, "+OK\r\n", []string{"RESTORE k4 " + in(5000) + " " + v + " ABSTTL"}},
		{[]string{"PTTL", "k4"}, ":5000\r\n", nil},
		// A time already past creates nothing; REPLACE deletes the key.
		{[]string{"RESTORE", "k5", in(-1), v, "ABSTTL"}, "+OK\r\n", nil},
		{[]string{"EXISTS", "k5"}, ":0\r\n", nil},
		{[]string{"RESTORE", "k", in(0), v, "ABSTTL", "REPLACE"}, "+OK\r\n", []string{"DEL k"}},
		{[]string{"EXISTS", "k"}, ":0\r\n", nil},
		{[]string{"RESTORE", "k2", "0", v, "replace", "idletime", "10"}, "+OK\r\n", []string{"RESTORE k2 0 " + v + " replace idletime 10"}},
		{[]string{"RESTORE", "k6", "0", v, "FREQ", "0", "FREQ", "255"}, "+OK\r\n", []string{"RESTORE k6 0 " + v + " FREQ 0 FREQ 255"}},
		// Errors.
		{[]string{"RESTORE", "e", "-1", v}, "-ERR Invalid TTL value, must be >= 0\r\n", nil},
		{[]string{"RESTORE", "e", "1.5", v}, "-ERR value is not an integer or out of range\r\n", nil},
		{[]string{"RESTORE", "e", "0", v, "IDLETIME", "-1"}, "-ERR Invalid IDLETIME value, must be >= 0\r\n", nil},
		{[]string{"RESTORE", "e", "0", v, "IDLETIME", "x"}, "-ERR value is not an integer or out of range\r\n", nil},
		{[]string{"RESTORE", "e", "0", v, "FREQ", "256"}, "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n", nil},
		{[]string{"RESTORE", "e", "0", v, "FREQ", "-1"}, "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n", nil},
		{[]string{"RESTORE", "e", "0", v, "FREQ", "1", "IDLETIME", "1"}, "-ERR syntax error\r\n", nil},
		{[]string{"RESTORE", "e", "0", v, "IDLETIME", "1", "FREQ", "1"}, "-ERR syntax error\r\n", nil},
		{[]string{"RESTORE", "e", "0", v, "IDLETIME"}, "-ERR syntax error\r\n", nil},
		{[]string{"RESTORE", "e", "0", v, "NOPE"}, "-ERR syntax error\r\n", nil},
		// Options are read before the TTL.
		{[]string{"RESTORE", "e", "-1", v, "NOPE"}, "-ERR syntax error\r\n", nil},
		{[]string{"RESTORE", "e", "0", "short"}, "-ERR DUMP payload version or checksum are wrong\r\n", nil},
		{[]string{"RESTORE", "e", "0", v[:len(v)-1] + "x"}, "-ERR DUMP payload version or checksum are wrong\r\n", nil},
		{[]string{"RESTORE", "e", "0", "\x00\x01v\x0b\x00" + v[len(v)-8:]}, "-ERR DUMP payload version or checksum are wrong\r\n", nil},
		// Earlier RDB versions are accepted, later ones not.
		{[]string{"RESTORE", "e", "0", withVersion("\x00\x01v", 11)}, "-ERR DUMP payload version or checksum are wrong\r\n", nil},
		{[]string{"RESTORE", "old", "0", withVersion("\x00\x01v", 6)}, "+OK\r\n", []string{"RESTORE old 0 " + withVersion("\x00\x01v", 6)}},
		// A string runs into the footer, as in Redis, but not past it.
		{[]string{"RESTORE", "f", "0", withFooter("\x00\x02v")}, "+OK\r\n", []string{"RESTORE f 0 " + withFooter("\x00\x02v")}},
		{[]string{"GET", "f"}, "$2\r\nv\n\r\n", nil},
		{[]string{"RESTORE", "e", "0", withFooter("\x00\x20v")}, "-ERR Bad data format\r\n", nil},
		{[]string{"RESTORE", "e", "0", withFooter("\x02\x00")}, "-ERR Bad data format\r\n", nil},
		{[]string{"RESTORE", "e", "0", withFooter("\x0f\x00")}, "-ERR Bad data format\r\n", nil},
		{[]string{"RESTORE", "e", "0", withFooter("\x63")}, "-ERR Bad data format\r\n", nil},
		{[]string{"RESTORE", "e", "0", withFooter("")}, "-ERR Bad data format\r\n", nil},
		{[]string{"EXISTS", "e"}, ":0\r\n", nil},
	}
	for _, tt := range tests {
		reply, effects := e.exec(tt.args...)
		if reply != tt.reply {
			t.Errorf("%q = %q, want %q", tt.args, reply, tt.reply)
		}
		if fmt.Sprint(effects) != fmt.Sprint(tt.effects) {
			t.Errorf("%q recorded %q, want %q", tt.args, effects, tt.effects)
		}
	}
}

func TestRestoreAccess(t *testing.T) {
	e := newEffectsEngine()
	v := payloadOf(datatypes.NewString([]byte("v")))
	steps := []struct{ args, want string }{
		{"RESTORE idle 0 %p IDLETIME 120", "+OK\r\n"},
		{"OBJECT IDLETIME idle", ":120\r\n"},
		{"RESTORE freq 0 %p FREQ 7", "+OK\r\n"},
		{"OBJECT IDLETIME freq", ":0\r\n"},
		{"CONFIG SET maxmemory-policy allkeys-lfu", "+OK\r\n"},
		{"RESTORE lfu 0 %p FREQ 7", "+OK\r\n"},
		{"OBJECT FREQ lfu", ":7\r\n"},
		{"RESTORE lfu2 0 %p IDLETIME 7", "+OK\r\n"},
		{"OBJECT FREQ lfu2", ":5\r\n"},
	}
	for _, st := range steps {
		args := strings.Fields(st.args)
		for i := range args {
			if args[i] == "%p" {
				args[i] = v
			}
		}
		if reply, _ := e.exec(args...); reply != st.want {
			t.Errorf("%s = %q, want %q", st.args, reply, st.want)
		}
	}
}

func TestDumpCommandMetadata(t *testing.T) {
	compareGroupMetadata(t, "generic", []string{"dump", "restore"})
}

// TestRestoreWakesAndTouches checks that RESTORE serves a client blocked
// on the key and aborts a transaction watching it.
func TestRestoreWakesAndTouches(t *testing.T) {
	addr := testutil.StartCairn(t, nil).Addr
	ctx := context.Background()
	a := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	b := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	defer a.Close()
	defer b.Close()
	l := datatypes.NewList(datatypes.DefaultLimits())
	l.PushBack([]byte("x"))
	l.PushBack([]byte("y"))
	payload := payloadOf(l)

	popped := make(chan []string, 1)
	go func() {
		r, _ := a.BLPop(ctx, 5*time.Second, "l").Result()
		popped <- r
	}()
	// Wait for the client to block.
	for deadline := time.Now().Add(5 * time.Second); ; {
		if n, _ := b.Do(ctx, "INFO", "clients").Text(); strings.Contains(n, "blocked_clients:1") || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := b.Restore(ctx, "l", 0, payload).Err(); err != nil {
		t.Fatal(err)
	}
	if r := <-popped; fmt.Sprint(r) != "[l x]" {
		t.Errorf("BLPOP got %q", r)
	}
	if got, _ := b.LRange(ctx, "l", 0, -1).Result(); fmt.Sprint(got) != "[y]" {
		t.Errorf("list after the pop: %q", got)
	}

	err := a.Watch(ctx, func(tx *redis.Tx) error {
		if err := b.Restore(ctx, "w", 0, payload).Err(); err != nil {
			return err
		}
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "w2", "1", 0)
			return nil
		})
		return err
	}, "w")
	if err != redis.TxFailedErr {
		t.Errorf("EXEC after a RESTORE of a watched key: %v, want %v", err, redis.TxFailedErr)
	}
}
