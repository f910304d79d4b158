// Package index owns the per-block summary of a capture file and the choice
// of which blocks a read must decode.
//
// Each block of a capture file has one [BlockInfo]: where its frame lies,
// its event numbers and time span, the set of event types it holds, the
// names of the processes whose events it holds and the head of the digest
// chain after it. A reader asks [Index.Select] for the blocks that can hold
// events of a time range, of a set of types and of a set of process names;
// the rest are never read. The summaries are written into the file's footer
// (see package format) and rebuilt from the blocks by repair.
//
// Encoding of the index body (all integers unsigned varints unless noted):
//
//	+---------+-------+---------+---------+-----+-------+
//	| version | count | entry 0 | entry 1 | ... | names |
//	+---------+-------+---------+---------+-----+-------+
//	entry:  offset size rawsize seq firstnum count firstts
//	        (lastts-firstts) flags ntypewords typewords(u64 LE)... digest[32]
//	names:  0                                  (no process-name summary)
//	      | 1 ndict (len bytes)... per block: n id0 (id-previd)...
//
// Version 1 bodies end after the entries.
// Unknown trailing bytes of an entry are not allowed; a newer layout bumps
// the version.
package index
