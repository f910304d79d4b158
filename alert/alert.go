package alert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"forensics/query/fields"
	"forensics/rules"
)

// Alert is one rule match.
type Alert struct {
	Time     uint64 // event time, ns since the epoch
	Rule     string
	Priority rules.Priority
	Source   string
	Tags     []string
	Hostname string
	// Output is the text line: "<time>: <Priority> <rule output>".
	Output string
	// Fields is the output_fields JSON object: evt.time (integer ns) and
	// each %field token of the output, keys sorted, null when missing.
	Fields json.RawMessage
}

// Builder builds alerts; it is not safe for concurrent use.
type Builder struct {
	hostname string
	timeExt  fields.Extractor
	buf      []byte
}

// NewBuilder returns a Builder for alerts of a host. iso8601 prints the
// text time as %evt.time.iso8601 (falco.yaml time_format_iso_8601)
// instead of %evt.time.
func NewBuilder(hostname string, iso8601 bool) (*Builder, error) {
	name := "evt.time"
	if iso8601 {
		name = "evt.time.iso8601"
	}
	b, err := fields.Syscall().Lookup(name, "", false)
	if err != nil {
		return nil, fmt.Errorf("alert time: %w", err)
	}
	return &Builder{hostname: hostname, timeExt: b.Ext}, nil
}

// Build makes the alert of rule r matching the event in c.
func (b *Builder) Build(r *rules.Rule, c *fields.Ctx) *Alert {
	a := &Alert{Time: c.Ev.Ts, Rule: r.Name, Priority: r.Priority, Source: r.Source, Tags: r.Tags, Hostname: b.hostname}
	b.buf = b.buf[:0]
	if v, ok := b.timeExt(c); ok {
		b.buf = append(b.buf, v.String()...)
	}
	b.buf = append(b.buf, ": "...)
	b.buf = append(b.buf, r.Priority.String()...)
	b.buf = append(b.buf, ' ')
	b.buf = r.AppendOutput(b.buf, c)
	a.Output = string(b.buf)
	b.buf = r.AppendOutputFields(b.buf[:0], c)
	a.Fields = sortedFields(b.buf, c.Ev.Ts)
	return a
}

// sortedFields adds evt.time and sorts the keys, as Falco's JSON library
// prints them.
func sortedFields(obj []byte, ts uint64) json.RawMessage {
	m := map[string]json.RawMessage{}
	_ = json.Unmarshal(obj, &m) // the printer's own output: valid
	m["evt.time"], _ = json.Marshal(ts)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out bytes.Buffer
	out.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			out.WriteByte(',')
		}
		writeJSON(&out, k)
		out.WriteByte(':')
		out.Write(m[k])
	}
	out.WriteByte('}')
	return out.Bytes()
}

func writeJSON(buf *bytes.Buffer, v any) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	buf.Truncate(buf.Len() - 1) // Encode's newline
}

// JSONOptions are falco.yaml's json_include_* keys.
type JSONOptions struct {
	NoOutput       bool // json_include_output_property: false
	NoTags         bool // json_include_tags_property: false
	NoOutputFields bool // json_include_output_fields_property: false
}

// JSON renders the alert as Falco's JSON object (keys sorted), without a
// newline.
func (a *Alert) JSON(o JSONOptions) []byte {
	type out struct {
		Hostname     string          `json:"hostname"`
		Output       *string         `json:"output,omitempty"`
		OutputFields json.RawMessage `json:"output_fields,omitempty"`
		Priority     string          `json:"priority"`
		Rule         string          `json:"rule"`
		Source       string          `json:"source"`
		Tags         *[]string       `json:"tags,omitempty"`
		Time         string          `json:"time"`
	}
	v := out{Hostname: a.Hostname, Priority: a.Priority.String(), Rule: a.Rule, Source: a.Source,
		Time: time.Unix(0, int64(a.Time)).UTC().Format("2006-01-02T15:04:05.000000000Z")}
	if !o.NoOutput {
		v.Output = &a.Output
	}
	if !o.NoOutputFields {
		v.OutputFields = a.Fields
	}
	if !o.NoTags {
		tags := a.Tags
		if tags == nil {
			tags = []string{}
		}
		v.Tags = &tags
	}
	var buf bytes.Buffer
	writeJSON(&buf, v)
	return buf.Bytes()
}
