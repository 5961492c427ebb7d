package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/cairn-db/cairn/config"
)

// TLS is the server's TLS configuration, built from the tls-* options and
// built again when CONFIG SET changes one (Reload), so that a renewed
// certificate is served to the next client without a restart, as Redis's.
type TLS struct {
	cur atomic.Pointer[tls.Config]
}

// NewTLS builds the TLS configuration of cfg.
func NewTLS(cfg *config.Config) (*TLS, error) {
	t := &TLS{}
	if err := t.Reload(cfg); err != nil {
		return nil, err
	}
	return t, nil
}

// Reload reads the certificate, key and CAs again; on an error the
// configuration in use stays.
func (t *TLS) Reload(cfg *config.Config) error {
	c, err := tlsConfig(cfg)
	if err != nil {
		return err
	}
	t.cur.Store(c)
	return nil
}

// config is the configuration in use, for each new connection.
func (t *TLS) config(*tls.ClientHelloInfo) (*tls.Config, error) { return t.cur.Load(), nil }

func tlsConfig(cfg *config.Config) (*tls.Config, error) {
	if cfg.TLSCertFile == "" || cfg.TLSKeyFile == "" {
		return nil, errors.New("tls-cert-file and tls-key-file are needed")
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("loading the certificate (tls-cert-file, tls-key-file): %w", err)
	}
	c := &tls.Config{Certificates: []tls.Certificate{cert}}
	if c.MinVersion, c.MaxVersion, err = tlsVersions(cfg.TLSProtocols); err != nil {
		return nil, err
	}
	switch cfg.TLSAuthClients {
	case "no":
		c.ClientAuth = tls.NoClientCert
	case "optional":
		c.ClientAuth = tls.VerifyClientCertIfGiven
	default:
		c.ClientAuth = tls.RequireAndVerifyClientCert
	}
	if cfg.TLSCACertFile == "" && cfg.TLSCACertDir == "" {
		if c.ClientAuth != tls.NoClientCert {
			return nil, errors.New("tls-ca-cert-file or tls-ca-cert-dir is needed to verify clients' certificates (or tls-auth-clients no)")
		}
		return c, nil
	}
	pool := x509.NewCertPool()
	files := []string{}
	if cfg.TLSCACertFile != "" {
		files = append(files, cfg.TLSCACertFile)
	}
	if cfg.TLSCACertDir != "" {
		entries, err := os.ReadDir(cfg.TLSCACertDir)
		if err != nil {
			return nil, fmt.Errorf("tls-ca-cert-dir: %w", err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, filepath.Join(cfg.TLSCACertDir, e.Name()))
			}
		}
	}
	for _, f := range files {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("loading CA certificates: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) && f == cfg.TLSCACertFile {
			return nil, fmt.Errorf("tls-ca-cert-file %s holds no PEM certificate", f)
		}
	}
	c.ClientCAs = pool
	return c, nil
}

// tlsVersions maps tls-protocols, Redis's list of protocol names, to the
// range Go takes: the versions must be contiguous.
func tlsVersions(protocols string) (lo, hi uint16, err error) {
	if strings.TrimSpace(protocols) == "" {
		return tls.VersionTLS12, tls.VersionTLS13, nil
	}
	names := map[string]uint16{"tlsv1": tls.VersionTLS10, "tlsv1.1": tls.VersionTLS11,
		"tlsv1.2": tls.VersionTLS12, "tlsv1.3": tls.VersionTLS13}
	seen := map[uint16]bool{}
	for _, p := range strings.Fields(protocols) {
		v, ok := names[strings.ToLower(p)]
		if !ok {
			return 0, 0, fmt.Errorf("tls-protocols: unknown protocol %q (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)", p)
		}
		seen[v] = true
		if lo == 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	for v := lo; v <= hi; v++ {
		if !seen[v] {
			return 0, 0, fmt.Errorf("tls-protocols %q: Go allows a range of versions, without gaps", protocols)
		}
	}
	return lo, hi, nil
}

// ListenTLS listens on port at every address of bind as ListenBind does,
// serving TLS with t's configuration beside the plain port.
func (s *Server) ListenTLS(bind string, port int, t *TLS) (skipped []string, err error) {
	lns, skipped, err := listenAll(bind, port)
	if err != nil {
		return skipped, err
	}
	cfg := &tls.Config{GetConfigForClient: t.config}
	for _, ln := range lns {
		s.addListener(tls.NewListener(ln, cfg))
	}
	return skipped, nil
}
