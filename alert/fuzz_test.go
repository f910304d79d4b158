package alert

import (
	"errors"
	"io"
	"testing"
)

// FuzzParseConfig: any falco.yaml parses or fails with ErrConfig, never
// panics; a parsed one builds its outputs or fails with ErrConfig or
// ErrNoOutput.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"json_output: true\nstdout_output: {enabled: true}\n",
		"priority: warning\nrule_matching: all\nrules:\n  - disable: {rule: \"*\"}\n  - enable: {tag: network}\n",
		"file_output: {enabled: true, filename: /dev/null, keep_alive: true}\nprogram_output: {enabled: true, program: cat}\n",
		"http_output: {enabled: true, url: \"http://127.0.0.1:1/\", insecure: true, ca_cert: \"\", mtls: false}\n",
		"append_output:\n  - match: {source: syscall, tags: [a]}\n    extra_output: \"x=%proc.name\"\n  - suggested_output: true\n",
		"syslog_output: {enabled: true, network: udp, address: \"127.0.0.1:514\"}\noutput_timeout: 2000\n",
		"rules_files: [/etc/falco/falco_rules.yaml, /etc/falco/rules.d]\n",
		"- a\n- b\n", "{{{", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig("fuzz.yaml", data)
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v does not wrap ErrConfig", err)
			}
			return
		}
		c.HTTPOutput.CACert, c.HTTPOutput.CABundle, c.HTTPOutput.CAPath = "", "", "" // no file reads
		c.HTTPOutput.MTLS = false
		sinks, err := c.Sinks(io.Discard)
		if err != nil && !errors.Is(err, ErrConfig) && !errors.Is(err, ErrNoOutput) {
			t.Fatalf("sinks: %v", err)
		}
		for _, s := range sinks {
			s.Close()
		}
		c.Format(testAlert(1))
		c.LoaderOptions()
	})
}
