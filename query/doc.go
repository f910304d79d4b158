// Package query will own the one filter engine: the sysdig/Falco filter
// grammar, the field registry and the evaluation of compiled filters over
// the columnar blocks of package format (event-type sets in a filter select
// blocks through package index). It is built in the filter issue.
package query
