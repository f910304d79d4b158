package capture

import (
	"fmt"
	"sort"
	"time"

	"forensics/event"
	"forensics/format"
)

// Summary describes one capture file, or a whole capture (Total), as
// `forensics info` shows it.
type Summary struct {
	File          string       `json:"file,omitempty"`
	Format        string       `json:"format_version"`
	Complete      bool         `json:"complete"`
	SetID         string       `json:"set_id,omitempty"`
	Seq           uint64       `json:"seq,omitempty"`
	Source        string       `json:"source,omitempty"`
	Writer        string       `json:"writer,omitempty"`
	Host          *event.Host  `json:"host,omitempty"`
	Hosts         []string     `json:"hosts,omitempty"`
	First         time.Time    `json:"first_event,omitzero"`
	Last          time.Time    `json:"last_event,omitzero"`
	Duration      string       `json:"duration"`
	Events        uint64       `json:"events"`
	Blocks        int          `json:"blocks"`
	Files         int          `json:"files"`
	BytesOnDisk   int64        `json:"bytes_on_disk"`
	BytesPerEvent float64      `json:"bytes_per_event"`
	RawBytes      int64        `json:"raw_bytes"`
	Compression   float64      `json:"compression_ratio"`
	Processes     int          `json:"processes"`
	Snapshot      *SnapCounts  `json:"snapshot,omitempty"`
	Drops         format.Drops `json:"drops"`
	Types         []TypeCount  `json:"event_types"`
	Problems      []string     `json:"problems,omitempty"`
}

// SnapCounts sizes a state snapshot.
type SnapCounts struct {
	Processes int `json:"processes"`
	FDs       int `json:"fds"`
	Users     int `json:"users"`
	Groups    int `json:"groups"`
}

// TypeCount is one line of the event-type histogram.
type TypeCount struct {
	Type    string  `json:"type"`
	Dir     string  `json:"dir"`
	ID      uint16  `json:"id"`
	Count   uint64  `json:"count"`
	Percent float64 `json:"percent"`
}

// Summarize describes one file from its metadata alone.
func Summarize(f *format.File) *Summary {
	procs, _ := f.ProcTable() // counted, not decoded; a bad table counts none
	s := &Summary{File: f.Name, Complete: f.Complete, SetID: f.Header.SetID, Seq: f.Header.Seq,
		Source: f.Header.Source, Writer: f.Header.Writer, Files: 1, BytesOnDisk: f.Size,
		Blocks: len(f.Index.Blocks), Events: f.Index.Events(), Processes: procs.Len(), Drops: f.Drops}
	s.Format = versionString(f.Header)
	host := f.Header.Host
	s.Host = &host
	first, last := f.Index.Span()
	s.setSpan(first, last)
	for _, b := range f.Index.Blocks {
		s.RawBytes += int64(b.RawSize)
	}
	if snap := f.Snapshot; snap != nil {
		sc := &SnapCounts{Processes: len(snap.Processes), Users: len(snap.Users), Groups: len(snap.Groups)}
		for _, p := range snap.FDs {
			sc.FDs += len(p.FDs)
		}
		s.Snapshot = sc
	}
	counts := map[event.Type]uint64{}
	for _, tc := range f.Types {
		counts[tc.Type] += tc.Count
	}
	s.setTypes(counts)
	for _, p := range f.Problems {
		s.Problems = append(s.Problems, p.String())
	}
	s.ratios()
	return s
}

func versionString(h *format.Header) string {
	return fmt.Sprintf("%d.%d", h.Major, h.Minor)
}

func (s *Summary) setSpan(first, last uint64) {
	if first == 0 {
		s.Duration = "0s"
		return
	}
	s.First, s.Last = time.Unix(0, int64(first)).UTC(), time.Unix(0, int64(last)).UTC()
	s.Duration = s.Last.Sub(s.First).String()
}

func (s *Summary) setTypes(counts map[event.Type]uint64) {
	var total uint64
	for _, n := range counts {
		total += n
	}
	s.Types = s.Types[:0]
	for t, n := range counts {
		tc := TypeCount{Type: t.String(), Dir: t.Dir().String(), ID: uint16(t), Count: n}
		if total > 0 {
			tc.Percent = 100 * float64(n) / float64(total)
		}
		s.Types = append(s.Types, tc)
	}
	sort.Slice(s.Types, func(i, j int) bool {
		if s.Types[i].Count != s.Types[j].Count {
			return s.Types[i].Count > s.Types[j].Count
		}
		return s.Types[i].ID < s.Types[j].ID
	})
}

func (s *Summary) ratios() {
	if s.Events > 0 {
		s.BytesPerEvent = float64(s.BytesOnDisk) / float64(s.Events)
	}
	if s.BytesOnDisk > 0 {
		s.Compression = float64(s.RawBytes) / float64(s.BytesOnDisk)
	}
}

// Total adds up the summaries of a capture's files.
func Total(parts []*Summary, files []*format.File) *Summary {
	t := &Summary{Files: len(parts), Complete: true}
	counts := map[event.Type]uint64{}
	hosts := map[string]bool{}
	var first, last uint64
	for i, p := range parts {
		f := files[i]
		t.Complete = t.Complete && p.Complete
		t.Events += p.Events
		t.Blocks += p.Blocks
		t.BytesOnDisk += p.BytesOnDisk
		t.RawBytes += p.RawBytes
		t.Processes += p.Processes
		t.Drops.Kernel += p.Drops.Kernel
		t.Drops.User += p.Drops.User
		t.Problems = append(t.Problems, p.Problems...)
		if t.Format == "" {
			t.Format = p.Format
		}
		if !hosts[f.Header.Host.Hostname] {
			hosts[f.Header.Host.Hostname] = true
			t.Hosts = append(t.Hosts, f.Header.Host.Hostname)
		}
		a, b := f.Index.Span()
		if a != 0 && (first == 0 || a < first) {
			first = a
		}
		last = max(last, b)
		for _, tc := range f.Types {
			counts[tc.Type] += tc.Count
		}
	}
	t.setSpan(first, last)
	t.setTypes(counts)
	t.ratios()
	return t
}
