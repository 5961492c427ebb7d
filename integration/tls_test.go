package integration

import (
	"crypto/tls"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/internal/testutil"
)

// TestTLS runs the real binary with a TLS port beside the plain one:
// go-redis, redis-py and redis-cli --tls talk to it with client certificates, a
// client without one is refused while tls-auth-clients is yes, and a
// certificate changed by CONFIG SET is served to the next client.
func TestTLS(t *testing.T) {
	pki := testutil.NewPKI(t)
	certFile, keyFile := pki.Issue(t, "server", 2)
	tlsPort := testutil.FreePort(t)
	srv := testutil.StartProcess(t, t.TempDir(), "--tls-port", strconv.Itoa(tlsPort),
		"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-ca-cert-file", filepath.Join(pki.Dir, "ca.crt"))
	tlsAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(tlsPort))

	c := redis.NewClient(&redis.Options{Addr: tlsAddr, TLSConfig: pki.ClientConfig(t, true), Protocol: 3, DisableIdentity: true})
	defer c.Close()
	if err := c.Set(pctx, "k", "over tls", 0).Err(); err != nil {
		t.Fatalf("SET over TLS: %v", err)
	}
	if v := pClient(t, srv.Addr, 0).Get(pctx, "k").Val(); v != "over tls" {
		t.Errorf("plain port reads %q", v)
	}

	// Without a client certificate, the handshake fails.
	noCert := redis.NewClient(&redis.Options{Addr: tlsAddr, TLSConfig: pki.ClientConfig(t, false), MaxRetries: -1, DisableIdentity: true})
	defer noCert.Close()
	if err := noCert.Ping(pctx).Err(); err == nil {
		t.Error("a client without a certificate was let in while tls-auth-clients is yes")
	}
	if err := c.ConfigSet(pctx, "tls-auth-clients", "optional").Err(); err != nil {
		t.Fatal(err)
	}
	if err := noCert.Ping(pctx).Err(); err != nil {
		t.Errorf("tls-auth-clients optional: %v", err)
	}

	// A new certificate, set at run time, is served to the next client;
	// one that does not load is refused and the old one stays.
	newCert, newKey := pki.Issue(t, "server2", 4)
	if err := c.ConfigSet(pctx, "tls-cert-file", "/no/such.crt").Err(); err == nil || !strings.Contains(err.Error(), "Unable to update TLS configuration") {
		t.Errorf("CONFIG SET of a missing certificate: %v", err)
	}
	if v := c.ConfigGet(pctx, "tls-cert-file").Val()["tls-cert-file"]; v != certFile {
		t.Errorf("tls-cert-file after a failed CONFIG SET: %q", v)
	}
	if err := c.Do(pctx, "CONFIG", "SET", "tls-cert-file", newCert, "tls-key-file", newKey).Err(); err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", tlsAddr, pki.ClientConfig(t, true))
	if err != nil {
		t.Fatal(err)
	}
	if cn := conn.ConnectionState().PeerCertificates[0].Subject.CommonName; cn != "server2" {
		t.Errorf("served certificate %q after CONFIG SET, want server2", cn)
	}
	conn.Close()

	// redis-py over TLS.
	python := requirePythonRedis(t)
	pyCert, pyKey := pki.Issue(t, "py", 6)
	runPython(t, python, time.Minute, "tls.py", "127.0.0.1", strconv.Itoa(tlsPort), filepath.Join(pki.Dir, "ca.crt"), pyCert, pyKey)

	// redis-cli --tls, as an operator would use it.
	cli := testutil.RequireProgram(t, "redis-cli")
	clientCert, clientKey := pki.Issue(t, "cli", 5)
	out, err := exec.Command(cli, "--tls", "--cacert", filepath.Join(pki.Dir, "ca.crt"), "--cert", clientCert, "--key", clientKey,
		"-h", "127.0.0.1", "-p", strconv.Itoa(tlsPort), "GET", "k").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "over tls" {
		t.Errorf("redis-cli --tls: %v: %s", err, out)
	}
}
