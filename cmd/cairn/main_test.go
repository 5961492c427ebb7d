package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
	"github.com/cairn-db/cairn/internal/version"
)

// TestConfigYAMLDocumentsEveryOption keeps config.yaml, the documented
// list of options, in step with the option table and its defaults.
func TestConfigYAMLDocumentsEveryOption(t *testing.T) {
	text, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := config.Load([]string{"--config", "../../config.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	defaults := config.NewStore(config.Defaults(), "")
	want := defaults.Get([]string{"*"})
	got := fromFile.Get([]string{"*"})
	if len(got) != len(want) {
		t.Fatalf("config.yaml gives %d options, the table has %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("config.yaml sets %s = %q, the built-in default is %q", want[i][0], got[i][1], want[i][1])
		}
	}
	for _, o := range want {
		if config.OptionName(o[0]) != o[0] {
			continue // an alias, or Redis's, accepted without effect (config/redisonly.go)
		}
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(o[0]) + `:`).Match(text) {
			t.Errorf("config.yaml does not document %s", o[0])
		}
	}
}

func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cairn.yaml")
	if err := os.WriteFile(file, []byte("port: 7000\nhz: 20\ntimeout: 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CAIRN_PORT", "7001")
	t.Setenv("CAIRN_HZ", "30")
	store, err := config.Load([]string{"--config", file, "--port", "7002"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := store.Load()
	if cfg.Port != 7002 {
		t.Errorf("flag should win over environment and file: port = %d", cfg.Port)
	}
	if cfg.Hz != 30 {
		t.Errorf("environment should win over file: hz = %d", cfg.Hz)
	}
	if cfg.Timeout.Seconds() != 5 {
		t.Errorf("file should win over default: timeout = %v", cfg.Timeout)
	}
}

// TestConfigAcceptsRedisServerFlags checks command lines that work with
// redis-server.
func TestConfigAcceptsRedisServerFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		opt  string
		want string
	}{
		{[]string{"--port", "6380", "--dir", "/tmp/x", "--appendfsync", "always"}, "appendfsync", "always"},
		{[]string{"--appendfsync", "NO"}, "appendfsync", "no"},
		{nil, "appendfsync", "everysec"},
		{[]string{"--io-threads", "4"}, "io-threads", "4"},
		{nil, "io-threads", "1"},
	} {
		store, err := config.Load(tc.args)
		if err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		if got := store.Get([]string{tc.opt}); len(got) != 1 || got[0][1] != tc.want {
			t.Errorf("%v: %s = %v, want %q", tc.args, tc.opt, got, tc.want)
		}
	}
}

func TestConfigRejectsBadValuesNamingTheOption(t *testing.T) {
	for _, args := range [][]string{
		{"--port", "not-a-port"},
		{"--port", "70000"},
		{"--maxclients", "0"},
		{"--loglevel", "loud"},
		{"--appendfsync", "sometimes"},
		{"--io-threads", "0"},
		{"--proto-max-bulk-len", "12parsecs"},
	} {
		_, err := config.Load(args)
		if err == nil || !strings.Contains(err.Error(), args[0][2:]) {
			t.Errorf("%v: error %v does not name the option", args, err)
		}
	}
}

// TestBinaryServesAndStopsOnSignal runs the real binary: it starts with
// flags, answers, and exits cleanly on SIGTERM.
func TestBinaryServesAndStopsOnSignal(t *testing.T) {
	bin := buildBinary(t)
	port := testutil.FreePort(t)
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	testutil.WaitForPing(t, "127.0.0.1:"+strconv.Itoa(port))
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// buildBinary builds the cairn binary into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cairn")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// TestBinaryVersionAndHelp checks the flags that print and exit 0: --help
// lists every option of the table with its default.
func TestBinaryVersionAndHelp(t *testing.T) {
	bin := buildBinary(t)
	versionLine := `^cairn v=` + regexp.QuoteMeta(version.Version) + ` go=go\S+ sha=\S+\n$`
	var everyOption []string
	for _, kv := range config.NewStore(config.Defaults(), "").Get([]string{"*"}) {
		if config.OptionName(kv[0]) == kv[0] { // not an alias, nor Redis's (config/redisonly.go)
			everyOption = append(everyOption, kv[0])
		}
	}
	for _, tc := range []struct {
		args []string
		// stdout is a pattern the whole standard output must match.
		stdout string
		// stderrLines start lines of the standard error.
		stderrLines []string
	}{
		{[]string{"--version"}, versionLine, nil},
		{[]string{"-v"}, versionLine, nil},
		{[]string{"--help"}, `^$`, everyOption}, // the usage goes to stderr, as redis-server's
		{[]string{"-h"}, `^$`, everyOption},
	} {
		cmd := exec.Command(bin, tc.args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%v: %v (want exit code 0)\n%s", tc.args, err, stderr.String())
			continue
		}
		if !regexp.MustCompile(tc.stdout).Match(out) {
			t.Errorf("%v: printed %q, want %s", tc.args, out, tc.stdout)
		}
		for _, name := range tc.stderrLines {
			if !regexp.MustCompile(`(?m)^  --` + regexp.QuoteMeta(name) + ` \S`).MatchString(stderr.String()) {
				t.Errorf("%v does not list --%s with its default", tc.args, name)
			}
		}
	}
}
