// Package audit owns Kubernetes audit events (audit.k8s.io/v1 Event) as
// forensics reads them: the readers of audit logs, and their encoding as
// events of a capture file. Package query/fields holds the k8s_audit field
// registry over them (ka.*, jevt.*, json.*); package audit/policy
// evaluates audit policies; package audit/webhook receives them from the
// API server. ../shared/reference/k8saudit.md is the reference; its
// section numbers are cited in the code.
//
// Input (§1.2): each non-empty line of a log is one JSON value:
//
//	{"kind":"Event", ...}                     one event (log backend)
//	{"kind":"EventList","items":[{...},...]}  a batch (webhook backend)
//	[ value, value, ... ]                     any of these, nested
//
// Files may be gzip-compressed (detected by content). An event must
// carry a stageTimestamp in RFC 3339, which becomes its time. A line that
// is not JSON, not an audit event, or too long is reported with its file
// and line number (a *LineError) and skipped; reading goes on.
//
// In a capture file an audit event is a libs "pluginevent" event (type
// 322, the type Falco gives plugin events in its captures) whose
// plugin_id parameter is 1, the id registered for the k8saudit plugin,
// and whose event_data parameter is the event's compact JSON:
//
//	event.Event{Ts: stageTimestamp, Type: 322, Tid: -1,
//	            Params: [ u32 plugin_id = 1 | bytes {"kind":"Event",...} ]}
//
// so audit events and system calls live in the same kind of file.
package audit
