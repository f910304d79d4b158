// Package table turns captures into tables: Arrow record batches, written
// to Parquet, SQLite, Arrow IPC, JSON lines and CSV, and queried with SQL.
//
// Two tables, joined by the process key:
//
//	events: one row per event             processes: one row per incarnation
//	+--------------------------------+      +--------------------------------+
//	| evt_num evt_rawtime evt_type   |      | proc_key                       |<-+
//	| thread_tid proc_pid proc_name  |      | proc_parent_key ------------------+
//	| fd_name fd_sip ... evt_info    |      | proc_start_ts proc_exit_ts     |
//	| proc_key ----------------------+----->| proc_name proc_cmdline ...     |
//	+--------------------------------+      | user_name proc_pname ...       |
//	                                        +--------------------------------+
//
// Every other column is a field of the registry (query/fields), named by
// its token with '.' (and brackets) turned to '_': evt.type -> evt_type,
// proc.aname[2] -> proc_aname_2. Its value is what the field's own
// extractor returns, so it is what `forensics query -p %evt.type -o json`
// prints; missing values are nulls. The types follow the field's:
//
//	CHARBUF, IPADDR  Arrow string (UTF-8; an invalid byte becomes U+FFFD,
//	                 as query -o json prints it)     SQLite TEXT
//	INT64, RELTIME   int64 (RELTIME in ns)           INTEGER
//	UINT64           uint64                          INTEGER
//	PORT             uint16                          INTEGER
//	BOOL             bool                            INTEGER 0 or 1
//	ABSTIME          timestamp[ns] (UTC, no zone)    INTEGER ns since the epoch
//	BYTEBUF          binary                          BLOB
//	LIST             list<string>                    TEXT, a JSON array
//
// Each Arrow field's metadata holds its field token and description, and
// so do Parquet files (the stored Arrow schema) and the SQLite schema
// (comments in CREATE TABLE); testdata/schema.golden lists the columns of
// both tables. DefaultEventColumns are the events table's columns unless a
// column list (ParseColumns) says otherwise; proc_key is always added.
//
// The events of a table are the events `forensics query` prints with the
// same options: Scan takes them from query.Run, the one filter engine, and
// appends each column's value straight to its Arrow builder, with no row
// struct in between. A batch holds at most Options.BatchRows events of
// one capture file (one host) and one UTC hour, which is how a Parquet
// directory is partitioned:
//
//	OUT/events/host=web-01/hour=2026-11-26T03/SET-SEQ.parquet
//	OUT/processes/host=web-01/SET-SEQ.parquet
//
// The processes table has one row per incarnation of the files' process
// tables (one per key, from the last file that has it). Its field columns
// are extracted for an event of the incarnation at its start (at the
// capture's start for an older one), so fields that change with time, such
// as proc.pname, have their value of then.
//
// A Kubernetes audit input (an audit log, or a capture that `forensics
// audit serve` wrote) has one table of its own, audit_events: one row per
// audit event, its columns k8s_audit fields (DefaultAuditColumns: who,
// what, which object, the answer, and jevt_obj, the whole event as JSON).
// ScanAudit fills it from query.RunAudit, as `forensics query` selects
// the events, and cuts batches by hour; a Parquet directory holds it as
//
//	OUT/audit_events/hour=2026-11-26T03/NAME.parquet
//
// and SQLite indexes it on time, user, verb and resource.
//
// Writers never leave a file that looks complete when they fail: they
// write under temporary names and rename at the end (Writer).
package table
