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
// The state chisels (ps, lsof, netstat) show the state at the first event
// the user's filter (and --since) selects, as sysdig does, which stops
// there: with neither, the capture's start snapshot of threads and fds;
// otherwise that snapshot followed by the state machine (package state)
// over the events up to that one. The latency chisels compute each
// exit event's latency from its thread's enter event, since the capture
// stores none; a capture without enter events says so instead of
// printing zeros.
package chisels
