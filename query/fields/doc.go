// Package fields is the one field registry of forensics: every field a
// filter, an output format, a chisel or a rule can name (evt.*, proc.*,
// thread.*, fd.*, user.*, group.*, container.*, fs.path.* for the syscall
// source), with its type, its description and how to extract its value
// from an event.
//
// A field is looked up by name as libsinsp does: the longest registered
// name that is a prefix of the token wins and the rest is its argument
// (evt.arg.fd is evt.arg with argument "fd"); a bracketed argument
// (proc.aname[2], proc.env[HOME]) is the other form. Extraction reads the
// event, its stored fd enrichment, and the capture's process, user and
// group tables through a Ctx; a value that cannot be known is reported as
// missing, and prints as <NA>.
package fields
