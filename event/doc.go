// Package event is the event model that every part of forensics shares: the
// recorder produces these events, the scap importer converts to them, the
// capture format stores them and every query, chisel and rule reads them.
//
// The model follows sysdig's (falcosecurity/libs) so that sysdig's filters,
// fields and output apply unchanged:
//
//   - An [Event] has a number, a timestamp, a CPU, a thread id, a [Type]
//     (the ppm_event_code of the libs event table), a direction derived from
//     the type (even = enter ">", odd = exit "<") and its parameters.
//   - Parameters are kept as the raw bytes that the libs drivers and the
//     .scap format use for each [ParamType] (integers little-endian,
//     strings NUL-terminated, socket addresses packed). Keeping the wire
//     encoding makes import and export to .scap lossless; [Info] gives the
//     name and type of each parameter, and the typed accessors decode them.
//   - State that sysdig derives while reading (the fd's name, type and
//     connection tuple) is resolved once, when the event is recorded or
//     imported, and stored with the event as its [FD]. The process that
//     issued the event is named by a [ProcKey] into the capture's process
//     table of [Process] incarnations.
//
// The event table ([Lookup]) is the vocabulary: ids, names and parameter
// layouts from ../shared/reference/events.md, i.e. from libs' event_table.c.
package event
