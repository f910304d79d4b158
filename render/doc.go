// Package render prints an event's parameters as sysdig 0.29.3 does: the
// evt.args / evt.info text ("fd=3(<f>/etc/passwd) flags=4097(O_RDONLY|
// O_CLOEXEC) "), one parameter as evt.arg.NAME or evt.rawarg.NAME, and the
// evt.type name.
//
// What sysdig resolves from its state (the fd table, thread names, users)
// the caller supplies through a [Resolver]; the event's own fd enrichment
// (event.Event.FD) is used directly.
//
// The rendering rules follow libsinsp's get_param_as_str and render_fd of
// the 2022 libs that sysdig 0.29.3 is built on (see
// docs/sinsp-state-facts.md §8 and shared/reference/chisels.md §4):
//
//   - every parameter prints as "name=value " or "name=value(resolved) ",
//     so the text ends with a space; generic "syscall" events print nothing;
//     only the parameters recorded with the event print (event.Recorded);
//   - an empty parameter prints NULL;
//   - flags and enums print their decimal value and the names found by
//     walking the table in libs' declaration order ([AppendFlagNames]);
//     0.29.3 has no ENUMFLAGS type, so enum tables use the same walk;
//   - integer formats (hex, octal) and the few parameters whose type or name
//     differ between 0.29.3 and our event table come from data/params.tsv.
//
// The tables (flags, errno and signal names, syscall names, DYN
// alternatives) are data files in data/, turned into data_gen.go by
// internal/gendata (go generate).
package render

//go:generate go run ./internal/gendata -dir data -out data_gen.go
