package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/datatypes"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/persistence"
	"github.com/cairn-db/cairn/rdb"
)

// offline is a data directory opened without serving it: the keyspace
// loaded from it, and its persistence to write a snapshot with. Its
// configuration comes from the arguments as the server's does.
type offline struct {
	cfg    *config.Config
	log    *slog.Logger
	ks     *keyspace.Keyspace
	engine *commands.Engine
	pm     *persistence.Manager
}

func openOffline(args []string) (*offline, error) {
	store, err := config.Load(args)
	if err != nil {
		return nil, err
	}
	cfg := store.Load()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: store}))
	ks := keyspace.New(keyspace.Options{Databases: cfg.Databases})
	engine := commands.NewEngine(ks, store, log)
	pm, err := persistence.Open(cfg.Dir, persistence.Options{
		Keyspace: ks, Config: store, Log: log, Limits: engine.Limits, Apply: engine.Apply,
		Libraries: engine.Libraries, LoadLibraries: engine.LoadLibraries,
	})
	if err != nil {
		return nil, fmt.Errorf("opening the data directory %s: %w", cfg.Dir, err)
	}
	if err := pm.Recover(); err != nil {
		pm.Close()
		return nil, fmt.Errorf("loading the data directory %s: %w", cfg.Dir, err)
	}
	return &offline{cfg: cfg, log: log, ks: ks, engine: engine, pm: pm}, nil
}

// runImportRDB is `cairn import-rdb [--skip-unsupported] FILE [config]`:
// it loads a Redis dump.rdb into an empty data directory as a snapshot,
// which the server then starts from. It exits 0 on success, 1 on
// failure, 2 on a usage error.
func runImportRDB(args []string) int {
	fs := flag.NewFlagSet("cairn import-rdb", flag.ContinueOnError)
	skip := fs.Bool("skip-unsupported", false,
		"skip streams and module data, logging each, instead of refusing the file")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: cairn import-rdb [--skip-unsupported] FILE [config.yaml] [--dir DIR] [--option value ...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return 2
	}
	if err := importRDB(fs.Arg(0), fs.Args()[1:], *skip); err != nil {
		fmt.Fprintln(os.Stderr, "cairn import-rdb:", err)
		return 1
	}
	return 0
}

func importRDB(file string, args []string, skip bool) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	o, err := openOffline(args)
	if err != nil {
		return err
	}
	defer o.pm.Close()
	o.ks.Lock()
	defer o.ks.Unlock()
	for i := range o.ks.NumDBs() {
		if n := o.ks.DB(i).Len(); n > 0 {
			return fmt.Errorf("the data directory %s holds keys (%d in database %d): import into an empty one", o.cfg.Dir, n, i)
		}
	}
	// Keys go into the keyspace, recorded nowhere, until the snapshot:
	// a file refused half-way leaves the directory as it was.
	now := time.Now().UnixMilli()
	var loaded, expired, libraries int
	var unsupported []rdb.Unsupported
	loader := rdb.Loader{
		Limits: o.engine.Limits(),
		Key: func(e rdb.Entry) error {
			if e.DB >= o.ks.NumDBs() {
				return fmt.Errorf("the file has database %d, and cairn is set to %d databases", e.DB, o.ks.NumDBs())
			}
			// Redis skips the keys whose time has passed when it loads.
			if e.ExpireAt != 0 && e.ExpireAt < now {
				expired++
				return nil
			}
			db := o.ks.DB(e.DB)
			if db.Exists(e.Key) {
				return fmt.Errorf("key %q is twice in database %d", e.Key, e.DB)
			}
			db.SetWithExpire(e.Key, e.Value, e.ExpireAt)
			o.ks.FlushDirty()
			loaded++
			return nil
		},
		// Libraries go into the engine, and from there into the
		// snapshot, as they would into redis-server.
		Function: func(code []byte) error {
			if err := o.engine.AddLibrary(code); err != nil {
				return fmt.Errorf("function library %q: %w", firstLine(code), err)
			}
			libraries++
			return nil
		},
		Unsupported: func(u rdb.Unsupported) error {
			if skip {
				o.log.Warn("skipping what cairn cannot hold", unsupportedAttrs(u)...)
			}
			unsupported = append(unsupported, u)
			return nil
		},
	}
	if err := loader.Load(data); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if len(unsupported) > 0 && !skip {
		for _, u := range unsupported {
			o.log.Error("cairn cannot hold this", unsupportedAttrs(u)...)
		}
		return fmt.Errorf("%s holds %d item(s) cairn cannot hold (listed above); nothing was imported; --skip-unsupported imports the rest", file, len(unsupported))
	}
	if err := o.pm.Save(); err != nil {
		return fmt.Errorf("writing the snapshot: %w", err)
	}
	o.log.Info("imported", "file", file, "dir", o.cfg.Dir, "keys", loaded, "libraries", libraries, "expired", expired,
		"empty", loader.Empty, "skipped", len(unsupported))
	return nil
}

