package alert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"
)

// TestHTTPMutualTLS: a server that wants a client certificate gets the
// one http_output's mtls, client_cert and client_key name.
func TestHTTPMutualTLS(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "forensics test client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "client.crt"), filepath.Join(dir, "client.key")
	writePEM(t, certFile, "CERTIFICATE", der)
	writeKey(t, keyFile, keyDER)
	clientCert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(clientCert)

	rcv := &receiver{}
	srv := httptest.NewUnstartedServer(rcv)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(dir, "ca.pem")
	writePEM(t, ca, "CERTIFICATE", srv.Certificate().Raw)

	h, err := NewHTTPSink(HTTPConfig{URL: srv.URL, CACert: ca, MTLS: true, ClientCert: certFile, ClientKey: keyFile}, JSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sendAll(t, 2, DefaultConfig(), fastOpts(nil), h)
	if n := len(rcv.rules()); n != 2 {
		t.Errorf("%d alerts received with a client certificate, want 2", n)
	}
}

func writeKey(t *testing.T, path string, der []byte) {
	t.Helper()
	writeRaw(t, path, "EC PRIVATE KEY", der)
}
