package table

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"forensics/query"
	"forensics/query/fields"
)

// DefaultAuditColumns are the fields of the audit_events table when no
// column list is given: who did what to which object, with what answer,
// and jevt.obj, the whole event as JSON, for anything else (SQLite's
// json_extract and DuckDB's json functions read it).
var DefaultAuditColumns = []string{
	"evt.num", "evt.rawtime", "ka.auditid", "ka.stage", "ka.verb", "ka.uri",
	"ka.user.name", "ka.user.groups", "ka.impuser.name", "ka.sourceips", "ka.useragent",
	"ka.target.resource", "ka.target.subresource", "ka.target.namespace", "ka.target.name",
	"ka.response.code", "ka.response.reason", "ka.auth.decision", "ka.auth.reason",
	"jevt.obj",
}

// NewAuditTables returns the schema of the audit_events table for the
// k8s_audit field columns cols (nil: DefaultAuditColumns).
func NewAuditTables(cols []Column) (*Tables, error) {
	if cols == nil {
		var err error
		if cols, err = fieldColumns(DefaultAuditColumns, fields.K8sAudit()); err != nil {
			return nil, err
		}
	}
	return &Tables{AuditColumns: cols, Audit: Schema(AuditEvents, cols)}, nil
}

// ScanAudit reads the selected events of an audit input (an audit log, a
// directory of them, or a capture of audit events; see query.RunAudit)
// into record batches of the audit_events table and hands each to emit,
// which owns it. The events are those `forensics query` prints for the
// same opts.Audit. A batch holds the events of one UTC hour (Batch.Hour);
// Host is empty, since an audit event belongs to a cluster, not a host.
func ScanAudit(ctx context.Context, input string, t *Tables, opts Options, emit func(*Batch) error) error {
	if t.Audit == nil {
		return nil
	}
	mem := opts.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	maxRows := opts.BatchRows
	if maxRows <= 0 {
		maxRows = 1 << 16
	}
	b := newBuilder(mem, t.Audit, t.AuditColumns)
	defer b.release()
	var hour int64 = -1
	flush := func() error {
		n := b.n
		rec := b.finish()
		if rec == nil {
			return nil
		}
		if err := emit(&Batch{Table: AuditEvents, Hour: time.Unix(hour*3600, 0).UTC(), Rec: rec}); err != nil {
			return err
		}
		if opts.Progress != nil {
			opts.Progress(n)
		}
		return nil
	}
	_, err := query.RunAudit(ctx, input, opts.Audit, func(fc *fields.Ctx) error {
		if h := int64(fc.Ev.Ts / uint64(time.Hour)); h != hour || b.n >= maxRows {
			if err := flush(); err != nil {
				return err
			}
			hour = h
		}
		b.append(fc, nil)
		return nil
	})
	if err == nil {
		err = flush()
	}
	return err
}

// auditScan is ScanAudit of input.
func auditScan(input string) scanFunc {
	return func(ctx context.Context, t *Tables, opts Options, emit func(*Batch) error) error {
		return ScanAudit(ctx, input, t, opts, emit)
	}
}
