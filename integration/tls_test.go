package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/internal/testutil"
)

// testPKI is a CA and the certificates it signed, as PEM files in dir.
type testPKI struct {
	dir  string
	ca   *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cairn test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p.ca, _ = x509.ParseCertificate(der)
	p.key = key
	p.pool = x509.NewCertPool()
	p.pool.AddCert(p.ca)
	p.write(t, "ca.crt", "CERTIFICATE", der)
	return p
}

func (p *testPKI) write(t *testing.T, name, kind string, der []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// issue writes a certificate and key for name (a server's, with the
// loopback address, or a client's) and returns their paths.
func (p *testPKI) issue(t *testing.T, name string, serial int64) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return p.write(t, name+".crt", "CERTIFICATE", der), p.write(t, name+".key", "EC PRIVATE KEY", kder)
}

func (p *testPKI) clientConfig(t *testing.T, withCert bool) *tls.Config {
	t.Helper()
	c := &tls.Config{RootCAs: p.pool, ServerName: "127.0.0.1"}
	if withCert {
		cf, kf := p.issue(t, "client", 3)
		cert, err := tls.LoadX509KeyPair(cf, kf)
		if err != nil {
			t.Fatal(err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c
}

// TestTLS runs the real binary with a TLS port beside the plain one:
// go-redis, redis-py and redis-cli --tls talk to it with client certificates, a
// client without one is refused while tls-auth-clients is yes, and a
// certificate changed by CONFIG SET is served to the next client.
func TestTLS(t *testing.T) {
	pki := newTestPKI(t)
	certFile, keyFile := pki.issue(t, "server", 2)
	tlsPort := testutil.FreePort(t)
	srv := testutil.StartProcess(t, t.TempDir(), "--tls-port", strconv.Itoa(tlsPort),
		"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-ca-cert-file", filepath.Join(pki.dir, "ca.crt"))
	tlsAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(tlsPort))

	c := redis.NewClient(&redis.Options{Addr: tlsAddr, TLSConfig: pki.clientConfig(t, true), Protocol: 3, DisableIdentity: true})
	defer c.Close()
	if err := c.Set(pctx, "k", "over tls", 0).Err(); err != nil {
		t.Fatalf("SET over TLS: %v", err)
	}
	if v := pClient(t, srv.Addr, 0).Get(pctx, "k").Val(); v != "over tls" {
		t.Errorf("plain port reads %q", v)
	}

	// Without a client certificate, the handshake fails.
	noCert := redis.NewClient(&redis.Options{Addr: tlsAddr, TLSConfig: pki.clientConfig(t, false), MaxRetries: -1, DisableIdentity: true})
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
	newCert, newKey := pki.issue(t, "server2", 4)
	if err := c.ConfigSet(pctx, "tls-cert-file", "/no/such.crt").Err(); err == nil || !strings.Contains(err.Error(), "Unable to update TLS configuration") {
		t.Errorf("CONFIG SET of a missing certificate: %v", err)
	}
	if v := c.ConfigGet(pctx, "tls-cert-file").Val()["tls-cert-file"]; v != certFile {
		t.Errorf("tls-cert-file after a failed CONFIG SET: %q", v)
	}
	if err := c.Do(pctx, "CONFIG", "SET", "tls-cert-file", newCert, "tls-key-file", newKey).Err(); err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", tlsAddr, pki.clientConfig(t, true))
	if err != nil {
		t.Fatal(err)
	}
	if cn := conn.ConnectionState().PeerCertificates[0].Subject.CommonName; cn != "server2" {
		t.Errorf("served certificate %q after CONFIG SET, want server2", cn)
	}
	conn.Close()

	// redis-py over TLS.
	python := requirePythonRedis(t)
	pyCert, pyKey := pki.issue(t, "py", 6)
	runPython(t, python, time.Minute, "tls.py", "127.0.0.1", strconv.Itoa(tlsPort), filepath.Join(pki.dir, "ca.crt"), pyCert, pyKey)

	// redis-cli --tls, as an operator would use it.
	cli := testutil.RequireProgram(t, "redis-cli")
	clientCert, clientKey := pki.issue(t, "cli", 5)
	out, err := exec.Command(cli, "--tls", "--cacert", filepath.Join(pki.dir, "ca.crt"), "--cert", clientCert, "--key", clientKey,
		"-h", "127.0.0.1", "-p", strconv.Itoa(tlsPort), "GET", "k").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "over tls" {
		t.Errorf("redis-cli --tls: %v: %s", err, out)
	}
}
