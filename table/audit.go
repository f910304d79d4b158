package table

import (
	"context"

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
	mem, maxRows := opts.alloc()
	b := newBuilder(mem, t.Audit, t.AuditColumns)
	defer b.release()
	hb := &hourBatches{b: b, table: AuditEvents, maxRows: maxRows, emit: emit, progress: opts.Progress}
	_, err := query.RunAudit(ctx, input, opts.Audit, hb.add)
	if err == nil {
		err = hb.flush()
	}
	return err
}

// auditScan is ScanAudit of input.
func auditScan(input string) scanFunc {
	return func(ctx context.Context, t *Tables, opts Options, emit func(*Batch) error) error {
		return ScanAudit(ctx, input, t, opts, emit)
	}
}
