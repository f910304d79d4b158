// SPDX-License-Identifier: GPL-2.0-only
//
// The recorder's eBPF programs. One program on the raw syscall exit
// tracepoint captures every configured syscall: it reads the arguments from
// the task's saved registers (they still hold them at exit), the return
// value, and the user memory the arguments point to (paths, buffers,
// socket addresses), plus what only the kernel knows (the socket tuple, the
// inode of a new fd, the new program's argv, credentials and cgroups after
// execve). The scheduler's exec and exit tracepoints add the executed file
// name and the thread's exit. Records go to one ring buffer; a record that
// does not fit is counted in the drops map.
//
// A record is a fixed header followed by chunks:
//
//	+--------------------------------------------------------------+
//	| ts u64 | tid u32 | pid u32 | kind u16 | nr u16 | cpu u16 |   |
//	| size u16 | ret s64 | args[6] u64                             |  80 bytes
//	+--------------------------------------------------------------+
//	| id u8 | aux u8 | len u16 | len bytes | ... next chunk ...    |
//	+--------------------------------------------------------------+
//
// The userspace decoder (decode.go) turns a record into the libs event
// layout of its syscall. Build: go generate ./recorder (see doc.go).

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_NR 512
#define HALF (1 << 14)         // the scratch buffer is 2*HALF bytes (per-CPU values stop at 32 KiB)
#define MAX_STR 4096           // longest path or argv/env area read
#define MAX_REC (HALF - 64)    // a record never grows past this
#define HDR_SIZE 80
#define CHUNK_HDR 4
#define CG_LEVELS 8
#define CG_SUBSYS 12

// Record kinds.
#define KIND_SYSCALL 1
#define KIND_EXEC 2
#define KIND_EXIT 3

// Argument kinds (conf.kind[i]).
#define ARG_NONE 0
#define ARG_STR 1          // NUL-terminated user string
#define ARG_BUF_RET 2      // user buffer of min(ret, snaplen) bytes
#define ARG_SOCKADDR 3     // user sockaddr of args[lenarg] bytes
#define ARG_INT2 4         // two ints (pipe, socketpair fds)
#define ARG_IOV 5          // iovec array: data of min(ret, snaplen) bytes
#define ARG_MSGHDR 6       // msghdr: the iovecs' data and msg_name
#define ARG_BUF_ARG 7      // user buffer of min(args[lenarg], snaplen) bytes
#define ARG_SOCKADDR_PLEN 8 // user sockaddr whose length is at *args[lenarg]

// Specials (conf.special).
#define SP_NONE 0
#define SP_FILE_RET 1  // fd = ret: dev, ino, f_mode
#define SP_SOCK_ARG0 2 // tuple of the socket fd args[0]
#define SP_SOCK_RET 3  // tuple of the socket fd ret
#define SP_EXEC 4      // the new program: task info, argv, env, cgroups
#define SP_CLONE 5     // the thread that returns: task info, argv
#define SP_PIPE 6      // ino of the pipe created at *args[0]

// Chunk ids 0..5 are the arguments; these are the others.
#define CH_FILE 8
#define CH_TUPLE 9
#define CH_UNIXPATH 10
#define CH_TASK 11
#define CH_ARGS 12
#define CH_ENV 13
#define CH_CGROUP 14
#define CH_FILENAME 15
#define CH_MSGNAME 16

struct conf {
	u8 on;
	u8 special;
	u8 kind[6];
	u8 lenarg[6];
	u8 pad[2];
};

struct rec {
	u64 ts;
	u32 tid;
	u32 pid;
	u16 kind;
	u16 nr;
	u16 cpu;
	u16 size;
	s64 ret;
	u64 args[6];
};

struct file_info {
	u32 dev;
	u32 mode; // f_mode
	u64 ino;
	u32 flags; // f_flags
	u32 imode; // i_mode
};

struct tuple_info {
	u16 family;
	u16 type;
	u16 sport; // host order
	u16 dport; // host order
	u8 saddr[16];
	u8 daddr[16];
	u64 sk;
	u64 peer;
};

