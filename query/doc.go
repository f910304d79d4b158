// Package query is the one filter engine of forensics: it compiles a
// sysdig/Falco filter (parsed by package query/filter) against the field
// registry (package query/fields) into a predicate, pulls out of it the
// event types it can match so that the capture index skips every other
// block, and runs it over a capture. Every command that selects events
// (query, chisels, rule replay, exports) goes through it.
package query
