package server

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"
)

// cipherNames are OpenSSL's names of the cipher suites up to TLSv1.2 that
// Go's crypto/tls implements and deems secure, for tls-ciphers.
var cipherNames = map[string]uint16{
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-CHACHA20-POLY1305": tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-RSA-CHACHA20-POLY1305":   tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-ECDSA-AES128-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	"ECDHE-RSA-AES128-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	"ECDHE-ECDSA-AES256-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	"ECDHE-RSA-AES256-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
}

// tls13Suites are OpenSSL's TLSv1.3 suites, for tls-ciphersuites, and
// whether Go offers each: Go offers the three it implements whenever
// TLSv1.3 is negotiated, and cannot be told otherwise.
var tls13Suites = map[string]bool{
	"TLS_AES_128_GCM_SHA256":       true,
	"TLS_AES_256_GCM_SHA384":       true,
	"TLS_CHACHA20_POLY1305_SHA256": true,
	"TLS_AES_128_CCM_SHA256":       false,
	"TLS_AES_128_CCM_8_SHA256":     false,
}

// parseCiphers maps tls-ciphers, an OpenSSL cipher list of names
// separated by colons (or commas or spaces), to Go's suites in the order
// given; "!NAME" and "-NAME" take a suite out. nil is Go's defaults. An
// OpenSSL keyword (HIGH, DEFAULT...) is refused: cairn would have to
// guess what the local OpenSSL makes of it.
func parseCiphers(list string) ([]uint16, error) {
	words := strings.FieldsFunc(list, func(r rune) bool { return r == ':' || r == ',' || r == ' ' })
	if len(words) == 0 {
		return nil, nil
	}
	var ids, removed []uint16
	for _, w := range words {
		name := strings.TrimLeft(w, "!-")
		id, ok := cipherNames[name]
		if !ok {
			return nil, fmt.Errorf("tls-ciphers: unknown cipher %q: cairn takes the OpenSSL names of the suites Go implements: %s",
				name, strings.Join(sortedKeys(cipherNames), ", "))
		}
		switch {
		case w[0] == '!':
			removed = append(removed, id)
			fallthrough
		case w[0] == '-':
			ids = slices.DeleteFunc(ids, func(i uint16) bool { return i == id })
		case !slices.Contains(ids, id) && !slices.Contains(removed, id):
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("tls-ciphers %q leaves no cipher", list)
	}
	return ids, nil
}

// checkCipherSuites refuses a tls-ciphersuites that names a suite unknown
// to OpenSSL or, when TLSv1.3 is served, leaves out one Go would offer
// all the same: a server that says it refuses a suite must refuse it.
func checkCipherSuites(list string, tls13 bool) error {
	if strings.TrimSpace(list) == "" {
		return nil
	}
	named := map[string]bool{}
	for _, name := range strings.Split(list, ":") {
		if _, ok := tls13Suites[name]; !ok {
			return fmt.Errorf("tls-ciphersuites: unknown TLSv1.3 suite %q (%s)", name, strings.Join(sortedKeys(tls13Suites), ", "))
		}
		named[name] = true
	}
	var left []string
	for _, name := range sortedKeys(tls13Suites) {
		if tls13 && tls13Suites[name] && !named[name] {
			left = append(left, name)
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("tls-ciphersuites %q leaves out %s, which Go's crypto/tls offers with TLSv1.3 all the same: "+
			"list them, or leave TLSv1.3 out of tls-protocols and choose suites with tls-ciphers", list, strings.Join(left, ", "))
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
