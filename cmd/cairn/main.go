// Command cairn is a Redis-compatible cache server.
//
//	cairn [config.yaml] [--config FILE] [--port 6380] [--dir DIR] ...
//	cairn -v | --version
//	cairn -h | --help
//	cairn check [--fix] DIR
//	cairn import-rdb [--skip-unsupported] FILE [config.yaml] [--dir DIR] ...
//	cairn export-rdb FILE [config.yaml] [--dir DIR] ...
//
// Every option in config.yaml is also a flag and a CAIRN_* environment
// variable; see README.md. `cairn check` verifies a data directory
// offline; `cairn import-rdb` and `cairn export-rdb` move the data of a
// stopped server from and to a Redis dump.rdb.
package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/version"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/persistence"
	"github.com/cairn-db/cairn/server"
)

// defaultGCPercent is GOGC unless the environment sets it.
const defaultGCPercent = 50

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "check":
			os.Exit(runCheck(os.Args[2:]))
		case "import-rdb":
			os.Exit(runImportRDB(os.Args[2:]))
		case "export-rdb":
			os.Exit(runExportRDB(os.Args[2:]))
		case "-v", "--version": // as redis-server, only as the first argument
			fmt.Println(version.String())
			os.Exit(0)
		}
	}
	os.Exit(run(os.Args[1:]))
}

// liveHeap is the Go heap in use after a collection.
func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

func run(args []string) int {
	store, err := config.Load(args)
	if errors.Is(err, config.ErrHelp) {
		return 0 // the usage is printed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cairn:", err)
		return 1
	}
	cfg := store.Load()
	runtime.GOMAXPROCS(cfg.IOThreads)
	if os.Getenv("GOGC") == "" {
		// The keys live outside the Go heap, which holds little that
		// lives long: collecting at half again what is live rather than
		// twice costs a few percent of CPU and keeps the heap's slack,
		// which a small data set pays per key, half as large.
		debug.SetGCPercent(defaultGCPercent)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: store}))
	for _, w := range store.Warnings() {
		log.Warn(w)
	}
	// Before any file is opened, as Redis: clients past what the open
	// files limit holds would fail to be accepted, not be refused.
	if err := server.FitMaxClients(store, log); err != nil {
		log.Error("cannot fit the clients in the open files limit", "err", err)
		return 1
	}

	ks := keyspace.New(keyspace.Options{Databases: cfg.Databases})
	engine := commands.NewEngine(ks, store, log)
	if err := engine.LoadUsers(); err != nil {
		log.Error("cannot load the ACL users", "err", err)
		return 1
	}
	pm, err := persistence.Open(cfg.Dir, persistence.Options{
		Keyspace: ks, Config: store, Log: log, Limits: engine.Limits, Apply: engine.Apply,
		Libraries: engine.Libraries, LoadLibraries: engine.LoadLibraries, Latency: engine.LatencySample,
	})
	if err != nil {
		log.Error("cannot open the data directory", "dir", cfg.Dir, "err", err)
		return 1
	}
	engine.Persist = pm
	srv := server.New(engine, log)
	// Without GOMEMLIMIT, the Go heap's limit follows maxmemory.
	srv.LimitGoMemory = os.Getenv("GOMEMLIMIT") == ""
	engine.SetStartupMemory(liveHeap())
	skipped, err := srv.ListenBind(cfg.Bind, cfg.Port)
	for _, why := range skipped {
		log.Warn("optional bind address skipped", "reason", why)
	}
	if err != nil {
		log.Error("cannot listen", "bind", cfg.Bind, "port", cfg.Port, "err", err)
		pm.Close()
		return 1
	}
	skipped, err = srv.ListenTLS(cfg)
	for _, why := range skipped {
		log.Warn("optional bind address skipped for TLS", "reason", why)
	}
	if err != nil {
		log.Error("cannot serve TLS", "tls-port", cfg.TLSPort, "err", err)
		pm.Close()
		return 1
	}
	if engine.ACL.Default.NoPass() && !loopbackOnly(cfg.Bind) {
		if cfg.ProtectedMode {
			log.Warn("no password is set: protected mode refuses clients from other hosts", "bind", cfg.Bind)
		} else {
			log.Warn("no password is set and protected mode is off: any host that reaches this server can read and change all its data", "bind", cfg.Bind)
		}
	}

	// Clients are served while the data loads: they get LOADING until
	// it is done, as from Redis.
	var loaded sync.WaitGroup
	var loadErr error
	loaded.Add(1)
	go func() {
		defer loaded.Done()
		if loadErr = pm.Recover(); loadErr != nil {
			srv.Close()
		}
	}()

	var bySignal atomic.Bool
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		sig := <-signals
		log.Info("received signal, shutting down", "signal", sig.String())
		bySignal.Store(true)
		srv.Close()
	}()

	log.Info("cairn ready to accept connections", "addr", srv.Addr().String(), "pid", os.Getpid())
	serveErr := srv.Serve()
	loaded.Wait()
	if loadErr != nil {
		log.Error("cannot load the data", "err", loadErr)
		pm.Close()
		return 1
	}
	code := 0
	if serveErr != nil {
		log.Error("server stopped", "err", serveErr)
		code = 1
	}
	// A signal saves as SHUTDOWN without arguments does; SHUTDOWN itself
	// has saved or been told not to.
	closePersistence := pm.Close
	if bySignal.Load() {
		closePersistence = pm.Stop
	}
	if err := closePersistence(); err != nil {
		log.Error("stopping persistence", "err", err)
		code = 1
	}
	log.Info("cairn stopped")
	return code
}

// loopbackOnly reports whether every address of a bind list is a
// loopback one.
func loopbackOnly(bind string) bool {
	for _, a := range strings.Fields(bind) {
		ip := net.ParseIP(strings.TrimPrefix(a, "-"))
		if ip == nil || !ip.IsLoopback() {
			return false
		}
	}
	return true
}
