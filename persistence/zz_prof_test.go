package persistence

import (
	"io"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/cairn-db/cairn/commands"
	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/keyspace"
)

func TestZZProf(t *testing.T) {
	src := os.Getenv("ZZDIR")
	if src == "" {
		t.Skip()
	}
	dir := t.TempDir()
	exec.Command("cp", "-r", src+"/.", dir).Run()
	cfg := config.Defaults()
	cfg.Dir = dir
	store := config.NewStore(cfg, "")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ks := keyspace.New(keyspace.Options{Databases: cfg.Databases})
	e := commands.NewEngine(ks, store, log)
	t0 := time.Now()
	m, err := Open(dir, Options{Keyspace: ks, Config: store, Log: log, Limits: e.Limits, Apply: e.Apply})
	if err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	if err := m.Recover(); err != nil {
		t.Fatal(err)
	}
	t.Log("open", t1.Sub(t0), "recover", time.Since(t1))
	m.Close()
}
