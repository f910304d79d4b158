// Package chisels will own sysdig's chisels rebuilt as passes of the query
// engine (top processes, files, connections, netstat, lsof, ps, spy_*,
// ...). It is built in the chisels issue.
package chisels
