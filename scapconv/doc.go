// Package scapconv converts between .scap files (sysdig, Falco) and
// forensics captures, in both directions, through the one state machine.
//
// Import reads a .scap stream with package scap, seeds a state.Machine
// with each section's process, fd and user lists, runs every event through
// it (so each event gets its fd enrichment and process key, and old exit
// events their enter parameters) and writes the events and the process
// records to a capture. Export walks a capture and writes scap 1.2: the
// machine and interface info from the header, the users, processes and fds
// of the first file's snapshot, and every event with the parameters it was
// recorded with.
package scapconv
