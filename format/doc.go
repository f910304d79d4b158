// Package format writes and reads forensics capture files.
//
// A capture file is a sequence of zstd frames, so `zstd -t` checks it and
// `zstd -d` decompresses it (into the concatenated blocks). Metadata lives
// in skippable frames, events in independent data frames, a few per block:
//
//	offset 0
//	+---------------------------------------------------------------+
//	| skippable 0x184D2A50  FHDR  header: "FORENSIC", major u16,    |
//	|                             minor u16, set id, seq, start,    |
//	|                             first event number, host          |
//	| skippable 0x184D2A50  SNAP  state at the file's start         |
//	|                             (processes, fds, users, groups),  |
//	|                             zstd-compressed                   |
//	+---------------------------------------------------------------+
//	| skippable 0x184D2A50  BMRK  block marker: seq, first number,  |
//	|                             count, time span, frame size      |
//	| zstd frames 0xFD2FB528      block 0, in parts (see below)     |
//	| ... one marker and one block per flush ...                    |
//	+---------------------------------------------------------------+
//	| skippable 0x184D2A50  PROC  process table (zstd): records,    |
//	|                             then their shared cgroup lists    |
//	| skippable 0x184D2A50  INDX  block index, event-type counts,   |
//	|                             drops, chain head (zstd)          |
//	| skippable 0x184D2A5E        zstd seekable-format seek table:  |
//	|                             every frame's compressed and      |
//	|                             decompressed size, then           |
//	|                             nframes u32, 0x00, 0x8F92EAB1     |
//	+---------------------------------------------------------------+
//
// Every metadata frame's payload is kind[4] flags u8 crc32c u32 body; flag
// 1 means the body is zstd-compressed. A reader finds the footer from the
// last 9 bytes; a file without one (its writer died) is read by walking
// the frames, which the markers make cheap and exact, and Repair writes
// the footer back.
//
// A block, once decompressed, is columnar:
//
//	+------+---------+-------------------------------------------------+
//	| FBLK | ver u8  | seq, first number, count, first ts, ts span,    |
//	|      |         | drops, (type, count)..., nprocs, prev digest[32]|
//	|      |         | nparts                                          |
//	+------+---------+-------------------------------------------------+
//	| ncols | (column id, encoding u8, values, bytes, part) ...        |
//	+------------------------------------------------------------------+
//	| core columns, one value per event: num ts cpu tid type flags     |
//	|   proc nparams fd.num fd.type fd.role fd.openflags fd.dev fd.ino |
//	|   fd.name fd.tuple                                               |
//	| parameter columns, one per (event type, parameter index), dense  |
//	|   over the block's events of that type                           |
//	| bulky parameter columns (I/O buffers, argv, env), process records|
//	+------------------------------------------------------------------+
//
// and compressed in parts, each its own zstd frame, so that a reader
// decompresses only what it reads (a count of files by name needs neither
// the times nor the processes nor the scheduler events' parameters):
//
//	| BMRK | part 0: header, directory,   | part 1 | part 2 | ... |
//	|      | type, tid, fd number, ...    | ts cpu | proc   |     |
//	        \_____________________ one block _________________/
//
// The directory gives each column's part; the columns go in part order,
// so the parts decompressed one after the other (what `zstd -d` writes)
// are the whole block. The parts are, of those present, in this order:
// the core (event number, type, flags, parameter counts, thread, fd number
// and type), time and cpu, process incarnations, fd names, fd tuples and
// roles, the columns few readers read (open flags, devices, inodes, merged
// parameter counts), parameters, the scheduler events' parameters, bulky
// parameters and process records. Each part is listed in the seek table.
//
// Integer columns are stored as a constant, an arithmetic progression, or
// zigzag varints of the values or of their differences, whichever is
// smallest; but a column of at most 4,096 distinct values whose varints
// are not all one byte (threads, processes, event types, fd numbers) is
// stored as a dictionary of its values with a one- or two-byte index per
// event, so that a reader finds any row's value at once instead of
// summing differences up to it. Threads and processes, when they pair up
// (a thread has one process incarnation or a few), are one dictionary of
// (thread, process) pairs: the thread column indexes the pairs, and the
// process column is only the pairs' processes.
//
// Byte columns are dictionary-encoded (always for fd names and tuples, so
// a filter compares each distinct name once per block), stored plainly,
// or, when every value is 1, 2, 4 or 8 bytes, as integers. A dictionary
// of up to 256 entries, and that of fd names and tuples up to 65,536,
// indexes its values with one or two bytes each, so a reader finds a
// row's entry without decoding the indexes before it.
//
// A reader decodes a column only when it is asked for. Block.Event reads
// the integer columns through cursors that skip to the rows asked for, so
// printing a few events of a block does not decode its columns whole
// (Block.Whole does, for readers that pass over the rows many times).
//
// Integrity: zstd's content checksum covers each block. Each block carries
// the chain digest of the block before it, SHA-256(previous digest ||
// previous block's frame bytes); the index keeps every block's digest and
// the footer the last one, so Verify detects a removed, reordered or
// altered block. Event numbers and block sequence numbers are contiguous,
// so a lost block's events are counted.
//
// Versioning: readers accept any minor version of their major version and
// refuse another major with ErrVersion. Records gain fields only at their
// end; readers skip what they do not know. 1.1 stores each distinct cgroup
// list of the footer's process table once, after the records, which name
// it by number (see appendProcTable); a 1.0 reader sees those records
// without cgroups. 1.2 writes blocks of layout 2, which adds the integer
// dictionary and fixed-width dictionary indexes; a 1.1 reader refuses
// those blocks with ErrVersion. 1.3 writes blocks of layout 3, in parts;
// a 1.2 reader refuses them too.
package format
