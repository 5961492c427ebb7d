package server

import (
	"crypto/tls"
	"testing"
)

func TestTLSVersions(t *testing.T) {
	for _, tc := range []struct {
		protocols string
		lo, hi    uint16
		err       bool
	}{
		{"", tls.VersionTLS12, tls.VersionTLS13, false},
		{"TLSv1.2 TLSv1.3", tls.VersionTLS12, tls.VersionTLS13, false},
		{"tlsv1.3", tls.VersionTLS13, tls.VersionTLS13, false},
		{"TLSv1 TLSv1.1 TLSv1.2", tls.VersionTLS10, tls.VersionTLS12, false},
		{"TLSv1.1 TLSv1.3", 0, 0, true},
		{"SSLv3", 0, 0, true},
	} {
		lo, hi, err := tlsVersions(tc.protocols)
		if (err != nil) != tc.err || !tc.err && (lo != tc.lo || hi != tc.hi) {
			t.Errorf("%q: %x..%x, %v", tc.protocols, lo, hi, err)
		}
	}
}
