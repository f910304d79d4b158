// Package scap reads and writes the .scap capture files of sysdig and
// Falco (libscap's savefile format), block by block: the metadata of each
// section as plain structs and the events as raw parameter bytes. It keeps
// no process or fd state; that is the importer's job.
//
// A stream is gzip-compressed (1f 8b) or plain. Inside, pcapng-style
// blocks follow each other, all integers little-endian:
//
//	block:   +---------+----------+---------------------+---------+---------+
//	         | type u32| total u32| body                | pad 0-3 | total   |
//	         +---------+----------+---------------------+---------+---------+
//	         total = roundup4(8 + len(body) + 4), a multiple of 4, >= 12
//
//	stream:  SHB  MI  IL  UL  PL  FDL FDL ...  EV EV EV ...  [SHB ... again]
//	         `--------- section metadata ----'  `-- events --'
//
//	SHB 0x0A0D0D0A  magic 0x1A2B3C4D u32, major u16 (1), minor u16 (0..2),
//	                section_length i64 (-1), [pcapng options]
//	MI  0x201       num_cpus u32, memory u64, max_pid u64, hostname[128],
//	                boot_ts u64, flags u64, reserved u64 x2   (180 bytes)
//	IL  0x205/0x219 per address: [entry_len u32 (V2, excludes itself)]
//	                type u16, namelen u16, addr, netmask, bcast (4 or 16
//	                bytes each), [linkspeed u64], name
//	UL  0x206/0x220 per entry: [sub_len u32 (V2, includes itself)] type u8;
//	                user: uid u32, gid u32, name, home, shell (u16 len +
//	                bytes each); group: gid u32, name
//	PL  0x202..0x215 per thread (V1..V9, fields appended by version):
//	                [sub_len u32 (V9)] tid pid ptid [sid] [vpgid] comm exe
//	                [exepath] args cwd fdlimit flags uid gid [vm sizes,
//	                page faults] [env] [vtid vpid cgroups] [root] [V9 tail:
//	                pidns_init_start_ts tty loginuid exe_writable caps x3
//	                exe_upper_layer exe_ino ctime mtime exe_from_memfd
//	                exe_lower_layer pgid, each present if sub_len has room]
//	FDL 0x203/0x218 tid u64, then per fd: [sub_len u32 (V2)] fd u64 ino u64
//	                type u8, payload by type (name; tuple; unix ends + name;
//	                FILE_V2: open flags, name, dev)
//
//	event blocks (body):
//	  EV  0x204     cpu u16 |            ts u64 tid u64 len u32 type u16 |           lens u16[n] | params
//	  EVF 0x208     cpu u16 | flags u32 | ts  tid  len  type              |           lens u16[n] | params
//	  EV_V2 0x216   cpu u16 |            ts  tid  len  type              | nparams u32 lens u16[n] | params
//	  EVF_V2 0x217  cpu u16 | flags u32 | ts  tid  len  type              | nparams u32 lens u16[n] | params
//	  *_LARGE 0x221/0x222: like the V2 blocks with u32 lengths
//	  len counts the event header (22 or 26 bytes), the lengths and the
//	  params; v1 events have no nparams, so it is recovered from len.
//
// Reader follows libscap (../shared/reference/scap-format.md): unknown
// block ids are skipped and counted, event types at or above
// event.MaxType are skipped, a section header met among events starts a
// new section (Next returns ErrNewSection), and every error names the
// file and the offset of the block at fault in the decompressed stream.
// Writer writes scap 1.2 as current sinsp does: SHB, MI, IL_V2, UL_V2, one
// PL_V9, one FDL_V2 per fd list, then EV_V2/EVF_V2 (and *_LARGE) events.
// Copy is the raw round trip of a whole stream.
package scap
