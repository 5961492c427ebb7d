package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cairn-db/cairn/config"
)

// tlsPort is the TLS port: its listeners and the configuration they
// serve, built from the tls-* options and built again when CONFIG SET
// changes one, so that a renewed certificate is served to the next client
// without a restart, as Redis's; CONFIG SET tls-port moves the port.
type tlsPort struct {
	// mu serialises changes (ListenTLS, applyTLS); cur is read without
	// it by each handshake.
	mu   sync.Mutex
	cur  atomic.Pointer[tls.Config]
	port int            // the port served, 0 for none
	bind string         // the addresses it is served on
	lns  []net.Listener // its listeners, in the server's fanIn
}

// tlsError is a failure to apply the tls-* options: reason is Redis's
// CONFIG SET reason for it, err the cause, logged.
type tlsError struct {
	reason string
	err    error
}

func (e *tlsError) Error() string { return e.err.Error() }

// ListenTLS serves TLS at cfg's tls-port, if not 0, on every address of
// bind as ListenBind does, beside the plain port.
func (s *Server) ListenTLS(cfg *config.Config) (skipped []string, err error) {
	return s.setTLS(cfg)
}

// applyTLS is the engine's hook for CONFIG SET of a tls-* option: with a
// TLS port, the configuration is built again, and the port moved if it
// changed (tls-port 0 closes it); on an error nothing changes, and the
// reply is Redis's reason, the cause logged. A port that cannot be
// listened on is tls-port's failure, as Redis reports it.
func (s *Server) applyTLS(next *config.Config) error {
	skipped, err := s.setTLS(next)
	for _, why := range skipped {
		s.log.Warn("optional bind address skipped for TLS", "reason", why)
	}
	if err, ok := err.(*tlsError); ok {
		s.log.Warn("CONFIG SET: cannot apply the TLS configuration", "err", err.err)
		if err.reason == reasonListen {
			return config.ApplyFailed("tls-port", err.reason)
		}
		return errors.New(err.reason)
	}
	return err
}

// Redis's reasons for a CONFIG SET of the tls-* options that fails.
const (
	reasonConfigure = "Unable to update TLS configuration. Check server logs."
	reasonListen    = "Unable to listen on this port. Check server logs."
)

// setTLS makes the TLS port what cfg says. New listeners are bound before
// the old ones close, so that a failure leaves the old port served.
func (s *Server) setTLS(cfg *config.Config) (skipped []string, err error) {
	t := &s.tls
	t.mu.Lock()
	defer t.mu.Unlock()
	if cfg.TLSPort == 0 {
		s.ln.remove(t.lns)
		t.port, t.lns = 0, nil
		return nil, nil
	}
	c, err := tlsConfig(cfg)
	if err != nil {
		return nil, &tlsError{reasonConfigure, err}
	}
	if cfg.TLSPort == t.port {
		t.cur.Store(c)
		return nil, nil
	}
	lns, skipped, err := listenAll(cfg.Bind, cfg.TLSPort)
	if err != nil {
		return skipped, &tlsError{reasonListen, err}
	}
	t.cur.Store(c)
	s.ln.remove(t.lns)
	t.port, t.bind = cfg.TLSPort, cfg.Bind
	s.serveTLS(lns)
	return skipped, nil
}

// serveTLS serves lns as the TLS port. t.mu is held.
func (s *Server) serveTLS(lns []net.Listener) {
	t := &s.tls
	t.lns = nil
	base := &tls.Config{GetConfigForClient: t.config}
	for _, ln := range lns {
		t.lns = append(t.lns, tls.NewListener(ln, base))
		s.ln.add(t.lns[len(t.lns)-1])
	}
}

// rebindTLS serves the TLS port, if any, on the addresses of bind instead,
// or as before if it cannot (CONFIG SET bind).
func (s *Server) rebindTLS(bind string) error {
	t := &s.tls
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.port == 0 || bind == t.bind {
		return nil
	}
	s.ln.remove(t.lns)
	lns, skipped, err := listenAll(bind, t.port)
	for _, why := range skipped {
		s.log.Warn("optional bind address skipped for TLS", "reason", why)
	}
	if err != nil {
		if old, _, err := listenAll(t.bind, t.port); err == nil {
			s.serveTLS(old)
		} else {
			s.log.Error("cannot listen again on the TLS port", "bind", t.bind, "tls-port", t.port, "err", err)
			t.lns = nil
		}
		return err
	}
	t.bind = bind
	s.serveTLS(lns)
	return nil
}

// config is the configuration in use, for each new connection.
func (t *tlsPort) config(*tls.ClientHelloInfo) (*tls.Config, error) { return t.cur.Load(), nil }

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
	if c.CipherSuites, err = parseCiphers(cfg.TLSCiphers); err != nil {
		return nil, err
	}
	if err := checkCipherSuites(cfg.TLSCipherSuites, c.MaxVersion == tls.VersionTLS13); err != nil {
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