struct task_info {
	s64 ptid;
	s64 pgid;
	s64 sid;
	s64 vtid;
	s64 vpid;
	s64 fdlimit;
	u64 cap_inh;
	u64 cap_prm;
	u64 cap_eff;
	u64 exe_ino;
	u64 exe_ctime;
	u64 exe_mtime;
	u64 start_ns; // task start, boot clock
	u32 uid;
	u32 gid;
	u32 euid;
	u32 egid;
	u32 loginuid;
	u32 tty;
	char comm[16];
};

struct scratch {
	u8 b[2 * HALF];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_NR);
	__type(key, u32);
	__type(value, struct conf);
} confs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

// drops[0] counts records the ring buffer had no room for; drops[1] the
// records cut short because the scratch buffer was full.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);
} drops SEC(".maps");

// Set at load time.
const volatile u32 snaplen = 80;
const volatile u32 self_tgid = 0;
const volatile u64 wakeup_bytes = 1 << 20;

static __always_inline struct scratch *buf(void)
{
	u32 zero = 0;
	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline void count_drop(u32 which)
{
	u64 *d = bpf_map_lookup_elem(&drops, &which);
	if (d)
		*d += 1;
}

// chunk_begin reserves a chunk header at *off and returns the data offset,
// or -1 when the record is full.
static __always_inline int room(u32 off, u32 need)
{
	return off + CHUNK_HDR + need <= MAX_REC;
}

static __always_inline void put_hdr(struct scratch *s, u32 off, u8 id, u8 aux, u16 len)
{
	u8 *p = &s->b[off & (HALF - 1)];
	p[0] = id;
	p[1] = aux;
	p[2] = len & 0xff;
	p[3] = len >> 8;
}

// add_user_str appends a user string chunk; it returns the new offset.
static __always_inline u32 add_user_str(struct scratch *s, u32 off, u8 id, const void *ptr)
{
	if (!ptr || !room(off, MAX_STR))
		return off;
	long n = bpf_probe_read_user_str(&s->b[(off + CHUNK_HDR) & (HALF - 1)], MAX_STR, ptr);
	if (n <= 0)
		return off;
	put_hdr(s, off, id, 0, n);
	return off + CHUNK_HDR + (n & (MAX_STR * 2 - 1));
}

static __always_inline u32 add_kernel_str(struct scratch *s, u32 off, u8 id, u8 aux, const void *ptr)
{
	if (!ptr || !room(off, 256))
		return off;
	long n = bpf_probe_read_kernel_str(&s->b[(off + CHUNK_HDR) & (HALF - 1)], 256, ptr);
	if (n <= 0)
		return off;
	put_hdr(s, off, id, aux, n);
	return off + CHUNK_HDR + (n & 511);
}

// add_user_buf appends n bytes of user memory (n <= MAX_STR).
static __always_inline u32 add_user_buf(struct scratch *s, u32 off, u8 id, const void *ptr, u64 n)
{
	if (!ptr)
		return off;
	if (n >= MAX_STR)
		n = MAX_STR - 1;
	if (!room(off, MAX_STR))
		return off;
	u32 len = n;
	barrier_var(len);
	len &= MAX_STR - 1;
	if (len == 0)
		return off;
	if (bpf_probe_read_user(&s->b[(off + CHUNK_HDR) & (HALF - 1)], len, ptr) != 0)
		return off;
	put_hdr(s, off, id, 0, len);
	return off + CHUNK_HDR + len;
}

static __always_inline struct file *fd_file(struct task_struct *task, s64 fd)
{
	if (fd < 0)
		return NULL;
	struct files_struct *files = BPF_CORE_READ(task, files);
	if (!files)
		return NULL;
	struct fdtable *fdt = BPF_CORE_READ(files, fdt);
	if (!fdt)
		return NULL;
	u32 max = BPF_CORE_READ(fdt, max_fds);
	if ((u64)fd >= max)
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline u32 add_file(struct scratch *s, u32 off, struct task_struct *task, s64 fd)
{
	struct file *f = fd_file(task, fd);
	if (!f || !room(off, sizeof(struct file_info)))
		return off;
	struct file_info *fi = (void *)&s->b[(off + CHUNK_HDR) & (HALF - 1)];
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	fi->ino = BPF_CORE_READ(ino, i_ino);
	u32 kdev = BPF_CORE_READ(ino, i_sb, s_dev);
	// new_encode_dev: the user-space encoding of the kernel's dev_t.
	u32 major = kdev >> 20, minor = kdev & ((1U << 20) - 1);
	fi->dev = (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
	fi->mode = BPF_CORE_READ(f, f_mode);
	fi->flags = BPF_CORE_READ(f, f_flags);
	fi->imode = BPF_CORE_READ(ino, i_mode);
	put_hdr(s, off, CH_FILE, 0, sizeof(struct file_info));
	return off + CHUNK_HDR + sizeof(struct file_info);
}

static __always_inline u32 add_tuple(struct scratch *s, u32 off, struct task_struct *task, s64 fd)
{
	struct file *f = fd_file(task, fd);
	if (!f || !room(off, sizeof(struct tuple_info)))
		return off;
	u16 imode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((imode & 0170000) != 0140000)
		return off;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	if (!sock)
		return off;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return off;
	struct tuple_info *t = (void *)&s->b[(off + CHUNK_HDR) & (HALF - 1)];
	__builtin_memset(t, 0, sizeof(*t));
	t->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	t->type = BPF_CORE_READ(sk, sk_type);
	t->sk = (u64)sk;
	u32 next = off + CHUNK_HDR + sizeof(struct tuple_info);
	if (t->family == 2 /* AF_INET */) {
		u32 sa = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		u32 da = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(t->saddr, &sa, 4);
		__builtin_memcpy(t->daddr, &da, 4);
		t->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
		t->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	} else if (t->family == 10 /* AF_INET6 */) {
		BPF_CORE_READ_INTO(&t->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&t->daddr, sk, __sk_common.skc_v6_daddr);
		t->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
		t->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	} else if (t->family == 1 /* AF_UNIX */) {
		struct unix_sock *us = (void *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		t->peer = (u64)peer;
		put_hdr(s, off, CH_TUPLE, 0, sizeof(struct tuple_info));
		// The path is the bound name of this end or, failing that, the peer's.
		struct unix_address *ua = BPF_CORE_READ(us, addr);
		if (!ua && peer)
			ua = BPF_CORE_READ((struct unix_sock *)peer, addr);
		if (ua)
			return add_kernel_str(s, next, CH_UNIXPATH, 0, &ua->name[0].sun_path);
		return next;
	}
	put_hdr(s, off, CH_TUPLE, 0, sizeof(struct tuple_info));
	return next;
}

static __always_inline u32 add_task(struct scratch *s, u32 off, struct task_struct *task)
{
	if (!room(off, sizeof(struct task_info)))
		return off;
	struct task_info *ti = (void *)&s->b[(off + CHUNK_HDR) & (HALF - 1)];
	__builtin_memset(ti, 0, sizeof(*ti));
	ti->ptid = BPF_CORE_READ(task, real_parent, tgid);
	const struct cred *cred = BPF_CORE_READ(task, cred);
	ti->uid = BPF_CORE_READ(cred, uid.val);
	ti->gid = BPF_CORE_READ(cred, gid.val);
	ti->euid = BPF_CORE_READ(cred, euid.val);
	ti->egid = BPF_CORE_READ(cred, egid.val);
	BPF_CORE_READ_INTO(&ti->cap_inh, cred, cap_inheritable);
	BPF_CORE_READ_INTO(&ti->cap_prm, cred, cap_permitted);
	BPF_CORE_READ_INTO(&ti->cap_eff, cred, cap_effective);
	ti->loginuid = 0xffffffff;
	if (bpf_core_field_exists(task->loginuid))
		ti->loginuid = BPF_CORE_READ(task, loginuid.val);
	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	ti->fdlimit = BPF_CORE_READ(sig, rlim[7].rlim_cur); // RLIMIT_NOFILE
	struct tty_struct *tty = BPF_CORE_READ(sig, tty);
	if (tty) {
		u32 major = BPF_CORE_READ(tty, driver, major);
		u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
		// new_encode_dev, as /proc/PID/stat's tty_nr.
		ti->tty = (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
	}
	struct pid *pg = BPF_CORE_READ(sig, pids[PIDTYPE_PGID]);
	if (pg)
		ti->pgid = BPF_CORE_READ(pg, numbers[0].nr);
	struct pid *sid = BPF_CORE_READ(sig, pids[PIDTYPE_SID]);
	if (sid)
		ti->sid = BPF_CORE_READ(sid, numbers[0].nr);
	// The ids in the task's own pid namespace.
	struct pid *tp = BPF_CORE_READ(task, thread_pid);
	if (tp) {
		u32 level = BPF_CORE_READ(tp, level);
		ti->vtid = BPF_CORE_READ(tp, numbers[level & 7].nr);
	}
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	struct pid *lp = BPF_CORE_READ(leader, thread_pid);
	if (lp) {
		u32 level = BPF_CORE_READ(lp, level);
		ti->vpid = BPF_CORE_READ(lp, numbers[level & 7].nr);
	}
	ti->start_ns = BPF_CORE_READ(task, start_boottime);
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	if (exe) {
		struct inode *ino = BPF_CORE_READ(exe, f_inode);
		ti->exe_ino = BPF_CORE_READ(ino, i_ino);
		if (bpf_core_field_exists(ino->i_ctime_sec)) {
			ti->exe_ctime = BPF_CORE_READ(ino, i_ctime_sec) * 1000000000ULL + BPF_CORE_READ(ino, i_ctime_nsec);
			ti->exe_mtime = BPF_CORE_READ(ino, i_mtime_sec) * 1000000000ULL + BPF_CORE_READ(ino, i_mtime_nsec);
		}
	}
	bpf_get_current_comm(ti->comm, sizeof(ti->comm));
	put_hdr(s, off, CH_TASK, 0, sizeof(struct task_info));
	return off + CHUNK_HDR + sizeof(struct task_info);
}

// add_mm_area appends the bytes between two addresses of the task's memory
// (its argv or environment area).
static __always_inline u32 add_mm_area(struct scratch *s, u32 off, u8 id, u64 start, u64 end)
{
	if (end <= start)
		return off;
	return add_user_buf(s, off, id, (const void *)start, end - start);
}

// cg_walk is the state of the cgroup walk, one bpf_loop step at a time.
struct cg_walk {
	u64 cgs;   // struct css_set *
	u64 kn;    // struct kernfs_node * being named, 0 between subsystems
	u32 off;
	u32 sub;
	u32 level;
};

// cg_step names one cgroup of the walk: for each cgroup v1 subsystem and
// then the v2 hierarchy, the
// task's cgroup and its ancestors, leaf first (aux = subsystem << 4 |
// level), then an empty marker chunk (level 0xf) that ends the subsystem.
static long cg_step(u64 idx, struct cg_walk *w)
{
	struct scratch *s = buf();
	if (!s || w->sub > CG_SUBSYS)
		return 1;
	if (!w->kn) {
		w->level = 0;
		if (w->sub == CG_SUBSYS) {
			// Last, the cgroup v2 (default) hierarchy.
			struct css_set *cgs = (void *)w->cgs;
			struct cgroup *dfl = BPF_CORE_READ(cgs, dfl_cgrp);
			if (dfl)
				w->kn = (u64)BPF_CORE_READ(dfl, kn);
		} else {
			struct cgroup_subsys_state *css = NULL;
			u64 at = w->cgs + bpf_core_field_offset(struct css_set, subsys) + (w->sub & 15) * sizeof(void *);
			bpf_probe_read_kernel(&css, sizeof(css), (void *)at);
			if (css)
				w->kn = (u64)BPF_CORE_READ(css, cgroup, kn);
		}
		if (!w->kn) {
			w->sub++;
			return 0;
		}
	}
	struct kernfs_node *kn = (void *)w->kn;
	struct kernfs_node *parent = BPF_CORE_READ(kn, __parent);
	if (!parent || w->level >= CG_LEVELS) {
		// The root's name is not part of the path.
		if (room(w->off, 0)) {
			put_hdr(s, w->off, CH_CGROUP, (w->sub << 4) | 0xf, 0);
			w->off += CHUNK_HDR;
		}
		w->sub++;
		w->kn = 0;
		return 0;
	}
	w->off = add_kernel_str(s, w->off, CH_CGROUP, (w->sub << 4) | w->level, BPF_CORE_READ(kn, name));
	w->kn = (u64)parent;
	w->level++;
	return 0;
}

static __always_inline u32 add_cgroups(struct scratch *s, u32 off, struct task_struct *task)
{
	struct cg_walk w = {.cgs = (u64)BPF_CORE_READ(task, cgroups), .off = off};
	if (!w.cgs)
		return off;
	bpf_loop((CG_SUBSYS + 1) * (CG_LEVELS + 2), cg_step, &w, 0);
	return w.off;
}

static __always_inline void emit(struct scratch *s, u32 off)
{
	struct rec *r = (void *)s->b;
	u64 len = off;
	barrier_var(len);
	if (len > MAX_REC)
		return;
	barrier_var(len);
	len &= HALF - 1;
	r->size = len;
	u64 flags = BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, s->b, len, flags) != 0)
		count_drop(0);
}

static __always_inline struct rec *begin(struct scratch *s, u16 kind, u16 nr, s64 ret)
{
	struct rec *r = (void *)s->b;
	u64 pt = bpf_get_current_pid_tgid();
	r->ts = bpf_ktime_get_boot_ns();
	r->tid = (u32)pt;
	r->pid = pt >> 32;
	r->kind = kind;
	r->nr = nr;
	r->cpu = bpf_get_smp_processor_id();
	r->ret = ret;
	return r;
}

static __always_inline u64 arg_at(struct rec *r, u8 i)
{
	u32 k = i;
	if (k >= 6)
		return 0;
	return r->args[k];
}

static __always_inline u32 add_arg(struct scratch *s, u32 off, struct rec *r, struct conf *c, int i)
{
	u8 kind = c->kind[i];
	const void *p = (const void *)r->args[i];
	u64 n;
	switch (kind) {
	case ARG_STR:
		return add_user_str(s, off, i, p);
	case ARG_BUF_RET:
		if (r->ret <= 0)
			return off;
		n = r->ret < snaplen ? r->ret : snaplen;
		return add_user_buf(s, off, i, p, n);
	case ARG_BUF_ARG:
		n = arg_at(r, c->lenarg[i]);
		if (n > snaplen)
			n = snaplen;
		return add_user_buf(s, off, i, p, n);
	case ARG_SOCKADDR:
		n = arg_at(r, c->lenarg[i]);
		if (n > 128)
			n = 128;
		return add_user_buf(s, off, i, p, n);
	case ARG_SOCKADDR_PLEN: {
		int len = 0;
		if (r->ret < 0 || !arg_at(r, c->lenarg[i]))
			return off;
		bpf_probe_read_user(&len, sizeof(len), (const void *)arg_at(r, c->lenarg[i]));
		if (len <= 0)
			return off;
		return add_user_buf(s, off, i, p, len > 128 ? 128 : len);
	}
	case ARG_INT2:
		if (r->ret < 0)
			return off;
		return add_user_buf(s, off, i, p, 8);
	case ARG_IOV:
	case ARG_MSGHDR: {
		struct iovec iov = {};
		const struct iovec *iovp = p;
		if (kind == ARG_MSGHDR) {
			struct user_msghdr mh = {};
			if (!p || bpf_probe_read_user(&mh, sizeof(mh), p) != 0)
				return off;
			if (mh.msg_name && mh.msg_namelen > 0)
				off = add_user_buf(s, off, CH_MSGNAME, mh.msg_name, mh.msg_namelen > 128 ? 128 : mh.msg_namelen);
			iovp = mh.msg_iov;
		}
		if (r->ret <= 0 || !iovp)
			return off;
		if (bpf_probe_read_user(&iov, sizeof(iov), iovp) != 0)
			return off;
		// Only the first iovec: enough for a snaplen of a few hundred bytes.
		n = r->ret < snaplen ? r->ret : snaplen;
		if (n > iov.iov_len)
			n = iov.iov_len;
		return add_user_buf(s, off, i, iov.iov_base, n);
	}
	}
	return off;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	// tp_btf hands over a trusted pointer: plain loads, no helper calls.
	u32 nr = regs->orig_ax;
	if (nr >= MAX_NR)
		return 0;
	struct conf *c = bpf_map_lookup_elem(&confs, &nr);
	if (!c || !c->on)
		return 0;
	if ((bpf_get_current_pid_tgid() >> 32) == self_tgid)
		return 0;
	struct scratch *s = buf();
	if (!s)
		return 0;
	struct rec *r = begin(s, KIND_SYSCALL, nr, ret);
	r->args[0] = regs->di;
	r->args[1] = regs->si;
	r->args[2] = regs->dx;
	r->args[3] = regs->r10;
	r->args[4] = regs->r8;
	r->args[5] = regs->r9;
	u32 off = HDR_SIZE;
	struct task_struct *task = bpf_get_current_task_btf();

	if (c->special == SP_EXEC && ret == 0) {
		// The registers and the old memory are gone: describe the new
		// program from the task.
		off = add_task(s, off, task);
		struct mm_struct *mm = BPF_CORE_READ(task, mm);
		off = add_mm_area(s, off, CH_ARGS, BPF_CORE_READ(mm, arg_start), BPF_CORE_READ(mm, arg_end));
		off = add_cgroups(s, off, task);
		off = add_mm_area(s, off, CH_ENV, BPF_CORE_READ(mm, env_start), BPF_CORE_READ(mm, env_end));
		emit(s, off);
		return 0;
	}
#pragma unroll
	for (int i = 0; i < 6; i++) {
		if (c->kind[i])
			off = add_arg(s, off, r, c, i);
	}
	switch (c->special) {
	case SP_FILE_RET:
		if (ret >= 0)
			off = add_file(s, off, task, ret);
		break;
	case SP_SOCK_ARG0:
		off = add_tuple(s, off, task, r->args[0]);
		break;
	case SP_SOCK_RET:
		if (ret >= 0)
			off = add_tuple(s, off, task, ret);
		break;
	case SP_CLONE:
		if (ret >= 0) {
			off = add_task(s, off, task);
			struct mm_struct *mm = BPF_CORE_READ(task, mm);
			if (mm)
				off = add_mm_area(s, off, CH_ARGS, BPF_CORE_READ(mm, arg_start), BPF_CORE_READ(mm, arg_end));
		}
		break;
	case SP_PIPE:
		if (ret >= 0 && r->args[0]) {
			int fds[2] = {};
			bpf_probe_read_user(fds, sizeof(fds), (const void *)r->args[0]);
			off = add_file(s, off, task, fds[0]);
		}
		break;
	}
	emit(s, off);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if ((bpf_get_current_pid_tgid() >> 32) == self_tgid)
		return 0;
	struct scratch *s = buf();
	if (!s)
		return 0;
	struct rec *r = begin(s, KIND_EXEC, 0, old_pid);
	__builtin_memset(r->args, 0, sizeof(r->args));
	u32 off = add_kernel_str(s, HDR_SIZE, CH_FILENAME, 0, BPF_CORE_READ(bprm, filename));
	emit(s, off);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_exit, struct task_struct *p)
{
	if ((bpf_get_current_pid_tgid() >> 32) == self_tgid)
		return 0;
	struct scratch *s = buf();
	if (!s)
		return 0;
	struct rec *r = begin(s, KIND_EXIT, 0, 0);
	__builtin_memset(r->args, 0, sizeof(r->args));
	r->args[0] = BPF_CORE_READ(p, exit_code);
	// The thread that inherits the children: the real parent's reaper is
	// not known here; 0 says "unknown".
	r->args[1] = 0;
	emit(s, HDR_SIZE);
	return 0;
}
