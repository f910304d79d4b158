// Package state is the one process, fd and user state machine of forensics:
// the recorder runs it over the events it captures and the scap importer
// over the events it reads, so both store the same enrichment.
//
// A Machine starts from a snapshot (the PL, FDL and UL blocks of a .scap
// file, or a walk of /proc) and follows every event: clone, fork and vfork
// create threads, execve starts a new process incarnation, open, socket,
// accept, pipe, dup and their kin add fds, close removes them, connect and
// bind give sockets their addresses, chdir, setuid and friends change a
// thread, procexit ends it. For each event it fills in, once and for good,
// what sysdig would derive while reading: the fd the event refers to
// (number, type, name, connection tuple) and the process incarnation that
// issued it (event.ProcKey). New and changed incarnations are reported so
// the capture writer can store them, and Snapshot gives the state at any
// moment, for the start of a new capture file or an export to .scap.
//
// Old captures split a syscall between an enter and an exit event. The
// machine keeps each thread's last enter event and completes the exit with
// the parameters it lacks, as current drivers write them (event.Event's
// Merged counts them), and reads its state changes from both.
package state
