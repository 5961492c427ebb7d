package commands

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/keyspace"
)

// panicCatcher is a slog handler that counts the engine's reports of a
// recovered handler panic.
type panicCatcher struct {
	panics atomic.Int64
	last   atomic.Value
}

func (h *panicCatcher) Enabled(context.Context, slog.Level) bool { return true }
func (h *panicCatcher) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		h.panics.Add(1)
		var b strings.Builder
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool {
			b.WriteString(" " + a.Key + "=" + a.Value.String())
			return true
		})
		h.last.Store(b.String())
	}
	return nil
}
func (h *panicCatcher) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *panicCatcher) WithGroup(string) slog.Handler      { return h }

// fuzzSkipped are the commands that would stop, pause, block on a timer
// or run unbounded Lua: nothing a handler bug would hide behind.
var fuzzSkipped = map[string]bool{
	"shutdown": true, "debug": true, "client": true, "eval": true, "evalsha": true,
	"eval_ro": true, "evalsha_ro": true, "script": true, "config": true,
}

// FuzzExec runs random command lines (one per line, arguments split on
// spaces) through the dispatcher and fails on any handler panic: every
// input must get a reply, an error at worst.
func FuzzExec(f *testing.F) {
	for _, s := range []string{
		"SET k v\nGET k\nAPPEND k xx\nGETRANGE k -100 100\nSETRANGE k 5 abc\nLCS k k IDX MINMATCHLEN 1 WITHMATCHLEN",
		"RPUSH l a b c\nLPOS l b RANK -1 COUNT 0 MAXLEN 2\nLINSERT l BEFORE b x\nLTRIM l 1 -1\nLMPOP 1 l RIGHT COUNT 2\nBLMOVE l l2 LEFT RIGHT 0",
		"SADD s 1 2 3 a\nSPOP s 2\nSRANDMEMBER s -5\nSINTERCARD 2 s s LIMIT 1\nSMOVE s t 1\nSSCAN s 0 MATCH * COUNT 1",
		"HSET h f v g 1\nHINCRBYFLOAT h g 1e308\nHRANDFIELD h -3 WITHVALUES\nHSCAN h 0 COUNT 1\nHSTRLEN h f",
		"INCRBYFLOAT x 1.5\nINCRBY x 9223372036854775807\nDECRBY x -9223372036854775808\nGETEX x PXAT 1\nOBJECT ENCODING x",
		"MULTI\nSET a 1\nLPUSH a x\nEXEC\nWATCH a\nMULTI\nDISCARD\nUNWATCH",
		"SCAN 0 TYPE string COUNT 3\nKEYS [a-\\\nRENAME a b\nCOPY b c DB 3 REPLACE\nMOVE c 2\nSWAPDB 0 3\nMEMORY USAGE b SAMPLES 0",
		"EXPIRE k 100 NX\nPEXPIREAT k 9223372036854775807\nEXPIRETIME k\nPERSIST k\nTTL k\nSELECT 15\nFLUSHDB ASYNC",
		"HELLO 3\nHGETALL h\nSMEMBERS s\nCOMMAND GETKEYS SET k v\nCOMMAND DOCS get\nINFO all\nRESET",
		"ACL SETUSER u on nopass ~k* &c -@all +get +multi +exec (+set ~x*)\nAUTH u p\nGET k\nGET x\nSET x 1\nMULTI\nGET k\nEXEC\nACL DRYRUN u SORT k BY w_*\nACL LOG 2\nACL GETUSER u\nAUTH default x\nACL DELUSER u",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		catcher := &panicCatcher{}
		cfg := config.Defaults()
		e := NewEngine(keyspace.New(keyspace.Options{Databases: cfg.Databases}), config.NewStore(cfg, ""), slog.New(catcher))
		cl := NewClient("127.0.0.1:1", "127.0.0.1:6379", time.Now(), func() {})
		e.KS.Lock()
		defer e.KS.Unlock()
		e.Connect(cl)
		for line := range strings.SplitSeq(script, "\n") {
			var args [][]byte
			for a := range strings.FieldsSeq(line) {
				args = append(args, []byte(a))
			}
			if len(args) == 0 || fuzzSkipped[strings.ToLower(string(args[0]))] {
				continue
			}
			before := cl.W.Len()
			e.Exec(cl, args)
			if catcher.panics.Load() > 0 {
				t.Fatalf("%q panicked: %v", line, catcher.last.Load())
			}
			if cl.W.Len() == before && !bytes.EqualFold(args[0], []byte("quit")) && cl.ReplyMode == ReplyOn && !cl.tx.multi {
				// Every command replies, but in MULTI (QUEUED) or with
				// replies off.
				t.Fatalf("%q wrote no reply", line)
			}
			if cl.W.Len() > 1<<20 {
				cl.W.Reset()
			}
		}
	})
}
