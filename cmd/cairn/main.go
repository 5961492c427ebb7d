// Command cairn is a Redis-compatible cache server.
//
//	cairn [config.yaml] [--config FILE] [--port 6380] [--dir DIR] ...
//
// Every option in config.yaml is also a flag and a CAIRN_* environment
// variable; see README.md.
package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/keyspace"
	"github.com/cairn-db/cairn/server"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	store, err := config.Load(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cairn:", err)
		return 1
	}
	cfg := store.Load()
	runtime.GOMAXPROCS(cfg.IOThreads)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: store}))

	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		log.Error("cannot create data directory", "dir", cfg.Dir, "err", err)
		return 1
	}
	ks := keyspace.New(keyspace.Options{Databases: cfg.Databases})
	engine := commands.NewEngine(ks, store, log)
	srv := server.New(engine, log)
	addr := net.JoinHostPort(cfg.Bind, strconv.Itoa(cfg.Port))
	if err := srv.Listen(addr); err != nil {
		log.Error("cannot listen", "addr", addr, "err", err)
		return 1
	}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		sig := <-signals
		log.Info("received signal, shutting down", "signal", sig.String())
		srv.Close()
	}()

	log.Info("cairn ready to accept connections", "addr", srv.Addr().String(), "pid", os.Getpid())
	if err := srv.Serve(); err != nil {
		log.Error("server stopped", "err", err)
		return 1
	}
	log.Info("cairn stopped")
	return 0
}