// firstLine is a library's "#!lua" line, which names it.
func firstLine(code []byte) string {
	line, _, _ := bytes.Cut(code, []byte("\n"))
	return string(line)
}

func unsupportedAttrs(u rdb.Unsupported) []any {
	attrs := []any{"kind", u.Kind}
	if u.Name != "" {
		attrs = append(attrs, "name", u.Name)
	}
	if u.Key != nil {
		attrs = append(attrs, "db", u.DB, "key", string(u.Key))
	}
	return attrs
}

// runExportRDB is `cairn export-rdb FILE [config]`: it writes the data
// directory's keys to a dump.rdb that redis-server 7.0 loads.
func runExportRDB(args []string) int {
	fs := flag.NewFlagSet("cairn export-rdb", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: cairn export-rdb FILE [config.yaml] [--dir DIR] [--option value ...]")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return 2
	}
	if err := exportRDB(fs.Arg(0), fs.Args()[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cairn export-rdb:", err)
		return 1
	}
	return 0
}

func exportRDB(file string, args []string) (err error) {
	o, err := openOffline(args)
	if err != nil {
		return err
	}
	defer o.pm.Close()
	// Written beside the file and renamed over it when complete, as
	// Redis writes its dump.rdb.
	tmp, err := os.CreateTemp(filepath.Dir(file), ".export-*.rdb")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	w := rdb.NewFileWriter(bw)
	o.ks.Lock()
	keys := writeRDB(w, o.ks, o.engine.Libraries())
	o.ks.Unlock()
	if err := errors.Join(w.Close(), bw.Flush(), tmp.Sync(), tmp.Close()); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return err
	}
	o.log.Info("exported", "dir", o.cfg.Dir, "file", file, "keys", keys)
	return nil
}

// writeRDB writes every live key of ks and the function libraries of
// codes to w, with the AUX fields Redis 7.0 writes, and returns how many
// keys it wrote. The caller holds the keyspace lock.
func writeRDB(w *rdb.FileWriter, ks *keyspace.Keyspace, libraries [][]byte) int {
	w.Aux("redis-ver", commands.ServerVersion)
	w.Aux("redis-bits", "64")
	w.Aux("ctime", strconv.FormatInt(time.Now().Unix(), 10))
	w.Aux("used-mem", strconv.FormatInt(ks.UsedMemory(), 10))
	w.Aux("aof-base", "0")
	for _, code := range libraries {
		w.Function(code)
	}
	total := 0
	for i := range ks.NumDBs() {
		db := ks.DB(i)
		var keys []string
		db.ForEach(func(key string, _ datatypes.Value) { keys = append(keys, key) })
		if len(keys) == 0 {
			continue
		}
		expires := 0
		for _, k := range keys {
			if at, _ := db.ExpireAt([]byte(k)); at != 0 {
				expires++
			}
		}
		w.SelectDB(i, len(keys), expires)
		for _, k := range keys {
			v, _ := db.Peek([]byte(k))
			at, _ := db.ExpireAt([]byte(k))
			w.Key([]byte(k), v, at)
		}
		total += len(keys)
	}
	return total
}
