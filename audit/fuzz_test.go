package audit

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"testing"
)

// FuzzReader: any input reads to the end without panicking; every event
// it returns is compact JSON that the Decoder reads again (EventList
// items carry no kind).
func FuzzReader(f *testing.F) {
	f.Add([]byte(ev("a", "2026-11-20T10:00:00Z") + "\n"))
	f.Add([]byte(`{"kind":"EventList","items":[` + ev("a", "2026-11-20T10:00:00Z") + `]}`))
	f.Add([]byte(`[[{"kind":"Event","stageTimestamp":"2026-11-20T10:00:00.1+01:00"}]]` + "\nnot json\n{\"kind\": 0}\n"))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(ev("z", "2026-11-20T10:00:00Z")))
	zw.Close()
	f.Add(gz.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		defer r.Close()
		for i := 0; i < 10000; i++ {
			e, err := r.Next()
			var le *LineError
			if errors.As(err, &le) {
				if le.Line < 1 {
					t.Fatalf("line %d", le.Line)
				}
				continue
			}
			if err != nil {
				if !errors.Is(err, io.EOF) && !bytes.HasPrefix(data, gzipMagic) {
					t.Fatalf("plain input: %v", err)
				}
				return
			}
			var d Decoder
			if _, err := d.Decode(e.Raw, e.Time); err != nil {
				t.Fatalf("event %s does not parse again: %v", e.Raw, err)
			}
		}
	})
}

// FuzzParse: a webhook body never panics the parser.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"kind":"EventList","items":[` + ev("a", "2026-11-20T10:00:00Z") + `]}`))
	f.Add([]byte(`[{"kind":"Event"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := Parse(data)
		if err == nil {
			for _, e := range evs {
				if len(e.Raw) == 0 {
					t.Fatal("empty event")
				}
			}
		}
	})
}
