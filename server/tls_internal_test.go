package server

import (
	"crypto/tls"
	"slices"
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

func TestParseCiphers(t *testing.T) {
	const (
		rsa256   = tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
		ecdsa256 = tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
		ecdsa128 = tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	)
	for _, tc := range []struct {
		list string
		want []uint16
		err  bool
	}{
		{"", nil, false},
		{"ECDHE-RSA-AES256-GCM-SHA384", []uint16{rsa256}, false},
		{"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384", []uint16{ecdsa256, rsa256}, false},
		{"ECDHE-ECDSA-AES256-GCM-SHA384,ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-AES256-GCM-SHA384", []uint16{ecdsa256, rsa256}, false},
		// - takes a suite out until named again, ! for good.
		{"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:-ECDHE-ECDSA-AES256-GCM-SHA384", []uint16{rsa256}, false},
		{"ECDHE-ECDSA-AES256-GCM-SHA384:-ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384", []uint16{ecdsa256}, false},
		{"!ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384", []uint16{ecdsa256}, false},
		{"ECDHE-ECDSA-AES128-GCM-SHA256", []uint16{ecdsa128}, false},
		{"ECDHE-RSA-AES256-GCM-SHA384:!ECDHE-RSA-AES256-GCM-SHA384", nil, true},
		{"HIGH:!aNULL", nil, true},                 // OpenSSL's keywords
		{"DES-CBC3-SHA", nil, true},                // insecure, not offered
		{"TLS_AES_256_GCM_SHA384", nil, true},      // TLSv1.3's: tls-ciphersuites
		{"ecdhe-rsa-aes256-gcm-sha384", nil, true}, // OpenSSL's names are case-sensitive
	} {
		got, err := parseCiphers(tc.list)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("%q: %x, %v", tc.list, got, err)
		}
	}
}

// TestCipherNames: every suite of the table is one Go implements and
// deems secure, for TLSv1.2.
func TestCipherNames(t *testing.T) {
	secure := map[uint16]bool{}
	for _, s := range tls.CipherSuites() {
		secure[s.ID] = slices.Contains(s.SupportedVersions, tls.VersionTLS12)
	}
	for name, id := range cipherNames {
		if !secure[id] {
			t.Errorf("%s: %s is not among Go's secure TLSv1.2 suites", name, tls.CipherSuiteName(id))
		}
	}
	for _, s := range tls.CipherSuites() {
		if slices.Contains(s.SupportedVersions, tls.VersionTLS13) && !tls13Suites[s.Name] {
			t.Errorf("Go offers %s with TLSv1.3, which tls13Suites does not say", s.Name)
		}
	}
}

func TestCheckCipherSuites(t *testing.T) {
	const all = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
	for _, tc := range []struct {
		list  string
		tls13 bool
		err   bool
	}{
		{"", true, false},
		{all, true, false},
		{all + ":TLS_AES_128_CCM_SHA256", true, false},
		{"TLS_AES_256_GCM_SHA384", true, true}, // Go would offer the others
		{"TLS_AES_256_GCM_SHA384", false, false},
		{"TLS_AES_256_GCM_SHA384:NOPE", false, true},
		{"ECDHE-RSA-AES256-GCM-SHA384", false, true},
	} {
		if err := checkCipherSuites(tc.list, tc.tls13); (err != nil) != tc.err {
			t.Errorf("%q (TLSv1.3 %v): %v", tc.list, tc.tls13, err)
		}
	}
}
