// Package chisels rebuilds sysdig's chisels (its canned investigations:
// top processes, files and connections, netstat, ps, lsof, the spy_*
// printers, ...) for capture files, offline.
//
// Every chisel is one pass of the query engine: its own filter, ANDed with
// the user's, compiled by query.Compile against the syscall field
// registry and run by query.Run; the values it aggregates come from the
// registry's extractors. What a chisel adds is its aggregation and its
// output, in sysdig 0.29.3's columns and order:
//
//	capture ──query.Run(filter = chisel's AND user's)──▶ fields.Ctx
//	        ──extractors (fields.Source.Lookup)──▶ keys, values
//	        ──aggregation (table, state, printer)──▶ text or JSON
//
// The state chisels (ps, lsof, netstat, lscontainers) read the state the
// capture starts with (its snapshot of threads and fds), as sysdig does
// when it stops at the first event. The latency chisels compute each
// exit event's latency from its thread's enter event, since the capture
// stores none; a capture without enter events says so instead of
// printing zeros.
package chisels
