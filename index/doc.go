// Package index owns the per-block summary of a capture file and the choice
// of which blocks a read must decode.
//
// Each block of a capture file has one [BlockInfo]: where its frame lies,
// its event numbers and time span, the set of event types it holds and the
// head of the digest chain after it. A reader asks [Index.Select] for the
// blocks that can hold events of a time range and of a set of types; the
// rest are never read. The summaries are written into the file's footer
// (see package format) and rebuilt from the blocks by repair.
//
// Encoding of the index body (all integers unsigned varints unless noted):
//
//	+---------+---------------------------------------------------------+
//	| version | count | entry 0 | entry 1 | ...                          |
//	+---------+---------------------------------------------------------+
//	entry:  offset size rawsize seq firstnum count firstts
//	        (lastts-firstts) flags ntypewords typewords(u64 LE)... digest[32]
//
// Unknown trailing bytes of an entry are not allowed; a newer layout bumps
// the version.
package index
