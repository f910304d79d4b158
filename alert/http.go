package alert

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// HTTPConfig is falco.yaml's http_output.
type HTTPConfig struct {
	Enabled    bool   `yaml:"enabled"`
	URL        string `yaml:"url"`
	UserAgent  string `yaml:"user_agent"`
	Insecure   bool   `yaml:"insecure"`
	CACert     string `yaml:"ca_cert"`
	CABundle   string `yaml:"ca_bundle"`
	CAPath     string `yaml:"ca_path"`
	MTLS       bool   `yaml:"mtls"`
	ClientCert string `yaml:"client_cert"`
	ClientKey  string `yaml:"client_key"`
	Echo       bool   `yaml:"echo"`
	KeepAlive  bool   `yaml:"keep_alive"`
	// Timeout of one POST (forensics' own key; default 10 s).
	Timeout time.Duration `yaml:"timeout"`
}

// HTTPSink POSTs each alert as Falco's JSON object (the form
// falcosidekick accepts). A 2xx reply is a delivery; a 5xx or 429 reply
// or no reply is a failure to retry; another 4xx is a rejection.
type HTTPSink struct {
	url, agent string
	echo       bool
	json       JSONOptions
	client     *http.Client
}

// NewHTTPSink checks the configuration and loads the TLS material.
func NewHTTPSink(c HTTPConfig, jo JSONOptions) (*HTTPSink, error) {
	url := strings.Trim(strings.TrimSpace(c.URL), `"'`)
	if url == "" {
		return nil, fmt.Errorf("%w: http_output is enabled without a url", ErrConfig)
	}
	tc := &tls.Config{InsecureSkipVerify: c.Insecure} //nolint:gosec // falco.yaml insecure: true asks for it
	caFile := c.CACert
	if caFile == "" {
		caFile = c.CABundle
	}
	switch {
	case caFile != "":
		pool := x509.NewCertPool()
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("%w: http_output CA: %w", ErrConfig, err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: http_output CA %s holds no PEM certificate", ErrConfig, caFile)
		}
		tc.RootCAs = pool
	case c.CAPath != "" && c.CAPath != "/etc/ssl/certs":
		pool := x509.NewCertPool()
		files, _ := filepath.Glob(filepath.Join(c.CAPath, "*"))
		for _, f := range files {
			if pem, err := os.ReadFile(f); err == nil {
				pool.AppendCertsFromPEM(pem)
			}
		}
		tc.RootCAs = pool
	}
	if c.MTLS {
		cert, err := tls.LoadX509KeyPair(c.ClientCert, c.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("%w: http_output client certificate: %w", ErrConfig, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	tr := &http.Transport{TLSClientConfig: tc, Proxy: http.ProxyFromEnvironment}
	agent := c.UserAgent
	if agent == "" {
		agent = "falcosecurity/falco"
	}
	return &HTTPSink{url: url, agent: agent, echo: c.Echo, json: jo,
		client: &http.Client{Transport: tr, Timeout: timeout}}, nil
}

func (s *HTTPSink) Name() string { return "http" }

func (s *HTTPSink) Send(ctx context.Context, a *Alert, _ []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(a.JSON(s.json)))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRejected, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.agent)
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if s.echo && len(body) > 0 {
		fmt.Fprintf(os.Stderr, "http output: %s\n", body)
	}
	switch {
	case resp.StatusCode/100 == 2:
		return nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("POST %s: %s", s.url, resp.Status)
	}
	return fmt.Errorf("%w: POST %s: %s: %s", ErrRejected, s.url, resp.Status, bytes.TrimSpace(body))
}

func (s *HTTPSink) Flush() error { return nil }

func (s *HTTPSink) Close() error {
	s.client.CloseIdleConnections()
	return nil
}
