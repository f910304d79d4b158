// Command scrub prepares a recorded capture for the repository: it keeps
// every event, but cuts the process table and the state snapshot to the
// processes the events refer to and their ancestors up to the process
// ROOT (the recording script), and clears the machine id, so a sample
// recorded on a shared machine does not carry the command lines of
// everything else that ran there. record-incident.sh runs it:
//
//	go run ./samples/internal/scrub IN OUT ROOT
package main

import (
	"fmt"
	"os"
	"strconv"

	"forensics/event"
	"forensics/format"
	"forensics/index"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: scrub IN OUT ROOT")
		os.Exit(2)
	}
	root, err := strconv.ParseInt(os.Args[3], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scrub: ROOT:", err)
		os.Exit(2)
	}
	if err := scrub(os.Args[1], os.Args[2], root); err != nil {
		fmt.Fprintln(os.Stderr, "scrub:", err)
		os.Exit(1)
	}
}

func scrub(in, out string, root int64) error {
	f, err := format.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	procs := map[event.ProcKey]*event.Process{}
	for i := range f.Processes() {
		p := &f.Processes()[i]
		procs[p.Key] = p
	}
	if s := f.Snapshot; s != nil {
		for i := range s.Processes {
			if _, ok := procs[s.Processes[i].Key]; !ok {
				procs[s.Processes[i].Key] = &s.Processes[i]
			}
		}
	}
	keep := map[event.ProcKey]bool{}
	var mark func(k event.ProcKey)
	mark = func(k event.ProcKey) {
		for k != 0 && !keep[k] {
			keep[k] = true
			p := procs[k]
			if p == nil || p.Pid == root {
				return
			}
			k = p.ParentKey
		}
	}
	it, err := f.Iter(index.Selection{})
	if err != nil {
		return err
	}
	var ev event.Event
	for it.Next(&ev) {
		mark(ev.Proc)
	}
	if err := it.Err(); err != nil {
		return err
	}
	// Ancestors by thread id too: the snapshot's processes have no
	// ParentKey links to each other.
	byTid := map[int64]event.ProcKey{}
	for k, p := range procs {
		if p.ExitTs == 0 || byTid[p.Tid] == 0 {
			byTid[p.Tid] = k
		}
	}
	for changed := true; changed; {
		changed = false
		for k := range keep {
			if p := procs[k]; p != nil && p.Pid != root {
				if pk := byTid[p.PTid]; pk != 0 && !keep[pk] {
					mark(pk)
					changed = true
				}
			}
		}
	}
	h := *f.Header
	h.Host.MachineID = ""
	snap := &event.Snapshot{}
	if s := f.Snapshot; s != nil {
		snap.Users, snap.Groups = s.Users, s.Groups
		for _, p := range s.Processes {
			if keep[p.Key] {
				snap.Processes = append(snap.Processes, p)
			}
		}
		for _, l := range s.FDs {
			if keep[l.Proc] {
				snap.FDs = append(snap.FDs, l)
			}
		}
	}
	w, err := format.Create(out, h, snap, nil)
	if err != nil {
		return err
	}
	for _, p := range f.Processes() {
		if keep[p.Key] {
			if err := w.PutProcess(&p); err != nil {
				return err
			}
		}
	}
	it, err = f.Iter(index.Selection{})
	if err != nil {
		return err
	}
	for it.Next(&ev) {
		if err := w.Write(&ev); err != nil {
			return err
		}
	}
	if err := it.Err(); err != nil {
		return err
	}
	w.SetDrops(f.Drops)
	return w.Close()
}
