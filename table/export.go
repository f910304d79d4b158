package table

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"forensics/capture"
)

// Export scans the capture into a writer of format f to out and returns
// the number of event rows written. On any error, or when ctx ends, the
// output is removed: only a complete export is left behind.
func Export(ctx context.Context, c *capture.Capture, f Format, out string, t *Tables, opts Options, wopts WriteOptions) (int, error) {
	if wopts.Name == "" && len(c.Files) > 0 {
		wopts.Name = partName(c)
	}
	if OneTable(f, out) {
		if wopts.Table == Processes {
			opts.NoEvents = true
		} else {
			opts.NoProcesses = true
		}
	}
	return export(ctx, captureScan(c), f, out, t, opts, wopts)
}

// ExportAudit is Export for an audit input (see ScanAudit): the
// audit_events table of t, NewAuditTables. It returns the number of audit
// event rows written.
func ExportAudit(ctx context.Context, input string, f Format, out string, t *Tables, opts Options, wopts WriteOptions) (int, error) {
	if wopts.Name == "" {
		wopts.Name = partValue(strings.TrimSuffix(filepath.Base(input), filepath.Ext(input)))
	}
	return export(ctx, auditScan(input), f, out, t, opts, wopts)
}

// export scans into a writer of format f to out.
func export(ctx context.Context, scan scanFunc, f Format, out string, t *Tables, opts Options, wopts WriteOptions) (int, error) {
	w, err := Create(f, out, t, wopts)
	if err != nil {
		return 0, err
	}
	n := 0
	err = scanTo(ctx, scan, t, opts, func(b *Batch) error {
		if b.Table == Events || b.Table == AuditEvents {
			n += int(b.Rec.NumRows())
		}
		return w.Write(b)
	})
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		w.Abort()
		return n, err
	}
	if err := w.Close(); err != nil {
		return n, err
	}
	return n, nil
}

// partName names a capture's files in a partitioned export: its rotation
// set id and the sequence number of its first file, so re-exporting a
// capture replaces its files and other captures' stay.
func partName(c *capture.Capture) string {
	h := c.Files[0].Header
	id := h.SetID
	if id == "" {
		id = "capture"
	}
	return fmt.Sprintf("%s-%06d", partValue(id), h.Seq)
}
