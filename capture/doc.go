// Package capture treats the files of a capture as one: it resolves the
// CAPTURE argument of every command (a file, a directory of rotated files,
// or a glob) into files read in time order, and it writes rotation sets.
//
// A rotation set is a directory of files named
//
//	<prefix>-<seq>-<start>.zst     e.g. forensics-000042-20261126T050247Z.zst
//
// where seq counts up from 1 and continues after a restart (the writer reads
// the directory to find where it left off) and start is the UTC time of the
// file's first event. Files rotate by size, by age and by count (sysdig's
// -C, -G and -W); each file is complete on its own, with the host header
// and the state snapshot at its start.
package capture
