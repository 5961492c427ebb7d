package server_test

import (
	"context"
	"crypto/tls"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/config"
	"github.com/cairn-db/cairn/internal/testutil"
)

// tlsClient is a go-redis client of addr over TLS with cfg, which records
// the cipher suite each handshake agreed on in *suite.
func tlsClient(t *testing.T, addr string, cfg *tls.Config, suite *uint16) *redis.Client {
	t.Helper()
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		*suite = cs.CipherSuite
		return nil
	}
	c := redis.NewClient(&redis.Options{Addr: addr, TLSConfig: cfg, MaxRetries: -1, DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	return c
}

// TestTLSPortAndCiphers: CONFIG SET opens the TLS port, moves it and
// closes it, as Redis 7.0 does; tls-ciphers limits the suites of TLSv1.2
// (a client offering only another one fails its handshake), and
// tls-ciphersuites is refused when it would leave out a TLSv1.3 suite Go
// offers all the same.
func TestTLSPortAndCiphers(t *testing.T) {
	ctx := context.Background()
	pki := testutil.NewPKI(t)
	cert, key := pki.Issue(t, "server", 2)
	srv := testutil.StartCairn(t, func(c *config.Config) {
		c.TLSCertFile, c.TLSKeyFile = cert, key
		c.TLSCACertFile = filepath.Join(pki.Dir, "ca.crt")
	})
	admin := newClient(t, srv.Addr)
	configSet := func(args ...any) error {
		return admin.Do(ctx, append([]any{"CONFIG", "SET"}, args...)...).Err()
	}
	wantSetError := func(reason string, args ...any) {
		t.Helper()
		err := configSet(args...)
		if err == nil || !strings.Contains(err.Error(), "CONFIG SET failed (possibly related to argument '"+args[0].(string)+"') - "+reason) {
			t.Errorf("CONFIG SET %v: %v, want %q", args, err, reason)
		}
	}
	port1, port2 := testutil.FreePort(t), testutil.FreePort(t)
	addr1, addr2 := "127.0.0.1:"+strconv.Itoa(port1), "127.0.0.1:"+strconv.Itoa(port2)

	// No TLS port yet; one opens at run time.
	if _, err := net.Dial("tcp", addr1); err == nil {
		t.Fatal("the TLS port is open before CONFIG SET")
	}
	if err := configSet("tls-port", port1); err != nil {
		t.Fatal(err)
	}
	var suite uint16
	c := tlsClient(t, addr1, pki.ClientConfig(t, true), &suite)
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING over TLS: %v", err)
	}
	if suite != tls.TLS_AES_128_GCM_SHA256 && suite != tls.TLS_AES_256_GCM_SHA384 && suite != tls.TLS_CHACHA20_POLY1305_SHA256 {
		t.Errorf("default handshake agreed on %s, want a TLSv1.3 suite", tls.CipherSuiteName(suite))
	}

	// tls-ciphers: the one suite allowed is agreed on by a TLSv1.2
	// client that offers it among others; one that offers another alone
	// fails; TLSv1.3 is unchanged.
	if err := configSet("tls-ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384"); err != nil {
		t.Fatal(err)
	}
	tls12 := func(suites ...uint16) *tls.Config {
		cfg := pki.ClientConfig(t, true)
		cfg.MaxVersion, cfg.CipherSuites = tls.VersionTLS12, suites
		return cfg
	}
	c12 := tlsClient(t, addr1, tls12(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384), &suite)
	if err := c12.Ping(ctx).Err(); err != nil || suite != tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 {
		t.Errorf("TLSv1.2 client: %v, suite %s", err, tls.CipherSuiteName(suite))
	}
	refused := tlsClient(t, addr1, tls12(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), &suite)
	if err := refused.Ping(ctx).Err(); err == nil {
		t.Error("a client offering only a suite tls-ciphers leaves out was served")
	}
	if err := tlsClient(t, addr1, pki.ClientConfig(t, true), &suite).Ping(ctx).Err(); err != nil {
		t.Errorf("TLSv1.3 client after tls-ciphers: %v", err)
	}
	// Names cairn does not know, or a TLSv1.3 restriction Go would not
	// keep, are refused with Redis's error, and the value stays.
	const configReason = "Unable to update TLS configuration. Check server logs."
	wantSetError(configReason, "tls-ciphers", "HIGH:!aNULL")
	wantSetError(configReason, "tls-ciphersuites", "TLS_AES_256_GCM_SHA384")
	if v := admin.ConfigGet(ctx, "tls-cipher*").Val(); v["tls-ciphers"] != "ECDHE-ECDSA-AES256-GCM-SHA384" || v["tls-ciphersuites"] != "" {
		t.Errorf("after refused CONFIG SETs: %v", v)
	}
	if err := configSet("tls-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"); err != nil {
		t.Error(err)
	}
	// Without TLSv1.3, its suites do not matter.
	if err := configSet("tls-protocols", "TLSv1.2", "tls-ciphersuites", "TLS_AES_256_GCM_SHA384"); err != nil {
		t.Error(err)
	}
	if err := tlsClient(t, addr1, pki.ClientConfig(t, true), &suite).Ping(ctx).Err(); err != nil || suite != tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 {
		t.Errorf("client after tls-protocols TLSv1.2: %v, suite %s", err, tls.CipherSuiteName(suite))
	}

	// The port moves: the new one serves, the old one is closed. A port
	// taken is refused and the port stays; 0 closes it.
	if err := configSet("tls-port", port2); err != nil {
		t.Fatal(err)
	}
	if err := tlsClient(t, addr2, pki.ClientConfig(t, true), &suite).Ping(ctx).Err(); err != nil {
		t.Errorf("PING on the new TLS port: %v", err)
	}
	if conn, err := net.Dial("tcp", addr1); err == nil {
		conn.Close()
		t.Error("the old TLS port still accepts")
	}
	taken, err := net.Listen("tcp", addr1)
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	wantSetError("Unable to listen on this port. Check server logs.", "tls-port", port1)
	if v := admin.ConfigGet(ctx, "tls-port").Val()["tls-port"]; v != strconv.Itoa(port2) {
		t.Errorf("tls-port after a failed move: %s", v)
	}
	if err := tlsClient(t, addr2, pki.ClientConfig(t, true), &suite).Ping(ctx).Err(); err != nil {
		t.Errorf("PING after a failed move: %v", err)
	}
	// CONFIG SET bind moves the TLS port's addresses too; one that cannot
	// be had leaves it served as before.
	if err := configSet("bind", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if err := tlsClient(t, addr2, pki.ClientConfig(t, true), &suite).Ping(ctx).Err(); err != nil {
		t.Errorf("PING after CONFIG SET bind: %v", err)
	}
	wantSetError("Failed to bind to specified addresses.", "bind", "192.0.2.254")
	if err := tlsClient(t, addr2, pki.ClientConfig(t, true), &suite).Ping(ctx).Err(); err != nil {
		t.Errorf("PING after a failed CONFIG SET bind: %v", err)
	}
	if err := configSet("tls-port", 0); err != nil {
		t.Fatal(err)
	}
	if conn, err := net.Dial("tcp", addr2); err == nil {
		conn.Close()
		t.Error("tls-port 0 left the port open")
	}
	// The option named is the one that failed.
	if err := configSet("tls-auth-clients", "optional", "tls-port", port1); err == nil ||
		!strings.Contains(err.Error(), "(possibly related to argument 'tls-port') - Unable to listen") {
		t.Errorf("CONFIG SET tls-auth-clients, tls-port taken: %v", err)
	}
	// A TLS port needs a certificate.
	if err := configSet("tls-cert-file", ""); err != nil {
		t.Fatal(err)
	}
	wantSetError(configReason, "tls-port", port2)
	if err := admin.Ping(ctx).Err(); err != nil {
		t.Errorf("plain port: %v", err)
	}
}
