package alert

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"forensics/rules"
)

// Config is the part of falco.yaml that replay honours; other keys are
// ignored. Keys marked "forensics" are not Falco's.
type Config struct {
	RulesFiles       []string `yaml:"rules_files"`
	RulesFile        []string `yaml:"rules_file"` // the older name
	JSONOutput       bool     `yaml:"json_output"`
	JSONIncludeOut   *bool    `yaml:"json_include_output_property"`
	JSONIncludeTags  *bool    `yaml:"json_include_tags_property"`
	JSONIncludeField *bool    `yaml:"json_include_output_fields_property"`
	TimeISO8601      bool     `yaml:"time_format_iso_8601"`
	Priority         string   `yaml:"priority"`
	RuleMatching     string   `yaml:"rule_matching"`
	OutputTimeout    int      `yaml:"output_timeout"` // ms: how long Close waits for failing channels
	Rules            []map[string]struct {
		Rule string `yaml:"rule"`
		Tag  string `yaml:"tag"`
	} `yaml:"rules"`
	AppendOutput []struct {
		Match struct {
			Source string   `yaml:"source"`
			Rule   string   `yaml:"rule"`
			Tags   []string `yaml:"tags"`
		} `yaml:"match"`
		ExtraOutput     string `yaml:"extra_output"`
		SuggestedOutput bool   `yaml:"suggested_output"`
	} `yaml:"append_output"`
	StdoutOutput struct {
		Enabled bool `yaml:"enabled"`
	} `yaml:"stdout_output"`
	FileOutput struct {
		Enabled   bool   `yaml:"enabled"`
		Filename  string `yaml:"filename"`
		KeepAlive bool   `yaml:"keep_alive"`
	} `yaml:"file_output"`
	SyslogOutput struct {
		Enabled bool   `yaml:"enabled"`
		Network string `yaml:"network"` // forensics: "", udp, tcp, unixgram
		Address string `yaml:"address"` // forensics: host:port or socket path
		Tag     string `yaml:"tag"`     // forensics: default "forensics"
	} `yaml:"syslog_output"`
	ProgramOutput struct {
		Enabled   bool   `yaml:"enabled"`
		Program   string `yaml:"program"`
		KeepAlive bool   `yaml:"keep_alive"`
	} `yaml:"program_output"`
	HTTPOutput HTTPConfig `yaml:"http_output"`
}

// DefaultConfig is what replay does without a configuration file: text
// alerts on stdout, every rule, first match per event.
func DefaultConfig() *Config {
	c := &Config{}
	c.StdoutOutput.Enabled = true
	return c
}

// LoadConfig reads a falco.yaml.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return ParseConfig(path, data)
}

// ParseConfig parses falco.yaml content; name is used in errors.
func ParseConfig(name string, data []byte) (*Config, error) {
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(c); err != nil && err != io.EOF {
		return nil, fmt.Errorf("%w: %s: %w", ErrConfig, name, err)
	}
	if _, err := c.Selection(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrConfig, name, err)
	}
	return c, nil
}

// Files returns rules_files (or rules_file).
func (c *Config) Files() []string {
	if len(c.RulesFiles) > 0 {
		return c.RulesFiles
	}
	return c.RulesFile
}

// Selection returns the rule selection of priority, rule_matching and
// rules.
func (c *Config) Selection() (rules.Selection, error) {
	sel := rules.Selection{MinPriority: rules.Debug}
	if c.Priority != "" {
		p, err := rules.ParsePriority(c.Priority)
		if err != nil {
			return sel, fmt.Errorf("priority: %w", err)
		}
		sel.MinPriority = p
	}
	switch strings.ToLower(c.RuleMatching) {
	case "", "first":
	case "all":
		sel.Matching = rules.MatchAll
	default:
		return sel, fmt.Errorf("rule_matching: %q is neither first nor all", c.RuleMatching)
	}
	for i, entry := range c.Rules {
		for k, v := range entry {
			var en bool
			switch k {
			case "enable":
				en = true
			case "disable":
			default:
				return sel, fmt.Errorf("rules[%d]: %q is neither enable nor disable", i, k)
			}
			sel.Steps = append(sel.Steps, rules.Step{Enable: en, Rule: v.Rule, Tag: v.Tag})
		}
	}
	return sel, nil
}

// LoaderOptions returns the append_output entries for the rules loader.
func (c *Config) LoaderOptions() rules.Options {
	var o rules.Options
	for _, a := range c.AppendOutput {
		o.AppendOutput = append(o.AppendOutput, rules.AppendOutput{Source: a.Match.Source, Rule: a.Match.Rule,
			Tags: a.Match.Tags, ExtraOutput: a.ExtraOutput, Suggested: a.SuggestedOutput})
	}
	return o
}

// JSONOptions returns the json_include_* keys.
func (c *Config) JSONOptions() JSONOptions {
	off := func(b *bool) bool { return b != nil && !*b }
	return JSONOptions{NoOutput: off(c.JSONIncludeOut), NoTags: off(c.JSONIncludeTags), NoOutputFields: off(c.JSONIncludeField)}
}

// Format renders an alert as the channels print it: JSON with
// json_output, the text line otherwise.
func (c *Config) Format(a *Alert) []byte {
	if c.JSONOutput {
		return a.JSON(c.JSONOptions())
	}
	return []byte(a.Output)
}

// DrainTimeout is output_timeout, default 30 s.
func (c *Config) DrainTimeout() time.Duration {
	if c.OutputTimeout > 0 {
		return time.Duration(c.OutputTimeout) * time.Millisecond
	}
	return 30 * time.Second
}

// Sinks builds the enabled channels in Falco's order: file, stdout,
// syslog, program, http.
func (c *Config) Sinks(stdout io.Writer) ([]Sink, error) {
	var out []Sink
	if c.FileOutput.Enabled {
		if c.FileOutput.Filename == "" {
			return nil, fmt.Errorf("%w: file_output is enabled without a filename", ErrConfig)
		}
		out = append(out, NewFileSink(c.FileOutput.Filename, c.FileOutput.KeepAlive))
	}
	if c.StdoutOutput.Enabled {
		out = append(out, NewWriterSink("stdout", stdout))
	}
	if c.SyslogOutput.Enabled {
		tag := c.SyslogOutput.Tag
		if tag == "" {
			tag = "forensics"
		}
		out = append(out, NewSyslogSink(c.SyslogOutput.Network, c.SyslogOutput.Address, tag))
	}
	if c.ProgramOutput.Enabled {
		if strings.TrimSpace(c.ProgramOutput.Program) == "" {
			return nil, fmt.Errorf("%w: program_output is enabled without a program", ErrConfig)
		}
		out = append(out, NewProgramSink(c.ProgramOutput.Program, c.ProgramOutput.KeepAlive))
	}
	if c.HTTPOutput.Enabled {
		h, err := NewHTTPSink(c.HTTPOutput, c.JSONOptions())
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	if len(out) == 0 {
		return nil, ErrNoOutput
	}
	return out, nil
}
